//! Drift indicators for dashboards: the counts of a run in the Prometheus
//! text exposition format (for node_exporter's textfile collector or a
//! Pushgateway) and as JSON, so teams can chart drift per release over time.
//! A pure function of the [`DriftReport`]; `--metrics FILE.prom` and
//! `--metrics-json FILE` of `run`, `merge`, `report` and `compare` write them.
//!
//! ```text
//! # HELP driftgate_drifts Drift found in the run (waived drift included), by class, severity, service and tenant.
//! # TYPE driftgate_drifts gauge
//! driftgate_drifts{baseline="production",candidate="staging",class="value_change",severity="error",service="erp",tenant="acme"} 2
//! # HELP driftgate_scenarios Scenarios of the run by how they ended.
//! # TYPE driftgate_scenarios gauge
//! driftgate_scenarios{baseline="production",candidate="staging",status="passed"} 11
//! ```
//!
//! Every sample carries the environment names (`baseline`, `candidate`);
//! `service` and `tenant` are empty when a drift has none. Every value is a
//! gauge: it describes the last run, and a textfile collector replaces the
//! file on every run.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::ReportError;
use crate::compare::Drift;
use crate::judge::{DriftReport, ScenarioOutcome};
use crate::timing::TimingVerdict;
use crate::trace::ScenarioKey;

/// Version of the JSON metrics document.
pub const METRICS_FORMAT: u32 = 1;

/// The indicators of one run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metrics {
    /// [`METRICS_FORMAT`].
    pub format: u32,
    /// What ran, when, and the gate's decision.
    pub run: RunInfo,
    /// Scenarios by how they ended: `passed`, `drifted`, `failed`.
    pub scenarios: BTreeMap<&'static str, usize>,
    /// Totals over the whole run.
    pub totals: Totals,
    /// Drift by class, severity, service and tenant.
    pub drifts: Vec<DriftCount>,
    /// Differences rules suppressed, by class, service and tenant.
    pub suppressed: Vec<SuppressedCount>,
    /// Timed steps (`--samples`) by the judge's verdict: `slower`, `faster`, `same`, `inconclusive`.
    pub timed_steps: BTreeMap<&'static str, usize>,
}

/// The run a set of indicators describes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunInfo {
    /// Baseline environment name.
    pub baseline: String,
    /// Candidate environment name.
    pub candidate: String,
    /// driftgate's version.
    pub tool_version: String,
    /// When the run started (RFC 3339).
    pub started_at: String,
    /// Wall time of the run.
    pub duration_seconds: f64,
    /// `no_drift`, `drift` or `incomplete`.
    pub verdict: &'static str,
    /// The exit code the gate gives.
    pub exit_code: u8,
}

/// Totals of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Scenarios that ran.
    pub scenarios: usize,
    /// Drift found, waived included.
    pub drifts: usize,
    /// Drift that fails the gate.
    pub failing: usize,
    /// Drift an active waiver waived.
    pub waived: usize,
    /// Differences rules kept out of the drift.
    pub suppressed: usize,
    /// Timed steps with too few samples to judge.
    pub inconclusive_timings: usize,
}

/// Drift of one class, severity, service and tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DriftCount {
    /// Drift class, e.g. `value_change`.
    pub class: &'static str,
    /// `error`, `warning` or `info`.
    pub severity: &'static str,
    /// Service, empty when the drift has none.
    pub service: String,
    /// Tenant, empty when there is none.
    pub tenant: String,
    /// Drift found.
    pub count: usize,
    /// Of which fail the gate.
    pub failing: usize,
    /// Of which a waiver waived.
    pub waived: usize,
}

/// Suppressed differences of one class, service and tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SuppressedCount {
    /// Drift class the difference would have had.
    pub class: &'static str,
    /// Service, empty when none.
    pub service: String,
    /// Tenant, empty when none.
    pub tenant: String,
    /// Differences suppressed.
    pub count: usize,
}

/// The tenant a scenario ran for: its tenant in a tenant matrix, else the
/// `tenant` variable of the candidate environment (else the baseline's),
/// empty when neither declares one.
pub fn tenant_of(report: &DriftReport, scenario: &ScenarioKey) -> String {
    if let Some(tenant) = &scenario.tenant {
        return tenant.clone();
    }
    let envs = &report.header.environments;
    envs.candidate
        .variables
        .get("tenant")
        .or_else(|| envs.baseline.variables.get("tenant"))
        .cloned()
        .unwrap_or_default()
}

