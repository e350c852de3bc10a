//! `driftgate db-parity`: the parity probes run outside any scenario, for a
//! quick configuration check of one database service between two
//! environments.
//!
//! ```text
//! $ driftgate db-parity --baseline production --candidate staging --service erpdb --table dbo.Orders
//! configuration  table dbo.Orders columns: column_name=Priority exists only in candidate
//!                baseline –  candidate {"column_name":"Priority","data_type":"nvarchar",…}
//! 1 configuration difference between production and staging (erpdb)
//! ```

use std::collections::BTreeMap;

use crate::compare::{Drift, compare_scenario};
use crate::config::{CompareRules, Config, ConfigError, Redactor};
use crate::trace::{
    EnvironmentRef, Observation, RunHeader, ScenarioKey, Side, SideStep, StepOutcome, StepRecord,
    TRACE_FORMAT, Twin,
};
use crate::transport::sql::SqlClient;

use super::probes;

/// Why a parity check could not judge.
#[derive(Debug, thiserror::Error)]
pub enum ParityError {
    /// Bad configuration or unknown environment.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The service is not a database service in an environment, or cannot be set up.
    #[error("{0}")]
    Service(String),
    /// A probe could not be read on a side (unreachable, refused login, timeout).
    #[error("{0}")]
    Unreadable(String),
}

impl crate::diagnostic::Diagnose for ParityError {
    fn diagnostics(&self) -> Vec<crate::diagnostic::Diagnostic> {
        match self {
            ParityError::Config(e) => crate::diagnostic::Diagnose::diagnostics(e),
            other => vec![crate::diagnostic::Diagnostic::error(other.to_string())],
        }
    }

    fn summary(&self) -> Option<crate::diagnostic::Diagnostic> {
        match self {
            ParityError::Config(e) => crate::diagnostic::Diagnose::summary(e),
            _ => None,
        }
    }
}

/// What a parity check found.
#[derive(Debug)]
pub struct ParityOutcome {
    /// Every configuration difference.
    pub drifts: Vec<Drift>,
    /// The secrets of this check, for anything printed.
    pub redactor: Redactor,
}

/// Runs every probe for `service` and `tables` on both environments and compares them.
pub async fn check(
    config: &Config,
    names: &Twin<String>,
    service: &str,
    tables: &[String],
) -> Result<ParityOutcome, ParityError> {
    let redactor = Redactor::default();
    let mut clients = Vec::new();
    let mut environments = Twin::<EnvironmentRef>::default();
    for side in Side::BOTH {
        let env = config.environment(names.get(side), &redactor)?;
        let settings = env.databases.get(service).ok_or_else(|| {
            ParityError::Service(format!(
                "environment `{}` has no SQL Server service `{service}` (kind = \"sqlserver\")",
                env.name
            ))
        })?;
        let client = SqlClient::new(&env.name, service, settings)
            .map_err(|e| ParityError::Service(e.to_string()))?;
        *environments.get_mut(side) = EnvironmentRef {
            name: env.name.clone(),
            variables: BTreeMap::new(),
        };
        clients.push(client);
    }
    let probes = probes(tables);
    let mut sides = Twin::<SideStep>::default();
    for (side, client) in Side::BOTH.into_iter().zip(&clients) {
        for probe in &probes {
            let mut exchange = client.query(&probe.query).await;
            if let Some(error) = &exchange.error {
                let message = format!("cannot read {}: {error}", probe.aspect);
                return Err(ParityError::Unreadable(
                    redactor.redact(&message).into_owned(),
                ));
            }
            exchange.key = probe.key.clone();
            exchange.configuration = Some(probe.aspect.clone());
            sides
                .get_mut(side)
                .observations
                .push(Observation::Sql(exchange));
        }
        sides.get_mut(side).outcome = StepOutcome::Passed;
    }
    let step = StepRecord {
        outline_text: None,
        scenario: ScenarioKey {
            sample: None,
            feature: "db-parity".into(),
            feature_name: "Database configuration parity".into(),
            rule: None,
            name: format!("{service}: {} vs {}", names.baseline, names.candidate),
            line: 0,
            tags: Vec::new(),
            tenant: None,
        },
        index: 0,
        keyword: String::new(),
        text: format!("database configuration of \"{service}\""),
        line: 0,
        sides,
    };
    let header = RunHeader {
        format: TRACE_FORMAT,
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        started_at: String::new(),
        environments,
        tenants: Default::default(),
    };
    let drifts = compare_scenario(&header, &[step], &CompareRules::default());
    Ok(ParityOutcome { drifts, redactor })
}

/// The drifts as terminal lines, with both values.
pub fn render(outcome: &ParityOutcome, names: &Twin<String>, service: &str) -> String {
    let show =
        |v: &Option<serde_json::Value>| v.as_ref().map_or("–".to_owned(), |v| v.to_string());
    let mut out = String::new();
    for drift in &outcome.drifts {
        out.push_str(&format!(
            "{}  {}\n    {}: {}\n    {}: {}\n",
            drift.class,
            drift.message,
            names.baseline,
            show(&drift.baseline),
            names.candidate,
            show(&drift.candidate)
        ));
    }
    out.push_str(&format!(
        "{} configuration difference(s) between {} and {} ({service})\n",
        outcome.drifts.len(),
        names.baseline,
        names.candidate
    ));
    outcome.redactor.redact(&out).into_owned()
}
