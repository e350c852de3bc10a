use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Value, json};

use super::{GeneratedValues, Scope, TemplateEngine, TemplateError};

/// The variables and environment one side of a test step sees.
struct Side {
    vars: BTreeMap<String, Value>,
    env_name: &'static str,
    env_vars: BTreeMap<String, String>,
    generated: Arc<GeneratedValues>,
}

impl Side {
    fn new(env_name: &'static str, plant: &str) -> Side {
        let vars = [
            ("orderNo", json!("PO-1001")),
            ("qty", json!(3)),
            ("price", json!(2.5)),
            ("order", json!({"lines": [{"sku": "A-1"}]})),
        ];
        Side {
            vars: vars.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
            env_name,
            env_vars: [("plant".to_owned(), plant.to_owned())].into(),
            generated: Arc::default(),
        }
    }

    fn sharing(mut self, generated: &Arc<GeneratedValues>) -> Side {
        self.generated = generated.clone();
        self
    }

    fn scope(&self) -> Scope<'_> {
        Scope {
            vars: &self.vars,
            env_name: self.env_name,
            env_vars: &self.env_vars,
            generated: &self.generated,
        }
    }

    fn render(&self, template: &str) -> Result<String, TemplateError> {
        TemplateEngine::new().render(template, self.scope())
    }

    fn rendered(&self, template: &str) -> String {
        self.render(template)
            .unwrap_or_else(|e| panic!("{template} failed: {e}"))
    }
}

fn baseline() -> Side {
    Side::new("baseline", "P100")
}

#[test]
fn renders_variables_and_environment() {
    let side = baseline();
    let cases = [
        ("{{ orderNo }}", "PO-1001"),
        (
            "POST /api/plants/{{ env.plant }}/orders",
            "POST /api/plants/P100/orders",
        ),
        ("{{ env.name }}", "baseline"),
        (
            "{{ env.name }}:{{ env.plant }}:{{ orderNo }}",
            "baseline:P100:PO-1001",
        ),
        ("{{ qty }}", "3"),
        ("{{ price }}", "2.5"),
        ("{{ order.lines[0].sku }}", "A-1"),
        ("{{ orderNo | lower }}", "po-1001"),
        ("{% if qty > 2 %}bulk{% else %}single{% endif %}", "bulk"),
        ("<{{ orderNo }}>&", "<PO-1001>&"),
        ("{{ orderNo }}\n", "PO-1001\n"),
    ];
    for (template, expected) in cases {
        assert_eq!(side.rendered(template), expected, "{template}");
    }
}

#[test]
fn each_environment_sees_its_own_variables() {
    let candidate = Side::new("candidate", "P200");
    assert_eq!(
        candidate.rendered("{{ env.name }}/{{ env.plant }}"),
        "candidate/P200"
    );
}

#[test]
fn text_without_template_syntax_is_returned_unchanged() {
    let side = baseline();
    for text in [
        "plain text",
        "",
        "{ orderNo }",
        "}} {not a template} {# no comment",
        "$.id == 42",
    ] {
        assert_eq!(side.render(text).as_deref(), Ok(text), "{text:?}");
    }
}

#[test]
fn an_undefined_variable_is_an_error_naming_it() {
    let side = baseline();
    let cases = [
        ("{{ shipmentNo }}", "shipmentNo"),
        ("GET /orders/{{ shipmentNo }}/lines", "shipmentNo"),
        ("{{ orderNo }}-{{ lineNo }}", "lineNo"),
        ("{{ env.tenant }}", "env.tenant"),
        ("{{ shipmentNo | upper }}", "shipmentNo"),
        ("{{ shipmentNo ~ orderNo }}", "shipmentNo"),
        ("{{ orderNo ~ shipmentNo }}", "shipmentNo"),
        ("{{ shipment.id }}", "shipment"),
        ("{{ order.missing }}", "order.missing"),
        ("{% if shipmentNo %}x{% endif %}", "shipmentNo"),
        ("Größe {{ shipmentNo }}", "shipmentNo"),
        ("{{ lineNo }}{{ shipmentNo }}", "lineNo"),
        ("{{ order.lines[5].sku }}", "order.lines[5].sku"),
    ];
    for (template, name) in cases {
        assert_eq!(
            side.render(template),
            Err(TemplateError::Undefined {
                name: name.to_owned(),
                template: template.to_owned(),
            }),
            "{template}"
        );
    }
}

