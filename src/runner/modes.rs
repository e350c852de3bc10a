//! The runs besides the twin run, built from the same runner and the trace:
//!
//! - [`record`]: one environment into a trace (`driftgate record`);
//! - [`run_against_trace`]: a live candidate against a recorded baseline
//!   (`driftgate run --baseline-trace FILE`);
//! - [`super::learning`]: several recordings of each environment, learned
//!   as noise (`driftgate learn-noise`);
//! - [`report_from_traces`] and [`compare_traces`]: reports from stored
//!   traces alone (`driftgate report`, `driftgate compare`);
//! - [`report_from_records`]: the report of records a check kept in memory
//!   (`driftgate topology`, `driftgate db-parity`), judged as its trace would be.
//!
//! ```text
//! driftgate record --env production -o prod.trace.jsonl
//! driftgate run --candidate staging --baseline-trace prod.trace.jsonl
//!   reports/candidate.trace.jsonl   the live recording of staging
//!   reports/trace.jsonl             both paired: a twin trace `driftgate report` reads
//! ```

use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::NaiveDate;

use super::merge::{ShardTrace, busiest_shard_ms, shortfall};
use super::{RunError, RunOptions, RunOutcome, completeness, run_in_mode};
use crate::compare::traces::{Presence, RunEnding, TraceRun, TwinTrace, pair_traces, twin_of};
use crate::config::Config;
use crate::judge::{DriftReport, Standards, judge_trace};
use crate::secret::Redactor;
use crate::trace::{RunPlan, TraceRecord, TraceWriter, read_trace};

/// How a run uses its two sides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunMode {
    /// Baseline and candidate, different environments, judged against each other.
    Twin,
    /// The baseline environment alone, recorded into `trace`.
    Record {
        /// Where the recording goes.
        trace: PathBuf,
    },
}

impl RunMode {
    /// The trace file this mode writes to, when it is not `trace.jsonl` of the report folder.
    pub fn trace_path(&self) -> Option<PathBuf> {
        match self {
            RunMode::Record { trace } => Some(trace.clone()),
            RunMode::Twin => None,
        }
    }
}

/// The day waiver expiry is judged against: today, UTC.
pub fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// Records the scenarios on `opts.baseline` alone into `trace`.
pub async fn record(opts: RunOptions, trace: PathBuf) -> Result<RunOutcome, RunError> {
    run_in_mode(opts, RunMode::Record { trace }).await
}

/// Runs `opts.candidate` live and compares it with the recorded baseline trace.
pub async fn run_against_trace(
    mut opts: RunOptions,
    baseline_trace: &Path,
) -> Result<RunOutcome, RunError> {
    if let Some(shard) = opts.shard {
        return Err(RunError::ShardWithBaselineTrace(shard));
    }
    let started = Instant::now();
    let baseline = read_run(baseline_trace)?;
    let baseline_shortfall =
        completeness::of_trace(&baseline_trace.display().to_string(), &baseline);
    let report_dir = opts.report_dir.clone();
    let config = opts.config.clone();
    opts.baseline = opts.candidate.clone();
    opts.base_url_overrides.baseline = opts.base_url_overrides.candidate.clone();
    let live_path = report_dir.join("candidate.trace.jsonl");
    let live = record(opts, live_path.clone()).await?;
    let candidate = read_run(&live_path)?;
    let mut twin = pair_traces(&baseline, &candidate);
    drop_unrun(
        &mut twin,
        baseline_shortfall.is_some(),
        live.report.incomplete.is_some(),
    );
    let trace_path = report_dir.join("trace.jsonl");
    let mut errors = live.report_errors;
    // The paired trace ends as the live run did, unless the baseline
    // recording itself stopped short: then it has no run-end record either.
    let ending = baseline_shortfall
        .is_none()
        .then_some(&candidate)
        .map(|c| (c.planned, c.ending.as_ref()));
    if let Err(e) = write_twin_trace(&trace_path, &twin, ending, &live.redactor) {
        errors.push(e.to_string());
    }
    let mut report = report_of(&config, &twin, elapsed_ms(started), today());
    report.limits = live.report.limits.clone();
    report.incomplete =
        completeness::least_complete([live.report.incomplete.clone(), baseline_shortfall]);
    let report_files = match crate::report::write_all(&report, &report_dir, &live.redactor) {
        Ok(files) => files,
        Err(e) => {
            errors.push(e.to_string());
            Vec::new()
        }
    };
    Ok(RunOutcome {
        report,
        trace_path,
        report_files,
        report_errors: errors,
        redactor: live.redactor,
    })
}

