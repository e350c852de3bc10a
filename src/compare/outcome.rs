//! Outcome comparison: a step that errored, was skipped, or failed an
//! assertion in one environment only.
//!
//! ```text
//! baseline  passed   [status == 201 ✓, $.status == "CREATED" ✓]
//! candidate failed   [status == 201 ✓, $.status == "CREATED" ✗ actual "PENDING"]
//! ──▶ assertion_one_side  $.status  "CREATED" → "PENDING"
//!     "assertion `$.status == "CREATED"` failed in candidate only: …"
//! ```
//!
//! Both sides failing or both erroring is a scenario failure, not drift.

use serde_json::Value;

use super::Normalizer;
use super::finding::Finding;
use crate::drift_class::DriftClass;
use crate::trace::{AssertionRecord, Observation, Side, SideStep, StepOutcome, Twin};

/// What the outcomes of a step say.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct OutcomeComparison {
    /// Drift in the outcomes themselves.
    pub(super) findings: Vec<Finding>,
    /// Whether both sides acted, so their observations can be compared.
    pub(super) observations_comparable: bool,
}

/// Compares how the step ended on each side.
pub(super) fn compare_outcomes(
    sides: &Twin<SideStep>,
    normalizer: &Normalizer,
) -> OutcomeComparison {
    let acted = |side: Side| {
        matches!(
            sides.get(side).outcome,
            StepOutcome::Passed | StepOutcome::Failed { .. }
        )
    };
    let (findings, observations_comparable) = match (acted(Side::Baseline), acted(Side::Candidate))
    {
        (true, true) => (assertion_findings(sides, normalizer), true),
        (true, false) => (broken_one_side(sides, Side::Candidate, normalizer), false),
        (false, true) => (broken_one_side(sides, Side::Baseline, normalizer), false),
        (false, false) => (Vec::new(), false),
    };
    OutcomeComparison {
        findings,
        observations_comparable,
    }
}

/// `side` errored while the other side acted. A side skipped after an
/// earlier error gives nothing: that error is already drift at its own step.
fn broken_one_side(sides: &Twin<SideStep>, side: Side, normalizer: &Normalizer) -> Vec<Finding> {
    let outcome = &sides.get(side).outcome;
    if matches!(outcome, StepOutcome::Skipped { .. }) {
        return Vec::new();
    }
    let message = normalizer.normalize_text(side, outcome.message().unwrap_or_default());
    let sentence = format!("step errored in {side} only: {message}");
    vec![Finding {
        class: DriftClass::ErrorOneSide,
        path: None,
        baseline: on_side(side, Side::Baseline, Value::String(message.clone())),
        candidate: on_side(side, Side::Candidate, Value::String(message)),
        message: sentence,
        suppressed_by: None,
    }]
}

/// Assertions that held on one side only, when exactly one side failed.
fn assertion_findings(sides: &Twin<SideStep>, normalizer: &Normalizer) -> Vec<Finding> {
    let failed_side = match (&sides.baseline.outcome, &sides.candidate.outcome) {
        (StepOutcome::Failed { .. }, StepOutcome::Passed) => Side::Baseline,
        (StepOutcome::Passed, StepOutcome::Failed { .. }) => Side::Candidate,
        _ => return Vec::new(),
    };
    let findings: Vec<Finding> = assertions(&sides.baseline)
        .zip(assertions(&sides.candidate))
        .filter(|(b, c)| b.passed != c.passed)
        .map(|(b, c)| assertion_finding(Twin::new(b, c), normalizer))
        .collect();
    if findings.is_empty() {
        vec![unpaired_failure(sides, failed_side, normalizer)]
    } else {
        findings
    }
}

fn assertions(side: &SideStep) -> impl Iterator<Item = &AssertionRecord> {
    side.observations
        .iter()
        .filter_map(|observation| match observation {
            Observation::Assertion(assertion) => Some(assertion),
            _ => None,
        })
}

/// One assertion that held on one side and not on the other.
fn assertion_finding(pair: Twin<&AssertionRecord>, normalizer: &Normalizer) -> Finding {
    let failed_side = if pair.baseline.passed {
        Side::Candidate
    } else {
        Side::Baseline
    };
    // A whole-body assertion records where it first failed on the failing
    // side; show the passing side's value at that same place.
    let failed = pair.get(failed_side);
    let path = failed
        .path
        .clone()
        .unwrap_or_else(|| failed.description.clone());
    let actual = |side: Side| {
        let record = pair.get(side);
        let value = if side == failed_side || record.path.as_deref() == Some(path.as_str()) {
            record.actual.clone()
        } else {
            record
                .actual
                .as_ref()
                .and_then(|whole| value_at(whole, &path))
        };
        value.map(|value| normalizer.normalize_value(side, &value))
    };
    let reason = pair
        .get(failed_side)
        .message
        .as_deref()
        .map(|message| format!(": {}", normalizer.normalize_text(failed_side, message)))
        .unwrap_or_default();
    let (baseline, candidate) = (actual(Side::Baseline), actual(Side::Candidate));
    Finding {
        class: DriftClass::AssertionOneSide,
        path: Some(path),
        baseline,
        candidate,
        message: format!(
            "assertion `{}` failed in {failed_side} only{reason}",
            pair.baseline.description
        ),
        suppressed_by: None,
    }
}

/// The value at a normalized JSONPath (`$.lines[0].sku`) inside `whole`.
fn value_at(whole: &Value, path: &str) -> Option<Value> {
    let path = serde_json_path::JsonPath::parse(path).ok()?;
    path.query(whole).first().cloned()
}

/// A one-sided failure with no assertion record that explains it.
fn unpaired_failure(sides: &Twin<SideStep>, failed_side: Side, normalizer: &Normalizer) -> Finding {
    let message = normalizer.normalize_text(
        failed_side,
        sides.get(failed_side).outcome.message().unwrap_or_default(),
    );
    Finding {
        class: DriftClass::AssertionOneSide,
        path: None,
        baseline: on_side(failed_side, Side::Baseline, Value::String(message.clone())),
        candidate: on_side(failed_side, Side::Candidate, Value::String(message.clone())),
        message: format!("step failed in {failed_side} only: {message}"),
        suppressed_by: None,
    }
}

/// `value` when `side` is `wanted`, nothing otherwise.
fn on_side(side: Side, wanted: Side, value: Value) -> Option<Value> {
    (side == wanted).then_some(value)
}
