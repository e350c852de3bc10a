//! SQL Server values as JSON, faithfully: nothing is rounded, nothing is
//! silently dropped.
//!
//! | SQL Server type                          | JSON                                             |
//! |------------------------------------------|--------------------------------------------------|
//! | tinyint, smallint, int, bigint           | number `42`                                      |
//! | real, float                              | number `0.5`                                     |
//! | decimal(p,s), numeric(p,s)               | string with exactly `s` places `"1325.50"`       |
//! | money, smallmoney                        | string with 4 places `"82.5000"`                 |
//! | bit                                      | `true` / `false`                                 |
//! | char, varchar, text, nchar, nvarchar, ntext | string                                        |
//! | uniqueidentifier                         | lower-case string `"6f1c…-…"`                    |
//! | date                                     | `"2026-11-26"`                                   |
//! | time(n)                                  | `"10:15:30.1234567"` (n fractional digits)       |
//! | datetime2(n)                             | `"2026-11-26T10:15:30.1234567"`                  |
//! | datetimeoffset(n)                        | `"2026-11-26T12:15:30.1234567+02:00"` (local time, offset) |
//! | datetime                                 | `"2026-11-26T10:15:30.997"` (SQL Server's 1/300 s, as ms) |
//! | smalldatetime                            | `"2026-11-26T10:15:00"`                          |
//! | binary, varbinary, image                 | `"0xDEADBEEF"` (hex, as SQL Server tools show it) |
//! | xml                                      | the document as a string                         |
//! | NULL of any type                         | `null`                                           |
//!
//! `sql_variant` and CLR user-defined types have no faithful JSON form here:
//! a column of such a type is an error naming the column (cast it in the
//! query, e.g. `CAST(v AS nvarchar(4000))`).

use chrono::{Duration as ChronoDuration, NaiveDate, NaiveDateTime};
use serde_json::{Number, Value};
use tiberius::ColumnData;
use tiberius::ColumnType;
use tiberius::numeric::Numeric;
use tiberius::time::{Date, DateTime, DateTime2, DateTimeOffset, SmallDateTime, Time};

/// Scale of money and smallmoney on the wire (value × 10⁴).
const MONEY_SCALE: u8 = 4;

/// Largest scaled money value an `f64` holds exactly (2⁵³); tiberius decodes
/// money through `f64`, so beyond this digits may already be lost.
const MONEY_EXACT_LIMIT: f64 = 9_007_199_254_740_992.0;

/// The SQL type name a column is reported under in traces and errors.
pub fn type_name(column_type: ColumnType) -> &'static str {
    match column_type {
        ColumnType::Null => "null",
        ColumnType::Bit | ColumnType::Bitn => "bit",
        ColumnType::Int1 => "tinyint",
        ColumnType::Int2 => "smallint",
        ColumnType::Int4 => "int",
        ColumnType::Int8 => "bigint",
        ColumnType::Intn => "int",
        ColumnType::Datetime4 => "smalldatetime",
        ColumnType::Float4 => "real",
        ColumnType::Float8 | ColumnType::Floatn => "float",
        ColumnType::Money => "money",
        ColumnType::Money4 => "smallmoney",
        ColumnType::Datetime | ColumnType::Datetimen => "datetime",
        ColumnType::Guid => "uniqueidentifier",
        ColumnType::Decimaln => "decimal",
        ColumnType::Numericn => "numeric",
        ColumnType::Daten => "date",
        ColumnType::Timen => "time",
        ColumnType::Datetime2 => "datetime2",
        ColumnType::DatetimeOffsetn => "datetimeoffset",
        ColumnType::BigVarBin => "varbinary",
        ColumnType::BigVarChar => "varchar",
        ColumnType::BigBinary => "binary",
        ColumnType::BigChar => "char",
        ColumnType::NVarchar => "nvarchar",
        ColumnType::NChar => "nchar",
        ColumnType::Xml => "xml",
        ColumnType::Udt => "user-defined type",
        ColumnType::Text => "text",
        ColumnType::Image => "image",
        ColumnType::NText => "ntext",
        ColumnType::SSVariant => "sql_variant",
    }
}

/// Whether values of this column type can be mapped at all.
pub fn is_mappable(column_type: ColumnType) -> bool {
    !matches!(column_type, ColumnType::Udt | ColumnType::SSVariant)
}

/// The error for a column whose type has no JSON form here.
pub fn unmapped(column: &str, column_type: ColumnType) -> String {
    format!(
        "column `{column}` has SQL type {}, which driftgate does not map to JSON; cast it in the query (e.g. CAST({column} AS nvarchar(4000)))",
        type_name(column_type)
    )
}