/// Counts the indicators of a report.
pub fn collect(report: &DriftReport) -> Metrics {
    let verdict = report.verdict();
    let mut scenarios: BTreeMap<&'static str, usize> = [
        ScenarioOutcome::Passed,
        ScenarioOutcome::Drifted,
        ScenarioOutcome::Failed,
    ]
    .into_iter()
    .map(|o| (o.as_str(), 0))
    .collect();
    for scenario in &report.scenarios {
        *scenarios.entry(scenario.outcome().as_str()).or_default() += 1;
    }
    let drifts = drift_counts(report);
    let suppressed = suppressed_counts(report);
    let timed_steps = timed_steps(report);
    let totals = Totals {
        scenarios: report.scenarios.len(),
        drifts: report.drifts.len(),
        failing: drifts.iter().map(|d| d.failing).sum(),
        waived: drifts.iter().map(|d| d.waived).sum(),
        suppressed: report.gate.suppressed.len(),
        inconclusive_timings: timed_steps.get("inconclusive").copied().unwrap_or(0),
    };
    Metrics {
        format: METRICS_FORMAT,
        run: RunInfo {
            baseline: report.header.environments.baseline.name.clone(),
            candidate: report.header.environments.candidate.name.clone(),
            tool_version: report.header.tool_version.clone(),
            started_at: report.header.started_at.clone(),
            duration_seconds: report.duration_ms / 1000.0,
            verdict: verdict.as_str(),
            exit_code: report.exit_code(),
        },
        scenarios,
        totals,
        drifts,
        suppressed,
        timed_steps,
    }
}

/// Class, severity, service, tenant.
type DriftLabels = (&'static str, &'static str, String, String);

/// A family of per-drift-group gauges: name, help, and the count it shows.
type DriftFamily = (&'static str, &'static str, fn(&DriftCount) -> usize);

fn drift_counts(report: &DriftReport) -> Vec<DriftCount> {
    let mut counts: BTreeMap<DriftLabels, (usize, usize, usize)> = BTreeMap::new();
    for (i, drift) in report.drifts.iter().enumerate() {
        let mark = report.gate.mark(i, drift);
        let key = (
            drift.class.as_str(),
            mark.severity.as_str(),
            service_of(drift),
            tenant_of(report, &drift.scenario),
        );
        let entry = counts.entry(key).or_default();
        entry.0 += 1;
        entry.1 += usize::from(report.gate.fails(i, drift));
        entry.2 += usize::from(mark.waived_by.is_some());
    }
    counts
        .into_iter()
        .map(
            |((class, severity, service, tenant), (count, failing, waived))| DriftCount {
                class,
                severity,
                service,
                tenant,
                count,
                failing,
                waived,
            },
        )
        .collect()
}

fn suppressed_counts(report: &DriftReport) -> Vec<SuppressedCount> {
    let mut counts: BTreeMap<(&'static str, String, String), usize> = BTreeMap::new();
    for suppressed in &report.gate.suppressed {
        let drift = &suppressed.drift;
        *counts
            .entry((
                drift.class.as_str(),
                service_of(drift),
                tenant_of(report, &drift.scenario),
            ))
            .or_default() += 1;
    }
    counts
        .into_iter()
        .map(|((class, service, tenant), count)| SuppressedCount {
            class,
            service,
            tenant,
            count,
        })
        .collect()
}

fn timed_steps(report: &DriftReport) -> BTreeMap<&'static str, usize> {
    let mut counts: BTreeMap<&'static str, usize> = [
        TimingVerdict::Slower,
        TimingVerdict::Faster,
        TimingVerdict::Same,
        TimingVerdict::Inconclusive,
    ]
    .into_iter()
    .map(|v| (v.as_str(), 0))
    .collect();
    for step in &report.timing.steps {
        *counts.entry(step.judgement.verdict.as_str()).or_default() += 1;
    }
    counts
}

fn service_of(drift: &Drift) -> String {
    drift.service.clone().unwrap_or_default()
}

/// The indicators as a JSON document.
pub fn render_json(report: &DriftReport) -> Result<String, ReportError> {
    let mut text = serde_json::to_string_pretty(&collect(report))?;
    text.push('\n');
    Ok(text)
}

