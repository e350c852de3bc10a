use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Value, json};

use super::*;
use crate::template::TemplateEngine;

const ERP: &str = r#"
service: erp
routes:
  - name: create order
    method: POST
    path: /api/orders
    response:
      status: 201
      headers: { content-type: application/json, x-order-no: "{{ request.json.orderNo }}" }
      body: |
        {"id": "{{ uuid() }}", "orderNo": {{ request.json.orderNo | tojson }}, "plant": {{ request.json.plant | tojson }}, "status": "CREATED"}
    environments:
      staging: { status: 202 }
  - name: order by id
    method: get
    path_regex: ^/api/orders/[^/]+$
    response:
      headers: { content-type: application/json }
      body: '{"id": {{ request.segments[2] | tojson }}, "expand": {{ request.query.expand | tojson }}, "tenant": {{ request.headers["x-tenant"] | tojson }}}'
  - name: shadowed by the route above
    method: GET
    path: /api/orders/42
    response: { status: 418 }
  - name: broken template
    method: GET
    path: /api/broken
    response:
      body: '{{ request.json.missing }}'
"#;

fn spec(text: &str) -> MockSpec {
    parse(text, Path::new("mocks/erp.yaml")).unwrap()
}

fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().build().unwrap()
}

/// A JSON request body (reqwest is built without its `json` feature).
fn with_json(request: reqwest::RequestBuilder, body: &Value) -> reqwest::RequestBuilder {
    request
        .header("content-type", "application/json")
        .body(body.to_string())
}

async fn json_of(response: reqwest::Response) -> Value {
    serde_json::from_str(&response.text().await.unwrap()).unwrap()
}

async fn start(env: &str) -> MockEnvironment {
    MockEnvironment::start(&[spec(ERP)], env, Arc::new(TemplateEngine::new()))
        .await
        .unwrap()
}

async fn post_order(mocks: &MockEnvironment) -> reqwest::Response {
    with_json(
        client().post(format!("{}/api/orders", mocks.url("erp").unwrap())),
        &json!({"orderNo": "PO-4711", "plant": "P100"}),
    )
    .send()
    .await
    .unwrap()
}

#[tokio::test]
async fn a_route_renders_its_body_from_the_request() {
    let mocks = start("production").await;
    let response = post_order(&mocks).await;
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(response.headers()["x-order-no"], "PO-4711");
    let body = json_of(response).await;
    assert_eq!(body["orderNo"], "PO-4711");
    assert_eq!(body["plant"], "P100");
    assert_eq!(body["status"], "CREATED");
    assert!(uuid::Uuid::parse_str(body["id"].as_str().unwrap()).is_ok());
}

#[tokio::test]
async fn an_environment_override_changes_only_what_it_names() {
    let mocks = start("staging").await;
    let response = post_order(&mocks).await;
    assert_eq!(response.status(), 202);
    let body = json_of(response).await;
    assert_eq!(body["orderNo"], "PO-4711");
}

#[tokio::test]
async fn a_path_regex_route_sees_segments_query_and_headers() {
    let mocks = start("production").await;
    let response = client()
        .get(format!(
            "{}/api/orders/42?expand=lines",
            mocks.url("erp").unwrap()
        ))
        .header("X-Tenant", "acme")
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        200,
        "the first matching route in file order answers"
    );
    let body = json_of(response).await;
    assert_eq!(
        body,
        json!({"id": "42", "expand": "lines", "tenant": "acme"})
    );
}

