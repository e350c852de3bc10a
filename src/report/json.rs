//! `drift.json`: the machine-readable report, a versioned public schema
//! documented in `docs/drift-json.md`.
//!
//! The schema is written through private view types, so the internal model
//! can change while the schema stays. A trimmed sample:
//!
//! ```json
//! {
//!   "schema": "driftgate/drift-report",
//!   "version": 1,
//!   "verdict": "drift",
//!   "exit_code": 1,
//!   "summary": {"scenarios": 3, "passed": 1, "drifted": 1, "failed": 1, "drifts": 3,
//!               "by_class": {"missing_field": 1, "extra_field": 1, "value_change": 1}},
//!   "scenarios": [{"feature": "features/order_sync.feature", "name": "Create an order and read it back",
//!                  "status": "drifted", "drifts": [{"class": "value_change", "path": "$.currency",
//!                  "baseline": "EUR", "candidate": "USD", "message": "…"}]}]
//! }
//! ```

use std::collections::BTreeMap;

use serde::{Serialize, Serializer};
use serde_json::Value;

use super::ReportError;
use crate::compare::policy::{DriftMark, WaiverStatus};
use crate::compare::{Drift, StepRef, SuppressedDrift};
use crate::drift_class::DriftClass;
use crate::drift_class::Severity;
use crate::judge::{DriftReport, ScenarioResult, Summary};
use crate::secret::Redactor;
use crate::trace::EnvironmentRef;

/// The `schema` field: names the document type.
pub const SCHEMA: &str = "driftgate/drift-report";
/// The `version` field: bumped on any removal or rename, not on additions.
pub const VERSION: u32 = 2;

/// Renders the report as pretty-printed `drift.json`, secrets redacted.
pub fn render(report: &DriftReport, redactor: &Redactor) -> Result<String, ReportError> {
    let mut json = serde_json::to_string_pretty(&ReportView::new(report))?;
    json.push('\n');
    Ok(redactor.redact(&json).into_owned())
}

#[derive(Serialize)]
struct ReportView<'a> {
    schema: &'static str,
    version: u32,
    tool_version: &'a str,
    verdict: &'static str,
    exit_code: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    incomplete: Option<IncompleteView>,
    environments: EnvironmentsView<'a>,
    started_at: &'a str,
    duration_ms: f64,
    summary: SummaryView,
    scenarios: Vec<ScenarioView<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    timing: Option<super::json_timing::TimingView<'a>>,
    policy: PolicyView,
    waivers: &'a [WaiverStatus],
    suppressed: Vec<SuppressedView<'a>>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    tenants: BTreeMap<&'a str, super::tenants::TenantSummary>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    limits: &'a [crate::transport::limit::LimitUsage],
}

/// `"incomplete": {"message": "INCOMPLETE: 606 of 2000 …", "ran": 606, "planned": 2000, "cause": "signal", "signal": "SIGINT"}`
#[derive(Serialize)]
struct IncompleteView {
    message: String,
    ran: usize,
    planned: Option<usize>,
    #[serde(flatten)]
    cause: crate::judge::IncompleteCause,
}

impl IncompleteView {
    fn new(incomplete: &crate::judge::Incomplete) -> Self {
        IncompleteView {
            message: incomplete.headline(),
            ran: incomplete.ran,
            planned: incomplete.planned,
            cause: incomplete.cause.clone(),
        }
    }
}

#[derive(Serialize)]
struct PolicyView {
    fail_on: Vec<&'static str>,
}

#[derive(Serialize)]
struct SuppressedView<'a> {
    by: &'a str,
    feature: &'a str,
    scenario: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    tenant: Option<&'a str>,
    #[serde(flatten)]
    drift: DriftView<'a>,
}

impl<'a> SuppressedView<'a> {
    fn new(suppressed: &'a SuppressedDrift) -> Self {
        SuppressedView {
            by: &suppressed.by,
            feature: &suppressed.drift.scenario.feature,
            scenario: &suppressed.drift.scenario.name,
            tenant: suppressed.drift.scenario.tenant.as_deref(),
            drift: DriftView::new(&suppressed.drift, None),
        }
    }
}

