//! `driftgate topology` judged like a run against the real RabbitMQ (the
//! vhosts of [`super::drifting_topology`]): the config's waivers (with their
//! expiry) and `[policy]` apply, every report format is written, and
//! `driftgate report` on the check's trace gives the same answer.

use serde_json::{Value, json};

use super::broker;
use crate::common::{Run, RunResult};

const WAIVER: &str = "DLX-ROLLOUT";
const SCENARIO: &str = "topology of `events`";

/// [`super::environments`] on two vhosts; the dead-letter exchange only
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
{}"#,
        super::environments(vhosts)
    )
}

/// `driftgate topology` of production against staging in `project`,
/// reports into `project/reports`.
async fn topology(project: &tempfile::TempDir, extra: &[&str]) -> RunResult {
    let args = [
        "topology",
        "--baseline",
        "production",
        "--candidate",
        "staging",
        "--reports",
        "reports",
    ];
    Run::bare(&args, project.path()).args(extra).execute().await
}

/// The drift of `erp.orders` whose path ends in `argument`.
fn argument_drift<'a>(run: &'a RunResult, argument: &str) -> &'a Value {
    let path = format!("queue:erp.orders $.arguments['{argument}']");
    run.scenario(SCENARIO)["drifts"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|d| d["path"] == path.as_str())
        .unwrap_or_else(|| panic!("no drift at {path}: {:#}", run.report()))
}

#[tokio::test(flavor = "multi_thread")]
async fn topology_honours_waivers_and_the_policy_and_writes_every_report() {
    let Some(mut b) = broker::broker("topology_honours_waivers_and_the_policy").await else {
        return;
    };
    let (prod, stg) = super::drifting_topology(&mut b).await;
    let project = tempfile::tempdir().unwrap();
    let write_config = |fail_on: &str| {
        let text = config((&prod, &stg), fail_on);
        std::fs::write(project.path().join("driftgate.toml"), text).unwrap()
    };

    // Failing on errors only: the waived argument and the warnings pass the gate.
    write_config(r#""error""#);
    let passing = topology(&project, &["--trace", "topology.jsonl"]).await;
    passing.assert_code(0);
    let stdout = &passing.stdout;
    assert!(
        stdout.contains("baseline: 60000") && stdout.contains("candidate: 30000"),
        "both values of the TTL: {stdout}"
    );
    assert!(stdout.contains("verdict: no drift (exit 0)"), "{stdout}");
    let report = passing.report();
    assert_eq!(report["verdict"], "no_drift", "{report:#}");
    assert_eq!(report["summary"]["waived"], 1, "{report:#}");
    let dlx = argument_drift(&passing, "x-dead-letter-exchange");
    assert_eq!(dlx["class"], "topology");
    assert_eq!(dlx["waived_by"], WAIVER, "{dlx:#}");
    assert_eq!(dlx["baseline"], "dlx", "{dlx:#}");
    let ttl = argument_drift(&passing, "x-message-ttl");
    assert_eq!(ttl["severity"], "warning", "{ttl:#}");
    assert_eq!(
        (&ttl["baseline"], &ttl["candidate"]),
        (&json!(60000), &json!(30000))
    );
    assert!(ttl.get("waived_by").is_none(), "{ttl:#}");
    passing.assert_waiver_noted_in_every_report(WAIVER);
    assert!(
        passing
            .report_file("junit.xml")
            .contains(&format!(r#"<testcase name="{SCENARIO}""#)),
        "one test case per service"
    );
    assert!(passing.report_file("summary.md").contains("✅ NO DRIFT"));
    let root = project.path();
    let trace = std::fs::read_to_string(root.join("topology.jsonl")).unwrap();
    assert!(
        !trace.contains("guest:guest"),
        "the trace holds no credentials"
    );
    passing
        .assert_rebuilt_by_report(&root.join("topology.jsonl"), &root.join("driftgate.toml"))
        .await;

    // Failing on warnings too, after the waiver expired: the gate fails.
    write_config(r#""error", "warning""#);
    let failing = topology(&project, &["--today", "2100-01-01"]).await;
    failing.assert_code(1);
    let stdout = &failing.stdout;
    assert!(
        stdout.contains(&format!("waiver {WAIVER} EXPIRED")),
        "{stdout}"
    );
    assert_eq!(failing.report()["verdict"], "drift");
    let dlx = argument_drift(&failing, "x-dead-letter-exchange");
    assert_eq!(dlx["expired_waiver"], WAIVER, "{dlx:#}");
    assert!(failing.report_file("summary.md").contains("❌ DRIFT"));
}

#[tokio::test(flavor = "multi_thread")]
async fn topology_of_a_missing_vhost_exits_3_and_writes_no_report() {
    let Some(mut b) = broker::broker("topology_of_a_missing_vhost").await else {
        return;
    };
    let prod = b.vhost("prod").await;
    let project = tempfile::tempdir().unwrap();
    let text = config((&prod, "dg-never-created"), r#""error""#);
    std::fs::write(project.path().join("driftgate.toml"), text).unwrap();
    let run = topology(&project, &[]).await;
    run.assert_code(3);
    assert!(run.stderr.contains("`staging`"), "{}", run.stderr);
    assert!(run.drift.is_none(), "no drift.json");
}

#[tokio::test(flavor = "multi_thread")]
async fn topology_without_a_service_compares_every_amqp_service() {
    let Some(mut b) = broker::broker("topology_without_a_service").await else {
        return;
    };
    let (prod, stg) = super::drifting_topology(&mut b).await;
    let project = tempfile::tempdir().unwrap();
    // `audit` reads production's vhost in both environments: no drift there.
    let audit = super::broker::Broker::url(&prod);
    let text = format!(
        "{}\n[environments.production.services.audit]\namqp_url = \"{audit}\"\n\n[environments.staging.services.audit]\namqp_url = \"{audit}\"\n",
        config((&prod, &stg), r#""error""#)
    );
    std::fs::write(project.path().join("driftgate.toml"), text).unwrap();
    let run = topology(&project, &[]).await;
    run.assert_code(0);
    assert_eq!(
        run.scenario_names(),
        ["topology of `audit`", "topology of `events`"]
    );
    assert_eq!(run.scenario("topology of `audit`")["status"], "passed");
    assert_eq!(run.scenario(SCENARIO)["status"], "drifted");
    assert!(run.stdout.contains("scenarios: 2 total"), "{}", run.stdout);
}
