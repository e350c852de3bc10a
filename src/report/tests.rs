//! Tests of the report model, of [`write_all`], and of redaction across every format.

use super::*;
use crate::drift_class::DriftClass;
use crate::exit;
use crate::judge::*;
use crate::report::fixture;
use crate::trace::ScenarioStatus;

#[test]
fn summary_counts_scenarios_by_outcome_and_drifts_by_class() {
    let summary = fixture::report().summary();
    assert_eq!(
        (
            summary.scenarios,
            summary.passed,
            summary.drifted,
            summary.failed,
            summary.drifts
        ),
        (3, 1, 1, 1, 3)
    );
    let by_class: Vec<(DriftClass, usize)> = summary.by_class.into_iter().collect();
    assert_eq!(
        by_class,
        [
            (DriftClass::MissingField, 1),
            (DriftClass::ExtraField, 1),
            (DriftClass::ValueChange, 1)
        ]
    );
}

#[test]
fn outcome_puts_failure_before_drift() {
    let cases = [
        (ScenarioStatus::Passed, 0, ScenarioOutcome::Passed),
        (ScenarioStatus::Passed, 2, ScenarioOutcome::Drifted),
        (ScenarioStatus::Failed, 0, ScenarioOutcome::Failed),
        (ScenarioStatus::Failed, 2, ScenarioOutcome::Failed),
    ];
    let mut result = fixture::report().scenarios[0].clone();
    for (status, drift_count, expected) in cases {
        result.status = status;
        result.drift_count = drift_count;
        assert_eq!(
            result.outcome(),
            expected,
            "{status:?} with {drift_count} drifts"
        );
    }
}

#[test]
fn verdict_maps_to_its_exit_code() {
    assert_eq!(Verdict::Drift.exit_code(), exit::DRIFT);
    assert_eq!(Verdict::NoDrift.exit_code(), exit::NO_DRIFT);
    assert_eq!(Verdict::Incomplete.exit_code(), exit::INCOMPLETE);
}

#[test]
fn an_incomplete_run_says_so_in_every_format() {
    let mut report = fixture::report();
    report.drifts.clear();
    report.scenarios.retain(|s| s.scenario.line == 5);
    assert_eq!(report.verdict(), Verdict::NoDrift);
    report.incomplete = Some(Incomplete {
        ran: 606,
        planned: Some(2000),
        cause: IncompleteCause::Signal {
            signal: crate::trace::Signal::Terminate,
        },
    });
    assert_eq!(report.verdict(), Verdict::Incomplete);
    assert_eq!(report.exit_code(), exit::TERMINATED);
    let redactor = Redactor::default();
    let outputs = [
        ("terminal", terminal::render(&report, false, &redactor)),
        ("drift.json", json::render(&report, &redactor).unwrap()),
        ("junit.xml", junit::render(&report, &redactor).unwrap()),
        ("report.html", html::render(&report, &redactor).unwrap()),
        ("summary.md", markdown::render(&report, &redactor).unwrap()),
        (
            "cucumber.json",
            cucumber_json::render(&report, &redactor).unwrap(),
        ),
    ];
    for (name, text) in outputs {
        assert!(
            text.contains("INCOMPLETE: 606 of 2000 scenarios ran (interrupted by SIGTERM)"),
            "{name} does not say the run is incomplete:\n{text}"
        );
        assert!(
            !text.contains("verdict: no drift") && !text.contains("NO DRIFT"),
            "{name}:\n{text}"
        );
    }
    let doc: serde_json::Value =
        serde_json::from_str(&json::render(&report, &redactor).unwrap()).unwrap();
    assert_eq!(doc["verdict"], "incomplete");
    assert_eq!(doc["exit_code"], 143);
    assert_eq!(doc["incomplete"]["ran"], 606);
    assert_eq!(doc["incomplete"]["signal"], "SIGTERM");
}

#[test]
fn registered_secret_appears_in_no_format() {
    let report = fixture::report_with_secret();
    let redactor = Redactor::default();
    redactor.add(fixture::SECRET);
    let outputs = [
        ("terminal", terminal::render(&report, false, &redactor)),
        (
            "terminal (color)",
            terminal::render(&report, true, &redactor),
        ),
        ("json", json::render(&report, &redactor).unwrap()),
        ("junit", junit::render(&report, &redactor).unwrap()),
        ("html", html::render(&report, &redactor).unwrap()),
        ("markdown", markdown::render(&report, &redactor).unwrap()),
        (
            "cucumber json",
            cucumber_json::render(&report, &redactor).unwrap(),
        ),
    ];
    for (format, out) in outputs {
        assert!(
            !out.contains(&fixture::SECRET[..8]),
            "{format} leaks the secret:\n{out}"
        );
        assert!(out.contains("***"), "{format} shows no redaction:\n{out}");
    }
}

#[test]
fn write_all_writes_every_file_into_a_new_folder() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("reports/run-1");
    let written = write_all(&fixture::report(), &target, &Redactor::default()).unwrap();
    assert_eq!(
        written,
        [
            DRIFT_JSON,
            JUNIT_XML,
            REPORT_HTML,
            SUMMARY_MD,
            CUCUMBER_JSON
        ]
        .map(|f| target.join(f))
    );
    let json = std::fs::read_to_string(&written[0]).unwrap();
    assert!(
        json.contains("\"schema\": \"driftgate/drift-report\""),
        "{json}"
    );
    let xml = std::fs::read_to_string(&written[1]).unwrap();
    assert!(xml.contains("<testsuites"), "{xml}");
}

#[test]
fn write_all_keeps_writing_after_a_failure_and_returns_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(DRIFT_JSON)).unwrap();
    let error = write_all(&fixture::report(), dir.path(), &Redactor::default()).unwrap_err();
    assert!(
        matches!(&error, ReportError::Io { path, .. } if path.ends_with(DRIFT_JSON)),
        "{error}"
    );
    assert!(dir.path().join(JUNIT_XML).is_file());
}
