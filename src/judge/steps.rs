//! Per-step results kept for the reports that show more than drift (HTML,
//! Cucumber JSON): each side's outcome, the exchanges with their timing, the
//! response bodies of steps that drifted, and the differences the comparison
//! rules suppressed as noise.
//!
//! ```json
//! {"scenario": {...}, "index": 2, "keyword": "When ", "text": "I send a GET request to \"/api/orders/{{ orderId }}\"",
//!  "line": 15,
//!  "baseline":  {"status": "passed", "exchanges": [{"service": "erp", "method": "GET", "url": "http://…/api/orders/4711",
//!                "status": 200, "total_ms": 12.5, "body": {"id": 4711, "currency": "EUR"}}]},
//!  "candidate": {"status": "passed", "exchanges": [...]}}
//! ```
//!
//! Memory grows with the number of steps (a few numbers each) and with drift
//! (bodies are kept only where a step drifted).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::compare::Drift;
use crate::trace::{Body, Observation, ScenarioKey, SideStep, StepOutcome, StepRecord, Twin};

/// One executed step, both sides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepResult {
    /// Scenario the step belongs to.
    pub scenario: ScenarioKey,
    /// Position in the scenario (0-based, background included).
    pub index: usize,
    /// Gherkin keyword as written.
    pub keyword: String,
    /// Step text as written.
    pub text: String,
    /// Line in the feature file.
    pub line: usize,
    /// What each side did.
    #[serde(flatten)]
    pub sides: Twin<SideResult>,
}

/// One side of a step.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SideResult {
    /// `passed`, `failed`, `error` or `skipped`.
    pub status: String,
    /// Why it did not pass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// HTTP exchanges of the step on this side.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exchanges: Vec<ExchangeResult>,
}

/// One HTTP exchange, as the reports show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExchangeResult {
    /// Service name.
    pub service: String,
    /// Request method.
    pub method: String,
    /// Request URL.
    pub url: String,
    /// Response status, when a response arrived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// From sending the request to the end of the body, in milliseconds.
    pub total_ms: f64,
    /// The response body, kept only when the step drifted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

/// The steps of one scenario as report rows; response bodies are kept for
/// steps that have a drift in `drifts`.
pub fn step_results(records: &[StepRecord], drifts: &[Drift]) -> Vec<StepResult> {
    records
        .iter()
        .map(|record| {
            let drifted = drifts.iter().any(|d| d.step.index == record.index);
            StepResult {
                scenario: record.scenario.clone(),
                index: record.index,
                keyword: record.keyword.clone(),
                text: record.text.clone(),
                line: record.line,
                sides: Twin::new(
                    side_result(&record.sides.baseline, drifted),
                    side_result(&record.sides.candidate, drifted),
                ),
            }
        })
        .collect()
}

fn side_result(side: &SideStep, keep_bodies: bool) -> SideResult {
    let status = match side.outcome {
        StepOutcome::Passed => "passed",
        StepOutcome::Failed { .. } => "failed",
        StepOutcome::Error { .. } => "error",
        StepOutcome::Skipped { .. } => "skipped",
    };
    let exchanges = side
        .observations
        .iter()
        .filter_map(|o| match o {
            Observation::Http(x) => Some(ExchangeResult {
                service: x.service.clone(),
                method: x.request.method.clone(),
                url: x.request.url.clone(),
                status: x.response.as_ref().map(|r| r.status),
                total_ms: x.timing.total_ms,
                body: keep_bodies
                    .then(|| x.response.as_ref()?.body.as_ref().map(body_value))
                    .flatten(),
            }),
            _ => None,
        })
        .collect();
    SideResult {
        status: status.to_owned(),
        message: side.outcome.message().map(str::to_owned),
        exchanges,
    }
}

fn body_value(body: &Body) -> Value {
    match body {
        Body::Json(v) => v.clone(),
        Body::Text(t) => Value::String(t.clone()),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;
    use crate::compare::compare_scenario;
    use crate::config::CompareRules;
    use crate::trace::RunHeader;
    use crate::trace::{HttpExchange, HttpRequestRecord, HttpResponseRecord, Timing};

    fn record(baseline: Value, candidate: Value) -> StepRecord {
        let side = |body: Value, ms: f64| SideStep {
            outcome: StepOutcome::Passed,
            observations: vec![Observation::Http(HttpExchange {
                service: "erp".into(),
                request: HttpRequestRecord {
                    method: "GET".into(),
                    url: "http://erp/api/orders/1".into(),
                    headers: Vec::new(),
                    body: None,
                },
                response: Some(HttpResponseRecord {
                    status: 200,
                    headers: Vec::new(),
                    body: Some(Body::Json(body)),
                }),
                error: None,
                redirects: Vec::new(),
                timing: Timing {
                    headers_ms: ms / 2.0,
                    total_ms: ms,
                },
            })],
            captures: BTreeMap::new(),
        };
        StepRecord {
            outline_text: None,
            scenario: ScenarioKey {
                feature: "f.feature".into(),
                feature_name: "F".into(),
                rule: None,
                name: "s".into(),
                line: 3,
                tags: Vec::new(),
                sample: None,
                tenant: None,
            },
            index: 0,
            keyword: "When ".into(),
            text: "I send a GET request to \"/api/orders/1\"".into(),
            line: 4,
            sides: Twin::new(side(baseline, 10.0), side(candidate, 30.0)),
        }
    }

    fn header() -> RunHeader {
        RunHeader {
            format: 1,
            tool_version: "0".into(),
            started_at: "2026-01-01T00:00:00Z".into(),
            environments: Twin::default(),
            tenants: Default::default(),
        }
    }

    #[test]
    fn bodies_are_kept_only_for_drifted_steps_and_timing_always() {
        let records = [record(json!({"a": 1}), json!({"a": 2}))];
        let drifts = compare_scenario(&header(), &records, &CompareRules::default());
        let with = step_results(&records, &drifts);
        let without = step_results(&records, &[]);
        let exchange = |r: &[StepResult]| r[0].sides.candidate.exchanges[0].clone();
        assert_eq!(exchange(&with).body, Some(json!({"a": 2})));
        assert_eq!(exchange(&without).body, None);
        assert_eq!(exchange(&without).total_ms, 30.0);
        assert_eq!(with[0].sides.baseline.status, "passed");
    }
}
