//! `driftgate db-parity` judged like a run against two pysqlbridge servers
//! whose `orders` tables differ (tests/fixtures/tds/README.md): the config's
//! waivers (with their expiry) and `[policy]` apply, every report format is
//! written, and `driftgate report` on the check's trace gives the same answer.

use std::path::Path;
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;

use crate::server::{PASSWORD, TdsServer, unavailable};

const PASSWORD_VAR: &str = "ERP_DB_PASSWORD";
const WAIVER: &str = "PRIORITY-ROLLOUT";
const ORDERS_COLUMNS: &str = "erpdb: table dbo.orders columns";
const PRIORITY: &str = "row[column_name=Priority]";

/// Production and staging with one `erpdb` each; the staging-only
/// `Priority` column waived; configuration drift a warning; the gate
/// failing on `fail_on`.
fn config(production: &TdsServer, staging: &TdsServer, fail_on: &str) -> String {
    format!(
        r#"
[policy]
fail_on = [{fail_on}]
severity = {{ configuration = "warning" }}

[[waivers]]
id = "{WAIVER}"
scenario = "{ORDERS_COLUMNS}"
path = "*column_name=Priority*"
reason = "the priority column reaches production with the next release"
owner = "erp-team"
expires = "2099-12-31"

[environments.production]
protected = true

[environments.production.services.erpdb]
kind = "sqlserver"
connection = "{}"

[environments.staging]

[environments.staging.services.erpdb]
kind = "sqlserver"
connection = "{}"
timeout_ms = 5000
"#,
        production.connection(PASSWORD_VAR, true),
        staging.connection(PASSWORD_VAR, false)
    )
}

/// `driftgate ARGS` in `dir`, with the database password set.
fn driftgate(dir: &Path, args: &[&str]) -> Output {
    Command::cargo_bin("driftgate")
        .unwrap()
        .current_dir(dir)
        .env(PASSWORD_VAR, PASSWORD)
        .env("NO_COLOR", "1")
        .env_remove("DRIFTGATE_CONFIG")
        .timeout(std::time::Duration::from_secs(60))
        .args(args)
        .output()
        .unwrap()
}

/// `driftgate db-parity` of `erpdb` and `dbo.orders`, production against staging.
fn db_parity(dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "db-parity",
        "--baseline",
        "production",
        "--candidate",
        "staging",
        "--service",
        "erpdb",
        "--table",
        "dbo.orders",
    ];
    args.extend(extra);
    driftgate(dir, &args)
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

fn json(path: &Path) -> Value {
    serde_json::from_str(&read(path)).unwrap()
}

/// The drift of the `orders` columns at `path`.
fn column_drift<'a>(report: &'a Value, path: &str) -> &'a Value {
    let scenario = report["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == ORDERS_COLUMNS)
        .unwrap_or_else(|| panic!("no scenario {ORDERS_COLUMNS:?}: {report:#}"));
    scenario["drifts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["path"] == path)
        .unwrap_or_else(|| panic!("no drift at {path}: {scenario:#}"))
}

#[test]
fn db_parity_honours_waivers_and_the_policy_and_writes_every_report() {
    if unavailable("db_parity_honours_waivers_and_the_policy_and_writes_every_report") {
        return;
    }
    let production = TdsServer::start("production", &[], None);
    let staging = TdsServer::start("staging", &[], None);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let write_config = |fail_on: &str| {
        std::fs::write(
            root.join("driftgate.toml"),
            config(&production, &staging, fail_on),
        )
        .unwrap()
    };

    // Failing on errors only: the waived column and the warning pass the gate.
    write_config(r#""error""#);
    let passing = db_parity(root, &["--reports", "reports", "--trace", "db.trace.jsonl"]);
    let stdout = assert_code(&passing, 0);
    assert!(
        stdout.contains(r#"baseline: "int""#) && stdout.contains(r#"candidate: "float""#),
        "both values of the Weight column's type: {stdout}"
    );
    assert!(
        stdout.contains(&format!("[waived by {WAIVER}]")),
        "{stdout}"
    );
    assert!(stdout.contains("verdict: no drift (exit 0)"), "{stdout}");
    let reports = root.join("reports");
    let report = json(&reports.join("drift.json"));
    assert_eq!(report["verdict"], "no_drift", "{report:#}");
    assert_eq!(report["summary"]["waived"], 1, "{report:#}");
    let priority = column_drift(&report, PRIORITY);
    assert_eq!(priority["class"], "configuration");
    assert_eq!(priority["waived_by"], WAIVER, "{priority:#}");
    let weight = column_drift(&report, "row[column_name=Weight].data_type");
    assert_eq!(weight["severity"], "warning", "{weight:#}");
    assert_eq!(weight["baseline"], "int", "{weight:#}");
    assert_eq!(weight["candidate"], "float", "{weight:#}");
    assert!(weight.get("waived_by").is_none(), "{weight:#}");
    let junit = read(&reports.join("junit.xml"));
    assert!(
        junit.contains(&format!(r#"<testcase name="{ORDERS_COLUMNS}""#)),
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
        !read(&root.join("db.trace.jsonl")).contains(PASSWORD),
        "the trace holds no secret"
    );

    // The trace, judged by `driftgate report`, gives the same answer.
    let rebuilt = driftgate(
        root,
        &[
            "report",
            "db.trace.jsonl",
            "--config",
            "driftgate.toml",
            "--reports",
            "rebuilt",
        ],
    );
    assert_code(&rebuilt, 0);
    assert_eq!(json(&root.join("rebuilt/drift.json")), report);

    // Failing on warnings too, after the waiver expired: the gate fails.
    write_config(r#""error", "warning""#);
    let failing = db_parity(root, &["--reports", "strict", "--today", "2100-01-01"]);
    let stdout = assert_code(&failing, 1);
    assert!(
        stdout.contains(&format!("waiver {WAIVER} EXPIRED")),
        "{stdout}"
    );
    let strict = json(&root.join("strict/drift.json"));
    assert_eq!(strict["verdict"], "drift", "{strict:#}");
    assert_eq!(column_drift(&strict, PRIORITY)["expired_waiver"], WAIVER);
    assert!(read(&root.join("strict/summary.md")).contains("❌ DRIFT"));
}

#[test]
fn db_parity_of_an_unreachable_environment_exits_3_and_writes_no_report() {
    if unavailable("db_parity_of_an_unreachable_environment_exits_3_and_writes_no_report") {
        return;
    }
    let production = TdsServer::start("production", &[], None);
    let mut staging = TdsServer::start("staging", &[], None);
    staging.kill();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("driftgate.toml"),
        config(&production, &staging, r#""error""#),
    )
    .unwrap();
    let output = db_parity(dir.path(), &["--reports", "reports"]);
    assert_code(&output, 3);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("`staging`"),
        "names the environment: {stderr}"
    );
    assert!(!stderr.contains(PASSWORD), "{stderr}");
    assert!(!dir.path().join("reports/drift.json").exists());
}
