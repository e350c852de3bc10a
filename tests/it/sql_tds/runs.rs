//! Whole `driftgate run`s against two pysqlbridge
//! servers whose tables differ in known ways (tests/fixtures/tds/README.md).

use assert_cmd::Command;
use serde_json::{Value, json};

use super::server::{PASSWORD, TdsServer, unavailable};

pub(crate) const PASSWORD_VAR: &str = "ERP_DB_PASSWORD";

const FEATURE: &str = r#"Feature: ERP database

  Scenario: Orders differ between the environments
    When I query "erpdb" keyed by "OrderNo":
      """
      SELECT OrderNo, Customer, Total, Status FROM orders
      """
    Then the query should return 3 rows

  Scenario: Items are identical
    When I query "erpdb" keyed by "Sku":
      """
      SELECT Sku, Description, OnHand, Active FROM items ORDER BY Sku
      """
    Then the query rows should contain:
      | Sku      | OnHand | Active |
      | BRK-1001 | 120    | true   |
    And the query rows should be, in any order:
      | Sku      |
      | SEN-3310 |
      | HYD-2040 |
      | BRK-1001 |
    And each query row's column "Sku" should be #regex [A-Z]{3}-[0-9]{4}
    And the query result should be the same in both environments

  Scenario: Parameters are bound per environment and captured
    When I query "erpdb" with parameters "PO-1001", "{{ env.plant }}":
      """
      SELECT OrderNo, Plant, Customer FROM orders WHERE OrderNo = @P1 AND Plant = @P2
      """
    Then the query rows should be:
      | OrderNo | Plant           | Customer  |
      | PO-1001 | {{ env.plant }} | #notnull  |
    And I capture the query column "Customer" as "customer"
    And I poll the query on "erpdb" with parameters "{{ customer }}" until it returns 1 row within 2 seconds:
      """
      SELECT OrderNo FROM orders WHERE Customer = @P1 AND Total > 1000
      """

  Scenario: Database configuration
    Then the database configuration of "erpdb" should match for the tables "dbo.orders", "dbo.items"

  Scenario: Protected production refuses a write
    When I query "erpdb":
      """
      DELETE FROM orders
      """
"#;

/// Production (protected) and staging, each with the `erpdb` of its server.
pub(crate) fn config(production: &TdsServer, staging: &TdsServer) -> String {
    format!(
        r#"
[environments.production]
protected = true
variables = {{ plant = "P100" }}

[environments.production.services.erpdb]
kind = "sqlserver"
connection = "{}"

[environments.staging]
variables = {{ plant = "S100" }}

[environments.staging.services.erpdb]
kind = "sqlserver"
connection = "{}"
timeout_ms = 5000
"#,
        production.connection(PASSWORD_VAR, true),
        staging.connection(PASSWORD_VAR, false)
    )
}

fn drifts_of<'a>(report: &'a Value, scenario: &str) -> Vec<&'a Value> {
    report["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["name"] == scenario)
        .flat_map(|s| s["drifts"].as_array().into_iter().flatten())
        .collect()
}

fn scenario<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no scenario {name}"))
}

