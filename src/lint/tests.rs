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
        .map(|d| (d.file().unwrap_or_default(), d.line()))
        .collect();
    assert_eq!(titles, [("driftgate.toml", 2), ("features/a.feature", 3)]);
}

#[test]
fn edi_docstrings_and_paths_are_checked() {
    let outcome = check_tree(
        "Feature: f\n  @writes-allowed\n  Scenario: s\n    When I post an EDI document to \"/in\"\n      \"\"\"\n      UNB+UNOC:3+A+B+261126:1000+1'\n      UNH+1+ORDERS:D:96A:UN'\n      BGM+220+X+9'\n      UNT+4+1'\n      UNZ+1+1'\n      \"\"\"\n    Then the EDI response element \"LIN[2]/QTY[1]+1:2\" should be \"4\"\n    And the EDI response element \"AK1[[1]/AK102\" should be \"1\"\n",
        &[],
    );
    let found: Vec<(usize, &str)> = outcome
        .findings
        .iter()
        .map(|d| (d.line(), d.title.as_str()))
        .collect();
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_eq!(
        found[0],
        (
            9,
            "segment 4 (UNT): UNT01 says 4 segments, message 1 has 3 (UNH at segment 2)"
        )
    );
    assert!(
        found[1].1.starts_with("invalid EDI path `AK1[[1]/AK102`"),
        "{found:#?}"
    );
}

#[test]
fn a_method_override_naming_a_write_is_a_protected_write() {
    let outcome = check_tree(
        r#"Feature: Orders
  Scenario: writes dressed as reads
    Given the request header "X-HTTP-Method-Override" is "DELETE"
    When I send a GET request to "/api/orders/1"
    And I send a GET request to "/api/orders/2?_method=PUT"
    Given the query parameter "_method" is "patch"
    When I send a GET request to "/api/orders/3"
    Given the request headers are:
      | X-Method-Override | DELETE |
    When I send a GET request to "/api/orders/4"
    And I send a GET request to "/api/orders/5"
"#,
        &[],
    );
    let lines: Vec<(usize, String)> = outcome
        .findings
        .iter()
        .map(|d| (d.line(), d.title.clone()))
        .collect();
    let expected = [
        (4, "GET with `X-HTTP-Method-Override: DELETE`"),
        (5, "GET with `_method=PUT`"),
        (7, "GET with `_method=patch`"),
        (10, "GET with `X-Method-Override: DELETE`"),
    ];
    assert_eq!(lines.len(), expected.len(), "{}", rendered(&outcome));
    for ((line, title), (want_line, want)) in lines.iter().zip(expected) {
        assert_eq!(*line, want_line, "{title}");
        assert!(
            title.starts_with(want) && title.contains("protected environment `production`"),
            "{title}"
        );
    }
}

/// The configuration of [`CONFIG`] with an AMQP and a SQL Server service in
/// both environments.
fn config_with_broker_and_database() -> String {
    let mut text = CONFIG.to_owned();
    for env in ["production", "staging"] {
        text.push_str(&format!(
            "\n[environments.{env}.services.events]\namqp_url = \"amqp://127.0.0.1:1/%2F\"\n\n[environments.{env}.services.erpdb]\nkind = \"sqlserver\"\nconnection = \"Server=tcp:127.0.0.1,1;Database=erp;User Id=svc;Password=x;TrustServerCertificate=true\"\n"
        ));
    }
    text
}

const WRITES_BEYOND_HTTP: &str = r#"Feature: Orders
  Scenario: writes on every transport
    When I publish to exchange "orders" with routing key "order.created"
      """
      {"orderNo": "PO-1"}
      """
    And I post the EDI fixture "edi/po.x12" to "/as2/inbound"
    And I replay the messages of "replay/orders.jsonl" to exchange "orders"
    And I query "erpdb":
      """
      INSERT INTO dbo.Orders (OrderNo) VALUES ('PO-1')
      """
    And I query "erpdb":
      """
      SELECT OrderNo FROM dbo.Orders
      """
    And I take messages from queue "orders.dlq" as "dead"
"#;

const PO_850: &str = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240101*1200*U*00401*000000001*0*T*>~GS*PO*SENDER*RECEIVER*20240101*1200*1*X*004010~ST*850*0001~BEG*00*SA*PO-1**20240101~SE*3*0001~GE*1*1~IEA*1*000000001~";

fn check_writes(tag: &str) -> CheckOutcome {
    let dir = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    write(&root, "driftgate.toml", &config_with_broker_and_database());
    let feature = if tag.is_empty() {
        WRITES_BEYOND_HTTP.to_owned()
    } else {
        WRITES_BEYOND_HTTP.replace("  Scenario:", &format!("  {tag}\n  Scenario:"))
    };
    write(&root, "features/orders.feature", &feature);
    write(&root, "scenarios/edi/po.x12", PO_850);
    write(&root, "scenarios/replay/orders.jsonl", "");
    check(&[], Some(&root.join("driftgate.toml")), &root)
}

