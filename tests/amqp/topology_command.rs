//! `driftgate topology` judged like a run against the real RabbitMQ: two
//! fresh vhosts declare `erp.orders` with different arguments; the config's
//! waivers (with their expiry) and `[policy]` apply, every report format is
//! written, and `driftgate report` on the check's trace gives the same answer.

use std::path::Path;
use std::process::Output;

use assert_cmd::Command;
use serde_json::{Value, json};

use crate::broker::{self, Broker};

const WAIVER: &str = "DLX-ROLLOUT";
const SCENARIO: &str = "topology of `events`";

/// Production and staging on two vhosts; the dead-letter exchange only
/// production declares waived; topology drift a warning; the gate failing
/// on `fail_on`.
fn config(vhosts: (&str, &str), fail_on: &str) -> String {
    format!(
        r#"
[policy]
fail_on = [{fail_on}]
severity = {{ topology = "warning" }}

[[waivers]]
id = "{WAIVER}"
scenario = "topology of*"
path = "queue:erp.orders $.arguments['x-dead-letter-exchange']"
class = "topology"
reason = "staging gets its dead-letter exchange with the next deployment"
owner = "platform-team"
expires = "2099-12-31"

[environments.production]
[environments.production.services.events]
amqp_url = "{}"
timeout_ms = 5000

[environments.staging]
[environments.staging.services.events]
amqp_url = "{}"
timeout_ms = 5000
"#,
        Broker::url(vhosts.0),
        Broker::url(vhosts.1)
    )
}

/// `driftgate ARGS` in `dir`, on a blocking thread.
async fn driftgate(dir: &Path, args: &[&str]) -> Output {
    let (dir, args) = (
        dir.to_owned(),
        args.iter().map(|a| (*a).to_owned()).collect::<Vec<_>>(),
    );
    tokio::task::spawn_blocking(move || {
        Command::cargo_bin("driftgate")
            .unwrap()
            .current_dir(dir)
            .env("NO_COLOR", "1")
            .env_remove("DRIFTGATE_CONFIG")
            .timeout(std::time::Duration::from_secs(60))
            .args(&args)
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

async fn topology(dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "topology",
        "--baseline",
        "production",
        "--candidate",
        "staging",
    ];
    args.extend(extra);
    driftgate(dir, &args).await
}

fn assert_code(output: &Output, code: i32) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert_eq!(
        output.status.code(),
        Some(code),
        "--- stdout\n{stdout}\n--- stderr\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn json_file(path: &Path) -> Value {
    serde_json::from_str(&read(path)).unwrap()
}

/// The topology drift whose path ends in `argument`.
fn argument_drift<'a>(report: &'a Value, argument: &str) -> &'a Value {
    let scenario = report["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == SCENARIO)
        .unwrap_or_else(|| panic!("no scenario {SCENARIO:?}: {report:#}"));
    scenario["drifts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["path"] == format!("queue:erp.orders $.arguments['{argument}']"))
        .unwrap_or_else(|| panic!("no drift of {argument}: {scenario:#}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn topology_honours_waivers_and_the_policy_and_writes_every_report() {
    let Some(mut b) = broker::broker("topology_honours_waivers_and_the_policy").await else {
        return;
    };
    let (prod, stg) = (b.vhost("prod").await, b.vhost("stg").await);
    b.queue(
        &prod,
        "erp.orders",
        json!({"x-message-ttl": 60000, "x-dead-letter-exchange": "dlx"}),
    )
    .await;
    b.queue(&stg, "erp.orders", json!({"x-message-ttl": 30000}))
        .await;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let write_config = |fail_on: &str| {
        std::fs::write(root.join("driftgate.toml"), config((&prod, &stg), fail_on)).unwrap()
    };

    // Failing on errors only: the waived argument and the warning pass the gate.
    write_config(r#""error""#);
    let passing = topology(root, &["--reports", "reports", "--trace", "topology.jsonl"]).await;
    let stdout = assert_code(&passing, 0);
    assert!(
        stdout.contains("baseline: 60000") && stdout.contains("candidate: 30000"),
        "both values of the TTL: {stdout}"
    );
    assert!(
        stdout.contains(&format!("[waived by {WAIVER}]")),
        "{stdout}"
    );
    assert!(stdout.contains("verdict: no drift (exit 0)"), "{stdout}");
    let reports = root.join("reports");
    let report = json_file(&reports.join("drift.json"));
    assert_eq!(report["verdict"], "no_drift", "{report:#}");
    assert_eq!(report["summary"]["waived"], 1, "{report:#}");
    let dlx = argument_drift(&report, "x-dead-letter-exchange");
    assert_eq!(dlx["class"], "topology");
    assert_eq!(dlx["waived_by"], WAIVER, "{dlx:#}");
    assert_eq!(dlx["baseline"], "dlx", "{dlx:#}");
    let ttl = argument_drift(&report, "x-message-ttl");
    assert_eq!(ttl["severity"], "warning", "{ttl:#}");
    assert_eq!(
        (&ttl["baseline"], &ttl["candidate"]),
        (&json!(60000), &json!(30000))
    );
    assert!(ttl.get("waived_by").is_none(), "{ttl:#}");
    let junit = read(&reports.join("junit.xml"));
    assert!(
        junit.contains(&format!(r#"<testcase name="{SCENARIO}""#)),
        "{junit}"
    );
    assert!(junit.contains(&format!("[waived by {WAIVER}]")), "{junit}");
    let summary = read(&reports.join("summary.md"));
    assert!(summary.contains("✅ NO DRIFT"), "{summary}");
    assert!(
        summary.contains(&format!("(waived by {WAIVER})")),
        "{summary}"
    );
    for file in ["cucumber.json", "report.html"] {
        assert!(reports.join(file).is_file(), "{file} is written");
    }
    assert!(
        !read(&root.join("topology.jsonl")).contains("guest:guest"),
        "the trace holds no credentials"
    );

    // The trace, judged by `driftgate report`, gives the same answer.
    let rebuilt = driftgate(
        root,
        &[
            "report",
            "topology.jsonl",
            "--config",
            "driftgate.toml",
            "--reports",
            "rebuilt",
        ],
    )
    .await;
    assert_code(&rebuilt, 0);
    assert_eq!(json_file(&root.join("rebuilt/drift.json")), report);

    // Failing on warnings too, after the waiver expired: the gate fails.
    write_config(r#""error", "warning""#);
    let failing = topology(root, &["--reports", "strict", "--today", "2100-01-01"]).await;
    let stdout = assert_code(&failing, 1);
    assert!(
        stdout.contains(&format!("waiver {WAIVER} EXPIRED")),
        "{stdout}"
    );
    let strict = json_file(&root.join("strict/drift.json"));
    assert_eq!(strict["verdict"], "drift", "{strict:#}");
    assert_eq!(
        argument_drift(&strict, "x-dead-letter-exchange")["expired_waiver"],
        WAIVER
    );
    assert!(read(&root.join("strict/summary.md")).contains("❌ DRIFT"));
}

#[tokio::test(flavor = "multi_thread")]
async fn topology_of_a_missing_vhost_exits_3_and_writes_no_report() {
    let Some(mut b) = broker::broker("topology_of_a_missing_vhost").await else {
        return;
    };
    let prod = b.vhost("prod").await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("driftgate.toml"),
        config((&prod, "dg-never-created"), r#""error""#),
    )
    .unwrap();
    let output = topology(dir.path(), &["--reports", "reports"]).await;
    assert_code(&output, 3);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("`staging`"),
        "names the environment: {stderr}"
    );
    assert!(!dir.path().join("reports/drift.json").exists());
}
