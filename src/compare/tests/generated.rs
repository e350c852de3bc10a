//! Generated values across a whole scenario: now-stamps judged against each
//! side's recorded window, UUIDs, floats and keyed lists suppressed with
//! their reason, format and captured-type changes kept as drift.

use super::*;
use crate::compare::generated::{FLOAT, KEYED_ORDER, NOW_STAMP, UUID};
use crate::trace::StepWindow;

fn windowed(mut side: SideStep, started_at: &str, finished_at: &str) -> SideStep {
    side.observations.push(Observation::Window(StepWindow {
        started_at: started_at.to_owned(),
        finished_at: finished_at.to_owned(),
    }));
    side
}

fn document(created: &str, id: &str, total: f64, lines: Value) -> Value {
    json!({
        "id": id,
        "createdAt": created,
        "promisedDate": "2026-12-06",
        "total": total,
        "lines": lines,
    })
}

/// Baseline ran at 10:00:00.1–0.3, candidate at 10:00:00.2–0.5.
fn steps_with(baseline: Value, candidate: Value) -> Vec<StepRecord> {
    single_step(
        windowed(
            passed(vec![get(200, baseline)]),
            "2026-12-01T10:00:00.100Z",
            "2026-12-01T10:00:00.300Z",
        ),
        windowed(
            passed(vec![get(200, candidate)]),
            "2026-12-01T10:00:00.200Z",
            "2026-12-01T10:00:00.500Z",
        ),
    )
}

fn lines(order: &[(&str, i64)]) -> Value {
    Value::Array(
        order
            .iter()
            .map(|(sku, qty)| json!({"sku": sku, "qty": qty}))
            .collect(),
    )
}

#[test]
fn generated_values_are_suppressed_with_their_reason() {
    let steps = steps_with(
        document(
            "2026-12-01T10:00:00.150Z",
            "0b6c3f38-9a1e-4a53-9a57-0f3d1e2a7c11",
            0.30000000000000004,
            lines(&[("A", 1), ("B", 2), ("C", 3)]),
        ),
        document(
            "2026-12-01T10:00:00.420Z",
            "4f1d0c2e-77aa-4b8e-8d2f-6a0e9c1b2d3f",
            0.3,
            lines(&[("C", 3), ("A", 1), ("B", 2)]),
        ),
    );
    let judgement = judge_scenario(&run_header(), &steps, &RuleSet::compile(&rules()));
    assert_eq!(judgement.drifts, []);
    let mut reasons: Vec<(&str, &str)> = judgement
        .suppressed
        .iter()
        .map(|s| (s.drift.path.as_deref().unwrap_or_default(), s.by.as_str()))
        .collect();
    reasons.sort_unstable();
    assert_eq!(
        reasons,
        [
            ("$.createdAt", NOW_STAMP),
            ("$.id", UUID),
            ("$.lines", KEYED_ORDER),
            ("$.total", FLOAT),
        ]
    );
}

#[test]
fn real_changes_next_to_generated_values_stay_drift() {
    let steps = steps_with(
        document(
            "2026-12-01T10:00:00.150Z",
            "0b6c3f38-9a1e-4a53-9a57-0f3d1e2a7c11",
            0.3,
            lines(&[("A", 1), ("B", 2), ("C", 3)]),
        ),
        document(
            "2026-12-01T10:00:00Z",
            "4711",
            0.31,
            lines(&[("B", 5), ("A", 1), ("D", 4)]),
        ),
    );
    assert_eq!(
        classes(&compare(&steps, &rules())),
        [
            (DriftClass::FormatChange, Some("$.id")),
            (DriftClass::FormatChange, Some("$.createdAt")),
            (DriftClass::ValueChange, Some("$.total")),
            (DriftClass::MissingElement, Some("$.lines[?@.sku=='C']")),
            (DriftClass::ExtraElement, Some("$.lines[?@.sku=='D']")),
            (DriftClass::ValueChange, Some("$.lines[1].qty")),
        ]
    );
}

#[test]
fn a_business_date_time_outside_the_window_is_compared_by_value() {
    let at = |created: &str| document(created, "x", 1.0, json!([]));
    let steps = steps_with(at("2026-12-06T10:00:00Z"), at("2026-12-07T10:00:00Z"));
    assert_eq!(
        classes(&compare(&steps, &rules())),
        [(DriftClass::ValueChange, Some("$.createdAt"))]
    );
}

