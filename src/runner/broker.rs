//! Broker commands outside a scenario run: `driftgate capture` (messages of
//! an exchange binding or a dead-letter queue into a replay file),
//! `driftgate topology` (broker topology parity of two environments,
//! recorded as a run's records and judged like one), and
//! the broker reachability check the demo uses to skip queue scenarios.
//!
//! ```text
//! driftgate capture --env production --service events --exchange orders --binding "order.#" \
//!     -o scenarios/replay/orders.jsonl --count 100
//! captured 100 messages to scenarios/replay/orders.jsonl (100 messages captured)
//! ```

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::config::{AmqpService, Config, ConfigError, Environment};
use crate::diagnostic::Diagnose;
use crate::parity::{CheckFeature, ParityRecording};
use crate::secret::Redactor;
use crate::trace::{
    AmqpEvent, AmqpObservation, EnvironmentRef, Observation, SideStep, TraceRecord, Twin,
};
use crate::transport::amqp::management::fetch_topology;
use crate::transport::amqp::replay::{CaptureLimit, CaptureSummary, capture};
use crate::transport::amqp::{AmqpClient, ListenerSource};

/// Why a broker command could not do its work.
#[derive(Debug, thiserror::Error)]
pub enum BrokerCommandError {
    /// The environment is not defined or cannot be resolved.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// `capture --dlq` on a protected environment: draining takes the messages away.
    #[error(
        "refused: draining queue `{queue}` would take messages from protected environment `{environment}`"
    )]
    DrainProtected {
        /// The queue asked for.
        queue: String,
        /// The protected environment.
        environment: String,
    },
    /// `capture` names neither an exchange nor a queue.
    #[error("nothing to capture")]
    NothingToCapture,
    /// `capture` has neither a count nor a duration.
    #[error("the capture has no end")]
    NoEnd,
    /// The environment has no AMQP service by that name, or several and none was named.
    #[error("environment `{environment}`: {}", match service {
        Some(name) => format!("no AMQP service `{name}`"),
        None => "no single AMQP service".to_owned(),
    })]
    NoAmqpService {
        /// The environment.
        environment: String,
        /// The service asked for, if one was.
        service: Option<String>,
        /// The AMQP services the environment has.
        known: Vec<String>,
    },
    /// The broker could not be reached or failed.
    #[error("{0}")]
    Broker(String),
}

impl Diagnose for BrokerCommandError {
    fn diagnostics(&self) -> Vec<crate::diagnostic::Diagnostic> {
        use crate::diagnostic::Diagnostic;
        let error = Diagnostic::error(self.to_string());
        match self {
            BrokerCommandError::Config(e) => e.diagnostics(),
            BrokerCommandError::DrainProtected { .. } => {
                vec![error.with_help("capture from its exchange with --exchange instead")]
            }
            BrokerCommandError::NothingToCapture => {
                vec![error.with_help(
                    "name what to capture: --exchange X [--binding KEY], or --dlq QUEUE",
                )]
            }
            BrokerCommandError::NoEnd => {
                vec![error.with_help("say when to stop: --count N or --duration 10s")]
            }
            BrokerCommandError::NoAmqpService { known, .. } => {
                let services = if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                };
                vec![error.with_help(format!(
                    "name one with --service (AMQP services: {services})"
                ))]
            }
            BrokerCommandError::Broker(_) => vec![error],
        }
    }

    fn summary(&self) -> Option<crate::diagnostic::Diagnostic> {
        match self {
            BrokerCommandError::Config(e) => e.summary(),
            _ => None,
        }
    }
}

impl BrokerCommandError {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            BrokerCommandError::Broker(_) => crate::exit::UNREACHABLE,
            _ => crate::exit::USAGE,
        }
    }
}

/// What `driftgate capture` was asked to do.
#[derive(Debug, Clone)]
pub struct CaptureRequest {
    /// Environment name.
    pub environment: String,
    /// AMQP service name (the only one when `None`).
    pub service: Option<String>,
    /// Exchange to observe (with `binding`), unless draining `dlq`.
    pub exchange: Option<String>,
    /// Binding key.
    pub binding: String,
    /// Dead-letter (or any) queue to drain destructively instead.
    pub dlq: Option<String>,
    /// Replay file to write.
    pub output: PathBuf,
    /// Stop after this many messages.
    pub count: Option<usize>,
    /// Stop after this long.
    pub duration: Option<Duration>,
}

