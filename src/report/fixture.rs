//! A fixed report for renderer tests: one drifted scenario (three drifts of
//! different classes), one failed, one passed, across two feature files.

use std::collections::BTreeMap;

use serde_json::json;

use crate::compare::policy::{Gate, apply_policy};
use crate::compare::{Drift, StepRef, SuppressedDrift};
use crate::config::policy::PolicySpec;
use crate::config::waiver::{ExpiryDate, WaiverSpec};
use crate::drift_class::DriftClass;
use crate::judge::{DriftReport, ExchangeResult, ScenarioResult, SideResult, StepResult};
use crate::trace::{EnvironmentRef, RunHeader, ScenarioKey, ScenarioStatus, Twin};

/// A secret that [`report_with_secret`] hides in a drift value and a message.
pub(crate) const SECRET: &str = "tok-9f8e7d6c5b4a";

fn environment(name: &str, plant: &str) -> EnvironmentRef {
    EnvironmentRef {
        name: name.into(),
        variables: BTreeMap::from([("plant".to_owned(), plant.to_owned())]),
    }
}

fn key(feature: &str, name: &str, line: usize, tags: &[&str]) -> ScenarioKey {
    ScenarioKey {
        feature: feature.into(),
        feature_name: "Order sync".into(),
        rule: None,
        name: name.into(),
        line,
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        sample: None,
        tenant: None,
    }
}

fn drifted_key() -> ScenarioKey {
    key(
        "features/order_sync.feature",
        "Create an order and read it back",
        12,
        &["@orders", "@smoke"],
    )
}

fn read_back_drift(
    class: DriftClass,
    path: &str,
    baseline: Option<serde_json::Value>,
    candidate: Option<serde_json::Value>,
    message: &str,
) -> Drift {
    Drift {
        class,
        scenario: drifted_key(),
        step: StepRef {
            index: 2,
            line: 15,
            text: r#"When I send a GET request to "/api/orders/{{ orderId }}""#.into(),
        },
        service: Some("erp".into()),
        request: Some("GET /api/orders/<captured:orderId>".into()),
        path: Some(path.into()),
        baseline,
        candidate,
        message: message.into(),
    }
}

/// The fixed report: 3 scenarios, 3 drifts, verdict drift.
pub(crate) fn report() -> DriftReport {
    let mut stock = key(
        "features/inventory.feature",
        "Check stock for a known SKU",
        5,
        &[],
    );
    stock.feature_name = "Inventory".into();
    stock.rule = Some("Stock is reported per plant".into());
    DriftReport {
        header: RunHeader {
            format: 1,
            tool_version: "0.1.0".into(),
            started_at: "2026-11-26T10:00:00Z".into(),
            environments: Twin::new(
                environment("production", "P100"),
                environment("staging", "S100"),
            ),
            tenants: Default::default(),
        },
        duration_ms: 1523.4,
        scenarios: vec![
            ScenarioResult {
                scenario: drifted_key(),
                status: ScenarioStatus::Passed,
                message: None,
                duration_ms: 412.5,
                drift_count: 3,
            },
            ScenarioResult {
                scenario: key(
                    "features/order_sync.feature",
                    "Cancel an order",
                    30,
                    &["@orders"],
                ),
                status: ScenarioStatus::Failed,
                message: Some(
                    "step failed in both environments: expected status 204, got 409".into(),
                ),
                duration_ms: 250.0,
                drift_count: 0,
            },
            ScenarioResult {
                scenario: stock,
                status: ScenarioStatus::Passed,
                message: None,
                duration_ms: 98.25,
                drift_count: 0,
            },
        ],
        drifts: vec![
            read_back_drift(
                DriftClass::MissingField,
                "$.quantityOnHand",
                Some(json!(40)),
                None,
                "the candidate no longer returns $.quantityOnHand",
            ),
            read_back_drift(
                DriftClass::ExtraField,
                "$.qtyOnHand",
                None,
                Some(json!(40)),
                "the candidate returns $.qtyOnHand, which the baseline does not",
            ),
            read_back_drift(
                DriftClass::ValueChange,
                "$.currency",
                Some(json!("EUR")),
                Some(json!("USD")),
                "$.currency changed from \"EUR\" to \"USD\"",
            ),
        ],
        timing: Default::default(),
        steps: steps(),
        gate: gate(),
        limits: Vec::new(),
        incomplete: None,
    }
}

fn exchange(
    method: &str,
    path: &str,
    status: u16,
    ms: f64,
    body: Option<serde_json::Value>,
) -> ExchangeResult {
    ExchangeResult {
        service: "erp".into(),
        method: method.into(),
        url: format!("http://erp.test{path}"),
        status: Some(status),
        total_ms: ms,
        body,
    }
}

fn side(status: &str, message: Option<&str>, exchanges: Vec<ExchangeResult>) -> SideResult {
    SideResult {
        status: status.into(),
        message: message.map(str::to_owned),
        exchanges,
    }
}

