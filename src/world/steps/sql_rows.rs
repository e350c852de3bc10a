//! Matching a query result against a Gherkin data table.
//!
//! The table's header names the columns compared (any subset, any order);
//! each cell is a template rendered per environment, then read as:
//! a fuzzy marker (`#notnull`, `#uuid`, `#regex PO-\d+`, …) matched by
//! `crate::matcher`; `null`; or text compared with the cell's value as SQL
//! Server tools show it (`1325.50` matches the decimal string `"1325.50"`
//! and the float `1325.5`; `true`/`1` match a set bit).
//!
//! ```text
//! | OrderNo | Status   | Total      |        rows: [["PO-1", "CREATED", "10.00"],
//! | PO-1    | CREATED  | #notnull   |   ──▶         ["PO-2", "OPEN",    "5.00"]]
//! exact: same rows in order · unordered: same rows, any order · contains: at least these rows
//! ```
//!
//! `each query row's column "Status" should be "OPEN"` reads its value the
//! same way, for every row.

use cucumber::step::Context;
use futures::future::LocalBoxFuture;
use serde_json::Value;

use super::StepDef;
use crate::matcher::{MatchMode, match_value, parse_expected};
use crate::trace::SqlExchange;
use crate::world::TwinWorld;
use crate::world::steps::declaration::{Action, ArgKind, Args, param};

pub(super) fn steps() -> Vec<StepDef> {
    vec![StepDef {
        pattern: r#"^each query row's column "(?<column>[^"]+)" should be (?<expected>.+)$"#,
        summary: "Asserts the column in every row of the last query (a value as a table cell reads it, or a fuzzy marker); a query that returned no rows fails.",
        example: r#"Then each query row's column "Status" should be "OPEN""#,
        params: const {
            &[
                param("column", ArgKind::Text, "column name"),
                param(
                    "expected",
                    ArgKind::Expected,
                    "value or fuzzy marker, quoted or not (a template)",
                ),
            ]
        },
        action: Action::Assert,
        run: each_cell_is,
    }]
}

fn each_cell_is(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let args = Args::of(&ctx);
        let (column, expected) = (args.owned("column"), args.owned("expected"));
        super::sql::assert_query(
            w,
            &ctx,
            &format!("each query row's {column} == {expected}"),
            |s, result| {
                let text = match parse_expected(&s.render(&expected)?) {
                    Value::String(text) => text,
                    other => other.to_string(),
                };
                check_each_cell(result, &column, &text)
            },
        );
    })
}

/// Whether `column` matches `expected` (a table cell's text) in every row;
/// the error names each row that does not.
pub(super) fn check_each_cell(
    result: &SqlExchange,
    column: &str,
    expected: &str,
) -> Result<(), String> {
    let positions = column_positions(result, &[column.to_owned()])?;
    let index = positions.first().copied().unwrap_or_default();
    if result.rows.is_empty() {
        return Err("the query returned no rows; `each` needs at least one".into());
    }
    let problems: Vec<String> = result
        .rows
        .iter()
        .enumerate()
        .filter_map(|(n, row)| {
            let value = row.get(index).unwrap_or(&Value::Null);
            cell_matches(expected, value)
                .err()
                .map(|why| format!("row {}, column `{column}`: {why}", n + 1))
        })
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

/// How the expected rows relate to the actual ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RowsMode {
    /// The same rows, in the same order.
    Exact,
    /// The same rows, in any order.
    Unordered,
    /// At least these rows, in any order.
    Contains,
}

impl RowsMode {
    /// The mode named by a step's wording.
    pub(super) fn from_words(words: &str) -> RowsMode {
        if words.contains("contain") {
            RowsMode::Contains
        } else if words.contains("any order") {
            RowsMode::Unordered
        } else {
            RowsMode::Exact
        }
    }
}

/// A data table: column names and rendered cells.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ExpectedRows {
    /// Header cells.
    pub(super) columns: Vec<String>,
    /// Body rows, rendered.
    pub(super) rows: Vec<Vec<String>>,
}

