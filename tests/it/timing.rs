//! End to end: timing drift between two real HTTP environments (wiremock),
//! through the `driftgate` binary with `--samples`.
//!
//! TIMING TEST: each case sends 20–60 (+2–3 warm-up) sequential requests to
//! each side with 20–50 ms of server delay, 1–3 s each.

use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const FEATURE: &str = r#"Feature: Order timing
  Scenario: Post an order
    When I send a POST request to "/api/orders" on "erp"
      """
      {"orderNo": "{{ uuid() }}"}
      """
    Then the response status should be 201
    And the response time should be under 5 s
    And the p95 of "POST /api/orders" should be under 40 ms
"#;

async fn erp(delay_ms: u64) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/orders"))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(serde_json::json!({"status": "CREATED"}))
                .set_delay(Duration::from_millis(delay_ms)),
        )
        .mount(&server)
        .await;
    server
}

fn write_project(dir: &Path, baseline: &MockServer, candidate: &MockServer) {
    let config = format!(
        "[environments.production.services.erp]\nbase_url = \"{}\"\n\n\
         [environments.staging.services.erp]\nbase_url = \"{}\"\n",
        baseline.uri(),
        candidate.uri()
    );
    std::fs::write(dir.join("driftgate.toml"), config).unwrap();
    std::fs::write(dir.join("timing.feature"), FEATURE).unwrap();
}

/// Runs `driftgate run --samples N …` and returns the exit code and drift.json.
async fn run_sampled(dir: &Path, samples: usize, extra: &[&str]) -> (i32, Value) {
    let mut cmd = Command::cargo_bin("driftgate").unwrap();
    cmd.current_dir(dir)
        .args(["run", "--baseline", "production", "--candidate", "staging"])
        .args(["--samples", &samples.to_string()])
        .args(["--reports", "reports", "timing.feature"])
        .args(extra);
    let output = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    let drift: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("reports/drift.json")).unwrap())
            .unwrap_or_else(|e| panic!("{e}\n{}", String::from_utf8_lossy(&output.stdout)));
    (output.status.code().unwrap_or(-1), drift)
}