/// Rebuilds the report of one or more twin traces (shards of one run; unlike
/// `driftgate merge`, neither completeness nor versions are checked).
pub fn report_from_traces(
    config: &Config,
    traces: &[PathBuf],
    today: NaiveDate,
) -> Result<DriftReport, RunError> {
    let mut shards: Vec<ShardTrace> = Vec::new();
    for path in traces {
        let shard = ShardTrace::read(path)?;
        if let Some(first) = shards.first()
            && first.run.header.environments != shard.run.header.environments
        {
            return Err(RunError::OtherEnvironments {
                path: path.display().to_string(),
                first: traces[0].display().to_string(),
            });
        }
        shards.push(shard);
    }
    report_of_shards(config, &shards, today)
}

/// Judges the records of a check that ran outside any scenario (`driftgate
/// topology`, `driftgate db-parity`), still in memory, exactly as
/// [`report_from_traces`] judges them once stored in a trace; `name` names
/// them in messages.
pub fn report_from_records(
    config: &Config,
    name: &str,
    records: Vec<TraceRecord>,
    today: NaiveDate,
) -> Result<DriftReport, RunError> {
    let shard = ShardTrace::from_records(name.to_owned(), records)?;
    report_of_shards(config, &[shard], today)
}

/// The report of the shards of one run, read from their traces or records.
fn report_of_shards(
    config: &Config,
    shards: &[ShardTrace],
    today: NaiveDate,
) -> Result<DriftReport, RunError> {
    let first = shards.first().ok_or(RunError::NoTraces)?;
    let mut header = first.run.header.clone();
    for shard in &shards[1..] {
        header.tenants.extend(shard.run.header.tenants.clone());
    }
    let twin = TwinTrace {
        header,
        scenarios: shards
            .iter()
            .flat_map(|s| twin_of(&s.run).scenarios)
            .collect(),
    };
    let mut report = report_of(config, &twin, busiest_shard_ms(shards), today);
    report.incomplete = shortfall(shards);
    Ok(report)
}

/// Compares two stored traces: the baseline role of `baseline` (a recording,
/// or the baseline side of a twin trace) against the candidate role of `candidate`.
pub fn compare_traces(
    config: &Config,
    baseline: &Path,
    candidate: &Path,
    today: NaiveDate,
) -> Result<DriftReport, RunError> {
    let (b, c) = (read_run(baseline)?, read_run(candidate)?);
    let shortfalls = [
        completeness::of_trace(&baseline.display().to_string(), &b),
        completeness::of_trace(&candidate.display().to_string(), &c),
    ];
    let mut twin = pair_traces(&b, &c);
    drop_unrun(&mut twin, shortfalls[0].is_some(), shortfalls[1].is_some());
    let mut report = report_of(config, &twin, completeness::duration_ms(&c), today);
    report.incomplete = completeness::least_complete(shortfalls);
    Ok(report)
}

/// Leaves out the scenarios one side lacks because that side's run stopped
/// short: they did not run there, which is no `scenario_only_in_…` drift
/// (the report says the run is incomplete instead).
fn drop_unrun(twin: &mut TwinTrace, baseline_short: bool, candidate_short: bool) {
    twin.scenarios.retain(|s| match s.presence {
        Presence::OnlyBaseline => !candidate_short,
        Presence::OnlyCandidate => !baseline_short,
        Presence::Both => true,
    });
}

pub(super) fn read_run(path: &Path) -> Result<TraceRun, RunError> {
    let records = read_trace(path)?;
    Ok(TraceRun::from_records(
        &path.display().to_string(),
        records,
    )?)
}

fn report_of(config: &Config, twin: &TwinTrace, duration_ms: f64, today: NaiveDate) -> DriftReport {
    judge_trace(&Standards::of(config, today), twin, duration_ms)
}

fn elapsed_ms(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1000.0
}

/// How a paired trace ends: the live run's plan and last record.
type Ending<'a> = (Option<usize>, Option<&'a RunEnding>);

/// Writes the paired scenarios of a twin trace as a twin trace file, with
/// the plan and last record of `ending`.
fn write_twin_trace(
    path: &Path,
    twin: &TwinTrace,
    ending: Option<Ending<'_>>,
    redactor: &Redactor,
) -> Result<(), RunError> {
    let writer = TraceWriter::create(path, redactor.clone())?;
    writer.append(&TraceRecord::Run(twin.header.clone()))?;
    let (planned, last) = ending.unwrap_or_default();
    if let Some(scenarios) = planned {
        writer.append(&TraceRecord::Plan(RunPlan { scenarios }))?;
    }
    for record in twin.scenarios.iter().flat_map(|s| s.records()) {
        writer.append(&record)?;
    }
    match last {
        Some(RunEnding::Finished(end)) => writer.append(&TraceRecord::End(end.clone()))?,
        Some(RunEnding::Interrupted(stop)) => {
            writer.append(&TraceRecord::Interrupted(stop.clone()))?;
        }
        None => {}
    }
    Ok(())
}
