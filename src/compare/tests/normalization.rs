//! Captured values and environment variables are not drift.

use super::*;

#[test]
fn a_drift_names_its_scenario_step_service_and_normalised_request() {
    let baseline = capturing(passed(vec![]), "orderId", json!("4711-abc"));
    let candidate = capturing(passed(vec![]), "orderId", json!("9822-xyz"));
    let lookup = |id: &str, status: u16| {
        passed(vec![exchange(
            "GET",
            &format!("https://erp.example/api/orders/{id}?plant=P100#top"),
            Some(response(status, None)),
        )])
    };
    let steps = vec![
        step(0, "I create an order", baseline, candidate),
        step(
            1,
            "I send a GET request to \"/api/orders/{{ orderId }}\"",
            lookup("4711-abc", 200),
            lookup("9822-xyz", 404),
        ),
    ];
    let drifts = compare(&steps, &rules());
    assert_eq!(
        drifts,
        [Drift {
            class: DriftClass::Status,
            scenario: scenario(),
            step: StepRef {
                index: 1,
                line: 9,
                text: "When I send a GET request to \"/api/orders/{{ orderId }}\"".to_owned(),
            },
            service: Some("orders".to_owned()),
            request: Some("GET /api/orders/<captured:orderId>?plant=<env:plant>".to_owned()),
            path: None,
            baseline: Some(json!(200)),
            candidate: Some(json!(404)),
            message: "status 200 in baseline, 404 in candidate (<captured:orderId> is \"4711-abc\" in baseline, \"9822-xyz\" in candidate)".to_owned(),
        }]
    );
}

#[test]
fn differing_captured_ids_and_environment_variables_are_not_drift() {
    let created = |id: Value| {
        capturing(
            passed(vec![get(201, json!({"id": id, "state": "NEW"}))]),
            "orderId",
            id,
        )
    };
    let echoed = |id: &str, number: u64, plant: &str| {
        capturing(
            passed(vec![get(
                200,
                json!({
                    "id": id,
                    "href": format!("/api/orders/{id}/lines"),
                    "plant": plant,
                    "route": format!("{plant}-DOCK-1"),
                    "lineNo": number,
                    "tenant": "acme",
                }),
            )]),
            "lineNo",
            json!(number),
        )
    };
    let steps = vec![
        step(
            0,
            "I create an order",
            created(json!("4711-abc")),
            created(json!("9822-xyz")),
        ),
        step(
            1,
            "I look the order up",
            echoed("4711-abc", 31, "P100"),
            echoed("9822-xyz", 57, "S100"),
        ),
    ];
    assert_eq!(compare(&steps, &rules()), []);
}

#[test]
fn drift_values_are_the_normalised_ones() {
    let side = |id: &str, state: &str| {
        capturing(
            passed(vec![get(
                200,
                json!({"ref": format!("order {id} {state}")}),
            )]),
            "orderId",
            json!(id),
        )
    };
    let steps = single_step(side("4711-abc", "NEW"), side("9822-xyz", "OPEN"));
    let drifts = compare(&steps, &rules());
    assert_eq!(
        (&drifts[0].baseline, &drifts[0].candidate),
        (
            &Some(json!("order <captured:orderId> NEW")),
            &Some(json!("order <captured:orderId> OPEN"))
        )
    );
}

#[test]
fn every_capture_of_a_name_is_normalised_even_when_captured_again() {
    let capture = |id: &str| capturing(passed(vec![]), "orderId", json!(id));
    let echo = |id: &str| passed(vec![get(200, json!({"id": id}))]);
    let steps = vec![
        step(
            0,
            "I look up the first before capturing",
            echo("1111-old"),
            echo("2222-old"),
        ),
        step(
            1,
            "I create an order",
            capture("1111-old"),
            capture("2222-old"),
        ),
        step(
            2,
            "I create another",
            capture("3333-new"),
            capture("4444-new"),
        ),
        step(3, "I look up the first", echo("1111-old"), echo("2222-old")),
        step(
            4,
            "I look up the second",
            echo("3333-new"),
            echo("4444-new"),
        ),
        step(5, "I look up a mix", echo("1111-old"), echo("4444-new")),
    ];
    let drifts = compare(&steps, &rules());
    assert_eq!(classes(&drifts), [(DriftClass::ValueChange, Some("$.id"))]);
    assert_eq!(drifts[0].step.index, 5);
    assert_eq!(
        (&drifts[0].baseline, &drifts[0].candidate),
        (
            &Some(json!("<captured:orderId>")),
            &Some(json!("<captured:orderId#2>"))
        )
    );
}

#[test]
fn a_literal_equal_on_both_sides_is_not_drift_even_if_it_is_one_sides_variable() {
    // "P100" is production's plant; a fixture sending that literal to both
    // environments gets it echoed by both: normalising one side only must not
    // turn equal values into drift.
    let echo = |plant: &str, home: &str| {
        passed(vec![get(
            200,
            json!({"supplierPlant": "P100", "homePlant": plant, "dock": home}),
        )])
    };
    let steps = single_step(echo("P100", "P100-DOCK"), echo("S100", "P100-DOCK"));
    assert_eq!(compare(&steps, &rules()), []);
    let changed = single_step(echo("P100", "P100-DOCK"), echo("S100", "S100-GATE"));
    let drifts = compare(&changed, &rules());
    assert_eq!(drifts.len(), 1, "{drifts:#?}");
    assert_eq!(drifts[0].path.as_deref(), Some("$.dock"));
}
