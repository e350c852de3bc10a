//! EDI scenarios end to end: a feature posts an X12 850 and an EDIFACT ORDERS
//! to two wiremock EDI gateways (production, staging) answering with 997 and
//! CONTRL acknowledgements, and the run's drift report is checked.

use std::path::Path;
use std::sync::Arc;

use driftgate::compare::Drift;
use driftgate::config::Config;
use driftgate::drift_class::DriftClass;
use driftgate::mock::{MockEnvironment, parse};
use driftgate::runner::{RunOptions, run};
use driftgate::template::TemplateEngine;
use driftgate::trace::{ScenarioStatus, Side, Twin};

const CONFIG: &str = r#"
[run]
features = ["features"]
fixtures = "scenarios"

[environments.production]
variables = { plant = "P100", edi_sender = "ACMEMFG", edi_receiver = "BOLTSUPPLY", edi_gln = "4012345000009" }
[environments.production.services.edi]
base_url = "http://127.0.0.1:1"

[environments.staging]
variables = { plant = "S100", edi_sender = "ACMEMFGQA", edi_receiver = "BOLTSUPPLYQA", edi_gln = "4012345000009" }
[environments.staging.services.edi]
base_url = "http://127.0.0.1:1"
"#;

const PO_850: &str = r#"ISA*00*          *00*          *ZZ*{{ "%-15s" | format(env.edi_sender) }}*ZZ*{{ "%-15s" | format(env.edi_receiver) }}*{{ now('%y%m%d') }}*{{ now('%H%M') }}*^*00501*{{ control_number("isa") }}*0*P*>~
GS*PO*{{ env.edi_sender }}*{{ env.edi_receiver }}*{{ now('%Y%m%d') }}*{{ now('%H%M') }}*{{ group }}*X*005010~
ST*850*0001~
BEG*00*SA*PO-20931**{{ now('%Y%m%d') }}~
N1*ST*ACME PLANT*92*{{ env.plant }}~
PO1*1*10*EA*82.5**BP*BRK-1001~
CTT*1*10~
SE*6*0001~
GE*1*{{ group }}~
IEA*1*{{ control_number("isa") }}~
"#;

const ORDERS: &str = "UNA:+.? '\nUNB+UNOC:3+{{ env.edi_gln }}:14+4098765000002:14+{{ now('%y%m%d') }}:{{ now('%H%M') }}+{{ control_number(\"unb\") }}'\nUNH+1+ORDERS:D:96A:UN'\nBGM+220+PO-20931+9'\nLIN+1++BRK-1001:SA'\nQTY+21:10'\nUNT+5+1'\nUNZ+1+{{ control_number(\"unb\") }}'\n";

const FEATURE: &str = r#"Feature: EDI gateway
  Background:
    Given the variable "group" is "{{ control_number() | int }}"

  Scenario: X12 purchase order
    When I post the EDI fixture "edi/po.x12" to "/as2/x12" on "edi"
    Then the EDI acknowledgement should be accepted
    And the EDI response element "AK1[1]/AK102" should be "{{ group }}"

  Scenario: EDIFACT order
    When I post the EDI fixture "edi/orders.edifact" to "/as2/edifact" on "edi"
    Then the EDI acknowledgement should be accepted
"#;

/// The 997 of a gateway: its own control number and time around `body` (the AK segments).
fn ack_997(body: &str, segment_count: usize) -> String {
    format!(
        r#"{{%- set icn = control_number() -%}}
        ISA*00*          *00*          *ZZ*{{{{ request.edi.ISA08 }}}}*ZZ*{{{{ request.edi.ISA06 }}}}*{{{{ now('%y%m%d') }}}}*{{{{ now('%H%M') }}}}*^*00501*{{{{ icn }}}}*0*P*>~
        GS*FA*{{{{ request.edi.GS03 }}}}*{{{{ request.edi.GS02 }}}}*{{{{ now('%Y%m%d') }}}}*{{{{ now('%H%M%S') }}}}*{{{{ icn | int }}}}*X*005010~
        ST*997*{{{{ icn }}}}~AK1*PO*{{{{ request.edi.GS06 }}}}*005010~AK2*850*{{{{ request.edi.ST02 }}}}~{body}SE*{segment_count}*{{{{ icn }}}}~
        GE*1*{{{{ icn | int }}}}~IEA*1*{{{{ icn }}}}~"#
    )
}

const ACCEPTED: &str = "AK5*A~AK9*A*1*1*1~";
const CONTRL: &str = r#"{%- set ref = control_number() -%}
UNB+UNOC:3+{{ request.edi.UNB03 }}+{{ request.edi.UNB02 }}+{{ now('%y%m%d') }}:{{ now('%H%M') }}+{{ ref }}'UNH+{{ ref }}+CONTRL:D:3:UN'UCI+{{ request.edi.UNB05 }}+{{ request.edi.UNB02 }}+{{ request.edi.UNB03 }}+7'UNT+3+{{ ref }}'UNZ+1+{{ ref }}'"#;

