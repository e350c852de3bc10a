//! Scenario-level tests of [`compare_scenario`], built from small step records.

mod edi;
mod exchanges;
mod generated;
mod messages;
mod normalization;
mod outcomes;
mod properties;
mod rules;

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::*;
use crate::config::GeneratedValuesMode;
use crate::drift_class::DriftClass;
use crate::trace::{
    AssertionRecord, Body, EnvironmentRef, HttpExchange, HttpRequestRecord, HttpResponseRecord,
    Observation, ScenarioKey, SideStep, StepOutcome, Timing,
};

fn scenario() -> ScenarioKey {
    ScenarioKey {
        feature: "features/order_sync.feature".to_owned(),
        feature_name: "Order sync".to_owned(),
        rule: None,
        name: "Create an order".to_owned(),
        line: 7,
        tags: Vec::new(),
        sample: None,
        tenant: None,
    }
}

fn run_header() -> RunHeader {
    let environment = |name: &str, plant: &str| EnvironmentRef {
        name: name.to_owned(),
        variables: [("plant", plant), ("tenant", "acme")]
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    };
    RunHeader {
        format: 1,
        tool_version: "0.1.0".to_owned(),
        started_at: "2026-11-26T10:00:00Z".to_owned(),
        environments: Twin::new(
            environment("production", "P100"),
            environment("staging", "S100"),
        ),
        tenants: Default::default(),
    }
}

fn rules() -> CompareRules {
    CompareRules::default()
}

fn response(status: u16, body: Option<Body>) -> HttpResponseRecord {
    HttpResponseRecord {
        status,
        headers: vec![("content-type".to_owned(), "application/json".to_owned())],
        body,
    }
}

fn exchange(method: &str, url: &str, response: Option<HttpResponseRecord>) -> Observation {
    Observation::Http(HttpExchange {
        service: "orders".to_owned(),
        request: HttpRequestRecord {
            method: method.to_owned(),
            url: url.to_owned(),
            headers: Vec::new(),
            body: None,
        },
        response,
        error: None,
        redirects: Vec::new(),
        timing: Timing::default(),
    })
}

fn get(status: u16, body: Value) -> Observation {
    exchange(
        "GET",
        "https://erp.example/api/orders",
        Some(response(status, Some(Body::Json(body)))),
    )
}

fn passed(observations: Vec<Observation>) -> SideStep {
    SideStep {
        outcome: StepOutcome::Passed,
        observations,
        captures: BTreeMap::new(),
    }
}

fn with_outcome(outcome: StepOutcome, observations: Vec<Observation>) -> SideStep {
    SideStep {
        outcome,
        ..passed(observations)
    }
}

fn capturing(mut side: SideStep, name: &str, value: Value) -> SideStep {
    side.captures.insert(name.to_owned(), value);
    side
}

fn step(index: usize, text: &str, baseline: SideStep, candidate: SideStep) -> StepRecord {
    StepRecord {
        outline_text: None,
        scenario: scenario(),
        index,
        keyword: "When ".to_owned(),
        text: text.to_owned(),
        line: 8 + index,
        sides: Twin::new(baseline, candidate),
    }
}

fn single_step(baseline: SideStep, candidate: SideStep) -> Vec<StepRecord> {
    vec![step(
        0,
        "I send a GET request to \"/api/orders\"",
        baseline,
        candidate,
    )]
}

fn compare(steps: &[StepRecord], rules: &CompareRules) -> Vec<Drift> {
    compare_scenario(&run_header(), steps, rules)
}

/// Class and path of each drift, the shape most tests assert on.
type Shape<'a> = Vec<(DriftClass, Option<&'a str>)>;

fn classes(drifts: &[Drift]) -> Shape<'_> {
    drifts
        .iter()
        .map(|drift| (drift.class, drift.path.as_deref()))
        .collect()
}

fn order_document() -> Value {
    json!({
        "id": "4711-abc",
        "state": "NEW",
        "lines": [{"sku": "A-1", "qty": 2}, {"sku": "B-2", "qty": 1}],
        "customer": {"name": "Müller GmbH", "vip": false}
    })
}

#[test]
fn identical_sides_do_not_drift() {
    let side = || {
        passed(vec![
            get(200, order_document()),
            Observation::Assertion(AssertionRecord {
                description: "status == 200".to_owned(),
                passed: true,
                path: None,
                actual: Some(json!(200)),
                message: None,
            }),
        ])
    };
    assert_eq!(compare(&single_step(side(), side()), &rules()), []);
}