#[test]
fn a_run_reports_row_cell_and_configuration_drift_and_nothing_else() {
    if unavailable("a_run_reports_row_cell_and_configuration_drift_and_nothing_else") {
        return;
    }
    let production = TdsServer::start("production", &[], None);
    let staging = TdsServer::start("staging", &[], None);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("driftgate.toml"),
        config(&production, &staging),
    )
    .unwrap();
    std::fs::write(dir.path().join("erp_db.feature"), FEATURE).unwrap();
    let reports = dir.path().join("reports");
    let output = Command::cargo_bin("driftgate")
        .unwrap()
        .current_dir(dir.path())
        .env(PASSWORD_VAR, PASSWORD)
        .args([
            "run",
            "erp_db.feature",
            "--baseline",
            "production",
            "--candidate",
            "staging",
            "--reports",
        ])
        .arg(&reports)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stdout}\n{stderr}");
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(reports.join("drift.json")).unwrap())
            .unwrap();
    let trace = std::fs::read_to_string(reports.join("trace.jsonl")).unwrap();
    for text in [
        stdout.as_ref(),
        stderr.as_ref(),
        trace.as_str(),
        &report.to_string(),
    ] {
        assert!(!text.contains(PASSWORD), "the password leaked");
    }

    let orders: Vec<(String, String)> =
        drifts_of(&report, "Orders differ between the environments")
            .iter()
            .map(|d| {
                (
                    d["class"].as_str().unwrap().to_owned(),
                    d["path"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect();
    assert_eq!(
        orders,
        [
            (
                "cell_change".to_owned(),
                "row[OrderNo=PO-1002].Status".to_owned()
            ),
            ("missing_row".to_owned(), "row[OrderNo=PO-1003]".to_owned()),
            ("extra_row".to_owned(), "row[OrderNo=PO-1004]".to_owned()),
        ],
        "{stdout}"
    );
    assert_eq!(
        scenario(&report, "Items are identical")["status"],
        json!("passed"),
        "{stdout}"
    );
    assert_eq!(
        scenario(&report, "Parameters are bound per environment and captured")["status"],
        json!("passed"),
        "the plant differs by environment variable, which is not drift: {stdout}"
    );

    let configuration: Vec<String> = drifts_of(&report, "Database configuration")
        .iter()
        .map(|d| {
            assert_eq!(d["class"], json!("configuration"), "{d}");
            d["path"].as_str().unwrap().to_owned()
        })
        .collect();
    assert!(
        configuration.contains(&"row[column_name=Weight].data_type".to_owned()),
        "{configuration:?}"
    );
    assert!(
        configuration.contains(&"row[column_name=Priority]".to_owned()),
        "{configuration:?}"
    );
    assert!(
        configuration.iter().all(|p| !p.contains("Sku")),
        "items schema is identical: {configuration:?}"
    );

    let refused = scenario(&report, "Protected production refuses a write");
    assert_eq!(refused["status"], json!("failed"), "{stdout}");
    assert!(
        stdout.contains("only a single SELECT may run on protected environment `production`"),
        "{stdout}"
    );
}

/// The mock ERP: orders POSTed to `/api/orders` are listed by `GET /orders`,
/// the endpoint pysqlbridge serves as the `erp_orders` table.
#[derive(Clone, Default)]
struct OrderBook(std::sync::Arc<std::sync::Mutex<Vec<Value>>>);

impl wiremock::Respond for OrderBook {
    fn respond(&self, request: &wiremock::Request) -> wiremock::ResponseTemplate {
        let mut orders = self.0.lock().unwrap();
        if request.method == wiremock::http::Method::POST {
            let order: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
            orders.push(
                json!({ "orderNo": order["orderNo"], "plant": order["plant"], "status": "SYNCED" }),
            );
            return wiremock::ResponseTemplate::new(201)
                .set_body_json(json!({ "status": "QUEUED" }));
        }
        wiremock::ResponseTemplate::new(200).set_body_json(Value::Array(orders.clone()))
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_order_posted_to_the_erp_appears_as_a_row() {
    if unavailable("an_order_posted_to_the_erp_appears_as_a_row") {
        return;
    }
    let mut mocks = Vec::new();
    let mut servers = Vec::new();
    for env in ["production", "staging"] {
        let erp = wiremock::MockServer::start().await;
        let book = OrderBook::default();
        book.0
            .lock()
            .unwrap()
            .push(json!({ "orderNo": "PO-0", "plant": "X", "status": "SYNCED" }));
        wiremock::Mock::given(wiremock::matchers::any())
            .respond_with(book)
            .mount(&erp)
            .await;
        let table = format!(
            r#"{{ "name": "erp_orders", "http": {{ "url": "{}/orders", "ttl": 0, "records": "array" }} }}"#,
            erp.uri()
        );
        servers.push(TdsServer::start(env, &[table], None));
        mocks.push(erp);
    }
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        "{}\n[environments.production.services.erp]\nbase_url = \"{}\"\n\n[environments.staging.services.erp]\nbase_url = \"{}\"\n",
        config(&servers[0], &servers[1]),
        mocks[0].uri(),
        mocks[1].uri()
    );
    std::fs::write(dir.path().join("driftgate.toml"), config).unwrap();
    std::fs::write(
        dir.path().join("sync.feature"),
        r#"Feature: Order sync reaches the ERP database
  @writes-allowed
  Scenario: The posted order appears as a row
    Given the variable "orderNo" is "PO-{{ random_int(10000, 99999) }}"
    When I send a POST request to "/api/orders" on "erp"
      """
      { "orderNo": "{{ orderNo }}", "plant": "{{ env.plant }}" }
      """
    Then the response status should be 201
    And I poll the query on "erpdb" with parameters "{{ orderNo }}" until the column "status" is "SYNCED" within 10 seconds:
      """
      SELECT orderNo, plant, status FROM erp_orders WHERE orderNo = @P1
      """
    And the query rows should be:
      | orderNo       | plant           | status |
      | {{ orderNo }} | {{ env.plant }} | SYNCED |
"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("driftgate.toml"),
        std::fs::read_to_string(dir.path().join("driftgate.toml"))
            .unwrap()
            .replace(
                "protected = true",
                "protected = true\nallow_write_tags = [\"@writes-allowed\"]",
            ),
    )
    .unwrap();
    let reports = dir.path().join("reports");
    let output = tokio::task::spawn_blocking(move || {
        let out = Command::cargo_bin("driftgate")
            .unwrap()
            .current_dir(dir.path())
            .env(PASSWORD_VAR, PASSWORD)
            .args([
                "run",
                "sync.feature",
                "--baseline",
                "production",
                "--candidate",
                "staging",
                "--reports",
            ])
            .arg(&reports)
            .output()
            .unwrap();
        (out, dir)
    })
    .await
    .unwrap()
    .0;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("1 total, 1 passed"), "{stdout}");
}
