//! The report model: a [`DriftReport`] and its parts, pure data the judge
//! builds and every report format reads.
//!
//! ```text
//! DriftReport { header, scenarios: [ScenarioResult { status, drift_count, … }],
//!               drifts, timing, steps, gate, limits, incomplete }
//!   .verdict()   ──▶ NoDrift | Drift | Incomplete   (.exit_code() ──▶ 0 | 1 | 4 | signal)
//!   .summary()   ──▶ counts by outcome, class and severity
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Incomplete, StepResult};
use crate::compare::Drift;
use crate::compare::policy::Gate;
use crate::drift_class::DriftClass;
use crate::drift_class::Severity;
use crate::exit;
use crate::trace::{RunHeader, ScenarioKey, ScenarioStatus};
use crate::transport::limit::LimitUsage;

/// The outcome of a run, as every report format sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriftReport {
    /// What ran against what.
    pub header: RunHeader,
    /// Wall time of the run in milliseconds.
    pub duration_ms: f64,
    /// Every scenario that ran, in the order they finished.
    pub scenarios: Vec<ScenarioResult>,
    /// Every drift found, grouped by scenario in the order the steps ran.
    pub drifts: Vec<Drift>,
    /// Timing across repeated samples and latency budgets (empty when nothing was timed).
    #[serde(default)]
    pub timing: crate::timing::TimingSection,
    /// Every step with each side's outcome and timing (for the HTML and Cucumber reports).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<StepResult>,
    /// The policy's judgement: severities, waivers, suppressed differences.
    #[serde(default)]
    pub gate: Gate,
    /// Per capped environment, how often its load caps made a request wait.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub limits: Vec<LimitUsage>,
    /// Set when the run did not run every scenario it planned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incomplete: Option<Incomplete>,
}

/// One scenario's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioResult {
    /// The scenario.
    pub scenario: ScenarioKey,
    /// Whether the scenario ran through (drift is separate).
    pub status: ScenarioStatus,
    /// Why it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Wall time of the scenario in milliseconds.
    pub duration_ms: f64,
    /// Number of drifts found in it.
    pub drift_count: usize,
}

/// The gate's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// No drift the policy fails on, and every scenario passed.
    NoDrift,
    /// At least one unwaived drift of a severity the policy fails on, or a
    /// scenario failed in both environments.
    Drift,
    /// The run did not run every scenario it planned: whatever the scenarios
    /// that ran show, the others were not judged.
    Incomplete,
}

impl Verdict {
    /// The snake_case name used in `drift.json`: `no_drift`, `drift` or `incomplete`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::NoDrift => "no_drift",
            Verdict::Drift => "drift",
            Verdict::Incomplete => "incomplete",
        }
    }

    /// The exit code of `driftgate run` for this verdict (an incomplete run
    /// a signal stopped exits with the signal's code instead: see
    /// [`DriftReport::exit_code`]).
    pub fn exit_code(self) -> u8 {
        match self {
            Verdict::NoDrift => exit::NO_DRIFT,
            Verdict::Drift => exit::DRIFT,
            Verdict::Incomplete => exit::INCOMPLETE,
        }
    }

    /// The verdict as reports headline it: `DRIFT`, `NO DRIFT`, `INCOMPLETE`.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::NoDrift => "NO DRIFT",
            Verdict::Drift => "DRIFT",
            Verdict::Incomplete => "INCOMPLETE",
        }
    }
}

/// How a scenario ends up in a report: failure wins over drift.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScenarioOutcome {
    /// Ran through on both sides, no drift.
    Passed,
    /// Ran through, with at least one drift.
    Drifted,
    /// Failed in both environments or could not run.
    Failed,
}

impl ScenarioOutcome {
    /// The lower-case name used in reports: `passed`, `drifted` or `failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            ScenarioOutcome::Passed => "passed",
            ScenarioOutcome::Drifted => "drifted",
            ScenarioOutcome::Failed => "failed",
        }
    }
}

