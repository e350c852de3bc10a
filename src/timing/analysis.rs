//! Timing across samples: groups the timed exchanges of every repetition by
//! step, summarises and judges each side, checks latency budgets, and turns
//! what is drift into [`Drift`]s.
//!
//! ```text
//! 30 samples of `features/order_sync.feature:7 Create an order`, step #2 POST /api/orders
//!   baseline  n=30 median 20.4 p95 23.9      candidate n=30 median 51.0 p95 56.2
//!   ──▶ TimedStep { verdict: slower, ratio 2.50 [2.44, 2.57], p = 3.0e-11 }
//!   ──▶ Drift { class: timing, message: "slower by 30.6 ms …" }
//! ```
//!
//! Only scenarios the run repeated for timing (`--samples N`, `@samples(N)`)
//! get a judged [`TimedStep`]; warm-up repetitions are left out. A latency
//! budget is checked over every non-warm-up exchange of its scenario whose
//! request matches, in every repetition (one run of an unsampled scenario is
//! one sample).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::judge::{Judgement, TimingVerdict, judge};
use super::samples::TimedExchange;
use super::summary::{LatencySummary, percentile};
use crate::compare::{Drift, StepRef};
use crate::config::timing::TimingPolicy;
use crate::drift_class::DriftClass;
use crate::trace::{ScenarioKey, Side, Twin};

/// The timing part of a drift report.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TimingSection {
    /// The policy the steps were judged with.
    pub policy: TimingPolicy,
    /// Every judged step, in scenario and step order.
    #[serde(default)]
    pub steps: Vec<TimedStep>,
    /// Every latency budget, in scenario and step order.
    #[serde(default)]
    pub budgets: Vec<BudgetCheck>,
}

impl TimingSection {
    /// Whether there is nothing to show.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty() && self.budgets.is_empty()
    }
}

/// One timed exchange of one step, over all measured samples.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimedStep {
    /// The scenario (without sample).
    pub scenario: ScenarioKey,
    /// The step.
    pub step: StepRef,
    /// Position of the exchange in the step.
    pub ordinal: usize,
    /// Service.
    pub service: String,
    /// Normalised request line, e.g. `POST /api/orders`.
    pub request: String,
    /// Total time per side (request sent to end of body).
    pub total: Twin<Option<LatencySummary>>,
    /// Time to response headers per side.
    pub headers: Twin<Option<LatencySummary>>,
    /// The judge's decision on total time.
    pub judgement: Judgement,
}

/// A latency budget as a step declared it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LatencyBudget {
    /// The scenario (without sample).
    pub scenario: ScenarioKey,
    /// The step that declared it.
    pub step: StepRef,
    /// `METHOD /path` to match; `*` matches within one path segment.
    pub request: String,
    /// Percentile, 0–100 (50 for the median).
    pub percentile: f64,
    /// The limit in milliseconds.
    pub limit_ms: f64,
}

impl LatencyBudget {
    /// Whether a normalised request line is one this budget is about.
    pub fn matches(&self, request: &str) -> bool {
        let pattern = regex::escape(&self.request).replace(r"\*", "[^/ ]*");
        regex::Regex::new(&format!("^{pattern}$")).is_ok_and(|re| re.is_match(request))
    }
}

/// A latency budget and how each side did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BudgetCheck {
    /// The budget.
    pub budget: LatencyBudget,
    /// Per side: samples and the percentile's value.
    pub sides: Twin<BudgetSide>,
}

/// How one side did against a budget.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct BudgetSide {
    /// Matching exchanges that received a response.
    pub n: usize,
    /// The percentile's value in ms, when `n > 0`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_ms: Option<f64>,
    /// Whether the value is under the limit (false when nothing matched).
    pub within: bool,
}

/// The timing section and the drifts it holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TimingAnalysis {
    /// For the report.
    pub section: TimingSection,
    /// Slower steps and exceeded budgets.
    pub drifts: Vec<Drift>,
}

/// Judges every sampled step and checks every budget.
pub fn analyse(
    exchanges: &[TimedExchange],
    budgets: &[LatencyBudget],
    policy: &TimingPolicy,
) -> TimingAnalysis {
    let measured: Vec<&TimedExchange> = exchanges.iter().filter(|e| !e.warmup).collect();
    let mut groups: BTreeMap<(&ScenarioKey, usize, usize), Vec<&TimedExchange>> = BTreeMap::new();
    for e in measured.iter().filter(|e| e.sampled) {
        groups
            .entry((&e.scenario, e.step.index, e.ordinal))
            .or_default()
            .push(e);
    }
    let steps: Vec<TimedStep> = groups
        .into_values()
        .map(|group| timed_step(&group, policy))
        .collect();
    let mut unique_budgets: Vec<&LatencyBudget> = Vec::new();
    for budget in budgets {
        if !unique_budgets.contains(&budget) {
            unique_budgets.push(budget);
        }
    }
    unique_budgets.sort_by(|a, b| (&a.scenario, a.step.index).cmp(&(&b.scenario, b.step.index)));
    let checks: Vec<BudgetCheck> = unique_budgets
        .into_iter()
        .map(|budget| check_budget(budget, &measured))
        .collect();
    let drifts = steps
        .iter()
        .filter(|s| s.judgement.verdict == TimingVerdict::Slower)
        .map(slower_drift)
        .chain(checks.iter().filter_map(budget_drift))
        .collect();
    TimingAnalysis {
        section: TimingSection {
            policy: *policy,
            steps,
            budgets: checks,
        },
        drifts,
    }
}

