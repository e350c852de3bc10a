//! `driftgate merge`: the traces of a sharded run (`driftgate run --shard I/N`
//! in N jobs) combined into one run, whose reports and exit code are those the
//! unsharded run would have given.
//!
//! Before anything is judged, the traces must prove they are one complete run:
//! the same environments (names and variables), the same driftgate version,
//! cut from the same suite into the same number of shards, every shard present
//! once and finished, and no scenario in two traces.
//!
//! ```text
//! driftgate merge shards/0/trace.jsonl shards/1/trace.jsonl shards/2/trace.jsonl -r reports
//!   shard 1/3: 4 scenarios   shard 2/3: 4 scenarios   shard 3/3: 3 scenarios   (suite 5f0c9a1e22b7d403)
//!   ──▶ reports/trace.jsonl (one twin trace) + drift.json, junit.xml, report.html, summary.md, cucumber.json
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::completeness;
use crate::compare::traces::{RunEnding, TraceRun, TwinTrace, twin_of};
use crate::config::Config;
use crate::judge::{DriftReport, Incomplete, Standards, judge_trace};
use crate::secret::Redactor;
use crate::trace::{
    RunEnd, RunPlan, ScenarioKey, ShardRecord, TraceError, TraceRecord, TraceWriter, read_trace,
};

/// Why traces cannot be merged into one run.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// No trace named.
    #[error("name the trace of every shard, e.g. driftgate merge shards/*/trace.jsonl")]
    NoTraces,
    /// A trace could not be read.
    #[error(transparent)]
    Trace(#[from] TraceError),
    /// A file is not a driftgate trace.
    #[error("{0}: not a driftgate trace (the first record must be the run header)")]
    NotATrace(String),
    /// Two traces compared different environments.
    #[error(
        "{path} compares `{found}`, {first} compares `{expected}`: merge the shards of one run (same environments and variables)"
    )]
    OtherEnvironments {
        /// The odd trace.
        path: String,
        /// The first trace.
        first: String,
        /// Environments of the first trace.
        expected: String,
        /// Environments of the odd trace.
        found: String,
    },
    /// Two traces were written by different driftgate versions or trace formats.
    #[error(
        "{path} was written by driftgate {found}, {first} by {expected}: run every shard with the same driftgate"
    )]
    OtherVersion {
        /// The odd trace.
        path: String,
        /// The first trace.
        first: String,
        /// Version (and trace format) of the first trace.
        expected: String,
        /// Version (and trace format) of the odd trace.
        found: String,
    },
    /// Some traces are shards, others are not.
    #[error(
        "{path} is {what}, {first} is not: merge either the shards of one sharded run or unsharded traces"
    )]
    MixedSharding {
        /// The odd trace.
        path: String,
        /// The first trace.
        first: String,
        /// `a shard` or `not a shard`.
        what: &'static str,
    },
    /// Two shards were cut from different suites or into different counts.
    #[error(
        "{path} is {found}, {first} belongs to {expected}: run every shard with the same features, --tags and shard count"
    )]
    OtherSuite {
        /// The odd trace.
        path: String,
        /// The first trace.
        first: String,
        /// The odd trace's shard and suite, e.g. `shard 2/3 of suite 5f0c… (11 scenarios)`.
        found: String,
        /// The first trace's suite and count, e.g. `suite 9a7b… cut into 2`.
        expected: String,
    },
    /// One shard given twice.
    #[error("shard {index}/{total} is given twice: {first} and {second}")]
    DuplicateShard {
        /// The shard number.
        index: usize,
        /// The shard count.
        total: usize,
        /// One trace.
        first: String,
        /// The other.
        second: String,
    },
    /// Shards are missing.
    #[error(
        "shard(s) {} of {total} missing: a merged report without them would pass scenarios that never ran",
        list(.missing)
    )]
    MissingShards {
        /// The missing shard numbers.
        missing: Vec<usize>,
        /// The shard count.
        total: usize,
    },
    /// A shard's trace holds fewer finished scenarios than it was assigned.
    #[error(
        "{path} (shard {index}/{total}) finished {finished} of its {assigned} scenarios: the shard did not run to the end"
    )]
    Unfinished {
        /// The trace.
        path: String,
        /// Its shard number.
        index: usize,
        /// Its shard count.
        total: usize,
        /// Scenarios with an end record.
        finished: usize,
        /// Scenarios assigned to it.
        assigned: usize,
    },
    /// One scenario in two traces.
    #[error(
        "scenario {scenario} is in both {first} and {second}: every scenario must run exactly once"
    )]
    DuplicateScenario {
        /// The scenario.
        scenario: String,
        /// One trace.
        first: String,
        /// The other.
        second: String,
    },
}

