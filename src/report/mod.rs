//! The renderers of the drift report, one module per format. Each reads a
//! [`DriftReport`] (built by [`crate::judge`]), never the runner.
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
pub mod json;
mod json_timing;
pub mod junit;
mod limits;
pub mod markdown;
pub mod metrics;
pub mod tenants;
pub mod terminal;
mod text;
mod timing_text;

#[cfg(test)]
mod fixture;

use std::path::{Path, PathBuf};

use crate::compare::Drift;
use crate::judge::{DriftReport, StepResult};
use crate::secret::Redactor;
use crate::trace::ScenarioKey;
pub use limits::limit_lines;

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