fn timed_step(group: &[&TimedExchange], policy: &TimingPolicy) -> TimedStep {
    let first = group[0];
    let times = |side: Side, pick: fn(&crate::trace::Timing) -> f64| -> Vec<f64> {
        group
            .iter()
            .filter_map(|e| e.timing.get(side).as_ref().map(pick))
            .collect()
    };
    let total = Twin::new(
        times(Side::Baseline, |t| t.total_ms),
        times(Side::Candidate, |t| t.total_ms),
    );
    let headers = Twin::new(
        times(Side::Baseline, |t| t.headers_ms),
        times(Side::Candidate, |t| t.headers_ms),
    );
    TimedStep {
        scenario: first.scenario.clone(),
        step: first.step.clone(),
        ordinal: first.ordinal,
        service: first.service.clone(),
        request: first.request.baseline.clone(),
        judgement: judge(&total.baseline, &total.candidate, policy),
        total: Twin::new(
            LatencySummary::of(&total.baseline),
            LatencySummary::of(&total.candidate),
        ),
        headers: Twin::new(
            LatencySummary::of(&headers.baseline),
            LatencySummary::of(&headers.candidate),
        ),
    }
}

fn check_budget(budget: &LatencyBudget, measured: &[&TimedExchange]) -> BudgetCheck {
    let side = |side: Side| {
        let times: Vec<f64> = measured
            .iter()
            .filter(|e| e.scenario == budget.scenario && budget.matches(e.request.get(side)))
            .filter_map(|e| e.timing.get(side).map(|t| t.total_ms))
            .collect();
        let value_ms = percentile(&times, budget.percentile);
        BudgetSide {
            n: times.len(),
            value_ms,
            within: value_ms.is_some_and(|v| v < budget.limit_ms),
        }
    };
    BudgetCheck {
        budget: budget.clone(),
        sides: Twin::new(side(Side::Baseline), side(Side::Candidate)),
    }
}

fn slower_drift(step: &TimedStep) -> Drift {
    let median = |side: Side| {
        step.total
            .get(side)
            .map(|s| Value::from(round_ms(s.median)))
    };
    Drift {
        class: DriftClass::Timing,
        scenario: step.scenario.clone(),
        step: step.step.clone(),
        service: Some(step.service.clone()),
        request: Some(step.request.clone()),
        path: Some("median_ms".into()),
        baseline: median(Side::Baseline),
        candidate: median(Side::Candidate),
        message: format!("candidate {}", step.judgement.reason),
    }
}

fn budget_drift(check: &BudgetCheck) -> Option<Drift> {
    let (b, c) = (&check.sides.baseline, &check.sides.candidate);
    if b.within && c.within {
        return None;
    }
    let budget = &check.budget;
    let name = percentile_name(budget.percentile);
    let over: Vec<&str> = Side::BOTH
        .iter()
        .filter(|s| !check.sides.get(**s).within)
        .map(|s| s.as_str())
        .collect();
    let shown = |s: &BudgetSide| match s.value_ms {
        Some(v) => format!("{v:.1} ms (n={})", s.n),
        None => "no sample".to_owned(),
    };
    Some(Drift {
        class: DriftClass::TimingBudget,
        scenario: budget.scenario.clone(),
        step: budget.step.clone(),
        service: None,
        request: Some(budget.request.clone()),
        path: Some(format!("{name}_ms")),
        baseline: b.value_ms.map(|v| Value::from(round_ms(v))),
        candidate: c.value_ms.map(|v| Value::from(round_ms(v))),
        message: format!(
            "{name} of `{}` is not under {} ms in {}: baseline {}, candidate {}",
            budget.request,
            budget.limit_ms,
            over.join(" and "),
            shown(b),
            shown(c)
        ),
    })
}

/// `median`, `p95`, `p99.9`.
pub fn percentile_name(percentile: f64) -> String {
    if percentile == 50.0 {
        "median".into()
    } else {
        format!("p{percentile}")
    }
}

