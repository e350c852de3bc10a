//! The `driftgate` command line: the list of commands and global options,
//! logging, the async runtime, and dispatch to the command handlers of
//! [`cli`], whose return values become the exit code. No logic lives here.
//!
//! ```text
//! driftgate -v run --baseline production --candidate staging   # exit 0 no drift, 1 drift, 2 usage, 3 unreachable
//! ```

use std::io::IsTerminal as _;
use std::process::ExitCode;

mod cli;

use clap::{Parser, Subcommand, ValueEnum};
use cli::{demo, learn, run, services, steps, traces};
use driftgate::diagnostic::Diagnostic;
use driftgate::exit;

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

/// When terminal output is coloured.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

/// The commands of `driftgate`.
#[derive(Debug, Subcommand)]
enum Command {
    /// Run scenarios against a baseline and a candidate environment and report the drift.
    Run(run::RunArgs),
    /// Run the sample suites against built-in mock production and staging environments.
    Demo(demo::DemoArgs),
    /// Serve the mock environments of mocks/ until interrupted.
    Mock(services::MockArgs),
    /// List every built-in step with its parameters.
    Steps(steps::StepsArgs),
    /// Lint features, fixtures and config without touching any environment.
    Check(steps::CheckArgs),
    /// Compare a SQL Server service's settings and table schemas between two environments.
    DbParity(services::DbParityArgs),
    /// Record the messages of an exchange binding (or drain a dead-letter queue) into a replay file.
    Capture(services::CaptureArgs),
    /// Compare the broker topology (exchanges, queues, bindings, queue arguments) of two environments.
    Topology(services::TopologyArgs),
    /// Record one environment into a trace, to compare candidates against later.
    Record(traces::RecordArgs),
    /// Run every scenario several times against each environment and write what differs between runs as noise.
    LearnNoise(learn::LearnNoiseArgs),
    /// Compare two stored traces (recordings or twin traces) and report the drift.
    Compare(traces::CompareArgs),
    /// Rebuild drift.json, junit.xml and the terminal report from twin traces alone.
    Report(traces::ReportArgs),
    /// Combine the traces of a sharded run (`run --shard I/N`) into one run and report it.
    Merge(traces::MergeArgs),
}

/// Parses the command line, runs the command, exits with its code.
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
    // Errors, warnings and notes on stderr follow --color too.
    match cli.color {
        Color::Always => anstream::ColorChoice::Always,
        Color::Never => anstream::ColorChoice::Never,
        Color::Auto => anstream::ColorChoice::Auto,
    }
    .write_global();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            let error = Diagnostic::error(format!("cannot start the async runtime: {e}"));
            return ExitCode::from(cli::failed(&error, exit::USAGE));
        }
    };
    let color = match cli.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let code = runtime.block_on(dispatch(cli.command, color));
    match code {
        Ok(code) => ExitCode::from(code),
        Err(e) => ExitCode::from(cli::failed(
            &Diagnostic::error(format!("{e:#}")),
            exit::USAGE,
        )),
    }
}

/// Logs to stderr: warnings, or more with `-v`/`-vv`; `RUST_LOG` overrides.
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

/// Runs the command; its exit code, or the error that stopped it.
async fn dispatch(command: Command, color: bool) -> anyhow::Result<u8> {
    match command {
        Command::Run(args) => run::run(args, color).await,
        Command::Demo(args) => demo::demo(args, color).await,
        Command::Mock(args) => services::serve_mocks(args).await,
        Command::DbParity(args) => Ok(services::db_parity(args, color).await),
        Command::Capture(args) => Ok(services::capture(args).await),
        Command::Topology(args) => Ok(services::topology(args, color).await),
        Command::Record(args) => traces::record(args).await,
        Command::LearnNoise(args) => learn::learn_noise(args).await,
        Command::Compare(args) => Ok(traces::compare(args, color)),
        Command::Report(args) => Ok(traces::rebuild_report(args, color)),
        Command::Merge(args) => Ok(traces::merge(args, color)),
        Command::Steps(args) => Ok(steps::print_steps(&args)),
        Command::Check(args) => steps::check(&args),
    }
}
