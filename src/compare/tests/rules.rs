//! Comparison rules end to end through `judge_scenario`: each rule kind, its
//! scopes, header allow/deny lists, Gherkin rules, learned noise, and the
//! guarantee that no value rule hides a presence or type change.

use super::*;
use crate::config::noise::{NoiseEntry, NoiseKind};
use crate::trace::CompareRuleRecord;

fn with_rules(toml_text: &str) -> CompareRules {
    let config: crate::config::Config =
        crate::config::Config::parse(toml_text, std::path::Path::new("driftgate.toml")).unwrap();
    config.compare
}

fn judge(steps: &[StepRecord], rules: &CompareRules) -> ScenarioJudgement {
    judge_scenario(&run_header(), steps, &RuleSet::compile(rules))
}

fn pair(b: Value, c: Value) -> Vec<StepRecord> {
    single_step(passed(vec![get(200, b)]), passed(vec![get(200, c)]))
}

/// Class, path and rule of each suppressed difference.
type Hidden<'a> = Vec<(DriftClass, Option<&'a str>, &'a str)>;

fn suppressed_by(judgement: &ScenarioJudgement) -> Hidden<'_> {
    judgement
        .suppressed
        .iter()
        .map(|s| (s.drift.class, s.drift.path.as_deref(), s.by.as_str()))
        .collect()
}

#[test]
fn each_rule_kind_suppresses_its_difference_and_names_itself() {
    use DriftClass::*;
    let cases: Vec<(&str, Value, Value, Hidden<'_>)> = vec![
        (
            r#"[[compare.rules]]
               name = "amounts"
               tolerance = [{ path = "$.total", absolute = 0.01 }]"#,
            json!({"total": 10.0}),
            json!({"total": 10.004}),
            vec![(ValueChange, Some("$.total"), "rule `amounts`")],
        ),
        (
            r#"[[compare.rules]]
               unordered = ["$.tags"]"#,
            json!({"tags": ["a", "b", "c"]}),
            json!({"tags": ["c", "a", "b"]}),
            vec![(Order, Some("$.tags"), "compare.rules[0]")],
        ),
        (
            r#"[[compare.rules]]
               match_by = [{ path = "$.lines", key = "sku" }]"#,
            json!({"lines": [{"sku": "A", "qty": 1}, {"sku": "B", "qty": 2}]}),
            json!({"lines": [{"sku": "B", "qty": 2}, {"sku": "A", "qty": 1}]}),
            vec![(Order, Some("$.lines"), "compare.rules[0]")],
        ),
        (
            r#"[[compare.rules]]
               mask = [{ path = "$.note", regex = "\\d+" }]"#,
            json!({"note": "order 4711 booked"}),
            json!({"note": "order 9822 booked"}),
            vec![(ValueChange, Some("$.note"), "compare.rules[0]")],
        ),
        (
            r#"[[compare.rules]]
               case_insensitive = ["$.state"]
               ignore_whitespace = ["$.name"]"#,
            json!({"state": "NEW", "name": "Müller  GmbH"}),
            json!({"state": "new", "name": " Müller GmbH"}),
            vec![
                (ValueChange, Some("$.state"), "compare.rules[0]"),
                (ValueChange, Some("$.name"), "compare.rules[0]"),
            ],
        ),
        (
            r#"[[compare.rules]]
               format_only = ["$.createdAt"]"#,
            json!({"createdAt": "2026-11-26T10:00:00Z"}),
            json!({"createdAt": "2026-11-27T08:30:00+01:00"}),
            vec![(ValueChange, Some("$.createdAt"), "compare.rules[0]")],
        ),
        (
            r#"[compare]
               ignore = ["$.meta"]"#,
            json!({"meta": {"host": "a"}}),
            json!({"meta": {"host": "b", "new": 1}}),
            vec![
                (ValueChange, Some("$.meta.host"), "[compare] ignore"),
                (ExtraField, Some("$.meta.new"), "[compare] ignore"),
            ],
        ),
    ];
    for (config, b, c, expected) in cases {
        let judgement = judge(&pair(b, c), &with_rules(config));
        assert_eq!(judgement.drifts, [], "{config}");
        assert_eq!(suppressed_by(&judgement), expected, "{config}");
    }
}

