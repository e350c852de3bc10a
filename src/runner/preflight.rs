//! Before anything is sent: can every service of both environments be reached?
//!
//! A TCP connection to each service's host and port, all at once, with a
//! short timeout. An environment that cannot be reached at all ends the run
//! with exit code 3 instead of a report full of connection errors.

use std::time::Duration;

use crate::trace::{Side, Twin};
use crate::world::EnvRuntime;

/// A service that did not accept a connection.
#[derive(Debug, Clone, PartialEq)]
pub struct Unreachable {
    /// Baseline or candidate.
    pub side: Side,
    /// Environment name.
    pub environment: String,
    /// Service name.
    pub service: String,
    /// The service's base URL.
    pub url: String,
    /// Why.
    pub reason: String,
}

impl std::fmt::Display for Unreachable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} environment `{}`: service `{}` at {} is unreachable: {}",
            self.side, self.environment, self.service, self.url, self.reason
        )
    }
}

/// Tries every service of both environments; returns the ones that failed.
pub async fn check(envs: &Twin<EnvRuntime>, timeout: Duration) -> Vec<Unreachable> {
    let probes = Side::BOTH.iter().flat_map(|side| {
        let env = &envs.get(*side).env;
        env.services.iter().map(move |(name, svc)| async move {
            let reason = probe(&svc.base_url, timeout).await.err()?;
            Some(Unreachable {
                side: *side,
                environment: env.name.clone(),
                service: name.clone(),
                url: svc.base_url.clone(),
                reason,
            })
        })
    });
    let brokers = Side::BOTH.iter().flat_map(|side| {
        let env = &envs.get(*side).env;
        env.amqp.iter().map(move |(name, svc)| async move {
            let reason = probe(&svc.url, timeout).await.err()?;
            Some(Unreachable {
                side: *side,
                environment: env.name.clone(),
                service: name.clone(),
                url: svc.display_url.clone(),
                reason,
            })
        })
    });
    let (http, amqp) = futures::join!(
        futures::future::join_all(probes),
        futures::future::join_all(brokers)
    );
    http.into_iter().chain(amqp).flatten().collect()
}

async fn probe(base_url: &str, timeout: Duration) -> Result<(), String> {
    let url = reqwest::Url::parse(base_url).map_err(|e| format!("invalid URL: {e}"))?;
    let host = url.host_str().ok_or("the URL has no host")?.to_owned();
    let port = match (url.port_or_known_default(), url.scheme()) {
        (Some(port), _) => port,
        (None, "amqp") => 5672,
        (None, "amqps") => 5671,
        (None, _) => return Err("the URL has no port".into()),
    };
    match tokio::time::timeout(
        timeout,
        tokio::net::TcpStream::connect((host.as_str(), port)),
    )
    .await
    {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!("no answer within {timeout:?}")),
    }
}
