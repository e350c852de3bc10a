//! End to end: how QA writes scenarios. Captured values embedded in JSON
//! keep their type (docstring, fixture, variables table, expected values),
//! `| string` keeps a string, `each response field` asserts every element
//! of a wildcard path, and docstring steps take an optional trailing colon.
//! The mocks answer only the exactly typed body, so a value sent as a
//! string fails the run.

use crate::common::{Project, TwinConfig, Twins};
use serde_json::json;
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, ResponseTemplate};

const TYPED_BODY: &str = r#"{"id": "{{ orderId }}", "paid": "{{ paid }}", "note": "{{ note }}",
      "customer": "{{ customer }}", "copy": "{{ copy }}", "ref": "{{ orderId | string }}",
      "orderNo": "PO-{{ orderId }}"}"#;

async fn mount(mocks: &Twins) {
    let sent = json!({"id": 7, "paid": true, "note": null, "customer": {"id": "CUST-1"},
                      "copy": 7, "ref": "7", "orderNo": "PO-7"});
    let order = json!({"id": 7, "paid": true, "note": null, "customer": {"id": "CUST-1"},
                       "items": [{"customer": "CUST-1"}, {"customer": "CUST-1"}, {"customer": "CUST-1"}]});
    for server in mocks.both() {
        Mock::given(method("GET"))
            .and(path("/api/orders/new"))
            .respond_with(ResponseTemplate::new(200).set_body_json(&order))
            .mount(server)
            .await;
        Mock::given(method("GET"))
            .and(path("/api/orders/mixed"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "items": [{"customer": "CUST-1"}, {"customer": "CUST-2"}]
            })))
            .mount(server)
            .await;
        for verb in ["POST", "PUT"] {
            Mock::given(method(verb))
                .and(body_json(&sent))
                .respond_with(ResponseTemplate::new(201).set_body_json(&order))
                .expect(1)
                .mount(server)
                .await;
        }
    }
}

fn feature() -> String {
    format!(
        r##"Feature: QA habits

  Scenario: Captured values keep their type
    When I send a GET request to "/api/orders/new"
    And I capture the response field "$.id" as "orderId"
    And I capture the response field "$.paid" as "paid"
    And I capture the response field "$.note" as "note"
    And I capture the response field "$.customer" as "customer"
    And the variables are
      | name | value         |
      | copy | {{{{ orderId }}}} |
    When I send a POST request to "/api/orders":
      """
      {TYPED_BODY}
      """
    Then the response status should be 201
    When I send a PUT request to "/api/orders/7" with the fixture "typed.json"
    Then the response status should be 201
    And the response field "$.id" should be "{{{{ orderId }}}}"
    And each response field "$.items[*].customer" should be "CUST-1"
    And each response field "$.items[*].customer" should be "#regex CUST-\d+"
    And the response body should contain
      """
      {{"id": "{{{{ orderId }}}}", "customer": "{{{{ customer }}}}", "paid": "{{{{ paid }}}}"}}
      """

  Scenario: One element differs
    When I send a GET request to "/api/orders/mixed"
    Then each response field "$.items[*].customer" should be "CUST-1"

  Scenario: A plain field on a wildcard compares the list
    When I send a GET request to "/api/orders/mixed"
    Then the response field "$.items[*].customer" should be "CUST-1"
"##
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn typed_values_each_element_and_optional_colons() {
    let mocks = Twins::start().await;
    mount(&mocks).await;
    let project = Project::new(&TwinConfig::new(&mocks).render());
    project.feature("habits.feature", &feature());
    project.fixture("typed.json", TYPED_BODY);

    let run = project.run().execute().await;

    let typed = run.scenario("Captured values keep their type");
    assert_eq!(typed["status"], "passed", "{:#}", run.report());
    let mixed = run.scenario("One element differs");
    assert_eq!(mixed["status"], "failed", "{:#}", run.report());
    let message = mixed["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(r#"$.items[1].customer: expected "CUST-1", got "CUST-2""#),
        "{message}"
    );
    assert!(!message.contains("$.items[0]"), "{message}");
    let plain = run.scenario("A plain field on a wildcard compares the list");
    let message = plain["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(r#"`each response field "$.items[*].customer" should be …`"#),
        "{message}"
    );
    run.assert_code(1);
    assert!(run.drifts().is_empty(), "{:#}", run.report());
}