/// Milliseconds to 0.1 ms, for drift values.
fn round_ms(ms: f64) -> f64 {
    (ms * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::Timing;

    fn key(name: &str) -> ScenarioKey {
        ScenarioKey {
            feature: "f.feature".into(),
            feature_name: "F".into(),
            rule: None,
            name: name.into(),
            line: 3,
            tags: vec![],
            sample: None,
            tenant: None,
        }
    }

    fn step_ref(index: usize) -> StepRef {
        StepRef {
            index,
            line: 5 + index,
            text: "When I send a POST request to \"/api/orders\"".into(),
        }
    }

    /// `n` samples of one step: baseline around `b` ms, candidate around `c` ms.
    fn samples(scenario: &str, n: usize, b: f64, c: f64, warmup: bool) -> Vec<TimedExchange> {
        (0..n)
            .map(|i| {
                let wobble = 1.0 + 0.1 * ((i * 7 % 11) as f64 / 10.0 - 0.5);
                let time = |ms: f64| {
                    Some(Timing {
                        headers_ms: ms * wobble * 0.8,
                        total_ms: ms * wobble,
                    })
                };
                TimedExchange {
                    scenario: key(scenario),
                    sampled: true,
                    warmup,
                    step: step_ref(1),
                    ordinal: 0,
                    service: "erp".into(),
                    request: Twin::new("POST /api/orders".into(), "POST /api/orders".into()),
                    timing: Twin::new(time(b), time(c)),
                }
            })
            .collect()
    }

    #[test]
    fn slower_step_is_drift_faster_is_not() {
        let mut exchanges = samples("slow", 30, 20.0, 50.0, false);
        exchanges.extend(samples("fast", 30, 50.0, 20.0, false));
        exchanges.extend(samples("fast", 5, 500.0, 500.0, true));
        let analysis = analyse(&exchanges, &[], &TimingPolicy::default());
        let verdicts: Vec<(&str, TimingVerdict, usize)> = analysis
            .section
            .steps
            .iter()
            .map(|s| {
                let n = s.total.baseline.map_or(0, |t| t.n);
                (s.scenario.name.as_str(), s.judgement.verdict, n)
            })
            .collect();
        assert_eq!(
            verdicts,
            [
                ("fast", TimingVerdict::Faster, 30),
                ("slow", TimingVerdict::Slower, 30)
            ]
        );
        assert_eq!(analysis.drifts.len(), 1);
        let drift = &analysis.drifts[0];
        assert_eq!(drift.class, DriftClass::Timing);
        assert_eq!(drift.scenario.name, "slow");
        assert_eq!(drift.request.as_deref(), Some("POST /api/orders"));
        assert!(
            drift.message.starts_with("candidate slower by 3"),
            "{}",
            drift.message
        );
    }

    #[test]
    fn unsampled_scenarios_are_not_judged() {
        let mut exchanges = samples("once", 1, 20.0, 50.0, false);
        exchanges[0].sampled = false;
        let analysis = analyse(&exchanges, &[], &TimingPolicy::default());
        assert!(analysis.section.is_empty());
        assert!(analysis.drifts.is_empty());
    }

    fn budget(request: &str, limit_ms: f64) -> LatencyBudget {
        LatencyBudget {
            scenario: key("slow"),
            step: step_ref(2),
            request: request.into(),
            percentile: 95.0,
            limit_ms,
        }
    }

    #[test]
    fn budgets_are_checked_per_side_once() {
        let exchanges = samples("slow", 20, 20.0, 50.0, false);
        let budgets = [
            budget("POST /api/orders", 40.0),
            budget("POST /api/orders", 40.0),
            budget("POST /api/*", 100.0),
            budget("GET /nothing", 100.0),
        ];
        let analysis = analyse(&exchanges, &budgets, &TimingPolicy::default());
        let checks = &analysis.section.budgets;
        assert_eq!(checks.len(), 3, "duplicates from samples collapse");
        assert!(checks[0].sides.baseline.within && !checks[0].sides.candidate.within);
        assert!(checks[1].sides.baseline.within && checks[1].sides.candidate.within);
        assert_eq!(checks[2].sides.baseline.n, 0);
        let budget_drifts: Vec<&Drift> = analysis
            .drifts
            .iter()
            .filter(|d| d.class == DriftClass::TimingBudget)
            .collect();
        assert_eq!(budget_drifts.len(), 2);
        assert!(
            budget_drifts[0]
                .message
                .contains("p95 of `POST /api/orders` is not under 40 ms in candidate"),
            "{}",
            budget_drifts[0].message
        );
        assert!(
            budget_drifts[1]
                .message
                .contains("in baseline and candidate"),
            "{}",
            budget_drifts[1].message
        );
    }

    #[test]
    fn budget_patterns() {
        let b = budget("GET /api/orders/*", 1.0);
        assert!(b.matches("GET /api/orders/<captured:orderId>"));
        assert!(!b.matches("GET /api/orders/1/lines"));
        assert!(!b.matches("POST /api/orders/1"));
        assert!(budget("GET /a.b", 1.0).matches("GET /a.b"));
        assert!(!budget("GET /a.b", 1.0).matches("GET /axb"));
    }
}
