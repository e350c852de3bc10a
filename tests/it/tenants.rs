//! End to end: a tenant matrix declared as data. Two tenants with different
//! plants in both environments (one of them served by its own staging host):
//! every scenario runs once per tenant with that tenant's variables on both
//! sides, drift is reported for the tenant it happened in only, and
//! `--tenant` selects tenants.

use crate::common::{Project, Run, Twins, one_scenario};
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Production serves acme (P100) and globex (P200); staging serves acme
/// (S100) itself and globex (S200) from its own host.
fn config(mocks: &Twins, globex_staging: &MockServer) -> String {
    format!(
        r#"[run]
features = ["features"]
default_service = "erp"

[tenants.acme]
variables = {{ region = "eu" }}

[tenants.globex]
variables = {{ region = "us" }}

[environments.production]
[environments.production.services.erp]
base_url = "{production}"
headers = {{ "X-Tenant" = "{{{{ env.tenant }}}}" }}
[environments.production.tenants.acme]
variables = {{ plant = "P100" }}
[environments.production.tenants.globex]
variables = {{ plant = "P200" }}

[environments.staging]
[environments.staging.services.erp]
base_url = "{staging}"
headers = {{ "X-Tenant" = "{{{{ env.tenant }}}}" }}
[environments.staging.tenants.acme]
variables = {{ plant = "S100" }}
[environments.staging.tenants.globex]
variables = {{ plant = "S200" }}
services.erp = {{ base_url = "{globex}" }}
"#,
        production = mocks.baseline.uri(),
        staging = mocks.candidate.uri(),
        globex = globex_staging.uri(),
    )
}

/// `GET /api/plants/PLANT/stock` for `tenant` only, answering `body`.
async fn stock(server: &MockServer, tenant: &str, plant: &str, body: Value) {
    Mock::given(method("GET"))
        .and(path(format!("/api/plants/{plant}/stock")))
        .and(header("x-tenant", tenant))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(server)
        .await;
}

struct Matrix {
    mocks: Twins,
    globex_staging: MockServer,
    project: Project,
}

/// The same stock in both environments for acme; globex's staging host
/// reports a different quantity.
async fn matrix() -> Matrix {
    let mocks = Twins::start().await;
    let globex_staging = MockServer::start().await;
    let body = |plant: &str, qty: u32| json!({"plant": plant, "region": "eu", "qty": qty});
    stock(&mocks.baseline, "acme", "P100", body("P100", 5)).await;
    stock(&mocks.candidate, "acme", "S100", body("S100", 5)).await;
    stock(&mocks.baseline, "globex", "P200", body("P200", 7)).await;
    stock(&globex_staging, "globex", "S200", body("S200", 9)).await;
    let project = Project::new(&config(&mocks, &globex_staging));
    project.feature(
        "stock.feature",
        &one_scenario(
            "Read plant stock",
            "",
            &[
                r#"When I send a GET request to "/api/plants/{{ env.plant }}/stock""#,
                "Then the response status should be 200",
            ],
        ),
    );
    Matrix {
        mocks,
        globex_staging,
        project,
    }
}

fn tenant_of(scenario: &Value) -> &str {
    scenario["tenant"].as_str().expect("tenant is a string")
}

async fn received(server: &MockServer) -> usize {
    server.received_requests().await.map_or(0, |r| r.len())
}

