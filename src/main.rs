//! The `driftgate` command line: parses arguments, calls the library, maps
//! outcomes to exit codes. No logic lives here.

use std::collections::BTreeMap;
use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

mod drift_cli;
mod shard_cli;

use anyhow::Context as _;
use clap::{Parser, Subcommand, ValueEnum};
use driftgate::config::Config;
use driftgate::exit;
use driftgate::mock::{self, MockEnvironment};
use driftgate::report;
use driftgate::report::terminal::TerminalOptions;
use driftgate::runner::{self, ProgressMode, RunError, RunOptions, broker, modes};
use driftgate::template::TemplateEngine;
use driftgate::trace::{Side, Twin};

/// Catch behavioural drift between two environments before it becomes an outage.
#[derive(Debug, Parser)]
#[command(name = "driftgate", version, about, long_about = None)]
struct Cli {
    /// More log output (-v info, -vv debug); RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    /// Colours in terminal output.
    #[arg(long, value_enum, default_value_t = Color::Auto, global = true)]
    color: Color,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run scenarios against a baseline and a candidate environment and report the drift.
    Run(RunArgs),
    /// Run the sample suites against built-in mock production and staging environments.
    Demo(DemoArgs),
    /// Serve the mock environments of mocks/ until interrupted.
    Mock(MockArgs),
    /// List every built-in step with its parameters.
    Steps(StepsArgs),
    /// Lint features, fixtures and config without touching any environment.
    Check(CheckArgs),
    /// Compare a SQL Server service's settings and table schemas between two environments.
    DbParity(DbParityArgs),
    /// Record the messages of an exchange binding (or drain a dead-letter queue) into a replay file.
    Capture(CaptureArgs),
    /// Compare the broker topology (exchanges, queues, bindings, queue arguments) of two environments.
    Topology(TopologyArgs),
    /// Record one environment into a trace, to compare candidates against later.
    Record(drift_cli::RecordArgs),
    /// Run every scenario twice against one environment and write what differs as noise.
    LearnNoise(drift_cli::LearnNoiseArgs),
    /// Compare two stored traces (recordings or twin traces) and report the drift.
    Compare(drift_cli::CompareArgs),
    /// Rebuild drift.json, junit.xml and the terminal report from twin traces alone.
    Report(drift_cli::ReportArgs),
    /// Combine the traces of a sharded run (`run --shard I/N`) into one run and report it.
    Merge(shard_cli::MergeArgs),
}

#[derive(Debug, clap::Args)]
struct CaptureArgs {
    /// Configuration file.
    #[arg(
        short,
        long,
        default_value = "driftgate.toml",
        env = "DRIFTGATE_CONFIG"
    )]
    config: PathBuf,
    /// Environment to capture from.
    #[arg(long)]
    env: String,
    /// AMQP service (default: the environment's only one).
    #[arg(long)]
    service: Option<String>,
    /// Exchange to observe through the harness's own queue (nothing is taken from real consumers).
    #[arg(long, required_unless_present = "dlq")]
    exchange: Option<String>,
    /// Binding key on the exchange.
    #[arg(long, default_value = "#")]
    binding: String,
    /// Drain this queue instead (destructive: each message is acked after its line is on disk; refused on protected environments).
    #[arg(long)]
    dlq: Option<String>,
    /// Replay file to write (JSON Lines).
    #[arg(short, long)]
    output: PathBuf,
    /// Stop after N messages.
    #[arg(long)]
    count: Option<usize>,
    /// Stop after this long (e.g. 10s, 500ms, 2m).
    #[arg(long, value_parser = parse_duration)]
    duration: Option<std::time::Duration>,
}

#[derive(Debug, clap::Args)]
struct TopologyArgs {
    /// Configuration file.
    #[arg(
        short,
        long,
        default_value = "driftgate.toml",
        env = "DRIFTGATE_CONFIG"
    )]
    config: PathBuf,
    /// Baseline environment.
    #[arg(long)]
    baseline: String,
    /// Candidate environment.
    #[arg(long)]
    candidate: String,
    /// AMQP service (default: the only one).
    #[arg(long)]
    service: Option<String>,
}

fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let (number, unit) = s
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .map_or((s, "s"), |at| s.split_at(at));
    let amount: f64 = number
        .parse()
        .map_err(|_| format!("bad duration `{s}`: use e.g. 10s, 500ms, 2m"))?;
    let seconds = match unit {
        "ms" => amount / 1000.0,
        "s" => amount,
        "m" => amount * 60.0,
        _ => return Err(format!("bad duration `{s}`: use e.g. 10s, 500ms, 2m")),
    };
    Ok(std::time::Duration::from_secs_f64(seconds))
}

#[derive(Debug, clap::Args)]
struct DbParityArgs {
    /// Configuration file.
    #[arg(
        short,
        long,
        default_value = "driftgate.toml",
        env = "DRIFTGATE_CONFIG"
    )]
    config: PathBuf,
    /// Baseline environment (usually production).
    #[arg(long)]
    baseline: String,
    /// Candidate environment.
    #[arg(long)]
    candidate: String,
    /// The SQL Server service (kind = "sqlserver") in both environments.
    #[arg(long)]
    service: String,
    /// A table whose schema is compared, as schema.table (repeatable).
    #[arg(long = "table")]
    tables: Vec<String>,
}

#[derive(Debug, clap::Args)]
struct StepsArgs {
    /// Output format: text, json (for editor tooling) or markdown (docs/steps.md).
    #[arg(long, value_enum, default_value_t = StepsFormat::Text)]
    format: StepsFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum StepsFormat {
    Text,
    Json,
    Markdown,
}

#[derive(Debug, clap::Args)]
struct CheckArgs {
    /// Feature files or folders (default: [run] features of the config, else features/).
    paths: Vec<PathBuf>,
    /// Configuration file; service, environment and protected-write checks need it.
    #[arg(short, long, env = "DRIFTGATE_CONFIG")]
    config: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
struct RunArgs {
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
    judge: drift_cli::JudgeArgs,
    #[command(flatten)]
    shard: shard_cli::ShardArgs,
    #[command(flatten)]
    metrics: shard_cli::MetricsArgs,
    /// Print what would be sent to each environment (secrets redacted); send nothing.
    #[arg(long)]
    dry_run: bool,
    /// No progress output while the scenarios run.
    #[arg(short, long)]
    quiet: bool,
}

/// Repetitions for timing drift.
#[derive(Debug, clap::Args)]
struct SamplingArgs {
    /// Run every scenario N times on both environments and judge timing drift per step
    /// (a @samples(N) tag sets it per scenario).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(2..))]
    samples: Option<u16>,
    /// Extra runs of each sampled scenario before the measured ones; their times are discarded.
    #[arg(long, value_name = "N", default_value_t = 0)]
    warmup: u16,
    /// Open a fresh connection for every request instead of reusing pooled ones.
    #[arg(long)]
    cold: bool,
}

impl SamplingArgs {
    fn sampling(&self) -> runner::Sampling {
        runner::Sampling {
            samples: self.samples.map(usize::from),
            warmup: usize::from(self.warmup),
            cold: self.cold,
        }
    }
}

#[derive(Debug, clap::Args)]
struct DemoArgs {
    /// Folder for the trace and reports.
    #[arg(short, long, default_value = "driftgate-reports/demo")]
    reports: PathBuf,
    #[command(flatten)]
    sampling: SamplingArgs,
}

#[derive(Debug, clap::Args)]
struct MockArgs {
    /// Environment whose variant of the mocks to serve (e.g. production, staging).
    #[arg(long)]
    env: String,
    /// Folder of mock definitions.
    #[arg(long, default_value = "mocks")]
    mocks: PathBuf,
    /// Fixed port for a service, as SERVICE=PORT (repeatable); others get a free port.
    #[arg(long = "port", value_parser = parse_port)]
    ports: Vec<(String, u16)>,
}

fn parse_port(s: &str) -> Result<(String, u16), String> {
    let (service, port) = s
        .split_once('=')
        .ok_or("expected SERVICE=PORT, e.g. erp=8081")?;
    let port = port
        .parse()
        .map_err(|e| format!("bad port `{port}`: {e}"))?;
    Ok((service.to_owned(), port))
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                exit::USAGE
            } else {
                exit::NO_DRIFT
            });
        }
    };
    init_logging(cli.verbose);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(exit::USAGE);
        }
    };
    let color = match cli.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let code = runtime.block_on(async {
        match cli.command {
            Command::Run(args) => run(args, color).await,
            Command::Demo(args) => demo(args, color).await,
            Command::Mock(args) => serve_mocks(args).await,
            Command::DbParity(args) => db_parity(args).await,
            Command::Capture(args) => capture(args).await,
            Command::Topology(args) => topology(args, color).await,
            Command::Record(args) => drift_cli::record(args).await,
            Command::LearnNoise(args) => drift_cli::learn_noise(args).await,
            Command::Compare(args) => drift_cli::compare(args, color),
            Command::Report(args) => drift_cli::rebuild_report(args, color),
            Command::Merge(args) => shard_cli::merge(args, color),
            Command::Steps(args) => {
                print_steps(args.format);
                Ok(exit::NO_DRIFT)
            }
            Command::Check(args) => check(args),
        }
    });
    match code {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(exit::USAGE)
        }
    }
}

fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new(format!("driftgate={default},tiberius=error,warn"))
    });
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
}

async fn run(args: RunArgs, color: bool) -> anyhow::Result<u8> {
    let Some(config) = drift_cli::load_config(&args.config, &args.judge) else {
        return Ok(exit::USAGE);
    };
    let report_dir = args
        .reports
        .unwrap_or_else(|| config.resolve_path(&config.run.report_dir));
    let view = drift_cli::view_of(color, &args.judge);
    let shard = match args.shard.resolve() {
        Ok(shard) => shard,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(exit::USAGE);
        }
    };
    let opts = RunOptions {
        config,
        baseline: args.baseline.unwrap_or_default(),
        candidate: args.candidate,
        paths: args.paths,
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
    };
    if args.dry_run {
        return dry_run(&opts);
    }
    let outcome = match &args.baseline_trace {
        Some(trace) => modes::run_against_trace(opts, trace).await,
        None => runner::run(opts).await,
    };
    finish(outcome, view, &args.metrics)
}

/// Prints the outcome of a run, writes its metrics, and returns its exit code.
fn finish(
    outcome: Result<runner::RunOutcome, RunError>,
    view: TerminalOptions,
    metrics: &shard_cli::MetricsArgs,
) -> anyhow::Result<u8> {
    match outcome {
        Err(e) => {
            eprintln!("{}", with_error_prefix(&e));
            Ok(e.exit_code())
        }
        Ok(outcome) => {
            print!(
                "{}",
                report::terminal::render_with(&outcome.report, view, &outcome.redactor)
            );
            println!("trace: {}", outcome.trace_path.display());
            for file in &outcome.report_files {
                println!("report: {}", file.display());
            }
            for e in &outcome.report_errors {
                eprintln!("warning: {}", outcome.redactor.redact(e));
            }
            metrics.write(&outcome.report);
            Ok(outcome.report.verdict().exit_code())
        }
    }
}

fn with_error_prefix(e: &RunError) -> String {
    let text = e.to_string();
    if text.starts_with("error") {
        text
    } else {
        format!("error: {text}")
    }
}

/// The folder holding the demo's mocks and features: the working directory
/// when it has them, otherwise the source tree this binary was built from.
fn demo_root() -> PathBuf {
    let cwd = PathBuf::from(".");
    if cwd.join("mocks/demo.toml").is_file() {
        cwd
    } else {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
    }
}

