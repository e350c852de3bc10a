//! The report put together from every scenario the judge judged — whether
//! it just ran (`driftgate run`) or was read back from traces (`driftgate
//! report`, `merge`, `compare`, `run --baseline-trace`). Sharing it is what
//! makes a merged sharded run report exactly what the unsharded run reports.
//!
//! ```text
//! Judged { scenarios, drifts, suppressed, steps, timed, budgets }   (per scenario run, any order)
//!   ──▶ repetitions folded, timing judged, drift counted per scenario,
//!       scenarios/drifts/steps sorted by feature, line, step; the policy applied
//!   ──▶ DriftReport
//! ```

use super::{DriftReport, ScenarioResult, Standards, StepResult, fold};
use crate::compare::policy::apply_policy;
use crate::compare::{Drift, SuppressedDrift};
use crate::timing::{LatencyBudget, TimedExchange};
use crate::trace::RunHeader;

/// What the judge keeps of the scenario runs it judged: compact results,
/// not their step records. Memory grows with drift and steps, not traffic.
#[derive(Debug, Default)]
pub(super) struct Judged {
    /// One result per scenario run.
    pub scenarios: Vec<ScenarioResult>,
    /// Drift found so far.
    pub drifts: Vec<Drift>,
    /// Every judged step, for the reports that show steps and timing.
    pub steps: Vec<StepResult>,
    /// Differences comparison rules kept out of the drift so far.
    pub suppressed: Vec<SuppressedDrift>,
    /// Timed HTTP exchanges of every scenario run, for the timing judge.
    pub timed: Vec<TimedExchange>,
    /// Latency budgets recorded by steps (once per repetition; the timing judge dedupes).
    pub budgets: Vec<LatencyBudget>,
}

/// The report of a run: repetitions folded into their scenario, timing
/// judged, everything in feature, line and step order, the policy applied
/// with waiver expiry judged as of the standards' day.
pub(super) fn report(
    header: RunHeader,
    results: Judged,
    duration_ms: f64,
    standards: &Standards,
) -> DriftReport {
    let fold::Folded {
        results: mut scenarios,
        mut drifts,
        suppressed,
    } = fold::fold(results.scenarios, results.drifts, results.suppressed);
    let timing = crate::timing::analyse(&results.timed, &results.budgets, &standards.timing);
    drifts.extend(timing.drifts);
    fold::count_drifts(&mut scenarios, &drifts);
    // Grouped by tenant first, so every report lists a tenant's scenarios together.
    scenarios.sort_by(|a, b| {
        (&a.scenario.tenant, &a.scenario.feature, a.scenario.line).cmp(&(
            &b.scenario.tenant,
            &b.scenario.feature,
            b.scenario.line,
        ))
    });
    drifts.sort_by(|a, b| {
        (
            &a.scenario.tenant,
            &a.scenario.feature,
            a.scenario.line,
            a.step.index,
        )
            .cmp(&(
                &b.scenario.tenant,
                &b.scenario.feature,
                b.scenario.line,
                b.step.index,
            ))
    });
    let gate = apply_policy(
        &drifts,
        sorted_suppressed(suppressed),
        &standards.policy,
        &standards.waivers,
        standards.today,
    );
    DriftReport {
        header,
        duration_ms,
        scenarios,
        drifts,
        timing: timing.section,
        steps: sorted_steps(results.steps),
        gate,
        limits: Vec::new(),
        incomplete: None,
    }
}

fn sorted_suppressed(mut suppressed: Vec<SuppressedDrift>) -> Vec<SuppressedDrift> {
    suppressed.sort_by(|a, b| {
        let key = |s: &SuppressedDrift| {
            (
                s.drift.scenario.tenant.clone(),
                s.drift.scenario.feature.clone(),
                s.drift.scenario.line,
                s.drift.step.index,
            )
        };
        key(a).cmp(&key(b))
    });
    suppressed
}

/// Steps in tenant, feature, scenario and step order, repetitions of a step by
/// sample (scenarios finish in any order).
fn sorted_steps(mut steps: Vec<StepResult>) -> Vec<StepResult> {
    steps.sort_by(|a, b| {
        (
            &a.scenario.tenant,
            &a.scenario.feature,
            a.scenario.line,
            a.index,
            a.scenario.sample,
        )
            .cmp(&(
                &b.scenario.tenant,
                &b.scenario.feature,
                b.scenario.line,
                b.index,
                b.scenario.sample,
            ))
    });
    steps
}