fn indent(text: &str, by: usize) -> String {
    let pad = " ".repeat(by);
    text.lines()
        .map(|l| format!("{pad}{}\n", l.trim_start()))
        .collect()
}

/// The gateway's mock file: production answers `production_997`, staging `staging_997`.
fn gateway(production_997: &str, staging_997: &str) -> String {
    format!(
        "service: edi\nroutes:\n  - name: x12\n    method: POST\n    path: /as2/x12\n    response:\n      status: 200\n      body: |\n{}    environments:\n      staging:\n        body: |\n{}  - name: edifact\n    method: POST\n    path: /as2/edifact\n    response:\n      status: 200\n      body: |\n{}",
        indent(production_997, 8),
        indent(staging_997, 10),
        indent(CONTRL, 8)
    )
}

/// Runs the feature against both gateways and returns the report's drifts and scenario statuses.
/// What a run produced: drifts, each scenario's status and message, and the trace.
struct Ran {
    drifts: Vec<Drift>,
    scenarios: Vec<(ScenarioStatus, Option<String>)>,
    trace: String,
}

async fn run_against(mock_yaml: &str, po_fixture: &str) -> Ran {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("features")).unwrap();
    std::fs::create_dir_all(root.join("scenarios/edi")).unwrap();
    std::fs::write(root.join("driftgate.toml"), CONFIG).unwrap();
    std::fs::write(root.join("features/edi.feature"), FEATURE).unwrap();
    std::fs::write(root.join("scenarios/edi/po.x12"), po_fixture).unwrap();
    std::fs::write(root.join("scenarios/edi/orders.edifact"), ORDERS).unwrap();
    let spec =
        parse(mock_yaml, Path::new("edi.yaml")).unwrap_or_else(|e| panic!("{e}\n{mock_yaml}"));
    let engine = Arc::new(TemplateEngine::new());
    let mocks = Twin::new(
        MockEnvironment::start(std::slice::from_ref(&spec), "production", engine.clone())
            .await
            .unwrap(),
        MockEnvironment::start(std::slice::from_ref(&spec), "staging", engine)
            .await
            .unwrap(),
    );
    let mut overrides = Twin::<std::collections::BTreeMap<String, String>>::default();
    for side in Side::BOTH {
        overrides
            .get_mut(side)
            .insert("edi".into(), mocks.get(side).url("edi").unwrap());
    }
    let mut opts = RunOptions::new(
        Config::load(&root.join("driftgate.toml")).unwrap(),
        "production",
        "staging",
        root.join("reports"),
    );
    opts.base_url_overrides = overrides;
    opts.display_root = root.to_owned();
    let outcome = run(opts).await.unwrap();
    let mut scenarios: Vec<_> = outcome
        .report
        .scenarios
        .iter()
        .map(|s| (s.scenario.line, s.status, s.message.clone()))
        .collect();
    scenarios.sort_by_key(|(line, _, _)| *line);
    Ran {
        drifts: outcome.report.drifts,
        scenarios: scenarios
            .into_iter()
            .map(|(_, status, message)| (status, message))
            .collect(),
        trace: std::fs::read_to_string(outcome.trace_path).unwrap(),
    }
}

fn shape(drifts: &[Drift]) -> Vec<(DriftClass, String)> {
    drifts
        .iter()
        .map(|d| (d.class, d.path.clone().unwrap_or_default()))
        .collect()
}

#[tokio::test]
async fn gateways_differing_only_in_control_numbers_and_times_do_not_drift() {
    let ack = ack_997(ACCEPTED, 6);
    let ran = run_against(&gateway(&ack, &ack), PO_850).await;
    assert_eq!(shape(&ran.drifts), []);
    assert_eq!(
        ran.scenarios,
        [
            (ScenarioStatus::Passed, None),
            (ScenarioStatus::Passed, None)
        ]
    );
}

#[tokio::test]
async fn a_rejection_in_staging_is_drift_at_the_ack_elements_and_the_assertion() {
    let rejected = ack_997("AK3*PO1*4**8~AK4*3*355*7*EA~AK5*R*5~AK9*R*1*1*0~", 8);
    let drifts = run_against(&gateway(&ack_997(ACCEPTED, 6), &rejected), PO_850)
        .await
        .drifts;
    assert_eq!(
        shape(&drifts),
        [
            (DriftClass::EdiSegmentExtra, "AK3".into()),
            (DriftClass::EdiSegmentExtra, "AK4".into()),
            (DriftClass::EdiElement, "AK501".into()),
            (DriftClass::EdiElement, "AK502".into()),
            (DriftClass::EdiElement, "AK901".into()),
            (DriftClass::EdiElement, "AK904".into()),
            (DriftClass::AssertionOneSide, "edi:acknowledgement".into()),
        ]
    );
    assert_eq!(
        drifts[1].candidate,
        Some(serde_json::json!("AK4*3*355*7*EA"))
    );
    assert_eq!(
        drifts[2].message,
        "segment 6 AK501: \"A\" in baseline, \"R\" in candidate (segment 8 in candidate)"
    );
}

