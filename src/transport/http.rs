//! HTTP transport: one connection-reusing client per environment and service.
//!
//! ```text
//! HttpRequest { method: POST, url: http://erp/api/orders, body: {...} }
//!   └─ send() ─▶ HttpExchange { request, response: { status: 201, headers, body }, timing }
//! ```
//!
//! Every request runs in its own tokio task, so its timing measures the
//! network and the server, not other scenarios sharing the runner's task.
//! A request to a capped environment first waits for a permit of the
//! environment's limiter (see `transport::limit`); its timing starts after.

use std::sync::Arc;
use std::time::Instant;

use reqwest::Method;

use crate::config::Service;
use crate::trace::{Body, HttpExchange, HttpRequestRecord, HttpResponseRecord, Timing};
use crate::transport::limit::{RequestLimiter, permit};

/// Header names whose values never enter a trace, whatever the redactor knows.
const SENSITIVE_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
];

/// A client could not be built for a service.
#[derive(Debug, thiserror::Error)]
#[error("cannot set up service `{service}`: {message}")]
pub struct ClientError {
    /// The service.
    pub service: String,
    /// Why.
    pub message: String,
}

/// A rendered request, ready to send.
#[derive(Debug, Clone)]
pub struct HttpRequest {
    /// Method.
    pub method: Method,
    /// Absolute URL.
    pub url: String,
    /// Headers in the order they are sent.
    pub headers: Vec<(String, String)>,
    /// Body text (what the trace records).
    pub body: Option<String>,
    /// The bytes to send when they are not the UTF-8 of `body`: an EDI
    /// document in the character set its envelope declares.
    pub body_bytes: Option<Vec<u8>>,
}

/// The HTTP client of one service in one environment.
#[derive(Debug, Clone)]
pub struct HttpClient {
    service: String,
    client: reqwest::Client,
    limiter: Option<Arc<RequestLimiter>>,
}

/// Makes sure rustls has a process-wide crypto provider (ring).
pub fn install_crypto_provider() {
    // Err means a provider is already installed, which is what we want.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl HttpClient {
    /// Builds the client for `service` (timeouts, TLS verification, connection pool).
    pub fn new(name: &str, service: &Service) -> Result<HttpClient, ClientError> {
        HttpClient::with_connections(name, service, true)
    }

    /// Like [`HttpClient::new`]; `reuse` false keeps no idle connection, so
    /// every request opens a fresh one (cold-connection timing).
    pub fn with_connections(
        name: &str,
        service: &Service,
        reuse: bool,
    ) -> Result<HttpClient, ClientError> {
        install_crypto_provider();
        let client = reqwest::Client::builder()
            .timeout(service.timeout)
            .connect_timeout(service.timeout.min(std::time::Duration::from_secs(10)))
            .danger_accept_invalid_certs(!service.tls_verify)
            .pool_max_idle_per_host(if reuse { 64 } else { 0 })
            .user_agent(concat!("driftgate/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ClientError {
                service: name.to_owned(),
                message: error_chain(&e),
            })?;
        Ok(HttpClient {
            service: name.to_owned(),
            client,
            limiter: None,
        })
    }

    /// Makes every request wait for a permit of `limiter` before it is sent.
    pub fn set_limiter(&mut self, limiter: Arc<RequestLimiter>) {
        self.limiter = Some(limiter);
    }

    /// Sends the request in its own task and records what happened; never fails:
    /// a transport error is part of the observation.
    pub async fn send(&self, request: HttpRequest) -> HttpExchange {
        let record = HttpRequestRecord {
            method: request.method.as_str().to_owned(),
            url: request.url.clone(),
            headers: request
                .headers
                .iter()
                .map(|(n, v)| (n.clone(), mask_sensitive(n, v)))
                .collect(),
            body: request.body.clone().map(Body::from_text),
        };
        let mut builder = self.client.request(request.method, &request.url);
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        if let Some(bytes) = request.body_bytes {
            builder = builder.body(bytes);
        } else if let Some(body) = request.body {
            builder = builder.body(body);
        }
        let limiter = self.limiter.clone();
        let task = tokio::spawn(async move {
            // Held until the body is read; waiting for it is not timed.
            let _permit = permit(limiter.as_ref()).await;
            let start = Instant::now();
            let response = builder.send().await?;
            let headers_ms = ms(start);
            let status = response.status().as_u16();
            let headers = response
                .headers()
                .iter()
                .map(|(n, v)| {
                    let name = n.as_str().to_owned();
                    let value = String::from_utf8_lossy(v.as_bytes()).into_owned();
                    let value = mask_sensitive(&name, &value);
                    (name, value)
                })
                .collect::<Vec<_>>();
            let bytes = response.bytes().await?;
            let total_ms = ms(start);
            Ok::<_, reqwest::Error>((
                status,
                headers,
                bytes,
                Timing {
                    headers_ms,
                    total_ms,
                },
            ))
        });
        let (response, error, timing) = match task.await {
            Ok(Ok((status, headers, bytes, timing))) => {
                let body = (!bytes.is_empty()).then(|| {
                    Body::from_text(
                        crate::edi::decode_non_utf8(&bytes)
                            .unwrap_or_else(|| String::from_utf8_lossy(&bytes).into_owned()),
                    )
                });
                (
                    Some(HttpResponseRecord {
                        status,
                        headers,
                        body,
                    }),
                    None,
                    timing,
                )
            }
            Ok(Err(e)) => (
                None,
                Some(describe_error(&self.service, &e)),
                Timing::default(),
            ),
            Err(e) => (
                None,
                Some(format!(
                    "request task for `{}` was aborted: {e}",
                    self.service
                )),
                Timing::default(),
            ),
        };
        HttpExchange {
            service: self.service.clone(),
            request: record,
            response,
            error,
            timing,
        }
    }
}

