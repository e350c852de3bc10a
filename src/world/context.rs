//! What every scenario of a run shares: environments, clients, templates, trace, results.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use crate::compare::Drift;
use crate::config::{CompareRules, Environment, Redactor};
use crate::report::ScenarioResult;
use crate::template::TemplateEngine;
use crate::trace::{RunHeader, Twin};
use crate::transport::http::{ClientError, HttpClient};

/// One environment at run time: its resolved config and one HTTP client per service.
#[derive(Debug)]
pub struct EnvRuntime {
    /// The resolved environment.
    pub env: Environment,
    /// One connection-reusing client per service.
    pub clients: BTreeMap<String, HttpClient>,
}

impl EnvRuntime {
    /// Builds the clients of every service of `env`.
    pub fn new(env: Environment) -> Result<EnvRuntime, ClientError> {
        let clients = env
            .services
            .iter()
            .map(|(name, svc)| Ok((name.clone(), HttpClient::new(name, svc)?)))
            .collect::<Result<_, ClientError>>()?;
        Ok(EnvRuntime { env, clients })
    }
}

/// Results collected as scenarios finish; memory grows with drift, not with traffic.
#[derive(Debug, Default)]
pub struct Results {
    /// Finished scenarios.
    pub scenarios: Vec<ScenarioResult>,
    /// Drift found so far.
    pub drifts: Vec<Drift>,
    /// Differences comparison rules kept out of the drift so far.
    pub suppressed: Vec<crate::compare::SuppressedDrift>,
    /// Trace records that could not be written (the run goes on; the report says so).
    pub trace_errors: Vec<String>,
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
    /// Trace sink.
    pub trace: crate::trace::TraceWriter,
    /// Comparison rules.
    pub rules: CompareRules,
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
    /// Collected results.
    pub results: Mutex<Results>,
}
