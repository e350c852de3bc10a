//! The timing section of the terminal report: one block per timed step of a
//! sampled scenario, then the latency budgets.
//!
//! ```text
//! timing: 99% confidence, slower when the ratio's interval is above ×1.10 and the shift above 0.5 ms
//! SLOWER       features/order_sync.feature:9  POST /api/orders (erp)  in Create an order
//!       baseline   n=30  median 20.4  p90 22.8  p95 23.9  p99 25.0 ms
//!       candidate  n=30  median 51.0  p90 54.1  p95 56.2  p99 58.3 ms
//!       ratio 2.50 [2.44, 2.57]  shift +30.6 ms [+29.9, +31.4]  p = 3.0e-11
//! budget ok    features/order_sync.feature:10  p95 of `POST /api/orders` < 800 ms  baseline 23.9 ms (n=30) ok  candidate 56.2 ms (n=30) ok
//! ```

use super::text::{Palette, paint};
use crate::timing::{
    BudgetCheck, BudgetSide, LatencySummary, TimedStep, TimingSection, TimingVerdict, p_text,
    percentile_name,
};
use crate::trace::Side;

/// Width of the verdict label column.
const LABEL_WIDTH: usize = 12;

/// The lines of the timing section; empty when nothing was timed.
pub(super) fn timing_lines(section: &TimingSection, palette: &Palette) -> Vec<String> {
    if section.is_empty() {
        return Vec::new();
    }
    let policy = &section.policy;
    let mut lines = vec![format!(
        "timing: {}% confidence, slower when the ratio's interval is above ×{:.2} and the shift above {} ms",
        policy.confidence * 100.0,
        1.0 + policy.tolerance,
        policy.floor_ms
    )];
    for step in &section.steps {
        lines.extend(step_lines(step, palette));
    }
    for check in &section.budgets {
        lines.push(budget_line(check, palette));
    }
    lines.push(String::new());
    lines
}

fn step_lines(step: &TimedStep, palette: &Palette) -> Vec<String> {
    let j = &step.judgement;
    let (style, label) = match j.verdict {
        TimingVerdict::Slower => (palette.drift, "SLOWER"),
        TimingVerdict::Faster => (palette.ok, "faster (info)"),
        TimingVerdict::Same => (palette.ok, "same"),
        TimingVerdict::Inconclusive => (palette.class, "inconclusive"),
    };
    let mut lines = vec![format!(
        "{} {}  {} ({})  in {}",
        paint(style, label, LABEL_WIDTH),
        paint(
            palette.location,
            &format!("{}:{}", step.scenario.feature, step.step.line),
            0
        ),
        step.request,
        step.service,
        step.scenario.name
    )];
    for side in Side::BOTH {
        lines.push(format!(
            "      {:<9}  {}",
            side.as_str(),
            summary_text(step.total.get(side).as_ref())
        ));
    }
    let mut facts = Vec::new();
    if let Some(r) = &j.ratio {
        facts.push(format!(
            "ratio {:.2} [{:.2}, {:.2}]",
            r.estimate, r.low, r.high
        ));
    }
    if let Some(s) = &j.shift_ms {
        facts.push(format!(
            "shift {:+.1} ms [{:+.1}, {:+.1}]",
            s.estimate, s.low, s.high
        ));
    }
    if let Some(p) = j.p_value {
        facts.push(format!("p = {}", p_text(p)));
    }
    if j.verdict == TimingVerdict::Inconclusive {
        facts.push(j.reason.clone());
    }
    lines.push(format!("      {}", facts.join("  ")));
    lines
}

fn summary_text(summary: Option<&LatencySummary>) -> String {
    match summary {
        None => "no timed response".to_owned(),
        Some(s) => format!(
            "n={}  median {:.1}  p90 {:.1}  p95 {:.1}  p99 {:.1} ms",
            s.n, s.median, s.p90, s.p95, s.p99
        ),
    }
}

fn budget_line(check: &BudgetCheck, palette: &Palette) -> String {
    let budget = &check.budget;
    let side = |name: &str, s: &BudgetSide| match s.value_ms {
        Some(v) => format!(
            "{name} {v:.1} ms (n={}) {}",
            s.n,
            if s.within { "ok" } else { "OVER" }
        ),
        None => format!("{name} no matching exchange"),
    };
    let within = check.sides.baseline.within && check.sides.candidate.within;
    let (style, label) = if within {
        (palette.ok, "budget ok")
    } else {
        (palette.drift, "BUDGET")
    };
    format!(
        "{} {}  {} of `{}` < {} ms  {}  {}",
        paint(style, label, LABEL_WIDTH),
        paint(
            palette.location,
            &format!("{}:{}", budget.scenario.feature, budget.step.line),
            0
        ),
        percentile_name(budget.percentile),
        budget.request,
        budget.limit_ms,
        side("baseline", &check.sides.baseline),
        side("candidate", &check.sides.candidate)
    )
}
