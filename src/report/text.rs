//! Text shared by the human-readable reports (terminal and JUnit): value
//! formatting, truncation, and the drift block of a scenario, laid out once
//! and styled by a [`Palette`] (plain for JUnit and `--color never`):
//!
//! ```text
//!   --> features/order_sync.feature:15  When I send a GET request to "/api/orders/{{ orderId }}"
//!       GET /api/orders/<captured:orderId> (erp)
//!       missing_field  $.quantityOnHand  baseline: 40        candidate: (absent)
//!       value_change   $.currency        baseline: "EUR"     candidate: "USD"
//! ```

use std::borrow::Cow;

use anstyle::{AnsiColor, Style};
use serde_json::Value;

use crate::compare::Drift;
use crate::compare::policy::DriftMark;
use crate::drift_class::DriftClass;
use crate::secret::Redactor;

/// Longest value shown, in characters; longer values end in `…`.
pub(crate) const MAX_VALUE_CHARS: usize = 80;
/// Shown for a value one side did not have.
pub(crate) const ABSENT: &str = "(absent)";
/// Indentation of the lines under a step.
const BODY_INDENT: &str = "      ";

/// Styles of the human-readable report; all plain when color is off.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Palette {
    /// Drift labels and the drift verdict.
    pub drift: Style,
    /// The no-drift verdict.
    pub ok: Style,
    /// Drift class names.
    pub class: Style,
    /// File locations and the `-->` marker.
    pub location: Style,
}

impl Palette {
    /// Colored styles when `color`, else plain ones that emit no escape codes.
    pub fn new(color: bool) -> Palette {
        if !color {
            return Palette::default();
        }
        Palette {
            drift: Style::new().fg_color(Some(AnsiColor::Red.into())).bold(),
            ok: Style::new().fg_color(Some(AnsiColor::Green.into())).bold(),
            class: Style::new().fg_color(Some(AnsiColor::Yellow.into())),
            location: Style::new().dimmed(),
        }
    }
}

/// `text` wrapped in `style`, left-aligned in `width` characters.
pub(crate) fn paint(style: Style, text: &str, width: usize) -> String {
    format!("{style}{text:<width$}{style:#}")
}

/// `text` cut to `max_chars` characters, the last one replaced by `…`.
pub(crate) fn truncate(text: &str, max_chars: usize) -> Cow<'_, str> {
    match text.char_indices().nth(max_chars.saturating_sub(1)) {
        Some((cut, _)) if text.chars().count() > max_chars => {
            Cow::Owned(format!("{}…", &text[..cut]))
        }
        _ => Cow::Borrowed(text),
    }
}

/// A drift value as compact JSON, redacted then truncated (in that order,
/// so a cut never leaves part of a secret), or [`ABSENT`].
pub(crate) fn format_value(value: Option<&Value>, redactor: &Redactor) -> String {
    match value {
        None => ABSENT.to_owned(),
        Some(value) => {
            let json = value.to_string();
            truncate(&redactor.redact(&json), MAX_VALUE_CHARS).into_owned()
        }
    }
}

/// A side's value of `drift` as shown: a fault's reason (a step that errored
/// on one side, `cannot connect: … Connection refused (os error 111)`) whole,
/// any other value as [`format_value`] shows it.
pub(crate) fn format_drift_value(
    drift: &Drift,
    value: Option<&Value>,
    redactor: &Redactor,
) -> String {
    match value {
        Some(reason) if drift.class == DriftClass::ErrorOneSide => {
            redactor.redact(&reason.to_string()).into_owned()
        }
        _ => format_value(value, redactor),
    }
}

/// `GET /api/orders/… (erp)`: the request line and service of a drift.
fn request_label(drift: &Drift, redactor: &Redactor) -> Option<String> {
    let label = match (&drift.request, &drift.service) {
        (Some(request), Some(service)) => format!("{request} ({service})"),
        (Some(request), None) => request.clone(),
        (None, Some(service)) => format!("({service})"),
        (None, None) => return None,
    };
    // The real values behind a capture placeholder the request line shows.
    match crate::compare::captured_note(drift).filter(|_| label.contains("<captured:")) {
        Some(note) => Some(format!("{label}  [{}]", redactor.redact(note))),
        None => Some(label),
    }
}

/// What a drift line shows after its class and path.
enum Detail {
    /// The two values, when at least one side had one.
    Values { baseline: String, candidate: String },
    /// The drift's message, when neither side had a value.
    Message(String),
}

/// One drift as the cells of a line.
struct DriftRow {
    severity: Option<&'static str>,
    class: &'static str,
    path: String,
    detail: Detail,
    note: Option<String>,
}

/// What a drift line says beyond the drift itself: its severity and why it
/// does or does not count (waived, expired waiver, suppressed by a rule).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct RowNote {
    /// Severity name shown before the class.
    pub severity: Option<&'static str>,
    /// Text appended in brackets.
    pub note: Option<String>,
}

