//! The drift-engine commands of the CLI: `record`, `learn-noise`, `compare`
//! and `report`, and the judging options they share with `run` (`--noise`,
//! `--waivers`, `--show-suppressed`). Argument parsing and printing only: the
//! work is in `driftgate::runner::modes`.
//!
//! ```text
//! driftgate record --env production -o production.trace.jsonl
//! driftgate learn-noise --env staging -o noise.json
//! driftgate compare production.trace.jsonl staging.trace.jsonl --config driftgate.toml
//! driftgate report reports/trace.jsonl --waivers waivers.toml --today 2026-12-01
//! ```

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use driftgate::compare::noise::NoiseFile;
use driftgate::compare::waiver::WaiversFile;
use driftgate::config::{Config, Redactor};
use driftgate::exit;
use driftgate::report;
use driftgate::report::terminal::TerminalOptions;
use driftgate::runner::{RunError, RunOptions, modes};

use crate::shard_cli::MetricsArgs;
use crate::with_error_prefix;

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

/// `driftgate record`.
#[derive(Debug, clap::Args)]
pub(crate) struct RecordArgs {
    /// Feature files or folders (default: [run] features of the config).
    paths: Vec<PathBuf>,
    /// Configuration file.
    #[arg(
        short,
        long,
        default_value = "driftgate.toml",
        env = "DRIFTGATE_CONFIG"
    )]
    config: PathBuf,
    /// The environment to record.
    #[arg(long)]
    env: String,
    /// The trace file to write.
    #[arg(short, long)]
    output: PathBuf,
    /// Tag expression selecting scenarios.
    #[arg(short, long)]
    tags: Option<String>,
    /// Tenant to cover (repeatable); `all`, the default, covers every tenant the config declares.
    #[arg(long = "tenant", value_name = "NAME")]
    tenants: Vec<String>,
    /// Scenarios running at once (default: [run] concurrency of the config).
    #[arg(long)]
    concurrency: Option<usize>,
}

/// `driftgate learn-noise`.
#[derive(Debug, clap::Args)]
pub(crate) struct LearnNoiseArgs {
    /// Feature files or folders (default: [run] features of the config).
    paths: Vec<PathBuf>,
    /// Configuration file.
    #[arg(
        short,
        long,
        default_value = "driftgate.toml",
        env = "DRIFTGATE_CONFIG"
    )]
    config: PathBuf,
    /// The environment to run against, twice.
    #[arg(long)]
    env: String,
    /// The noise file to write: TOML when it ends in .toml, JSON otherwise.
    #[arg(short, long)]
    output: PathBuf,
    /// Tag expression selecting scenarios.
    #[arg(short, long)]
    tags: Option<String>,
    /// Tenant to cover (repeatable); `all`, the default, covers every tenant the config declares.
    #[arg(long = "tenant", value_name = "NAME")]
    tenants: Vec<String>,
    /// Folder for the A/A trace.
    #[arg(short, long)]
    reports: Option<PathBuf>,
}

/// `driftgate compare`.
#[derive(Debug, clap::Args)]
pub(crate) struct CompareArgs {
    /// The baseline trace (a recording, or a twin trace's baseline side).
    baseline: PathBuf,
    /// The candidate trace (a recording, or a twin trace's candidate side).
    candidate: PathBuf,
    /// Configuration file (rules, policy, waivers); optional.
    #[arg(short, long, env = "DRIFTGATE_CONFIG")]
    config: Option<PathBuf>,
    /// Folder for drift.json and junit.xml.
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

/// `driftgate report`.
#[derive(Debug, clap::Args)]
pub(crate) struct ReportArgs {
    /// Twin traces (trace.jsonl) of one run.
    #[arg(required = true)]
    traces: Vec<PathBuf>,
    /// Configuration file (rules, policy, waivers); optional.
    #[arg(short, long, env = "DRIFTGATE_CONFIG")]
    config: Option<PathBuf>,
    /// Folder for drift.json and junit.xml.
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

/// Loads the config with the noise and waivers files named on the command line.
pub(crate) fn load_config(path: &Path, judge: &JudgeArgs) -> Option<Config> {
    let loaded = Config::load(path)
        .map_err(|e| e.to_string())
        .and_then(|config| with_judge_files(config, judge));
    match loaded {
        Ok(config) => Some(config),
        Err(e) => {
            eprintln!("error: {e}");
            None
        }
    }
}

fn with_judge_files(mut config: Config, judge: &JudgeArgs) -> Result<Config, String> {
    for path in &judge.noise {
        let file = NoiseFile::load(path).map_err(|e| e.to_string())?;
        config.compare.learned.extend(file.noise);
    }
    for path in &judge.waivers {
        let file = WaiversFile::load(path).map_err(|e| e.to_string())?;
        config.waivers.extend(file.waivers);
    }
    Ok(config)
}

/// The config of `compare` and `report`: the file when given, else defaults.
pub(crate) fn optional_config(path: Option<&Path>, judge: &JudgeArgs) -> Option<Config> {
    match path {
        Some(path) => load_config(path, judge),
        None => match Config::parse("", Path::new("driftgate.toml"))
            .map_err(|e| e.to_string())
            .and_then(|c| with_judge_files(c, judge))
        {
            Ok(config) => Some(config),
            Err(e) => {
                eprintln!("error: {e}");
                None
            }
        },
    }
}

/// How the terminal report is laid out.
pub(crate) fn view_of(color: bool, judge: &JudgeArgs) -> TerminalOptions {
    TerminalOptions {
        color,
        show_suppressed: judge.show_suppressed,
    }
}

/// Records one environment into a trace.
pub(crate) async fn record(args: RecordArgs) -> anyhow::Result<u8> {
    let config = match Config::load(&args.config) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(exit::USAGE);
        }
    };
    let report_dir = config.resolve_path(&config.run.report_dir);
    let mut opts = RunOptions::new(config, &args.env, &args.env, report_dir);
    opts.paths = args.paths;
    opts.tags = args.tags;
    opts.tenants = args.tenants;
    opts.concurrency = args.concurrency;
    opts.display_root = std::env::current_dir().context("cannot read the current directory")?;
    match modes::record(opts, args.output).await {
        Err(e) => {
            eprintln!("{}", with_error_prefix(&e));
            Ok(e.exit_code())
        }
        Ok(outcome) => {
            let summary = outcome.report.summary();
            println!(
                "recorded `{}`: {} scenarios ({} failed there)",
                args.env, summary.scenarios, summary.failed
            );
            println!("trace: {}", outcome.trace_path.display());
            for e in &outcome.report_errors {
                eprintln!("warning: {}", outcome.redactor.redact(e));
            }
            Ok(exit::NO_DRIFT)
        }
    }
}

