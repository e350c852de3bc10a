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
use crate::secret::Redactor;
use crate::trace::{
    Body, HttpExchange, HttpRedirect, HttpRequestRecord, HttpResponseRecord, Timing,
};
use crate::transport::limit::{RequestLimiter, permit};
use crate::transport::redirect::{self, MAX_REDIRECTS};

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

impl crate::diagnostic::Diagnose for ClientError {
    fn diagnostics(&self) -> Vec<crate::diagnostic::Diagnostic> {
        vec![
            crate::diagnostic::Diagnostic::error(self.to_string())
                .with_help("check the service's settings in driftgate.toml"),
        ]
    }
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
    /// Follow redirects (`follow_redirects = true`), else observe the 3xx.
    follow_redirects: bool,
    /// The service's own credential headers, dropped on a redirect to another origin.
    credential_headers: Arc<[String]>,
    /// The run's secrets, never carried to another origin in a redirect's URL.
    secrets: Redactor,
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
            // Redirects are followed (or not) by `send`, which keeps
            // credentials on their origin and records every hop.
            .redirect(reqwest::redirect::Policy::none())
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
            follow_redirects: service.follow_redirects,
            credential_headers: service.credential_headers.clone().into(),
            secrets: service.secrets.clone(),
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
        let limiter = self.limiter.clone();
        let hops = Hops {
            client: self.client.clone(),
            follow: self.follow_redirects,
            credential_headers: self.credential_headers.clone(),
            secrets: self.secrets.clone(),
        };
        let task = tokio::spawn(async move {
            // Held until the body is read; waiting for it is not timed.
            let _permit = permit(limiter.as_ref()).await;
            let start = Instant::now();
            let (response, redirects) = hops.send(request).await?;
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
            let bytes = response.bytes().await.map_err(HopError::Http)?;
            let total_ms = ms(start);
            Ok::<_, HopError>((
                status,
                headers,
                bytes,
                redirects,
                Timing {
                    headers_ms,
                    total_ms,
                },
            ))
        });
        let (response, error, redirects, timing) = match task.await {
            Ok(Ok((status, headers, bytes, redirects, timing))) => {
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
                    redirects,
                    timing,
                )
            }
            Ok(Err(HopError::Http(e))) => (
                None,
                Some(describe_error(&self.service, &e)),
                Vec::new(),
                Timing::default(),
            ),
            Ok(Err(HopError::TooMany(url))) => (
                None,
                Some(format!(
                    "too many redirects: service `{}` was redirected more than {MAX_REDIRECTS} times, last to {url}",
                    self.service
                )),
                Vec::new(),
                Timing::default(),
            ),
            Ok(Err(HopError::SecretInLocation(url))) => (
                None,
                Some(format!(
                    "redirect not followed: service `{}` was sent to another origin, {url}, with a secret in the URL",
                    self.service
                )),
                Vec::new(),
                Timing::default(),
            ),
            Err(e) => (
                None,
                Some(format!(
                    "request task for `{}` was aborted: {e}",
                    self.service
                )),
                Vec::new(),
                Timing::default(),
            ),
        };
        HttpExchange {
            service: self.service.clone(),
            request: record,
            response,
            error,
            redirects,
            timing,
        }
    }
}

/// Why a request (or one of its redirects) got no response.
enum HopError {
    /// The transport failed.
    Http(reqwest::Error),
    /// More than [`MAX_REDIRECTS`] redirects; the last location.
    TooMany(String),
    /// A redirect to another origin whose URL holds a secret (shown redacted).
    SecretInLocation(String),
}

impl From<reqwest::Error> for HopError {
    fn from(e: reqwest::Error) -> Self {
        HopError::Http(e)
    }
}

/// What sending one request, redirects included, needs.
struct Hops {
    client: reqwest::Client,
    follow: bool,
    credential_headers: Arc<[String]>,
    secrets: Redactor,
}

impl Hops {
    /// Sends the request; when following, sends each redirect's next request
    /// too, credentials dropped once it leaves the first origin. Returns the
    /// last response and the redirects that led to it.
    async fn send(
        &self,
        request: HttpRequest,
    ) -> Result<(reqwest::Response, Vec<HttpRedirect>), HopError> {
        let HttpRequest {
            mut method,
            url,
            mut headers,
            body,
            body_bytes,
        } = request;
        // The wire bytes when a step encoded them (an EDI document in its
        // partner's character set), else the text body.
        let mut body = body_bytes.or_else(|| body.map(String::into_bytes));
        let Ok(first) = reqwest::Url::parse(&url) else {
            // reqwest words the error for an unusable URL.
            return Ok((
                self.client.request(method, url.as_str()).send().await?,
                Vec::new(),
            ));
        };
        let mut current = first.clone();
        let mut redirects = Vec::new();
        let mut dropped = false;
        loop {
            let mut builder = self.client.request(method.clone(), current.clone());
            for (name, value) in &headers {
                builder = builder.header(name, value);
            }
            if let Some(body) = &body {
                builder = builder.body(body.clone());
            }
            let response = builder.send().await?;
            let location = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok());
            let hop = self
                .follow
                .then(|| redirect::next_hop(&method, &current, response.status(), location))
                .flatten();
            let Some(hop) = hop else {
                return Ok((response, redirects));
            };
            if redirects.len() == MAX_REDIRECTS {
                return Err(HopError::TooMany(hop.url.to_string()));
            }
            let elsewhere = !redirect::same_origin(&first, &hop.url);
            let shown = self.secrets.redact(hop.url.as_str());
            if elsewhere && shown != hop.url.as_str() {
                return Err(HopError::SecretInLocation(shown.into_owned()));
            }
            if elsewhere && !dropped {
                headers = redirect::without_credentials(&headers, &self.credential_headers);
                dropped = true;
            }
            redirects.push(HttpRedirect {
                status: response.status().as_u16(),
                url: current.to_string(),
                location: hop.url.to_string(),
                credentials_dropped: dropped,
            });
            if !hop.keeps_body {
                body = None;
            }
            method = hop.method;
            current = hop.url;
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
        crate::secret::REDACTED.to_owned()
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

/// The URL a request goes to: `path` joined to `base_url`, then each query
/// parameter appended URL-encoded (`a b&c` → `a+b%26c`).
pub fn request_url(
    base_url: &str,
    path: &str,
    query: &[(String, String)],
) -> Result<String, String> {
    let mut url = reqwest::Url::parse(&join_url(base_url, path))
        .map_err(|e| format!("bad URL for `{path}`: {e}"))?;
    if !query.is_empty() {
        let mut pairs = url.query_pairs_mut();
        for (k, v) in query {
            pairs.append_pair(k, v);
        }
    }
    Ok(url.to_string())
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
