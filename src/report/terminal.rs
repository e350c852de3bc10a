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
//! In a run over tenants, the scenarios are grouped under a `tenant NAME`
//! heading and each tenant's counts follow them; environments whose load
//! caps made requests wait get a `load caps:` line.
//!
//! Passed scenarios without drift appear only in the counts. Each drift line
//! carries its severity and, when a waiver covers it, `[waived by ID]`;
//! expired and unused waivers and the differences rules suppressed follow
//! the scenarios (suppressed ones listed only with `--show-suppressed`).

use std::collections::BTreeMap;

use super::text::{Palette, RowNote, message_lines, noted_drift_block, paint};
use crate::compare::Drift;
use crate::judge::{DriftReport, ScenarioOutcome, ScenarioResult, Verdict};
use crate::secret::Redactor;

/// How the terminal report is laid out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TerminalOptions {
    /// ANSI styles.
    pub color: bool,
    /// List every difference a rule suppressed, not just their count.
    pub show_suppressed: bool,
}

/// Width of the `DRIFT` / `FAILED` label column.
const LABEL_WIDTH: usize = 6;

/// Renders the report for a terminal; ANSI styles only when `color`.
/// Every secret known to `redactor` is replaced by `***`.
pub fn render(report: &DriftReport, color: bool, redactor: &Redactor) -> String {
    render_with(
        report,
        TerminalOptions {
            color,
            show_suppressed: false,
        },
        redactor,
    )
}

/// Renders the report for a terminal with `options`.
pub fn render_with(report: &DriftReport, options: TerminalOptions, redactor: &Redactor) -> String {
    let palette = Palette::new(options.color);
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
    let mut tenant = None;
    for scenario in &listed {
        if let Some(name) = &scenario.scenario.tenant
            && tenant != Some(name)
        {
            lines.push(paint(palette.location, &format!("tenant {name}"), 0));
            tenant = Some(name);
        }
        lines.extend(scenario_lines(
            report, scenario, name_width, &palette, redactor,
        ));
    }
    if !listed.is_empty() {
        lines.push(String::new());
    }
    lines.extend(super::timing_text::timing_lines(&report.timing, &palette));
    lines.extend(waiver_lines(report));
    lines.extend(suppressed_lines(
        report,
        options.show_suppressed,
        &palette,
        redactor,
    ));
    let tenants = super::tenants::tenant_lines(report);
    let limits = super::limit_lines(&report.limits);
    for block in [tenants, limits] {
        if !block.is_empty() {
            lines.extend(block);
            lines.push(String::new());
        }
    }
    if let Some(incomplete) = &report.incomplete {
        lines.push(paint(palette.drift, &incomplete.headline(), 0));
    }
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
    let drifts: Vec<(&Drift, RowNote)> = report
        .marked_drifts_in(key)
        .map(|(d, mark)| (d, RowNote::of_mark(&mark)))
        .collect();
    lines.extend(noted_drift_block(&drifts, palette, redactor));
    lines
}

/// Expired waivers (they no longer waive) and unused ones (they match nothing).
fn waiver_lines(report: &DriftReport) -> Vec<String> {
    let gate = &report.gate;
    let mut lines = Vec::new();
    for w in gate.expired_waivers() {
        let ticket = w
            .ticket
            .as_deref()
            .map(|t| format!(", {t}"))
            .unwrap_or_default();
        lines.push(format!(
            "waiver {} EXPIRED on {} ({}{ticket}): no longer waives; {} drift(s) it matched now count",
            w.id, w.expires, w.owner, w.matched
        ));
    }
    for w in gate.unused_waivers() {
        lines.push(format!(
            "waiver {} unused: matched no drift in this run (owner {}, expires {})",
            w.id, w.owner, w.expires
        ));
    }
    if !lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

/// The count of suppressed differences by rule, or the full list on demand.
fn suppressed_lines(
    report: &DriftReport,
    show: bool,
    palette: &Palette,
    redactor: &Redactor,
) -> Vec<String> {
    let suppressed = &report.gate.suppressed;
    if suppressed.is_empty() {
        return Vec::new();
    }
    let mut by_rule: BTreeMap<&str, usize> = BTreeMap::new();
    for s in suppressed {
        *by_rule.entry(s.by.as_str()).or_default() += 1;
    }
    let counts: Vec<String> = by_rule.iter().map(|(by, n)| format!("{by} {n}")).collect();
    let hint = if show {
        ""
    } else {
        "; --show-suppressed lists them"
    };
    let mut lines = vec![format!(
        "suppressed by rules: {} ({}){hint}",
        suppressed.len(),
        counts.join(", ")
    )];
    if show {
        let mut scenario = None;
        for s in suppressed {
            if scenario != Some(&s.drift.scenario) {
                let key = &s.drift.scenario;
                lines.push(format!(
                    "SUPPRESSED {}  {}:{}",
                    key.name, key.feature, key.line
                ));
                scenario = Some(key);
            }
            let note = RowNote {
                severity: None,
                note: Some(format!("suppressed by {}", s.by)),
            };
            lines.extend(noted_drift_block(&[(&s.drift, note)], palette, redactor));
        }
    }
    lines.push(String::new());
    lines
}

fn summary_lines(report: &DriftReport, palette: &Palette) -> [String; 5] {
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
        Verdict::Incomplete => (palette.drift, "INCOMPLETE"),
    };
    [
        format!(
            "scenarios: {} total, {} passed, {} drifted, {} failed",
            summary.scenarios, summary.passed, summary.drifted, summary.failed
        ),
        drifts,
        gate_line(report),
        format!("duration: {}", human_duration(report.duration_ms)),
        format!(
            "verdict: {} (exit {})",
            paint(style, word, 0),
            report.exit_code()
        ),
    ]
}

/// `gate: 1 error, 2 warning (1 waived); fails on error: 1 failing`
fn gate_line(report: &DriftReport) -> String {
    let summary = report.summary();
    let severities: Vec<String> = summary
        .by_severity
        .iter()
        .map(|(severity, n)| format!("{n} {}", severity.as_str()))
        .collect();
    let fail_on: Vec<&str> = report.gate.fail_on.iter().map(|s| s.as_str()).collect();
    let severities = if severities.is_empty() && report.incomplete.is_some() {
        "no drift in the scenarios that ran".to_owned()
    } else if severities.is_empty() {
        "no drift".to_owned()
    } else {
        severities.join(", ")
    };
    format!(
        "gate: {severities} ({} waived); fails on {}: {} failing",
        summary.waived,
        fail_on.join(", "),
        summary.failing
    )
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