impl RowNote {
    /// The note of a drift judged by the policy.
    pub(crate) fn of_mark(mark: &DriftMark) -> RowNote {
        RowNote {
            severity: Some(mark.severity.as_str()),
            note: waiver_note(mark),
        }
    }

    /// Only the waiver part of the note of a drift judged by the policy (no
    /// severity column): what JUnit adds to a drift line.
    pub(crate) fn of_waiver(mark: &DriftMark) -> RowNote {
        RowNote {
            severity: None,
            note: waiver_note(mark),
        }
    }
}

/// `waived by ID` or `waiver ID expired`, when a waiver matched the drift.
pub(crate) fn waiver_note(mark: &DriftMark) -> Option<String> {
    match (&mark.waived_by, &mark.expired_waiver) {
        (Some(waiver), _) => Some(format!("waived by {waiver}")),
        (None, Some(waiver)) => Some(format!("waiver {waiver} expired")),
        (None, None) => None,
    }
}

impl DriftRow {
    fn new(drift: &Drift, redactor: &Redactor) -> DriftRow {
        let detail = if drift.baseline.is_none() && drift.candidate.is_none() {
            Detail::Message(drift.message.clone())
        } else {
            Detail::Values {
                baseline: format!(
                    "baseline: {}",
                    format_drift_value(drift, drift.baseline.as_ref(), redactor)
                ),
                candidate: format!(
                    "candidate: {}",
                    format_drift_value(drift, drift.candidate.as_ref(), redactor)
                ),
            }
        };
        DriftRow {
            severity: None,
            class: drift.class.as_str(),
            path: drift.path.clone().unwrap_or_default(),
            detail,
            note: None,
        }
    }

    fn noted(mut self, note: &RowNote) -> DriftRow {
        self.severity = note.severity;
        self.note = note.note.clone();
        self
    }

    fn baseline_width(&self) -> usize {
        match &self.detail {
            Detail::Values { baseline, .. } => baseline.chars().count(),
            Detail::Message(_) => 0,
        }
    }
}

/// Column widths shared by the drift lines of one scenario.
struct Columns {
    severity: usize,
    class: usize,
    path: usize,
    baseline: usize,
}

impl Columns {
    fn fit(rows: &[DriftRow]) -> Columns {
        let widest = |width: fn(&DriftRow) -> usize| rows.iter().map(width).max().unwrap_or(0);
        Columns {
            severity: widest(|r| r.severity.map_or(0, str::len)),
            class: widest(|r| r.class.len()),
            path: widest(|r| r.path.chars().count()),
            baseline: widest(DriftRow::baseline_width),
        }
    }

    fn line(&self, row: &DriftRow, palette: &Palette) -> String {
        let mut cells = Vec::new();
        if self.severity > 0 {
            let severity = row.severity.unwrap_or_default();
            cells.push(format!("{severity:<width$}", width = self.severity));
        }
        cells.push(paint(palette.class, row.class, self.class));
        if self.path > 0 {
            cells.push(format!("{:<width$}", row.path, width = self.path));
        }
        match &row.detail {
            Detail::Values {
                baseline,
                candidate,
            } => {
                cells.push(format!("{baseline:<width$}", width = self.baseline));
                cells.push(candidate.clone());
            }
            Detail::Message(message) => cells.push(message.clone()),
        }
        if let Some(note) = &row.note {
            cells.push(format!("[{note}]"));
        }
        format!("{BODY_INDENT}{}", cells.join("  ").trim_end())
    }
}

/// The lines that show a scenario's drifts, grouped by step then by
/// request, each with its severity and note (when it has them).
pub(crate) fn noted_drift_block(
    noted: &[(&Drift, RowNote)],
    palette: &Palette,
    redactor: &Redactor,
) -> Vec<String> {
    let drifts: Vec<&Drift> = noted.iter().map(|(d, _)| *d).collect();
    let rows: Vec<DriftRow> = noted
        .iter()
        .map(|(d, note)| DriftRow::new(d, redactor).noted(note))
        .collect();
    let columns = Columns::fit(&rows);
    let mut lines = Vec::new();
    let mut current_step = None;
    let mut current_request = None;
    for (drift, row) in drifts.iter().zip(&rows) {
        if current_step != Some(drift.step.index) {
            lines.push(step_line(drift, palette));
            current_step = Some(drift.step.index);
            current_request = None;
        }
        let request = request_label(drift, redactor);
        if let Some(label) = request.as_ref().filter(|_| request != current_request) {
            lines.push(format!("{BODY_INDENT}{label}"));
        }
        current_request = request;
        lines.push(columns.line(row, palette));
    }
    lines
}