#[tokio::test(flavor = "multi_thread")]
async fn every_scenario_runs_once_per_tenant_and_drift_stays_with_its_tenant() {
    let m = matrix().await;

    let run = m.project.run().execute().await;

    run.assert_code(1);
    let scenarios = run.scenarios();
    let tenants: Vec<&str> = scenarios.iter().map(tenant_of).collect();
    assert_eq!(tenants, ["acme", "globex"], "{:#}", run.report());
    let acme = &scenarios[0];
    assert_eq!(acme["status"], "passed", "{acme:#}");
    assert_eq!(
        acme["drifts"],
        json!([]),
        "plants differ by tenant variables only"
    );
    let globex = &scenarios[1];
    assert_eq!(globex["status"], "drifted");
    let drifts = globex["drifts"].as_array().unwrap();
    assert_eq!(drifts.len(), 1, "{globex:#}");
    assert_eq!(drifts[0]["class"], "value_change");
    assert_eq!(drifts[0]["path"], "$.qty");
    assert_eq!(
        (&drifts[0]["baseline"], &drifts[0]["candidate"]),
        (&json!(7), &json!(9))
    );
    let by_tenant = &run.report()["tenants"];
    assert_eq!(by_tenant["acme"]["drifts"], 0, "{by_tenant:#}");
    assert_eq!(by_tenant["globex"]["drifts"], 1);
    assert_eq!(by_tenant["globex"]["drifted"], 1);

    assert_eq!(
        received(&m.mocks.baseline).await,
        2,
        "one request per tenant"
    );
    assert_eq!(received(&m.mocks.candidate).await, 1, "acme only");
    assert_eq!(received(&m.globex_staging).await, 1, "globex's own host");

    let globex_heading = run.stdout.find("tenant globex\n").expect(&run.stdout);
    let drift_line = run.stdout.find("$.qty").expect(&run.stdout);
    assert!(globex_heading < drift_line, "{}", run.stdout);
    assert!(
        !run.stdout.contains("tenant acme\n"),
        "acme has nothing to list: {}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("tenant acme: 1 scenarios, 1 passed, 0 drifted, 0 failed, 0 drifts")
    );
    assert!(
        run.stdout
            .contains("tenant globex: 1 scenarios, 0 passed, 1 drifted, 0 failed, 1 drift")
    );
    let junit = run.report_file("junit.xml");
    assert!(
        junit.contains(r#"name="Read plant stock [tenant acme]""#),
        "{junit}"
    );
    assert!(
        junit.contains(r#"name="Read plant stock [tenant globex]""#),
        "{junit}"
    );
    assert_eq!(junit.matches("<failure").count(), 1, "{junit}");
    for file in ["cucumber.json", "report.html"] {
        let text = run.report_file(file);
        assert!(
            text.contains("Read plant stock [tenant globex]"),
            "{file}: {text}"
        );
    }
    let summary = run.report_file("summary.md");
    assert!(
        summary.contains(r"Read plant stock \[tenant globex\]"),
        "{summary}"
    );
    assert!(
        summary.contains("| `globex` | 1 | 0 | 1 | 0 | 1 |"),
        "{summary}"
    );

    // The trace alone judges the same: each tenant's variables are recorded.
    let trace = run.reports.join("trace.jsonl");
    let rejudged = m.project.root().join("rejudged");
    let report = Run::bare(
        &[
            "report",
            &trace.display().to_string(),
            "--reports",
            &rejudged.display().to_string(),
        ],
        m.project.root(),
    )
    .execute()
    .await;
    report.assert_code(1);
    let again: Value =
        serde_json::from_str(&std::fs::read_to_string(rejudged.join("drift.json")).unwrap())
            .unwrap();
    assert_eq!(outcomes(&again), outcomes(run.report()));
}

/// Each scenario's tenant, status and drifts, by tenant (wall times and the
/// order scenarios finished in differ between runs).
fn outcomes(report: &Value) -> Vec<(String, Value, Value)> {
    let mut outcomes: Vec<(String, Value, Value)> = report["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                tenant_of(s).to_owned(),
                s["status"].clone(),
                s["drifts"].clone(),
            )
        })
        .collect();
    outcomes.sort_by(|a, b| a.0.cmp(&b.0));
    outcomes
}

#[tokio::test(flavor = "multi_thread")]
async fn tenant_flag_selects_tenants() {
    let m = matrix().await;

    let acme = m.project.run().args(&["--tenant", "acme"]).execute().await;

    acme.assert_code(0);
    let tenants: Vec<&str> = acme.scenarios().iter().map(tenant_of).collect();
    assert_eq!(tenants, ["acme"]);
    assert_eq!(received(&m.globex_staging).await, 0, "globex did not run");

    let both = m
        .project
        .run()
        .args(&["--tenant", "globex", "--tenant", "acme"])
        .execute()
        .await;
    both.assert_code(1);
    assert_eq!(both.scenarios().len(), 2);

    let typo = m.project.run().args(&["--tenant", "globx"]).execute().await;
    typo.assert_usage_error(&["unknown tenant `globx`", "did you mean `globex`?"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn dry_run_plans_every_tenant_with_its_own_environment() {
    let m = matrix().await;

    let plan = m.project.run().args(&["--dry-run"]).execute().await;

    plan.assert_code(0);
    let acme = plan.stdout.find("[tenant acme]").expect(&plan.stdout);
    let globex = plan.stdout.find("[tenant globex]").expect(&plan.stdout);
    assert!(acme < globex, "{}", plan.stdout);
    let (acme_plan, globex_plan) = plan.stdout.split_at(globex);
    assert!(
        acme_plan[acme..].contains("/api/plants/P100/stock"),
        "{}",
        plan.stdout
    );
    assert!(
        acme_plan[acme..].contains("/api/plants/S100/stock"),
        "{}",
        plan.stdout
    );
    let globex_url = format!("{}/api/plants/S200/stock", m.globex_staging.uri());
    assert!(globex_plan.contains(&globex_url), "{}", plan.stdout);
    assert!(plan.stdout.contains("in 2 scenario(s)"), "{}", plan.stdout);
    assert_eq!(
        received(&m.mocks.baseline).await,
        0,
        "a dry run sends nothing"
    );
}
