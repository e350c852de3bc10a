//! End to end: the run protects production and secrets. An unreachable
//! environment stops the run before anything is sent, a protected environment
//! refuses writes without the allowing tag, and a token never appears in any
//! output.

use crate::common::{Project, TwinConfig, Twins, one_scenario};
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "s3cr3t-7f1c9a4e-it-token";

/// A base URL on which nothing listens.
fn dead_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    let port = listener.local_addr().expect("local address").port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_candidate_stops_the_run_with_exit_3() {
    let mocks = Twins::start().await;
    let dead = dead_url();
    let project = Project::new(&TwinConfig::with_urls(&mocks.baseline.uri(), &dead).render());
    project.feature(
        "ping.feature",
        &one_scenario("Ping", "", &[r#"When I send a GET request to "/api/ping""#]),
    );

    let run = project.run().execute().await;

    run.assert_code(3);
    run.assert_no_panic();
    for needle in ["candidate", "staging", "`erp`", dead.as_str()] {
        assert!(
            run.stderr.contains(needle),
            "stderr lacks {needle:?}:\n{}",
            run.stderr
        );
    }
    assert!(
        !run.stderr.contains(&mocks.baseline.uri()),
        "the reachable baseline is blamed:\n{}",
        run.stderr
    );
    assert!(
        mocks
            .baseline
            .received_requests()
            .await
            .unwrap_or_default()
            .is_empty()
    );
}

/// POST /api/orders answers 201 on both mocks.
async fn accept_orders(mocks: &Twins) {
    for server in mocks.both() {
        Mock::given(method("POST"))
            .and(path("/api/orders"))
            .respond_with(ResponseTemplate::new(201).set_body_json(json!({"orderNo": "PO-1"})))
            .mount(server)
            .await;
    }
}

async fn posts_received(server: &MockServer) -> usize {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.method == wiremock::http::Method::POST)
        .count()
}

fn create_order(tags: &str) -> String {
    one_scenario(
        "Create an order",
        tags,
        &[
            r#"When I send a POST request to "/api/orders""#,
            r#"  """"#,
            r#"  { "orderNo": "PO-1" }"#,
            r#"  """"#,
            "Then the response status should be 201",
        ],
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_protected_environment_refuses_writes_without_the_allowing_tag() {
    let mocks = Twins::start().await;
    accept_orders(&mocks).await;
    let project = Project::new(&TwinConfig::new(&mocks).protected_production().render());
    project.feature("orders.feature", &create_order("@orders"));

    let run = project.run().execute().await;

    run.assert_code(1);
    for server in mocks.both() {
        assert_eq!(posts_received(server).await, 0, "a refused write was sent");
    }
    let scenario = run.scenario("Create an order");
    assert_eq!(scenario["status"], "failed", "{:#}", run.report());
    let message = scenario["message"].as_str().expect("a failure message");
    assert!(message.contains("protected"), "{message}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_allowing_tag_lets_a_write_through_to_both_environments() {
    let mocks = Twins::start().await;
    accept_orders(&mocks).await;
    let project = Project::new(&TwinConfig::new(&mocks).protected_production().render());
    project.feature("orders.feature", &create_order("@orders @writes-allowed"));

    let run = project.run().execute().await;

    run.assert_code(0);
    for server in mocks.both() {
        assert_eq!(
            posts_received(server).await,
            1,
            "the allowed write was not sent"
        );
    }
    assert_eq!(run.scenario("Create an order")["status"], "passed");
}

fn bearer_config(mocks: &Twins) -> String {
    TwinConfig::new(mocks)
        .service_line(r#"auth = { bearer = "${DRIFTGATE_IT_TOKEN}" }"#)
        .render()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_secret_never_leaks_into_traces_reports_or_output() {
    let mocks = Twins::start().await;
    let bodies = [
        json!({ "user": "qa", "token": TOKEN }),
        json!({ "user": "qa", "token": TOKEN, "session": TOKEN }),
    ];
    for (server, body) in mocks.both().into_iter().zip(bodies) {
        Mock::given(method("GET"))
            .and(path("/api/me"))
            .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .mount(server)
            .await;
    }
    let project = Project::new(&bearer_config(&mocks));
    project.feature(
        "me.feature",
        &one_scenario(
            "Who am I",
            "",
            &[
                r#"When I send a GET request to "/api/me""#,
                "Then the response status should be 200",
                r#"And the response field "$.token" should be "not-the-token""#,
            ],
        ),
    );

    let run = project
        .run()
        .args(&["-vv"])
        .env("DRIFTGATE_IT_TOKEN", TOKEN)
        .execute()
        .await;

    run.assert_code(1);
    run.assert_no_panic();
    let outputs = [
        ("trace.jsonl", run.report_file("trace.jsonl")),
        ("drift.json", run.report_file("drift.json")),
        ("junit.xml", run.report_file("junit.xml")),
        ("stdout", run.stdout.clone()),
        ("stderr", run.stderr.clone()),
    ];
    for (name, text) in &outputs {
        assert!(!text.contains(TOKEN), "{name} leaks the token:\n{text}");
    }
    let extra = run.drifts_of("extra_field");
    assert_eq!(extra.len(), 1, "{:#}", run.report());
    assert_eq!(extra[0]["path"], "$.session");
    assert_eq!(extra[0]["candidate"], "***");
    assert!(outputs[0].1.contains("***"), "the trace shows no redaction");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_secret_variable_is_a_config_error_naming_it() {
    let mocks = Twins::start().await;
    let project = Project::new(&bearer_config(&mocks));
    project.feature(
        "me.feature",
        &one_scenario(
            "Who am I",
            "",
            &[r#"When I send a GET request to "/api/me""#],
        ),
    );

    let run = project
        .run()
        .without_env("DRIFTGATE_IT_TOKEN")
        .execute()
        .await;

    run.assert_usage_error(&["DRIFTGATE_IT_TOKEN"]);
    for server in mocks.both() {
        assert!(
            server
                .received_requests()
                .await
                .unwrap_or_default()
                .is_empty()
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_get_whose_method_override_names_a_write_is_refused_on_a_protected_environment() {
    let mocks = Twins::start().await;
    for server in mocks.both() {
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": true})))
            .mount(server)
            .await;
    }
    let project = Project::new(&TwinConfig::new(&mocks).protected_production().render());
    let cases = [
        (
            "Header override",
            r#"Given the request header "X-HTTP-Method-Override" is "DELETE""#,
            r#"When I send a GET request to "/api/orders/1""#,
        ),
        (
            "Query override",
            r#"Given the query parameter "_method" is "delete""#,
            r#"When I send a GET request to "/api/orders/2""#,
        ),
        (
            "Path override",
            r#"Given the variable "x" is "1""#,
            r#"When I send a GET request to "/api/orders/3?_method=PUT""#,
        ),
    ];
    let mut feature = String::from("Feature: Method overrides\n");
    for (name, given, when) in cases {
        feature.push_str(&format!("\n  Scenario: {name}\n    {given}\n    {when}\n"));
    }
    project.feature("overrides.feature", &feature);

    let run = project.run().execute().await;

    run.assert_no_panic();
    for server in mocks.both() {
        let sent = server.received_requests().await.unwrap_or_default();
        assert!(sent.is_empty(), "a refused override was sent: {sent:?}");
    }
    for (name, _, _) in cases {
        let scenario = run.scenario(name);
        assert_eq!(scenario["status"], "failed", "{name}: {:#}", run.report());
        let message = scenario["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("would write to protected"),
            "{name}: {message}"
        );
    }
}