fn ms(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1000.0
}

fn mask_sensitive(name: &str, value: &str) -> String {
    if SENSITIVE_HEADERS
        .iter()
        .any(|s| s.eq_ignore_ascii_case(name))
    {
        crate::config::REDACTED.to_owned()
    } else {
        value.to_owned()
    }
}

/// A transport error as one line that names the service and says what kind of failure it was.
fn describe_error(service: &str, e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "cannot connect"
    } else if e.is_body() || e.is_decode() {
        "broken response body"
    } else if e.is_builder() {
        "invalid request"
    } else {
        "request failed"
    };
    let url = e.url().map(|u| format!(" {u}")).unwrap_or_default();
    format!("{kind}: service `{service}`{url}: {}", error_chain(e))
}

/// The error and its sources, joined, so "connection refused" is not lost behind "error sending request".
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

/// Joins a base URL and a path (which may already be absolute).
pub fn join_url(base_url: &str, path: &str) -> String {
    if path.starts_with("http://") || path.starts_with("https://") {
        path.to_owned()
    } else if path.starts_with('/') {
        format!("{base_url}{path}")
    } else {
        format!("{base_url}/{path}")
    }
}

/// Whether a request with this method changes state (refused on protected environments).
pub fn is_write(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_urls() {
        assert_eq!(join_url("http://h:1", "/a/b"), "http://h:1/a/b");
        assert_eq!(join_url("http://h:1", "a"), "http://h:1/a");
        assert_eq!(join_url("http://h:1", "https://x/y"), "https://x/y");
    }

    #[test]
    fn write_methods() {
        assert!(is_write(&Method::POST));
        assert!(is_write(&Method::DELETE));
        assert!(!is_write(&Method::GET));
        assert!(!is_write(&Method::HEAD));
    }

    #[test]
    fn sensitive_headers_are_masked() {
        assert_eq!(mask_sensitive("Authorization", "Bearer x"), "***");
        assert_eq!(mask_sensitive("X-Tenant", "acme"), "acme");
    }
}
