//! Status, headers, bodies, counts and polling of HTTP exchanges.

use super::*;

#[test]
fn each_exchange_difference_is_reported_with_its_class_and_path() {
    use DriftClass::*;
    let text = |s: &str| Some(crate::trace::Body::Text(s.to_owned()));
    let json_body = |v: Value| Some(crate::trace::Body::Json(v));
    let cases: Vec<(Observation, Observation, Shape<'_>)> = vec![
        (
            get(201, json!({})),
            get(500, json!({})),
            vec![(Status, None)],
        ),
        (
            get(200, json!({"a": 1, "b": 2})),
            get(200, json!({"a": 1})),
            vec![(MissingField, Some("$.b"))],
        ),
        (
            get(200, json!({"a": 1})),
            get(200, json!({"a": 1, "c": [1]})),
            vec![(ExtraField, Some("$.c"))],
        ),
        (
            get(200, json!({"lines": [{"qty": 1}]})),
            get(200, json!({"lines": [{"qty": "1"}]})),
            vec![(TypeChange, Some("$.lines[0].qty"))],
        ),
        (
            get(200, json!({"state": null})),
            get(200, json!({"state": "NEW"})),
            vec![(TypeChange, Some("$.state"))],
        ),
        (
            get(200, json!({"total": 10})),
            get(200, json!({"total": 10.5})),
            vec![(ValueChange, Some("$.total"))],
        ),
        (
            get(200, json!({"total": 10})),
            get(200, json!({"total": 10.0})),
            vec![],
        ),
        (
            get(200, json!({"lines": [1, 2, 3]})),
            get(200, json!([])),
            vec![(TypeChange, Some("$"))],
        ),
        (
            exchange("GET", "/x", Some(response(200, json_body(json!({}))))),
            exchange("GET", "/x", Some(response(200, text("<html/>")))),
            vec![(Body, None)],
        ),
        (
            exchange("GET", "/x", Some(response(200, text("OK")))),
            exchange("GET", "/x", Some(response(200, text("NOT OK")))),
            vec![(Body, None)],
        ),
        (
            exchange("GET", "/x", Some(response(200, text("OK")))),
            exchange("GET", "/x", Some(response(200, text("OK")))),
            vec![],
        ),
        (
            exchange("GET", "/x", Some(response(204, None))),
            exchange("GET", "/x", Some(response(204, text("")))),
            vec![],
        ),
        (
            exchange("GET", "/x", Some(response(204, None))),
            exchange("GET", "/x", Some(response(200, json_body(json!({}))))),
            vec![(Status, None), (Body, None)],
        ),
    ];
    for (baseline, candidate, expected) in cases {
        let steps = single_step(passed(vec![baseline]), passed(vec![candidate]));
        let drifts = compare(&steps, &rules());
        assert_eq!(classes(&drifts), expected, "{drifts:#?}");
    }
}

#[test]
fn array_length_is_reported_with_lengths_and_the_common_prefix_is_diffed() {
    let steps = single_step(
        passed(vec![get(
            200,
            json!({"lines": [{"sku": "A"}, {"sku": "B"}]}),
        )]),
        passed(vec![get(200, json!({"lines": [{"sku": "X"}]}))]),
    );
    let drifts = compare(&steps, &rules());
    assert_eq!(
        classes(&drifts),
        [
            (DriftClass::ArrayLength, Some("$.lines")),
            (DriftClass::ValueChange, Some("$.lines[0].sku")),
        ]
    );
    assert_eq!(
        (&drifts[0].baseline, &drifts[0].candidate),
        (&Some(json!(2)), &Some(json!(1)))
    );
}

#[test]
fn ignore_rules_suppress_their_locations() {
    let document = |generated: &str, trace: &str| {
        json!({
            "generatedAt": generated,
            "lines": [{"sku": "A", "meta": {"traceId": trace}}, {"sku": "B", "traceId": trace}],
            "traceId": trace,
            "state": "NEW"
        })
    };
    let steps = single_step(
        passed(vec![get(200, document("2026-11-26T10:00:00Z", "t-1"))]),
        passed(vec![get(200, document("2026-11-26T10:00:09Z", "t-2"))]),
    );
    let cases: [(&[&str], usize); 4] = [
        (&[], 4),
        (&["$.generatedAt"], 3),
        (&["$..traceId"], 1),
        (&["$.generatedAt", "$..traceId", "not a [path"], 0),
    ];
    for (ignore, expected) in cases {
        let rules = CompareRules {
            ignore: ignore.iter().map(|path| (*path).to_owned()).collect(),
            ..rules()
        };
        assert_eq!(compare(&steps, &rules).len(), expected, "{ignore:?}");
    }
}