#[test]
fn rules_keep_real_differences_as_drift() {
    use DriftClass::*;
    let cases: Vec<(&str, Value, Value, Shape<'_>)> = vec![
        (
            r#"[[compare.rules]]
               tolerance = [{ path = "$.total", absolute = 0.01 }]"#,
            json!({"total": 10.0}),
            json!({"total": 10.5}),
            vec![(ValueChange, Some("$.total"))],
        ),
        (
            r#"[[compare.rules]]
               unordered = ["$.tags"]"#,
            json!({"tags": ["a", "b"]}),
            json!({"tags": ["b", "x"]}),
            vec![(ValueChange, Some("$.tags[0]"))],
        ),
        (
            r#"[[compare.rules]]
               match_by = [{ path = "$.lines", key = "sku" }]"#,
            json!({"lines": [{"sku": "A", "qty": 1}, {"sku": "B", "qty": 2}]}),
            json!({"lines": [{"sku": "B", "qty": 3}, {"sku": "C", "qty": 1}]}),
            vec![
                (MissingElement, Some("$.lines[?@.sku=='A']")),
                (ExtraElement, Some("$.lines[?@.sku=='C']")),
                (ValueChange, Some("$.lines[1].qty")),
            ],
        ),
        (
            r#"[[compare.rules]]
               format_only = ["$.createdAt"]"#,
            json!({"createdAt": "2026-11-26T10:00:00Z"}),
            json!({"createdAt": "26.11.2026"}),
            vec![(FormatChange, Some("$.createdAt"))],
        ),
        (
            "",
            json!({"tags": ["a", "b", "c"]}),
            json!({"tags": ["c", "a", "b"]}),
            vec![(Order, Some("$.tags"))],
        ),
    ];
    for (config, b, c, expected) in cases {
        let judgement = judge(&pair(b, c), &with_rules(config));
        assert_eq!(classes(&judgement.drifts), expected, "{config}");
    }
}

#[test]
fn scoped_rules_apply_only_in_their_scope() {
    let config = with_rules(
        r#"
        [[compare.rules]]
        service = "orders"
        route = "GET /api/orders"
        tag = "@orders"
        ignore = ["$.state"]
        "#,
    );
    let b = json!({"state": "NEW"});
    let c = json!({"state": "OPEN"});
    let mut tagged = pair(b.clone(), c.clone());
    tagged[0].scenario.tags = vec!["@orders".into()];
    assert_eq!(judge(&tagged, &config).drifts, []);
    let untagged = pair(b.clone(), c.clone());
    assert_eq!(judge(&untagged, &config).drifts.len(), 1);
    let mut other_route = tagged.clone();
    other_route[0].sides = Twin::new(
        passed(vec![exchange(
            "GET",
            "https://erp.example/api/stock",
            Some(response(200, Some(Body::Json(b.clone())))),
        )]),
        passed(vec![exchange(
            "GET",
            "https://erp.example/api/stock",
            Some(response(200, Some(Body::Json(c.clone())))),
        )]),
    );
    assert_eq!(judge(&other_route, &config).drifts.len(), 1);
}

fn with_headers(status: u16, headers: &[(&str, &str)]) -> Observation {
    let mut r = response(status, None);
    r.headers = headers
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect();
    exchange("GET", "https://erp.example/api/orders", Some(r))
}

#[test]
fn headers_follow_the_allow_and_deny_lists() {
    let b = with_headers(
        200,
        &[("etag", "\"a\""), ("server", "prod-1"), ("date", "Mon")],
    );
    let c = with_headers(
        200,
        &[("etag", "\"b\""), ("server", "stg-7"), ("date", "Tue")],
    );
    let steps = single_step(passed(vec![b]), passed(vec![c]));
    let config = with_rules(
        r#"
        [compare]
        headers = ["*"]
        ignore_headers = ["date", "serv*"]
        "#,
    );
    let judgement = judge(&steps, &config);
    assert_eq!(
        classes(&judgement.drifts),
        [(DriftClass::Header, Some("header:etag"))]
    );
    let hidden: Vec<_> = suppressed_by(&judgement);
    assert_eq!(
        hidden,
        [
            (
                DriftClass::Header,
                Some("header:server"),
                "[compare] ignore"
            ),
            (DriftClass::Header, Some("header:date"), "[compare] ignore"),
        ]
    );
    let default_rules = judge(&steps, &rules());
    assert_eq!(
        default_rules.drifts,
        [],
        "only content-type is compared by default"
    );
}

