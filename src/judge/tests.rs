//! The judge of stored traces: paired recordings, failing steps, repeated
//! names and tenants, judged through [`judge_trace`].

use std::collections::BTreeMap;

use serde_json::json;

use super::*;
use crate::compare::traces::{TraceRun, pair_traces};
use crate::drift_class::DriftClass;
use crate::trace::{
    Body, EnvironmentRef, HttpExchange, HttpRequestRecord, HttpResponseRecord, Observation,
    ScenarioEnd, SideStep, StepOutcome, Timing, Twin,
};

fn standards() -> Standards {
    Standards {
        rules: RuleSet::default(),
        timing: TimingPolicy::default(),
        policy: PolicySpec::default(),
        waivers: Vec::new(),
        today: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
    }
}

fn judged(twin: &TwinTrace) -> DriftReport {
    judge_trace(&standards(), twin, 0.0)
}

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
        redirects: Vec::new(),
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
                outline_text: None,
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
            finished_at: None,
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
    let judged = judged(&twin);
    let found: Vec<(&str, DriftClass)> = judged
        .drifts
        .iter()
        .map(|d| (d.scenario.name.as_str(), d.class))
        .collect();
    // In feature and line order, as every report lists them.
    assert_eq!(
        found,
        [
            ("Ship", DriftClass::ScenarioOnlyInCandidate),
            ("Archive", DriftClass::ScenarioOnlyInBaseline),
            ("Create", DriftClass::ValueChange),
        ]
    );
    let create = &judged.drifts[2];
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
    let judged = judged(&twin);
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
    let judged = judged(&pair_traces(&production, &staging));
    assert_eq!(judged.drifts, []);
    assert_eq!(judged.scenarios.len(), 2);
}

#[test]
fn a_trace_must_start_with_its_header() {
    let err = TraceRun::from_records("x.jsonl", vec![]).unwrap_err();
    assert!(err.to_string().contains("x.jsonl"), "{err}");
}

fn tenant_key(name: &str, tenant: &str) -> ScenarioKey {
    ScenarioKey {
        tenant: Some(tenant.into()),
        ..key(name, 3)
    }
}

fn with_tenants(mut run: TraceRun, plants: &[(&str, &str)]) -> TraceRun {
    for (tenant, plant) in plants {
        let variables = BTreeMap::from([("plant".to_owned(), (*plant).to_owned())]);
        run.header
            .tenants
            .insert((*tenant).into(), Twin::new(variables, BTreeMap::new()));
    }
    run
}

#[test]
fn tenants_pair_with_their_own_tenant_and_judge_with_its_variables() {
    let echo = |plant: &str| recorded(StepOutcome::Passed, vec![get(plant)]);
    let production = with_tenants(
        recording(
            "production",
            &[
                (tenant_key("Stock", "acme"), vec![echo("P100")]),
                (tenant_key("Stock", "globex"), vec![echo("P200")]),
            ],
        ),
        &[("acme", "P100"), ("globex", "P200")],
    );
    let staging = with_tenants(
        recording(
            "staging",
            &[
                (tenant_key("Stock", "globex"), vec![echo("S999")]),
                (tenant_key("Stock", "acme"), vec![echo("S100")]),
            ],
        ),
        &[("acme", "S100"), ("globex", "S200")],
    );
    let twin = pair_traces(&production, &staging);
    assert_eq!(twin.scenarios.len(), 2, "paired by tenant: {twin:#?}");
    let acme = twin.header.environments_for(Some("acme"));
    assert_eq!(acme.baseline.variables["plant"], "P100");
    assert_eq!(acme.candidate.variables["plant"], "S100");
    assert_eq!(acme.candidate.name, "staging");
    assert!(
        twin.header
            .environments_for(None)
            .baseline
            .variables
            .is_empty()
    );
    let judged = judged(&twin);
    let drifted: Vec<Option<&str>> = judged
        .drifts
        .iter()
        .map(|d| d.scenario.tenant.as_deref())
        .collect();
    assert_eq!(drifted, [Some("globex")], "{:#?}", judged.drifts);
    assert_eq!(tenant_key("Stock", "acme").title(), "Stock [tenant acme]");
    assert_eq!(key("Stock", 3).title(), "Stock");
}

#[test]
fn a_scenario_is_judged_from_its_own_steps_when_its_end_arrives() {
    let header = RunHeader {
        format: crate::trace::TRACE_FORMAT,
        tool_version: "0.1.0".into(),
        started_at: "2026-12-01T10:00:00Z".into(),
        environments: Twin::new(
            EnvironmentRef {
                name: "production".into(),
                variables: Default::default(),
            },
            EnvironmentRef {
                name: "staging".into(),
                variables: Default::default(),
            },
        ),
        tenants: Default::default(),
    };
    let side = |observations: Vec<Observation>| SideStep {
        observations,
        ..SideStep::default()
    };
    let step = |key: &ScenarioKey, index: usize, sides: Twin<SideStep>| {
        TraceRecord::Step(StepRecord {
            outline_text: None,
            scenario: key.clone(),
            index,
            keyword: "Then ".into(),
            text: format!("step {index}"),
            line: key.line + 1 + index,
            sides,
        })
    };
    let budget = Observation::Budget(crate::trace::BudgetRecord {
        request: "GET /api/orders/1".into(),
        percentile: 95.0,
        limit_ms: 800.0,
    });
    let (done, cut_short) = (key("Create", 3), key("Cut short", 9));
    let mut judge = Judge::new(header, standards());
    judge.record(&step(
        &done,
        0,
        Twin::new(side(vec![get("NEW")]), side(vec![get("OPEN")])),
    ));
    judge.record(&step(
        &cut_short,
        0,
        Twin::new(side(vec![get("NEW")]), side(vec![get("LOST")])),
    ));
    judge.record(&step(
        &done,
        1,
        Twin::new(side(vec![budget.clone()]), side(vec![budget])),
    ));
    assert_eq!((judge.ended(), judge.drifts()), (0, 0), "judged too early");
    judge.record(&TraceRecord::Scenario(ScenarioEnd {
        scenario: done.clone(),
        status: ScenarioStatus::Passed,
        message: None,
        duration_ms: 7.0,
        finished_at: None,
    }));
    assert_eq!((judge.ended(), judge.drifts()), (1, 1));

    let report = judge.finish(12.0);
    let names: Vec<&str> = report
        .scenarios
        .iter()
        .map(|s| s.scenario.name.as_str())
        .collect();
    assert_eq!(
        names,
        ["Create"],
        "a scenario that never ended is not judged"
    );
    let drifts: Vec<(&str, Option<&str>)> = report
        .drifts
        .iter()
        .map(|d| (d.scenario.name.as_str(), d.path.as_deref()))
        .collect();
    assert_eq!(drifts, [("Create", Some("$.state"))]);
    assert_eq!(report.steps.len(), 2);
    let checked = &report.timing.budgets;
    assert_eq!(checked.len(), 1, "the recorded budget is checked");
    assert_eq!(checked[0].budget.request, "GET /api/orders/1");
    assert_eq!(checked[0].budget.step.index, 1);
    assert_eq!(
        (checked[0].sides.baseline.n, checked[0].sides.candidate.n),
        (1, 1)
    );
    assert_eq!(report.duration_ms, 12.0);
}
