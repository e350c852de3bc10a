//! SQL result comparison: the query results a step got on each side, paired
//! by order, compared column by column and row by row.
//!
//! ```text
//! (keyed by OrderNo; orderNo captured per side)
//! baseline  [PO-1 CREATED 10.00] [PO-2 OPEN 5.00] [PO-3 OPEN 1.00]
//! candidate [PO-1 CREATED 10.00] [PO-2 RELEASED 5.00]            [PO-4 OPEN 2.00]
//! ──▶ cell_change  row[OrderNo=PO-2].Status  "OPEN" → "RELEASED"
//!     missing_row  row[OrderNo=PO-3]         {…} → –
//!     extra_row    row[OrderNo=PO-4]         – → {…}
//! ```
//!
//! Rows pair by their key columns (the step's `keyed by`), or by position
//! when no key was given. Cells are normalised like HTTP bodies (captured
//! values and environment variables become shared placeholders) and
//! `[compare] ignore` JSONPaths apply to each row as an object
//! (`$..UpdatedAt` skips that column); a cell both sides hold alike is never
//! drift, and generated values (a now-stamp, a UUID, a float printed another
//! way) are compared by shape. A result that describes configuration
//! (the database parity step) reports every difference as `configuration`.

use serde_json::{Map, Value};
use serde_json_path::JsonPath;

use super::finding::{Finding, Site};
use super::generated::{Recognised, Recognizer};
use super::json_diff::numbers_equal;
use super::{Drift, IgnoreSet, Normalizer, Segment};
use crate::drift_class::DriftClass;
use crate::trace::{Observation, Side, SideStep, SqlExchange, StepRecord, Twin};

/// Every drift in the SQL results of a step whose sides both acted.
pub(super) fn compare_queries(
    step: &StepRecord,
    ignore: &[JsonPath],
    normalizer: &Normalizer,
    generated: Recognizer,
    site: &Site<'_>,
) -> Vec<(Drift, Option<String>)> {
    let results = Twin::new(
        queries(&step.sides.baseline),
        queries(&step.sides.candidate),
    );
    let mut drifts = Vec::new();
    if results.baseline.len() != results.candidate.len() {
        drifts.push(site.placed(Finding {
            suppressed_by: None,
            class: DriftClass::ExchangeCount,
            path: None,
            baseline: Some(results.baseline.len().into()),
            candidate: Some(results.candidate.len().into()),
            message: format!(
                "{} queries in baseline, {} in candidate",
                results.baseline.len(),
                results.candidate.len()
            ),
        }));
    }
    for (baseline, candidate) in results.baseline.iter().zip(&results.candidate) {
        if baseline.error.is_some() || candidate.error.is_some() {
            continue;
        }
        let query_site = site.exchange(&baseline.service, statement_line(&baseline.statement));
        let pair = Twin::new(*baseline, *candidate);
        let judge = RowJudge {
            ignore,
            normalizer,
            generated,
        };
        drifts.extend(
            judge
                .diff_results(pair)
                .into_iter()
                .map(|finding| query_site.placed(finding)),
        );
    }
    drifts
}

fn queries(side: &SideStep) -> Vec<&SqlExchange> {
    side.observations
        .iter()
        .filter_map(|observation| match observation {
            Observation::Sql(query) => Some(query),
            _ => None,
        })
        .collect()
}

/// `SQL SELECT … FROM dbo.Orders WHERE …` on one line, cut to 100 characters.
fn statement_line(statement: &str) -> String {
    let line = statement.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(100) {
        Some((cut, _)) => format!("SQL {}…", &line[..cut]),
        None => format!("SQL {line}"),
    }
}

/// The differences between two results, as one sentence each
/// (used by the step that asserts both environments agree).
pub fn describe_differences(
    pair: Twin<&SqlExchange>,
    ignore: &[JsonPath],
    normalizer: &Normalizer,
) -> Vec<String> {
    let judge = RowJudge {
        ignore,
        normalizer,
        generated: Recognizer::STRICT,
    };
    judge
        .diff_results(pair)
        .into_iter()
        .map(|f| f.message)
        .collect()
}

