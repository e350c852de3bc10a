//! The demo content (`mocks/`) differs between production and staging in
//! exactly the three deliberate ways, and `mocks/demo.toml` loads.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use serde_json::{Value, json};

use super::{client, json_of, with_json};
use crate::config::Config;
use crate::mock::{MockEnvironment, load_dir};
use crate::secret::Redactor;
use crate::template::{GeneratedValues, Scope, TemplateEngine};

const ORDER_ID: &str = "3f0c2a4e-5b7d-4c1e-9a8f-2d6b1e0c7a93";

fn mocks_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/mocks"))
}

/// A fixture under `scenarios/`, rendered as the runner would for `plant`.
fn fixture(name: &str, plant: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name);
    let text = std::fs::read_to_string(path).unwrap();
    let vars = BTreeMap::from([
        ("orderNo".to_owned(), json!("PO-12345")),
        ("orderId".to_owned(), json!(ORDER_ID)),
    ]);
    let env_vars = BTreeMap::from([
        ("plant".to_owned(), plant.to_owned()),
        ("tenant".to_owned(), "acme".to_owned()),
    ]);
    let scope = Scope {
        vars: &vars,
        env_name: "demo",
        env_vars: &env_vars,
        generated: &Arc::new(GeneratedValues::default()),
    };
    let rendered = TemplateEngine::new().render(&text, scope).unwrap();
    serde_json::from_str(&rendered).unwrap()
}

/// Every demo route once: (service, method, path, body).
fn exchanges(plant: &str) -> Vec<(&'static str, &'static str, String, Option<Value>)> {
    let order = fixture("orders/new-order.json", plant);
    let shipment = fixture("shipments/shipment-notice.json", plant);
    vec![
        ("erp", "GET", "/health".into(), None),
        ("wms", "GET", "/health".into(), None),
        ("erp", "POST", "/api/orders".into(), Some(order)),
        (
            "erp",
            "POST",
            format!("/api/orders/{ORDER_ID}/lines"),
            Some(json!({"sku": "BRK-1001", "quantity": 10})),
        ),
        ("erp", "GET", format!("/api/orders/{ORDER_ID}"), None),
        ("erp", "POST", "/api/shipments".into(), Some(shipment)),
        ("erp", "GET", format!("/api/shipments/{ORDER_ID}"), None),
        ("wms", "GET", "/api/inventory/BRK-1001".into(), None),
    ]
}

/// Status and body with the legitimately different data replaced.
async fn observe(environment: &str, plant: &str) -> Vec<(String, u16, Value)> {
    let specs = load_dir(mocks_dir()).unwrap();
    let mocks = MockEnvironment::start(&specs, environment, Arc::new(TemplateEngine::new()))
        .await
        .unwrap();
    let mut observed = Vec::new();
    for (service, method, path, body) in exchanges(plant) {
        let mut request = client().request(
            method.parse().unwrap(),
            format!("{}{path}", mocks.url(service).unwrap()),
        );
        if let Some(body) = body {
            request = with_json(request, &body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let mut body = json_of(response).await;
        normalise(&mut body, plant);
        observed.push((format!("{service} {method} {path}"), status, body));
    }
    observed
}

fn normalise(body: &mut Value, plant: &str) {
    let Value::Object(fields) = body else { return };
    fields.remove("generatedAt");
    for value in fields.values_mut() {
        match value.as_str() {
            Some(s) if s == plant => *value = json!("<plant>"),
            Some(s) if s != ORDER_ID && uuid::Uuid::parse_str(s).is_ok() => {
                *value = json!("<uuid>")
            }
            _ => {}
        }
    }
}

/// Differences as `route: what`, with top-level keys whose values differ.
fn differences(
    baseline: &[(String, u16, Value)],
    candidate: &[(String, u16, Value)],
) -> Vec<String> {
    let mut found = Vec::new();
    for ((route, b_status, b_body), (_, c_status, c_body)) in baseline.iter().zip(candidate) {
        if b_status != c_status {
            found.push(format!("{route}: status {b_status} → {c_status}"));
        }
        let (Some(b), Some(c)) = (b_body.as_object(), c_body.as_object()) else {
            continue;
        };
        for key in b.keys().chain(c.keys().filter(|k| !b.contains_key(*k))) {
            if b.get(key) != c.get(key) {
                found.push(format!(
                    "{route}: {key} {:?} → {:?}",
                    b.get(key),
                    c.get(key)
                ));
            }
        }
    }
    found
}

#[tokio::test]
async fn staging_drifts_from_production_in_exactly_the_three_deliberate_ways() {
    let production = observe("production", "P100").await;
    let staging = observe("staging", "S100").await;
    assert!(
        production.iter().all(|(_, status, _)| *status < 300),
        "{production:?}"
    );
    assert_eq!(
        differences(&production, &staging),
        [
            format!(
                "erp GET /api/orders/{ORDER_ID}: currency Some(String(\"EUR\")) → Some(String(\"USD\"))"
            ),
            "erp POST /api/shipments: status 201 → 202".to_owned(),
            "wms GET /api/inventory/BRK-1001: quantityOnHand Some(Number(40)) → None".to_owned(),
            "wms GET /api/inventory/BRK-1001: qtyOnHand None → Some(Number(40))".to_owned(),
        ]
    );
}

#[test]
fn the_demo_config_defines_both_environments_with_both_services() {
    let config = Config::load(&mocks_dir().join("demo.toml")).unwrap();
    let redactor = Redactor::default();
    for (name, plant) in [("production", "P100"), ("staging", "S100")] {
        let env = config.environment(name, &redactor).unwrap();
        assert_eq!(
            env.services.keys().collect::<Vec<_>>(),
            ["edi", "erp", "wms"],
            "{name}"
        );
        assert_eq!(env.variables["plant"], plant);
    }
    assert!(
        config
            .environment("production", &redactor)
            .unwrap()
            .protected
    );
    assert_eq!(config.default_service().as_deref(), Some("erp"));
    assert!(
        config
            .resolve_path(&config.run.fixtures)
            .join("orders/new-order.json")
            .is_file()
    );
}
