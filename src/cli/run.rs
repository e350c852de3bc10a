//! `driftgate run`: the scenarios against a baseline and a candidate in
//! lockstep, judged and reported; with `--dry-run`, only the plan of what
//! would be sent. Also the repetition (`--samples`) and scale-out (`--shard`)
//! options. Argument parsing and printing only: the work is in
//! `driftgate::runner` and `driftgate::dry_run`.
//!
//! ```text
//! driftgate run features/ --baseline production --candidate staging -t @smoke
//! driftgate run --baseline-trace production.trace.jsonl --candidate staging --samples 5
//! JOB_COMPLETION_INDEX=1 DRIFTGATE_SHARDS=3 driftgate run --baseline production --candidate staging -r shards/1
//! ```

use std::path::PathBuf;

use anyhow::Context as _;
use driftgate::exit;
use driftgate::runner::shard::{self, Shard};
use driftgate::runner::{self, Interrupt, ProgressMode, RunOptions, modes};
use driftgate::trace::Twin;

use super::args::{JudgeArgs, MetricsArgs, SuiteArgs};

/// [`driftgate::runner::bounds::MAX_SAMPLES`] as clap's ranges want it.
const MAX_SAMPLES: i64 = driftgate::runner::bounds::MAX_SAMPLES as i64;
use super::output;

/// `driftgate run`.
#[derive(Debug, clap::Args)]
pub(crate) struct RunArgs {
    #[command(flatten)]
    suite: SuiteArgs,
    /// Baseline environment (usually production).
    #[arg(
        long,
        required_unless_present = "baseline_trace",
        conflicts_with = "baseline_trace"
    )]
    baseline: Option<String>,
    /// A recorded baseline trace (`driftgate record`) instead of a live baseline.
    #[arg(long)]
    baseline_trace: Option<PathBuf>,
    /// Candidate environment (usually staging or a fresh deployment).
    #[arg(long)]
    candidate: String,
    /// Tag expression selecting scenarios, e.g. "@smoke and not @slow".
    #[arg(short, long)]
    tags: Option<String>,
    /// Tenant to cover (repeatable); `all`, the default, covers every tenant the config declares.
    #[arg(long = "tenant", value_name = "NAME")]
    tenants: Vec<String>,
    /// Folder for the trace and reports (default: [run] report_dir of the config).
    #[arg(short, long)]
    reports: Option<PathBuf>,
    /// Scenarios running at once (default: [run] concurrency of the config; 1 with --samples).
    #[arg(long)]
    concurrency: Option<usize>,
    #[command(flatten)]
    sampling: SamplingArgs,
    #[command(flatten)]
    judge: JudgeArgs,
    #[command(flatten)]
    shard: ShardArgs,
    #[command(flatten)]
    metrics: MetricsArgs,
    /// Print what would be sent to each environment (secrets redacted); send nothing.
    #[arg(long)]
    dry_run: bool,
    /// No progress output while the scenarios run.
    #[arg(short, long)]
    quiet: bool,
}

/// Repetitions for timing drift.
#[derive(Debug, clap::Args)]
pub(crate) struct SamplingArgs {
    /// Run every scenario N times (1 to 1000) on both environments and judge timing drift
    /// per step (a @samples(N) tag sets it per scenario).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=MAX_SAMPLES))]
    samples: Option<u16>,
    /// Extra runs of each sampled scenario (up to 1000) before the measured ones; their
    /// times are discarded.
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = clap::value_parser!(u16).range(0..=MAX_SAMPLES))]
    warmup: u16,
    /// Open a fresh connection for every request instead of reusing pooled ones.
    #[arg(long)]
    cold: bool,
}

impl SamplingArgs {
    /// The sampling the runner applies.
    pub(crate) fn sampling(&self) -> runner::Sampling {
        runner::Sampling {
            samples: self.samples.map(usize::from),
            warmup: usize::from(self.warmup),
            cold: self.cold,
        }
    }
}

/// Which slice of the suite `run` runs.
#[derive(Debug, clap::Args)]
struct ShardArgs {
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
    fn resolve(&self) -> Result<Option<Shard>, shard::ShardError> {
        let resolved = shard::resolve(self.shard, self.shards, self.shard_index)?;
        if let (None, Some(index)) = (resolved, self.shard_index) {
            output::note(format!(
                "shard index {index} (JOB_COMPLETION_INDEX) is set but no shard count: running every scenario; set --shards N or DRIFTGATE_SHARDS to shard"
            ));
        }
        Ok(resolved)
    }
}

/// Runs the suite against both environments (or prints the plan of a dry
/// run); returns the exit code.
pub(crate) async fn run(args: RunArgs, color: bool) -> anyhow::Result<u8> {
    let Some(config) = args.suite.config.load_judged(&args.judge) else {
        return Ok(exit::USAGE);
    };
    let report_dir = args
        .reports
        .unwrap_or_else(|| config.resolve_path(&config.run.report_dir));
    let view = args.judge.view(color);
    let shard = match args.shard.resolve() {
        Ok(shard) => shard,
        Err(e) => return Ok(output::usage_error(&e)),
    };
    let opts = RunOptions {
        config,
        baseline: args.baseline.unwrap_or_default(),
        candidate: args.candidate,
        paths: args.suite.paths,
        tags: args.tags,
        report_dir,
        concurrency: args.concurrency,
        base_url_overrides: Twin::default(),
        display_root: std::env::current_dir().context("cannot read the current directory")?,
        sampling: args.sampling.sampling(),
        progress: if args.quiet {
            ProgressMode::Quiet
        } else {
            ProgressMode::Auto
        },
        shard,
        tenants: args.tenants,
        interrupt: if args.dry_run {
            Interrupt::default()
        } else {
            Interrupt::on_signals()
        },
    };
    if args.dry_run {
        return Ok(dry_run(&opts));
    }
    let outcome = match &args.baseline_trace {
        Some(trace) => modes::run_against_trace(opts, trace).await,
        None => runner::run(opts).await,
    };
    Ok(output::run_outcome(outcome, view, &args.metrics))
}

/// Prints what the run would send; returns the exit code.
fn dry_run(opts: &RunOptions) -> u8 {
    match driftgate::dry_run::plan(opts) {
        Ok(plan) => {
            print!("{plan}");
            exit::NO_DRIFT
        }
        Err(e) => output::run_failed(&e),
    }
}
