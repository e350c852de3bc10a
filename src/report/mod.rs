//! The drift report — pure data built from trace records — and its renderers,
//! one module per format. Reporters read a [`DriftReport`], never the runner.

use serde::{Deserialize, Serialize};

use crate::compare::Drift;
use crate::trace::{RunHeader, ScenarioKey, ScenarioStatus};

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
    /// Both environments behaved the same and every scenario passed.
    NoDrift,
    /// At least one drift, or a scenario failed in both environments.
    Drift,
}

impl DriftReport {
    /// The gate's decision for this report.
    pub fn verdict(&self) -> Verdict {
        let failed = self
            .scenarios
            .iter()
            .any(|s| s.status == ScenarioStatus::Failed);
        if failed || !self.drifts.is_empty() {
            Verdict::Drift
        } else {
            Verdict::NoDrift
        }
    }
}

/// Writes the file reports into `dir` (interface placeholder until the renderers land).
pub fn write_all(
    report: &DriftReport,
    dir: &std::path::Path,
    redactor: &crate::config::Redactor,
) -> Result<Vec<std::path::PathBuf>, std::io::Error> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join("drift.json");
    let text = serde_json::to_string_pretty(report).map_err(std::io::Error::other)?;
    std::fs::write(&path, redactor.redact(&text).as_bytes())?;
    Ok(vec![path])
}
