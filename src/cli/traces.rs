//! The commands that write or read stored traces: `record` runs one
//! environment (`learn-noise`, in [`super::learn`], records several runs);
//! `compare`, `report` and `merge` judge traces already on disk. Argument parsing and printing only: the work is in
//! `driftgate::runner::{modes, merge}`.
//!
//! ```text
//! driftgate record --env production -o production.trace.jsonl
//! driftgate compare production.trace.jsonl staging.trace.jsonl --config driftgate.toml
//! driftgate report reports/trace.jsonl --waivers waivers.toml --today 2026-12-01
//! driftgate merge shards/*/trace.jsonl --config driftgate.toml -r reports --metrics reports/driftgate.prom
//! ```

use std::path::PathBuf;

use anyhow::Context as _;
use chrono::NaiveDate;
use driftgate::config::Config;
use driftgate::diagnostic::Diagnostic;
use driftgate::exit;
use driftgate::judge::DriftReport;
use driftgate::runner::{Interrupt, RunError, RunOptions, RunOutcome, merge, modes};
use driftgate::trace::ScenarioStatus;

use super::args::{ScenarioFilter, SuiteArgs, TraceJudgeArgs};
use super::output;

/// `driftgate record`.
#[derive(Debug, clap::Args)]
pub(crate) struct RecordArgs {
    #[command(flatten)]
    suite: SuiteArgs,
    /// The environment to record.
    #[arg(long)]
    env: String,
    /// The trace file to write.
    #[arg(short, long)]
    output: PathBuf,
    #[command(flatten)]
    filter: ScenarioFilter,
    /// Scenarios running at once (default: [run] concurrency of the config).
    #[arg(long)]
    concurrency: Option<usize>,
}

/// Where `compare` and `report` find their rules and put their reports.
#[derive(Debug, clap::Args)]
pub(crate) struct StoredReportArgs {
    /// Configuration file (rules, policy, waivers); optional.
    #[arg(short, long, env = "DRIFTGATE_CONFIG")]
    config: Option<PathBuf>,
    /// Folder for drift.json and junit.xml.
    #[arg(short, long, default_value = "driftgate-reports")]
    reports: PathBuf,
    #[command(flatten)]
    judging: TraceJudgeArgs,
}

/// `driftgate compare`.
#[derive(Debug, clap::Args)]
pub(crate) struct CompareArgs {
    /// The baseline trace (a recording, or a twin trace's baseline side).
    baseline: PathBuf,
    /// The candidate trace (a recording, or a twin trace's candidate side).
    candidate: PathBuf,
    #[command(flatten)]
    stored: StoredReportArgs,
}

/// `driftgate report`.
#[derive(Debug, clap::Args)]
pub(crate) struct ReportArgs {
    /// Twin traces (trace.jsonl) of one run.
    #[arg(required = true)]
    traces: Vec<PathBuf>,
    #[command(flatten)]
    stored: StoredReportArgs,
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
    #[command(flatten)]
    judging: TraceJudgeArgs,
}

/// Records one environment into a trace.
pub(crate) async fn record(args: RecordArgs) -> anyhow::Result<u8> {
    let Some(config) = args.suite.config.load() else {
        return Ok(exit::USAGE);
    };
    let report_dir = config.resolve_path(&config.run.report_dir);
    let mut opts = one_environment(config, &args.env, report_dir, args.suite.paths, args.filter)?;
    opts.concurrency = args.concurrency;
    opts.interrupt = Interrupt::on_signals();
    match modes::record(opts, args.output).await {
        Err(e) => Ok(output::run_failed(&e)),
        Ok(outcome) => {
            let summary = outcome.report.summary();
            println!(
                "recorded `{}`: {} scenarios ({} failed there)",
                args.env, summary.scenarios, summary.failed
            );
            println!("trace: {}", outcome.trace_path.display());
            output::print_warnings(&outcome.report_errors, &outcome.redactor);
            Ok(recording_exit_code(&outcome, &args.env))
        }
    }
}

/// A recording that stopped short exits with its signal's code; one in which
/// a scenario failed or was refused (a write to a protected environment)
/// exits 1, naming those scenarios: the trace holds their failure, not the
/// environment's behaviour to compare against.
fn recording_exit_code(outcome: &RunOutcome, env: &str) -> u8 {
    let report = &outcome.report;
    if let Some(incomplete) = &report.incomplete {
        eprintln!("{}", incomplete.headline());
        return incomplete.exit_code();
    }
    let failed: Vec<_> = report
        .scenarios
        .iter()
        .filter(|s| s.status == ScenarioStatus::Failed)
        .collect();
    if failed.is_empty() {
        return exit::NO_DRIFT;
    }
    let mut error = Diagnostic::error(format!(
        "{} of {} scenarios failed or were refused in `{env}`; their recording is no baseline to compare against",
        failed.len(),
        report.scenarios.len()
    ));
    for scenario in failed {
        let message = scenario.message.as_deref().unwrap_or("failed");
        let first_line = message.lines().next().unwrap_or_default();
        error = error.with_note(format!(
            "{}: {}",
            scenario.scenario,
            outcome.redactor.redact(first_line)
        ));
    }
    output::failed(&error, exit::DRIFT)
}

/// Run options with one environment on both sides, for the suite and
/// scenarios named on the command line.
pub(super) fn one_environment(
    config: Config,
    env: &str,
    report_dir: PathBuf,
    paths: Vec<PathBuf>,
    filter: ScenarioFilter,
) -> anyhow::Result<RunOptions> {
    let mut opts = RunOptions::new(config, env, env, report_dir);
    opts.paths = paths;
    opts.tags = filter.tags;
    opts.tenants = filter.tenants;
    opts.display_root = std::env::current_dir().context("cannot read the current directory")?;
    Ok(opts)
}

/// Compares two stored traces.
pub(crate) fn compare(args: CompareArgs, color: bool) -> u8 {
    args.stored.report_with(color, |config, today| {
        modes::compare_traces(config, &args.baseline, &args.candidate, today)
    })
}

/// Rebuilds the reports of twin traces.
pub(crate) fn rebuild_report(args: ReportArgs, color: bool) -> u8 {
    args.stored.report_with(color, |config, today| {
        modes::report_from_traces(config, &args.traces, today)
    })
}

impl StoredReportArgs {
    /// Loads the config, judges the report `build` makes with it as of the
    /// day waivers are judged on, then writes and prints it; returns the
    /// exit code.
    fn report_with(
        self,
        color: bool,
        build: impl FnOnce(&Config, NaiveDate) -> Result<DriftReport, RunError>,
    ) -> u8 {
        let Some(config) = self.judging.judge.config(self.config.as_deref()) else {
            return exit::USAGE;
        };
        let report = build(&config, self.judging.today());
        output::rebuilt_report(
            report,
            &self.reports,
            self.judging.judge.view(color),
            &self.judging.metrics,
        )
    }
}

/// Merges the shards' traces into one run and reports it.
pub(crate) fn merge(args: MergeArgs, color: bool) -> u8 {
    let judging = args.judging;
    let Some(config) = judging.judge.config(args.config.as_deref()) else {
        return exit::USAGE;
    };
    let merged = match merge::read_and_combine(&args.traces) {
        Ok(merged) => merged,
        Err(e) => return output::usage_error(&e),
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
        Err(e) => output::warning(e.to_string()),
    }
    let report = merge::report(&config, &merged, judging.today());
    output::rebuilt_report(
        Ok(report),
        &args.reports,
        judging.judge.view(color),
        &judging.metrics,
    )
}
