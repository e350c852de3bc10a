//! `summary.md`: the gate's result for `$GITHUB_STEP_SUMMARY` or a
//! merge-request comment — verdict, counts by class, the top drifts linking
//! to their anchors in the HTML report (a waived one noted `(waived by ID)`),
//! and failed scenarios.
//!
//! ```markdown
//! ## driftgate: ❌ DRIFT — production (baseline) vs staging (candidate)
//!
//! | Scenarios | Passed | Drifted | Failed | Drifts |
//! |---:|---:|---:|---:|---:|
//! | 3 | 1 | 1 | 1 | 3 |
//!
//! ### Top drifts
//! | Class | Scenario | Step | Path | Baseline | Candidate |
//! |---|---|---|---|---|---|
//! | `value_change` | [Create an order](report.html#drift-2) | features/order_sync.feature:15 | `$.currency` | `"EUR"` | `"USD"` |
//! ```

use super::ReportError;
use super::text::{format_value, waiver_note};
use crate::compare::Drift;
use crate::judge::{DriftReport, ScenarioOutcome, Verdict};
use crate::secret::Redactor;

/// How many drifts the summary lists; the rest are in the HTML report.
pub const TOP_DRIFTS: usize = 10;

/// Renders the summary with links to `report.html` next to it, secrets redacted.
pub fn render(report: &DriftReport, redactor: &Redactor) -> Result<String, ReportError> {
    Ok(render_linking(report, redactor, super::REPORT_HTML))
}

/// Renders the summary with links to the HTML report at `html_href`
/// (a relative path or the URL of a published CI artifact).
pub fn render_linking(report: &DriftReport, redactor: &Redactor, html_href: &str) -> String {
    let mut out = heading(report);
    out.push_str(&counts(report));
    out.push_str(&super::tenants::markdown_table(report));
    for line in super::limit_lines(&report.limits) {
        out.push_str(&format!("\n{}\n", text(&line)));
    }
    out.push_str(&top_drifts(report, redactor, html_href));
    out.push_str(&failed(report, html_href));
    out.push_str(&format!(
        "\nFull report: [{html_href}]({html_href}) · driftgate {} · started {} · {:.2}s\n",
        report.header.tool_version,
        report.header.started_at,
        report.duration_ms / 1000.0
    ));
    redactor.redact(&out).into_owned()
}

fn heading(report: &DriftReport) -> String {
    let envs = &report.header.environments;
    let verdict = match report.verdict() {
        Verdict::Drift => "❌ DRIFT",
        Verdict::NoDrift => "✅ NO DRIFT",
        Verdict::Incomplete => "⚠️ INCOMPLETE",
    };
    let mut out = format!(
        "## driftgate: {verdict} — {} (baseline) vs {} (candidate)\n\n",
        text(&envs.baseline.name),
        text(&envs.candidate.name)
    );
    if let Some(incomplete) = &report.incomplete {
        out.push_str(&format!("**{}**\n\n", text(&incomplete.headline())));
    }
    out
}

fn counts(report: &DriftReport) -> String {
    let s = report.summary();
    let mut out = format!(
        "| Scenarios | Passed | Drifted | Failed | Drifts | Suppressed |\n|---:|---:|---:|---:|---:|---:|\n| {} | {} | {} | {} | {} | {} |\n",
        s.scenarios,
        s.passed,
        s.drifted,
        s.failed,
        s.drifts,
        report.gate.suppressed.len()
    );
    if !s.by_class.is_empty() {
        let classes: Vec<String> = s
            .by_class
            .iter()
            .map(|(class, n)| format!("`{class}` {n}"))
            .collect();
        out.push_str(&format!("\n**Drifts by class:** {}\n", classes.join(" · ")));
    }
    out
}

fn top_drifts(report: &DriftReport, redactor: &Redactor, html_href: &str) -> String {
    if report.drifts.is_empty() {
        return String::new();
    }
    let mut ranked: Vec<(usize, &Drift)> = report.drifts.iter().enumerate().collect();
    ranked.sort_by_key(|(i, d)| (d.class, *i));
    let mut out = String::from(
        "\n### Top drifts\n\n| Class | Scenario | Step | Path | Baseline | Candidate |\n|---|---|---|---|---|---|\n",
    );
    for (i, drift) in ranked.iter().take(TOP_DRIFTS) {
        let (baseline, candidate) = (
            format_value(drift.baseline.as_ref(), redactor),
            format_value(drift.candidate.as_ref(), redactor),
        );
        let mut path = drift.path.as_deref().map(code).unwrap_or_default();
        // The real values behind a capture placeholder the values show.
        if let Some(note) = crate::compare::captured_note(drift)
            .filter(|_| baseline.contains("<captured:") || candidate.contains("<captured:"))
        {
            path = format!("{path} ({})", text(&redactor.redact(note)));
        }
        let waiver = waiver_note(&report.gate.mark(*i, drift))
            .map(|note| format!(" ({})", text(&note)))
            .unwrap_or_default();
        out.push_str(&format!(
            "| `{}`{waiver} | [{}]({html_href}#drift-{i}) | {}:{} | {path} | {} | {} |\n",
            drift.class,
            text(&drift.scenario.title()),
            text(&drift.scenario.feature),
            drift.step.line,
            code(&baseline),
            code(&candidate),
        ));
    }
    if report.drifts.len() > TOP_DRIFTS {
        out.push_str(&format!(
            "\n{} more drift(s) in the [HTML report]({html_href}).\n",
            report.drifts.len() - TOP_DRIFTS
        ));
    }
    out
}

fn failed(report: &DriftReport, html_href: &str) -> String {
    let failed: Vec<String> = report
        .scenarios
        .iter()
        .enumerate()
        .filter(|(_, s)| s.outcome() == ScenarioOutcome::Failed)
        .map(|(i, s)| {
            let message = s
                .message
                .as_deref()
                .map(|m| format!(" — {}", text(m)))
                .unwrap_or_default();
            format!(
                "- [{}]({html_href}#scenario-{i}) {}:{}{message}\n",
                text(&s.scenario.title()),
                text(&s.scenario.feature),
                s.scenario.line
            )
        })
        .collect();
    if failed.is_empty() {
        String::new()
    } else {
        format!("\n### Failed scenarios\n\n{}", failed.concat())
    }
}

/// Text for a Markdown table cell: one line, no raw HTML, pipes escaped.
fn text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
        .replace('[', "\\[")
        .replace(']', "\\]")
}

/// A code span for a table cell; long enough backtick fences for values holding backticks.
fn code(s: &str) -> String {
    let s = s.replace('|', "\\|").replace(['\n', '\r'], " ");
    if s.contains('`') {
        format!("`` {s} ``")
    } else {
        format!("`{s}`")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture;

    #[test]
    fn markdown_summary_snapshot() {
        insta::assert_snapshot!(render(&fixture::report(), &Redactor::default()).unwrap());
    }

    #[test]
    fn cells_cannot_break_the_table_or_inject_html() {
        assert_eq!(text("a|b\n<img src=x>"), "a\\|b &lt;img src=x&gt;");
        assert_eq!(code("x`y|z"), "`` x`y\\|z ``");
    }

    #[test]
    fn links_point_at_the_given_report_and_drift_anchors() {
        let md = render_linking(
            &fixture::report(),
            &Redactor::default(),
            "https://ci/artifacts/report.html",
        );
        assert!(
            md.contains("(https://ci/artifacts/report.html#drift-0)"),
            "{md}"
        );
        assert!(md.contains("#scenario-1)"), "{md}");
    }
}
