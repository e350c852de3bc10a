//! Sharding end to end, the way a Kubernetes Indexed Job runs it: one suite
//! run whole, then as three shards in separate `driftgate` processes (each
//! with its `JOB_COMPLETION_INDEX`), merged with `driftgate merge`. The merged
//! reports and exit code equal the unsharded ones (times aside), and every
//! scenario ran exactly once. The suite has drift, a failed scenario, an
//! outline, a rule, and a scenario repeated for timing with a latency budget.

use std::collections::BTreeSet;
use std::path::Path;

use crate::common::{Project, Run, TwinConfig, Twins};
use serde_json::{Value, json};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// Orders answer with EUR; the candidate bills orders starting with 9 in USD.
async fn serve(server: &MockServer, candidate: bool) {
    Mock::given(method("GET"))
        .and(path_regex(r"^/api/orders/\w+$"))
        .respond_with(move |request: &Request| {
            let id = request.url.path().rsplit('/').next().unwrap_or_default();
            let currency = if candidate && id.starts_with('9') {
                "USD"
            } else {
                "EUR"
            };
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": id, "state": "NEW", "currency": currency}))
        })
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex(r"^/api/stock/[\w-]+$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"onHand": 40})))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/broken"))
        .respond_with(ResponseTemplate::new(500).set_body_json(json!({"error": "down"})))
        .mount(server)
        .await;
}

const ORDERS: &str = r#"Feature: Orders
  Scenario: Read order 1
    When I send a GET request to "/api/orders/1"
    Then the response status should be 200

  Scenario: Read order 9
    When I send a GET request to "/api/orders/9"
    Then the response status should be 200

  Scenario Outline: Read order <id> from the list
    When I send a GET request to "/api/orders/<id>"
    Then the response status should be 200

    Examples:
      | id |
      | 2  |
      | 3  |
      | 91 |
      | 4  |

  Rule: Cancelled orders read the same
    Scenario: Read cancelled order 95
      When I send a GET request to "/api/orders/95"
      Then the response status should be 200
"#;

const STOCK: &str = r#"Feature: Stock
  @samples(3)
  Scenario: Stock of A-1 within its budget
    When I send a GET request to "/api/stock/A-1"
    Then the response status should be 200
    And the p95 of "GET /api/stock/*" should be under 5000 ms

  Scenario: Stock of B-2
    When I send a GET request to "/api/stock/B-2"
    Then the response status should be 200

  Scenario: The broken endpoint
    When I send a GET request to "/api/broken"
    Then the response status should be 200
"#;

async fn project() -> (Twins, Project) {
    let mocks = Twins::start().await;
    serve(&mocks.baseline, false).await;
    serve(&mocks.candidate, true).await;
    let project = Project::new(&TwinConfig::new(&mocks).render());
    project.feature("orders.feature", ORDERS);
    project.feature("stock.feature", STOCK);
    (mocks, project)
}

/// The report with what changes from run to run taken out: start time,
/// durations (Cucumber JSON's in integer nanoseconds) and every measured
/// time (floating-point numbers).
fn without_times(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| !matches!(k.as_str(), "started_at" | "duration_ms" | "duration"))
                .map(|(k, v)| (k.clone(), without_times(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_times).collect()),
        Value::Number(n) if n.is_f64() => json!(0.0),
        other => other.clone(),
    }
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// JUnit XML without its times.
fn junit_without_times(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let times = regex::Regex::new(r#" (time|timestamp)="[^"]*""#).unwrap();
    times.replace_all(&text, "").into_owned()
}

/// The HTML report with every number (times, dates, chart coordinates) as `N`.
fn html_without_numbers(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains("Read order 91 from the list"), "{text}");
    let numbers = regex::Regex::new(r"\d+(\.\d+)?").unwrap();
    numbers.replace_all(&text, "N").into_owned()
}