/// Compares two results under the `[compare] ignore` paths, the step's
/// normaliser and its recognizer of generated values.
struct RowJudge<'a> {
    ignore: &'a [JsonPath],
    normalizer: &'a Normalizer,
    generated: Recognizer,
}

/// One row, as it came and normalised, each keyed by column name.
struct Row {
    raw: Map<String, Value>,
    normalized: Map<String, Value>,
}

impl RowJudge<'_> {
    fn diff_results(&self, pair: Twin<&SqlExchange>) -> Vec<Finding> {
        let mut findings = column_findings(&pair);
        let rows = Twin::new(
            row_objects(pair.baseline, Side::Baseline, self.normalizer),
            row_objects(pair.candidate, Side::Candidate, self.normalizer),
        );
        let key = &pair.baseline.key;
        if key.is_empty() {
            findings.extend(self.positional_findings(&rows));
        } else {
            findings.extend(self.keyed_findings(&rows, key));
        }
        if let Some(aspect) = &pair.baseline.configuration {
            for finding in &mut findings {
                finding.class = DriftClass::Configuration;
                finding.message = format!("{aspect}: {}", finding.message);
            }
        }
        findings
    }

    fn positional_findings(&self, rows: &Twin<Vec<Row>>) -> Vec<Finding> {
        let mut findings = Vec::new();
        let (b, c) = (&rows.baseline, &rows.candidate);
        if b.len() != c.len() {
            findings.push(finding(
                DriftClass::RowCount,
                "rows".into(),
                Some(b.len().into()),
                Some(c.len().into()),
                format!("{} rows in baseline, {} in candidate", b.len(), c.len()),
            ));
        }
        for (i, (row_b, row_c)) in b.iter().zip(c).enumerate() {
            findings.extend(self.cell_findings(&format!("row[{}]", i + 1), row_b, row_c));
        }
        for (i, row) in b.iter().enumerate().skip(c.len()) {
            findings.push(missing_row(&format!("row[{}]", i + 1), &row.normalized));
        }
        for (i, row) in c.iter().enumerate().skip(b.len()) {
            findings.push(extra_row(&format!("row[{}]", i + 1), &row.normalized));
        }
        findings
    }

    fn keyed_findings(&self, rows: &Twin<Vec<Row>>, key: &[String]) -> Vec<Finding> {
        let label = |row: &Row| {
            let parts: Vec<String> = key
                .iter()
                .map(|k| {
                    format!(
                        "{k}={}",
                        plain(row.normalized.get(k).unwrap_or(&Value::Null))
                    )
                })
                .collect();
            format!("row[{}]", parts.join(","))
        };
        let mut findings = Vec::new();
        for row_b in &rows.baseline {
            let id = label(row_b);
            match rows.candidate.iter().find(|row_c| label(row_c) == id) {
                Some(row_c) => findings.extend(self.cell_findings(&id, row_b, row_c)),
                None => findings.push(missing_row(&id, &row_b.normalized)),
            }
        }
        for row_c in &rows.candidate {
            let id = label(row_c);
            if !rows.baseline.iter().any(|row_b| label(row_b) == id) {
                findings.push(extra_row(&id, &row_c.normalized));
            }
        }
        findings
    }

    fn cell_findings(&self, id: &str, row_b: &Row, row_c: &Row) -> Vec<Finding> {
        let ignored = IgnoreSet::from_paths(
            self.ignore,
            &Value::Object(row_b.normalized.clone()),
            &Value::Object(row_c.normalized.clone()),
        );
        row_b
            .normalized
            .iter()
            .filter_map(|(column, b)| {
                let c = row_c.normalized.get(column)?;
                let raw_equal = row_b.raw.get(column) == row_c.raw.get(column);
                if raw_equal || same_value(b, c) || ignored.contains(&[Segment::Name(column)]) {
                    return None;
                }
                let recognised = match (b, c) {
                    (Value::Number(_), Value::Number(_)) | (Value::String(_), Value::String(_)) => {
                        self.generated.values(b, c)
                    }
                    _ => None,
                };
                let mut found = finding(
                    DriftClass::CellChange,
                    format!("{id}.{column}"),
                    Some(b.clone()),
                    Some(c.clone()),
                    format!("{id}.{column}: {b} in baseline, {c} in candidate"),
                );
                match recognised {
                    Some(Recognised::Same(reason)) => found.suppressed_by = Some(reason.to_owned()),
                    Some(Recognised::FormatChange) => {
                        found.class = DriftClass::FormatChange;
                        found.message = format!(
                            "{id}.{column} changed format: {b} in baseline, {c} in candidate"
                        );
                    }
                    None => {}
                }
                Some(found)
            })
            .collect()
    }
}