/// Captures messages into a replay file; Ctrl-C stops it cleanly.
pub async fn capture_command(
    config: &Config,
    request: &CaptureRequest,
    redactor: &Redactor,
) -> Result<CaptureSummary, BrokerCommandError> {
    let env = environment(config, &request.environment, redactor)?;
    let (name, service) = amqp_service(&env, request.service.as_deref())?;
    let source = match (&request.dlq, &request.exchange) {
        (Some(queue), _) => {
            if env.protected {
                return Err(BrokerCommandError::DrainProtected {
                    queue: queue.clone(),
                    environment: env.name.clone(),
                });
            }
            ListenerSource::Queue {
                queue: queue.clone(),
            }
        }
        (None, Some(exchange)) => ListenerSource::Exchange {
            exchange: exchange.clone(),
            binding: request.binding.clone(),
        },
        (None, None) => {
            return Err(BrokerCommandError::NothingToCapture);
        }
    };
    let idle = request.dlq.as_ref().map(|_| Duration::from_secs(2));
    if request.count.is_none() && request.duration.is_none() && idle.is_none() {
        return Err(BrokerCommandError::NoEnd);
    }
    let limit = CaptureLimit {
        count: request.count,
        duration: request.duration,
        idle: if request.count.is_some() || request.duration.is_some() {
            None
        } else {
            idle
        },
    };
    let client = AmqpClient::new(&name, &env.name, &service);
    let stop = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    capture(&client, source, &request.output, limit, stop)
        .await
        .map_err(|e| BrokerCommandError::Broker(redactor.redact(&e.to_string()).into_owned()))
}

/// Where `driftgate topology` files its scenarios, one per AMQP service.
const BROKER_TOPOLOGY: CheckFeature = CheckFeature {
    path: "broker topology",
    name: "Broker topology parity",
};

/// Reads the broker topology of `service` (else of every AMQP service of
/// the baseline environment) in two environments and records each as a
/// scenario, to be judged like a run's trace.
pub async fn topology_command(
    config: &Config,
    baseline: &str,
    candidate: &str,
    service: Option<&str>,
    redactor: &Redactor,
) -> Result<Vec<TraceRecord>, BrokerCommandError> {
    let envs = Twin::new(
        environment(config, baseline, redactor)?,
        environment(config, candidate, redactor)?,
    );
    let services = topology_services(&envs, service)?;
    let mut recording = ParityRecording::new(
        BROKER_TOPOLOGY,
        Twin::new(env_ref(&envs.baseline), env_ref(&envs.candidate)),
    );
    let fetched = |side: &Environment, result: Result<_, String>| {
        result.map_err(|e| {
            BrokerCommandError::Broker(format!(
                "environment `{}`: {}",
                side.name,
                redactor.redact(&e)
            ))
        })
    };
    for (name, specs) in services {
        let started = Instant::now();
        let (b, c) = futures::join!(
            fetch_topology(&specs.baseline),
            fetch_topology(&specs.candidate)
        );
        let (b, c) = (fetched(&envs.baseline, b)?, fetched(&envs.candidate, c)?);
        let side = |topology| SideStep {
            observations: vec![Observation::Amqp(AmqpObservation {
                service: name.clone(),
                event: AmqpEvent::Topology { topology },
            })],
            ..SideStep::default()
        };
        let sides = Twin::new(side(b), side(c));
        recording.aspect(
            format!("topology of `{name}`"),
            format!("I compare the broker topology of \"{name}\""),
            sides,
            started.elapsed().as_secs_f64() * 1000.0,
        );
    }
    Ok(recording.finish())
}