/// Scenario runs (feature:line name [sample]) of a trace, one entry per run.
fn scenario_runs(trace: &Path) -> Vec<String> {
    std::fs::read_to_string(trace)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|r| r["kind"] == "scenario")
        .map(|r| {
            let s = &r["scenario"];
            format!(
                "{}:{} {} {}",
                s["feature"].as_str().unwrap(),
                s["line"],
                s["name"].as_str().unwrap(),
                s["sample"]
            )
        })
        .collect()
}

async fn merge(project: &Project, args: &[&str]) -> (Option<i32>, String) {
    let result = Run::bare(&[&["merge"], args].concat(), project.root())
        .execute()
        .await;
    (result.code, format!("{}{}", result.stdout, result.stderr))
}

#[tokio::test]
async fn three_indexed_shards_merge_into_the_unsharded_run() {
    let (_mocks, project) = project().await;
    let whole = project.run().execute().await;
    whole.assert_code(1);
    let whole_report = whole.report();
    assert_eq!(whole_report["summary"]["scenarios"], 10, "{whole_report:#}");

    let mut shard_runs: Vec<Vec<String>> = Vec::new();
    for index in 0..3 {
        let dir = project.root().join(format!("shards/{index}"));
        let shard = project
            .run()
            .set("--reports", &dir.display().to_string())
            .env("JOB_COMPLETION_INDEX", &index.to_string())
            .env("DRIFTGATE_SHARDS", "3")
            .execute()
            .await;
        assert!(matches!(shard.code, Some(0 | 1)), "{}", shard.stderr);
        shard_runs.push(scenario_runs(&dir.join("trace.jsonl")));
    }

    // Every scenario run exactly once across the shards, balanced within one
    // scenario (the sampled scenario's three runs stay in one shard).
    let whole_runs: BTreeSet<String> = scenario_runs(&project.reports().join("trace.jsonl"))
        .into_iter()
        .collect();
    let mut all: Vec<String> = shard_runs.iter().flatten().cloned().collect();
    all.sort();
    assert_eq!(
        all.len(),
        whole_runs.len(),
        "a scenario ran twice: {all:#?}"
    );
    assert_eq!(all.into_iter().collect::<BTreeSet<_>>(), whole_runs);
    let sizes: Vec<usize> = shard_runs
        .iter()
        .map(|runs| {
            runs.iter()
                .map(|r| r.rsplit_once(' ').unwrap().0.to_owned())
                .collect::<BTreeSet<_>>()
                .len()
        })
        .collect();
    assert_eq!(sizes, [4, 3, 3]);

    let traces: Vec<String> = (0..3).map(|i| format!("shards/{i}/trace.jsonl")).collect();
    let mut args: Vec<&str> = traces.iter().map(String::as_str).collect();
    args.extend([
        "--config",
        "driftgate.toml",
        "-r",
        "merged",
        "--metrics",
        "merged/driftgate.prom",
        "--metrics-json",
        "merged/metrics.json",
    ]);
    let (code, out) = merge(&project, &args).await;
    assert_eq!(code, whole.code, "{out}");
    assert!(out.contains("shard 2/3: 3 scenarios of suite"), "{out}");

    let merged = project.root().join("merged");
    assert_eq!(
        without_times(&read_json(&merged.join("drift.json"))),
        without_times(whole_report),
    );
    assert_eq!(
        junit_without_times(&merged.join("junit.xml")),
        junit_without_times(&project.reports().join("junit.xml")),
    );
    assert_eq!(
        without_times(&read_json(&merged.join("cucumber.json"))),
        without_times(&read_json(&project.reports().join("cucumber.json"))),
    );
    // What the reports show beyond drift came through the traces too: the
    // timing section of the sampled scenario, its budget, and the steps.
    let timing = &whole_report["timing"];
    assert_eq!(
        timing["budgets"].as_array().map(Vec::len),
        Some(1),
        "{timing:#}"
    );
    assert_eq!(
        timing["steps"].as_array().map(Vec::len),
        Some(1),
        "{timing:#}"
    );
    assert_eq!(
        html_without_numbers(&merged.join("report.html")),
        html_without_numbers(&project.reports().join("report.html")),
    );

    // The merged trace is one run again: `report` over it agrees.
    let rebuilt = Run::bare(
        &[
            "report",
            "merged/trace.jsonl",
            "--config",
            "driftgate.toml",
            "-r",
            "rebuilt",
        ],
        project.root(),
    )
    .execute()
    .await;
    assert_eq!(rebuilt.code, whole.code, "{}", rebuilt.stderr);
    assert_eq!(
        without_times(&read_json(&project.root().join("rebuilt/drift.json"))),
        without_times(whole_report),
    );

    // Dashboard indicators of the merged run.
    let metrics = read_json(&merged.join("metrics.json"));
    assert_eq!(
        metrics["totals"]["drifts"],
        whole_report["summary"]["drifts"]
    );
    assert_eq!(metrics["scenarios"]["failed"], 1);
    let prom = std::fs::read_to_string(merged.join("driftgate.prom")).unwrap();
    assert!(
        prom.contains(r#"driftgate_drifts{baseline="production",candidate="staging",class="value_change",severity="error",service="erp",tenant="acme"} 3"#),
        "{prom}"
    );
}

#[tokio::test]
async fn the_shard_flag_and_the_completion_index_cut_the_same_slice() {
    let (_mocks, project) = project().await;
    let by_flag = project
        .run()
        .set("--reports", "flag")
        .args(&["--shard", "2/3"])
        .without_env("JOB_COMPLETION_INDEX")
        .execute()
        .await;
    assert!(matches!(by_flag.code, Some(0 | 1)), "{}", by_flag.stderr);
    let by_index = project
        .run()
        .set("--reports", "index")
        .args(&["--shards", "3", "--shard-index", "1"])
        .execute()
        .await;
    assert!(matches!(by_index.code, Some(0 | 1)), "{}", by_index.stderr);
    let runs = |dir: &str| scenario_runs(&project.root().join(dir).join("trace.jsonl"));
    assert_eq!(runs("flag"), runs("index"));
    // Orders 9 and 91, and the stock scenario repeated three times for timing.
    assert_eq!(runs("flag").len(), 5);
}

#[tokio::test]
async fn an_incomplete_or_foreign_set_of_traces_is_not_merged() {
    let (_mocks, project) = project().await;
    for index in 0..2 {
        let shard = project
            .run()
            .set("--reports", &format!("shards/{index}"))
            .env("JOB_COMPLETION_INDEX", &index.to_string())
            .env("DRIFTGATE_SHARDS", "3")
            .execute()
            .await;
        assert!(matches!(shard.code, Some(0 | 1)), "{}", shard.stderr);
    }
    let (code, out) = merge(
        &project,
        &[
            "shards/0/trace.jsonl",
            "shards/1/trace.jsonl",
            "-r",
            "merged",
        ],
    )
    .await;
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("shard(s) 3 of 3 missing"), "{out}");
    assert!(!project.root().join("merged/drift.json").exists());

    let (code, out) = merge(
        &project,
        &[
            "shards/0/trace.jsonl",
            "shards/0/trace.jsonl",
            "-r",
            "merged",
        ],
    )
    .await;
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("shard 1/3 is given twice"), "{out}");

    // A shard cut from another selection of scenarios.
    let other = project
        .run()
        .set("--reports", "other")
        .args(&["--shard", "3/3", "features/orders.feature"])
        .execute()
        .await;
    assert!(matches!(other.code, Some(0 | 1)), "{}", other.stderr);
    let (code, out) = merge(
        &project,
        &[
            "shards/0/trace.jsonl",
            "shards/1/trace.jsonl",
            "other/trace.jsonl",
            "-r",
            "merged",
        ],
    )
    .await;
    assert_eq!(code, Some(2), "{out}");
    assert!(
        out.contains("run every shard with the same features, --tags and shard count"),
        "{out}"
    );
}