/// The JSON form of one cell; `column` names it in the error.
pub fn to_json(
    column: &str,
    column_type: ColumnType,
    data: &ColumnData<'_>,
) -> Result<Value, String> {
    if !is_mappable(column_type) {
        return Err(unmapped(column, column_type));
    }
    let value = match data {
        ColumnData::U8(v) => v.map(Value::from),
        ColumnData::I16(v) => v.map(Value::from),
        ColumnData::I32(v) => v.map(Value::from),
        ColumnData::I64(v) => v.map(Value::from),
        ColumnData::F32(v) => v.map(|f| float(f64::from(f))),
        ColumnData::F64(v) if matches!(column_type, ColumnType::Money | ColumnType::Money4) => v
            .map(|m| money(m).map(Value::String))
            .transpose()
            .map_err(|message| format!("column `{column}`: {message}"))?,
        ColumnData::F64(v) => v.map(float),
        ColumnData::Bit(v) => v.map(Value::Bool),
        ColumnData::String(v) => v.as_ref().map(|s| Value::String(s.to_string())),
        ColumnData::Guid(v) => v.map(|g| Value::String(g.hyphenated().to_string())),
        ColumnData::Binary(v) => v.as_ref().map(|b| Value::String(hex(b))),
        ColumnData::Numeric(v) => v.map(|n| Value::String(decimal(n))),
        ColumnData::Xml(v) => v.as_ref().map(|x| Value::String(x.to_string())),
        ColumnData::DateTime(v) => v.map(|d| Value::String(datetime(d))),
        ColumnData::SmallDateTime(v) => v.map(|d| Value::String(small_datetime(d))),
        ColumnData::Time(v) => v.map(|t| Value::String(time(t))),
        ColumnData::Date(v) => v.map(|d| Value::String(date(d).to_string())),
        ColumnData::DateTime2(v) => v.map(|d| Value::String(datetime2(d))),
        ColumnData::DateTimeOffset(v) => v.map(|d| Value::String(datetime_offset(d))),
    };
    Ok(value.unwrap_or(Value::Null))
}

fn float(f: f64) -> Value {
    Number::from_f64(f).map_or(Value::Null, Value::Number)
}

/// An exact decimal string with exactly `scale` fractional digits.
pub fn scaled_integer(value: i128, scale: u8) -> String {
    let digits = value.unsigned_abs().to_string();
    let sign = if value < 0 { "-" } else { "" };
    let scale = usize::from(scale);
    if scale == 0 {
        return format!("{sign}{digits}");
    }
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (int, frac) = padded.split_at(padded.len() - scale);
    format!("{sign}{int}.{frac}")
}

fn decimal(n: Numeric) -> String {
    scaled_integer(n.value(), n.scale())
}

fn money(m: f64) -> Result<String, String> {
    let scaled = (m * 10f64.powi(i32::from(MONEY_SCALE))).round();
    if scaled.abs() > MONEY_EXACT_LIMIT {
        return Err(format!(
            "money value {m} is beyond ±900,719,925,474.0992, where the driver's decoding loses digits; cast it in the query (e.g. CAST(x AS decimal(19,4)))"
        ));
    }
    // In range, so the conversion is exact.
    Ok(scaled_integer(scaled as i128, MONEY_SCALE))
}

/// Uppercase hex with SQL Server's `0x` prefix.
pub fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(2 + bytes.len() * 2);
    out.push_str("0x");
    for b in bytes {
        out.push_str(&format!("{b:02X}"));
    }
    out
}

fn epoch(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default()
}

fn date(d: Date) -> NaiveDate {
    epoch(1) + ChronoDuration::days(i64::from(d.days()))
}

/// `HH:MM:SS` plus `scale` fractional digits of a time of day.
fn time_of_day(increments: u64, scale: u8) -> String {
    let per_second = 10u64.pow(u32::from(scale));
    let (seconds, fraction) = (increments / per_second, increments % per_second);
    let clock = format!(
        "{:02}:{:02}:{:02}",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    );
    if scale == 0 {
        clock
    } else {
        format!("{clock}.{fraction:0width$}", width = usize::from(scale))
    }
}

fn time(t: Time) -> String {
    time_of_day(t.increments(), t.scale())
}

fn datetime2(d: DateTime2) -> String {
    format!("{}T{}", date(d.date()), time(d.time()))
}

fn datetime_offset(d: DateTimeOffset) -> String {
    let utc = d.datetime2();
    let (time, offset) = (utc.time(), i64::from(d.offset()));
    let per_second = 10u64.pow(u32::from(time.scale()));
    let start = NaiveDateTime::from(date(utc.date()));
    let local = start
        + ChronoDuration::seconds((time.increments() / per_second) as i64)
        + ChronoDuration::minutes(offset);
    let fraction = time.increments() % per_second;
    let seconds_of_day = u64::from(local.and_utc().timestamp().rem_euclid(86_400) as u32);
    let clock = time_of_day(seconds_of_day * per_second + fraction, time.scale());
    let sign = if offset < 0 { '-' } else { '+' };
    format!(
        "{}T{clock}{sign}{:02}:{:02}",
        local.date(),
        offset.abs() / 60,
        offset.abs() % 60
    )
}

fn datetime(d: DateTime) -> String {
    let day = epoch(1900) + ChronoDuration::days(i64::from(d.days()));
    // 1/300 s ticks, shown in milliseconds the way SQL Server rounds them.
    let millis = (u64::from(d.seconds_fragments()) * 10 + 1) / 3;
    format!("{day}T{}", time_of_day(millis, 3))
}

fn small_datetime(d: SmallDateTime) -> String {
    let day = epoch(1900) + ChronoDuration::days(i64::from(d.days()));
    let seconds = u64::from(d.seconds_fragments()) * 60;
    format!("{day}T{}", time_of_day(seconds, 0))
}

#[cfg(test)]
mod tests;
