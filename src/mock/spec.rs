//! The `mocks/*.yaml` schema, its loading and validation.
//!
//! ```yaml
//! service: erp
//! routes:
//!   - name: create order
//!     method: POST
//!     path: /api/orders              # or `path_regex: ^/api/orders/[^/]+$`
//!     response:
//!       status: 201
//!       headers: { content-type: application/json }
//!       body: '{"id": "{{ uuid() }}"}'
//!     environments:
//!       staging: { status: 202 }
//! ```
//!
//! Everything a wiremock constructor would panic on (a bad status, method,
//! path, regex or header name) is rejected here, with the file and route named.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::Deserialize;
use wiremock::http::HeaderName;

use super::MockError;

/// Methods a route may match.
const METHODS: &[&str] = &["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/// One mocked service, from one `mocks/*.yaml` file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MockSpec {
    /// The service name, as used in `driftgate.toml` and in `on "SERVICE"` steps.
    pub service: String,
    /// Routes, matched in file order: the first route that matches answers.
    pub routes: Vec<RouteSpec>,
    /// The file the spec was loaded from.
    #[serde(skip)]
    pub path: PathBuf,
}

/// One route: what it matches and how it answers.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteSpec {
    /// A human name, used in error messages and 500 explanations.
    pub name: String,
    /// HTTP method, case-insensitive (`GET`, `POST`, …).
    pub method: String,
    /// Exact request path, e.g. `/api/orders`.
    #[serde(default)]
    pub path: Option<String>,
    /// Regular expression the request path must match, e.g. `^/api/orders/[^/]+$`.
    #[serde(default)]
    pub path_regex: Option<String>,
    /// The response every environment gets unless overridden.
    pub response: ResponseSpec,
    /// Per-environment overrides of the response, by environment name.
    #[serde(default)]
    pub environments: BTreeMap<String, ResponseOverride>,
}

/// A response; header values and the body are templates rendered per request.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseSpec {
    /// Status code (100–599).
    #[serde(default = "default_status")]
    pub status: u16,
    /// Response headers; values may use `{{ request.… }}`.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Response body template; empty when absent.
    #[serde(default)]
    pub body: String,
    /// Delay before the response is sent.
    #[serde(default)]
    pub delay_ms: Option<u64>,
}

fn default_status() -> u16 {
    200
}

/// What one environment changes in a route's response; absent fields keep the base.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseOverride {
    /// Replaces the status.
    #[serde(default)]
    pub status: Option<u16>,
    /// Merged into the base headers (same name, case-insensitive, replaces).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Replaces the body.
    #[serde(default)]
    pub body: Option<String>,
    /// Replaces the delay.
    #[serde(default)]
    pub delay_ms: Option<u64>,
}

/// How a route matches request paths.
#[derive(Debug, Clone, PartialEq)]
pub enum PathMatch {
    /// The path must be exactly this.
    Exact(String),
    /// The path must match this regular expression.
    Regex(String),
}

impl RouteSpec {
    /// The route's path matcher, checked: exactly one of `path` and `path_regex`,
    /// a path starting with `/` without a query, a regex that compiles.
    pub fn path_match(&self) -> Result<PathMatch, String> {
        match (&self.path, &self.path_regex) {
            (Some(_), Some(_)) => Err("give either `path` or `path_regex`, not both".into()),
            (None, None) => Err("give a `path` or a `path_regex`".into()),
            (Some(p), None) => {
                validate_path(p)?;
                Ok(PathMatch::Exact(p.clone()))
            }
            (None, Some(re)) => {
                regex::Regex::new(re)
                    .map_err(|e| format!("`path_regex` is not a valid regex: {e}"))?;
                Ok(PathMatch::Regex(re.clone()))
            }
        }
    }

