//! Every column type a SQL Server (and pysqlbridge) can send, mapped to JSON.

use std::borrow::Cow;

use serde_json::{Value, json};
use tiberius::numeric::Numeric;
use tiberius::time::{Date, DateTime, DateTime2, DateTimeOffset, SmallDateTime, Time};
use tiberius::xml::XmlData;
use tiberius::{ColumnData, ColumnType};
use uuid::Uuid;

use super::*;

/// Days from 0001-01-01 to 2026-11-26.
fn days_to_2026_11_26() -> u32 {
    (NaiveDate::from_ymd_opt(2026, 11, 26).unwrap() - epoch(1)).num_days() as u32
}

fn map(column_type: ColumnType, data: ColumnData<'static>) -> Value {
    to_json("c", column_type, &data).unwrap()
}

#[test]
fn every_value_type_maps_faithfully() {
    let day = days_to_2026_11_26();
    let days_1900 = (NaiveDate::from_ymd_opt(2026, 11, 26).unwrap() - epoch(1900)).num_days();
    let ten_fifteen = 10 * 3600 + 15 * 60 + 30;
    let guid = Uuid::parse_str("6F1C2A3B-4D5E-4F60-8172-93A4B5C6D7E8").unwrap();
    let cases: Vec<(ColumnType, ColumnData<'static>, Value)> = vec![
        (ColumnType::Int1, ColumnData::U8(Some(255)), json!(255)),
        (
            ColumnType::Int2,
            ColumnData::I16(Some(-32768)),
            json!(-32768),
        ),
        (
            ColumnType::Int4,
            ColumnData::I32(Some(2_147_483_647)),
            json!(2_147_483_647),
        ),
        (
            ColumnType::Int8,
            ColumnData::I64(Some(i64::MAX)),
            json!(i64::MAX),
        ),
        (ColumnType::Float4, ColumnData::F32(Some(0.5)), json!(0.5)),
        (
            ColumnType::Float8,
            ColumnData::F64(Some(87.25)),
            json!(87.25),
        ),
        (
            ColumnType::Money,
            ColumnData::F64(Some(82.5)),
            json!("82.5000"),
        ),
        (
            ColumnType::Money4,
            ColumnData::F64(Some(-0.0001)),
            json!("-0.0001"),
        ),
        (
            ColumnType::Money,
            ColumnData::F64(Some(123_456_789.123_4)),
            json!("123456789.1234"),
        ),
        (ColumnType::Bitn, ColumnData::Bit(Some(true)), json!(true)),
        (ColumnType::Bit, ColumnData::Bit(Some(false)), json!(false)),
        (
            ColumnType::NVarchar,
            ColumnData::String(Some(Cow::Borrowed("Grüße"))),
            json!("Grüße"),
        ),
        (
            ColumnType::BigVarChar,
            ColumnData::String(Some(Cow::Borrowed("PO-1"))),
            json!("PO-1"),
        ),
        (
            ColumnType::BigChar,
            ColumnData::String(Some(Cow::Borrowed("ab  "))),
            json!("ab  "),
        ),
        (
            ColumnType::NChar,
            ColumnData::String(Some(Cow::Borrowed("x"))),
            json!("x"),
        ),
        (
            ColumnType::Text,
            ColumnData::String(Some(Cow::Borrowed("long"))),
            json!("long"),
        ),
        (
            ColumnType::NText,
            ColumnData::String(Some(Cow::Borrowed("lång"))),
            json!("lång"),
        ),
        (
            ColumnType::Guid,
            ColumnData::Guid(Some(guid)),
            json!("6f1c2a3b-4d5e-4f60-8172-93a4b5c6d7e8"),
        ),
        (
            ColumnType::BigVarBin,
            ColumnData::Binary(Some(Cow::Borrowed(&[0xDE, 0xAD, 0x01]))),
            json!("0xDEAD01"),
        ),
        (
            ColumnType::BigBinary,
            ColumnData::Binary(Some(Cow::Borrowed(&[]))),
            json!("0x"),
        ),
        (
            ColumnType::Image,
            ColumnData::Binary(Some(Cow::Borrowed(&[0x0F]))),
            json!("0x0F"),
        ),
        (
            ColumnType::Decimaln,
            ColumnData::Numeric(Some(Numeric::new_with_scale(132_550, 2))),
            json!("1325.50"),
        ),
        (
            ColumnType::Numericn,
            ColumnData::Numeric(Some(Numeric::new_with_scale(-5, 3))),
            json!("-0.005"),
        ),
        (
            ColumnType::Decimaln,
            ColumnData::Numeric(Some(Numeric::new_with_scale(
                12_345_678_901_234_567_890_123_456_789,
                0,
            ))),
            json!("12345678901234567890123456789"),
        ),
        (
            ColumnType::Xml,
            ColumnData::Xml(Some(Cow::Owned(XmlData::new("<a b=\"1\"/>")))),
            json!("<a b=\"1\"/>"),
        ),
        (
            ColumnType::Daten,
            ColumnData::Date(Some(Date::new(day))),
            json!("2026-11-26"),
        ),
        (
            ColumnType::Timen,
            ColumnData::Time(Some(Time::new(ten_fifteen * 10_000_000 + 1_234_567, 7))),
            json!("10:15:30.1234567"),
        ),
        (
            ColumnType::Timen,
            ColumnData::Time(Some(Time::new(ten_fifteen, 0))),
            json!("10:15:30"),
        ),
        (
            ColumnType::Datetime2,
            ColumnData::DateTime2(Some(DateTime2::new(
                Date::new(day),
                Time::new(ten_fifteen * 1000 + 5, 3),
            ))),
            json!("2026-11-26T10:15:30.005"),
        ),
        (
            ColumnType::DatetimeOffsetn,
            ColumnData::DateTimeOffset(Some(DateTimeOffset::new(
                DateTime2::new(Date::new(day), Time::new(23 * 3600 * 100 + 12, 2)),
                120,
            ))),
            json!("2026-11-27T01:00:00.12+02:00"),
        ),
        (
            ColumnType::DatetimeOffsetn,
            ColumnData::DateTimeOffset(Some(DateTimeOffset::new(
                DateTime2::new(Date::new(day), Time::new(3600, 0)),
                -330,
            ))),
            json!("2026-11-25T19:30:00-05:30"),
        ),
        (
            ColumnType::Datetimen,
            ColumnData::DateTime(Some(DateTime::new(
                days_1900 as i32,
                ten_fifteen as u32 * 300 + 299,
            ))),
            json!("2026-11-26T10:15:30.997"),
        ),
        (
            ColumnType::Datetime,
            ColumnData::DateTime(Some(DateTime::new(0, 1))),
            json!("1900-01-01T00:00:00.003"),
        ),
        (
            ColumnType::Datetime4,
            ColumnData::SmallDateTime(Some(SmallDateTime::new(days_1900 as u16, 615))),
            json!("2026-11-26T10:15:00"),
        ),
    ];
    for (column_type, data, expected) in cases {
        assert_eq!(
            map(column_type, data.clone()),
            expected,
            "{column_type:?} {data:?}"
        );
    }
}