#[tokio::test(flavor = "multi_thread")]
async fn slower_candidate_is_timing_drift_at_that_step() {
    let (baseline, candidate) = (erp(20).await, erp(50).await);
    let dir = tempfile::tempdir().unwrap();
    write_project(dir.path(), &baseline, &candidate);
    let (code, doc) = run_sampled(dir.path(), 20, &["--warmup", "2", "--cold"]).await;
    assert_eq!(code, 1, "{doc:#}");
    let step = &doc["timing"]["steps"][0];
    assert_eq!(step["verdict"], "slower", "{step:#}");
    assert_eq!(step["request"], "POST /api/orders");
    assert_eq!(step["step"]["line"], 3);
    assert_eq!(
        step["baseline"]["total_ms"]["n"], 20,
        "warm-ups are not measured"
    );
    let median = |side: &str| step[side]["total_ms"]["median"].as_f64().unwrap();
    assert!(median("candidate") > median("baseline") + 20.0, "{step:#}");
    assert!(step["shift_ms"]["low"].as_f64().unwrap() > 5.0, "{step:#}");
    assert!(
        step["ratio"]["estimate"].as_f64().unwrap() > 1.3,
        "{step:#}"
    );

    let scenario = &doc["scenarios"][0];
    assert_eq!(
        doc["scenarios"].as_array().unwrap().len(),
        1,
        "samples fold into one scenario"
    );
    let classes: Vec<&str> = scenario["drifts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["class"].as_str().unwrap())
        .collect();
    assert!(classes.contains(&"timing"), "{classes:?}");
    let timing = scenario["drifts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["class"] == "timing")
        .unwrap();
    assert_eq!(timing["step"]["line"], 3);
    assert!(
        timing["message"]
            .as_str()
            .unwrap()
            .starts_with("candidate slower by")
    );
    let budget = &doc["timing"]["budgets"][0];
    assert_eq!(budget["candidate"]["within"], false, "{budget:#}");
    assert!(classes.contains(&"timing_budget"), "{classes:?}");

    let trace = std::fs::read_to_string(dir.path().join("reports/trace.jsonl")).unwrap();
    assert!(trace.contains(r#""sample":{"index":2,"warmup":true}"#));
    assert!(trace.contains(r#""sample":{"index":20}"#));
}

#[tokio::test(flavor = "multi_thread")]
async fn equal_delays_are_no_timing_drift() {
    let (baseline, candidate) = (erp(20).await, erp(20).await);
    let dir = tempfile::tempdir().unwrap();
    let feature = FEATURE.replace("under 40 ms", "under 5000 ms");
    write_project(dir.path(), &baseline, &candidate);
    std::fs::write(dir.path().join("timing.feature"), feature).unwrap();
    let (code, doc) = run_sampled(dir.path(), 20, &[]).await;
    let step = &doc["timing"]["steps"][0];
    assert_eq!(step["verdict"], "same", "{step:#}");
    assert_eq!(step["candidate"]["total_ms"]["n"], 20);
    assert_eq!(doc["verdict"], "no_drift", "{doc:#}");
    assert_eq!(code, 0);
    assert_eq!(doc["timing"]["budgets"][0]["baseline"]["within"], true);
}

/// The slowdown the old rule (shift beyond max(20% of the median, 5 ms))
/// could never flag: a 20 ms route that sleeps 5 ms longer. Measured end to
/// end, the client's own time is in both sides: on a loaded 2-core machine
/// it adds 5 ms or more, so the measured ratio is nearer ×1.15 than ×1.25.
/// The test therefore judges 60 samples with a ×1.05 margin (`tolerance =
/// 0.05`) and asserts the verdict and the direction, not exact numbers; the
/// default margin's rates on clean latencies are what the timing_judge
/// bench measures.
#[tokio::test(flavor = "multi_thread")]
async fn a_quarter_slower_fast_route_is_timing_drift() {
    let (baseline, candidate) = (erp(20).await, erp(25).await);
    let dir = tempfile::tempdir().unwrap();
    write_project(dir.path(), &baseline, &candidate);
    let config = dir.path().join("driftgate.toml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("\n[timing]\ntolerance = 0.05\n");
    std::fs::write(&config, text).unwrap();
    let feature = FEATURE.replace("under 40 ms", "under 5000 ms");
    std::fs::write(dir.path().join("timing.feature"), feature).unwrap();
    let (code, doc) = run_sampled(dir.path(), 60, &["--warmup", "3"]).await;
    let step = &doc["timing"]["steps"][0];
    assert_eq!(step["verdict"], "slower", "{step:#}");
    assert!(step["ratio"]["low"].as_f64().unwrap() > 1.05, "{step:#}");
    assert!(
        step["shift_ms"]["estimate"].as_f64().unwrap() > 2.0,
        "{step:#}"
    );
    let timing: Vec<&Value> = doc["scenarios"][0]["drifts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["class"] == "timing")
        .collect();
    assert_eq!(timing.len(), 1, "{doc:#}");
    assert_eq!(timing[0]["step"]["line"], 3);
    assert_eq!(code, 1, "{doc:#}");
}

/// A drift repeated in every measured sample is one finding with its count,
/// although each sample's URL carries another generated order number; the
/// warm-ups add nothing.
#[tokio::test(flavor = "multi_thread")]
async fn a_drift_repeated_in_every_sample_is_listed_once_with_its_count() {
    let order = |currency: &str| {
        let currency = currency.to_owned();
        async move {
            let server = MockServer::start().await;
            Mock::given(method("GET"))
                .and(wiremock::matchers::path_regex(r"^/api/orders/\d+$"))
                .respond_with(
                    ResponseTemplate::new(200)
                        .set_body_json(serde_json::json!({"currency": currency})),
                )
                .mount(&server)
                .await;
            server
        }
    };
    let (baseline, candidate) = (order("EUR").await, order("USD").await);
    let dir = tempfile::tempdir().unwrap();
    write_project(dir.path(), &baseline, &candidate);
    let feature = "Feature: Orders\n  Scenario: Read an order\n    When I send a GET request to \"/api/orders/{{ random_int(1, 999999999) }}\" on \"erp\"\n    Then the response status should be 200\n";
    std::fs::write(dir.path().join("timing.feature"), feature).unwrap();
    let (code, doc) = run_sampled(dir.path(), 5, &["--warmup", "2"]).await;
    assert_eq!(code, 1, "{doc:#}");
    let drifts = doc["scenarios"][0]["drifts"].as_array().unwrap();
    let changes: Vec<&Value> = drifts
        .iter()
        .filter(|d| d["class"] == "value_change")
        .collect();
    assert_eq!(changes.len(), 1, "{drifts:#?}");
    assert_eq!(changes[0]["path"], "$.currency");
    assert!(
        changes[0]["message"]
            .as_str()
            .unwrap()
            .ends_with("(seen in 5 of 5 repetitions)"),
        "{:#}",
        changes[0]
    );
}
