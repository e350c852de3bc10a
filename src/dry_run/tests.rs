//! Tests of the dry run against a real (wiremock) server that must receive nothing.

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
        plan.contains("REFUSED: DELETE would write to protected environment `production`"),
        "{plan}"
    );
    assert!(!plan.contains("s3cret-dry-token"), "{plan}");
    assert!(
        plan.contains("2 request(s)") || plan.contains("3 request(s)"),
        "{plan}"
    );
    let received = server.received_requests().await.unwrap_or_default();
    assert!(received.is_empty(), "a dry run sent {received:?}");
}