#[tokio::test]
async fn a_changed_element_and_a_missing_segment_are_drift_at_their_position() {
    let production = ack_997(ACCEPTED, 6);
    let staging = ack_997("AK5*A~", 5).replace("AK2*850*", "AK2*856*");
    let drifts = run_against(&gateway(&production, &staging), PO_850)
        .await
        .drifts;
    assert_eq!(
        shape(&drifts),
        [
            (DriftClass::EdiElement, "AK201".into()),
            (DriftClass::EdiSegmentMissing, "AK9".into())
        ]
    );
    assert_eq!(
        drifts[0].message,
        "segment 5 AK201: \"850\" in baseline, \"856\" in candidate"
    );
    assert_eq!(drifts[1].baseline, Some(serde_json::json!("AK9*A*1*1*1")));
}

#[tokio::test]
async fn a_malformed_document_is_sent_to_neither_gateway() {
    let ack = ack_997(ACCEPTED, 6);
    let broken = PO_850.replace("SE*6*0001", "SE*7*0001");
    let ran = run_against(&gateway(&ack, &ack), &broken).await;
    assert_eq!(
        shape(&ran.drifts),
        [],
        "the same error on both sides is no drift"
    );
    let (status, message) = &ran.scenarios[0];
    assert_eq!(*status, ScenarioStatus::Failed);
    let message = message.as_deref().unwrap_or_default();
    assert!(
        message.contains("the EDI document is malformed, so it was sent to neither environment: baseline: segment 8 (SE): SE01 says 7 segments, transaction set 0001 has 6"),
        "{message}"
    );
    for line in ran.trace.lines() {
        let record: serde_json::Value = serde_json::from_str(line).unwrap();
        if record["text"]
            .as_str()
            .is_some_and(|t| t.contains("po.x12"))
        {
            assert_eq!(
                record["baseline"]["observations"],
                serde_json::Value::Null,
                "{line}"
            );
            assert_eq!(
                record["candidate"]["observations"],
                serde_json::Value::Null,
                "{line}"
            );
        }
    }
    assert!(
        ran.trace.contains("/as2/edifact"),
        "the EDIFACT scenario still ran"
    );
    assert_eq!(ran.scenarios[1].0, ScenarioStatus::Passed);
}

/// The demo's EDI suite against the demo's mocks: the one deliberate staging
/// difference (a 997 rejecting PO103) and nothing else.
#[tokio::test]
async fn the_demo_edi_suite_drifts_only_in_its_deliberate_rejection() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let specs = driftgate::mock::load_dir(&root.join("mocks")).unwrap();
    let engine = Arc::new(TemplateEngine::new());
    let mocks = Twin::new(
        MockEnvironment::start(&specs, "production", engine.clone())
            .await
            .unwrap(),
        MockEnvironment::start(&specs, "staging", engine)
            .await
            .unwrap(),
    );
    let mut overrides = Twin::<std::collections::BTreeMap<String, String>>::default();
    for side in Side::BOTH {
        for (service, url) in mocks.get(side).services() {
            overrides.get_mut(side).insert(service.to_owned(), url);
        }
    }
    let reports = tempfile::tempdir().unwrap();
    let mut opts = RunOptions::new(
        Config::load(&root.join("mocks/demo.toml")).unwrap(),
        "production",
        "staging",
        reports.path().to_owned(),
    );
    opts.paths = vec![root.join("features/edi_post.feature")];
    opts.base_url_overrides = overrides;
    opts.display_root = root.to_owned();
    let outcome = run(opts).await.unwrap();
    assert!(
        outcome
            .report
            .scenarios
            .iter()
            .all(|s| s.status == ScenarioStatus::Passed)
    );
    assert_eq!(
        shape(&outcome.report.drifts),
        [
            (DriftClass::EdiSegmentExtra, "AK3".into()),
            (DriftClass::EdiSegmentExtra, "AK4".into()),
            (DriftClass::EdiElement, "AK501".into()),
            (DriftClass::EdiElement, "AK502".into()),
            (DriftClass::EdiElement, "AK901".into()),
            (DriftClass::EdiElement, "AK904".into()),
            (DriftClass::AssertionOneSide, "edi:acknowledgement".into()),
        ]
    );
    let trace = std::fs::read_to_string(&outcome.trace_path).unwrap();
    assert!(
        trace.contains("expected accepted, the acknowledgement says rejected (997); segment PO1 at position 11 of the set: AK304 code 8 (segment has data element errors) [segment 6]; element 3: AK403 code 7 (invalid code value), value `EA` [segment 7]"),
        "the rejection's codes and positions are in the trace"
    );
}
