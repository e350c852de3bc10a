use serde_json::json;

use super::*;
use crate::trace::{
    Body, EnvironmentRef, HttpExchange, HttpRequestRecord, HttpResponseRecord, Observation, Timing,
};

fn key(name: &str, line: usize) -> ScenarioKey {
    ScenarioKey {
        sample: None,
        feature: "features/order_sync.feature".into(),
        feature_name: "Order sync".into(),
        rule: None,
        name: name.into(),
        line,
        tags: vec![],
        tenant: None,
    }
}

fn get(state: &str) -> Observation {
    Observation::Http(HttpExchange {
        service: "erp".into(),
        request: HttpRequestRecord {
            method: "GET".into(),
            url: "http://erp/api/orders/1".into(),
            headers: vec![],
            body: None,
        },
        response: Some(HttpResponseRecord {
            status: 200,
            headers: vec![],
            body: Some(Body::Json(json!({"state": state}))),
        }),
        error: None,
        timing: Timing::default(),
    })
}

fn recorded(outcome: StepOutcome, observations: Vec<Observation>) -> Twin<SideStep> {
    Twin::new(
        SideStep {
            outcome,
            observations,
            ..SideStep::default()
        },
        SideStep {
            outcome: StepOutcome::Skipped {
                reason: "not recorded: single-environment recording".into(),
            },
            ..SideStep::default()
        },
    )
}

fn recording(env: &str, scenarios: &[(ScenarioKey, Vec<Twin<SideStep>>)]) -> TraceRun {
    let mut records = vec![TraceRecord::Run(RunHeader {
        format: 1,
        tool_version: "0.1.0".into(),
        started_at: "2026-11-26T10:00:00Z".into(),
        environments: Twin::new(
            EnvironmentRef {
                name: env.into(),
                variables: Default::default(),
            },
            EnvironmentRef::default(),
        ),
        tenants: Default::default(),
    })];
    for (key, steps) in scenarios {
        for (index, sides) in steps.iter().enumerate() {
            records.push(TraceRecord::Step(StepRecord {
                scenario: key.clone(),
                index,
                keyword: "When ".into(),
                text: format!("step {index}"),
                line: key.line + 1 + index,
                sides: sides.clone(),
            }));
        }
        records.push(TraceRecord::Scenario(ScenarioEnd {
            scenario: key.clone(),
            status: ScenarioStatus::Passed,
            message: None,
            duration_ms: 5.0,
        }));
    }
    TraceRun::from_records(env, records).unwrap()
}

fn ok(state: &str) -> Twin<SideStep> {
    recorded(StepOutcome::Passed, vec![get(state)])
}

#[test]
fn recordings_pair_by_identity_despite_moves_additions_and_removals() {
    let production = recording(
        "production",
        &[
            (key("Create", 3), vec![ok("NEW")]),
            (key("Cancel", 10), vec![ok("CANCELLED")]),
            (key("Archive", 20), vec![ok("ARCHIVED")]),
        ],
    );
    let staging = recording(
        "staging",
        &[
            (key("Ship", 3), vec![ok("SHIPPED")]),
            (key("Cancel", 12), vec![ok("CANCELLED")]),
            (key("Create", 30), vec![ok("OPEN")]),
        ],
    );
    assert!(production.is_recording());
    let twin = pair_traces(&production, &staging);
    assert_eq!(twin.header.environments.baseline.name, "production");
    assert_eq!(twin.header.environments.candidate.name, "staging");
    let judged = judge_trace(&twin, &RuleSet::default());
    let found: Vec<(&str, DriftClass)> = judged
        .drifts
        .iter()
        .map(|d| (d.scenario.name.as_str(), d.class))
        .collect();
    assert_eq!(
        found,
        [
            ("Ship", DriftClass::ScenarioOnlyInCandidate),
            ("Create", DriftClass::ValueChange),
            ("Archive", DriftClass::ScenarioOnlyInBaseline),
        ]
    );
    let create = &judged.drifts[1];
    assert_eq!(create.scenario.line, 30, "the candidate's identity");
    assert_eq!(create.path.as_deref(), Some("$.state"));
}

#[test]
fn a_step_failing_on_both_sides_ends_the_paired_scenario() {
    let failed = |m: &str| recorded(StepOutcome::Failed { message: m.into() }, vec![]);
    let production = recording(
        "production",
        &[(key("Create", 3), vec![failed("409"), ok("A")])],
    );
    let staging = recording(
        "staging",
        &[(key("Create", 3), vec![failed("409"), ok("B")])],
    );
    let twin = pair_traces(&production, &staging);
    let scenario = &twin.scenarios[0];
    assert_eq!(scenario.steps.len(), 1);
    assert_eq!(
        scenario.failure.as_deref(),
        Some("in both environments: 409")
    );
    let judged = judge_trace(&twin, &RuleSet::default());
    assert_eq!(judged.drifts, []);
    assert_eq!(judged.scenarios[0].status, ScenarioStatus::Failed);
}

#[test]
fn repeated_names_pair_by_occurrence() {
    let production = recording(
        "production",
        &[
            (key("Row", 5), vec![ok("A")]),
            (key("Row", 6), vec![ok("B")]),
        ],
    );
    let staging = recording(
        "staging",
        &[
            (key("Row", 7), vec![ok("A")]),
            (key("Row", 8), vec![ok("B")]),
        ],
    );
    let judged = judge_trace(&pair_traces(&production, &staging), &RuleSet::default());
    assert_eq!(judged.drifts, []);
    assert_eq!(judged.scenarios.len(), 2);
}

#[test]
fn a_trace_must_start_with_its_header() {
    let err = TraceRun::from_records("x.jsonl", vec![]).unwrap_err();
    assert!(err.to_string().contains("x.jsonl"), "{err}");
}