/// Tag of demo scenarios that need a message broker; skipped, with the reason, when none answers.
const REQUIRES_AMQP: &str = "@requires-amqp";

async fn demo(args: DemoArgs, color: bool) -> anyhow::Result<u8> {
    let root = demo_root();
    let config = Config::load(&root.join("mocks/demo.toml"))?;
    let specs = mock::load_dir(&root.join("mocks"))?;
    let engine = Arc::new(TemplateEngine::new());
    let (baseline, candidate) = ("production", "staging");
    let mocks = Twin::new(
        MockEnvironment::start(&specs, baseline, engine.clone()).await?,
        MockEnvironment::start(&specs, candidate, engine).await?,
    );
    let mut overrides = Twin::<BTreeMap<String, String>>::default();
    for side in Side::BOTH {
        for (service, url) in mocks.get(side).services() {
            overrides.get_mut(side).insert(service.to_owned(), url);
        }
    }
    println!(
        "driftgate demo: mock production and staging ERP, WMS and EDI gateway from {}, suites from {}\n",
        root.join("mocks").display(),
        root.join("features").display()
    );
    let mut config = config;
    let (_databases, database_filter) = demo_databases(&root, &mut config, [baseline, candidate]);
    let broker_filter = match broker::brokers_reachable(&config, &[baseline, candidate]).await {
        Ok(()) => None,
        Err(reason) => {
            println!("skipped: scenarios tagged {REQUIRES_AMQP}: no message broker: {reason}");
            for env in config.environments.values_mut() {
                env.services.retain(|_, svc| svc.amqp_url.is_none());
            }
            Some(format!("not {REQUIRES_AMQP}"))
        }
    };
    println!();
    let filters: Vec<String> = [database_filter, broker_filter]
        .into_iter()
        .flatten()
        .collect();
    let tags = (!filters.is_empty()).then(|| filters.join(" and "));
    let opts = RunOptions {
        config,
        baseline: baseline.into(),
        candidate: candidate.into(),
        paths: Vec::new(),
        tags,
        report_dir: args.reports,
        concurrency: None,
        base_url_overrides: overrides,
        display_root: std::fs::canonicalize(&root).unwrap_or(root),
        sampling: args.sampling.sampling(),
        progress: ProgressMode::Auto,
        shard: None,
        tenants: Vec::new(),
    };
    let view = TerminalOptions {
        color,
        show_suppressed: false,
    };
    finish(runner::run(opts).await, view, &Default::default())
}

/// Starts the demo's ERP databases and points the `erpdb` services at them;
/// when they cannot start, the `@database` scenarios are left out (the tag
/// filter returned) and the reason is printed.
fn demo_databases(
    root: &Path,
    config: &mut Config,
    environments: [&str; 2],
) -> (Vec<mock::DemoDatabase>, Option<String>) {
    let mut started = Vec::new();
    for env in environments {
        match mock::DemoDatabase::start(root, &root.join("mocks/db").join(env)) {
            Ok(db) => {
                if let Some(service) = config
                    .environments
                    .get_mut(env)
                    .and_then(|e| e.services.get_mut("erpdb"))
                {
                    service.connection =
                        Some(driftgate::config::SecretSource::Text(db.connection()));
                }
                started.push(db);
            }
            Err(reason) => {
                println!("ERP database scenarios (@database) skipped: {reason}");
                return (Vec::new(), Some("not @database".into()));
            }
        }
    }
    println!(
        "ERP databases: pysqlbridge serving {}",
        root.join("mocks/db").display()
    );
    (started, None)
}

async fn serve_mocks(args: MockArgs) -> anyhow::Result<u8> {
    let specs = mock::load_dir(&args.mocks)?;
    let ports: BTreeMap<String, u16> = args.ports.into_iter().collect();
    let env = MockEnvironment::start_on(&specs, &args.env, Arc::new(TemplateEngine::new()), &ports)
        .await?;
    for (service, url) in env.services() {
        println!("{service}: {url}");
    }
    println!(
        "serving `{}` mocks from {}; Ctrl-C to stop",
        args.env,
        display(&args.mocks)
    );
    tokio::signal::ctrl_c()
        .await
        .context("cannot wait for Ctrl-C")?;
    Ok(exit::NO_DRIFT)
}