/// Whether the result holds the expected rows; the error lists what did not match.
pub(super) fn check_rows(
    result: &SqlExchange,
    expected: &ExpectedRows,
    mode: RowsMode,
) -> Result<(), String> {
    let positions = column_positions(result, &expected.columns)?;
    let project = |row: &Vec<Value>| -> Vec<Value> {
        positions
            .iter()
            .map(|&i| row.get(i).cloned().unwrap_or(Value::Null))
            .collect()
    };
    let actual: Vec<Vec<Value>> = result.rows.iter().map(project).collect();
    if mode != RowsMode::Contains && actual.len() != expected.rows.len() {
        return Err(format!(
            "expected {} rows, got {}",
            expected.rows.len(),
            actual.len()
        ));
    }
    match mode {
        RowsMode::Exact => check_in_order(&actual, expected),
        RowsMode::Unordered | RowsMode::Contains => check_any_order(&actual, expected),
    }
}

fn column_positions(result: &SqlExchange, wanted: &[String]) -> Result<Vec<usize>, String> {
    wanted
        .iter()
        .map(|name| {
            result
                .columns
                .iter()
                .position(|c| c.name.eq_ignore_ascii_case(name))
                .ok_or_else(|| {
                    let known: Vec<&str> = result.columns.iter().map(|c| c.name.as_str()).collect();
                    format!(
                        "the result has no column `{name}`; it has: {}",
                        known.join(", ")
                    )
                })
        })
        .collect()
}

