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