#[tokio::test]
async fn shard_options_that_make_no_shard_are_usage_errors() {
    let (_mocks, project) = project().await;
    /// Arguments, environment variables, expected message.
    type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);
    let cases: [Case; 4] = [
        (&["--shard", "0/3"], &[], "shard 0/3 does not exist"),
        (&["--shard", "two/3"], &[], "bad shard `two/3`"),
        (&["--shards", "3"], &[], "needs the shard's index"),
        (
            &[],
            &[("DRIFTGATE_SHARDS", "2"), ("JOB_COMPLETION_INDEX", "2")],
            "JOB_COMPLETION_INDEX=2 is not below the shard count 2",
        ),
    ];
    for (args, envs, expected) in cases {
        let mut run = project.run().args(args).without_env("JOB_COMPLETION_INDEX");
        for (name, value) in envs {
            run = run.env(name, value);
        }
        let result = run.execute().await;
        result.assert_code(2);
        assert!(
            result.stderr.contains(expected),
            "{args:?}: {}",
            result.stderr
        );
    }
    // An index without a count runs everything, and says so.
    let everything = project
        .run()
        .env("JOB_COMPLETION_INDEX", "1")
        .without_env("DRIFTGATE_SHARDS")
        .execute()
        .await;
    everything.assert_code(1);
    assert!(
        everything.stderr.contains("running every scenario"),
        "{}",
        everything.stderr
    );
    assert_eq!(everything.report()["summary"]["scenarios"], 10);
}

