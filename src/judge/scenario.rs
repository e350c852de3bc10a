//! One scenario judged from its records: the drift and suppressed
//! differences of its steps, its result, the step rows the reports show,
//! the timed exchanges for the timing judge, and the latency budgets its
//! steps recorded.
//!
//! ```text
//! step 0 POST /api/orders ─┐
//! step 1 GET  /api/orders/…├─▶ ScenarioVerdict { result, drifts, suppressed,
//! step 2 p95 budget        │                    steps, timed, budgets }
//! scenario end (passed) ───┘
//! ```

use super::assemble::Judged;
use super::steps::step_results;
use super::{ScenarioResult, StepResult};
use crate::compare::{Drift, RuleSet, StepRef, SuppressedDrift, judge_scenario};
use crate::timing::{LatencyBudget, TimedExchange, timed_exchanges};
use crate::trace::{Observation, RunHeader, ScenarioEnd, Side, StepRecord};

/// What the judge keeps of one scenario run.
#[derive(Debug)]
pub(super) struct ScenarioVerdict {
    result: ScenarioResult,
    drifts: Vec<Drift>,
    suppressed: Vec<SuppressedDrift>,
    steps: Vec<StepResult>,
    timed: Vec<TimedExchange>,
    budgets: Vec<LatencyBudget>,
}

/// Judges the scenario that `end` ended, from its `steps`.
pub(super) fn judge(
    header: &RunHeader,
    rules: &RuleSet,
    steps: &[StepRecord],
    end: &ScenarioEnd,
) -> ScenarioVerdict {
    let judgement = judge_scenario(header, steps, rules);
    ScenarioVerdict {
        result: ScenarioResult {
            scenario: end.scenario.clone(),
            status: end.status,
            message: end.message.clone(),
            duration_ms: end.duration_ms,
            drift_count: judgement.drifts.len(),
        },
        steps: step_results(steps, &judgement.drifts),
        timed: timed_exchanges(header, steps),
        budgets: steps.iter().filter_map(declared_budget).collect(),
        drifts: judgement.drifts,
        suppressed: judgement.suppressed,
    }
}

impl ScenarioVerdict {
    /// Adds this scenario to what the judge has judged.
    pub(super) fn into(self, judged: &mut Judged) {
        judged.scenarios.push(self.result);
        judged.drifts.extend(self.drifts);
        judged.suppressed.extend(self.suppressed);
        judged.steps.extend(self.steps);
        judged.timed.extend(self.timed);
        judged.budgets.extend(self.budgets);
    }
}

/// The latency budget a step recorded (on whichever side ran it), as the
/// timing judge checks it: over every repetition of its scenario.
fn declared_budget(step: &StepRecord) -> Option<LatencyBudget> {
    let budget = Side::BOTH.iter().find_map(|side| {
        step.sides
            .get(*side)
            .observations
            .iter()
            .find_map(|o| match o {
                Observation::Budget(budget) => Some(budget),
                _ => None,
            })
    })?;
    Some(LatencyBudget {
        scenario: step.scenario.without_sample(),
        step: StepRef {
            index: step.index,
            line: step.line,
            text: format!("{}{}", step.keyword, step.text),
        },
        request: budget.request.clone(),
        percentile: budget.percentile,
        limit_ms: budget.limit_ms,
    })
}