/// Learns noise from two runs against one environment and writes the file.
pub(crate) async fn learn_noise(args: LearnNoiseArgs) -> anyhow::Result<u8> {
    let config = match Config::load(&args.config) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(exit::USAGE);
        }
    };
    let report_dir = args.reports.unwrap_or_else(|| {
        config
            .resolve_path(&config.run.report_dir)
            .join("learn-noise")
    });
    let mut opts = RunOptions::new(config, &args.env, &args.env, report_dir);
    opts.paths = args.paths;
    opts.tags = args.tags;
    opts.tenants = args.tenants;
    opts.display_root = std::env::current_dir().context("cannot read the current directory")?;
    match modes::learn_noise(opts).await {
        Err(e) => {
            eprintln!("{}", with_error_prefix(&e));
            Ok(e.exit_code())
        }
        Ok(learned) => {
            learned.noise.save(&args.output)?;
            println!(
                "learned {} noisy places from two runs against `{}`",
                learned.noise.noise.len(),
                args.env
            );
            for entry in &learned.noise.noise {
                println!(
                    "  {} {}  {} ({:?})",
                    entry.service, entry.route, entry.path, entry.kind
                );
            }
            println!(
                "noise: {} (review it, then set [compare] noise or pass --noise)",
                args.output.display()
            );
            println!("trace: {}", learned.run.trace_path.display());
            Ok(exit::NO_DRIFT)
        }
    }
}

/// Compares two stored traces.
pub(crate) fn compare(args: CompareArgs, color: bool) -> anyhow::Result<u8> {
    let Some(config) = optional_config(args.config.as_deref(), &args.judge) else {
        return Ok(exit::USAGE);
    };
    let today = args.today.unwrap_or_else(modes::today);
    let report = modes::compare_traces(&config, &args.baseline, &args.candidate, today);
    finish_report(
        report,
        &args.reports,
        view_of(color, &args.judge),
        &args.metrics,
    )
}

/// Rebuilds the reports of twin traces.
pub(crate) fn rebuild_report(args: ReportArgs, color: bool) -> anyhow::Result<u8> {
    let Some(config) = optional_config(args.config.as_deref(), &args.judge) else {
        return Ok(exit::USAGE);
    };
    let today = args.today.unwrap_or_else(modes::today);
    let report = modes::report_from_traces(&config, &args.traces, today);
    finish_report(
        report,
        &args.reports,
        view_of(color, &args.judge),
        &args.metrics,
    )
}

/// Writes and prints a report rebuilt from traces, writes its metrics;
/// returns its exit code.
pub(crate) fn finish_report(
    report: Result<report::DriftReport, RunError>,
    dir: &Path,
    view: TerminalOptions,
    metrics: &MetricsArgs,
) -> anyhow::Result<u8> {
    let report = match report {
        Ok(report) => report,
        Err(e) => {
            eprintln!("{}", with_error_prefix(&e));
            return Ok(e.exit_code());
        }
    };
    let redactor = Redactor::default();
    print!(
        "{}",
        report::terminal::render_with(&report, view, &redactor)
    );
    match report::write_all(&report, dir, &redactor) {
        Ok(files) => {
            for file in files {
                println!("report: {}", file.display());
            }
        }
        Err(e) => eprintln!("warning: {e}"),
    }
    metrics.write(&report);
    Ok(report.verdict().exit_code())
}
