//! The one place a [`DriftReport`] is put together from what scenarios left
//! behind — whether they just ran (`driftgate run`) or are read back from
//! traces (`driftgate report`, `merge`, `compare`, `run --baseline-trace`).
//! Sharing it is what makes a merged sharded run report exactly what the
//! unsharded run reports.
//!
//! ```text
//! Results { scenarios, drifts, suppressed, steps, timed, budgets }   (per scenario run, any order)
//!   ──▶ repetitions folded, timing judged, drift counted per scenario,
//!       scenarios/drifts/steps sorted by feature, line, step; the policy applied
//!   ──▶ DriftReport
//! ```

use chrono::NaiveDate;

use super::samples;
use crate::compare::policy::apply_policy;
use crate::compare::traces::{Presence, TwinTrace, judge_trace};
use crate::compare::{Drift, RuleSet, SuppressedDrift};
use crate::config::Config;
use crate::report::{DriftReport, StepResult};
use crate::trace::RunHeader;
use crate::world::Results;

/// What the scenarios of a twin trace leave behind, exactly as the twin world
/// files it while they run: results, drift, suppressed differences, step
/// rows, timed exchanges and declared latency budgets.
pub fn results_of(twin: &TwinTrace, rules: &RuleSet) -> Results {
    let judged = judge_trace(twin, rules);
    let mut results = Results::default();
    for scenario in twin
        .scenarios
        .iter()
        .filter(|s| s.presence == Presence::Both)
    {
        let drifts: Vec<Drift> = judged
            .drifts
            .iter()
            .filter(|d| d.scenario == scenario.key)
            .cloned()
            .collect();
        results
            .steps
            .extend(crate::report::steps::step_results(&scenario.steps, &drifts));
        results.timed.extend(crate::timing::timed_exchanges(
            &twin.header,
            &scenario.steps,
        ));
        results.budgets.extend(
            scenario
                .steps
                .iter()
                .filter_map(crate::world::steps::budget_of),
        );
    }
    results.scenarios = judged.scenarios;
    results.drifts = judged.drifts;
    results.suppressed = judged.suppressed;
    results
}

/// The report of a run: repetitions folded into their scenario, timing
/// judged, everything in feature, line and step order, the policy applied
/// with waiver expiry judged as of `today`.
pub fn report(
    config: &Config,
    header: RunHeader,
    results: Results,
    duration_ms: f64,
    today: NaiveDate,
) -> DriftReport {
    let samples::Folded {
        results: mut scenarios,
        mut drifts,
        suppressed,
    } = samples::fold(results.scenarios, results.drifts, results.suppressed);
    let timing = crate::timing::analyse(&results.timed, &results.budgets, &config.timing);
    drifts.extend(timing.drifts);
    samples::count_drifts(&mut scenarios, &drifts);
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
        &config.policy,
        &config.waivers,
        today,
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
