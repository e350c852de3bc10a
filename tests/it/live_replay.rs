//! Live and replay agree byte for byte: a live `driftgate run` against two
//! wiremock environments that drift (a response body, a status, a compared
//! header, a latency budget, a step failing in both, repetitions for
//! timing), then `driftgate report` on its trace. Every report file and the
//! terminal report must be the same, byte for byte, apart from the report
//! folder they name: even the run's wall time is replayed, from the trace's
//! run-end record.
//!
//! ```text
//! driftgate run … --reports reports  ──▶ reports/{drift.json, junit.xml, …}, stdout
//! driftgate report reports/trace.jsonl --reports replay
//!                                     ──▶ replay/{drift.json, junit.xml, …}, stdout
//! redact(reports/X) == redact(replay/X)  for every X
//! ```

use std::path::Path;

use crate::common::{Project, Run, RunResult, TwinConfig, Twins};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const FEATURE: &str = r#"Feature: Order desk
  Scenario: Read an order
    When I send a GET request to "/api/orders/1"
    Then the response status should be 200

  Scenario: Check the stock
    When I send a GET request to "/api/stock/A-1"

  Scenario: Cancel an order
    When I send a DELETE request to "/api/orders/1"
    Then the response status should be 204

  @samples(3)
  Scenario: List the orders
    When I send a GET request to "/api/orders"
    Then the p95 of "GET /api/orders" should be under 0.001 ms
"#;

/// Every report file both runs write, named as in the report folder.
const FILES: [&str; 7] = [
    "drift.json",
    "junit.xml",
    "summary.md",
    "cucumber.json",
    "report.html",
    "driftgate.prom",
    "metrics.json",
];

/// One environment: `drifted` answers the order with another state and API
/// version, and the stock with 503.
async fn erp(server: &MockServer, drifted: bool) {
    let (state, version, stock) = if drifted {
        ("OPEN", "2", 503)
    } else {
        ("NEW", "1", 200)
    };
    Mock::given(method("GET"))
        .and(path("/api/orders/1"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-api-version", version)
                .set_body_json(json!({"id": 1, "state": state, "total": 100.5})),
        )
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/stock/A-1"))
        .respond_with(ResponseTemplate::new(stock).set_body_json(json!({"sku": "A-1"})))
        .mount(server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/orders/1"))
        .respond_with(ResponseTemplate::new(409).set_body_json(json!({"error": "shipped"})))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/orders"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([{"id": 1}])))
        .mount(server)
        .await;
}

/// `text` with the report folder it names redacted: the run's wall time is
/// recorded in its trace, so nothing else may differ.
fn redact(text: &str, dir: &Path) -> String {
    text.replace(&dir.display().to_string(), "<reports>")
}

/// The report files of `dir` and the terminal report, redacted.
fn outputs(result: &RunResult, dir: &Path) -> Vec<(String, String)> {
    let mut outputs: Vec<(String, String)> = FILES
        .iter()
        .map(|name| {
            let path = dir.join(name);
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{} was not written: {e}", path.display()));
            ((*name).to_owned(), redact(&text, dir))
        })
        .collect();
    // The live run also names the trace it wrote; the rest is the same text.
    let terminal: String = result
        .stdout
        .lines()
        .filter(|line| !line.starts_with("trace: "))
        .map(|line| format!("{line}\n"))
        .collect();
    outputs.push(("terminal report".into(), redact(&terminal, dir)));
    outputs
}

fn with_metrics(run: Run, dir: &Path) -> Run {
    run.args(&[
        "--metrics",
        &dir.join("driftgate.prom").display().to_string(),
        "--metrics-json",
        &dir.join("metrics.json").display().to_string(),
    ])
}

#[tokio::test(flavor = "multi_thread")]
async fn the_reports_of_a_live_run_and_of_report_on_its_trace_are_identical() {
    let mocks = Twins::start().await;
    erp(&mocks.baseline, false).await;
    erp(&mocks.candidate, true).await;
    let config = TwinConfig::new(&mocks).compare_headers(&["content-type", "x-api-version"]);
    let project = Project::new(&config.render());
    project.feature("orders.feature", FEATURE);

    let (live_dir, replay_dir) = (project.reports(), project.root().join("replay"));
    let live = with_metrics(project.run(), &live_dir).execute().await;
    live.assert_code(1);
    let classes: Vec<&str> = live
        .drifts()
        .iter()
        .filter_map(|d| d["class"].as_str())
        .collect();
    for class in ["value_change", "status", "header", "timing_budget"] {
        assert!(classes.contains(&class), "no {class} drift: {classes:?}");
    }
    let failed = live.scenario("Cancel an order");
    assert_eq!(failed["status"], "failed", "{failed}");

    let trace = live_dir.join("trace.jsonl");
    let replay = with_metrics(
        Run::bare(
            &[
                "report",
                &trace.display().to_string(),
                "--config",
                &project.config_path().display().to_string(),
                "--reports",
                &replay_dir.display().to_string(),
            ],
            project.root(),
        ),
        &replay_dir,
    )
    .execute()
    .await;
    replay.assert_code(1);

    let replayed = outputs(&replay, &replay_dir);
    for ((name, live), (_, replayed)) in outputs(&live, &live_dir).iter().zip(&replayed) {
        assert!(
            live == replayed,
            "{name} differs between the live run and `driftgate report` on its trace:\n{}",
            first_difference(live, replayed)
        );
    }
}

/// The first line that differs, with its number, for a readable failure.
fn first_difference(live: &str, replayed: &str) -> String {
    let (mut a, mut b) = (live.lines(), replayed.lines());
    for n in 1.. {
        match (a.next(), b.next()) {
            (None, None) => break,
            (x, y) if x == y => continue,
            (x, y) => {
                return format!(
                    "line {n}\n  live:   {}\n  replay: {}",
                    x.unwrap_or("<end>"),
                    y.unwrap_or("<end>")
                );
            }
        }
    }
    "(only line endings differ)".into()
}
