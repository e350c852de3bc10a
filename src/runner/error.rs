//! Why a run (or a report rebuilt from traces) could not judge anything:
//! one variant per problem, each with what to do about it and its exit code.
//!
//! ```text
//! error: baseline and candidate are both `staging`
//!   = help: compare two different environments: name another with --baseline or --candidate
//!
//! error: candidate environment `staging`: service `erp` at http://127.0.0.1:9 is unreachable: connection refused
//!
//! error: nothing was run: an environment could not be reached
//!   = help: check the base_url in driftgate.toml, the network path, and that the service is up
//! ```

use crate::compare::traces::TraceInputError;
use crate::config::ConfigError;
use crate::config::tenant::TenantSelectionError;
use crate::diagnostic::{Diagnose, Diagnostic};
use crate::trace::TraceError;
use crate::transport::http::ClientError;

use super::features::FeatureErrors;
use super::merge::MergeError;
use super::preflight::Unreachable;
use super::shard::Shard;

/// Why a run could not judge anything.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Bad configuration.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Bad feature files.
    #[error(transparent)]
    Features(#[from] FeatureErrors),
    /// An HTTP client could not be built.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// The trace could not be created, written or read.
    #[error(transparent)]
    Trace(#[from] TraceError),
    /// A file is not a driftgate trace.
    #[error(transparent)]
    NotATrace(#[from] TraceInputError),
    /// Traces of one run could not be read together.
    #[error(transparent)]
    Traces(#[from] MergeError),
    /// `--tenant` names a tenant the configuration does not declare.
    #[error(transparent)]
    Tenant(#[from] TenantSelectionError),
    /// An environment could not be reached at all.
    #[error("{}", unreachable_text(.0))]
    Unreachable(Vec<Unreachable>),
    /// A twin run against one environment on both sides.
    #[error("baseline and candidate are both `{0}`")]
    SameEnvironment(String),
    /// No environment is left to run against.
    #[error("no environment to run against")]
    NoEnvironment,
    /// The paths and `--tags` select no scenario.
    #[error("no scenarios selected in {paths}{}", tags.as_ref().map(|t| format!(" with --tags \"{t}\"")).unwrap_or_default())]
    NoScenarios {
        /// The feature paths read, joined.
        paths: String,
        /// The tag expression, when one was given.
        tags: Option<String>,
    },
    /// The run would start more scenario runs than one run may.
    #[error("the run would start {runs} scenario runs ({what}); one run starts at most {max}")]
    TooManyRuns {
        /// Scenario runs it would start.
        runs: usize,
        /// How they multiply.
        what: String,
        /// The most one run starts.
        max: usize,
    },
    /// `learn-noise --runs` below two.
    #[error("--runs {0}: learning needs at least 2 runs per environment")]
    TooFewLearningRuns(usize),
    /// `--shard` together with `--baseline-trace`.
    #[error("--shard {0} cannot be combined with --baseline-trace")]
    ShardWithBaselineTrace(Shard),
    /// `report` named no trace.
    #[error("name at least one trace")]
    NoTraces,
    /// `report` named traces of runs against different environments.
    #[error("{path} compares other environments than {first}")]
    OtherEnvironments {
        /// The odd trace.
        path: String,
        /// The first trace.
        first: String,
    },
}

fn unreachable_text(list: &[Unreachable]) -> String {
    let lines: Vec<String> = list.iter().map(ToString::to_string).collect();
    format!("{}\nnothing was run; {UNREACHABLE_HELP}", lines.join("\n"))
}

const UNREACHABLE_HELP: &str =
    "check the base_url in driftgate.toml, the network path, and that the service is up";

impl RunError {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            RunError::Unreachable(_) => crate::exit::UNREACHABLE,
            _ => crate::exit::USAGE,
        }
    }

    /// What to do about a problem of the run itself.
    fn help(&self) -> Option<String> {
        Some(match self {
            RunError::SameEnvironment(_) => {
                "compare two different environments: name another with --baseline or --candidate".into()
            }
            RunError::NoEnvironment => {
                "declare the environments in driftgate.toml ([environments.NAME]) and name them with --baseline and --candidate".into()
            }
            RunError::NoScenarios { .. } => {
                "a gate that ran nothing cannot say there is no drift: check the feature paths and the tag expression".into()
            }
            RunError::TooManyRuns { .. } => {
                "select fewer with --tags or --tenant, lower --samples, or split the suite with --shard I/N".into()
            }
            RunError::TooFewLearningRuns(_) => {
                "give --runs 2 or more: learning sees what changes between runs of one environment".into()
            }
            RunError::ShardWithBaselineTrace(_) => {
                "a recorded baseline holds the whole suite: run the shards against a live baseline, or compare the whole suite".into()
            }
            RunError::NoTraces => "e.g. driftgate report reports/trace.jsonl".into(),
            RunError::OtherEnvironments { .. } => "report traces of one run together".into(),
            _ => return None,
        })
    }
}

impl Diagnose for RunError {
    fn diagnostics(&self) -> Vec<Diagnostic> {
        match self {
            RunError::Config(e) => e.diagnostics(),
            RunError::Features(e) => e.diagnostics(),
            RunError::Client(e) => e.diagnostics(),
            RunError::Trace(e) => e.diagnostics(),
            RunError::NotATrace(e) => e.diagnostics(),
            RunError::Traces(e) => e.diagnostics(),
            RunError::Tenant(e) => e.diagnostics(),
            RunError::Unreachable(list) => list
                .iter()
                .map(|u| Diagnostic::error(u.to_string()))
                .collect(),
            other => vec![Diagnostic::error(other.to_string()).with_help_if(other.help())],
        }
    }

    fn summary(&self) -> Option<Diagnostic> {
        match self {
            RunError::Config(e) => e.summary(),
            RunError::Features(e) => e.summary(),
            RunError::Unreachable(_) => Some(
                Diagnostic::error("nothing was run: an environment could not be reached")
                    .with_help(UNREACHABLE_HELP),
            ),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::Side;

    #[test]
    fn no_display_starts_with_error_and_each_usage_problem_says_what_to_do() {
        let unreachable = Unreachable {
            side: Side::Candidate,
            environment: "staging".into(),
            service: "erp".into(),
            url: "http://127.0.0.1:9".into(),
            reason: "connection refused".into(),
        };
        let usage = [
            RunError::SameEnvironment("staging".into()),
            RunError::NoScenarios {
                paths: "features".into(),
                tags: Some("@smoke".into()),
            },
            RunError::TooManyRuns {
                runs: 200_000,
                what: "scenarios × tenants".into(),
                max: 100_000,
            },
            RunError::TooFewLearningRuns(1),
            RunError::ShardWithBaselineTrace("1/2".parse().unwrap()),
            RunError::NoTraces,
            RunError::NoEnvironment,
            RunError::OtherEnvironments {
                path: "b.jsonl".into(),
                first: "a.jsonl".into(),
            },
        ];
        for e in &usage {
            let text = e.to_string();
            assert!(!text.to_lowercase().starts_with("error"), "{text}");
            let d = e.diagnostics();
            assert_eq!(d.len(), 1, "{text}");
            assert!(!d[0].help.is_empty(), "{text}: no help");
            assert_eq!(e.exit_code(), crate::exit::USAGE);
        }
        let e = RunError::Unreachable(vec![unreachable]);
        assert!(!e.to_string().contains("error:"), "{e}");
        assert_eq!(e.exit_code(), crate::exit::UNREACHABLE);
        let rendered = crate::diagnostic::render_error(&e, crate::diagnostic::Styling::Plain);
        assert_eq!(
            rendered,
            "error: candidate environment `staging`: service `erp` at http://127.0.0.1:9 is unreachable: connection refused\n\n\
             error: nothing was run: an environment could not be reached\n  \
             = help: check the base_url in driftgate.toml, the network path, and that the service is up\n"
        );
    }
}
