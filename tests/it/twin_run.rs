//! End to end: the real binary against two wiremock environments, judged from
//! `drift.json`. What drifts is reported at the right step and path; what only
//! looks different (captured ids, per-environment variables) is not drift.

use crate::common::{Project, TwinConfig, Twins, one_scenario, step_line};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, ResponseTemplate};

/// A project on both mocks with `feature` as `features/twin.feature`.
fn project_with(mocks: &Twins, feature: &str) -> Project {
    let project = Project::new(&TwinConfig::new(mocks).render());
    project.feature("twin.feature", feature);
    project
}

async fn serve_json(server: &wiremock::MockServer, route: &str, body: Value) {
    Mock::given(method("GET"))
        .and(path(route))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(server)
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn identical_environments_pass_without_drift() {
    let mocks = Twins::start().await;
    for server in mocks.both() {
        serve_json(
            server,
            "/api/orders/PO-1",
            json!({"orderNo": "PO-1", "lines": [1, 2]}),
        )
        .await;
    }
    let project = project_with(
        &mocks,
        &one_scenario(
            "Read an order",
            "",
            &[
                r#"When I send a GET request to "/api/orders/PO-1""#,
                "Then the response status should be 200",
                r#"And the response field "$.orderNo" should be "PO-1""#,
            ],
        ),
    );

    let run = project.run().execute().await;

    run.assert_code(0);
    assert!(run.drifts().is_empty(), "{:#}", run.report());
    assert_eq!(run.report()["verdict"], "no_drift");
    assert_eq!(run.scenario_names(), ["Read an order"]);
    assert_eq!(run.scenario("Read an order")["status"], "passed");
    assert_eq!(run.report()["summary"]["passed"], 1);
}

/// One injected difference: what each side answers and the drift expected.
struct Difference {
    class: &'static str,
    baseline: ResponseTemplate,
    candidate: ResponseTemplate,
    path: Option<&'static str>,
    values: (Option<Value>, Option<Value>),
}

fn differences() -> Vec<Difference> {
    let body = |v: Value| ResponseTemplate::new(200).set_body_json(v);
    let versioned = |v: &str| body(json!({"sku": "BRK-1"})).insert_header("x-api-version", v);
    vec![
        Difference {
            class: "status",
            baseline: body(json!({"sku": "BRK-1"})),
            candidate: ResponseTemplate::new(500).set_body_json(json!({"sku": "BRK-1"})),
            path: None,
            values: (Some(json!(200)), Some(json!(500))),
        },
        Difference {
            class: "missing_field",
            baseline: body(json!({"sku": "BRK-1", "warehouse": "WH-01"})),
            candidate: body(json!({"sku": "BRK-1"})),
            path: Some("$.warehouse"),
            values: (Some(json!("WH-01")), None),
        },
        Difference {
            class: "extra_field",
            baseline: body(json!({"sku": "BRK-1"})),
            candidate: body(json!({"sku": "BRK-1", "qtyOnHand": 40})),
            path: Some("$.qtyOnHand"),
            values: (None, Some(json!(40))),
        },
        Difference {
            class: "type_change",
            baseline: body(json!({"sku": "BRK-1", "quantity": 40})),
            candidate: body(json!({"sku": "BRK-1", "quantity": "40"})),
            path: Some("$.quantity"),
            values: (Some(json!(40)), Some(json!("40"))),
        },
        Difference {
            class: "value_change",
            baseline: body(json!({"sku": "BRK-1", "currency": "EUR"})),
            candidate: body(json!({"sku": "BRK-1", "currency": "USD"})),
            path: Some("$.currency"),
            values: (Some(json!("EUR")), Some(json!("USD"))),
        },
        Difference {
            class: "header",
            baseline: versioned("2"),
            candidate: versioned("3"),
            path: Some("header:x-api-version"),
            values: (Some(json!("2")), Some(json!("3"))),
        },
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn each_difference_is_reported_at_its_step_and_path() {
    for difference in differences() {
        let mocks = Twins::start().await;
        for (server, response) in mocks
            .both()
            .into_iter()
            .zip([difference.baseline, difference.candidate])
        {
            Mock::given(method("GET"))
                .and(path("/api/inventory/BRK-1"))
                .respond_with(response)
                .mount(server)
                .await;
        }
        let config = TwinConfig::new(&mocks).compare_headers(&["content-type", "x-api-version"]);
        let project = Project::new(&config.render());
        project.feature(
            "twin.feature",
            &one_scenario(
                "Stock on hand",
                "",
                &[
                    r#"Given the variable "sku" is "BRK-1""#,
                    r#"When I send a GET request to "/api/inventory/{{ sku }}""#,
                ],
            ),
        );

        let run = project.run().execute().await;

        let class = difference.class;
        run.assert_code(1);
        let drifts = run.drifts();
        assert_eq!(drifts.len(), 1, "{class}: {:#}", run.report());
        let drift = drifts[0];
        assert_eq!(drift["class"], class);
        assert_eq!(drift["step"]["line"], step_line(1), "{class}");
        assert_eq!(drift["step"]["index"], 1, "{class}");
        assert_eq!(drift["service"], "erp", "{class}");
        assert_eq!(drift["request"], "GET /api/inventory/BRK-1", "{class}");
        assert_eq!(drift["path"].as_str(), difference.path, "{class}");
        assert_eq!(
            drift.get("baseline"),
            difference.values.0.as_ref(),
            "{class}"
        );
        assert_eq!(
            drift.get("candidate"),
            difference.values.1.as_ref(),
            "{class}"
        );
        assert_eq!(
            run.scenario("Stock on hand")["status"],
            "drifted",
            "{class}"
        );
        assert_eq!(run.report()["summary"]["by_class"], json!({ class: 1 }));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn differing_captured_ids_alone_are_not_drift() {
    let mocks = Twins::start().await;
    let ids = [
        "0b5c7f3e-55a4-4f0c-9d6e-1f2a3b4c5d6e",
        "9e8d7c6b-5a49-4382-a1b0-c9d8e7f6a5b4",
    ];
    for (server, id) in mocks.both().into_iter().zip(ids) {
        Mock::given(method("POST"))
            .and(path("/api/orders"))
            .respond_with(ResponseTemplate::new(201).set_body_json(json!({ "id": id })))
            .expect(1)
            .mount(server)
            .await;
        serve_json(
            server,
            &format!("/api/orders/{id}"),
            json!({ "id": id, "status": "CREATED" }),
        )
        .await;
    }
    let project = project_with(
        &mocks,
        &one_scenario(
            "Create and read back",
            "",
            &[
                r#"When I send a POST request to "/api/orders""#,
                r#"And I capture the response field "$.id" as "orderId""#,
                r#"And I send a GET request to "/api/orders/{{ orderId }}""#,
                "Then the response status should be 200",
                r#"And the response field "$.id" should be "{{ orderId }}""#,
            ],
        ),
    );

    let run = project.run().execute().await;

    run.assert_code(0);
    assert!(run.drifts().is_empty(), "{:#}", run.report());
    assert_eq!(run.scenario("Create and read back")["status"], "passed");
    let trace = run.report_file("trace.jsonl");
    for id in ids {
        assert!(
            trace.contains(&format!("/api/orders/{id}")),
            "GET {id} was not sent"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn environment_variables_are_normalised() {
    let mocks = Twins::start().await;
    for (server, plant) in mocks.both().into_iter().zip(["P100", "S100"]) {
        serve_json(
            server,
            &format!("/api/plants/{plant}/stock"),
            json!({ "plant": plant, "quantity": 40 }),
        )
        .await;
    }
    let project = project_with(
        &mocks,
        &one_scenario(
            "Stock per plant",
            "",
            &[
                r#"When I send a GET request to "/api/plants/{{ env.plant }}/stock""#,
                "Then the response status should be 200",
                r#"And the response field "$.plant" should be "{{ env.plant }}""#,
            ],
        ),
    );

    let run = project.run().execute().await;

    run.assert_code(0);
    assert!(run.drifts().is_empty(), "{:#}", run.report());
    assert_eq!(run.scenario("Stock per plant")["status"], "passed");
    let environments = &run.report()["environments"];
    assert_eq!(environments["baseline"]["variables"]["plant"], "P100");
    assert_eq!(environments["candidate"]["variables"]["plant"], "S100");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_assertion_failing_on_one_side_is_drift_at_that_step() {
    let mocks = Twins::start().await;
    for (server, status) in mocks.both().into_iter().zip(["RELEASED", "BLOCKED"]) {
        serve_json(server, "/api/orders/PO-1", json!({ "status": status })).await;
    }
    let project = project_with(
        &mocks,
        &one_scenario(
            "Order is released",
            "",
            &[
                r#"When I send a GET request to "/api/orders/PO-1""#,
                "Then the response status should be 200",
                r#"And the response field "$.status" should be "RELEASED""#,
            ],
        ),
    );

    let run = project.run().execute().await;

    run.assert_code(1);
    let one_side = run.drifts_of("assertion_one_side");
    assert_eq!(one_side.len(), 1, "{:#}", run.report());
    assert_eq!(one_side[0]["step"]["line"], step_line(2));
    assert_eq!(one_side[0]["baseline"], "RELEASED");
    assert_eq!(one_side[0]["candidate"], "BLOCKED");
    assert_eq!(run.scenario("Order is released")["status"], "drifted");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_assertion_failing_on_both_sides_fails_the_scenario() {
    let mocks = Twins::start().await;
    for server in mocks.both() {
        serve_json(server, "/api/orders/PO-1", json!({ "status": "BLOCKED" })).await;
    }
    let project = project_with(
        &mocks,
        &one_scenario(
            "Order is released",
            "",
            &[
                r#"When I send a GET request to "/api/orders/PO-1""#,
                r#"Then the response field "$.status" should be "RELEASED""#,
            ],
        ),
    );

    let run = project.run().execute().await;

    run.assert_code(1);
    let scenario = run.scenario("Order is released");
    assert_eq!(scenario["status"], "failed", "{:#}", run.report());
    let message = scenario["message"].as_str().expect("a failure message");
    assert!(message.contains("$.status"), "{message}");
    assert!(
        run.drifts_of("assertion_one_side").is_empty(),
        "{:#}",
        run.report()
    );
    assert_eq!(run.report()["summary"]["failed"], 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn outlines_backgrounds_and_rules_all_run() {
    let mocks = Twins::start().await;
    for server in mocks.both() {
        for route in ["/api/session", "/api/rule-session", "/api/ping"] {
            serve_json(server, route, json!({ "ok": true })).await;
        }
        for sku in ["BRK-1", "HYD-2"] {
            serve_json(
                server,
                &format!("/api/inventory/{sku}"),
                json!({ "sku": sku }),
            )
            .await;
        }
    }
    let project = project_with(
        &mocks,
        r#"Feature: Structure

  Background:
    Given I send a GET request to "/api/session"

  Scenario: Plain
    When I send a GET request to "/api/ping"
    Then the response status should be 200

  Scenario Outline: Stock for <sku>
    When I send a GET request to "/api/inventory/<sku>"
    Then the response field "$.sku" should be "<sku>"

    Examples:
      | sku   |
      | BRK-1 |
      | HYD-2 |

  Rule: Sessions per rule

    Background:
      Given I send a GET request to "/api/rule-session"

    Scenario: Inside a rule
      When I send a GET request to "/api/ping"
      Then the response status should be 200
"#,
    );

    let run = project.run().execute().await;

    run.assert_code(0);
    assert_eq!(
        run.scenario_names(),
        [
            "Inside a rule",
            "Plain",
            "Stock for BRK-1",
            "Stock for HYD-2"
        ]
    );
    assert!(
        run.scenarios().iter().all(|s| s["status"] == "passed"),
        "{:#}",
        run.report()
    );
    assert_eq!(run.scenario("Inside a rule")["rule"], "Sessions per rule");
    assert_eq!(run.scenario("Plain").get("rule"), None);
    assert_eq!(run.scenario("Stock for HYD-2")["line"], 17);
    for server in mocks.both() {
        assert_eq!(requests_to(server, "/api/session").await, 4);
        assert_eq!(requests_to(server, "/api/rule-session").await, 1);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn polling_waits_until_the_field_has_the_value() {
    let mocks = Twins::start().await;
    for server in mocks.both() {
        Mock::given(method("GET"))
            .and(path("/api/orders/PO-1"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"status": "OPEN"})))
            .up_to_n_times(2)
            .with_priority(1)
            .mount(server)
            .await;
        Mock::given(method("GET"))
            .and(path("/api/orders/PO-1"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"status": "RELEASED"})))
            .with_priority(2)
            .mount(server)
            .await;
    }
    let project = project_with(
        &mocks,
        &one_scenario(
            "Order gets released",
            "",
            &[
                r#"Then I poll "/api/orders/PO-1" until the response field "$.status" is "RELEASED" within 3 seconds"#,
            ],
        ),
    );

    let run = project.run().execute().await;

    run.assert_code(0);
    assert_eq!(run.scenario("Order gets released")["status"], "passed");
    for server in mocks.both() {
        assert_eq!(requests_to(server, "/api/orders/PO-1").await, 3);
    }
}

/// How many requests a mock server received for `route`.
async fn requests_to(server: &wiremock::MockServer, route: &str) -> usize {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == route)
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_fixture_body_is_rendered_per_environment() {
    let mocks = Twins::start().await;
    for (server, plant) in mocks.both().into_iter().zip(["P100", "S100"]) {
        Mock::given(method("POST"))
            .and(path("/api/orders"))
            .and(body_json(json!({ "orderNo": "PO-1", "plant": plant })))
            .respond_with(ResponseTemplate::new(201).set_body_json(json!({ "plant": plant })))
            .mount(server)
            .await;
    }
    let project = project_with(
        &mocks,
        &one_scenario(
            "Create an order for the plant",
            "",
            &[
                r#"When I send a POST request to "/api/orders" with the fixture "orders/new.json""#,
                "Then the response status should be 201",
            ],
        ),
    );
    project.fixture(
        "orders/new.json",
        r#"{ "orderNo": "PO-1", "plant": "{{ env.plant }}" }"#,
    );

    let run = project.run().execute().await;

    run.assert_code(0);
    assert!(run.drifts().is_empty(), "{:#}", run.report());
    assert_eq!(
        run.scenario("Create an order for the plant")["status"],
        "passed"
    );
}
