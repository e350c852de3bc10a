//! `driftgate learn-noise` end to end, through the binary, against two
//! in-process wiremock environments that run the same behaviour:
//!
//! - a stock lookup (a Scenario Outline over two skus) answers a fresh
//!   `checkedAt` timestamp on every call, a `state` that flips between two
//!   values now and then (on a fixed schedule per environment, so the test
//!   is repeatable), and an `x-served-by` header that is constant within
//!   each environment but differs between them;
//! - after learning from 3 runs of each environment, the same pair runs
//!   with exit 0 although `state` flips during that run, and the header is
//!   listed as environment-specific, not learned;
//! - an outline whose URL names its row (`"/api/stock/<sku>"`) learns one
//!   entry for the outline step, which also covers a row added later;
//! - a scenario a protected environment refuses makes learning incomplete:
//!   it is named with its reason and the command exits 1.

use crate::common;

use std::sync::atomic::{AtomicUsize, Ordering};

use crate::common::{BASELINE, CANDIDATE, Project, Run, Twins};
use serde_json::{Value, json};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, Request, Respond, ResponseTemplate};

/// One environment's stock service.
struct Stock {
    /// `x-served-by`: the environment-specific value.
    served_by: &'static str,
    /// The calls (0-based, counted per environment) that answer `RESERVED`.
    flips: &'static [usize],
    calls: AtomicUsize,
}

impl Respond for Stock {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        let sku = request.url.path().rsplit('/').next().unwrap_or_default();
        let state = if self.flips.contains(&n) {
            "RESERVED"
        } else {
            "FREE"
        };
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        ResponseTemplate::new(200)
            .insert_header("x-served-by", self.served_by)
            .set_body_json(json!({"sku": sku, "quantity": 40, "state": state, "checkedAt": now}))
    }
}

const STOCK: &str = r#"Feature: Stock
  Scenario Outline: Stock on hand for <sku>
    Given the variable "sku" is "<sku>"
    When I send a GET request to "/api/stock/{{ sku }}" on "erp"
    Then the response status should be 200

    Examples:
      | sku      |
      | BRK-1001 |
      | HYD-2040 |
"#;

/// A stock lookup whose URL is written with the outline placeholder; the
/// skus carry no digit, so nothing but the outline step tells one from a
/// fixed path segment.
fn placeholder_outline(rows: &[&str]) -> String {
    let mut feature = String::from(
        r#"Feature: Stock
  Scenario Outline: Stock on hand for <sku>
    When I send a GET request to "/api/stock/<sku>" on "erp"
    Then the response status should be 200

    Examples:
      | sku |
"#,
    );
    for row in rows {
        feature.push_str(&format!("      | {row} |\n"));
    }
    feature
}

const ORDER: &str = r#"Feature: Orders
  Scenario: Create an order
    When I send a POST request to "/api/orders" on "erp"
      """
      {"orderNo": "{{ uuid() }}"}
      """
    Then the response status should be 201
"#;

/// Both environments serve the stock lookup; calls 0–5 are the six learning
/// runs' (2 skus each), 6–7 a run without noise, 8–9 a run with it.
async fn environments() -> Twins {
    let mocks = Twins::start().await;
    let sides = [
        (&mocks.baseline, "prod-node-1", &[3, 7, 8][..]),
        (&mocks.candidate, "stg-node-1", &[1, 6, 9][..]),
    ];
    for (server, served_by, flips) in sides {
        Mock::given(method("GET"))
            .and(path_regex(r"^/api/stock/[A-Z0-9-]+$"))
            .respond_with(Stock {
                served_by,
                flips,
                calls: AtomicUsize::new(0),
            })
            .mount(server)
            .await;
        Mock::given(method("POST"))
            .and(path("/api/orders"))
            .respond_with(ResponseTemplate::new(201).set_body_json(json!({"status": "CREATED"})))
            .mount(server)
            .await;
    }
    mocks
}

fn project(mocks: &Twins, production: &str) -> Project {
    let config = format!(
        r#"[run]
features = ["features"]
concurrency = 1

[environments.{BASELINE}]
{production}

[environments.{BASELINE}.services.erp]
base_url = "{}"

[environments.{CANDIDATE}.services.erp]
base_url = "{}"
"#,
        mocks.baseline.uri(),
        mocks.candidate.uri()
    );
    let project = Project::new(&config);
    project.feature("stock.feature", STOCK);
    project
}

fn learn(project: &Project, features: &[&str]) -> Run {
    let config = project.config_path().display().to_string();
    let mut args = vec![
        "learn-noise",
        "--config",
        &config,
        "--baseline",
        BASELINE,
        "--candidate",
        CANDIDATE,
        "-o",
        "noise.json",
    ];
    args.extend(features);
    Run::bare(&args, project.root())
}

