//! End to end: an interrupted run loses nothing and hides nothing. The real
//! binary runs 40 scenarios against mocks that answer slowly; SIGINT or
//! SIGTERM mid-run stops it with every report written and marked
//! `INCOMPLETE`, and the trace of a run killed with SIGKILL (even one whose
//! last line was torn) is judged `incomplete`, never `no drift`.

#![cfg(unix)]

use crate::common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{BASELINE, CANDIDATE, Project, Run, TwinConfig, Twins};
use serde_json::Value;
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, ResponseTemplate};

/// Scenario runs in the suite.
const SCENARIOS: usize = 40;

/// Both mocks answer every order read after `delay`.
async fn slow_orders(mocks: &Twins, delay: Duration) {
    for server in mocks.both() {
        Mock::given(method("GET"))
            .and(path_regex("^/api/orders/"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(serde_json::json!({"status": "OPEN"}))
                    .set_delay(delay),
            )
            .mount(server)
            .await;
    }
}

/// A project with one outline of [`SCENARIOS`] rows, each reading an order.
fn suite(mocks: &Twins) -> Project {
    let project = Project::new(&TwinConfig::new(mocks).render());
    let rows: String = (1..=SCENARIOS)
        .map(|n| format!("      | {n} |\n"))
        .collect();
    project.feature(
        "orders.feature",
        &format!(
            "Feature: Orders\n  Scenario Outline: Read order <n>\n    When I send a GET request to \"/api/orders/<n>\"\n    Then the response status should be 200\n\n    Examples:\n      | n |\n{rows}"
        ),
    );
    project
}

/// Starts `driftgate run` on the project in the background.
fn start_run(project: &Project) -> Child {
    let reports = project.reports().display().to_string();
    start(
        project,
        &[
            "run",
            "--baseline",
            BASELINE,
            "--candidate",
            CANDIDATE,
            "-q",
            "--reports",
            &reports,
        ],
    )
}

/// Starts the binary with `args`, the project's config and two scenarios at once.
fn start(project: &Project, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_driftgate"))
        .args(args)
        .arg("--config")
        .arg(project.config_path())
        .args(["--concurrency", "2"])
        .current_dir(project.root())
        .env_remove("DRIFTGATE_CONFIG")
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start driftgate")
}

/// The whole records of a trace file (a line being written is left out).
fn records(trace: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(trace).unwrap_or_default();
    text.lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

fn finished_scenarios(trace: &Path) -> usize {
    records(trace)
        .iter()
        .filter(|r| r["kind"] == "scenario")
        .count()
}

/// Waits until at least `n` scenarios finished in the trace.
async fn wait_for_scenarios(trace: &Path, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while finished_scenarios(trace) < n {
        assert!(
            Instant::now() < deadline,
            "{n} scenarios did not finish within 30 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .args([format!("-{name}"), child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -{name} failed");
}

/// What the stopped process left: exit code, stdout, stderr.
struct Exited {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    took: Duration,
}

/// Waits (at most `limit`) for the process to end.
async fn wait(child: Child, limit: Duration) -> Exited {
    let started = Instant::now();
    let output = tokio::time::timeout(
        limit,
        tokio::task::spawn_blocking(move || child.wait_with_output()),
    )
    .await
    .unwrap_or_else(|_| panic!("driftgate did not exit within {limit:?} of the signal"))
    .expect("the waiting task")
    .expect("wait for driftgate");
    Exited {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        took: started.elapsed(),
    }
}

/// Every report file is there, and each says the run is incomplete with `ran` of 40.
fn assert_reports_say_incomplete(reports: &Path, ran: usize, signal: &str) {
    let headline =
        format!("INCOMPLETE: {ran} of {SCENARIOS} scenarios ran (interrupted by {signal})");
    for file in [
        "drift.json",
        "junit.xml",
        "report.html",
        "summary.md",
        "cucumber.json",
    ] {
        let text = std::fs::read_to_string(reports.join(file))
            .unwrap_or_else(|e| panic!("{file} was not written: {e}"));
        assert!(
            text.contains(&headline),
            "{file} lacks `{headline}`:\n{text}"
        );
    }
}

/// `driftgate report TRACE --reports reports` in the project.
async fn rebuild_report(project: &Project, trace: &Path) -> common::RunResult {
    Run::bare(
        &[
            "report",
            &trace.display().to_string(),
            "--reports",
            "reports",
        ],
        project.root(),
    )
    .execute()
    .await
}

fn drift_json(reports: &Path) -> Value {
    let text = std::fs::read_to_string(reports.join("drift.json")).expect("drift.json");
    serde_json::from_str(&text).expect("drift.json is JSON")
}

#[tokio::test(flavor = "multi_thread")]
async fn sigint_mid_run_finishes_running_scenarios_writes_every_report_and_exits_130() {
    let mocks = Twins::start().await;
    slow_orders(&mocks, Duration::from_millis(150)).await;
    let project = suite(&mocks);
    let trace = project.reports().join("trace.jsonl");
    let child = start_run(&project);
    wait_for_scenarios(&trace, 4).await;

    signal(&child, "INT");
    let exited = wait(child, Duration::from_secs(20)).await;

    assert_eq!(exited.code, Some(130), "stderr:\n{}", exited.stderr);
    let trace_records = records(&trace);
    let last = trace_records.last().expect("a trace");
    assert_eq!(last["kind"], "interrupted", "{last}");
    assert_eq!(last["signal"], "SIGINT");
    assert_eq!(last["abandoned"], 0, "the first signal abandons nothing");
    let ran = finished_scenarios(&trace);
    assert!((4..SCENARIOS).contains(&ran), "{ran} scenarios ran");
    assert_eq!(last["ran"], ran);
    assert_eq!(last["scenarios"], SCENARIOS);
    // Scenarios under way when the signal came finished: every scenario
    // that has a step in the trace also has its end record.
    let started: std::collections::BTreeSet<String> = trace_records
        .iter()
        .filter(|r| r["kind"] == "step")
        .map(|r| r["scenario"]["name"].to_string())
        .collect();
    assert_eq!(started.len(), ran, "a scenario was left half run");
    assert_reports_say_incomplete(&project.reports(), ran, "SIGINT");
    let doc = drift_json(&project.reports());
    assert_eq!(doc["verdict"], "incomplete");
    assert_eq!(doc["exit_code"], 130);
    assert_eq!(doc["summary"]["scenarios"], ran);
    assert!(
        exited
            .stdout
            .contains(&format!("INCOMPLETE: {ran} of {SCENARIOS} scenarios ran"))
            && exited.stdout.contains("verdict: INCOMPLETE (exit 130)"),
        "terminal report:\n{}",
        exited.stdout
    );
    // Rebuilt from the trace, the report gives the same verdict and counts.
    let rebuilt = rebuild_report(&project, &trace).await;
    rebuilt.assert_code(4);
    assert_eq!(rebuilt.report()["verdict"], "incomplete");
    assert_eq!(rebuilt.report()["incomplete"]["ran"], ran);
    assert_eq!(rebuilt.report()["incomplete"]["signal"], "SIGINT");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_sigterm_abandons_running_scenarios_and_exits_143() {
    let mocks = Twins::start().await;
    // A request takes 20 s: without the second signal the run would wait for it.
    slow_orders(&mocks, Duration::from_secs(20)).await;
    let project = suite(&mocks);
    let trace = project.reports().join("trace.jsonl");
    let child = start_run(&project);
    // Both running scenarios are waiting for their first answer.
    let deadline = Instant::now() + Duration::from_secs(30);
    while mocks
        .baseline
        .received_requests()
        .await
        .unwrap_or_default()
        .len()
        < 2
    {
        assert!(Instant::now() < deadline, "the run did not start");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    signal(&child, "TERM");
    tokio::time::sleep(Duration::from_millis(300)).await;
    signal(&child, "TERM");
    let exited = wait(child, Duration::from_secs(10)).await;

    assert_eq!(exited.code, Some(143), "stderr:\n{}", exited.stderr);
    assert!(exited.took < Duration::from_secs(10));
    let last = records(&trace).pop().expect("a trace");
    assert_eq!(last["kind"], "interrupted", "{last}");
    assert_eq!(last["signal"], "SIGTERM");
    assert_eq!(last["ran"], 0);
    assert_eq!(
        last["abandoned"], 2,
        "both running scenarios were abandoned"
    );
    assert_reports_say_incomplete(&project.reports(), 0, "SIGTERM");
    assert_eq!(drift_json(&project.reports())["exit_code"], 143);
    assert!(
        exited.stderr.contains("abandoning 2 running scenarios"),
        "{}",
        exited.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_run_is_judged_incomplete_even_with_a_torn_last_line() {
    let mocks = Twins::start().await;
    slow_orders(&mocks, Duration::from_millis(150)).await;
    let project = suite(&mocks);
    let trace = project.reports().join("trace.jsonl");
    let started = Instant::now();
    let mut child = start_run(&project);
    wait_for_scenarios(&trace, 4).await;

    child.kill().expect("SIGKILL driftgate");
    let _ = child.wait();
    let wall_ms = started.elapsed().as_secs_f64() * 1000.0;

    let ran = finished_scenarios(&trace);
    let report = rebuild_report(&project, &trace).await;
    report.assert_code(4);
    let doc = report.report().clone();
    assert_eq!(doc["verdict"], "incomplete", "{doc:#}");
    assert_eq!(doc["exit_code"], 4);
    assert_eq!(doc["incomplete"]["cause"], "unfinished");
    assert_eq!(doc["incomplete"]["ran"], ran);
    assert_eq!(doc["incomplete"]["planned"], SCENARIOS);
    let duration = doc["duration_ms"].as_f64().expect("a duration");
    assert!(
        duration > 0.0 && duration < wall_ms,
        "duration {duration} ms is not from the records (the run lived {wall_ms} ms)"
    );
    assert!(
        report.stdout.contains(&format!(
            "INCOMPLETE: {ran} of {SCENARIOS} scenarios ran ({} has no run-end record",
            trace.display()
        )) && report.stdout.contains("verdict: INCOMPLETE (exit 4)"),
        "{}",
        report.stdout
    );

    // Compared with another trace, it still makes the verdict incomplete.
    let shown = trace.display().to_string();
    let compare = Run::bare(
        &["compare", &shown, &shown, "--reports", "reports"],
        project.root(),
    )
    .execute()
    .await;
    compare.assert_code(4);
    assert_eq!(compare.report()["incomplete"]["ran"], ran);

    // The kill cut the last record short: it is dropped with a warning, the rest judged.
    let mut text = std::fs::read_to_string(&trace).expect("the trace");
    let lines = text.lines().count();
    text.push_str(r#"{"kind":"step","scenario":{"feature":"features/orders.feat"#);
    std::fs::write(&trace, text).expect("tear the trace");
    let torn = rebuild_report(&project, &trace).await;
    torn.assert_code(4);
    assert!(
        torn.stderr.contains(&format!(
            "trace {}:{}: the last line is cut short",
            trace.display(),
            lines + 1
        )),
        "{}",
        torn.stderr
    );
    assert_eq!(torn.report()["incomplete"]["ran"], ran);
    assert_eq!(
        torn.report()["summary"]["scenarios"],
        doc["summary"]["scenarios"]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sigint_during_a_recording_ends_its_trace_interrupted_and_exits_130() {
    let mocks = Twins::start().await;
    slow_orders(&mocks, Duration::from_millis(150)).await;
    let project = suite(&mocks);
    let trace = project.root().join("production.trace.jsonl");
    let shown = trace.display().to_string();
    let child = start(&project, &["record", "--env", BASELINE, "-o", &shown]);
    wait_for_scenarios(&trace, 2).await;

    signal(&child, "INT");
    let exited = wait(child, Duration::from_secs(20)).await;

    assert_eq!(exited.code, Some(130), "stderr:\n{}", exited.stderr);
    let last = records(&trace).pop().expect("a trace");
    assert_eq!(last["kind"], "interrupted", "{last}");
    let ran = finished_scenarios(&trace);
    assert_eq!(last["ran"], ran);
    assert!(
        exited.stderr.contains(&format!(
            "INCOMPLETE: {ran} of {SCENARIOS} scenarios ran (interrupted by SIGINT)"
        )),
        "{}",
        exited.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sigint_against_a_recorded_baseline_leaves_an_incomplete_paired_trace() {
    let mocks = Twins::start().await;
    slow_orders(&mocks, Duration::from_millis(100)).await;
    let project = suite(&mocks);
    let baseline = project
        .root()
        .join("production.trace.jsonl")
        .display()
        .to_string();
    let recorded = wait(
        start(&project, &["record", "--env", BASELINE, "-o", &baseline]),
        Duration::from_secs(60),
    )
    .await;
    assert_eq!(recorded.code, Some(0), "{}", recorded.stderr);
    let reports = project.reports().display().to_string();
    let live = project.reports().join("candidate.trace.jsonl");
    let child = start(
        &project,
        &[
            "run",
            "--candidate",
            CANDIDATE,
            "--baseline-trace",
            &baseline,
            "-q",
            "--reports",
            &reports,
        ],
    );
    wait_for_scenarios(&live, 2).await;

    signal(&child, "INT");
    let exited = wait(child, Duration::from_secs(20)).await;

    assert_eq!(exited.code, Some(130), "stderr:\n{}", exited.stderr);
    let ran = finished_scenarios(&live);
    assert_reports_say_incomplete(&project.reports(), ran, "SIGINT");
    let paired = project.reports().join("trace.jsonl");
    let last = records(&paired).pop().expect("a paired trace");
    assert_eq!(last["kind"], "interrupted", "{last}");
    let doc = drift_json(&project.reports());
    assert_eq!(
        doc["summary"]["scenarios"], ran,
        "scenarios the interrupted candidate never ran are no drift: {doc:#}"
    );
    assert_eq!(doc["summary"]["drifts"], 0, "{doc:#}");
    let rebuilt = rebuild_report(&project, &paired).await;
    rebuilt.assert_code(4);
    assert_eq!(rebuilt.report()["incomplete"]["ran"], ran);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_recording_with_refused_writes_exits_1_naming_them() {
    let mocks = Twins::start().await;
    let project = Project::new(&TwinConfig::new(&mocks).protected_production().render());
    project.feature(
        "orders.feature",
        "Feature: Orders\n  Scenario: Create an order\n    When I send a POST request to \"/api/orders\"\n      \"\"\"\n      {\"sku\": \"A-1\"}\n      \"\"\"\n",
    );
    let out = project.root().join("production.trace.jsonl");
    let record = Run::bare(
        &[
            "record",
            "--config",
            &project.config_path().display().to_string(),
            "--env",
            BASELINE,
            "-o",
            &out.display().to_string(),
        ],
        project.root(),
    )
    .execute()
    .await;
    record.assert_code(1);
    assert!(
        record
            .stderr
            .contains("1 of 1 scenarios failed or were refused in `production`")
            && record.stderr.contains("Create an order")
            && record.stderr.contains("protected"),
        "{}",
        record.stderr
    );
    assert!(
        mocks
            .baseline
            .received_requests()
            .await
            .unwrap_or_default()
            .is_empty(),
        "the refused write was sent"
    );
}
