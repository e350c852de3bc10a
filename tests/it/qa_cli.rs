//! The QA commands through the binary: `steps --format`, `check` exit codes.

use assert_cmd::Command;
use predicates::str::contains;

fn driftgate() -> Command {
    let mut cmd = Command::cargo_bin("driftgate").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

#[test]
fn steps_json_is_a_list_of_steps_with_parameters() {
    let out = driftgate()
        .args(["steps", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let steps: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        steps
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["params"].is_array())
    );
}

#[test]
fn check_of_the_shipped_suite_is_clean_and_exits_0() {
    driftgate()
        .args(["check", "--config", "mocks/demo.toml"])
        .assert()
        .code(0)
        .stdout(contains("no findings"));
}

#[test]
fn check_with_findings_exits_2_with_a_rustc_style_snippet() {
    let dir = tempfile::tempdir().unwrap();
    let feature = dir.path().join("bad.feature");
    std::fs::write(
        &feature,
        "Feature: f\n  Scenario: s\n    When I send a GET request to \"/api/orders/{{ orderId }}\"\n    Then the respnse status should be 200\n",
    )
    .unwrap();
    driftgate()
        .args(["check", "--config", "mocks/demo.toml"])
        .arg(&feature)
        .assert()
        .code(2)
        .stdout(contains(
            "error: variable `orderId` is used before it is captured or set",
        ))
        .stdout(contains(
            "did you mean `the response status should be 200`?",
        ))
        .stdout(contains("2 finding(s)"));
}

/// A misspelled `Scenario:` before the first scenario is read by Gherkin as
/// description text; driftgate refuses it in `check` and in `run` alike,
/// instead of silently running one scenario fewer.
#[test]
fn a_misspelled_scenario_keyword_is_refused_by_check_and_run() {
    let dir = tempfile::tempdir().unwrap();
    let feature = dir.path().join("typo.feature");
    std::fs::write(
        &feature,
        "Feature: refunds\n  Scenaro: full refund\n    When I send a GET request to \"/api/ping\" on \"erp\"\n\n  Scenario: partial refund\n    When I send a GET request to \"/api/ping\" on \"erp\"\n",
    )
    .unwrap();
    let reports = dir.path().join("reports");
    let run_args = [
        "run",
        "--config",
        "mocks/demo.toml",
        "--baseline",
        "production",
        "--candidate",
        "staging",
        "--reports",
    ];
    for (args, stream_is_stdout) in [
        (vec!["check", "--config", "mocks/demo.toml"], true),
        (run_args.to_vec(), false),
    ] {
        let mut cmd = driftgate();
        cmd.args(&args);
        if !stream_is_stdout {
            cmd.arg(&reports);
        }
        let out = cmd.arg(&feature).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let text = String::from_utf8_lossy(if stream_is_stdout {
            &out.stdout
        } else {
            &out.stderr
        })
        .into_owned();
        assert!(
            text.contains("error: `Scenaro:` is not a Gherkin keyword"),
            "{text}"
        );
        assert!(text.contains("typo.feature:2:3"), "{text}");
        assert!(text.contains("did you mean `Scenario:`?"), "{text}");
    }
    assert!(!reports.join("drift.json").exists(), "nothing may run");
}