#[test]
fn strict_mode_compares_every_value() {
    let steps = steps_with(
        document(
            "2026-12-01T10:00:00.150Z",
            "0b6c3f38-9a1e-4a53-9a57-0f3d1e2a7c11",
            0.30000000000000004,
            lines(&[("A", 1), ("B", 2)]),
        ),
        document(
            "2026-12-01T10:00:00.420Z",
            "4f1d0c2e-77aa-4b8e-8d2f-6a0e9c1b2d3f",
            0.3,
            lines(&[("B", 2), ("A", 1)]),
        ),
    );
    let strict = CompareRules {
        generated_values: GeneratedValuesMode::Strict,
        ..rules()
    };
    assert_eq!(
        classes(&compare(&steps, &strict)),
        [
            (DriftClass::ValueChange, Some("$.id")),
            (DriftClass::ValueChange, Some("$.createdAt")),
            (DriftClass::ValueChange, Some("$.total")),
            (DriftClass::Order, Some("$.lines")),
        ]
    );
}

fn lookup(id: &str, body: Value) -> Observation {
    exchange(
        "GET",
        &format!("https://erp.example/api/orders/{id}"),
        Some(response(200, Some(Body::Json(body)))),
    )
}

#[test]
fn a_captured_value_that_changes_type_is_drift_and_shows_both_values() {
    let steps = vec![
        step(
            0,
            "I send a POST request to \"/api/orders\"",
            capturing(
                passed(vec![get(201, json!({"id": 4711}))]),
                "orderId",
                json!(4711),
            ),
            capturing(
                passed(vec![get(201, json!({"id": "9822"}))]),
                "orderId",
                json!("9822"),
            ),
        ),
        step(
            1,
            "I send a GET request to \"/api/orders/{{ orderId }}\"",
            passed(vec![lookup("4711", json!({"id": 4711, "state": "NEW"}))]),
            passed(vec![lookup("9822", json!({"id": "9822", "state": "OPEN"}))]),
        ),
    ];
    let drifts = compare(&steps, &rules());
    assert_eq!(
        classes(&drifts),
        [
            (DriftClass::TypeChange, Some("captured:orderId")),
            (DriftClass::ValueChange, Some("$.state")),
        ]
    );
    assert!(
        drifts[0].message.contains("a number in baseline (4711)")
            && drifts[0]
                .message
                .contains("a string in candidate (\"9822\")"),
        "{}",
        drifts[0].message
    );
    assert!(
        drifts[1]
            .message
            .ends_with("(<captured:orderId> is 4711 in baseline, \"9822\" in candidate)"),
        "{}",
        drifts[1].message
    );
}

#[test]
fn short_environment_values_are_replaced_only_as_whole_tokens() {
    let mut header = run_header();
    for (side, usage) in [(Side::Baseline, "P"), (Side::Candidate, "T")] {
        header
            .environments
            .get_mut(side)
            .variables
            .insert("usage".to_owned(), usage.to_owned());
    }
    let body = json!({
        "note": "Pallet P100 packed, PT-7 ok",
        "usage": "P",
        "mode": "T",
        "path": "/plants/P100/docks/P",
    });
    let steps = single_step(
        passed(vec![get(200, body.clone())]),
        passed(vec![get(200, body)]),
    );
    let judgement = judge_scenario(&header, &steps, &RuleSet::compile(&rules()));
    assert_eq!(judgement.drifts, []);
    assert_eq!(judgement.suppressed, []);

    // A text body equal on both sides that equals one side's variable.
    let text = || {
        passed(vec![exchange(
            "GET",
            "https://erp.example/api/usage",
            Some(response(200, Some(Body::Text("P".to_owned())))),
        )])
    };
    let steps = single_step(text(), text());
    let judgement = judge_scenario(&header, &steps, &RuleSet::compile(&rules()));
    assert_eq!(judgement.drifts, []);
}

/// One step on each side, with each side's window.
fn windowed_step(baseline: Vec<Observation>, candidate: Vec<Observation>) -> Vec<StepRecord> {
    single_step(
        windowed(
            passed(baseline),
            "2026-12-01T10:00:00.100Z",
            "2026-12-01T10:00:00.300Z",
        ),
        windowed(
            passed(candidate),
            "2026-12-01T10:00:00.200Z",
            "2026-12-01T10:00:00.500Z",
        ),
    )
}