fn column_findings(pair: &Twin<&SqlExchange>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for b in &pair.baseline.columns {
        match pair.candidate.columns.iter().find(|c| c.name == b.name) {
            None => findings.push(finding(
                DriftClass::ColumnSet,
                format!("column:{}", b.name),
                Some(b.sql_type.clone().into()),
                None,
                format!("column `{}` is missing in candidate", b.name),
            )),
            Some(c) if c.sql_type != b.sql_type => findings.push(finding(
                DriftClass::ColumnSet,
                format!("column:{}", b.name),
                Some(b.sql_type.clone().into()),
                Some(c.sql_type.clone().into()),
                format!(
                    "column `{}` is {} in baseline, {} in candidate",
                    b.name, b.sql_type, c.sql_type
                ),
            )),
            Some(_) => {}
        }
    }
    for c in &pair.candidate.columns {
        if !pair.baseline.columns.iter().any(|b| b.name == c.name) {
            findings.push(finding(
                DriftClass::ColumnSet,
                format!("column:{}", c.name),
                None,
                Some(c.sql_type.clone().into()),
                format!("column `{}` exists only in candidate", c.name),
            ));
        }
    }
    findings
}

fn finding(
    class: DriftClass,
    path: String,
    baseline: Option<Value>,
    candidate: Option<Value>,
    message: String,
) -> Finding {
    Finding {
        suppressed_by: None,
        class,
        path: Some(path),
        baseline,
        candidate,
        message,
    }
}

/// Each row as an object keyed by column name, raw and normalised.
fn row_objects(result: &SqlExchange, side: Side, normalizer: &Normalizer) -> Vec<Row> {
    result
        .rows
        .iter()
        .map(|row| {
            let raw: Map<String, Value> = result
                .columns
                .iter()
                .zip(row)
                .map(|(column, value)| (column.name.clone(), value.clone()))
                .collect();
            let normalized = raw
                .iter()
                .map(|(column, value)| (column.clone(), normalizer.normalize_value(side, value)))
                .collect();
            Row { raw, normalized }
        })
        .collect()
}

fn plain(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Equal values; numbers compare by value (`5` equals `5.0`).
fn same_value(b: &Value, c: &Value) -> bool {
    match (b, c) {
        (Value::Number(x), Value::Number(y)) => numbers_equal(x, y),
        _ => b == c,
    }
}

fn missing_row(id: &str, row: &Map<String, Value>) -> Finding {
    finding(
        DriftClass::MissingRow,
        id.to_owned(),
        Some(Value::Object(row.clone())),
        None,
        format!("{id} is missing in candidate"),
    )
}

fn extra_row(id: &str, row: &Map<String, Value>) -> Finding {
    finding(
        DriftClass::ExtraRow,
        id.to_owned(),
        None,
        Some(Value::Object(row.clone())),
        format!("{id} exists only in candidate"),
    )
}

#[cfg(test)]
mod tests;