impl<'a> ReportView<'a> {
    fn new(report: &'a DriftReport) -> Self {
        let verdict = report.verdict();
        let envs = &report.header.environments;
        ReportView {
            schema: SCHEMA,
            version: VERSION,
            tool_version: &report.header.tool_version,
            verdict: verdict.as_str(),
            exit_code: report.exit_code(),
            incomplete: report.incomplete.as_ref().map(IncompleteView::new),
            environments: EnvironmentsView {
                baseline: EnvironmentView::new(&envs.baseline),
                candidate: EnvironmentView::new(&envs.candidate),
            },
            started_at: &report.header.started_at,
            duration_ms: report.duration_ms,
            summary: SummaryView::new(report.summary()),
            scenarios: report
                .scenarios
                .iter()
                .map(|s| ScenarioView::new(report, s))
                .collect(),
            timing: super::json_timing::TimingView::new(&report.timing),
            policy: PolicyView {
                fail_on: report.gate.fail_on.iter().map(|s| s.as_str()).collect(),
            },
            waivers: &report.gate.waivers,
            suppressed: report
                .gate
                .suppressed
                .iter()
                .map(SuppressedView::new)
                .collect(),
            tenants: super::tenants::by_tenant(report),
            limits: &report.limits,
        }
    }
}

#[derive(Serialize)]
struct EnvironmentsView<'a> {
    baseline: EnvironmentView<'a>,
    candidate: EnvironmentView<'a>,
}

#[derive(Serialize)]
struct EnvironmentView<'a> {
    name: &'a str,
    variables: &'a BTreeMap<String, String>,
}

impl<'a> EnvironmentView<'a> {
    fn new(env: &'a EnvironmentRef) -> Self {
        EnvironmentView {
            name: &env.name,
            variables: &env.variables,
        }
    }
}

#[derive(Serialize)]
struct SummaryView {
    scenarios: usize,
    passed: usize,
    drifted: usize,
    failed: usize,
    drifts: usize,
    #[serde(serialize_with = "class_counts")]
    by_class: BTreeMap<DriftClass, usize>,
    #[serde(serialize_with = "severity_counts")]
    by_severity: BTreeMap<Severity, usize>,
    waived: usize,
    failing: usize,
    suppressed: usize,
}

/// Severity counts keyed by the severity's name, most severe first.
fn severity_counts<S: Serializer>(
    counts: &BTreeMap<Severity, usize>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_map(counts.iter().map(|(severity, n)| (severity.as_str(), n)))
}

impl SummaryView {
    fn new(summary: Summary) -> Self {
        SummaryView {
            scenarios: summary.scenarios,
            passed: summary.passed,
            drifted: summary.drifted,
            failed: summary.failed,
            drifts: summary.drifts,
            by_class: summary.by_class,
            by_severity: summary.by_severity,
            waived: summary.waived,
            failing: summary.failing,
            suppressed: summary.suppressed,
        }
    }
}

/// Class counts keyed by the class's schema name, in [`DriftClass`] order.
fn class_counts<S: Serializer>(
    counts: &BTreeMap<DriftClass, usize>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_map(counts.iter().map(|(class, n)| (class.as_str(), n)))
}

#[derive(Serialize)]
struct ScenarioView<'a> {
    feature: &'a str,
    feature_name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule: Option<&'a str>,
    name: &'a str,
    line: usize,
    tags: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    tenant: Option<&'a str>,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
    duration_ms: f64,
    drifts: Vec<DriftView<'a>>,
}

