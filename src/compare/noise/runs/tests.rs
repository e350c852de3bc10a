use serde_json::{Value, json};

use super::*;
use crate::config::noise::NoiseKind;
use crate::trace::{
    Body, EnvironmentRef, HttpExchange, HttpRequestRecord, HttpResponseRecord, Observation,
    RunHeader, ScenarioEnd, ScenarioKey, SideStep, StepOutcome, StepRecord, Timing, TraceRecord,
    Twin,
};

const SKUS: [&str; 2] = ["BRK-1001", "HYD-2040"];

fn key(sku: &str, line: usize) -> ScenarioKey {
    ScenarioKey {
        feature: "features/stock.feature".into(),
        feature_name: "Stock".into(),
        rule: None,
        name: format!("Stock for {sku}"),
        line,
        tags: vec![],
        sample: None,
        tenant: None,
    }
}

/// One recorded run: a GET of each sku, answering `body(sku)`; the
/// scenarios named in `failed` fail with a refusal.
fn recording(
    environment: &str,
    run: usize,
    body: impl Fn(&str) -> Value,
    failed: &[&str],
) -> LearningRun {
    let header = RunHeader {
        format: 1,
        tool_version: "0.1.0".into(),
        started_at: "2026-12-01T10:00:00Z".into(),
        environments: Twin::new(
            EnvironmentRef {
                name: environment.into(),
                variables: Default::default(),
            },
            EnvironmentRef::default(),
        ),
        tenants: Default::default(),
    };
    let mut records = vec![TraceRecord::Run(header)];
    for (i, sku) in SKUS.iter().enumerate() {
        let key = key(sku, 10 + i);
        let exchange = HttpExchange {
            service: "wms".into(),
            request: HttpRequestRecord {
                method: "GET".into(),
                url: format!("http://wms.{environment}/api/stock/{sku}"),
                headers: vec![],
                body: None,
            },
            response: Some(HttpResponseRecord {
                status: 200,
                headers: vec![("content-type".into(), "application/json".into())],
                body: Some(Body::Json(body(sku))),
            }),
            error: None,
            timing: Timing::default(),
            redirects: Vec::new(),
        };
        records.push(TraceRecord::Step(StepRecord {
            outline_text: None,
            scenario: key.clone(),
            index: 0,
            keyword: "When ".into(),
            text: r#"I send a GET request to "/api/stock/{{ sku }}" on "wms""#.into(),
            line: 5,
            sides: Twin::new(
                SideStep {
                    outcome: StepOutcome::Passed,
                    observations: vec![Observation::Http(exchange)],
                    captures: Default::default(),
                },
                SideStep::default(),
            ),
        }));
        let refused = failed.contains(sku);
        records.push(TraceRecord::Scenario(ScenarioEnd {
            scenario: key,
            status: if refused {
                ScenarioStatus::Failed
            } else {
                ScenarioStatus::Passed
            },
            message: refused.then(|| "refused: POST to a protected environment".to_owned()),
            duration_ms: 1.0,
            finished_at: None,
        }));
    }
    LearningRun {
        environment: environment.into(),
        run,
        trace: TraceRun::from_records("test", records).unwrap(),
    }
}

/// Three runs of each environment: `checkedAt` moves every run, `state`
/// flips once (staging run 2), `warehouse` is constant per environment.
fn runs(failed_in_staging_3: &[&str]) -> Vec<LearningRun> {
    let mut runs = Vec::new();
    for (environment, warehouse) in [("production", "WH-01"), ("staging", "WH-02")] {
        for run in 1..=3 {
            let state = if environment == "staging" && run == 2 {
                "RESERVED"
            } else {
                "FREE"
            };
            let failed = if environment == "staging" && run == 3 {
                failed_in_staging_3
            } else {
                &[]
            };
            runs.push(recording(
                environment,
                run,
                |sku| {
                    json!({"sku": sku, "warehouse": warehouse, "state": state,
                           "checkedAt": format!("2026-12-01T10:00:0{run}.000Z")})
                },
                failed,
            ));
        }
    }
    runs
}

#[test]
fn values_that_move_within_an_environment_are_noise_keyed_by_the_route_template() {
    let learning = decide(&runs(&[]));
    let found: Vec<(&str, &str, NoiseKind, &[String])> = learning
        .noise
        .iter()
        .map(|e| {
            (
                e.route.as_str(),
                e.path.as_str(),
                e.kind,
                e.learned_from.as_slice(),
            )
        })
        .collect();
    let route = "GET /api/stock/{{ sku }}";
    assert_eq!(
        found,
        [
            (
                route,
                "$.checkedAt",
                NoiseKind::Value,
                &[
                    "production run 1 vs 2".to_owned(),
                    "production run 1 vs 3".to_owned(),
                    "staging run 1 vs 2".to_owned(),
                    "staging run 1 vs 3".to_owned()
                ][..]
            ),
            (
                route,
                "$.state",
                NoiseKind::Value,
                &["staging run 1 vs 2".to_owned()][..]
            ),
        ]
    );
    assert_eq!(
        learning.noise[0].scenarios,
        [
            "features/stock.feature: Stock for BRK-1001",
            "features/stock.feature: Stock for HYD-2040"
        ],
        "one entry covers every outline row"
    );
    assert!(learning.is_complete());
}

#[test]
fn a_value_constant_per_environment_is_listed_not_learned() {
    let learning = decide(&runs(&[]));
    assert!(learning.noise.iter().all(|e| e.path != "$.warehouse"));
    assert_eq!(learning.environment_specific.len(), 1, "{learning:?}");
    let value = &learning.environment_specific[0];
    assert_eq!(
        (value.route.as_str(), value.path.as_str()),
        ("GET /api/stock/{{ sku }}", "$.warehouse")
    );
    assert_eq!(
        value.values,
        BTreeMap::from([
            ("production".to_owned(), json!("WH-01")),
            ("staging".to_owned(), json!("WH-02"))
        ])
    );
}

#[test]
fn a_scenario_that_failed_in_a_run_makes_learning_incomplete() {
    let learning = decide(&runs(&["HYD-2040"]));
    assert!(!learning.is_complete());
    assert_eq!(
        learning.failures,
        [LearningFailure {
            environment: "staging".into(),
            run: 3,
            scenario: "features/stock.feature:11: Stock for HYD-2040".into(),
            reason: "refused: POST to a protected environment".into(),
        }]
    );
}

#[test]
fn a_scenario_missing_from_a_run_is_a_failure_of_that_run() {
    let mut all = runs(&[]);
    let mut short = recording("staging", 2, |sku| json!({"sku": sku}), &[]);
    short.trace.scenarios.truncate(1);
    all[4] = short;
    let learning = decide(&all);
    let missing: Vec<(usize, &str)> = learning
        .failures
        .iter()
        .map(|f| (f.run, f.reason.as_str()))
        .collect();
    assert_eq!(missing, [(2, "did not run, although staging run 1 ran it")]);
}
