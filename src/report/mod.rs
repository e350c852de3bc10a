//! The drift report — pure data built from trace records — and its renderers,
//! one module per format. Reporters read a [`DriftReport`], never the runner.
//!
//! - [`terminal`]: the human report printed at the end of `driftgate run`;
//! - [`json`]: `drift.json`, the versioned public schema (see `docs/drift-json.md`);
//! - [`junit`]: `junit.xml`, one test case per scenario;
//! - [`html`]: `report.html`, one self-contained page for a browser;
//! - [`markdown`]: `summary.md` for `$GITHUB_STEP_SUMMARY` or a merge request;
//! - [`cucumber_json`]: `cucumber.json` for the Cucumber reporting ecosystem;
//! - [`metrics`]: drift indicators for dashboards (Prometheus text, JSON).
//!
//! Every renderer takes the run's [`Redactor`], so no secret reaches a report.
//! [`write_all`] writes the file reports into a folder:
//!
//! ```text
//! reports/drift.json
//! reports/junit.xml
//! reports/report.html
//! reports/summary.md
//! reports/cucumber.json
//! ```

pub mod cucumber_json;
pub mod html;
mod incomplete;
pub mod json;
mod json_timing;
pub mod junit;
mod limits;
pub mod markdown;
pub mod metrics;
pub mod steps;
pub mod tenants;
pub mod terminal;
mod text;
mod timing_text;

#[cfg(test)]
mod fixture;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::compare::policy::{Gate, Severity};
use crate::compare::{Drift, DriftClass};
use crate::config::Redactor;
use crate::exit;
use crate::trace::{RunHeader, ScenarioKey, ScenarioStatus};
pub use incomplete::{Incomplete, IncompleteCause};
pub use limits::{LimitUsage, limit_lines};
pub use steps::{ExchangeResult, SideResult, StepResult};

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

/// A report that could not be produced or written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The drift JSON could not be serialised.
    #[error("cannot serialise drift.json: {0}")]
    Json(#[from] serde_json::Error),
    /// The JUnit XML could not be serialised.
    #[error("cannot serialise junit.xml: {0}")]
    Junit(#[from] quick_junit::SerializeError),
    /// The HTML report could not be rendered.
    #[error("cannot render report.html: {0}")]
    Html(String),
    /// The report folder or file could not be written.
    #[error("cannot write report {path}: {source}")]
    Io {
        /// The folder or file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// File name of the JSON report inside the report folder.
pub const DRIFT_JSON: &str = "drift.json";
/// File name of the JUnit report inside the report folder.
pub const JUNIT_XML: &str = "junit.xml";
/// File name of the HTML report inside the report folder.
pub const REPORT_HTML: &str = "report.html";
/// File name of the Markdown summary inside the report folder.
pub const SUMMARY_MD: &str = "summary.md";
/// File name of the Cucumber JSON report inside the report folder.
pub const CUCUMBER_JSON: &str = "cucumber.json";

type FileRenderer = fn(&DriftReport, &Redactor) -> Result<String, ReportError>;

/// Writes `drift.json`, `junit.xml`, `report.html`, `summary.md` and
/// `cucumber.json` into `dir`, creating it.
///
/// A report that fails does not stop the others: every file is tried, and the
/// first error is returned (later ones are logged). On success, returns the
/// paths written, in the order above.
pub fn write_all(
    report: &DriftReport,
    dir: &Path,
    redactor: &Redactor,
) -> Result<Vec<PathBuf>, ReportError> {
    let mut errors = Vec::new();
    if let Err(source) = std::fs::create_dir_all(dir) {
        errors.push(ReportError::Io {
            path: dir.to_path_buf(),
            source,
        });
    }
    let files: [(&str, FileRenderer); 5] = [
        (DRIFT_JSON, json::render),
        (JUNIT_XML, junit::render),
        (REPORT_HTML, html::render),
        (SUMMARY_MD, markdown::render),
        (CUCUMBER_JSON, cucumber_json::render),
    ];
    let mut written = Vec::new();
    for (name, render) in files {
        let path = dir.join(name);
        match render(report, redactor).and_then(|text| write_file(&path, &text)) {
            Ok(()) => written.push(path),
            Err(error) => errors.push(error),
        }
    }
    let mut errors = errors.into_iter();
    match errors.next() {
        None => Ok(written),
        Some(first) => {
            for later in errors {
                tracing::warn!("{later}");
            }
            Err(first)
        }
    }
}

fn write_file(path: &Path, text: &str) -> Result<(), ReportError> {
    std::fs::write(path, text).map_err(|source| ReportError::Io {
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests;

/// The steps, drifts and suppressed differences of each scenario, indexed
/// once, so renderers stay linear in the number of scenarios.
#[derive(Debug, Default)]
pub struct ScenarioIndex<'a> {
    steps: std::collections::HashMap<&'a ScenarioKey, Vec<&'a StepResult>>,
    drifts: std::collections::HashMap<&'a ScenarioKey, Vec<(usize, &'a Drift)>>,
    suppressed: std::collections::HashMap<
        &'a ScenarioKey,
        Vec<(usize, &'a crate::compare::SuppressedDrift)>,
    >,
}

impl<'a> ScenarioIndex<'a> {
    /// Indexes `report` by scenario, keeping each list in report order.
    pub fn of(report: &'a DriftReport) -> ScenarioIndex<'a> {
        let mut index = ScenarioIndex::default();
        for step in &report.steps {
            index.steps.entry(&step.scenario).or_default().push(step);
        }
        for (i, drift) in report.drifts.iter().enumerate() {
            index
                .drifts
                .entry(&drift.scenario)
                .or_default()
                .push((i, drift));
        }
        for (i, s) in report.gate.suppressed.iter().enumerate() {
            index
                .suppressed
                .entry(&s.drift.scenario)
                .or_default()
                .push((i, s));
        }
        index
    }

    /// The scenario's steps.
    pub fn steps(&self, key: &ScenarioKey) -> &[&'a StepResult] {
        self.steps.get(key).map_or(&[], Vec::as_slice)
    }

    /// The scenario's drifts with their position in the report.
    pub fn drifts(&self, key: &ScenarioKey) -> &[(usize, &'a Drift)] {
        self.drifts.get(key).map_or(&[], Vec::as_slice)
    }

    /// The scenario's suppressed differences with their position in the report.
    pub fn suppressed(&self, key: &ScenarioKey) -> &[(usize, &'a crate::compare::SuppressedDrift)] {
        self.suppressed.get(key).map_or(&[], Vec::as_slice)
    }
}