#[tokio::test]
async fn an_unmatched_request_is_a_404() {
    let mocks = start("production").await;
    let base = mocks.url("erp").unwrap();
    for (method, path) in [("GET", "/api/shipments"), ("DELETE", "/api/orders/42")] {
        let response = client()
            .request(method.parse().unwrap(), format!("{base}{path}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404, "{method} {path}");
    }
}

#[tokio::test]
async fn a_template_error_is_a_500_that_explains_it() {
    let mocks = start("production").await;
    let response = client()
        .get(format!("{}/api/broken", mocks.url("erp").unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 500);
    let text = response.text().await.unwrap();
    assert!(
        text.contains("service `erp`, route `broken template`"),
        "{text}"
    );
    assert!(text.contains("cannot render the response body"), "{text}");
    assert!(text.contains("request.json.missing"), "{text}");
}

#[tokio::test]
async fn a_delay_holds_the_response_back() {
    let text = "service: wms\nroutes:\n  - name: slow\n    method: GET\n    path: /slow\n    response: { delay_ms: 300 }\n    environments: { staging: { delay_ms: 0 } }\n";
    for (env, slow) in [("production", true), ("staging", false)] {
        let mocks = MockEnvironment::start(&[spec(text)], env, Arc::new(TemplateEngine::new()))
            .await
            .unwrap();
        let started = std::time::Instant::now();
        let response = client()
            .get(format!("{}/slow", mocks.url("wms").unwrap()))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let elapsed = started.elapsed();
        assert_eq!(
            elapsed >= std::time::Duration::from_millis(300),
            slow,
            "{env}: {elapsed:?}"
        );
    }
}

#[tokio::test]
async fn fixed_ports_serve_the_named_service_there() {
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = free.local_addr().unwrap().port();
    drop(free);
    let ports = BTreeMap::from([("erp".to_owned(), port)]);
    let mocks = MockEnvironment::start_on(
        &[spec(ERP)],
        "production",
        Arc::new(TemplateEngine::new()),
        &ports,
    )
    .await
    .unwrap();
    assert_eq!(
        mocks.url("erp").unwrap(),
        format!("http://127.0.0.1:{port}")
    );
    assert_eq!(
        mocks.services().collect::<Vec<_>>(),
        vec![("erp", format!("http://127.0.0.1:{port}"))]
    );
    assert_eq!(mocks.url("wms"), None);
}

#[tokio::test]
async fn a_port_for_an_unknown_service_is_refused() {
    let ports = BTreeMap::from([("epr".to_owned(), 1)]);
    let err = MockEnvironment::start_on(
        &[spec(ERP)],
        "production",
        Arc::new(TemplateEngine::new()),
        &ports,
    )
    .await
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "no mock file defines service `epr`, did you mean `erp`?; mocked: erp"
    );
}

#[test]
fn overrides_replace_status_body_delay_and_merge_headers() {
    let route = &spec(
        r#"
service: erp
routes:
  - name: r
    method: GET
    path: /r
    response: { status: 200, headers: { Content-Type: application/json, x-a: "1" }, body: "{}", delay_ms: 5 }
    environments:
      staging: { headers: { content-type: text/plain }, body: "x", delay_ms: 9 }
"#,
    )
    .routes[0];
    assert_eq!(route.response_for("production"), route.response);
    let staging = route.response_for("staging");
    assert_eq!(staging.status, 200);
    assert_eq!(
        staging.headers,
        BTreeMap::from([
            ("content-type".to_owned(), "text/plain".to_owned()),
            ("x-a".to_owned(), "1".to_owned()),
        ])
    );
    assert_eq!((staging.body.as_str(), staging.delay_ms), ("x", Some(9)));
}

#[test]
fn invalid_routes_are_rejected_with_the_reason() {
    let cases = [
        (
            "    path: /a\n    path_regex: ^/a$\n",
            "route `r`: give either `path` or `path_regex`, not both",
        ),
        ("", "route `r`: give a `path` or a `path_regex`"),
        ("    path: a\n", "`path` `a` must start with `/`"),
        ("    path: /a?b=1\n", "must not contain a query string"),
        (
            "    path_regex: ^/a(\n",
            "`path_regex` is not a valid regex",
        ),
    ];
    for (matcher, expected) in cases {
        let text = format!(
            "service: erp\nroutes:\n  - name: r\n    method: GET\n{matcher}    response: {{}}\n"
        );
        let err = parse(&text, Path::new("mocks/erp.yaml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains(expected), "{matcher}: {err}");
        assert!(err.starts_with("invalid mock file mocks/erp.yaml"), "{err}");
    }
}

#[test]
fn invalid_responses_are_rejected_with_the_reason() {
    let cases = [
        (
            "method: FETCH",
            "response: {}",
            "method `FETCH` is not one of GET, HEAD",
        ),
        (
            "method: GET",
            "response: { status: 42 }",
            "status 42 is not between 100 and 599",
        ),
        (
            "method: GET",
            "response: { headers: { 'bad name': x } }",
            "`bad name` is not a valid header name",
        ),
        (
            "method: GET",
            "response: {}\n    environments: { staging: { status: 1000 } }",
            "environments.staging: status 1000",
        ),
    ];
    for (method, response, expected) in cases {
        let text = format!(
            "service: erp\nroutes:\n  - name: r\n    {method}\n    path: /a\n    {response}\n"
        );
        let err = parse(&text, Path::new("mocks/erp.yaml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains(expected), "{response}: {err}");
    }
}

#[test]
fn unknown_keys_are_errors_with_line_and_column() {
    let text = "service: erp\nroutes:\n  - name: r\n    method: GET\n    path: /a\n    response: {}\n    environments:\n      staging: { stauts: 202 }\n";
    let err = parse(text, Path::new("mocks/erp.yaml")).unwrap_err();
    let MockError::Parse {
        line,
        column,
        message,
        path,
    } = &err
    else {
        panic!("{err:?}");
    };
    assert_eq!(path, Path::new("mocks/erp.yaml"));
    assert_eq!((*line, *column), (Some(8), Some(18)));
    assert!(message.contains("unknown field `stauts`"), "{message}");
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn load_dir_reads_every_yaml_file_in_name_order() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "wms.yaml", "service: wms\nroutes: []\n");
    write(dir.path(), "erp.yaml", ERP);
    write(dir.path(), "notes.txt", "not a mock");
    let specs = load_dir(dir.path()).unwrap();
    let services: Vec<&str> = specs.iter().map(|s| s.service.as_str()).collect();
    assert_eq!(services, ["erp", "wms"]);
    assert_eq!(specs[0].path, dir.path().join("erp.yaml"));
    assert_eq!(specs[0].routes.len(), 4);
}

#[test]
fn load_dir_names_the_malformed_file() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "erp.yaml", ERP);
    let bad = write(
        dir.path(),
        "wms.yaml",
        "service: wms\nroutes:\n  - name: [unclosed\n",
    );
    let err = load_dir(dir.path()).unwrap_err();
    assert!(
        matches!(&err, MockError::Parse { line: Some(_), .. }),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .starts_with(&format!("invalid mock file {}: ", bad.display())),
        "{err}"
    );
}

#[test]
fn load_dir_refuses_a_service_mocked_twice() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.yaml", "service: erp\nroutes: []\n");
    write(dir.path(), "b.yaml", "service: erp\nroutes: []\n");
    let err = load_dir(dir.path()).unwrap_err().to_string();
    assert!(err.starts_with("service `erp` is mocked twice"), "{err}");
}

#[test]
fn load_dir_names_a_missing_folder() {
    let err = load_dir(Path::new("/nonexistent/mocks"))
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("cannot read mocks folder /nonexistent/mocks"),
        "{err}"
    );
}

mod demo;