impl crate::diagnostic::Diagnose for MergeError {
    fn diagnostics(&self) -> Vec<crate::diagnostic::Diagnostic> {
        match self {
            MergeError::Trace(e) => crate::diagnostic::Diagnose::diagnostics(e),
            other => vec![crate::diagnostic::Diagnostic::error(other.to_string())],
        }
    }
}

fn list(numbers: &[usize]) -> String {
    numbers
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// One trace given to `merge`.
#[derive(Debug, Clone)]
pub struct ShardTrace {
    /// Where it was read from, as shown in messages.
    pub name: String,
    /// Its shard record, when it is a shard.
    pub shard: Option<ShardRecord>,
    /// Its scenarios.
    pub run: TraceRun,
}

impl ShardTrace {
    /// Reads a trace file.
    pub fn read(path: &Path) -> Result<ShardTrace, MergeError> {
        let name = path.display().to_string();
        let records = read_trace(path)?;
        ShardTrace::from_records(name, records)
    }

    /// Groups the records of one trace; `name` names it in messages.
    pub fn from_records(name: String, records: Vec<TraceRecord>) -> Result<ShardTrace, MergeError> {
        let shard = records.iter().find_map(|r| match r {
            TraceRecord::Shard(shard) => Some(shard.clone()),
            _ => None,
        });
        let run = TraceRun::from_records(&name, records)
            .map_err(|_| MergeError::NotATrace(name.clone()))?;
        Ok(ShardTrace { name, shard, run })
    }

    /// Scenarios that finished, repetitions of one scenario counted once.
    fn finished(&self) -> usize {
        self.run
            .scenarios
            .iter()
            .filter(|s| s.end.is_some())
            .map(|s| s.key.without_sample())
            .collect::<BTreeSet<ScenarioKey>>()
            .len()
    }
}

/// The traces of one run, checked and combined.
#[derive(Debug, Clone)]
pub struct MergedRun {
    /// The traces, in shard order.
    pub shards: Vec<ShardTrace>,
    /// All scenarios as one twin trace (header of the earliest shard).
    pub twin: TwinTrace,
}

/// Checks that `traces` are the complete shards of one run and combines them.
pub fn combine(mut traces: Vec<ShardTrace>) -> Result<MergedRun, MergeError> {
    let first = traces.first().ok_or(MergeError::NoTraces)?;
    for other in &traces[1..] {
        same_run(first, other)?;
    }
    complete_shards(&traces)?;
    exactly_once(&traces)?;
    traces.sort_by_key(|t| t.shard.as_ref().map_or(0, |s| s.index));
    let mut header = traces[0].run.header.clone();
    if let Some(earliest) = traces.iter().map(|t| &t.run.header.started_at).min() {
        header.started_at = earliest.clone();
    }
    let scenarios = traces
        .iter()
        .flat_map(|t| twin_of(&t.run).scenarios)
        .collect();
    Ok(MergedRun {
        twin: TwinTrace { header, scenarios },
        shards: traces,
    })
}

fn same_run(first: &ShardTrace, other: &ShardTrace) -> Result<(), MergeError> {
    let (a, b) = (&first.run.header, &other.run.header);
    if a.environments != b.environments || a.tenants != b.tenants {
        let envs = |h: &crate::trace::RunHeader| {
            format!(
                "{} {:?} vs {} {:?}, tenants {:?}",
                h.environments.baseline.name,
                h.environments.baseline.variables,
                h.environments.candidate.name,
                h.environments.candidate.variables,
                h.tenants.keys().collect::<Vec<_>>()
            )
        };
        return Err(MergeError::OtherEnvironments {
            path: other.name.clone(),
            first: first.name.clone(),
            expected: envs(a),
            found: envs(b),
        });
    }
    if (a.format, &a.tool_version) != (b.format, &b.tool_version) {
        let version =
            |h: &crate::trace::RunHeader| format!("{} (trace format {})", h.tool_version, h.format);
        return Err(MergeError::OtherVersion {
            path: other.name.clone(),
            first: first.name.clone(),
            expected: version(a),
            found: version(b),
        });
    }
    match (&first.shard, &other.shard) {
        (Some(x), Some(y))
            if (x.total, &x.suite, x.suite_scenarios) != (y.total, &y.suite, y.suite_scenarios) =>
        {
            Err(MergeError::OtherSuite {
                path: other.name.clone(),
                first: first.name.clone(),
                found: format!(
                    "shard {}/{} of suite {} ({} scenarios)",
                    y.index, y.total, y.suite, y.suite_scenarios
                ),
                expected: format!("suite {} cut into {}", x.suite, x.total),
            })
        }
        (Some(_), None) | (None, Some(_)) => Err(MergeError::MixedSharding {
            path: other.name.clone(),
            first: first.name.clone(),
            what: if other.shard.is_some() {
                "a shard"
            } else {
                "not a shard"
            },
        }),
        _ => Ok(()),
    }
}

/// Every shard `1..=N` present once, each run to its end.
fn complete_shards(traces: &[ShardTrace]) -> Result<(), MergeError> {
    let mut seen: BTreeMap<usize, &str> = BTreeMap::new();
    let mut total = None;
    for trace in traces {
        let Some(shard) = &trace.shard else { continue };
        total = Some(shard.total);
        if let Some(first) = seen.insert(shard.index, &trace.name) {
            return Err(MergeError::DuplicateShard {
                index: shard.index,
                total: shard.total,
                first: first.to_owned(),
                second: trace.name.clone(),
            });
        }
        let finished = trace.finished();
        if finished != shard.scenarios {
            return Err(MergeError::Unfinished {
                path: trace.name.clone(),
                index: shard.index,
                total: shard.total,
                finished,
                assigned: shard.scenarios,
            });
        }
    }
    let Some(total) = total else { return Ok(()) };
    let missing: Vec<usize> = (1..=total).filter(|n| !seen.contains_key(n)).collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(MergeError::MissingShards { missing, total })
    }
}