impl<'a> ScenarioView<'a> {
    fn new(report: &'a DriftReport, result: &'a ScenarioResult) -> Self {
        let key = &result.scenario;
        ScenarioView {
            feature: &key.feature,
            feature_name: &key.feature_name,
            rule: key.rule.as_deref(),
            name: &key.name,
            line: key.line,
            tags: &key.tags,
            tenant: key.tenant.as_deref(),
            status: result.outcome().as_str(),
            message: result.message.as_deref(),
            duration_ms: result.duration_ms,
            drifts: report
                .marked_drifts_in(key)
                .map(|(drift, mark)| DriftView::new(drift, Some(mark)))
                .collect(),
        }
    }
}

#[derive(Serialize)]
struct DriftView<'a> {
    class: &'static str,
    step: StepView<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    service: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    request: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<&'a Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    candidate: Option<&'a Value>,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    severity: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    waived_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expired_waiver: Option<String>,
}

impl<'a> DriftView<'a> {
    fn new(drift: &'a Drift, mark: Option<DriftMark>) -> Self {
        let (severity, waived_by, expired_waiver) = match mark {
            Some(m) => (Some(m.severity.as_str()), m.waived_by, m.expired_waiver),
            None => (None, None, None),
        };
        DriftView {
            severity,
            waived_by,
            expired_waiver,
            class: drift.class.as_str(),
            step: StepView::new(&drift.step),
            service: drift.service.as_deref(),
            request: drift.request.as_deref(),
            path: drift.path.as_deref(),
            baseline: drift.baseline.as_ref(),
            candidate: drift.candidate.as_ref(),
            message: &drift.message,
        }
    }
}

#[derive(Serialize)]
pub(super) struct StepView<'a> {
    index: usize,
    line: usize,
    text: &'a str,
}

impl<'a> StepView<'a> {
    pub(super) fn new(step: &'a StepRef) -> Self {
        StepView {
            index: step.index,
            line: step.line,
            text: &step.text,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::report::fixture;

    fn parsed(report: &DriftReport) -> Value {
        let text = render(report, &Redactor::default()).unwrap();
        serde_json::from_str(&text).unwrap()
    }

    #[test]
    fn drift_json_snapshot() {
        let text = render(&fixture::report(), &Redactor::default()).unwrap();
        insta::assert_snapshot!(text);
    }

    #[test]
    fn document_names_schema_version_and_verdict() {
        let doc = parsed(&fixture::report());
        assert_eq!(doc["schema"], SCHEMA);
        assert_eq!(doc["version"], 2);
        assert_eq!(doc["verdict"], "drift");
        assert_eq!(doc["exit_code"], 1);
    }

    #[test]
    fn clean_report_says_no_drift_with_exit_0() {
        let mut report = fixture::report();
        report.drifts.clear();
        report.scenarios.retain(|s| s.scenario.line == 5);
        let doc = parsed(&report);
        assert_eq!(doc["verdict"], "no_drift");
        assert_eq!(doc["exit_code"], 0);
        assert_eq!(doc["summary"]["by_class"], json!({}));
    }

    #[test]
    fn absent_side_is_omitted_but_json_null_is_kept() {
        let mut report = fixture::report();
        report.drifts[1].baseline = None;
        report.drifts[1].candidate = Some(Value::Null);
        let doc = parsed(&report);
        let drift = &doc["scenarios"][0]["drifts"][1];
        assert!(drift.get("baseline").is_none(), "{drift}");
        assert_eq!(drift.get("candidate"), Some(&Value::Null), "{drift}");
    }

    #[test]
    fn documented_example_is_what_the_fixture_renders() {
        let doc = include_str!("../../docs/drift-json.md");
        let example = doc
            .split("```json\n")
            .nth(1)
            .and_then(|rest| rest.split("```").next())
            .unwrap();
        let example: Value = serde_json::from_str(example).unwrap();
        assert_eq!(example, parsed(&fixture::report()));
    }

    #[test]
    fn by_class_keeps_drift_class_order() {
        let doc = parsed(&fixture::report());
        let by_class = doc["summary"]["by_class"].as_object().unwrap();
        let keys: Vec<&str> = by_class.keys().map(String::as_str).collect();
        assert_eq!(keys, ["missing_field", "extra_field", "value_change"]);
    }
}
