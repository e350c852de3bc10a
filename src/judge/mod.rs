//! The judge: the one place a verdict is made. It turns trace records, the
//! comparison rules, the policy, waivers and today's date ([`Standards`])
//! into the [`DriftReport`] — the model every report format reads.
//!
//! Records stream in: the live run hands the [`JudgeSink`] each record as
//! the trace writer gets it; `driftgate report`, `compare`, `merge` and
//! `run --baseline-trace` feed the same [`Judge`] the records of stored
//! traces through [`judge_trace`]. A scenario is judged when its end record
//! arrives, from its own step records, which are then dropped: the judge
//! keeps compact per-scenario results, so memory is bounded by the largest
//! scenario, not by the suite.
//!
//! ```text
//! step, step, …, scenario end ──▶ drift and suppressed differences,
//!   step results, timed exchanges, latency budgets     (per scenario)
//! finish ──▶ repetitions folded, timing judged, policy and waivers
//!   applied, everything in feature, line and step order ──▶ DriftReport
//! ```

mod assemble;
mod fold;
mod incomplete;
mod model;
mod scenario;
pub mod steps;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::NaiveDate;

use crate::compare::RuleSet;
use crate::compare::traces::{Presence, TwinTrace, presence_drift};
use crate::config::Config;
use crate::config::policy::PolicySpec;
use crate::config::timing::TimingPolicy;
use crate::config::waiver::WaiverSpec;
use crate::trace::{
    RecordSink, RunHeader, ScenarioKey, ScenarioStatus, StepRecord, TraceError, TraceRecord,
};
use assemble::Judged;

pub use incomplete::{Incomplete, IncompleteCause};
pub use model::{DriftReport, ScenarioOutcome, ScenarioResult, Summary, Verdict};
pub use steps::{ExchangeResult, SideResult, StepResult};

/// What records are judged by: the comparison rules (compiled), the timing
/// policy, the gate policy, the waivers, and the day waiver expiry is
/// judged on.
#[derive(Debug, Clone)]
pub struct Standards {
    /// `[compare]` rules and learned noise, compiled.
    pub rules: RuleSet,
    /// `[timing]`.
    pub timing: TimingPolicy,
    /// `[policy]`.
    pub policy: PolicySpec,
    /// `[[waivers]]` (and those of `[policy] waivers_file`).
    pub waivers: Vec<WaiverSpec>,
    /// The day waiver expiry is judged against.
    pub today: NaiveDate,
}

impl Standards {
    /// The standards of `config`, as of `today`.
    pub fn of(config: &Config, today: NaiveDate) -> Standards {
        Standards {
            rules: RuleSet::compile(&config.compare),
            timing: config.timing,
            policy: config.policy.clone(),
            waivers: config.waivers.clone(),
            today,
        }
    }
}

/// The streaming judge of one run: fed records in the order they were
/// written, it judges each scenario when the scenario's end record arrives.
#[derive(Debug)]
pub struct Judge {
    header: RunHeader,
    standards: Standards,
    open: HashMap<ScenarioKey, Vec<StepRecord>>,
    judged: Judged,
}

impl Judge {
    /// A judge of the run described by `header` (the header a report shows
    /// and the environments and tenants its scenarios are judged with).
    pub fn new(header: RunHeader, standards: Standards) -> Judge {
        Judge {
            header,
            standards,
            open: HashMap::new(),
            judged: Judged::default(),
        }
    }

    /// Takes the next record, as the live run's sinks see it (a copy is kept
    /// until its scenario ends); see [`Judge::take`].
    pub fn record(&mut self, record: &TraceRecord) {
        self.take(record.clone());
    }

    /// Takes the next record, owned. Steps wait for their scenario's end
    /// record; a scenario that never ends (its run was stopped or killed) is
    /// never judged. Run, plan, shard and run-end records say nothing about drift.
    pub fn take(&mut self, record: TraceRecord) {
        match record {
            TraceRecord::Step(step) => self
                .open
                .entry(step.scenario.clone())
                .or_default()
                .push(step),
            TraceRecord::Scenario(end) => {
                let steps = self.open.remove(&end.scenario).unwrap_or_default();
                scenario::judge(&self.header, &self.standards.rules, &steps, &end)
                    .into(&mut self.judged);
            }
            TraceRecord::Run(_)
            | TraceRecord::Shard(_)
            | TraceRecord::Plan(_)
            | TraceRecord::End(_)
            | TraceRecord::Interrupted(_) => {}
        }
    }

    /// Scenario runs judged so far.
    pub fn ended(&self) -> usize {
        self.judged.scenarios.len()
    }

    /// Drifts found so far (repetitions not yet folded, timing not yet judged).
    pub fn drifts(&self) -> usize {
        self.judged.drifts.len()
    }

    /// The report of everything judged so far, for a run that took
    /// `duration_ms`; the judge is left empty.
    pub fn finish(&mut self, duration_ms: f64) -> DriftReport {
        self.open.clear();
        assemble::report(
            self.header.clone(),
            std::mem::take(&mut self.judged),
            duration_ms,
            &self.standards,
        )
    }

    /// A scenario that only one of two paired traces ran: drift of its own.
    fn one_sided(&mut self, key: &ScenarioKey, presence: Presence, duration_ms: f64) {
        let Some(drift) = presence_drift(key, presence) else {
            return;
        };
        self.judged.scenarios.push(ScenarioResult {
            scenario: key.clone(),
            status: ScenarioStatus::Passed,
            message: None,
            duration_ms,
            drift_count: 1,
        });
        self.judged.drifts.push(drift);
    }
}

/// The judge of a live run as one of its record sinks, beside the trace writer.
#[derive(Debug)]
pub struct JudgeSink(Mutex<Judge>);

impl JudgeSink {
    /// Feeds `judge` the run's records.
    pub fn new(judge: Judge) -> JudgeSink {
        JudgeSink(Mutex::new(judge))
    }

    /// Scenario runs judged so far.
    pub fn ended(&self) -> usize {
        self.lock().ended()
    }

    /// Drifts found so far (see [`Judge::drifts`]).
    pub fn drifts(&self) -> usize {
        self.lock().drifts()
    }

    /// The report of the run (see [`Judge::finish`]).
    pub fn finish(&self, duration_ms: f64) -> DriftReport {
        self.lock().finish(duration_ms)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Judge> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl RecordSink for JudgeSink {
    fn append(&self, record: &TraceRecord) -> Result<(), TraceError> {
        self.lock().record(record);
        Ok(())
    }
}

/// The report of stored traces, paired or read back into one twin trace
/// (`driftgate report`, `compare`, `merge`, `run --baseline-trace`): every
/// scenario both sides ran is fed to a [`Judge`] as the records a live run
/// would have written, in the order its scenarios ended.
pub fn judge_trace(standards: &Standards, twin: &TwinTrace, duration_ms: f64) -> DriftReport {
    let mut judge = Judge::new(twin.header.clone(), standards.clone());
    for scenario in &twin.scenarios {
        match scenario.presence {
            Presence::Both => scenario.records().for_each(|r| judge.take(r)),
            presence => judge.one_sided(&scenario.key, presence, scenario.duration_ms),
        }
    }
    judge.finish(duration_ms)
}
