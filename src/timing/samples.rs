//! Timing samples taken from the recorded steps of one scenario run.
//!
//! ```text
//! step #2 `When I send a POST request to "/api/orders"` (sample 7)
//!   baseline  POST http://prod/api/orders  → 201  total 20.4 ms
//!   candidate POST http://stage/api/orders → 201  total 51.0 ms
//! ──▶ TimedExchange { scenario (no sample), step #2, ordinal 0,
//!                     request: "POST /api/orders", total_ms: {20.4, 51.0} }
//! ```
//!
//! Request lines are `METHOD /path` without host and query, with each side's
//! captured values and environment variables replaced by the same
//! placeholder, so `GET /api/orders/4711` and `GET /api/orders/9822` of two
//! samples are the same timed request `GET /api/orders/<captured:orderId>`.
//! Polling steps (`I poll …`) are not timed: their time is a retry count.
//! An exchange without a response has no time on that side.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::compare::{Normalizer, StepRef, is_polling_step};
use crate::trace::{HttpExchange, RunHeader, ScenarioKey, Side, StepRecord, Timing, Twin};

/// One HTTP exchange of a step, timed on both sides.
#[derive(Debug, Clone, PartialEq)]
pub struct TimedExchange {
    /// The scenario, without its sample.
    pub scenario: ScenarioKey,
    /// Whether the run repeated this scenario for timing (`--samples`, `@samples(N)`).
    pub sampled: bool,
    /// Whether this was a warm-up repetition (its times are not judged).
    pub warmup: bool,
    /// The step.
    pub step: StepRef,
    /// Position of the exchange in the step (0-based).
    pub ordinal: usize,
    /// Service of the baseline's exchange.
    pub service: String,
    /// Normalised request line per side.
    pub request: Twin<String>,
    /// Timing per side, when the side received a response.
    pub timing: Twin<Option<Timing>>,
}

/// Every timed exchange of a finished scenario run.
pub fn timed_exchanges(header: &RunHeader, steps: &[StepRecord]) -> Vec<TimedExchange> {
    let tenant = steps.first().and_then(|s| s.scenario.tenant.as_deref());
    let normalizer = Normalizer::new(&header.environments_for(tenant), &captures(steps));
    let mut out = Vec::new();
    for step in steps.iter().filter(|s| !is_polling_step(&s.text)) {
        let exchanges = Twin::new(
            step.sides
                .get(Side::Baseline)
                .http_exchanges()
                .collect::<Vec<_>>(),
            step.sides
                .get(Side::Candidate)
                .http_exchanges()
                .collect::<Vec<_>>(),
        );
        for (ordinal, (b, c)) in exchanges
            .baseline
            .iter()
            .zip(&exchanges.candidate)
            .enumerate()
        {
            out.push(TimedExchange {
                scenario: step.scenario.without_sample(),
                sampled: step.scenario.sample.is_some(),
                warmup: step.scenario.sample.is_some_and(|s| s.warmup),
                step: StepRef {
                    index: step.index,
                    line: step.line,
                    text: format!("{}{}", step.keyword, step.text),
                },
                ordinal,
                service: b.service.clone(),
                request: Twin::new(
                    request_line(b, Side::Baseline, &normalizer),
                    request_line(c, Side::Candidate, &normalizer),
                ),
                timing: Twin::new(answered(b), answered(c)),
            });
        }
    }
    out
}

fn answered(exchange: &HttpExchange) -> Option<Timing> {
    exchange.response.as_ref().map(|_| exchange.timing)
}

/// Values captured anywhere in the scenario, per side, one name each.
fn captures(steps: &[StepRecord]) -> Twin<BTreeMap<String, Value>> {
    let mut out = Twin::<BTreeMap<String, Value>>::default();
    for step in steps {
        for side in Side::BOTH {
            for (name, value) in &step.sides.get(side).captures {
                out.get_mut(side)
                    .entry(name.clone())
                    .or_insert(value.clone());
            }
        }
    }
    out
}