fn exactly_once(traces: &[ShardTrace]) -> Result<(), MergeError> {
    let mut seen: BTreeMap<&ScenarioKey, &str> = BTreeMap::new();
    for trace in traces {
        for scenario in &trace.run.scenarios {
            if let Some(first) = seen.insert(&scenario.key, &trace.name) {
                return Err(MergeError::DuplicateScenario {
                    scenario: scenario.key.to_string(),
                    first: first.to_owned(),
                    second: trace.name.clone(),
                });
            }
        }
    }
    Ok(())
}

/// Reads, checks and combines the traces at `paths`.
pub fn read_and_combine(paths: &[PathBuf]) -> Result<MergedRun, MergeError> {
    let traces = paths
        .iter()
        .map(|p| ShardTrace::read(p))
        .collect::<Result<Vec<_>, _>>()?;
    combine(traces)
}

/// The report of a merged run, judged under `config` as of `today`.
pub fn report(config: &Config, merged: &MergedRun, today: NaiveDate) -> DriftReport {
    let mut report = judge_trace(
        &Standards::of(config, today),
        &merged.twin,
        busiest_shard_ms(&merged.shards),
    );
    report.incomplete = shortfall(&merged.shards);
    report
}

/// The run time of a merged run: that of its slowest shard, as its records tell.
pub fn busiest_shard_ms(shards: &[ShardTrace]) -> f64 {
    shards
        .iter()
        .map(|t| completeness::duration_ms(&t.run))
        .fold(0.0, f64::max)
}

/// Whether the shards' runs, together, stopped short of their plan.
pub fn shortfall(shards: &[ShardTrace]) -> Option<Incomplete> {
    completeness::of_shards(shards.iter().map(|t| (t.name.as_str(), &t.run)))
}

/// Writes the merged run as one trace (`driftgate report` reads it like any
/// twin trace): the header and the plan of all shards, then every shard's
/// records, shard by shard, then a run-end record when every shard finished.
pub fn write_trace(merged: &MergedRun, path: &Path) -> Result<(), TraceError> {
    let writer = TraceWriter::create(path, Redactor::default())?;
    writer.append(&TraceRecord::Run(merged.twin.header.clone()))?;
    let progress: Vec<(usize, Option<usize>)> = merged
        .shards
        .iter()
        .map(|t| completeness::progress(&t.run))
        .collect();
    let planned = progress.iter().try_fold(0, |sum, (_, p)| Some(sum + (*p)?));
    if let Some(scenarios) = planned {
        writer.append(&TraceRecord::Plan(RunPlan { scenarios }))?;
    }
    for scenario in merged.shards.iter().flat_map(|t| &t.run.scenarios) {
        for step in &scenario.steps {
            writer.append(&TraceRecord::Step(step.clone()))?;
        }
        if let Some(end) = &scenario.end {
            writer.append(&TraceRecord::Scenario(end.clone()))?;
        }
    }
    if let (None, Some(scenarios)) = (shortfall(&merged.shards), planned) {
        let finished_at = merged
            .shards
            .iter()
            .filter_map(|t| match &t.run.ending {
                Some(RunEnding::Finished(end)) => Some(end.finished_at.clone()),
                _ => None,
            })
            .max()
            .unwrap_or_else(crate::trace::timestamp);
        writer.append(&TraceRecord::End(RunEnd {
            finished_at,
            duration_ms: busiest_shard_ms(&merged.shards),
            scenarios,
            ran: progress.iter().map(|(ran, _)| ran).sum(),
        }))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
