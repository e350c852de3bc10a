//! The scale-out options of the CLI: `--shard I/N` (and its Kubernetes
//! Indexed Job form) for `run`, the `merge` command that combines the shards'
//! traces, and `--metrics` / `--metrics-json` for every command that judges
//! drift. Argument parsing and printing only: the work is in
//! `driftgate::runner::{shard, merge}` and `driftgate::report::metrics`.
//!
//! ```text
//! driftgate run --baseline production --candidate staging --shard 2/3 -r shards/2
//! JOB_COMPLETION_INDEX=1 DRIFTGATE_SHARDS=3 driftgate run --baseline production --candidate staging -r shards/1
//! driftgate merge shards/*/trace.jsonl --config driftgate.toml -r reports --metrics reports/driftgate.prom
//! ```

use std::path::PathBuf;

use driftgate::exit;
use driftgate::report::{self, DriftReport};
use driftgate::runner::merge;
use driftgate::runner::shard::{self, Shard};

use crate::drift_cli::{self, JudgeArgs};

/// Which slice of the suite `run` runs.
#[derive(Debug, clap::Args)]
pub(crate) struct ShardArgs {
    /// Run only shard I of N, counted from 1 (e.g. 2/3): the selected scenarios, sorted by
    /// feature, line and name, are dealt out round-robin; merge the traces with `driftgate merge`.
    #[arg(long, value_name = "I/N")]
    shard: Option<Shard>,
    /// Number of shards; this shard's index comes from --shard-index / JOB_COMPLETION_INDEX.
    #[arg(long, value_name = "N", env = "DRIFTGATE_SHARDS")]
    shards: Option<usize>,
    /// This shard's index counted from 0, as a Kubernetes Indexed Job sets JOB_COMPLETION_INDEX.
    #[arg(long, value_name = "K", env = "JOB_COMPLETION_INDEX")]
    shard_index: Option<usize>,
}

impl ShardArgs {
    /// The shard to run, or why the options do not make one.
    pub(crate) fn resolve(&self) -> Result<Option<Shard>, shard::ShardError> {
        let resolved = shard::resolve(self.shard, self.shards, self.shard_index)?;
        if let (None, Some(index)) = (resolved, self.shard_index) {
            eprintln!(
                "note: shard index {index} (JOB_COMPLETION_INDEX) is set but no shard count: running every scenario; set --shards N or DRIFTGATE_SHARDS to shard"
            );
        }
        Ok(resolved)
    }
}

/// Where drift indicators go.
#[derive(Debug, Default, clap::Args)]
pub(crate) struct MetricsArgs {
    /// Write drift indicators (Prometheus text format) to this file, e.g. into a
    /// node_exporter textfile-collector folder.
    #[arg(long, value_name = "FILE.prom")]
    metrics: Option<PathBuf>,
    /// Write the same indicators as JSON to this file.
    #[arg(long, value_name = "FILE")]
    metrics_json: Option<PathBuf>,
}

impl MetricsArgs {
    /// Writes the indicators asked for; a file that cannot be written is a
    /// warning (the gate's exit code stays the drift's).
    pub(crate) fn write(&self, report: &DriftReport) {
        match report::metrics::write(
            report,
            self.metrics.as_deref(),
            self.metrics_json.as_deref(),
        ) {
            Ok(files) => {
                for file in files {
                    println!("metrics: {}", file.display());
                }
            }
            Err(e) => eprintln!("warning: {e}"),
        }
    }
}

/// `driftgate merge`.
#[derive(Debug, clap::Args)]
pub(crate) struct MergeArgs {
    /// The trace.jsonl of every shard of one run.
    #[arg(required = true)]
    traces: Vec<PathBuf>,
    /// Configuration file (rules, policy, waivers): the one the shards ran with.
    #[arg(short, long, env = "DRIFTGATE_CONFIG")]
    config: Option<PathBuf>,
    /// Folder for the merged trace.jsonl and the reports.
    #[arg(short, long, default_value = "driftgate-reports")]
    reports: PathBuf,
    /// Judge waiver expiry as of this day (YYYY-MM-DD) instead of today.
    #[arg(long)]
    today: Option<chrono::NaiveDate>,
    #[command(flatten)]
    judge: JudgeArgs,
    #[command(flatten)]
    metrics: MetricsArgs,
}

/// Merges the shards' traces into one run and reports it.
pub(crate) fn merge(args: MergeArgs, color: bool) -> anyhow::Result<u8> {
    let Some(config) = drift_cli::optional_config(args.config.as_deref(), &args.judge) else {
        return Ok(exit::USAGE);
    };
    let merged = match merge::read_and_combine(&args.traces) {
        Ok(merged) => merged,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(exit::USAGE);
        }
    };
    for trace in &merged.shards {
        let scenarios = trace.run.scenarios.len();
        match &trace.shard {
            Some(s) => println!(
                "shard {}/{}: {} scenarios of suite {} ({} in all) from {}",
                s.index, s.total, s.scenarios, s.suite, s.suite_scenarios, trace.name
            ),
            None => println!("{scenarios} scenario runs from {}", trace.name),
        }
    }
    let trace_path = args.reports.join("trace.jsonl");
    match merge::write_trace(&merged, &trace_path) {
        Ok(()) => println!("trace: {}", trace_path.display()),
        Err(e) => eprintln!("warning: {e}"),
    }
    let today = args.today.unwrap_or_else(driftgate::runner::modes::today);
    let report = merge::report(&config, &merged, today);
    drift_cli::finish_report(
        Ok(report),
        &args.reports,
        drift_cli::view_of(color, &args.judge),
        &args.metrics,
    )
}