#[test]
fn null_of_every_type_is_json_null() {
    let nulls: Vec<(ColumnType, ColumnData<'static>)> = vec![
        (ColumnType::Int4, ColumnData::I32(None)),
        (ColumnType::Money, ColumnData::F64(None)),
        (ColumnType::Bitn, ColumnData::Bit(None)),
        (ColumnType::NVarchar, ColumnData::String(None)),
        (ColumnType::Guid, ColumnData::Guid(None)),
        (ColumnType::BigVarBin, ColumnData::Binary(None)),
        (ColumnType::Decimaln, ColumnData::Numeric(None)),
        (ColumnType::Xml, ColumnData::Xml(None)),
        (ColumnType::Datetimen, ColumnData::DateTime(None)),
        (ColumnType::Daten, ColumnData::Date(None)),
        (
            ColumnType::DatetimeOffsetn,
            ColumnData::DateTimeOffset(None),
        ),
        (ColumnType::Null, ColumnData::I32(None)),
    ];
    for (column_type, data) in nulls {
        assert_eq!(map(column_type, data), Value::Null, "{column_type:?}");
    }
}

#[test]
fn unmapped_types_are_errors_naming_the_column() {
    for column_type in [ColumnType::SSVariant, ColumnType::Udt] {
        let err = to_json("shape", column_type, &ColumnData::Binary(None)).unwrap_err();
        assert!(
            err.contains("column `shape`") && err.contains(type_name(column_type)),
            "{err}"
        );
    }
}

#[test]
fn money_beyond_exact_range_is_an_error_not_a_rounded_value() {
    let err = to_json(
        "amount",
        ColumnType::Money,
        &ColumnData::F64(Some(922_337_203_685_477.0)),
    )
    .unwrap_err();
    assert!(
        err.contains("column `amount`") && err.contains("decimal(19,4)"),
        "{err}"
    );
}

#[test]
fn scaled_integers_keep_every_digit() {
    for (value, scale, text) in [
        (0, 2, "0.00"),
        (7, 3, "0.007"),
        (-120, 1, "-12.0"),
        (42, 0, "42"),
    ] {
        assert_eq!(scaled_integer(value, scale), text);
    }
}