#[test]
fn only_listed_headers_are_compared_case_insensitively() {
    let with_headers = |headers: &[(&str, &str)]| {
        let mut response = response(200, None);
        response.headers = headers
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect();
        passed(vec![exchange("GET", "/x", Some(response))])
    };
    let steps = single_step(
        with_headers(&[
            ("content-type", "application/json"),
            ("x-plant", "P100"),
            ("x-request-id", "r-1"),
            ("etag", "\"1\""),
        ]),
        with_headers(&[
            ("content-type", "text/plain"),
            ("x-plant", "S100"),
            ("x-request-id", "r-2"),
        ]),
    );
    let rules = CompareRules {
        ignore: Vec::new(),
        headers: vec![
            "Content-Type".to_owned(),
            "X-PLANT".to_owned(),
            "ETag".to_owned(),
        ],
        ..CompareRules::default()
    };
    let drifts = compare(&steps, &rules);
    assert_eq!(
        classes(&drifts),
        [
            (DriftClass::Header, Some("header:content-type")),
            (DriftClass::Header, Some("header:etag")),
        ]
    );
    assert_eq!(
        (&drifts[1].baseline, &drifts[1].candidate),
        (&Some(json!("\"1\"")), &None)
    );
}

#[test]
fn a_transport_error_in_one_exchange_is_an_error_on_one_side() {
    let Observation::Http(mut failed) = get(200, json!({})) else {
        unreachable!("get builds an HTTP exchange")
    };
    failed.response = None;
    failed.error = Some("timed out".to_owned());
    let steps = single_step(
        passed(vec![get(200, json!({}))]),
        passed(vec![Observation::Http(failed)]),
    );
    let drifts = compare(&steps, &rules());
    assert_eq!(classes(&drifts), [(DriftClass::ErrorOneSide, None)]);
    assert_eq!(drifts[0].candidate, Some(json!("timed out")));
}

#[test]
fn differing_exchange_counts_are_drift_and_the_common_prefix_is_compared() {
    let steps = single_step(
        passed(vec![get(200, json!({"n": 1})), get(200, json!({}))]),
        passed(vec![get(200, json!({"n": 2}))]),
    );
    let drifts = compare(&steps, &rules());
    assert_eq!(
        classes(&drifts),
        [
            (DriftClass::ExchangeCount, None),
            (DriftClass::ValueChange, Some("$.n"))
        ]
    );
    assert_eq!(
        (&drifts[0].baseline, &drifts[0].candidate),
        (&Some(json!(2)), &Some(json!(1)))
    );
}

#[test]
fn a_polling_step_compares_the_last_exchange_only() {
    let polls = |states: &[&str]| {
        passed(
            states
                .iter()
                .map(|state| get(200, json!({"state": state})))
                .collect(),
        )
    };
    let baseline = polls(&["PENDING", "DONE"]);
    let candidate = polls(&["PENDING", "PENDING", "PENDING", "DONE"]);
    let polling = vec![step(
        0,
        "I poll \"/api/orders/1\" until $.state is \"DONE\"",
        baseline.clone(),
        candidate.clone(),
    )];
    assert_eq!(compare(&polling, &rules()), []);

    let sending = vec![step(
        0,
        "I send a GET request to \"/api/orders/1\"",
        baseline,
        candidate,
    )];
    assert_eq!(
        classes(&compare(&sending, &rules())),
        [
            (DriftClass::ExchangeCount, None),
            (DriftClass::ValueChange, Some("$.state"))
        ]
    );

    let failed_late = vec![step(
        0,
        "I POLL until done",
        polls(&["PENDING", "DONE"]),
        polls(&["DONE", "FAILED"]),
    )];
    assert_eq!(
        classes(&compare(&failed_late, &rules())),
        [(DriftClass::ValueChange, Some("$.state"))]
    );
}
