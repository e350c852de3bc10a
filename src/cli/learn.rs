//! `driftgate learn-noise`: arguments, and the table of what was learned,
//! what is environment-specific, and what could not be learned. The work is
//! in `driftgate::runner::learning`.
//!
//! ```text
//! driftgate learn-noise --baseline production --candidate staging -o noise.json
//! learned 2 noisy places from 3 runs of each of production, staging:
//!   service  route                     path          kind   learned from                                   why
//!   wms      GET /api/stock/{{ sku }}  $.checkedAt   value  production run 1 vs 2, staging run 1 vs 2      values differ between runs: "…:00.120Z", "…:01.410Z"
//! 1 environment-specific value (not learned: declare it as an environment variable, or waive it):
//!   wms      GET /api/stock/{{ sku }}  $.warehouse   production "WH-01", staging "WH-02"
//! learning incomplete: 1 scenario failed in a run; what it would have shown is not learned:
//!   staging run 2  features/order.feature:12: Create an order  refused: POST to protected environment
//! ```

use std::path::PathBuf;
use std::time::Duration;

use driftgate::compare::noise::runs::Learning;
use driftgate::config::noise::{EnvironmentValue, NoiseEntry, NoiseKind};
use driftgate::diagnostic::Diagnostic;
use driftgate::exit;
use driftgate::runner::learning::{self, LearnOutcome, LearnPlan};

use super::args::{ScenarioFilter, SuiteArgs};
use super::output;
use super::services::parse_duration;
use super::traces::one_environment;

/// `driftgate learn-noise`.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("environments").required(true).args(["baseline", "env"])))]
pub(crate) struct LearnNoiseArgs {
    #[command(flatten)]
    suite: SuiteArgs,
    /// The baseline environment; learned together with --candidate.
    #[arg(long, requires = "candidate", conflicts_with = "env")]
    baseline: Option<String>,
    /// The candidate environment; learned together with --baseline.
    #[arg(long, requires = "baseline", conflicts_with = "env")]
    candidate: Option<String>,
    /// One environment alone (no environment-specific values can be told apart).
    #[arg(long)]
    env: Option<String>,
    /// Runs per environment (at least 2).
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Pause between two runs, so server timestamps differ (`1s`, `500ms`).
    #[arg(long, default_value = "1s", value_parser = parse_duration)]
    spacing: Duration,
    /// The noise file to write: TOML when it ends in .toml, JSON otherwise.
    #[arg(short, long)]
    output: PathBuf,
    #[command(flatten)]
    filter: ScenarioFilter,
    /// Folder for the recordings (one trace per run).
    #[arg(short, long)]
    reports: Option<PathBuf>,
}

/// Records the runs, learns from them, writes the noise file and prints
/// the table; exits 1 when a scenario could not be learned in some run.
pub(crate) async fn learn_noise(args: LearnNoiseArgs) -> anyhow::Result<u8> {
    let Some(config) = args.suite.config.load() else {
        return Ok(exit::USAGE);
    };
    let report_dir = args.reports.unwrap_or_else(|| {
        config
            .resolve_path(&config.run.report_dir)
            .join("learn-noise")
    });
    let (baseline, candidate) = match (args.baseline, args.candidate, args.env) {
        (Some(b), Some(c), _) => (b, c),
        (_, _, Some(env)) => (env.clone(), env),
        _ => {
            return Ok(output::usage_error(
                &Diagnostic::error("name the environments to learn from")
                    .with_help("give --baseline and --candidate, or --env for one environment"),
            ));
        }
    };
    let mut opts = one_environment(config, &baseline, report_dir, args.suite.paths, args.filter)?;
    opts.candidate = candidate;
    let plan = LearnPlan {
        runs: args.runs,
        spacing: args.spacing,
    };
    let outcome = match learning::learn_noise(opts, plan).await {
        Ok(outcome) => outcome,
        Err(e) => return Ok(output::run_failed(&e)),
    };
    outcome.noise.save(&args.output)?;
    print_outcome(&outcome, plan.runs);
    println!(
        "noise: {} (review it, then set [compare] noise or pass --noise)",
        args.output.display()
    );
    if outcome.learning.is_complete() {
        Ok(exit::NO_DRIFT)
    } else {
        Ok(exit::DRIFT)
    }
}

fn print_outcome(outcome: &LearnOutcome, runs: usize) {
    let learning: &Learning = &outcome.learning;
    let environments = outcome.noise.environments.join(", ");
    println!(
        "learned {} noisy place{} from {runs} runs of each of {environments}{}",
        learning.noise.len(),
        plural(learning.noise.len()),
        if learning.noise.is_empty() { "" } else { ":" }
    );
    let rows: Vec<[String; 6]> = learning.noise.iter().map(noise_row).collect();
    print_table(
        ["service", "route", "path", "kind", "learned from", "why"],
        &rows,
    );
    if !learning.environment_specific.is_empty() {
        let n = learning.environment_specific.len();
        println!(
            "{n} environment-specific value{} (not learned: declare {} as an environment variable, or waive {}):",
            plural(n),
            if n == 1 { "it" } else { "each" },
            if n == 1 { "it" } else { "them" },
        );
        let rows: Vec<[String; 4]> = learning
            .environment_specific
            .iter()
            .map(environment_row)
            .collect();
        print_table(["service", "route", "path", "values"], &rows);
    }
    if !learning.is_complete() {
        let n = learning.failures.len();
        println!(
            "learning incomplete: {n} scenario run{} did not run to the end; what {} would have shown is not learned:",
            plural(n),
            if n == 1 { "it" } else { "they" }
        );
        let rows: Vec<[String; 3]> = learning
            .failures
            .iter()
            .map(|f| {
                [
                    format!("{} run {}", f.environment, f.run),
                    f.scenario.clone(),
                    f.reason.clone(),
                ]
            })
            .collect();
        print_table(["run", "scenario", "reason"], &rows);
    }
    for trace in &outcome.traces {
        println!("trace: {}", trace.display());
    }
}

fn noise_row(entry: &NoiseEntry) -> [String; 6] {
    let (kind, why) = match entry.kind {
        NoiseKind::Value => {
            let examples: Vec<String> = entry.examples.iter().map(|v| v.to_string()).collect();
            (
                "value",
                format!("values differ between runs: {}", examples.join(", ")),
            )
        }
        NoiseKind::Order => ("order", "array order differs between runs".to_owned()),
    };
    [
        entry.service.clone(),
        entry.route.clone(),
        entry.path.clone(),
        kind.to_owned(),
        entry.learned_from.join(", "),
        why,
    ]
}

fn environment_row(value: &EnvironmentValue) -> [String; 4] {
    let values: Vec<String> = value
        .values
        .iter()
        .map(|(env, v)| format!("{env} {v}"))
        .collect();
    [
        value.service.clone(),
        value.route.clone(),
        value.path.clone(),
        values.join(", "),
    ]
}

/// Prints `rows` under `header`, columns padded to their widest cell.
fn print_table<const N: usize>(header: [&str; N], rows: &[[String; N]]) {
    if rows.is_empty() {
        return;
    }
    let mut widths = header.map(|h| h.chars().count());
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: [&str; N]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:width$}"))
            .collect();
        println!("  {}", padded.join("  ").trim_end());
    };
    line(header);
    for row in rows {
        line(row.each_ref().map(String::as_str));
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