#[tokio::test]
async fn shards_of_a_tenant_matrix_merge_into_the_unsharded_run() {
    let mocks = Twins::start().await;
    serve(&mocks.baseline, false).await;
    serve(&mocks.candidate, true).await;
    let config = format!(
        "{}\n[tenants.acme]\nvariables = {{ customer = \"ACME-01\" }}\n\n[tenants.globex]\nvariables = {{ customer = \"GLOBEX-7\" }}\n",
        TwinConfig::new(&mocks).render()
    );
    let project = Project::new(&config);
    project.feature("orders.feature", ORDERS);
    project.feature("stock.feature", STOCK);

    let whole = project.run().execute().await;
    whole.assert_code(1);
    let whole_report = whole.report();
    assert_eq!(whole_report["summary"]["scenarios"], 20, "{whole_report:#}");

    let mut traces = Vec::new();
    let mut runs = Vec::new();
    for index in 0..3 {
        let dir = format!("shards/{index}");
        let shard = project
            .run()
            .set(
                "--reports",
                &project.root().join(&dir).display().to_string(),
            )
            .env("JOB_COMPLETION_INDEX", &index.to_string())
            .env("DRIFTGATE_SHARDS", "3")
            .execute()
            .await;
        assert!(matches!(shard.code, Some(0 | 1)), "{}", shard.stderr);
        runs.extend(tenant_runs(&project.root().join(&dir).join("trace.jsonl")));
        traces.push(format!("{dir}/trace.jsonl"));
    }
    // Every (scenario, tenant) pair ran in exactly one shard.
    let whole_runs = tenant_runs(&project.reports().join("trace.jsonl"));
    runs.sort();
    let mut expected = whole_runs.clone();
    expected.sort();
    assert_eq!(runs, expected);

    let mut args: Vec<&str> = traces.iter().map(String::as_str).collect();
    args.extend(["--config", "driftgate.toml", "-r", "merged"]);
    let (code, out) = merge(&project, &args).await;
    assert_eq!(code, whole.code, "{out}");
    assert_eq!(
        without_times(&read_json(&project.root().join("merged/drift.json"))),
        without_times(whole_report),
    );
}

/// `feature:line name tenant sample` of every scenario end in a trace.
fn tenant_runs(trace: &Path) -> Vec<String> {
    std::fs::read_to_string(trace)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|r| r["kind"] == "scenario")
        .map(|r| {
            let s = &r["scenario"];
            format!(
                "{}:{} {} {} {}",
                s["feature"].as_str().unwrap(),
                s["line"],
                s["name"].as_str().unwrap(),
                s["tenant"],
                s["sample"]
            )
        })
        .collect()
}
