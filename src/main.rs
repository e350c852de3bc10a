//! The `driftgate` command line: parses arguments, calls the library, maps
//! outcomes to exit codes. No logic lives here.

use std::collections::BTreeMap;
use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

mod drift_cli;

use anyhow::Context as _;
use clap::{Parser, Subcommand, ValueEnum};
use driftgate::config::Config;
use driftgate::exit;
use driftgate::mock::{self, MockEnvironment};
use driftgate::report;
use driftgate::report::terminal::TerminalOptions;
use driftgate::runner::{self, RunError, RunOptions, modes};
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
    /// List every built-in step.
    Steps,
    /// Record one environment into a trace, to compare candidates against later.
    Record(drift_cli::RecordArgs),
    /// Run every scenario twice against one environment and write what differs as noise.
    LearnNoise(drift_cli::LearnNoiseArgs),
    /// Compare two stored traces (recordings or twin traces) and report the drift.
    Compare(drift_cli::CompareArgs),
    /// Rebuild drift.json, junit.xml and the terminal report from twin traces alone.
    Report(drift_cli::ReportArgs),
}

/// Options shared by the commands that judge drift.
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
    /// Folder for the trace and reports (default: [run] report_dir of the config).
    #[arg(short, long)]
    reports: Option<PathBuf>,
    /// Scenarios running at once (default: [run] concurrency of the config).
    #[arg(long)]
    concurrency: Option<usize>,
    #[command(flatten)]
    judge: drift_cli::JudgeArgs,
}

#[derive(Debug, clap::Args)]
struct DemoArgs {
    /// Folder for the trace and reports.
    #[arg(short, long, default_value = "driftgate-reports/demo")]
    reports: PathBuf,
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
            Command::Steps => {
                print_steps();
                Ok(exit::NO_DRIFT)
            }
            Command::Record(args) => drift_cli::record(args).await,
            Command::LearnNoise(args) => drift_cli::learn_noise(args).await,
            Command::Compare(args) => drift_cli::compare(args, color),
            Command::Report(args) => drift_cli::rebuild_report(args, color),
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
        tracing_subscriber::EnvFilter::new(format!("driftgate={default},warn"))
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
    };
    let outcome = match &args.baseline_trace {
        Some(trace) => modes::run_against_trace(opts, trace).await,
        None => runner::run(opts).await,
    };
    finish(outcome, view)
}

/// Prints the outcome of a run and returns its exit code.
fn finish(
    outcome: Result<runner::RunOutcome, RunError>,
    view: TerminalOptions,
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
        "driftgate demo: mock production and staging ERP + WMS from {}, suites from {}\n",
        root.join("mocks").display(),
        root.join("features").display()
    );
    let opts = RunOptions {
        config,
        baseline: baseline.into(),
        candidate: candidate.into(),
        paths: Vec::new(),
        tags: None,
        report_dir: args.reports,
        concurrency: None,
        base_url_overrides: overrides,
        display_root: std::fs::canonicalize(&root).unwrap_or(root),
    };
    let view = TerminalOptions {
        color,
        show_suppressed: false,
    };
    finish(runner::run(opts).await, view)
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

fn display(p: &Path) -> String {
    p.display().to_string()
}

fn print_steps() {
    for step in driftgate::world::steps::catalogue() {
        println!(
            "{}\n    {}\n    e.g. {}\n",
            step.pattern, step.summary, step.example
        );
    }
}