/// `METHOD /path` of an exchange, normalised for `side`.
pub fn request_line(exchange: &HttpExchange, side: Side, normalizer: &Normalizer) -> String {
    let url = &exchange.request.url;
    let without_query = url.split(['?', '#']).next().unwrap_or(url);
    let path = match without_query.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |at| &rest[at..]),
        None => without_query,
    };
    format!(
        "{} {}",
        exchange.request.method,
        normalizer.normalize_text(side, path)
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::trace::{
        EnvironmentRef, HttpRequestRecord, HttpResponseRecord, Observation, SampleRef, SideStep,
        StepOutcome,
    };

    fn header() -> RunHeader {
        RunHeader {
            format: 1,
            tool_version: "0".into(),
            started_at: "t".into(),
            environments: Twin::new(EnvironmentRef::default(), EnvironmentRef::default()),
            tenants: Default::default(),
        }
    }

    fn exchange(url: &str, total_ms: Option<f64>) -> Observation {
        Observation::Http(HttpExchange {
            service: "erp".into(),
            request: HttpRequestRecord {
                method: "GET".into(),
                url: url.into(),
                headers: vec![],
                body: None,
            },
            response: total_ms.map(|_| HttpResponseRecord {
                status: 200,
                headers: vec![],
                body: None,
            }),
            error: total_ms.is_none().then(|| "cannot connect".to_owned()),
            redirects: Vec::new(),
            timing: Timing {
                headers_ms: total_ms.unwrap_or_default() / 2.0,
                total_ms: total_ms.unwrap_or_default(),
            },
        })
    }

    fn step(
        text: &str,
        b: Observation,
        c: Observation,
        capture: Option<(&str, Value)>,
    ) -> StepRecord {
        let side = |o: Observation, v: Option<Value>| SideStep {
            outcome: StepOutcome::Passed,
            observations: vec![o],
            captures: capture
                .iter()
                .zip(v)
                .map(|((n, _), v)| ((*n).to_owned(), v))
                .collect(),
        };
        let (bv, cv) = match &capture {
            Some((_, Value::Array(pair))) => (Some(pair[0].clone()), Some(pair[1].clone())),
            _ => (None, None),
        };
        StepRecord {
            outline_text: None,
            scenario: ScenarioKey {
                feature: "f.feature".into(),
                feature_name: "F".into(),
                rule: None,
                name: "S".into(),
                line: 3,
                tags: vec![],
                sample: Some(SampleRef {
                    index: 4,
                    warmup: false,
                }),
                tenant: None,
            },
            index: 1,
            keyword: "When ".into(),
            text: text.into(),
            line: 5,
            sides: Twin::new(side(b, bv), side(c, cv)),
        }
    }

    #[test]
    fn request_lines_are_normalised_and_sample_is_dropped() {
        let steps = [step(
            "I send a GET request to \"/api/orders/{{ id }}\"",
            exchange("http://prod:1/api/orders/4711?x=1", Some(20.0)),
            exchange("http://stage:2/api/orders/9822", Some(30.0)),
            Some(("id", json!(["4711", "9822"]))),
        )];
        let timed = timed_exchanges(&header(), &steps);
        assert_eq!(timed.len(), 1);
        let t = &timed[0];
        assert_eq!(t.request.baseline, "GET /api/orders/<captured:id>");
        assert_eq!(t.request.candidate, "GET /api/orders/<captured:id>");
        assert_eq!(t.scenario.sample, None);
        assert!(t.sampled && !t.warmup);
        assert_eq!(t.timing.candidate.unwrap().total_ms, 30.0);
        assert_eq!(
            t.step.text,
            "When I send a GET request to \"/api/orders/{{ id }}\""
        );
    }

    #[test]
    fn unanswered_sides_and_polling_steps_have_no_time() {
        let steps = [
            step(
                "I send a GET request to \"/a\"",
                exchange("http://h/a", Some(5.0)),
                exchange("http://h/a", None),
                None,
            ),
            step(
                "I poll \"/a\" until the response status is 200 within 1 seconds",
                exchange("http://h/a", Some(5.0)),
                exchange("http://h/a", Some(5.0)),
                None,
            ),
        ];
        let timed = timed_exchanges(&header(), &steps);
        assert_eq!(timed.len(), 1);
        assert!(timed[0].timing.baseline.is_some());
        assert_eq!(timed[0].timing.candidate, None);
    }
}
