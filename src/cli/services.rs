//! The commands about the services of an environment rather than its
//! scenarios: `mock` serves the mock environments, `capture` records broker
//! messages, `topology` and `db-parity` compare the broker topology and the
//! SQL Server settings and schemas of two environments, each judged like a
//! run's trace (rules, policy, waivers) and reported in every format.
//! Argument parsing and printing only: the work is in
//! `driftgate::{mock, runner::broker, parity}`.
//!
//! ```text
//! driftgate mock --env staging --port erp=8081
//! driftgate capture --env production --exchange orders --binding 'order.*' -o orders.jsonl --duration 30s
//! driftgate topology --baseline production --candidate staging -r reports/topology --waivers waivers.toml
//! driftgate db-parity --baseline production --candidate staging --service erpdb --table dbo.orders --trace db.trace.jsonl
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use driftgate::config::Config;
use driftgate::exit;
use driftgate::mock::{self, MockEnvironment};
use driftgate::parity::{self, ParityError};
use driftgate::runner::{broker, modes};
use driftgate::secret::Redactor;
use driftgate::template::TemplateEngine;
use driftgate::trace::{TraceRecord, Twin};

use super::args::{ConfigArg, EnvironmentPair, TraceJudgeArgs};
use super::output;

/// `driftgate mock`.
#[derive(Debug, clap::Args)]
pub(crate) struct MockArgs {
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

/// `driftgate capture`.
#[derive(Debug, clap::Args)]
pub(crate) struct CaptureArgs {
    #[command(flatten)]
    config: ConfigArg,
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
    duration: Option<Duration>,
}

/// `driftgate topology`.
#[derive(Debug, clap::Args)]
#[command(mut_args(EnvironmentPair::without_usual_baseline))]
pub(crate) struct TopologyArgs {
    #[command(flatten)]
    config: ConfigArg,
    #[command(flatten)]
    environments: EnvironmentPair,
    /// AMQP service (default: every one of the baseline environment, a scenario each).
    #[arg(long)]
    service: Option<String>,
    #[command(flatten)]
    output: CheckOutputArgs,
}

/// `driftgate db-parity`.
#[derive(Debug, clap::Args)]
pub(crate) struct DbParityArgs {
    #[command(flatten)]
    config: ConfigArg,
    #[command(flatten)]
    environments: EnvironmentPair,
    /// The SQL Server service (kind = "sqlserver") in both environments.
    #[arg(long)]
    service: String,
    /// A table whose schema is compared, as schema.table (repeatable).
    #[arg(long = "table")]
    tables: Vec<String>,
    #[command(flatten)]
    output: CheckOutputArgs,
}

/// How `topology` and `db-parity` judge what they found, and where they put it.
#[derive(Debug, clap::Args)]
pub(crate) struct CheckOutputArgs {
    /// Folder for drift.json, junit.xml, summary.md, cucumber.json and report.html
    /// (without it, only the terminal report).
    #[arg(short, long)]
    reports: Option<PathBuf>,
    /// Also write what the check read as a trace (JSON Lines) that `driftgate report` judges.
    #[arg(long, value_name = "FILE")]
    trace: Option<PathBuf>,
    #[command(flatten)]
    judging: TraceJudgeArgs,
}

impl CheckOutputArgs {
    /// Writes the records of a check as a trace when asked, judges them as
    /// `driftgate report` judges a trace, writes and prints the report;
    /// returns the gate's exit code.
    fn judge(
        &self,
        config: &Config,
        name: &str,
        records: Vec<TraceRecord>,
        redactor: &Redactor,
        color: bool,
    ) -> u8 {
        let trace = self.trace.as_deref().filter(|path| {
            parity::write_trace(path, &records, redactor)
                .map_err(|e| output::print_warnings(&[e.to_string()], redactor))
                .is_ok()
        });
        let report = modes::report_from_records(config, name, records, self.judging.today());
        match report {
            Ok(report) => output::written_report(
                &report,
                output::ReportFiles {
                    dir: self.reports.as_deref(),
                    trace,
                },
                redactor,
                self.judging.judge.view(color),
                &self.judging.metrics,
            ),
            Err(e) => output::run_failed(&e),
        }
    }
}

/// Serves the mocks of one environment until Ctrl-C.
pub(crate) async fn serve_mocks(args: MockArgs) -> anyhow::Result<u8> {
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
        args.mocks.display()
    );
    tokio::signal::ctrl_c()
        .await
        .context("cannot wait for Ctrl-C")?;
    Ok(exit::NO_DRIFT)
}

