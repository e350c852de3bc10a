//! Tests of `driftgate check` on small feature trees written to a temp folder.

use std::path::Path;

use super::*;

const CONFIG: &str = r#"
[run]
features = ["features"]
fixtures = "scenarios"
default_service = "erp"

[environments.production]
protected = true
allow_write_tags = ["@writes-allowed"]
variables = { plant = "P100" }

[environments.production.services.erp]
base_url = "http://127.0.0.1:1"

[environments.production.services.wms]
base_url = "http://127.0.0.1:1"

[environments.staging]
variables = { plant = "S100", region = "eu" }

[environments.staging.services.erp]
base_url = "http://127.0.0.1:1"

[environments.staging.services.wms]
base_url = "http://127.0.0.1:1"
"#;

fn write(root: &Path, file: &str, text: &str) {
    let path = root.join(file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn check_tree(feature: &str, fixtures: &[(&str, &str)]) -> CheckOutcome {
    let dir = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    write(&root, "driftgate.toml", CONFIG);
    write(&root, "features/orders.feature", feature);
    for (name, text) in fixtures {
        write(&root, &format!("scenarios/{name}"), text);
    }
    check(&[], Some(&root.join("driftgate.toml")), &root)
}

fn rendered(outcome: &CheckOutcome) -> String {
    let mut out: String = outcome.findings.iter().map(|d| format!("{d}\n")).collect();
    out.push_str(&outcome.summary());
    out
}

#[test]
fn a_clean_suite_has_no_findings() {
    let outcome = check_tree(
        r#"@erp
Feature: Orders
  Background:
    Given the variable "orderNo" is "PO-{{ random_int(1, 9) }}"

  @writes-allowed
  Scenario: create and read back
    When I send a POST request to "/api/orders" with the fixture "orders/new.json"
    And I capture the response field "$.id" as "orderId"
    And the variables are:
      | name  | value             |
      | a     | {{ orderId }}     |
      | b     | {{ a }}-{{ env.plant }} |
    When I send a GET request to "/api/orders/{{ b }}" on "wms"
    Then the response body should contain:
      """
      { "id": "{{ orderId }}", "orderNo": "{{ orderNo }}" }
      """
"#,
        &[(
            "orders/new.json",
            r#"{"orderNo": "{{ orderNo }}", "at": "{{ now() }}"}"#,
        )],
    );
    assert!(outcome.findings.is_empty(), "{}", rendered(&outcome));
    assert_eq!((outcome.files, outcome.scenarios), (1, 1));
}

#[test]
fn every_kind_of_finding_is_reported_rustc_style() {
    let outcome = check_tree(
        r#"Feature: Orders
  Scenario: everything wrong
    When I send a POST request to "/api/orders/{{ orderId }}" with the fixture "orders/new.jsn"
    And I send a PUT request to "/api/orders" with the fixture "orders/bad.json" on "wsm"
    Then the response field "$.lines[" should exist
    And the response field "$.plant" should be "{{ env.region }}"
    And the response status should be 20
    And the response body should contain:
      """
      { "id": "{{ orderid }" }
      """
    And I capture the response field "$.id" as "orderId"
    And the response field "$.x" should be "{{ orderld }}"
"#,
        &[
            ("orders/new.json", "{}"),
            ("orders/bad.json", "{\n  \"n\": \"{{ orderNo }}\"\n}\n"),
        ],
    );
    insta::assert_snapshot!(rendered(&outcome));
}

#[test]
fn a_broken_config_is_a_finding_at_its_line_and_the_rest_still_runs() {
    let dir = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    write(&root, "driftgate.toml", "[run]\nconcurrency = \"many\"\n");
    write(
        &root,
        "features/a.feature",
        "Feature: a\n  Scenario: s\n    Then the respons status should be 200\n",
    );
    let outcome = check(
        &[root.join("features")],
        Some(&root.join("driftgate.toml")),
        &root,
    );
    let titles: Vec<(&str, usize)> = outcome
        .findings
        .iter()
        .map(|d| (d.file.as_str(), d.line))
        .collect();
    assert_eq!(titles, [("driftgate.toml", 2), ("features/a.feature", 3)]);
}

#[test]
fn edi_docstrings_and_paths_are_checked() {
    let outcome = check_tree(
        "Feature: f\n  Scenario: s\n    When I post an EDI document to \"/in\"\n      \"\"\"\n      UNB+UNOC:3+A+B+261126:1000+1'\n      UNH+1+ORDERS:D:96A:UN'\n      BGM+220+X+9'\n      UNT+4+1'\n      UNZ+1+1'\n      \"\"\"\n    Then the EDI response element \"LIN[2]/QTY[1]+1:2\" should be \"4\"\n    And the EDI response element \"AK1[[1]/AK102\" should be \"1\"\n",
        &[],
    );
    let found: Vec<(usize, &str)> = outcome
        .findings
        .iter()
        .map(|d| (d.line, d.title.as_str()))
        .collect();
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_eq!(
        found[0],
        (
            8,
            "segment 4 (UNT): UNT01 says 4 segments, message 1 has 3 (UNH at segment 2)"
        )
    );
    assert!(
        found[1].1.starts_with("invalid EDI path `AK1[[1]/AK102`"),
        "{found:#?}"
    );
}
