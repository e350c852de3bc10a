//! Running mock environments: one wiremock server per mocked service.
//!
//! ```text
//! MockEnvironment::start(&specs, "staging", engine)
//!   erp  http://127.0.0.1:41234
//!   wms  http://127.0.0.1:41235
//! ```
//!
//! Servers run in long-running mode: request recording is off and no mock
//! carries an expectation, so memory stays flat and dropping never fails.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::sync::Arc;

use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer};

use super::MockError;
use super::responder::TemplateResponder;
use super::spec::{self, MockSpec, PathMatch, RouteSpec};
use crate::template::TemplateEngine;

/// The mocked services of one environment, each served on its own port.
pub struct MockEnvironment {
    environment: String,
    servers: BTreeMap<String, MockServer>,
}

impl std::fmt::Debug for MockEnvironment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockEnvironment")
            .field("environment", &self.environment)
            .field("services", &self.services().collect::<Vec<_>>())
            .finish()
    }
}

impl MockEnvironment {
    /// Serves every spec as `environment` sees it, each on a free local port.
    pub async fn start(
        specs: &[MockSpec],
        environment: &str,
        engine: Arc<TemplateEngine>,
    ) -> Result<MockEnvironment, MockError> {
        Self::start_on(specs, environment, engine, &BTreeMap::new()).await
    }

    /// Like [`MockEnvironment::start`], but serves the services named in
    /// `ports` on those fixed ports of 127.0.0.1 (others get a free port).
    pub async fn start_on(
        specs: &[MockSpec],
        environment: &str,
        engine: Arc<TemplateEngine>,
        ports: &BTreeMap<String, u16>,
    ) -> Result<MockEnvironment, MockError> {
        check_ports(specs, ports)?;
        let mut servers = BTreeMap::new();
        for spec in specs {
            spec::validate(spec)?;
            let port = ports.get(&spec.service).copied().unwrap_or(0);
            let listener = bind(&spec.service, port)?;
            let server = MockServer::builder()
                .listener(listener)
                .disable_request_recording()
                .start()
                .await;
            for route in &spec.routes {
                mount_route(&server, spec, route, environment, &engine).await?;
            }
            servers.insert(spec.service.clone(), server);
        }
        Ok(MockEnvironment {
            environment: environment.to_owned(),
            servers,
        })
    }

    /// The base URL of a mocked service, e.g. `http://127.0.0.1:41234`.
    pub fn url(&self, service: &str) -> Option<String> {
        self.servers.get(service).map(MockServer::uri)
    }

    /// Every mocked service with its base URL, in name order.
    pub fn services(&self) -> impl Iterator<Item = (&str, String)> {
        self.servers
            .iter()
            .map(|(name, s)| (name.as_str(), s.uri()))
    }

    /// The environment whose responses are served.
    pub fn environment(&self) -> &str {
        &self.environment
    }
}

/// Fails on a port given for a service no spec defines (a typo would otherwise go unnoticed).
fn check_ports(specs: &[MockSpec], ports: &BTreeMap<String, u16>) -> Result<(), MockError> {
    for service in ports.keys() {
        if !specs.iter().any(|s| &s.service == service) {
            let known: Vec<&str> = specs.iter().map(|s| s.service.as_str()).collect();
            return Err(MockError::UnknownService {
                service: service.clone(),
                suggestion: crate::suggest::did_you_mean(service, known.iter().copied())
                    .map(|s| format!(", did you mean `{s}`?"))
                    .unwrap_or_default(),
                known: known.join(", "),
            });
        }
    }
    Ok(())
}

fn bind(service: &str, port: u16) -> Result<TcpListener, MockError> {
    TcpListener::bind(("127.0.0.1", port)).map_err(|source| MockError::Bind {
        service: service.to_owned(),
        port,
        source,
    })
}

/// Mounts one route. Routes share wiremock's default priority, and wiremock
/// keeps mount order among equal priorities, so the first route in the file wins.
async fn mount_route(
    server: &MockServer,
    spec: &MockSpec,
    route: &RouteSpec,
    environment: &str,
    engine: &Arc<TemplateEngine>,
) -> Result<(), MockError> {
    let path_match = route.path_match().map_err(|message| MockError::Invalid {
        path: spec.path.clone(),
        route: route.name.clone(),
        message,
    })?;
    let responder = TemplateResponder::new(
        engine.clone(),
        &spec.service,
        &route.name,
        route.response_for(environment),
    );
    let builder = Mock::given(method(route.method.to_ascii_uppercase()));
    let builder = match path_match {
        PathMatch::Exact(p) => builder.and(path(p)),
        PathMatch::Regex(re) => builder.and(path_regex(re)),
    };
    builder
        .respond_with(responder)
        .named(format!("{}: {}", spec.service, route.name))
        .mount(server)
        .await;
    Ok(())
}
