//! The real RabbitMQ of the test machine, driven through its management API:
//! unique vhosts per test (deleted when the test ends), topology, connections.

use std::time::Duration;

use serde_json::{Value, json};

const MANAGEMENT: &str = "http://127.0.0.1:15672";

/// Vhosts created by one test.
pub struct Broker {
    http: reqwest::Client,
    vhosts: Vec<String>,
}

/// The broker, or `None` (after a loud SKIP line) when it is not there on a
/// developer machine; in CI (`CI=true`) a missing broker fails the test.
pub async fn broker(test: &str) -> Option<Broker> {
    driftgate::transport::http::install_crypto_provider();
    // Generous: declaring vhosts on a broker other test runs share can take
    // seconds when the machine is busy.
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let up = http
        .get(format!("{MANAGEMENT}/api/overview"))
        .basic_auth("guest", Some("guest"))
        .send()
        .await
        .is_ok_and(|r| r.status().is_success());
    if !up {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!(
                "RabbitMQ (127.0.0.1:5672, management :15672) is not reachable in CI; run .ci/setup.d/rabbitmq.sh"
            );
        }
        eprintln!(
            "SKIP {test}: RabbitMQ with the management API is not reachable on 127.0.0.1:15672 (run .ci/setup.d/rabbitmq.sh)"
        );
        return None;
    }
    Some(Broker {
        http,
        vhosts: Vec::new(),
    })
}

fn enc(s: &str) -> String {
    driftgate::transport::amqp::management::encode(s)
}

impl Broker {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self
            .http
            .request(method.clone(), format!("{MANAGEMENT}{path}"))
            .basic_auth("guest", Some("guest"));
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        assert!(
            status.is_success() || (method == reqwest::Method::DELETE && status == 404),
            "{method} {path}: {status} {text}"
        );
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// A fresh vhost with full permissions for guest.
    pub async fn vhost(&mut self, label: &str) -> String {
        let name = format!(
            "dg-{label}-{}",
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        );
        self.call(
            reqwest::Method::PUT,
            &format!("/api/vhosts/{}", enc(&name)),
            Some(json!({})),
        )
        .await;
        self.call(
            reqwest::Method::PUT,
            &format!("/api/permissions/{}/guest", enc(&name)),
            Some(json!({"configure": ".*", "write": ".*", "read": ".*"})),
        )
        .await;
        self.vhosts.push(name.clone());
        name
    }

    /// The AMQP URL of a vhost.
    pub fn url(vhost: &str) -> String {
        format!("amqp://guest:guest@127.0.0.1:5672/{}", enc(vhost))
    }

    pub async fn exchange(&self, vhost: &str, name: &str) {
        self.call(
            reqwest::Method::PUT,
            &format!("/api/exchanges/{}/{name}", enc(vhost)),
            Some(json!({"type": "topic", "durable": true})),
        )
        .await;
    }

    pub async fn queue(&self, vhost: &str, name: &str, arguments: Value) {
        self.call(
            reqwest::Method::PUT,
            &format!("/api/queues/{}/{name}", enc(vhost)),
            Some(json!({"durable": true, "arguments": arguments})),
        )
        .await;
    }

    pub async fn bind_queue(&self, vhost: &str, exchange: &str, queue: &str, key: &str) {
        self.call(
            reqwest::Method::POST,
            &format!("/api/bindings/{}/e/{exchange}/q/{queue}", enc(vhost)),
            Some(json!({"routing_key": key})),
        )
        .await;
    }

    pub async fn bind_exchange(&self, vhost: &str, source: &str, destination: &str, key: &str) {
        self.call(
            reqwest::Method::POST,
            &format!("/api/bindings/{}/e/{source}/e/{destination}", enc(vhost)),
            Some(json!({"routing_key": key})),
        )
        .await;
    }

    /// Force-closes every connection called `name` to `vhost`, once one exists; returns how many.
    pub async fn close_connections_named(&self, name: &str, vhost: &str, wait: Duration) -> usize {
        let deadline = std::time::Instant::now() + wait;
        loop {
            let listing = self
                .call(reqwest::Method::GET, "/api/connections", None)
                .await;
            let names: Vec<String> = listing
                .as_array()
                .into_iter()
                .flatten()
                .filter(|c| c["client_properties"]["connection_name"] == json!(name))
                .filter(|c| c["vhost"] == json!(vhost))
                .filter_map(|c| c["name"].as_str().map(str::to_owned))
                .collect();
            if !names.is_empty() {
                for n in &names {
                    self.call(
                        reqwest::Method::DELETE,
                        &format!("/api/connections/{}", enc(n)),
                        None,
                    )
                    .await;
                }
                return names.len();
            }
            if std::time::Instant::now() > deadline {
                return 0;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        let vhosts = std::mem::take(&mut self.vhosts);
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async {
                let http = reqwest::Client::new();
                for v in vhosts {
                    let _ = http
                        .delete(format!("{MANAGEMENT}/api/vhosts/{}", enc(&v)))
                        .basic_auth("guest", Some("guest"))
                        .send()
                        .await;
                }
            });
        })
        .join();
    }
}