fn step(
    scenario: &ScenarioKey,
    index: usize,
    line: usize,
    text: &str,
    sides: Twin<SideResult>,
) -> StepResult {
    StepResult {
        scenario: scenario.clone(),
        index,
        keyword: if index == 0 {
            "Given ".into()
        } else {
            "When ".into()
        },
        text: text.into(),
        line,
        sides,
    }
}

/// The steps of the fixed report's scenarios, with timing and the read-back bodies.
fn steps() -> Vec<StepResult> {
    let report_scenarios = [
        drifted_key(),
        key(
            "features/order_sync.feature",
            "Cancel an order",
            30,
            &["@orders"],
        ),
    ];
    let [drifted, cancel] = report_scenarios;
    let created = |ms| {
        side(
            "passed",
            None,
            vec![exchange("POST", "/api/orders", 201, ms, None)],
        )
    };
    let read_back = |id: &str, ms, body| {
        side(
            "passed",
            None,
            vec![exchange(
                "GET",
                &format!("/api/orders/{id}"),
                200,
                ms,
                Some(body),
            )],
        )
    };
    let conflict = |ms| {
        side(
            "failed",
            Some("expected status 204, got 409"),
            vec![exchange("DELETE", "/api/orders/1", 409, ms, None)],
        )
    };
    vec![
        step(
            &drifted,
            0,
            6,
            r#"the variable "orderNo" is "PO-{{ random_int(10000, 99999) }}""#,
            Twin::new(side("passed", None, vec![]), side("passed", None, vec![])),
        ),
        step(
            &drifted,
            1,
            13,
            r#"I send a POST request to "/api/orders""#,
            Twin::new(created(41.5), created(48.25)),
        ),
        step(
            &drifted,
            2,
            15,
            r#"I send a GET request to "/api/orders/{{ orderId }}""#,
            Twin::new(
                read_back(
                    "4711",
                    12.0,
                    json!({"id": "4711", "currency": "EUR", "quantityOnHand": 40, "lines": [{"sku": "BRK-1001"}]}),
                ),
                read_back(
                    "9822",
                    19.5,
                    json!({"id": "9822", "currency": "USD", "qtyOnHand": 40, "lines": [{"sku": "BRK-1001"}]}),
                ),
            ),
        ),
        step(
            &cancel,
            0,
            31,
            r#"I send a DELETE request to "/api/orders/1""#,
            Twin::new(conflict(20.0), conflict(22.0)),
        ),
        // A second sample of the POST line (an outline example), so that line
        // has a timing distribution to chart.
        step(
            &drifted,
            3,
            13,
            r#"I send a POST request to "/api/orders""#,
            Twin::new(created(39.0), created(51.5)),
        ),
    ]
}

/// The fixture's policy: the default gate (fails on error), the extra field
/// waived, one waiver unused, and one difference a rule suppressed.
fn gate() -> Gate {
    let drifts = [
        read_back_drift(DriftClass::MissingField, "$.quantityOnHand", None, None, ""),
        read_back_drift(DriftClass::ExtraField, "$.qtyOnHand", None, None, ""),
        read_back_drift(DriftClass::ValueChange, "$.currency", None, None, ""),
    ];
    let waiver = |id: &str, path: &str| WaiverSpec {
        id: Some(id.into()),
        feature: None,
        scenario: None,
        step: None,
        service: None,
        path: Some(path.into()),
        class: None,
        reason: "renamed in the WMS 5 API".into(),
        owner: "wms-team".into(),
        ticket: Some("WMS-88".into()),
        expires: ExpiryDate(chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap_or_default()),
    };
    let suppressed = SuppressedDrift {
        drift: read_back_drift(
            DriftClass::ValueChange,
            "$.updatedAt",
            Some(json!("2026-11-26T10:00:01Z")),
            Some(json!("2026-11-26T10:00:02Z")),
            "$.updatedAt is \"2026-11-26T10:00:01Z\" in baseline, \"2026-11-26T10:00:02Z\" in candidate",
        ),
        by: "rule `timestamps`".into(),
    };
    apply_policy(
        &drifts,
        vec![suppressed],
        &PolicySpec::default(),
        &[
            waiver("QTY-RENAME", "$.qtyOnHand"),
            waiver("OLD-SKU", "$.sku"),
        ],
        chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap_or_default(),
    )
}

/// [`report`] with [`SECRET`] in a drift value (straddling the truncation
/// limit, so truncating before redacting would leak its start), a drift
/// message and a failure message.
pub(crate) fn report_with_secret() -> DriftReport {
    let mut report = report();
    let padding = "x".repeat(70);
    report.drifts[2].candidate = Some(json!(format!("{padding}{SECRET}")));
    report.drifts[2].message = format!("token {SECRET} leaked");
    report.scenarios[1].message = Some(format!("401 for Bearer {SECRET}"));
    report.steps[2].sides.candidate.exchanges[0].body = Some(json!({ "token": SECRET }));
    report.steps[2].sides.baseline.exchanges[0].url = format!("http://erp.test/?key={SECRET}");
    report
}
