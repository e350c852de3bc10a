//! `driftgate db-parity`: the parity probes run outside any scenario, for a
//! quick configuration check of one database service between two
//! environments. Each probe is queried on both environments at once and
//! recorded as a scenario of its own (see [`super::recording`]), judged like
//! a run's trace.
//!
//! ```text
//! $ driftgate db-parity --baseline production --candidate staging --service erpdb --table dbo.Orders
//! DRIFT  erpdb: table dbo.Orders columns  db-parity:0
//!   --> db-parity:0  Then the table dbo.Orders columns of "erpdb" should match
//!       SQL SELECT COLUMN_NAME AS column_name, ORDINAL_POSITION AS ordinal, … (erpdb)
//!       error  configuration  row[column_name=Priority]  baseline: (absent)  candidate: {"column_name":"Priority",…}
//!
//! scenarios: 6 total, 5 passed, 1 drifted, 0 failed
//! verdict: DRIFT (exit 1)
//! ```

use std::collections::BTreeMap;
use std::time::Instant;

use super::recording::{CheckFeature, ParityRecording};
use super::{Probe, probes};
use crate::config::{Config, ConfigError};
use crate::secret::Redactor;
use crate::trace::{EnvironmentRef, Observation, Side, SideStep, TraceRecord, Twin};
use crate::transport::sql::SqlClient;

/// Where `db-parity` files its scenarios, one per probe.
const DB_PARITY: CheckFeature = CheckFeature {
    path: "db-parity",
    name: "Database configuration parity",
};

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

/// Runs every probe for `service` and `tables` on both environments and
/// records each as a scenario; secrets of the environments go to `redactor`.
pub async fn check(
    config: &Config,
    names: &Twin<String>,
    service: &str,
    tables: &[String],
    redactor: &Redactor,
) -> Result<Vec<TraceRecord>, ParityError> {
    let mut clients = Vec::new();
    let mut environments = Twin::<EnvironmentRef>::default();
    for side in Side::BOTH {
        let env = config.environment(names.get(side), redactor)?;
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
    let mut recording = ParityRecording::new(DB_PARITY, environments);
    for probe in probes(tables) {
        let started = Instant::now();
        let (baseline, candidate) = futures::join!(
            probe_side(&clients[0], &probe, redactor),
            probe_side(&clients[1], &probe, redactor)
        );
        recording.aspect(
            format!("{service}: {}", probe.aspect),
            format!("the {} of \"{service}\" should match", probe.aspect),
            Twin::new(baseline?, candidate?),
            started.elapsed().as_secs_f64() * 1000.0,
        );
    }
    Ok(recording.finish())
}

/// The probe's result on one side, marked as configuration keyed by the
/// probe's key columns; a side that cannot be read ends the check.
async fn probe_side(
    client: &SqlClient,
    probe: &Probe,
    redactor: &Redactor,
) -> Result<SideStep, ParityError> {
    let mut exchange = client.query(&probe.query).await;
    if let Some(error) = &exchange.error {
        let message = format!("cannot read {}: {error}", probe.aspect);
        return Err(ParityError::Unreadable(
            redactor.redact(&message).into_owned(),
        ));
    }
    exchange.key = probe.key.clone();
    exchange.configuration = Some(probe.aspect.clone());
    Ok(SideStep {
        observations: vec![Observation::Sql(exchange)],
        ..SideStep::default()
    })
}
