//! `junit.xml`: the report for CI test dashboards. One `<testsuite>` per
//! feature file, one `<testcase>` per scenario; a drifted scenario is a
//! `<failure type="drift">` listing its drifts as the terminal does (when
//! every drift is waived or of a severity the gate passes, it is a passing
//! case listing them in `<system-out>`; a waived drift is noted
//! `[waived by ID]`), a failed
//! scenario a `<failure type="failed">`. In a run over tenants a test case
//! is named `SCENARIO [tenant NAME]`.
//!
//! ```xml
//! <testsuite name="features/order_sync.feature" tests="2" failures="2" ...>
//!     <testcase name="Create an order and read it back" classname="features/order_sync.feature" time="0.412">
//!         <failure type="drift" message="3 drifts between production (baseline) and staging (candidate)">
//!   --&gt; features/order_sync.feature:15  When I send a GET request to ...
//!       missing_field  $.quantityOnHand  baseline: 40  candidate: (absent)</failure>
//!     </testcase>
//! </testsuite>
//! ```

use std::time::Duration;

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use super::ReportError;
use super::text::{Palette, RowNote, message_lines, noted_drift_block};
use crate::judge::{DriftReport, ScenarioOutcome, ScenarioResult};
use crate::secret::Redactor;
use crate::trace::ScenarioKey;

/// Renders the report as JUnit XML, secrets redacted.
pub fn render(report: &DriftReport, redactor: &Redactor) -> Result<String, ReportError> {
    let envs = &report.header.environments;
    let mut junit = Report::new(format!(
        "driftgate {} vs {}",
        envs.baseline.name, envs.candidate.name
    ));
    junit.set_time(duration(report.duration_ms));
    if let Ok(started) = chrono::DateTime::parse_from_rfc3339(&report.header.started_at) {
        junit.set_timestamp(started);
    }
    if let Some(incomplete) = &report.incomplete {
        junit.add_test_suite(incomplete_suite(incomplete, redactor));
    }
    for (feature, scenarios) in by_feature(report) {
        junit.add_test_suite(suite(report, feature, &scenarios, redactor));
    }
    // Text is redacted before it is escaped into XML (a secret holding `&`
    // or `<` would no longer match once escaped) and the document after.
    let xml = junit.to_string()?;
    Ok(redactor.redact(&xml).into_owned())
}

/// A run that stopped short fails one test case of its own, so a CI
/// dashboard cannot show the scenarios that did run as a green run.
fn incomplete_suite(incomplete: &crate::judge::Incomplete, redactor: &Redactor) -> TestSuite {
    let mut suite = TestSuite::new("driftgate run");
    let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
    status
        .set_type("incomplete")
        .set_message(redactor.redact(&incomplete.headline()));
    suite.add_test_case(TestCase::new("every planned scenario ran", status));
    suite
}

/// Scenarios grouped by feature file, in the order files first appear.
fn by_feature(report: &DriftReport) -> Vec<(&str, Vec<&ScenarioResult>)> {
    let mut features: Vec<(&str, Vec<&ScenarioResult>)> = Vec::new();
    for result in &report.scenarios {
        let feature = result.scenario.feature.as_str();
        match features.iter_mut().find(|(f, _)| *f == feature) {
            Some((_, results)) => results.push(result),
            None => features.push((feature, vec![result])),
        }
    }
    features
}

fn suite(
    report: &DriftReport,
    feature: &str,
    scenarios: &[&ScenarioResult],
    redactor: &Redactor,
) -> TestSuite {
    let envs = &report.header.environments;
    let mut suite = TestSuite::new(redactor.redact(feature));
    suite.add_properties([
        Property::new("baseline", redactor.redact(&envs.baseline.name)),
        Property::new("candidate", redactor.redact(&envs.candidate.name)),
    ]);
    suite.set_time(duration(scenarios.iter().map(|s| s.duration_ms).sum()));
    for result in scenarios {
        suite.add_test_case(test_case(report, result, redactor));
    }
    suite
}

fn test_case(report: &DriftReport, result: &ScenarioResult, redactor: &Redactor) -> TestCase {
    let key = &result.scenario;
    let mut case = TestCase::new(
        redactor.redact(&key.title()),
        status(report, result, redactor),
    );
    case.set_classname(redactor.redact(&key.feature));
    case.set_time(duration(result.duration_ms));
    if result.outcome() == ScenarioOutcome::Drifted && !fails_gate(report, result) {
        let lines = drift_lines(report, key, redactor);
        case.set_system_out(redactor.redact(&lines.join("\n")));
    }
    case
}

/// The drift block of a scenario, each drift a waiver matched noted
/// `[waived by ID]` or `[waiver ID expired]`.
fn drift_lines(report: &DriftReport, key: &ScenarioKey, redactor: &Redactor) -> Vec<String> {
    let drifts: Vec<_> = report
        .marked_drifts_in(key)
        .map(|(drift, mark)| (drift, RowNote::of_waiver(&mark)))
        .collect();
    noted_drift_block(&drifts, &Palette::new(false), redactor)
}

