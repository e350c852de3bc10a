//! Errors and assertion failures in one environment only.

use super::*;

fn assertion(description: &str, passed: bool, actual: Value) -> Observation {
    Observation::Assertion(AssertionRecord {
        description: description.to_owned(),
        passed,
        path: description.starts_with('$').then(|| "$.state".to_owned()),
        actual: Some(actual),
        message: (!passed).then(|| "expected \"NEW\"".to_owned()),
    })
}

#[test]
fn an_assertion_failing_in_one_environment_is_drift() {
    let failed = StepOutcome::Failed {
        message: "expected \"NEW\"".to_owned(),
    };
    let steps = single_step(
        passed(vec![
            assertion("status == 200", true, json!(200)),
            assertion("$.state == \"NEW\"", true, json!("NEW")),
        ]),
        with_outcome(
            failed,
            vec![
                assertion("status == 200", true, json!(200)),
                assertion("$.state == \"NEW\"", false, json!("OPEN")),
            ],
        ),
    );
    let drifts = compare(&steps, &rules());
    assert_eq!(
        classes(&drifts),
        [(DriftClass::AssertionOneSide, Some("$.state"))]
    );
    assert_eq!(
        (&drifts[0].baseline, &drifts[0].candidate),
        (&Some(json!("NEW")), &Some(json!("OPEN")))
    );
    assert_eq!(
        drifts[0].message,
        "assertion `$.state == \"NEW\"` failed in candidate only: expected \"NEW\""
    );
}

#[test]
fn outcomes_decide_what_is_drift() {
    use DriftClass::*;
    let error = |m: &str| StepOutcome::Error {
        message: m.to_owned(),
    };
    let failed = || StepOutcome::Failed {
        message: "status was 500".to_owned(),
    };
    let skipped = || StepOutcome::Skipped {
        reason: "step 1 errored".to_owned(),
    };
    let differing = |outcome: StepOutcome, status: u16| {
        with_outcome(
            outcome,
            vec![
                get(status, json!({})),
                assertion("status == 200", status == 200, json!(status)),
            ],
        )
    };
    let cases: Vec<(SideStep, SideStep, Shape<'_>)> = vec![
        (
            differing(StepOutcome::Passed, 200),
            differing(error("timeout"), 200),
            vec![(ErrorOneSide, None)],
        ),
        // A side skipped after an earlier error: that error was the drift.
        (
            differing(skipped(), 200),
            differing(StepOutcome::Passed, 500),
            vec![],
        ),
        (differing(skipped(), 200), differing(failed(), 500), vec![]),
        (
            differing(error("refused"), 200),
            differing(error("timeout"), 500),
            vec![],
        ),
        (
            differing(error("refused"), 200),
            differing(skipped(), 500),
            vec![],
        ),
        (differing(failed(), 500), differing(failed(), 500), vec![]),
        (
            differing(StepOutcome::Passed, 200),
            differing(failed(), 500),
            vec![(AssertionOneSide, Some("status == 200")), (Status, None)],
        ),
        (
            passed(vec![]),
            with_outcome(failed(), vec![]),
            vec![(AssertionOneSide, None)],
        ),
    ];
    for (baseline, candidate, expected) in cases {
        let drifts = compare(&single_step(baseline, candidate), &rules());
        assert_eq!(classes(&drifts), expected, "{drifts:#?}");
    }
}

#[test]
fn an_error_on_one_side_reports_its_message_on_that_side_only() {
    let steps = single_step(
        passed(vec![]),
        with_outcome(
            StepOutcome::Error {
                message: "connection refused (plant S100)".to_owned(),
            },
            vec![],
        ),
    );
    let drifts = compare(&steps, &rules());
    assert_eq!(drifts.len(), 1);
    assert_eq!(drifts[0].baseline, None);
    assert_eq!(
        drifts[0].candidate,
        Some(json!("connection refused (plant <env:plant>)"))
    );
    assert_eq!(
        drifts[0].message,
        "step errored in candidate only: connection refused (plant <env:plant>)"
    );
}