    /// The response `environment` gets: the base with that environment's override applied.
    pub fn response_for(&self, environment: &str) -> ResponseSpec {
        let mut response = self.response.clone();
        let Some(o) = self.environments.get(environment) else {
            return response;
        };
        if let Some(status) = o.status {
            response.status = status;
        }
        for (name, value) in &o.headers {
            response
                .headers
                .retain(|n, _| !n.eq_ignore_ascii_case(name));
            response.headers.insert(name.clone(), value.clone());
        }
        if let Some(body) = &o.body {
            response.body = body.clone();
        }
        if o.delay_ms.is_some() {
            response.delay_ms = o.delay_ms;
        }
        response
    }
}

/// Loads every `*.yaml` file of `dir`, in file-name order.
pub fn load_dir(dir: &Path) -> Result<Vec<MockSpec>, MockError> {
    let entries = std::fs::read_dir(dir).map_err(|source| MockError::ReadDir {
        dir: dir.to_owned(),
        source,
    })?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|source| MockError::ReadDir {
                dir: dir.to_owned(),
                source,
            })?
            .path();
        if path.is_file() && path.extension().is_some_and(|e| e == "yaml") {
            files.push(path);
        }
    }
    files.sort();
    let mut specs: Vec<MockSpec> = Vec::new();
    for file in files {
        let spec = load_file(&file)?;
        if let Some(first) = specs.iter().find(|s| s.service == spec.service) {
            return Err(MockError::DuplicateService {
                service: spec.service,
                first: first.path.clone(),
                second: file,
            });
        }
        specs.push(spec);
    }
    Ok(specs)
}

/// Loads and validates one mock file.
pub fn load_file(path: &Path) -> Result<MockSpec, MockError> {
    let text = std::fs::read_to_string(path).map_err(|source| MockError::Read {
        path: path.to_owned(),
        source,
    })?;
    parse(&text, path)
}

/// Parses and validates mock YAML; `path` names it in errors.
pub fn parse(text: &str, path: &Path) -> Result<MockSpec, MockError> {
    let mut spec: MockSpec = serde_norway::from_str(text).map_err(|e| MockError::Parse {
        path: path.to_owned(),
        line: e.location().map(|l| l.line()),
        column: e.location().map(|l| l.column()),
        message: e.to_string(),
    })?;
    spec.path = path.to_owned();
    validate(&spec)?;
    Ok(spec)
}

/// Checks everything wiremock would panic on; [`parse`] calls it, and so does
/// starting a mock environment, for specs built in code.
pub fn validate(spec: &MockSpec) -> Result<(), MockError> {
    let invalid = |route: &str, message: String| MockError::Invalid {
        path: spec.path.clone(),
        route: route.to_owned(),
        message,
    };
    if spec.service.trim().is_empty() {
        return Err(invalid("-", "`service` must not be empty".into()));
    }
    for route in &spec.routes {
        validate_route(route).map_err(|message| invalid(&route.name, message))?;
    }
    Ok(())
}

fn validate_route(route: &RouteSpec) -> Result<(), String> {
    if !METHODS.contains(&route.method.to_ascii_uppercase().as_str()) {
        return Err(format!(
            "method `{}` is not one of {}",
            route.method,
            METHODS.join(", ")
        ));
    }
    route.path_match()?;
    validate_response(route.response.status, &route.response.headers)?;
    for (env, o) in &route.environments {
        validate_response(o.status.unwrap_or(200), &o.headers)
            .map_err(|m| format!("environments.{env}: {m}"))?;
    }
    Ok(())
}

fn validate_path(path: &str) -> Result<(), String> {
    if !path.starts_with('/') {
        return Err(format!("`path` `{path}` must start with `/`"));
    }
    if path.contains('?') {
        return Err(format!(
            "`path` `{path}` must not contain a query string (`?`); query parameters are not matched"
        ));
    }
    Ok(())
}

fn validate_response(status: u16, headers: &BTreeMap<String, String>) -> Result<(), String> {
    if !(100..=599).contains(&status) {
        return Err(format!("status {status} is not between 100 and 599"));
    }
    for name in headers.keys() {
        HeaderName::from_str(name).map_err(|_| format!("`{name}` is not a valid header name"))?;
    }
    Ok(())
}