fn check_in_order(actual: &[Vec<Value>], expected: &ExpectedRows) -> Result<(), String> {
    let mut problems = Vec::new();
    for (n, (row, cells)) in actual.iter().zip(&expected.rows).enumerate() {
        for ((column, text), value) in expected.columns.iter().zip(cells).zip(row) {
            if let Err(why) = cell_matches(text, value) {
                problems.push(format!("row {}, column `{column}`: {why}", n + 1));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

fn check_any_order(actual: &[Vec<Value>], expected: &ExpectedRows) -> Result<(), String> {
    let mut used = vec![false; actual.len()];
    let mut missing = Vec::new();
    for cells in &expected.rows {
        let found = actual.iter().enumerate().position(|(i, row)| {
            !used[i]
                && cells
                    .iter()
                    .zip(row)
                    .all(|(text, value)| cell_matches(text, value).is_ok())
        });
        match found {
            Some(i) => used[i] = true,
            None => missing.push(format!("| {} |", cells.join(" | "))),
        }
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!("no row matches: {}", missing.join(", ")))
    }
}

/// Whether one cell's value matches the expected text of a table cell.
pub(super) fn cell_matches(text: &str, actual: &Value) -> Result<(), String> {
    let text = text.trim();
    if text.starts_with('#') {
        let mismatches = match_value(&parse_expected(text), Some(actual), MatchMode::Equals);
        return match mismatches.first() {
            None => Ok(()),
            Some(m) => Err(format!("expected {text}, got {actual} ({})", m.reason)),
        };
    }
    let matches = match actual {
        Value::Null => text.eq_ignore_ascii_case("null"),
        Value::Bool(b) => {
            let t = text.to_ascii_lowercase();
            (*b && (t == "true" || t == "1")) || (!*b && (t == "false" || t == "0"))
        }
        Value::Number(n) => {
            n.to_string() == text
                || matches!((n.as_f64(), text.parse::<f64>()), (Some(a), Ok(b)) if a == b)
        }
        Value::String(s) => s == text,
        other => serde_json::from_str::<Value>(text).is_ok_and(|t| &t == other),
    };
    if matches {
        Ok(())
    } else {
        Err(format!("expected {text}, got {actual}"))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::trace::SqlColumn;

    fn result() -> SqlExchange {
        SqlExchange {
            service: "erpdb".into(),
            statement: "SELECT …".into(),
            parameters: vec![],
            columns: ["OrderNo", "Status", "Total", "Released"]
                .iter()
                .map(|n| SqlColumn {
                    name: (*n).into(),
                    sql_type: "nvarchar".into(),
                })
                .collect(),
            rows: vec![
                vec![json!("PO-1"), json!("CREATED"), json!("10.50"), json!(true)],
                vec![json!("PO-2"), json!("OPEN"), json!(5.0), Value::Null],
            ],
            key: vec![],
            configuration: None,
            error: None,
            elapsed_ms: 1.0,
        }
    }

    #[test]
    fn each_row_is_checked_and_every_failing_row_named() {
        let result = result();
        assert_eq!(
            check_each_cell(&result, "orderno", "#regex PO-[0-9]"),
            Ok(())
        );
        assert_eq!(
            check_each_cell(&result, "Status", "CREATED"),
            Err(r#"row 2, column `Status`: expected CREATED, got "OPEN""#.into())
        );
        assert!(
            check_each_cell(&result, "Nope", "x")
                .unwrap_err()
                .contains("no column `Nope`")
        );
        let empty = SqlExchange {
            rows: vec![],
            ..result
        };
        assert!(
            check_each_cell(&empty, "Status", "OPEN")
                .unwrap_err()
                .contains("no rows")
        );
    }

    fn table(columns: &[&str], rows: &[&[&str]]) -> ExpectedRows {
        ExpectedRows {
            columns: columns.iter().map(|c| (*c).to_owned()).collect(),
            rows: rows
                .iter()
                .map(|r| r.iter().map(|c| (*c).to_owned()).collect())
                .collect(),
        }
    }

    #[test]
    fn modes_accept_what_they_should() {
        let both = table(
            &["Status", "OrderNo"],
            &[&["CREATED", "PO-1"], &["OPEN", "#regex PO-\\d"]],
        );
        let reversed = table(&["OrderNo"], &[&["PO-2"], &["PO-1"]]);
        let one = table(&["OrderNo", "Released"], &[&["PO-2", "null"]]);
        let r = result();
        assert_eq!(check_rows(&r, &both, RowsMode::Exact), Ok(()));
        assert!(check_rows(&r, &reversed, RowsMode::Exact).is_err());
        assert_eq!(check_rows(&r, &reversed, RowsMode::Unordered), Ok(()));
        assert!(
            check_rows(&r, &one, RowsMode::Unordered)
                .unwrap_err()
                .contains("expected 1 rows, got 2")
        );
        assert_eq!(check_rows(&r, &one, RowsMode::Contains), Ok(()));
    }

    #[test]
    fn failures_name_row_column_and_values() {
        let wrong = table(&["OrderNo", "Total"], &[&["PO-1", "10.5"], &["PO-2", "6"]]);
        let err = check_rows(&result(), &wrong, RowsMode::Exact).unwrap_err();
        assert!(
            err.contains("row 1, column `Total`: expected 10.5, got \"10.50\""),
            "{err}"
        );
        assert!(
            err.contains("row 2, column `Total`: expected 6, got 5.0"),
            "{err}"
        );
        let unknown = table(&["Nope"], &[&["x"]]);
        let err = check_rows(&result(), &unknown, RowsMode::Contains).unwrap_err();
        assert!(
            err.contains("no column `Nope`") && err.contains("OrderNo"),
            "{err}"
        );
        let missing = table(&["OrderNo"], &[&["PO-9"]]);
        let err = check_rows(&result(), &missing, RowsMode::Contains).unwrap_err();
        assert!(err.contains("| PO-9 |"), "{err}");
    }

    #[test]
    fn cells_compare_as_sql_tools_show_them() {
        for (text, value, ok) in [
            ("5", json!(5.0), true),
            ("5.0", json!(5), true),
            ("1", json!(true), true),
            ("false", json!(false), true),
            ("true", json!(false), false),
            ("NULL", Value::Null, true),
            ("#null", Value::Null, true),
            ("#notnull", Value::Null, false),
            ("#uuid", json!("6f1c2a3b-4d5e-4f60-8172-93a4b5c6d7e8"), true),
            ("10.50", json!("10.50"), true),
            ("10.5", json!("10.50"), false),
        ] {
            assert_eq!(cell_matches(text, &value).is_ok(), ok, "{text} vs {value}");
        }
    }
}