/// Whether any drift of the scenario fails the gate (unwaived, of a failing severity).
fn fails_gate(report: &DriftReport, result: &ScenarioResult) -> bool {
    report
        .drifts
        .iter()
        .enumerate()
        .any(|(i, d)| d.scenario == result.scenario && report.gate.fails(i, d))
}

fn status(report: &DriftReport, result: &ScenarioResult, redactor: &Redactor) -> TestCaseStatus {
    let (kind, message) = match result.outcome() {
        ScenarioOutcome::Passed => return TestCaseStatus::success(),
        ScenarioOutcome::Drifted if !fails_gate(report, result) => {
            return TestCaseStatus::success();
        }
        ScenarioOutcome::Drifted => ("drift", drift_summary(report, result.drift_count)),
        ScenarioOutcome::Failed => (
            "failed",
            result
                .message
                .clone()
                .unwrap_or_else(|| "scenario failed".into()),
        ),
    };
    let mut lines: Vec<String> = result
        .message
        .iter()
        .flat_map(|m| message_lines(m))
        .collect();
    lines.extend(drift_lines(report, &result.scenario, redactor));
    let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
    status
        .set_type(kind)
        .set_message(redactor.redact(&message))
        .set_description(redactor.redact(&lines.join("\n")));
    status
}

/// `3 drifts between production (baseline) and staging (candidate)`
fn drift_summary(report: &DriftReport, count: usize) -> String {
    let envs = &report.header.environments;
    let noun = if count == 1 { "drift" } else { "drifts" };
    format!(
        "{count} {noun} between {} (baseline) and {} (candidate)",
        envs.baseline.name, envs.candidate.name
    )
}

/// Milliseconds as a duration; a negative or non-finite time counts as zero.
fn duration(ms: f64) -> Duration {
    Duration::try_from_secs_f64(ms / 1000.0).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture;

    fn parsed(xml: &str) -> Report {
        Report::deserialize_from_str(xml).unwrap()
    }

    #[test]
    fn junit_xml_snapshot() {
        let xml = render(&fixture::report(), &Redactor::default()).unwrap();
        insta::assert_snapshot!(xml);
    }

    #[test]
    fn one_suite_per_feature_and_one_case_per_scenario() {
        let xml = render(&fixture::report(), &Redactor::default()).unwrap();
        assert!(xml.contains(r#"tests="3""#), "{xml}");
        let junit = parsed(&xml);
        assert_eq!((junit.tests, junit.failures), (3, 2));
        let suites: Vec<(&str, usize)> = junit
            .test_suites
            .iter()
            .map(|s| (s.name.as_str(), s.tests))
            .collect();
        assert_eq!(
            suites,
            [
                ("features/order_sync.feature", 2),
                ("features/inventory.feature", 1)
            ]
        );
    }

    #[test]
    fn drifted_and_failed_scenarios_are_typed_failures() {
        let xml = render(&fixture::report(), &Redactor::default()).unwrap();
        let junit = parsed(&xml);
        let cases = &junit.test_suites[0].test_cases;
        let TestCaseStatus::NonSuccess {
            ty,
            message,
            description,
            ..
        } = &cases[0].status
        else {
            panic!("drifted scenario is not a failure: {xml}");
        };
        assert_eq!(ty.as_ref().map(|t| t.as_str()), Some("drift"));
        assert_eq!(
            message.as_ref().map(|m| m.as_str()),
            Some("3 drifts between production (baseline) and staging (candidate)")
        );
        let description = description.as_ref().map(|d| d.as_str()).unwrap_or_default();
        assert!(description.contains("missing_field"), "{description}");
        let TestCaseStatus::NonSuccess { ty, .. } = &cases[1].status else {
            panic!("failed scenario is not a failure: {xml}");
        };
        assert_eq!(ty.as_ref().map(|t| t.as_str()), Some("failed"));
        assert!(matches!(
            junit.test_suites[1].test_cases[0].status,
            TestCaseStatus::Success { .. }
        ));
    }

    #[test]
    fn a_drifted_scenario_passes_when_the_gate_does() {
        let mut report = fixture::report();
        report.gate.fail_on = vec![crate::drift_class::Severity::Info];
        let xml = render(&report, &Redactor::default()).unwrap();
        let parsed = parsed(&xml);
        let case = &parsed.test_suites[0].test_cases[0];
        assert_eq!(
            case.name.as_str(),
            "Create an order and read it back",
            "{xml}"
        );
        assert!(
            matches!(case.status, TestCaseStatus::Success { .. }),
            "{xml}"
        );
        assert!(xml.contains("system-out"), "{xml}");
    }

    #[test]
    fn durations_become_seconds_and_bad_ones_zero() {
        let cases = [
            (412.5, Duration::from_micros(412_500)),
            (-1.0, Duration::ZERO),
            (f64::NAN, Duration::ZERO),
        ];
        for (ms, expected) in cases {
            assert_eq!(duration(ms), expected, "{ms}");
        }
    }
}
