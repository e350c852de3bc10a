//! The human report printed at the end of `driftgate run` and `driftgate demo`:
//! a header, every scenario that drifted or failed with its drifts grouped by
//! step, and a summary ending in the verdict.
//!
//! ```text
//! driftgate: production (baseline) vs staging (candidate)
//!
//! DRIFT  Create an order and read it back  features/order_sync.feature:12
//!   --> features/order_sync.feature:15  When I send a GET request to "/api/orders/{{ orderId }}"
//!       GET /api/orders/<captured:orderId> (erp)
//!       value_change  $.currency  baseline: "EUR"  candidate: "USD"
//! FAILED Cancel an order                   features/order_sync.feature:30
//!       step failed in both environments: expected status 204, got 409
//!
//! scenarios: 3 total, 1 passed, 1 drifted, 1 failed
//! drifts: 1 (value_change 1)
//! duration: 1.52s
//! verdict: DRIFT (exit 1)
//! ```
//!
//! Passed scenarios without drift appear only in the counts.

use super::text::{Palette, drift_block, message_lines, paint};
use super::{DriftReport, ScenarioOutcome, ScenarioResult, Verdict};
use crate::config::Redactor;

/// Width of the `DRIFT` / `FAILED` label column.
const LABEL_WIDTH: usize = 6;

/// Renders the report for a terminal; ANSI styles only when `color`.
/// Every secret known to `redactor` is replaced by `***`.
pub fn render(report: &DriftReport, color: bool, redactor: &Redactor) -> String {
    let palette = Palette::new(color);
    let mut lines = vec![header(report), String::new()];
    let listed: Vec<&ScenarioResult> = report
        .scenarios
        .iter()
        .filter(|s| s.outcome() != ScenarioOutcome::Passed)
        .collect();
    let name_width = listed
        .iter()
        .map(|s| s.scenario.name.chars().count())
        .max()
        .unwrap_or(0);
    for scenario in &listed {
        lines.extend(scenario_lines(
            report, scenario, name_width, &palette, redactor,
        ));
    }
    if !listed.is_empty() {
        lines.push(String::new());
    }
    lines.extend(super::timing_text::timing_lines(&report.timing, &palette));
    lines.extend(summary_lines(report, &palette));
    let mut out = lines.join("\n");
    out.push('\n');
    redactor.redact(&out).into_owned()
}

/// `driftgate: production (baseline) vs staging (candidate)`
fn header(report: &DriftReport) -> String {
    let envs = &report.header.environments;
    format!(
        "driftgate: {} (baseline) vs {} (candidate)",
        envs.baseline.name, envs.candidate.name
    )
}

fn scenario_lines(
    report: &DriftReport,
    scenario: &ScenarioResult,
    name_width: usize,
    palette: &Palette,
    redactor: &Redactor,
) -> Vec<String> {
    let label = match scenario.outcome() {
        ScenarioOutcome::Failed => "FAILED",
        ScenarioOutcome::Drifted | ScenarioOutcome::Passed => "DRIFT",
    };
    let key = &scenario.scenario;
    let location = format!("{}:{}", key.feature, key.line);
    let mut lines = vec![format!(
        "{} {:<name_width$}  {}",
        paint(palette.drift, label, LABEL_WIDTH),
        key.name,
        paint(palette.location, &location, 0),
    )];
    if let Some(message) = &scenario.message {
        lines.extend(message_lines(message));
    }
    let drifts: Vec<_> = report.drifts_in(key).collect();
    lines.extend(drift_block(&drifts, palette, redactor));
    lines
}

fn summary_lines(report: &DriftReport, palette: &Palette) -> [String; 4] {
    let summary = report.summary();
    let by_class: Vec<String> = summary
        .by_class
        .iter()
        .map(|(class, n)| format!("{} {n}", paint(palette.class, class.as_str(), 0)))
        .collect();
    let drifts = if by_class.is_empty() {
        "drifts: 0".to_owned()
    } else {
        format!("drifts: {} ({})", summary.drifts, by_class.join(", "))
    };
    let verdict = report.verdict();
    let (style, word) = match verdict {
        Verdict::Drift => (palette.drift, "DRIFT"),
        Verdict::NoDrift => (palette.ok, "no drift"),
    };
    [
        format!(
            "scenarios: {} total, {} passed, {} drifted, {} failed",
            summary.scenarios, summary.passed, summary.drifted, summary.failed
        ),
        drifts,
        format!("duration: {}", human_duration(report.duration_ms)),
        format!(
            "verdict: {} (exit {})",
            paint(style, word, 0),
            verdict.exit_code()
        ),
    ]
}

/// `850ms` below a second, `1.52s` above.
fn human_duration(ms: f64) -> String {
    if ms < 1000.0 {
        format!("{ms:.0}ms")
    } else {
        format!("{:.2}s", ms / 1000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture;

    #[test]
    fn plain_report_snapshot() {
        let out = render(&fixture::report(), false, &Redactor::default());
        insta::assert_snapshot!(out);
    }

    #[test]
    fn plain_report_has_no_escape_codes_and_colored_one_does() {
        let report = fixture::report();
        assert!(!render(&report, false, &Redactor::default()).contains('\x1b'));
        assert!(render(&report, true, &Redactor::default()).contains('\x1b'));
    }

    #[test]
    fn colored_report_has_the_same_text_once_styles_are_removed() {
        let report = fixture::report();
        let colored = render(&report, true, &Redactor::default());
        let stripped = regex::Regex::new("\x1b\\[[0-9;]*m")
            .unwrap()
            .replace_all(&colored, "");
        assert_eq!(stripped, render(&report, false, &Redactor::default()));
    }

    #[test]
    fn clean_run_lists_no_scenario_and_says_no_drift() {
        let mut report = fixture::report();
        report.drifts.clear();
        report.scenarios.retain(|s| s.scenario.line == 5);
        let out = render(&report, false, &Redactor::default());
        assert!(!out.contains("Check stock"), "{out}");
        assert!(
            out.contains("scenarios: 1 total, 1 passed, 0 drifted, 0 failed"),
            "{out}"
        );
        assert!(out.contains("drifts: 0\n"), "{out}");
        assert!(out.ends_with("verdict: no drift (exit 0)\n"), "{out}");
    }

    #[test]
    fn durations_read_as_ms_below_a_second() {
        for (ms, shown) in [
            (0.4, "0ms"),
            (850.0, "850ms"),
            (1523.4, "1.52s"),
            (61000.0, "61.00s"),
        ] {
            assert_eq!(human_duration(ms), shown);
        }
    }
}