#[test]
fn every_write_the_run_refuses_on_a_protected_environment_is_a_finding() {
    let outcome = check_writes("");
    let found: Vec<(usize, usize, &str)> = outcome
        .findings
        .iter()
        .map(|d| {
            let col = d.location.as_ref().map_or(0, |l| l.col);
            (d.line(), col, d.title.as_str())
        })
        .collect();
    let refused = " would write to protected environment `production` without an allowing tag";
    assert_eq!(
        found,
        [
            (3, 10, &*format!("publishing a message{refused}")),
            (7, 9, &*format!("posting an EDI document{refused}")),
            (8, 9, &*format!("replaying messages{refused}")),
            (
                9,
                9,
                &*format!(
                    "a SQL statement that is not a single read (it is an INSERT statement, not a query (SELECT or WITH … SELECT), at line 1, column 1){refused}"
                )
            ),
            (
                17,
                9,
                "taking messages from a real queue is refused on protected environment `production`, whatever the tags"
            ),
        ],
        "{}",
        rendered(&outcome)
    );
    let help = outcome.findings[0].help.join("\n");
    assert!(help.contains("@writes-allowed"), "{help}");
}

#[test]
fn an_allowing_tag_clears_every_write_but_taking_messages() {
    let outcome = check_writes("@writes-allowed");
    let titles: Vec<&str> = outcome.findings.iter().map(|d| d.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "taking messages from a real queue is refused on protected environment `production`, whatever the tags"
        ],
        "{}",
        rendered(&outcome)
    );
}

/// One statically detectable error a run would otherwise hit in both
/// environments: the steps, and the finding's title and line.
struct RunTimeError {
    steps: &'static str,
    title: &'static str,
    line: usize,
}

const RUN_TIME_ERRORS: &[RunTimeError] = &[
    RunTimeError {
        steps: r##"Then the response field "$.id" should be "#uuidd""##,
        title: "unknown marker `#uuidd`; did you mean `#uuid`?",
        line: 4,
    },
    RunTimeError {
        steps: r#"Then the response field "$.v" should be #regex [0-9"#,
        title: "`#regex [0-9` has an invalid regex",
        line: 4,
    },
    RunTimeError {
        steps: r##"Then each response field "$.lines[*].sku" should be "#[x]""##,
        title: "malformed marker `#[x]`",
        line: 4,
    },
    RunTimeError {
        steps: r#"Then the response field "$.status" should be "OPEN":"#,
        title: "the expected value `\"OPEN\":` ends with a colon",
        line: 4,
    },
    RunTimeError {
        steps: "Then the response body should match:\n      \"\"\"\n      { \"id\": \"{{ orderNo }}\",\n        status: \"OPEN\" }\n      \"\"\"",
        title: "the expected body is not JSON: key must be a string",
        line: 7,
    },
    RunTimeError {
        steps: "Then the message body should contain:\n      \"\"\"\n      { \"id\": \"#uuidd\" }\n      \"\"\"",
        title: "unknown marker `#uuidd`; did you mean `#uuid`?",
        line: 6,
    },
    RunTimeError {
        steps: r#"When I send a GET request to "/api/orders/PO-{{ random_int(9, 1) }}""#,
        title: "`random_int(9, 1)` would fail",
        line: 4,
    },
    RunTimeError {
        steps: r#"Given the variable "at" is "{{ now('%Q') }}""#,
        title: "`now('%Q')` would fail",
        line: 4,
    },
    RunTimeError {
        steps: r#"Given the variable "day" is "{{ today('%Y-%m-%Q') }}""#,
        title: "is not a valid strftime format",
        line: 4,
    },
];

#[test]
fn check_finds_what_a_run_would_reject_one_test_per_error() {
    for case in RUN_TIME_ERRORS {
        let feature = format!(
            "Feature: Orders\n  Scenario: s\n    Given the variable \"orderNo\" is \"PO-1\"\n    {}\n",
            case.steps
        );
        let outcome = check_tree(&feature, &[]);
        let found: Vec<(String, usize)> = outcome
            .findings
            .iter()
            .map(|d| (d.title.clone(), d.line()))
            .collect();
        assert_eq!(found.len(), 1, "{}: {found:?}", case.steps);
        assert!(
            found[0].0.contains(case.title) && found[0].1 == case.line,
            "{}: {found:?}",
            case.steps
        );
    }
}

#[test]
fn valid_markers_regexes_and_calls_have_no_findings() {
    let outcome = check_tree(
        r###"Feature: Orders
  Scenario: s
    Given the variable "n" is "{{ random_int(1, 9) }}-{{ now('%Y-%m-%d') }}-{{ today() }}"
    Then the response field "$.v" should be "#regex [0-9]+\.[0-9]+"
    And the response field "$.v" should be #regex [0-9]+\.[0-9]+
    And each response field "$.lines[*].sku" should be "##string"
    And the response body should match
      """
      { "id": "{{ n }}", "qty": {{ n }}, "v": "#regex [0-9]+\\.[0-9]+", "l": "#[2] #object" }
      """
"###,
        &[],
    );
    assert!(outcome.findings.is_empty(), "{}", rendered(&outcome));
}
