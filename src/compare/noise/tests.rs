use serde_json::Value;
use serde_json::json;

use super::*;
use crate::config::noise::{NOISE_FORMAT, NoiseEntry, NoiseFile, NoiseKind};
use crate::trace::{
    Body, EnvironmentRef, HttpExchange, HttpRequestRecord, HttpResponseRecord, Observation,
    RunHeader, ScenarioKey, SideStep, StepOutcome, StepRecord, Timing, Twin,
};

fn exchange(url: &str, headers: &[(&str, &str)], body: Value) -> Observation {
    Observation::Http(HttpExchange {
        service: "erp".into(),
        request: HttpRequestRecord {
            method: "GET".into(),
            url: url.into(),
            headers: vec![],
            body: None,
        },
        response: Some(HttpResponseRecord {
            status: 200,
            headers: headers
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
            body: Some(Body::Json(body)),
        }),
        error: None,
        redirects: Vec::new(),
        timing: Timing::default(),
    })
}

fn a_a_header() -> RunHeader {
    let env = EnvironmentRef {
        name: "staging".into(),
        variables: [("plant".to_owned(), "S100".to_owned())].into(),
    };
    RunHeader {
        format: 1,
        tool_version: "0.1.0".into(),
        started_at: "2026-11-26T10:00:00Z".into(),
        environments: Twin::new(env.clone(), env),
        tenants: Default::default(),
    }
}

fn key() -> ScenarioKey {
    ScenarioKey {
        sample: None,
        feature: "features/order_sync.feature".into(),
        feature_name: "Order sync".into(),
        rule: None,
        name: "Read an order".into(),
        line: 3,
        tags: vec![],
        tenant: None,
    }
}

fn side(id: &str, at: &str, request_id: &str, lines: Value) -> SideStep {
    SideStep {
        outcome: StepOutcome::Passed,
        observations: vec![exchange(
            &format!("http://erp/plants/S100/orders/{id}"),
            &[
                ("x-request-id", request_id),
                ("content-type", "application/json"),
            ],
            json!({"id": id, "createdAt": at, "sku": "BRK-1", "lines": lines}),
        )],
        captures: [("orderId".to_owned(), Value::from(id))].into(),
    }
}

fn learned() -> Vec<NoiseEntry> {
    let step = StepRecord {
        outline_text: None,
        scenario: key(),
        index: 0,
        keyword: "When ".into(),
        text: "I send a GET request to \"/plants/{{ env.plant }}/orders/{{ orderId }}\"".into(),
        line: 4,
        sides: Twin::new(
            side(
                "0b6c3f38-9a1e-4a53-9a57-0f3d1e2a7c11",
                "2026-11-26T10:00:00.120Z",
                "r-1",
                json!([{"no": 1, "uid": "u-1"}, {"no": 2, "uid": "u-2"}]),
            ),
            side(
                "5d1e0c55-7c1a-4f0e-8a9b-3c2d1e0f9a88",
                "2026-11-26T10:00:00.410Z",
                "r-2",
                json!([{"no": 2, "uid": "u-3"}, {"no": 1, "uid": "u-4"}]),
            ),
        ),
    };
    let mut differences = learn::Differences::default();
    differences.add_run_pair(&a_a_header(), &[(key(), vec![step])], "staging run 1 vs 2");
    differences.into_entries()
}

#[test]
fn differences_between_two_runs_are_learned_as_noise() {
    let found: Vec<(String, String, NoiseKind)> = learned()
        .into_iter()
        .map(|e| (e.route, e.path, e.kind))
        .collect();
    let route = "GET /plants/{{ env.plant }}/orders/{{ orderId }}".to_owned();
    assert_eq!(
        found,
        [
            (route.clone(), "$.createdAt".to_owned(), NoiseKind::Value),
            (route.clone(), "$.lines".to_owned(), NoiseKind::Order),
            (route.clone(), "$.lines[*].uid".to_owned(), NoiseKind::Value),
            (route, "header:x-request-id".to_owned(), NoiseKind::Value),
        ],
        "keyed by the route template; captured ids are placeholders, not noise; equal values are not noise"
    );
}

#[test]
fn entries_keep_examples_and_scenarios_for_review() {
    let entries = learned();
    let at = entries.iter().find(|e| e.path == "$.createdAt").unwrap();
    assert_eq!(
        at.examples,
        [
            json!("2026-11-26T10:00:00.120Z"),
            json!("2026-11-26T10:00:00.410Z")
        ]
    );
    assert_eq!(at.scenarios, ["features/order_sync.feature: Read an order"]);
    assert_eq!(at.learned_from, ["staging run 1 vs 2"]);
}

#[test]
fn noise_files_round_trip_as_json_and_toml() {
    let dir = tempfile::tempdir().unwrap();
    let file = NoiseFile {
        format: NOISE_FORMAT,
        environments: vec!["staging".into()],
        learned_at: "2026-11-26T10:00:00Z".into(),
        runs: Some(3),
        noise: learned(),
        environment_specific: Vec::new(),
    };
    for name in ["noise.json", "noise.toml"] {
        let path = dir.path().join(name);
        file.save(&path).unwrap();
        assert_eq!(NoiseFile::load(&path).unwrap(), file, "{name}");
    }
}

#[test]
fn a_bad_noise_file_names_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("noise.json");
    std::fs::write(
        &path,
        r#"{"format":1,"environment":"s","learned_at":"x","noise":[{"service":"erp","route":"GET /a","path":"$["}]}"#,
    )
    .unwrap();
    let err = NoiseFile::load(&path).unwrap_err().to_string();
    assert!(err.contains("noise[0].path"), "{err}");
}

#[test]
fn format_1_files_are_still_read_and_newer_formats_say_how_to_regenerate() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.json");
    std::fs::write(
        &old,
        r#"{"format":1,"environment":"staging","learned_at":"x","noise":[{"service":"erp","route":"GET /api/orders/*","path":"$.at"}]}"#,
    )
    .unwrap();
    let file = NoiseFile::load(&old).unwrap();
    assert_eq!(file.environments, ["staging"]);
    assert_eq!(file.noise[0].route, "GET /api/orders/*");
    let newer = dir.path().join("newer.json");
    std::fs::write(
        &newer,
        r#"{"format":9,"environments":["a"],"learned_at":"x"}"#,
    )
    .unwrap();
    let err = NoiseFile::load(&newer).unwrap_err().to_string();
    assert!(
        err.contains("newer.json") && err.contains("driftgate learn-noise"),
        "{err}"
    );
}
