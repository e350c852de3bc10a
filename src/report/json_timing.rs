//! The `timing` section of `drift.json` (present only when something was
//! timed), written through view types like the rest of the schema:
//!
//! ```json
//! "timing": {
//!   "policy": {"confidence": 0.99, "tolerance": 0.2, "floor_ms": 5.0, "min_samples": 10},
//!   "steps": [{"feature": "features/order_sync.feature", "scenario": "Create an order",
//!              "line": 7, "step": {"index": 2, "line": 9, "text": "When I send …"},
//!              "service": "erp", "request": "POST /api/orders", "verdict": "slower",
//!              "reason": "…", "p_value": 3.0e-11, "exact": false, "threshold_ms": 5.0,
//!              "shift_ms": {"estimate": 30.6, "low": 29.9, "high": 31.4},
//!              "ratio": {"estimate": 2.5, "low": 2.44, "high": 2.57},
//!              "baseline": {"total_ms": {"n": 30, "median": 20.4, …}, "headers_ms": {…}},
//!              "candidate": {…}}],
//!   "budgets": [{"feature": "…", "scenario": "…", "line": 7, "step": {…},
//!                "request": "POST /api/orders", "percentile": 95.0, "limit_ms": 800.0,
//!                "baseline": {"n": 30, "value_ms": 23.9, "within": true}, "candidate": {…}}]
//! }
//! ```

use serde::Serialize;

use super::json::StepView;
use crate::config::timing::TimingPolicy;
use crate::timing::{BudgetCheck, BudgetSide, Interval, LatencySummary, TimedStep, TimingSection};
use crate::trace::{ScenarioKey, Side, Twin};

#[derive(Serialize)]
pub(super) struct TimingView<'a> {
    policy: &'a TimingPolicy,
    steps: Vec<TimedStepView<'a>>,
    budgets: Vec<BudgetView<'a>>,
}

impl<'a> TimingView<'a> {
    /// The view of a section; `None` when it is empty (the key is then omitted).
    pub(super) fn new(section: &'a TimingSection) -> Option<Self> {
        (!section.is_empty()).then(|| TimingView {
            policy: &section.policy,
            steps: section.steps.iter().map(TimedStepView::new).collect(),
            budgets: section.budgets.iter().map(BudgetView::new).collect(),
        })
    }
}

#[derive(Serialize)]
struct TimedStepView<'a> {
    feature: &'a str,
    scenario: &'a str,
    line: usize,
    step: StepView<'a>,
    service: &'a str,
    request: &'a str,
    verdict: &'static str,
    reason: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    p_value: Option<f64>,
    exact: bool,
    threshold_ms: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    shift_ms: Option<&'a Interval>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ratio: Option<&'a Interval>,
    baseline: SideTimesView<'a>,
    candidate: SideTimesView<'a>,
}

#[derive(Serialize)]
struct SideTimesView<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    total_ms: Option<&'a LatencySummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    headers_ms: Option<&'a LatencySummary>,
}

impl<'a> TimedStepView<'a> {
    fn new(step: &'a TimedStep) -> Self {
        let side = |s: Side| SideTimesView {
            total_ms: step.total.get(s).as_ref(),
            headers_ms: step.headers.get(s).as_ref(),
        };
        let j = &step.judgement;
        TimedStepView {
            feature: &step.scenario.feature,
            scenario: &step.scenario.name,
            line: step.scenario.line,
            step: StepView::new(&step.step),
            service: &step.service,
            request: &step.request,
            verdict: j.verdict.as_str(),
            reason: &j.reason,
            p_value: j.p_value,
            exact: j.exact,
            threshold_ms: j.threshold_ms,
            shift_ms: j.shift_ms.as_ref(),
            ratio: j.ratio.as_ref(),
            baseline: side(Side::Baseline),
            candidate: side(Side::Candidate),
        }
    }
}

#[derive(Serialize)]
struct BudgetView<'a> {
    feature: &'a str,
    scenario: &'a str,
    line: usize,
    step: StepView<'a>,
    request: &'a str,
    percentile: f64,
    limit_ms: f64,
    baseline: &'a BudgetSide,
    candidate: &'a BudgetSide,
}

impl<'a> BudgetView<'a> {
    fn new(check: &'a BudgetCheck) -> Self {
        let budget = &check.budget;
        let key: &ScenarioKey = &budget.scenario;
        let Twin {
            baseline,
            candidate,
        } = &check.sides;
        BudgetView {
            feature: &key.feature,
            scenario: &key.name,
            line: key.line,
            step: StepView::new(&budget.step),
            request: &budget.request,
            percentile: budget.percentile,
            limit_ms: budget.limit_ms,
            baseline,
            candidate,
        }
    }
}
