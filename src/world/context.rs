//! What every scenario of a run shares: environments, clients, templates,
//! and the sinks its records go to.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::config::Environment;
use crate::secret::Redactor;
use crate::template::TemplateEngine;
use crate::trace::{RecordSinks, RunHeader, Twin};
use crate::transport::amqp::AmqpClient;
use crate::transport::http::{ClientError, HttpClient};
use crate::transport::limit::RequestLimiter;
use crate::transport::sql::SqlClient;

/// One environment at run time: its resolved config and one HTTP client per service.
#[derive(Debug)]
pub struct EnvRuntime {
    /// The resolved environment.
    pub env: Environment,
    /// One connection-reusing client per service.
    pub clients: BTreeMap<String, HttpClient>,
    /// One connection pool per SQL Server service.
    pub databases: BTreeMap<String, SqlClient>,
    /// One broker connection per AMQP service (opened on first use).
    pub amqp: BTreeMap<String, AmqpClient>,
}

impl EnvRuntime {
    /// Builds the clients of every service of `env`.
    pub fn new(env: Environment) -> Result<EnvRuntime, ClientError> {
        EnvRuntime::with_connections(env, true)
    }

    /// Builds the clients of every service of `env`; `reuse` false opens a
    /// fresh connection for every request (cold-connection timing).
    pub fn with_connections(env: Environment, reuse: bool) -> Result<EnvRuntime, ClientError> {
        let clients = env
            .services
            .iter()
            .map(|(name, svc)| {
                Ok((
                    name.clone(),
                    HttpClient::with_connections(name, svc, reuse)?,
                ))
            })
            .collect::<Result<_, ClientError>>()?;
        let databases = env
            .databases
            .iter()
            .map(|(name, db)| {
                SqlClient::new(&env.name, name, db)
                    .map(|client| (name.clone(), client))
                    .map_err(|e| ClientError {
                        service: name.clone(),
                        message: e.message,
                    })
            })
            .collect::<Result<_, ClientError>>()?;

        let amqp = env
            .amqp
            .iter()
            .map(|(name, svc)| (name.clone(), AmqpClient::new(name, &env.name, svc)))
            .collect();
        Ok(EnvRuntime {
            env,
            clients,
            databases,
            amqp,
        })
    }

    /// This environment with every request of every transport waiting for
    /// a permit of `limiter` (the environment's load caps), if any.
    pub fn limited(mut self, limiter: Option<Arc<RequestLimiter>>) -> EnvRuntime {
        let Some(limiter) = limiter else {
            return self;
        };
        for client in self.clients.values_mut() {
            client.set_limiter(limiter.clone());
        }
        for client in self.databases.values_mut() {
            client.set_limiter(limiter.clone());
        }
        for client in self.amqp.values_mut() {
            client.set_limiter(limiter.clone());
        }
        self
    }
}

/// Everything the scenarios of one run share.
#[derive(Debug)]
pub struct RunContext {
    /// Recorded at the top of the trace and the reports.
    pub header: RunHeader,
    /// Baseline and candidate.
    pub envs: Twin<EnvRuntime>,
    /// Template engine.
    pub engine: TemplateEngine,
    /// Where every record goes: the trace and the judge (shared by the
    /// contexts of every tenant of the run).
    pub records: Arc<RecordSinks>,
    /// Comparison rules, compiled once, for steps that assert the two sides
    /// agree (`the query result should be the same in both environments`).
    pub rule_set: crate::compare::RuleSet,
    /// Folder fixtures are read from.
    pub fixtures: PathBuf,
    /// Service used when a step names none.
    pub default_service: Option<String>,
    /// Pause between polling attempts.
    pub poll_interval: Duration,
    /// Folder feature paths are shown relative to.
    pub display_root: PathBuf,
    /// Secrets to scrub from messages.
    pub redactor: Redactor,
}