/// `  --> features/order_sync.feature:15  When I send …`
fn step_line(drift: &Drift, palette: &Palette) -> String {
    let location = format!("{}:{}", drift.scenario.feature, drift.step.line);
    format!(
        "  {}  {}",
        paint(palette.location, &format!("--> {location}"), 0),
        drift.step.text
    )
}

/// A multi-line message, each line indented under its scenario.
pub(crate) fn message_lines(message: &str) -> impl Iterator<Item = String> + '_ {
    message.lines().map(|line| format!("{BODY_INDENT}{line}"))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::drift_class::DriftClass;
    use crate::report::fixture;

    #[test]
    fn truncate_cuts_long_text_to_the_limit_with_an_ellipsis() {
        let cases = [
            ("short", 10, "short"),
            ("exactly-10", 10, "exactly-10"),
            ("eleven-char", 10, "eleven-ch…"),
            ("äöüäöüäöüäöü", 5, "äöüä…"),
        ];
        for (text, max, expected) in cases {
            assert_eq!(truncate(text, max), expected, "{text} / {max}");
        }
    }

    #[test]
    fn values_are_compact_json_and_absent_is_named() {
        let r = Redactor::default();
        let cases = [
            (Some(json!("EUR")), r#""EUR""#.to_owned()),
            (Some(json!({"a": [1, 2]})), r#"{"a":[1,2]}"#.to_owned()),
            (Some(json!(null)), "null".to_owned()),
            (None, ABSENT.to_owned()),
            (
                Some(json!("y".repeat(100))),
                format!("\"{}…", "y".repeat(78)),
            ),
        ];
        for (value, expected) in cases {
            let shown = format_value(value.as_ref(), &r);
            assert_eq!(shown, expected);
            assert!(shown.chars().count() <= MAX_VALUE_CHARS);
        }
    }

    #[test]
    fn a_fault_reason_is_shown_whole_and_redacted() {
        let r = Redactor::default();
        r.add(fixture::SECRET);
        let reason = format!(
            "cannot connect: service `erp` http://127.0.0.1:9/api/orders?t={}: error sending request: client error (Connect): tcp connect error: Connection refused (os error 111)",
            fixture::SECRET
        );
        let mut drift = fixture::report().drifts[0].clone();
        drift.class = DriftClass::ErrorOneSide;
        let shown = format_drift_value(&drift, Some(&json!(reason)), &r);
        assert!(
            shown.ends_with("Connection refused (os error 111)\""),
            "{shown}"
        );
        assert!(shown.contains("?t=***"), "{shown}");
        drift.class = DriftClass::ValueChange;
        let shown = format_drift_value(&drift, Some(&json!(reason)), &r);
        assert_eq!(shown.chars().count(), MAX_VALUE_CHARS, "{shown}");
    }

    #[test]
    fn a_secret_across_the_cut_is_redacted_whole() {
        let r = Redactor::default();
        r.add(fixture::SECRET);
        let value = json!(format!("{}{}", "x".repeat(70), fixture::SECRET));
        let shown = format_value(Some(&value), &r);
        assert!(!shown.contains(&fixture::SECRET[..6]), "{shown}");
        assert!(shown.contains("***"), "{shown}");
    }

    #[test]
    fn block_groups_by_step_and_request_and_shows_messages_without_values() {
        let report = fixture::report();
        let mut status = report.drifts[0].clone();
        status.class = DriftClass::Status;
        status.step.index = 1;
        status.step.line = 13;
        status.step.text = r#"When I send a POST request to "/api/orders""#.into();
        status.request = Some("POST /api/orders".into());
        status.path = None;
        status.baseline = Some(json!(201));
        status.candidate = Some(json!(500));
        let mut assertion = report.drifts[2].clone();
        assertion.class = DriftClass::AssertionOneSide;
        assertion.request = None;
        assertion.service = None;
        assertion.baseline = None;
        assertion.candidate = None;
        assertion.message = "held on baseline only".into();
        let drifts = [&status, &report.drifts[0], &report.drifts[2], &assertion]
            .map(|d| (d, RowNote::default()));
        let lines = noted_drift_block(&drifts, &Palette::new(false), &Redactor::default());
        let expected = [
            r#"  --> features/order_sync.feature:13  When I send a POST request to "/api/orders""#,
            "      POST /api/orders (erp)",
            "      status                                baseline: 201    candidate: 500",
            r#"  --> features/order_sync.feature:15  When I send a GET request to "/api/orders/{{ orderId }}""#,
            "      GET /api/orders/<captured:orderId> (erp)",
            "      missing_field       $.quantityOnHand  baseline: 40     candidate: (absent)",
            r#"      value_change        $.currency        baseline: "EUR"  candidate: "USD""#,
            "      assertion_one_side  $.currency        held on baseline only",
        ];
        assert_eq!(lines, expected);
    }
}