impl ScenarioResult {
    /// How this scenario counts in the report.
    pub fn outcome(&self) -> ScenarioOutcome {
        match self.status {
            ScenarioStatus::Failed => ScenarioOutcome::Failed,
            ScenarioStatus::Passed if self.drift_count > 0 => ScenarioOutcome::Drifted,
            ScenarioStatus::Passed => ScenarioOutcome::Passed,
        }
    }
}

/// Counts over a whole report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Scenarios that ran.
    pub scenarios: usize,
    /// Scenarios that passed without drift.
    pub passed: usize,
    /// Scenarios that passed with drift.
    pub drifted: usize,
    /// Scenarios that failed.
    pub failed: usize,
    /// Drifts found in all scenarios.
    pub drifts: usize,
    /// Drifts per class; only classes that occur, in [`DriftClass`] order.
    pub by_class: BTreeMap<DriftClass, usize>,
    /// Drifts per severity; only severities that occur.
    pub by_severity: BTreeMap<Severity, usize>,
    /// Drifts a waiver waived.
    pub waived: usize,
    /// Drifts that fail the gate.
    pub failing: usize,
    /// Differences rules kept out of the drift.
    pub suppressed: usize,
}

impl DriftReport {
    /// The gate's decision for this report: incomplete whenever the run
    /// did not run every scenario, else drift or no drift.
    pub fn verdict(&self) -> Verdict {
        if self.incomplete.is_some() {
            return Verdict::Incomplete;
        }
        let failed = self
            .scenarios
            .iter()
            .any(|s| s.status == ScenarioStatus::Failed);
        let failing = self
            .drifts
            .iter()
            .enumerate()
            .any(|(i, d)| self.gate.fails(i, d));
        if failed || failing {
            Verdict::Drift
        } else {
            Verdict::NoDrift
        }
    }

    /// The exit code for this report: the verdict's, or the signal's for a
    /// run a signal stopped.
    pub fn exit_code(&self) -> u8 {
        match &self.incomplete {
            Some(incomplete) => incomplete.exit_code(),
            None => self.verdict().exit_code(),
        }
    }

    /// Scenario and drift counts.
    pub fn summary(&self) -> Summary {
        let mut summary = Summary {
            scenarios: self.scenarios.len(),
            drifts: self.drifts.len(),
            ..Summary::default()
        };
        for scenario in &self.scenarios {
            match scenario.outcome() {
                ScenarioOutcome::Passed => summary.passed += 1,
                ScenarioOutcome::Drifted => summary.drifted += 1,
                ScenarioOutcome::Failed => summary.failed += 1,
            }
        }
        for (i, drift) in self.drifts.iter().enumerate() {
            *summary.by_class.entry(drift.class).or_default() += 1;
            let mark = self.gate.mark(i, drift);
            *summary.by_severity.entry(mark.severity).or_default() += 1;
            summary.waived += usize::from(mark.waived_by.is_some());
            summary.failing += usize::from(self.gate.fails(i, drift));
        }
        summary.suppressed = self.gate.suppressed.len();
        summary
    }

    /// The drifts found in one scenario, in the order the steps ran.
    pub fn drifts_in<'a>(&'a self, scenario: &'a ScenarioKey) -> impl Iterator<Item = &'a Drift> {
        self.drifts.iter().filter(move |d| &d.scenario == scenario)
    }

    /// The drifts of one scenario with their policy marks.
    pub fn marked_drifts_in<'a>(
        &'a self,
        scenario: &'a ScenarioKey,
    ) -> impl Iterator<Item = (&'a Drift, crate::compare::policy::DriftMark)> {
        self.drifts
            .iter()
            .enumerate()
            .filter(move |(_, d)| &d.scenario == scenario)
            .map(|(i, d)| (d, self.gate.mark(i, d)))
    }
}
