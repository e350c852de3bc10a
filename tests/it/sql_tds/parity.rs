//! `driftgate db-parity` judged like a run against two pysqlbridge servers
//! whose `orders` tables differ (tests/fixtures/tds/README.md): the config's
//! waivers (with their expiry) and `[policy]` apply, every report format is
//! written, and `driftgate report` on the check's trace gives the same answer.

use serde_json::Value;

use super::runs::PASSWORD_VAR;
use super::server::{PASSWORD, TdsServer, unavailable};
use crate::common::{Run, RunResult};

const WAIVER: &str = "PRIORITY-ROLLOUT";
const ORDERS_COLUMNS: &str = "erpdb: table dbo.orders columns";
const PRIORITY: &str = "row[column_name=Priority]";

/// The environments of [`super::runs::config`] with the staging-only
/// `Priority` column waived, configuration drift a warning and the gate
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
path = "{PRIORITY}"
reason = "the priority column reaches production with the next release"
owner = "erp-team"
expires = "2099-12-31"
{}"#,
        super::runs::config(production, staging)
    )
}

/// `driftgate db-parity` of `erpdb` and `table`, production against
/// staging, in `project`, reports into `project/reports`.
async fn db_parity(project: &tempfile::TempDir, table: &str, extra: &[&str]) -> RunResult {
    let args = [
        "db-parity",
        "--baseline",
        "production",
        "--candidate",
        "staging",
        "--service",
        "erpdb",
        "--table",
        table,
        "--reports",
        "reports",
    ];
    Run::bare(&args, project.path())
        .args(extra)
        .env(PASSWORD_VAR, PASSWORD)
        .execute()
        .await
}

/// The drift of the `orders` columns at `path`.
fn column_drift<'a>(run: &'a RunResult, path: &str) -> &'a Value {
    run.scenario(ORDERS_COLUMNS)["drifts"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|d| d["path"] == path)
        .unwrap_or_else(|| panic!("no drift at {path}: {:#}", run.report()))
}

#[tokio::test(flavor = "multi_thread")]
async fn db_parity_reports_schema_drift_with_both_values() {
    if unavailable("db_parity_reports_schema_drift_with_both_values") {
        return;
    }
    let production = TdsServer::start("production", &[], None);
    let staging = TdsServer::start("staging", &[], None);
    let project = tempfile::tempdir().unwrap();
    let text = super::runs::config(&production, &staging);
    std::fs::write(project.path().join("driftgate.toml"), text).unwrap();
    db_parity(&project, "dbo.items", &[]).await.assert_code(0);
    let differs = db_parity(&project, "dbo.orders", &[]).await;
    differs.assert_code(1);
    let stdout = &differs.stdout;
    assert!(
        stdout.contains(&format!("DRIFT  {ORDERS_COLUMNS}")),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            r#"row[column_name=Weight].data_type          baseline: "int"     candidate: "float""#
        ),
        "both values: {stdout}"
    );
    assert!(
        stdout.contains(r#"row[column_name=Priority]                  baseline: (absent)  candidate: {"column_name":"Priority""#),
        "{stdout}"
    );
    assert_eq!(differs.report()["verdict"], "drift");
}

#[tokio::test(flavor = "multi_thread")]
async fn db_parity_honours_waivers_and_the_policy_and_writes_every_report() {
    if unavailable("db_parity_honours_waivers_and_the_policy_and_writes_every_report") {
        return;
    }
    let production = TdsServer::start("production", &[], None);
    let staging = TdsServer::start("staging", &[], None);
    let project = tempfile::tempdir().unwrap();
    let write_config = |fail_on: &str| {
        let text = config(&production, &staging, fail_on);
        std::fs::write(project.path().join("driftgate.toml"), text).unwrap()
    };

    // Failing on errors only: the waived column and the warnings pass the gate.
    write_config(r#""error""#);
    let passing = db_parity(&project, "dbo.orders", &["--trace", "db.trace.jsonl"]).await;
    passing.assert_code(0);
    let stdout = &passing.stdout;
    assert!(
        stdout.contains(r#"baseline: "int""#) && stdout.contains(r#"candidate: "float""#),
        "both values of the Weight column's type: {stdout}"
    );
    assert!(stdout.contains("verdict: no drift (exit 0)"), "{stdout}");
    let report = passing.report();
    assert_eq!(report["verdict"], "no_drift", "{report:#}");
    assert_eq!(report["summary"]["waived"], 1, "{report:#}");
    let priority = column_drift(&passing, PRIORITY);
    assert_eq!(priority["class"], "configuration");
    assert_eq!(priority["waived_by"], WAIVER, "{priority:#}");
    let weight = column_drift(&passing, "row[column_name=Weight].data_type");
    assert_eq!(weight["severity"], "warning", "{weight:#}");
    assert_eq!(
        (&weight["baseline"], &weight["candidate"]),
        (&"int".into(), &"float".into())
    );
    assert!(weight.get("waived_by").is_none(), "{weight:#}");
    passing.assert_waiver_noted_in_every_report(WAIVER);
    assert!(
        passing
            .report_file("junit.xml")
            .contains(&format!(r#"<testcase name="{ORDERS_COLUMNS}""#)),
        "one test case per probe"
    );
    assert!(passing.report_file("summary.md").contains("✅ NO DRIFT"));
    let root = project.path();
    let trace = std::fs::read_to_string(root.join("db.trace.jsonl")).unwrap();
    assert!(!trace.contains(PASSWORD), "the trace holds no secret");
    passing
        .assert_rebuilt_by_report(&root.join("db.trace.jsonl"), &root.join("driftgate.toml"))
        .await;

    // Failing on warnings too, after the waiver expired: the gate fails.
    write_config(r#""error", "warning""#);
    let failing = db_parity(&project, "dbo.orders", &["--today", "2100-01-01"]).await;
    failing.assert_code(1);
    let stdout = &failing.stdout;
    assert!(
        stdout.contains(&format!("waiver {WAIVER} EXPIRED")),
        "{stdout}"
    );
    assert_eq!(failing.report()["verdict"], "drift");
    let priority = column_drift(&failing, PRIORITY);
    assert_eq!(priority["expired_waiver"], WAIVER, "{priority:#}");
    assert!(failing.report_file("summary.md").contains("❌ DRIFT"));
}

#[tokio::test(flavor = "multi_thread")]
async fn db_parity_of_an_unreachable_environment_exits_3_and_writes_no_report() {
    if unavailable("db_parity_of_an_unreachable_environment_exits_3_and_writes_no_report") {
        return;
    }
    let production = TdsServer::start("production", &[], None);
    // Staging's connection names port 1, where nothing listens (a server
    // started and killed here could free a port another test's server takes).
    let listening = production.connection(PASSWORD_VAR, false);
    let refused = listening.replace(&format!(",{};", production.port), ",1;");
    let text = config(&production, &production, r#""error""#).replace(&listening, &refused);
    assert!(text.contains(&refused), "{text}");
    let project = tempfile::tempdir().unwrap();
    std::fs::write(project.path().join("driftgate.toml"), text).unwrap();
    let run = db_parity(&project, "dbo.orders", &[]).await;
    run.assert_code(3);
    assert!(run.stderr.contains("`staging`"), "{}", run.stderr);
    assert!(!run.stderr.contains(PASSWORD), "{}", run.stderr);
    assert!(run.drift.is_none(), "no drift.json");
}