#[test]
fn a_gherkin_rule_applies_to_the_previous_exchange_step_only() {
    let body = |state: &str, at: &str| json!({"state": state, "createdAt": at});
    let rule = Observation::CompareRule(CompareRuleRecord {
        ignore: vec!["$.createdAt".into()],
    });
    let steps = vec![
        step(
            0,
            "I send a GET request to \"/api/orders\"",
            passed(vec![get(200, body("NEW", "t1"))]),
            passed(vec![get(200, body("NEW", "t2"))]),
        ),
        step(
            1,
            "the responses should match across environments ignoring \"$.createdAt\"",
            passed(vec![rule.clone()]),
            passed(vec![rule]),
        ),
        step(
            2,
            "I send a GET request to \"/api/orders\"",
            passed(vec![get(200, body("NEW", "t1"))]),
            passed(vec![get(200, body("NEW", "t3"))]),
        ),
    ];
    let judgement = judge(&steps, &rules());
    assert_eq!(
        judgement
            .drifts
            .iter()
            .map(|d| (d.step.index, d.path.as_deref()))
            .collect::<Vec<_>>(),
        [(2, Some("$.createdAt"))]
    );
    assert_eq!(judgement.suppressed.len(), 1);
    assert_eq!(judgement.suppressed[0].drift.step.index, 0);
    assert_eq!(judgement.suppressed[0].by, "Gherkin rule at line 9");
}

fn noise(path: &str, kind: NoiseKind) -> NoiseEntry {
    NoiseEntry {
        learned_from: Vec::new(),
        service: "orders".into(),
        route: "GET /api/*".into(),
        path: path.into(),
        kind,
        examples: Vec::new(),
        scenarios: Vec::new(),
    }
}

#[test]
fn learned_noise_hides_value_changes_but_never_presence_type_or_format() {
    use DriftClass::*;
    let mut config = rules();
    config.learned = vec![
        noise("$.id", NoiseKind::Value),
        noise("$.at", NoiseKind::Value),
        noise("$.items", NoiseKind::Order),
    ];
    let cases: Vec<(Value, Value, Shape<'_>)> = vec![
        (
            json!({"id": "0b6c3f38-9a1e-4a53-9a57-0f3d1e2a7c11", "at": "2026-11-26T10:00:00Z", "items": [1, 2]}),
            json!({"id": "5d1e0c55-7c1a-4f0e-8a9b-3c2d1e0f9a88", "at": "2026-11-26T11:00:00Z", "items": [2, 1]}),
            vec![],
        ),
        (
            json!({"id": "a"}),
            json!({}),
            vec![(MissingField, Some("$.id"))],
        ),
        (
            json!({}),
            json!({"id": "a"}),
            vec![(ExtraField, Some("$.id"))],
        ),
        (
            json!({"id": "a"}),
            json!({"id": 1}),
            vec![(TypeChange, Some("$.id"))],
        ),
        (
            json!({"id": "a"}),
            json!({"id": null}),
            vec![(TypeChange, Some("$.id"))],
        ),
        (
            json!({"at": "2026-11-26T10:00:00Z"}),
            json!({"at": "yesterday"}),
            vec![(FormatChange, Some("$.at"))],
        ),
        (
            json!({"items": [1, 2]}),
            json!({"items": [1, 3]}),
            vec![(ValueChange, Some("$.items[1]"))],
        ),
    ];
    for (b, c, expected) in cases {
        let judgement = judge(&pair(b.clone(), c.clone()), &config);
        assert_eq!(classes(&judgement.drifts), expected, "{b} vs {c}");
    }
}

#[test]
fn large_reordered_arrays_are_one_order_drift() {
    let b: Vec<Value> = (0..2000).map(|i| json!({"n": i})).collect();
    let mut c = b.clone();
    c.reverse();
    let judgement = judge(&pair(json!({"items": b}), json!({"items": c})), &rules());
    assert_eq!(
        classes(&judgement.drifts),
        [(DriftClass::Order, Some("$.items"))]
    );
}