fn noise_file(project: &Project) -> Value {
    let text = std::fs::read_to_string(project.root().join("noise.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The (route, path) of every learned entry of a noise file.
fn noise_entries(noise: &Value) -> Vec<(&str, &str)> {
    noise["noise"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["route"].as_str().unwrap(), e["path"].as_str().unwrap()))
        .collect()
}

fn drift_paths(run: &common::RunResult) -> Vec<String> {
    run.report()["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["drifts"].as_array().cloned().unwrap_or_default())
        .map(|d| d["path"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flipping_values_are_learned_and_environment_specific_ones_are_listed() {
    let mocks = environments().await;
    let project = project(&mocks, "");

    let learned = learn(&project, &[]).execute().await;
    learned.assert_code(0);
    let out = &learned.stdout;
    assert!(
        out.contains("noisy places from 3 runs of each of production, staging:"),
        "{out}"
    );
    assert!(out.contains("1 environment-specific value"), "{out}");
    let noise = noise_file(&project);
    assert_eq!(noise["format"], 2);
    assert_eq!(noise["environments"], json!(["production", "staging"]));
    let entries = noise_entries(&noise);
    let route = "GET /api/stock/{{ sku }}";
    for wanted in [(route, "$.checkedAt"), (route, "$.state")] {
        assert!(entries.contains(&wanted), "{wanted:?}: {noise:#}");
    }
    assert!(
        entries.iter().all(|(r, _)| *r == route),
        "one route template covers both outline rows: {entries:?}"
    );
    assert!(
        !entries.iter().any(|(_, p)| *p == "header:x-served-by"),
        "{entries:?}"
    );
    let state = noise["noise"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["path"] == "$.state")
        .unwrap();
    assert_eq!(
        state["learned_from"],
        json!([
            "production run 1 vs 2",
            "staging run 1 vs 2",
            "staging run 1 vs 3"
        ]),
        "{state:#}"
    );
    assert_eq!(
        state["scenarios"],
        json!(["features/stock.feature: Stock on hand for HYD-2040"]),
        "the row whose state flipped: {state:#}"
    );
    let specific = &noise["environment_specific"];
    assert_eq!(
        specific,
        &json!([{
            "service": "erp",
            "route": route,
            "path": "header:x-served-by",
            "values": {"production": "prod-node-1", "staging": "stg-node-1"},
            "scenarios": [
                "features/stock.feature: Stock on hand for BRK-1001",
                "features/stock.feature: Stock on hand for HYD-2040"
            ]
        }]),
        "{noise:#}"
    );

    // Without the noise, the identical pair drifts where the state flips.
    let raw = project.run().execute().await;
    raw.assert_code(1);
    assert!(
        drift_paths(&raw).iter().any(|p| p == "$.state"),
        "{:?}",
        drift_paths(&raw)
    );

    // With it, the same pair is clean although the state flips again.
    let clean = project
        .run()
        .args(&["--noise", "noise.json", "--show-suppressed"])
        .execute()
        .await;
    clean.assert_code(0);
    assert_eq!(drift_paths(&clean), Vec::<String>::new());
    assert!(
        clean.stdout.contains("learned noise at $.state"),
        "{}",
        clean.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outline_placeholder_url_learns_one_entry_that_covers_new_rows() {
    let mocks = environments().await;
    let project = project(&mocks, "");
    project.feature(
        "stock.feature",
        &placeholder_outline(&["BRAKES", "HYDRAULICS"]),
    );

    let learned = learn(&project, &[]).execute().await;
    learned.assert_code(0);
    let noise = noise_file(&project);
    let entries = noise_entries(&noise);
    let route = "GET /api/stock/<sku>";
    for wanted in [(route, "$.checkedAt"), (route, "$.state")] {
        assert_eq!(
            entries.iter().filter(|e| **e == wanted).count(),
            1,
            "{wanted:?}: {noise:#}"
        );
    }
    assert!(
        entries.iter().all(|(r, _)| *r == route),
        "one route for the outline step, none per row: {entries:?}"
    );

    // A row not seen while learning (calls 6–8: `state` differs on all three).
    project.feature(
        "stock.feature",
        &placeholder_outline(&["BRAKES", "HYDRAULICS", "FILTERS"]),
    );
    let clean = project
        .run()
        .args(&["--noise", "noise.json"])
        .execute()
        .await;
    clean.assert_code(0);
    assert_eq!(drift_paths(&clean), Vec::<String>::new());
    assert_eq!(clean.scenarios().len(), 3);
    let trace = std::fs::read_to_string(project.reports().join("trace.jsonl")).unwrap();
    let steps: Vec<Value> = trace
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|r| r["text"] == r#"I send a GET request to "/api/stock/FILTERS" on "erp""#)
        .collect();
    assert_eq!(steps.len(), 1, "{trace}");
    assert_eq!(
        steps[0]["outline_text"],
        r#"I send a GET request to "/api/stock/<sku>" on "erp""#
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_scenario_makes_learning_incomplete() {
    let mocks = environments().await;
    let project = project(&mocks, "protected = true");
    project.feature("order.feature", ORDER);

    let learned = learn(&project, &["features/order.feature"]).execute().await;
    learned.assert_code(1);
    let out = &learned.stdout;
    assert!(out.contains("learning incomplete"), "{out}");
    for run in 1..=3 {
        assert!(
            out.contains(&format!("production run {run}")),
            "run {run}: {out}"
        );
    }
    let refusal = out
        .lines()
        .find(|l| l.contains("production run 1"))
        .unwrap_or_default();
    assert!(
        refusal.contains("features/order.feature:2: Create an order")
            && refusal.contains("refused"),
        "{out}"
    );
    assert!(
        !out.lines()
            .any(|l| l.contains("staging run") && l.contains("refused")),
        "staging may write: {out}"
    );
    assert!(
        project.root().join("noise.json").exists(),
        "what was learned is still written"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn learning_needs_two_runs_and_named_environments() {
    let mocks = environments().await;
    let project = project(&mocks, "");
    let one_run = learn(&project, &["--runs", "1"]).execute().await;
    one_run.assert_usage_error(&["--runs 1", "at least 2 runs"]);
    let unnamed = Run::bare(&["learn-noise", "-o", "noise.json"], project.root())
        .execute()
        .await;
    unnamed.assert_usage_error(&["--baseline", "--env"]);
    assert!(!project.root().join("noise.json").exists());
}
