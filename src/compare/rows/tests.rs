//! Row comparison: identical results, changed cells, missing and extra rows,
//! column changes, normalisation, ignore rules and configuration results.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::*;
use crate::trace::{EnvironmentRef, SqlColumn};

fn result(columns: &[(&str, &str)], rows: Vec<Vec<Value>>, key: &[&str]) -> SqlExchange {
    SqlExchange {
        service: "erpdb".into(),
        statement: "SELECT OrderNo, Status FROM dbo.Orders".into(),
        parameters: vec![],
        columns: columns
            .iter()
            .map(|(n, t)| SqlColumn {
                name: (*n).into(),
                sql_type: (*t).into(),
            })
            .collect(),
        rows,
        key: key.iter().map(|k| (*k).to_owned()).collect(),
        configuration: None,
        error: None,
        elapsed_ms: 1.0,
    }
}

const COLUMNS: &[(&str, &str)] = &[
    ("OrderNo", "nvarchar"),
    ("Status", "nvarchar"),
    ("Total", "decimal"),
];

fn orders(rows: &[(&str, &str, &str)], key: &[&str]) -> SqlExchange {
    result(
        COLUMNS,
        rows.iter()
            .map(|(o, s, t)| vec![json!(o), json!(s), json!(t)])
            .collect(),
        key,
    )
}

fn diff_results(
    pair: Twin<&SqlExchange>,
    ignore: &[JsonPath],
    normalizer: &Normalizer,
) -> Vec<Finding> {
    RowJudge {
        ignore,
        normalizer,
        generated: Recognizer::STRICT,
    }
    .diff_results(pair)
}

fn diff(b: &SqlExchange, c: &SqlExchange) -> Vec<Finding> {
    diff_results(Twin::new(b, c), &[], &Normalizer::default())
}

fn classes(findings: &[Finding]) -> Vec<(DriftClass, String)> {
    findings
        .iter()
        .map(|f| (f.class, f.path.clone().unwrap_or_default()))
        .collect()
}

#[test]
fn identical_results_are_not_drift() {
    let r = orders(
        &[("PO-1", "OPEN", "1.00"), ("PO-2", "OPEN", "2.00")],
        &["OrderNo"],
    );
    assert!(diff(&r, &r.clone()).is_empty());
}

#[test]
fn keyed_rows_report_changed_missing_and_extra() {
    let b = orders(
        &[
            ("PO-1", "OPEN", "1.00"),
            ("PO-2", "OPEN", "2.00"),
            ("PO-3", "OPEN", "3.00"),
        ],
        &["OrderNo"],
    );
    let c = orders(
        &[
            ("PO-4", "OPEN", "4.00"),
            ("PO-2", "RELEASED", "2.00"),
            ("PO-1", "OPEN", "1.00"),
        ],
        &["OrderNo"],
    );
    let found = diff(&b, &c);
    assert_eq!(
        classes(&found),
        [
            (
                DriftClass::CellChange,
                "row[OrderNo=PO-2].Status".to_owned()
            ),
            (DriftClass::MissingRow, "row[OrderNo=PO-3]".to_owned()),
            (DriftClass::ExtraRow, "row[OrderNo=PO-4]".to_owned()),
        ]
    );
    assert_eq!(found[0].baseline, Some(json!("OPEN")));
    assert_eq!(found[0].candidate, Some(json!("RELEASED")));
    assert_eq!(found[1].baseline.as_ref().unwrap()["Total"], json!("3.00"));
}

#[test]
fn unkeyed_rows_pair_by_position_and_count() {
    let b = orders(&[("PO-1", "OPEN", "1.00"), ("PO-2", "OPEN", "2.00")], &[]);
    let c = orders(&[("PO-1", "OPEN", "1.50")], &[]);
    assert_eq!(
        classes(&diff(&b, &c)),
        [
            (DriftClass::RowCount, "rows".to_owned()),
            (DriftClass::CellChange, "row[1].Total".to_owned()),
            (DriftClass::MissingRow, "row[2]".to_owned()),
        ]
    );
}

#[test]
fn column_changes_are_reported_with_both_types() {
    let b = result(
        &[("Id", "int"), ("Weight", "int")],
        vec![vec![json!(1), json!(2)]],
        &[],
    );
    let c = result(
        &[("Id", "int"), ("Weight", "float"), ("Priority", "nvarchar")],
        vec![vec![json!(1), json!(2.0), json!("HIGH")]],
        &[],
    );
    let found = diff(&b, &c);
    assert_eq!(
        classes(&found),
        [
            (DriftClass::ColumnSet, "column:Weight".to_owned()),
            (DriftClass::ColumnSet, "column:Priority".to_owned()),
        ],
        "2 and 2.0 are the same number"
    );
    assert_eq!(
        found[0].message,
        "column `Weight` is int in baseline, float in candidate"
    );
}

#[test]
fn captured_values_and_ignore_rules_are_not_drift() {
    let b = result(
        &[("OrderNo", "nvarchar"), ("UpdatedAt", "datetime2")],
        vec![vec![json!("PO-11111"), json!("2026-01-01T00:00:00")]],
        &["OrderNo"],
    );
    let c = result(
        &[("OrderNo", "nvarchar"), ("UpdatedAt", "datetime2")],
        vec![vec![json!("PO-22222"), json!("2026-02-02T00:00:00")]],
        &["OrderNo"],
    );
    let captures = Twin::new(
        BTreeMap::from([("orderNo".to_owned(), json!("PO-11111"))]),
        BTreeMap::from([("orderNo".to_owned(), json!("PO-22222"))]),
    );
    let normalizer = Normalizer::new(&Twin::<EnvironmentRef>::default(), &captures);
    let ignore = [JsonPath::parse("$..UpdatedAt").unwrap()];
    assert!(diff_results(Twin::new(&b, &c), &ignore, &normalizer).is_empty());
    let without_ignore = diff_results(Twin::new(&b, &c), &[], &normalizer);
    assert_eq!(
        classes(&without_ignore),
        [(
            DriftClass::CellChange,
            "row[OrderNo=<captured:orderNo>].UpdatedAt".to_owned()
        )]
    );
}

#[test]
fn configuration_results_are_configuration_drift_with_both_values() {
    let mut b = result(
        &[("name", "nvarchar"), ("value", "bigint")],
        vec![vec![json!("max degree of parallelism"), json!(0)]],
        &["name"],
    );
    b.configuration = Some("server settings".into());
    let mut c = b.clone();
    c.rows[0][1] = json!(8);
    let found = diff(&b, &c);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].class, DriftClass::Configuration);
    assert_eq!(
        (found[0].baseline.clone(), found[0].candidate.clone()),
        (Some(json!(0)), Some(json!(8)))
    );
    assert!(
        found[0]
            .message
            .starts_with("server settings: row[name=max degree of parallelism].value"),
        "{}",
        found[0].message
    );
}