async fn db_parity(args: DbParityArgs) -> anyhow::Result<u8> {
    let config = match Config::load(&args.config) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(exit::USAGE);
        }
    };
    let names = Twin::new(args.baseline, args.candidate);
    match driftgate::parity::check(&config, &names, &args.service, &args.tables).await {
        Ok(outcome) => {
            print!(
                "{}",
                driftgate::parity::render(&outcome, &names, &args.service)
            );
            Ok(if outcome.drifts.is_empty() {
                exit::NO_DRIFT
            } else {
                exit::DRIFT
            })
        }
        Err(e @ driftgate::parity::ParityError::Unreadable(_)) => {
            eprintln!("error: {e}");
            Ok(exit::UNREACHABLE)
        }
        Err(e) => {
            eprintln!("error: {e}");
            Ok(exit::USAGE)
        }
    }
}

fn display(p: &Path) -> String {
    p.display().to_string()
}

fn print_steps(format: StepsFormat) {
    use driftgate::world::steps::reference::{ReferenceFormat, render};
    let format = match format {
        StepsFormat::Text => ReferenceFormat::Text,
        StepsFormat::Json => ReferenceFormat::Json,
        StepsFormat::Markdown => ReferenceFormat::Markdown,
    };
    print!("{}", render(format));
}

fn dry_run(opts: &RunOptions) -> anyhow::Result<u8> {
    match driftgate::dry_run::plan(opts) {
        Ok(plan) => {
            print!("{plan}");
            Ok(exit::NO_DRIFT)
        }
        Err(e) => {
            eprintln!("{}", with_error_prefix(&e));
            Ok(e.exit_code())
        }
    }
}

fn check(args: CheckArgs) -> anyhow::Result<u8> {
    let root = std::env::current_dir().context("cannot read the current directory")?;
    let outcome = driftgate::lint::check(&args.paths, args.config.as_deref(), &root);
    for note in &outcome.notes {
        eprintln!("note: {note}");
    }
    for finding in &outcome.findings {
        println!("{finding}");
    }
    println!("{}", outcome.summary());
    Ok(if outcome.findings.is_empty() {
        exit::NO_DRIFT
    } else {
        exit::USAGE
    })
}

async fn capture(args: CaptureArgs) -> anyhow::Result<u8> {
    let config = match Config::load(&args.config) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(exit::USAGE);
        }
    };
    let request = broker::CaptureRequest {
        environment: args.env,
        service: args.service,
        exchange: args.exchange,
        binding: args.binding,
        dlq: args.dlq,
        output: args.output,
        count: args.count,
        duration: args.duration,
    };
    let redactor = driftgate::config::Redactor::default();
    match broker::capture_command(&config, &request, &redactor).await {
        Ok(summary) => {
            println!(
                "captured {} messages to {} ({})",
                summary.captured,
                summary.path.display(),
                summary.stopped
            );
            Ok(exit::NO_DRIFT)
        }
        Err(e) => {
            eprintln!("error: {e}");
            Ok(e.exit_code())
        }
    }
}

async fn topology(args: TopologyArgs, color: bool) -> anyhow::Result<u8> {
    let config = match Config::load(&args.config) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(exit::USAGE);
        }
    };
    let redactor = driftgate::config::Redactor::default();
    let report = broker::topology_command(
        &config,
        &args.baseline,
        &args.candidate,
        args.service.as_deref(),
        &redactor,
    )
    .await;
    match report {
        Ok(report) => {
            print!("{}", report::terminal::render(&report, color, &redactor));
            Ok(report.verdict().exit_code())
        }
        Err(e) => {
            eprintln!("error: {e}");
            Ok(e.exit_code())
        }
    }
}