#[test]
fn an_undefined_variable_without_its_capture_names_the_capture() {
    let mut side = baseline();
    side.vars.remove("orderNo");
    let error = side
        .render(r#"{"orderNo": "{{ orderNo }}"}"#)
        .expect_err("undefined");
    let TemplateError::Undefined { name, .. } = &error else {
        panic!("expected Undefined, got {error:?}");
    };
    assert_eq!(name, "orderNo");
    assert!(error.to_string().contains("`orderNo`"), "{error}");
}

#[test]
fn malformed_templates_are_invalid() {
    let side = baseline();
    for template in [
        "{{ orderNo ",
        "{% if %}",
        "{{ 1 + }}",
        "{% for x in %}{% endfor %}",
        "{{ orderNo }} {% endif %}",
    ] {
        match side.render(template) {
            Err(TemplateError::Invalid {
                template: named,
                message,
            }) => {
                assert_eq!(named, template);
                assert!(!message.is_empty(), "{template}");
            }
            other => panic!("{template}: expected Invalid, got {other:?}"),
        }
    }
}

#[test]
fn uuid_is_twinned_by_call_order_across_sides() {
    let step = Arc::new(GeneratedValues::default());
    let baseline_side = baseline().sharing(&step);
    let candidate_side = Side::new("candidate", "P200").sharing(&step);
    let template = "{{ uuid() }} {{ uuid() }}";

    step.start_side();
    let on_baseline = baseline_side.rendered(template);
    step.start_side();
    let on_candidate = candidate_side.rendered(template);

    assert_eq!(on_baseline, on_candidate);
    let (first, second) = on_baseline.split_once(' ').expect("two uuids");
    assert_ne!(first, second);
    for value in [first, second] {
        assert!(uuid::Uuid::try_parse(value).is_ok(), "{value}");
    }

    let next_step = baseline().sharing(&Arc::new(GeneratedValues::default()));
    let fresh = next_step.rendered("{{ uuid() }}");
    assert_ne!(fresh, first);
    assert_ne!(fresh, second);
}

#[test]
fn twinning_spans_separate_renders_of_one_side() {
    let step = Arc::new(GeneratedValues::default());
    let side = baseline().sharing(&step);
    step.start_side();
    let path_id = side.rendered("{{ uuid() }}");
    let body_id = side.rendered("{{ uuid() }}");
    step.start_side();
    assert_eq!(side.rendered("{{ uuid() }}"), path_id);
    assert_eq!(side.rendered("{{ uuid() }}"), body_id);
    assert_ne!(path_id, body_id);
}

#[test]
fn without_start_side_every_call_is_new() {
    let step = Arc::new(GeneratedValues::default());
    let side = baseline().sharing(&step);
    let first = side.rendered("{{ uuid() }}");
    assert_ne!(side.rendered("{{ uuid() }}"), first);
}

#[test]
fn now_formats_with_strftime_and_is_twinned() {
    let before = chrono::Utc::now().format("%Y").to_string();
    let year = baseline().rendered("{{ now('%Y') }}");
    let after = chrono::Utc::now().format("%Y").to_string();
    assert!(year == before || year == after, "{year}");

    let step = Arc::new(GeneratedValues::default());
    let side = baseline().sharing(&step);
    step.start_side();
    let stamp = side.rendered("{{ now() }}");
    assert!(
        chrono::DateTime::parse_from_rfc3339(&stamp).is_ok(),
        "{stamp}"
    );
    assert!(stamp.ends_with('Z'), "{stamp}");
    step.start_side();
    assert_eq!(side.rendered("{{ now() }}"), stamp);
}

#[test]
fn today_is_the_utc_date() {
    let before = chrono::Utc::now().date_naive();
    let today = baseline().rendered("{{ today() }}");
    let after = chrono::Utc::now().date_naive();
    let parsed = chrono::NaiveDate::parse_from_str(&today, "%Y-%m-%d").expect("a date");
    assert_eq!(today.len(), 10, "{today}");
    assert!(parsed == before || parsed == after, "{today}");

    let dotted = baseline().rendered("{{ today('%d.%m.%Y') }}");
    assert!(
        chrono::NaiveDate::parse_from_str(&dotted, "%d.%m.%Y").is_ok(),
        "{dotted}"
    );
}

#[test]
fn a_bad_time_format_is_invalid() {
    let error = baseline()
        .render("{{ now('%Q') }}")
        .expect_err("bad format");
    assert!(matches!(error, TemplateError::Invalid { .. }), "{error:?}");
}

#[test]
fn random_int_respects_its_bounds() {
    let side = baseline();
    assert_eq!(side.rendered("{{ random_int(1, 1) }}"), "1");
    assert_eq!(side.rendered("{{ random_int(-2, -2) }}"), "-2");
    for _ in 0..20 {
        let n: i64 = side
            .rendered("{{ random_int(5, 7) }}")
            .parse()
            .expect("an integer");
        assert!((5..=7).contains(&n), "{n}");
    }
    match side.render("{{ random_int(5, 1) }}") {
        Err(TemplateError::Invalid { message, .. }) => {
            assert!(message.contains("random_int(5, 1)"), "{message}");
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[test]
fn random_string_refuses_absurd_lengths() {
    let side = baseline();
    assert_eq!(side.rendered("{{ random_string(0) }}"), "");
    match side.render("{{ random_string(10000000000) }}") {
        Err(TemplateError::Invalid { message, .. }) => {
            assert!(message.contains("at most 65536"), "{message}");
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[test]
fn random_values_are_twinned_too() {
    let step = Arc::new(GeneratedValues::default());
    let side = baseline().sharing(&step);
    let template = "{{ random_int(1, 1000000000) }}/{{ random_string(12) }}";
    step.start_side();
    let first = side.rendered(template);
    step.start_side();
    assert_eq!(side.rendered(template), first);
    let (_, text) = first.split_once('/').expect("two values");
    assert_eq!(text.len(), 12);
    assert!(text.chars().all(|c| c.is_ascii_alphanumeric()), "{text}");
}

#[test]
fn a_json_body_keeps_numbers_as_numbers() {
    let body = baseline().rendered(
        r#"{"orderNo": "{{ orderNo }}", "qty": {{ qty }}, "price": {{ price }}, "plant": "{{ env.plant }}"}"#,
    );
    let parsed: Value = serde_json::from_str(&body).expect("valid JSON");
    assert_eq!(
        parsed,
        json!({"orderNo": "PO-1001", "qty": 3, "price": 2.5, "plant": "P100"})
    );
    assert!(parsed["qty"].is_u64());
}

#[test]
fn render_value_uses_an_arbitrary_context() {
    let ctx = minijinja::context! { request => minijinja::context! { id => "42" } };
    assert_eq!(
        TemplateEngine::default().render_value("order {{ request.id }}", ctx),
        Ok("order 42".to_owned())
    );
    let missing = TemplateEngine::default().render_value("{{ nope }}", minijinja::context! {});
    assert!(
        matches!(missing, Err(TemplateError::Undefined { ref name, .. }) if name == "nope"),
        "{missing:?}"
    );
}

#[test]
fn functions_work_without_a_shared_generator() {
    let value = TemplateEngine::default()
        .render_value("{{ uuid() }}", minijinja::context! {})
        .expect("renders");
    assert!(uuid::Uuid::try_parse(&value).is_ok(), "{value}");
}

#[test]
fn control_numbers_are_nine_digits_twinned_and_keyed() {
    let generated = Arc::new(GeneratedValues::default());
    let b = baseline().sharing(&generated);
    let template =
        r#"{{ control_number("isa") }} {{ control_number() }} {{ control_number("isa") }}"#;
    let first = b.rendered(template);
    let parts: Vec<&str> = first.split(' ').collect();
    assert!(
        parts
            .iter()
            .all(|p| p.len() == 9 && p.chars().all(|c| c.is_ascii_digit())),
        "{first}"
    );
    assert_eq!(parts[0], parts[2], "same key, same number");
    generated.start_side();
    let c = Side::new("candidate", "S100").sharing(&generated);
    assert_eq!(c.rendered(template), first, "twinned across sides");
}

#[test]
fn fixed_width_edi_fields_pad_with_format() {
    assert_eq!(
        baseline().rendered(r#"{{ "%-15s" | format(env.plant) }}|"#),
        "P100           |"
    );
}

/// A side whose variables have every JSON type.
fn typed_side() -> Side {
    let mut side = Side::new("production", "P100");
    for (name, value) in [
        ("orderId", json!(7)),
        ("paid", json!(true)),
        ("note", json!(null)),
        ("customer", json!({"id": "CUST-1", "tags": ["a"]})),
        ("quote", json!("say \"hi\"")),
    ] {
        side.vars.insert(name.to_owned(), value);
    }
    side
}

#[test]
fn a_whole_string_value_in_json_keeps_its_type() {
    let side = typed_side();
    let body = r#"{ "id": "{{ orderId }}", "paid": "{{ paid }}", "note": "{{ note }}",
  "customer": "{{ customer }}", "orderNo": "{{ orderNo }}", "quote": "{{ quote }}",
  "plant": "{{ env.plant }}", "sku": "{{ order.lines[0].sku }}", "qty": {{ qty }} }"#;
    let rendered = TemplateEngine::new()
        .render_json(body, side.scope())
        .unwrap();
    let value: Value = serde_json::from_str(&rendered).unwrap();
    assert_eq!(
        value,
        json!({"id": 7, "paid": true, "note": null, "customer": {"id": "CUST-1", "tags": ["a"]},
               "orderNo": "PO-1001", "quote": "say \"hi\"", "plant": "P100", "sku": "A-1", "qty": 3})
    );
}

#[test]
fn a_string_filter_or_surrounding_text_keeps_a_string() {
    let side = typed_side();
    let rendered = TemplateEngine::new()
        .render_json(
            r#"{"id": "{{ orderId | string }}", "ref": "PO-{{ orderId }}"}"#,
            side.scope(),
        )
        .unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&rendered).unwrap(),
        json!({"id": "7", "ref": "PO-7"})
    );
    // Text that is not JSON renders as text.
    let xml = TemplateEngine::new()
        .render_json(r#"<order id="{{ orderId }}"/>"#, side.scope())
        .unwrap();
    assert_eq!(xml, r#"<order id="7"/>"#);
}

#[test]
fn an_undefined_value_in_json_names_the_template_as_written() {
    let side = typed_side();
    let e = TemplateEngine::new()
        .render_json(r#"{"id": "{{ orderIdd }}"}"#, side.scope())
        .unwrap_err();
    assert_eq!(
        e,
        TemplateError::Undefined {
            name: "orderIdd".into(),
            template: r#"{"id": "{{ orderIdd }}"}"#.into()
        }
    );
}

#[test]
fn a_table_cell_of_one_value_keeps_its_type() {
    let side = typed_side();
    let engine = TemplateEngine::new();
    let cell = |text: &str| engine.render_typed(text, side.scope()).unwrap();
    assert_eq!(cell("{{ orderId }}"), json!(7));
    assert_eq!(cell("{{ paid }}"), json!(true));
    assert_eq!(cell("{{ note }}"), json!(null));
    assert_eq!(
        cell("{{ customer }}"),
        json!({"id": "CUST-1", "tags": ["a"]})
    );
    assert_eq!(cell("{{ orderNo }}"), json!("PO-1001"));
    assert_eq!(cell("{{ orderId | string }}"), json!("7"));
    assert_eq!(cell("#{{ orderId }}"), json!("#7"));
}
