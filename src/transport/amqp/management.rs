//! The RabbitMQ management HTTP API: the declared topology of a vhost.
//!
//! ```text
//! GET /api/exchanges/%2Fplant  /api/queues/%2Fplant  /api/bindings/%2Fplant
//! ──▶ BrokerTopology {
//!       exchanges: {"orders": {"type": "topic", "durable": true, "auto_delete": false, "internal": false, "arguments": {}}},
//!       queues:    {"erp.orders": {"type": "classic", "durable": true, "auto_delete": false,
//!                                  "arguments": {"x-message-ttl": 60000, "x-dead-letter-exchange": "dlx"}}},
//!       bindings:  {"orders -> queue erp.orders [order.*]": {"arguments": {}}} }
//! ```
//!
//! The default exchange, `amq.*` exchanges, exclusive queues and server-named
//! queues (the harness's own listeners) are left out: they are not topology
//! anybody declared.

use serde_json::{Value, json};

use crate::config::AmqpService;
use crate::trace::BrokerTopology;

/// Reads the topology of the service's vhost.
pub async fn fetch_topology(service: &AmqpService) -> Result<BrokerTopology, String> {
    let client = client(service)?;
    let vhost = encode(&service.vhost);
    let exchanges = get(&client, service, &format!("/api/exchanges/{vhost}")).await?;
    let queues = get(&client, service, &format!("/api/queues/{vhost}")).await?;
    let bindings = get(&client, service, &format!("/api/bindings/{vhost}")).await?;
    Ok(topology_of(&service.vhost, &exchanges, &queues, &bindings))
}

fn client(service: &AmqpService) -> Result<reqwest::Client, String> {
    crate::transport::http::install_crypto_provider();
    reqwest::Client::builder()
        .timeout(service.timeout)
        .build()
        .map_err(|e| format!("cannot build the management API client: {e}"))
}

/// Attempts per request: a broker that just started (or a vhost just
/// created) answers 5xx for a moment while its management data catches up.
const ATTEMPTS: u32 = 5;

async fn get(client: &reqwest::Client, service: &AmqpService, path: &str) -> Result<Value, String> {
    let mut attempt = 1;
    loop {
        match get_once(client, service, path).await {
            Err(Failure::Transient(message)) if attempt < ATTEMPTS => {
                tracing::debug!("{message}; retrying");
                tokio::time::sleep(std::time::Duration::from_millis(250 * u64::from(attempt)))
                    .await;
                attempt += 1;
            }
            Err(Failure::Transient(message) | Failure::Final(message)) => return Err(message),
            Ok(value) => return Ok(value),
        }
    }
}

/// Why one management API request failed.
enum Failure {
    /// A 5xx answer: worth another try.
    Transient(String),
    /// Anything else.
    Final(String),
}

async fn get_once(
    client: &reqwest::Client,
    service: &AmqpService,
    path: &str,
) -> Result<Value, Failure> {
    let url = format!("{}{path}", service.management_url);
    let (user, password) = &service.management_credentials;
    let response = client
        .get(&url)
        .basic_auth(user, Some(password))
        .send()
        .await
        .map_err(|e| Failure::Final(format!("management API {url}: {}", error_chain(&e))))?;
    let status = response.status();
    let text = response
        .text()
        .await
        .map_err(|e| Failure::Final(format!("management API {url}: {e}")))?;
    if !status.is_success() {
        let message = format!(
            "management API {url} answered {status}: {}",
            text.chars().take(200).collect::<String>()
        );
        return Err(if status.is_server_error() {
            Failure::Transient(message)
        } else {
            Failure::Final(message)
        });
    }
    serde_json::from_str(&text)
        .map_err(|e| Failure::Final(format!("management API {url}: not JSON: {e}")))
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// `%2F`-style path segment for a vhost.
pub fn encode(segment: &str) -> String {
    segment
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Builds the topology from the three management API listings.
pub fn topology_of(
    vhost: &str,
    exchanges: &Value,
    queues: &Value,
    bindings: &Value,
) -> BrokerTopology {
    let mut topology = BrokerTopology {
        vhost: vhost.to_owned(),
        ..BrokerTopology::default()
    };
    for e in items(exchanges) {
        let name = text(e, "name");
        if name.is_empty() || name.starts_with("amq.") {
            continue;
        }
        topology.exchanges.insert(
            name,
            json!({
                "type": e["type"], "durable": e["durable"], "auto_delete": e["auto_delete"],
                "internal": e["internal"], "arguments": arguments(e),
            }),
        );
    }
    for q in items(queues) {
        let name = text(q, "name");
        if harness_queue(&name) || q["exclusive"] == Value::Bool(true) {
            continue;
        }
        topology.queues.insert(
            name,
            json!({
                "type": q["type"], "durable": q["durable"], "auto_delete": q["auto_delete"],
                "arguments": arguments(q),
            }),
        );
    }
    for b in items(bindings) {
        let (source, destination) = (text(b, "source"), text(b, "destination"));
        if source.is_empty() || harness_queue(&destination) {
            continue;
        }
        let key = format!(
            "{source} -> {} {destination} [{}]",
            text(b, "destination_type"),
            text(b, "routing_key")
        );
        topology
            .bindings
            .insert(key, json!({ "arguments": arguments(b) }));
    }
    topology
}

fn harness_queue(name: &str) -> bool {
    name.starts_with("amq.gen-")
}

fn items(listing: &Value) -> impl Iterator<Item = &Value> {
    listing.as_array().into_iter().flatten()
}

fn text(item: &Value, key: &str) -> String {
    item[key].as_str().unwrap_or_default().to_owned()
}

fn arguments(item: &Value) -> Value {
    match &item["arguments"] {
        Value::Object(map) => Value::Object(map.clone()),
        _ => json!({}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vhosts_are_encoded_as_one_path_segment() {
        assert_eq!(encode("/"), "%2F");
        assert_eq!(encode("plant/a b"), "plant%2Fa%20b");
        assert_eq!(encode("dg-test_1"), "dg-test_1");
    }

    #[test]
    fn harness_and_builtin_objects_are_left_out() {
        let exchanges = json!([
            {"name": "", "type": "direct"},
            {"name": "amq.topic", "type": "topic"},
            {"name": "orders", "type": "topic", "durable": true, "auto_delete": false, "internal": false, "arguments": {}}
        ]);
        let queues = json!([
            {"name": "amq.gen-abc", "exclusive": true, "durable": false},
            {"name": "erp.orders", "type": "classic", "durable": true, "auto_delete": false, "exclusive": false,
             "arguments": {"x-message-ttl": 60000}}
        ]);
        let bindings = json!([
            {"source": "", "destination": "erp.orders", "destination_type": "queue", "routing_key": "erp.orders"},
            {"source": "orders", "destination": "amq.gen-abc", "destination_type": "queue", "routing_key": "#"},
            {"source": "orders", "destination": "erp.orders", "destination_type": "queue", "routing_key": "order.*", "arguments": {}}
        ]);
        let t = topology_of("/", &exchanges, &queues, &bindings);
        assert_eq!(t.exchanges.keys().collect::<Vec<_>>(), ["orders"]);
        assert_eq!(t.queues.keys().collect::<Vec<_>>(), ["erp.orders"]);
        assert_eq!(t.queues["erp.orders"]["arguments"]["x-message-ttl"], 60000);
        assert_eq!(
            t.bindings.keys().collect::<Vec<_>>(),
            ["orders -> queue erp.orders [order.*]"]
        );
    }
}