fn received(body: Value, stamped: &str) -> Observation {
    Observation::Amqp(crate::trace::AmqpObservation {
        service: "events".into(),
        event: crate::trace::AmqpEvent::Received {
            listener: "stockEvents".into(),
            message: crate::trace::AmqpMessage {
                exchange: "stock".into(),
                routing_key: "stock.adjusted".into(),
                headers: BTreeMap::from([("x-stamped-at".to_owned(), json!(stamped))]),
                body: Some(Body::Json(body)),
                ..Default::default()
            },
        },
    })
}

#[test]
fn now_stamps_in_message_bodies_and_headers_are_suppressed_and_a_format_change_is_not() {
    let body = |at: &str, qty: i64| json!({"sku": "BRK-1", "qty": qty, "adjustedAt": at});
    let steps = windowed_step(
        vec![received(
            body("2026-12-01T10:00:00.150Z", 2),
            "2026-12-01T10:00:00.160Z",
        )],
        vec![received(
            body("2026-12-01T10:00:00.450Z", 2),
            "2026-12-01T10:00:00.460Z",
        )],
    );
    let judgement = judge_scenario(&run_header(), &steps, &RuleSet::compile(&rules()));
    assert_eq!(judgement.drifts, []);
    let suppressed: Vec<(&str, &str)> = judgement
        .suppressed
        .iter()
        .map(|s| (s.drift.path.as_deref().unwrap_or_default(), s.by.as_str()))
        .collect();
    assert_eq!(
        suppressed,
        [
            ("header:x-stamped-at", NOW_STAMP),
            ("$.adjustedAt", NOW_STAMP)
        ]
    );

    let drifted = windowed_step(
        vec![received(body("2026-12-01T10:00:00.150Z", 2), "x")],
        vec![received(body("2026-12-01", 3), "x")],
    );
    assert_eq!(
        classes(&compare(&drifted, &rules())),
        [
            (DriftClass::ValueChange, Some("$.qty")),
            (DriftClass::FormatChange, Some("$.adjustedAt")),
        ]
    );
}

fn query(read_at: &str, total: f64, status: &str) -> Observation {
    Observation::Sql(crate::trace::SqlExchange {
        service: "erpdb".into(),
        statement: "SELECT OrderNo, Status, Total, SYSUTCDATETIME() AS ReadAt FROM dbo.Orders"
            .into(),
        parameters: vec![],
        columns: ["OrderNo", "Status", "Total", "ReadAt"]
            .iter()
            .map(|name| crate::trace::SqlColumn {
                name: (*name).into(),
                sql_type: "nvarchar".into(),
            })
            .collect(),
        rows: vec![vec![
            json!("PO-1"),
            json!(status),
            json!(total),
            json!(read_at),
        ]],
        key: vec!["OrderNo".into()],
        configuration: None,
        error: None,
        elapsed_ms: 1.0,
    })
}

#[test]
fn now_stamps_and_float_text_in_sql_cells_are_suppressed_real_changes_are_not() {
    let steps = windowed_step(
        vec![query(
            "2026-12-01T10:00:00.1500000",
            0.30000000000000004,
            "OPEN",
        )],
        vec![query("2026-12-01T10:00:00.4200000", 0.3, "OPEN")],
    );
    let judgement = judge_scenario(&run_header(), &steps, &RuleSet::compile(&rules()));
    assert_eq!(judgement.drifts, []);
    let reasons: Vec<&str> = judgement.suppressed.iter().map(|s| s.by.as_str()).collect();
    assert_eq!(reasons, [FLOAT, NOW_STAMP]);

    let drifted = windowed_step(
        vec![query("2026-12-01T10:00:00.1500000", 0.3, "OPEN")],
        vec![query("2026-12-01T10:00:00", 0.3, "RELEASED")],
    );
    assert_eq!(
        classes(&compare(&drifted, &rules())),
        [
            (DriftClass::CellChange, Some("row[OrderNo=PO-1].Status")),
            (DriftClass::FormatChange, Some("row[OrderNo=PO-1].ReadAt")),
        ]
    );
}