/// Records broker messages into a replay file.
pub(crate) async fn capture(args: CaptureArgs) -> u8 {
    let Some(config) = args.config.load() else {
        return exit::USAGE;
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
    match broker::capture_command(&config, &request, &Redactor::default()).await {
        Ok(summary) => {
            println!(
                "captured {} messages to {} ({})",
                summary.captured,
                summary.path.display(),
                summary.stopped
            );
            exit::NO_DRIFT
        }
        Err(e) => output::failed(&e, e.exit_code()),
    }
}

/// Compares the broker topology of two environments.
pub(crate) async fn topology(args: TopologyArgs, color: bool) -> u8 {
    let Some(config) = args.config.load_judged(&args.output.judging.judge) else {
        return exit::USAGE;
    };
    let redactor = Redactor::default();
    let records = broker::topology_command(
        &config,
        &args.environments.baseline,
        &args.environments.candidate,
        args.service.as_deref(),
        &redactor,
    )
    .await;
    match records {
        Ok(records) => args
            .output
            .judge(&config, "driftgate topology", records, &redactor, color),
        Err(e) => output::failed(&e, e.exit_code()),
    }
}

/// Compares the SQL Server settings and table schemas of two environments.
pub(crate) async fn db_parity(args: DbParityArgs, color: bool) -> u8 {
    let Some(config) = args.config.load_judged(&args.output.judging.judge) else {
        return exit::USAGE;
    };
    let redactor = Redactor::default();
    let names = Twin::new(args.environments.baseline, args.environments.candidate);
    match parity::check(&config, &names, &args.service, &args.tables, &redactor).await {
        Ok(records) => args
            .output
            .judge(&config, "driftgate db-parity", records, &redactor, color),
        Err(e @ ParityError::Unreadable(_)) => output::failed(&e, exit::UNREACHABLE),
        Err(e) => output::usage_error(&e),
    }
}

/// Parses `SERVICE=PORT`.
fn parse_port(s: &str) -> Result<(String, u16), String> {
    let (service, port) = s
        .split_once('=')
        .ok_or("expected SERVICE=PORT, e.g. erp=8081")?;
    let port = port
        .parse()
        .map_err(|e| format!("bad port `{port}`: {e}"))?;
    Ok((service.to_owned(), port))
}

/// Parses a duration such as `10s`, `500ms`, `2m` or `1.5` (seconds), at most a day.
pub(super) fn parse_duration(s: &str) -> Result<Duration, String> {
    let (number, unit) = s
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .map_or((s, "s"), |at| s.split_at(at));
    driftgate::config::duration::from_amount(number, unit)
        .map_err(|_| format!("bad duration `{s}`: use e.g. 10s, 500ms, 2m (at most a day)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_in_milliseconds_seconds_and_minutes() {
        let cases = [
            ("500ms", Ok(Duration::from_millis(500))),
            ("10s", Ok(Duration::from_secs(10))),
            ("1.5", Ok(Duration::from_millis(1500))),
            ("2m", Ok(Duration::from_secs(120))),
            (
                "2h",
                Err("bad duration `2h`: use e.g. 10s, 500ms, 2m (at most a day)".to_owned()),
            ),
            (
                "s",
                Err("bad duration `s`: use e.g. 10s, 500ms, 2m (at most a day)".to_owned()),
            ),
            (
                "100000000000000000000",
                Err(
                    "bad duration `100000000000000000000`: use e.g. 10s, 500ms, 2m (at most a day)"
                        .to_owned(),
                ),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_duration(text), expected, "{text}");
        }
    }

    #[test]
    fn ports_parse_as_service_equals_port() {
        assert_eq!(parse_port("erp=8081"), Ok(("erp".to_owned(), 8081)));
        assert_eq!(
            parse_port("erp"),
            Err("expected SERVICE=PORT, e.g. erp=8081".to_owned())
        );
        assert!(parse_port("erp=http").is_err_and(|e| e.starts_with("bad port `http`")));
    }
}
