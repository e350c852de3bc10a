//! Tests of the dry run against a real (wiremock) server that must receive nothing.
//! The broker and database URLs point nowhere: a dry run connects to nothing.

use std::path::Path;

use super::*;
use crate::config::Config;

const FEATURE: &str = r#"Feature: Orders
  Background:
    Given the variable "orderNo" is "PO-{{ env.plant }}-1"

  @writes-allowed
  Scenario: create and read back
    Given the request header "X-Trace" is "{{ orderNo }}"
    When I send a POST request to "/api/orders" with the fixture "order.json"
    And I capture the response field "$.id" as "orderId"
    And the query parameter "expand" is "lines"
    When I send a GET request to "/api/orders/{{ orderId }}" on "erp"

  Scenario: untagged write
    When I send a DELETE request to "/api/orders/1"
"#;

fn config(root: &Path, url: &str) -> Config {
    std::fs::write(root.join("token"), "s3cret-dry-token\n").unwrap();
    let text = format!(
        r#"
[run]
features = ["features"]
fixtures = "fixtures"

[environments.production]
protected = true
allow_write_tags = ["@writes-allowed"]
variables = {{ plant = "P100" }}
[environments.production.services.erp]
base_url = "{url}/prod"
auth = {{ bearer = {{ file = "token" }} }}

[environments.staging]
variables = {{ plant = "S100" }}
[environments.staging.services.erp]
base_url = "{url}/stage"
"#
    );
    Config::parse(&text, &root.join("driftgate.toml")).unwrap()
}

#[tokio::test]
async fn dry_run_renders_each_side_redacts_secrets_and_sends_nothing() {
    let server = wiremock::MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    std::fs::create_dir_all(root.join("features")).unwrap();
    std::fs::create_dir_all(root.join("fixtures")).unwrap();
    std::fs::write(root.join("features/orders.feature"), FEATURE).unwrap();
    std::fs::write(
        root.join("fixtures/order.json"),
        r#"{"orderNo": "{{ orderNo }}"}"#,
    )
    .unwrap();
    let mut opts = RunOptions::new(
        config(&root, &server.uri()),
        "production",
        "staging",
        root.join("reports"),
    );
    opts.display_root = root.clone();
    let plan = plan(&opts).unwrap();
    let uri = server.uri();
    let expected_post = format!(
        "    baseline (production)\n      POST {uri}/prod/api/orders\n      Authorization: ***\n      X-Trace: PO-P100-1\n      content-type: application/json\n\n      {{\"orderNo\": \"PO-P100-1\"}}\n    candidate (staging)\n      POST {uri}/stage/api/orders\n      X-Trace: PO-S100-1\n"
    );
    assert!(plan.contains(&expected_post), "{plan}");
    assert!(
        plan.contains(&format!(
            "GET {uri}/stage/api/orders/<captured:orderId>?expand=lines"
        )),
        "{plan}"
    );
    assert!(
        plan.contains(":14 When I send a DELETE request to \"/api/orders/1\"\n    refused on production (protected): DELETE would write there; a run does it in neither environment (tag the scenario with one of: @writes-allowed"),
        "{plan}"
    );
    assert!(!plan.contains("s3cret-dry-token"), "{plan}");
    assert!(plan.contains("\n3 send(s) "), "{plan}");
    let received = server.received_requests().await.unwrap_or_default();
    assert!(received.is_empty(), "a dry run sent {received:?}");
}

const EVERY_TRANSPORT: &str = r#"Feature: Orders over every transport
  @writes-allowed
  Scenario: allowed
    Given I listen on exchange "orders" with routing key "order.*" as "events"
    Given the request header "AS2-From" is "{{ env.plant }}"
    When I post the EDI fixture "po.x12" to "/as2/inbound" on "edi"
    Given the message properties are:
      | correlation_id | c-{{ env.plant }} |
    When I publish to exchange "orders" with routing key "order.created"
      """
      {"plant": "{{ env.plant }}"}
      """
    Then a message with routing key "order.created" with header "x-plant" = "{{ env.plant }}" should arrive on "events" within 5 seconds
    Given the query parameter "q" is "a b&c={{ env.plant }}"
    When I send a GET request to "/api/orders" on "erp"
    When I query "erpdb" with parameters "{{ env.plant }}":
      """
      SELECT OrderNo FROM dbo.Orders WHERE Plant = @P1
      """

  Scenario: refused
    When I post the EDI fixture "po.x12" to "/as2/inbound" on "edi"
    When I publish to exchange "orders" with routing key "order.created"
      """
      {}
      """
    When I query "erpdb":
      """
      DELETE FROM dbo.Orders
      """
    When I send a GET request to "/api/orders" on "erp"
"#;