/// The indicators in the Prometheus text exposition format (version 0.0.4).
pub fn render_prometheus(report: &DriftReport) -> String {
    let m = collect(report);
    let envs = [
        ("baseline", m.run.baseline.as_str()),
        ("candidate", m.run.candidate.as_str()),
    ];
    let mut out = Exposition::default();
    out.family(
        "driftgate_run_info",
        "A driftgate run: the environments compared, the version, the gate's verdict (always 1).",
    );
    out.sample(
        "driftgate_run_info",
        &[
            envs[0],
            envs[1],
            ("tool_version", &m.run.tool_version),
            ("verdict", m.run.verdict),
        ],
        1.0,
    );
    let run_gauges: [(&str, &str, f64); 3] = [
        (
            "driftgate_run_exit_code",
            "The exit code the gate gave the pipeline (0 no drift, 1 drift).",
            f64::from(m.run.exit_code),
        ),
        (
            "driftgate_run_duration_seconds",
            "Wall time of the run.",
            m.run.duration_seconds,
        ),
        (
            "driftgate_run_start_time_seconds",
            "When the run started, in seconds since the Unix epoch.",
            start_seconds(&m.run.started_at),
        ),
    ];
    for (name, help, value) in run_gauges {
        out.family(name, help);
        out.sample(name, &envs, value);
    }
    out.family(
        "driftgate_scenarios",
        "Scenarios of the run by how they ended.",
    );
    for (status, count) in &m.scenarios {
        out.sample(
            "driftgate_scenarios",
            &[envs[0], envs[1], ("status", status)],
            *count as f64,
        );
    }
    drift_families(&mut out, &m, envs);
    out.family(
        "driftgate_differences_suppressed",
        "Differences comparison rules kept out of the drift, by class, service and tenant.",
    );
    for s in &m.suppressed {
        let labels = [
            envs[0],
            envs[1],
            ("class", s.class),
            ("service", &s.service),
            ("tenant", &s.tenant),
        ];
        out.sample("driftgate_differences_suppressed", &labels, s.count as f64);
    }
    out.family(
        "driftgate_timed_steps",
        "Steps timed over repeated samples, by the judge's verdict (inconclusive: too few samples).",
    );
    for (verdict, count) in &m.timed_steps {
        out.sample(
            "driftgate_timed_steps",
            &[envs[0], envs[1], ("verdict", verdict)],
            *count as f64,
        );
    }
    out.text
}

fn drift_families(out: &mut Exposition, m: &Metrics, envs: [(&str, &str); 2]) {
    let families: [DriftFamily; 3] = [
        (
            "driftgate_drifts",
            "Drift found in the run (waived drift included), by class, severity, service and tenant.",
            |d| d.count,
        ),
        (
            "driftgate_drifts_failing",
            "Drift that fails the gate: unwaived, of a severity the policy fails on.",
            |d| d.failing,
        ),
        (
            "driftgate_drifts_waived",
            "Drift an active waiver waived.",
            |d| d.waived,
        ),
    ];
    for (name, help, value) in families {
        out.family(name, help);
        for d in &m.drifts {
            let labels = [
                envs[0],
                envs[1],
                ("class", d.class),
                ("severity", d.severity),
                ("service", &d.service),
                ("tenant", &d.tenant),
            ];
            out.sample(name, &labels, value(d) as f64);
        }
    }
}

fn start_seconds(started_at: &str) -> f64 {
    chrono::DateTime::parse_from_rfc3339(started_at)
        .map(|t| t.timestamp_millis() as f64 / 1000.0)
        .unwrap_or(0.0)
}

/// Text in the exposition format, built family by family.
#[derive(Default)]
struct Exposition {
    text: String,
}

impl Exposition {
    fn family(&mut self, name: &str, help: &str) {
        let _ = writeln!(self.text, "# HELP {name} {}", escape_help(help));
        let _ = writeln!(self.text, "# TYPE {name} gauge");
    }

    fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: f64) {
        let labels: Vec<String> = labels
            .iter()
            .map(|(k, v)| format!("{k}=\"{}\"", escape_label(v)))
            .collect();
        let _ = writeln!(
            self.text,
            "{name}{{{}}} {}",
            labels.join(","),
            number(value)
        );
    }
}

fn escape_help(text: &str) -> String {
    text.replace('\\', r"\\").replace('\n', r"\n")
}

fn escape_label(text: &str) -> String {
    text.replace('\\', r"\\")
        .replace('"', "\\\"")
        .replace('\n', r"\n")
}

fn number(value: f64) -> String {
    if value.is_nan() {
        "NaN".into()
    } else if value.is_infinite() {
        if value > 0.0 { "+Inf" } else { "-Inf" }.into()
    } else {
        format!("{value}")
    }
}

/// Writes the Prometheus text to `prometheus` and the JSON to `json` (either
/// optional). Each file is written next to its place and renamed over it, so
/// a textfile collector never reads half a file. Returns the paths written.
pub fn write(
    report: &DriftReport,
    prometheus: Option<&Path>,
    json: Option<&Path>,
) -> Result<Vec<PathBuf>, ReportError> {
    let mut written = Vec::new();
    if let Some(path) = prometheus {
        write_atomically(path, &render_prometheus(report))?;
        written.push(path.to_path_buf());
    }
    if let Some(path) = json {
        write_atomically(path, &render_json(report)?)?;
        written.push(path.to_path_buf());
    }
    Ok(written)
}

fn write_atomically(path: &Path, text: &str) -> Result<(), ReportError> {
    let io = |source| ReportError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(format!(".{}.tmp", std::process::id()));
    let temporary = PathBuf::from(temporary);
    std::fs::write(&temporary, text).map_err(io)?;
    std::fs::rename(&temporary, path).map_err(|e| {
        let _ = std::fs::remove_file(&temporary);
        io(e)
    })
}

#[cfg(test)]
mod tests;