/// The AMQP services `driftgate topology` compares, each with both
/// environments' settings: the one `named`, else every one the baseline
/// environment declares (the candidate must declare it too).
fn topology_services(
    envs: &Twin<Environment>,
    named: Option<&str>,
) -> Result<Vec<(String, Twin<AmqpService>)>, BrokerCommandError> {
    let names: Vec<&str> = match named {
        Some(name) => vec![name],
        None => envs.baseline.amqp.keys().map(String::as_str).collect(),
    };
    if names.is_empty() {
        // Says that the environment has no AMQP service at all.
        amqp_service(&envs.baseline, None)?;
    }
    names
        .into_iter()
        .map(|name| {
            let (b, c) = (
                amqp_service(&envs.baseline, Some(name))?,
                amqp_service(&envs.candidate, Some(name))?,
            );
            Ok((b.0, Twin::new(b.1, c.1)))
        })
        .collect()
}

/// Whether every AMQP service of the named environments accepts a connection;
/// the error says which one did not, and why.
pub async fn brokers_reachable(config: &Config, environments: &[&str]) -> Result<(), String> {
    let redactor = Redactor::default();
    for name in environments {
        let env = config
            .environment(name, &redactor)
            .map_err(|e| e.to_string())?;
        for (service, spec) in &env.amqp {
            let mut quick = spec.clone();
            quick.timeout = quick.timeout.min(Duration::from_secs(3));
            AmqpClient::new(service, &env.name, &quick)
                .connection()
                .await
                .map_err(|e| redactor.redact(&e.to_string()).into_owned())?;
        }
    }
    Ok(())
}

fn environment(
    config: &Config,
    name: &str,
    redactor: &Redactor,
) -> Result<Environment, BrokerCommandError> {
    Ok(config.environment(name, redactor)?)
}

fn amqp_service(
    env: &Environment,
    named: Option<&str>,
) -> Result<(String, AmqpService), BrokerCommandError> {
    let found = match named {
        Some(n) => env.amqp.get_key_value(n),
        None if env.amqp.len() == 1 => env.amqp.iter().next(),
        None => None,
    };
    found
        .map(|(k, v)| (k.clone(), v.clone()))
        .ok_or_else(|| BrokerCommandError::NoAmqpService {
            environment: env.name.clone(),
            service: named.map(str::to_owned),
            known: env.amqp.keys().cloned().collect(),
        })
}

fn env_ref(env: &Environment) -> EnvironmentRef {
    EnvironmentRef {
        name: env.name.clone(),
        variables: env.variables.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_usage_error_says_what_to_do_and_exits_2() {
        let usage = [
            BrokerCommandError::DrainProtected {
                queue: "orders.dlq".into(),
                environment: "production".into(),
            },
            BrokerCommandError::NothingToCapture,
            BrokerCommandError::NoEnd,
            BrokerCommandError::NoAmqpService {
                environment: "staging".into(),
                service: Some("evnts".into()),
                known: vec!["events".into()],
            },
        ];
        for error in &usage {
            assert_eq!(error.exit_code(), crate::exit::USAGE, "{error}");
            let shown = error.diagnostics();
            assert_eq!(shown.len(), 1, "{error}");
            assert!(!shown[0].help.is_empty(), "{error} has no help");
            assert!(!error.to_string().starts_with("error"), "{error}");
        }
        let rendered = usage[3].diagnostics()[0].to_string();
        assert!(
            rendered.contains("no AMQP service `evnts`") && rendered.contains("events"),
            "{rendered}"
        );
        let broker = BrokerCommandError::Broker("connection refused".into());
        assert_eq!(broker.exit_code(), crate::exit::UNREACHABLE);
    }

    #[test]
    fn an_unknown_environment_keeps_the_configurations_own_diagnostic() {
        let config = Config::parse(
            "[environments.production.services.events]\namqp_url = \"amqp://127.0.0.1:5672\"\n",
            std::path::Path::new("driftgate.toml"),
        )
        .unwrap();
        let error = environment(&config, "prodution", &Redactor::default()).unwrap_err();
        assert!(matches!(error, BrokerCommandError::Config(_)), "{error:?}");
        let shown: String = error.diagnostics().iter().map(|d| d.to_string()).collect();
        assert!(shown.contains("prodution"), "{shown}");
        assert!(shown.contains("production"), "{shown}");
    }
}