const PO_850: &str = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240101*1200*U*00401*000000001*0*T*>~GS*PO*SENDER*RECEIVER*20240101*1200*1*X*004010~ST*850*0001~BEG*00*SA*PO-1**20240101~SE*3*0001~GE*1*1~IEA*1*000000001~";

#[tokio::test]
async fn every_action_shows_as_what_it_is_and_refusals_are_marked() {
    let server = wiremock::MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    std::fs::create_dir_all(root.join("features")).unwrap();
    std::fs::create_dir_all(root.join("fixtures")).unwrap();
    std::fs::write(root.join("features/orders.feature"), EVERY_TRANSPORT).unwrap();
    std::fs::write(root.join("fixtures/po.x12"), PO_850).unwrap();
    let uri = server.uri();
    let mut text = String::from(
        "[run]\nfeatures = [\"features\"]\nfixtures = \"fixtures\"\ndefault_service = \"erp\"\n",
    );
    for (env, plant, protected) in [("production", "P100", true), ("staging", "S100", false)] {
        text.push_str(&format!(
            r#"
[environments.{env}]
protected = {protected}
allow_write_tags = ["@writes-allowed"]
variables = {{ plant = "{plant}" }}
[environments.{env}.services.erp]
base_url = "{uri}/{env}"
[environments.{env}.services.edi]
base_url = "{uri}/{env}-edi"
[environments.{env}.services.events]
amqp_url = "amqp://127.0.0.1:1/%2F"
[environments.{env}.services.erpdb]
kind = "sqlserver"
connection = "Server=tcp:127.0.0.1,1;Database=erp;User Id=svc;Password=x;TrustServerCertificate=true"
"#
        ));
    }
    let config = Config::parse(&text, &root.join("driftgate.toml")).unwrap();
    let mut opts = RunOptions::new(config, "production", "staging", root.join("reports"));
    opts.display_root = root.clone();
    let plan = plan(&opts).unwrap();

    let listen = "  :4 Given I listen on exchange \"orders\" with routing key \"order.*\" as \"events\"\n    baseline (production)\n      LISTEN on exchange `orders` with binding `order.*` on `events`, as listener `events`\n";
    let edi = format!(
        "  :6 When I post the EDI fixture \"po.x12\" to \"/as2/inbound\" on \"edi\"\n    baseline (production)\n      POST {uri}/production-edi/as2/inbound\n      AS2-From: P100\n      content-type: application/edi-x12\n\n      X12 document, 7 segments: transaction set 850\n"
    );
    let publish = "    candidate (staging)\n      PUBLISH to exchange `orders` with routing key `order.created` on `events`\n      property correlation_id: c-S100\n      property content_type: application/json\n\n      {\"plant\": \"S100\"}\n";
    let expectation = "    baseline (production)\n      EXPECT a message on `events` within 5 seconds: routing key `order.created`, header `x-plant` = `P100`\n";
    // The query parameter is URL-encoded as the HTTP transport sends it,
    // and the header set before the EDI post went with it, not with this GET.
    let get = format!(
        "  :15 When I send a GET request to \"/api/orders\" on \"erp\"\n    baseline (production)\n      GET {uri}/production/api/orders?q=a+b%26c%3DP100\n    candidate"
    );
    let query = "    candidate (staging)\n      QUERY `erpdb` with @P1 = S100\n        SELECT OrderNo FROM dbo.Orders WHERE Plant = @P1\n";
    for expected in [listen, &edi, publish, expectation, &get, query] {
        assert!(plan.contains(expected), "missing:\n{expected}\nin:\n{plan}");
    }
    let refused = |line: usize, step: &str, what: &str| {
        format!(
            "  :{line} When {step}\n    refused on production (protected): {what} would write there; a run does it in neither environment (tag the scenario with one of: @writes-allowed (allow_write_tags of `production`))\n"
        )
    };
    for expected in [
        refused(
            22,
            "I post the EDI fixture \"po.x12\" to \"/as2/inbound\" on \"edi\"",
            "posting an EDI document",
        ),
        refused(
            23,
            "I publish to exchange \"orders\" with routing key \"order.created\"",
            "publishing a message",
        ),
        refused(
            27,
            "I query \"erpdb\":",
            "a SQL statement that is not a single read (it is a DELETE statement, not a query (SELECT or WITH … SELECT), at line 1, column 1)",
        ),
    ] {
        assert!(
            plan.contains(&expected),
            "missing:\n{expected}\nin:\n{plan}"
        );
    }
    assert!(
        plan.contains(&format!("GET {uri}/production/api/orders\n")),
        "a read is planned on a protected environment: {plan}"
    );
    assert_eq!(plan.matches("refused on").count(), 3, "{plan}");
    assert!(plan.contains("\n9 send(s) "), "{plan}");
    let received = server.received_requests().await.unwrap_or_default();
    assert!(received.is_empty(), "a dry run sent {received:?}");
}
