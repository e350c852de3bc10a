//! The argument groups several commands share, flattened into each command's
//! own arguments with `#[command(flatten)]`, and the loading of the config
//! they name (printing why it failed, so the handler only returns the usage
//! exit code).
//!
//! ```text
//! driftgate run features/ --config staging.toml --baseline production --candidate staging --noise noise.json
//! driftgate compare production.trace.jsonl staging.trace.jsonl --today 2026-12-01 --metrics drift.prom
//! ```

use std::path::{Path, PathBuf};

use driftgate::config::Config;
use driftgate::config::noise::NoiseFile;
use driftgate::config::waiver::WaiversFile;
use driftgate::diagnostic::{Diagnose, Diagnostic};
use driftgate::report::terminal::TerminalOptions;

/// `--config`: the configuration file a command cannot work without.
#[derive(Debug, clap::Args)]
pub(crate) struct ConfigArg {
    /// Configuration file.
    #[arg(
        short,
        long,
        default_value = "driftgate.toml",
        env = "DRIFTGATE_CONFIG"
    )]
    config: PathBuf,
}

impl ConfigArg {
    /// The config; `None` once the reason it cannot be loaded is printed.
    pub(crate) fn load(&self) -> Option<Config> {
        printed_on_error(Config::load(&self.config))
    }

    /// The config with the noise and waivers files named on the command
    /// line; `None` once the reason it cannot be loaded is printed.
    pub(crate) fn load_judged(&self, judge: &JudgeArgs) -> Option<Config> {
        judge.config(Some(&self.config))
    }
}

/// `--baseline` and `--candidate`: the two environments a command compares.
#[derive(Debug, clap::Args)]
pub(crate) struct EnvironmentPair {
    /// Baseline environment (usually production).
    #[arg(long)]
    pub(crate) baseline: String,
    /// Candidate environment.
    #[arg(long)]
    pub(crate) candidate: String,
}

impl EnvironmentPair {
    /// For `#[command(mut_args(…))]`: `--baseline` helped as just "Baseline
    /// environment", where production is not the usual baseline. In place:
    /// `mut_arg` would move it after `--candidate` in the usage line.
    pub(crate) fn without_usual_baseline(arg: clap::Arg) -> clap::Arg {
        if arg.get_id() == "baseline" {
            arg.help("Baseline environment")
        } else {
            arg
        }
    }
}

/// The suite a command runs: feature paths and the config that names the environments.
#[derive(Debug, clap::Args)]
pub(crate) struct SuiteArgs {
    /// Feature files or folders (default: [run] features of the config).
    pub(crate) paths: Vec<PathBuf>,
    #[command(flatten)]
    pub(crate) config: ConfigArg,
}

/// `--tags` and `--tenant`: which scenarios of the suite run.
#[derive(Debug, clap::Args)]
pub(crate) struct ScenarioFilter {
    /// Tag expression selecting scenarios.
    #[arg(short, long)]
    pub(crate) tags: Option<String>,
    /// Tenant to cover (repeatable); `all`, the default, covers every tenant the config declares.
    #[arg(long = "tenant", value_name = "NAME")]
    pub(crate) tenants: Vec<String>,
}

/// Options shared by the commands that judge drift.
#[derive(Debug, clap::Args)]
pub(crate) struct JudgeArgs {
    /// A learned noise file (JSON or TOML) to apply, in addition to `[compare] noise`.
    #[arg(long)]
    noise: Vec<PathBuf>,
    /// A waivers file (TOML, `[[waivers]]`), in addition to the config's waivers.
    #[arg(long)]
    waivers: Vec<PathBuf>,
    /// List every difference a rule suppressed, not only the count.
    #[arg(long)]
    show_suppressed: bool,
}

impl JudgeArgs {
    /// The config file (defaults when there is none) with the noise and
    /// waivers files added; `None` once the reason it cannot be loaded is printed.
    pub(crate) fn config(&self, path: Option<&Path>) -> Option<Config> {
        let config = match path {
            Some(path) => Config::load(path),
            None => Config::parse("", Path::new("driftgate.toml")),
        };
        let config = printed_on_error(config)?;
        printed_on_error(self.with_files(config))
    }

    /// How the terminal report is laid out.
    pub(crate) fn view(&self, color: bool) -> TerminalOptions {
        TerminalOptions {
            color,
            show_suppressed: self.show_suppressed,
        }
    }

    fn with_files(&self, mut config: Config) -> Result<Config, Diagnostic> {
        for path in &self.noise {
            let file = NoiseFile::load(path).map_err(|e| {
                Diagnostic::error(e.to_string())
                    .with_help("--noise takes a file written by `driftgate learn-noise`")
            })?;
            config.compare.learned.extend(file.noise);
        }
        for path in &self.waivers {
            let file = WaiversFile::load(path).map_err(|e| {
                Diagnostic::error(e.to_string())
                    .with_help("--waivers takes a TOML file of [[waivers]] tables")
            })?;
            config.waivers.extend(file.waivers);
        }
        Ok(config)
    }
}

/// Where drift indicators go.
#[derive(Debug, Default, clap::Args)]
pub(crate) struct MetricsArgs {
    /// Write drift indicators (Prometheus text format) to this file, e.g. into a
    /// node_exporter textfile-collector folder.
    #[arg(long, value_name = "FILE.prom")]
    pub(crate) metrics: Option<PathBuf>,
    /// Write the same indicators as JSON to this file.
    #[arg(long, value_name = "FILE")]
    pub(crate) metrics_json: Option<PathBuf>,
}

/// The judging options of the commands that report stored traces
/// (`compare`, `report`, `merge`) or records of their own (`topology`, `db-parity`).
#[derive(Debug, clap::Args)]
pub(crate) struct TraceJudgeArgs {
    /// Judge waiver expiry as of this day (YYYY-MM-DD) instead of today.
    #[arg(long)]
    today: Option<chrono::NaiveDate>,
    #[command(flatten)]
    pub(crate) judge: JudgeArgs,
    #[command(flatten)]
    pub(crate) metrics: MetricsArgs,
}

impl TraceJudgeArgs {
    /// The day waiver expiry is judged on: `--today`, else today.
    pub(crate) fn today(&self) -> chrono::NaiveDate {
        self.today.unwrap_or_else(driftgate::runner::modes::today)
    }
}

/// The value, or `None` once the error is printed.
fn printed_on_error<T, E: Diagnose>(result: Result<T, E>) -> Option<T> {
    result
        .map_err(|e| {
            super::output::usage_error(&e);
        })
        .ok()
}
