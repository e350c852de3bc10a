use chrono::NaiveDate;
use serde_json::json;

use super::*;
use crate::compare::{Drift, StepRef};
use crate::config::waiver::{ExpiryDate, WaiverSpec};
use crate::drift_class::DriftClass;
use crate::trace::ScenarioKey;

fn drift(class: DriftClass, path: &str) -> Drift {
    Drift {
        class,
        scenario: ScenarioKey {
            sample: None,
            feature: "features/order_sync.feature".into(),
            feature_name: "Order sync".into(),
            rule: None,
            name: "Create an order".into(),
            line: 7,
            tags: vec![],
            tenant: None,
        },
        step: StepRef {
            index: 2,
            line: 10,
            text: "When I send a GET request to \"/api/orders/{{ id }}\"".into(),
        },
        service: Some("erp".into()),
        request: None,
        path: Some(path.into()),
        baseline: Some(json!("EUR")),
        candidate: Some(json!("USD")),
        message: String::new(),
    }
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn waiver(id: &str, path: &str, expires: &str) -> WaiverSpec {
    WaiverSpec {
        id: Some(id.into()),
        feature: None,
        scenario: Some("Create*".into()),
        step: None,
        service: None,
        path: Some(path.into()),
        class: Some("value_change".into()),
        reason: "intended".into(),
        owner: "erp-team".into(),
        ticket: Some("ERP-1".into()),
        expires: ExpiryDate(day(expires)),
    }
}

#[test]
fn default_severities_and_overrides() {
    let policy: PolicySpec = toml::from_str(
        r#"
        fail_on = ["error", "warning"]
        severity = { extra_field = "info", value_change = "warning" }
        "#,
    )
    .unwrap();
    let drifts = [
        drift(DriftClass::Status, "$"),
        drift(DriftClass::ExtraField, "$.eta"),
        drift(DriftClass::ValueChange, "$.currency"),
        drift(DriftClass::Order, "$.lines"),
    ];
    let gate = apply_policy(&drifts, Vec::new(), &policy, &[], day("2026-11-26"));
    let severities: Vec<Severity> = gate.marks.iter().map(|m| m.severity).collect();
    use Severity::*;
    assert_eq!(severities, [Error, Info, Warning, Warning]);
    let failing: Vec<bool> = drifts
        .iter()
        .enumerate()
        .map(|(i, d)| gate.fails(i, d))
        .collect();
    assert_eq!(failing, [true, false, true, true]);
}

#[test]
fn unknown_class_or_severity_is_refused() {
    let err = toml::from_str::<PolicySpec>(r#"severity = { valeu_change = "error" }"#).unwrap_err();
    assert!(err.to_string().contains("valeu_change"), "{err}");
    let err = toml::from_str::<PolicySpec>(r#"fail_on = ["fatal"]"#).unwrap_err();
    assert!(err.to_string().contains("fatal"), "{err}");
}

#[test]
fn waivers_waive_until_they_expire_and_unused_ones_are_listed() {
    let drifts = [drift(DriftClass::ValueChange, "$.currency")];
    let waivers = [
        waiver("EUR-USD", "$.currency", "2026-12-31"),
        waiver("OLD", "$.legacy", "2027-01-31"),
    ];
    let policy = PolicySpec::default();
    let cases = [
        ("2026-11-26", Some("EUR-USD"), None, false),
        ("2026-12-31", Some("EUR-USD"), None, false),
        ("2027-01-01", None, Some("EUR-USD"), true),
    ];
    for (today, waived, expired, fails) in cases {
        let gate = apply_policy(&drifts, Vec::new(), &policy, &waivers, day(today));
        let mark = &gate.marks[0];
        assert_eq!(mark.waived_by.as_deref(), waived, "{today}");
        assert_eq!(mark.expired_waiver.as_deref(), expired, "{today}");
        assert_eq!(gate.fails(0, &drifts[0]), fails, "{today}");
        let unused: Vec<&str> = gate.unused_waivers().map(|w| w.id.as_str()).collect();
        assert_eq!(unused, ["OLD"], "{today}");
        let expired_ids: Vec<&str> = gate.expired_waivers().map(|w| w.id.as_str()).collect();
        assert_eq!(expired_ids.len(), usize::from(expired.is_some()), "{today}");
        assert_eq!(gate.waivers[0].matched, 1, "{today}");
    }
}

#[test]
fn every_matcher_of_a_waiver_must_match() {
    let d = drift(DriftClass::ValueChange, "$.lines[3].price");
    let cases = [
        (r#"path = "$.lines[*].price""#, true),
        (r#"path = "$.lines[*].qty""#, false),
        (r#"class = "*_change""#, true),
        (
            r#"class = "value_change"
            scenario = "Cancel*""#,
            false,
        ),
        (
            r#"step = "When I send a GET*"
            service = "erp""#,
            true,
        ),
        (r#"feature = "*inventory*""#, false),
    ];
    for (matchers, expected) in cases {
        let text = format!("{matchers}\nreason = \"r\"\nowner = \"o\"\nexpires = 2026-12-31\n");
        let w: WaiverSpec = toml::from_str(&text).unwrap();
        assert_eq!(w.matches(&d), expected, "{matchers}");
    }
}

#[test]
fn a_waiver_needs_a_matcher_an_owner_and_a_real_date() {
    let w: WaiverSpec =
        toml::from_str("reason = \"r\"\nowner = \"o\"\nexpires = \"2026-12-31\"").unwrap();
    assert_eq!(w.validate().unwrap_err().0, "scenario");
    let w: WaiverSpec =
        toml::from_str("path = \"$\"\nreason = \"r\"\nowner = \" \"\nexpires = 2026-12-31")
            .unwrap();
    assert_eq!(w.validate().unwrap_err().0, "owner");
    let err = toml::from_str::<WaiverSpec>(
        "path = \"$\"\nreason = \"r\"\nowner = \"o\"\nexpires = \"soon\"",
    )
    .unwrap_err();
    assert!(err.to_string().contains("YYYY-MM-DD"), "{err}");
}

#[test]
fn no_policy_gate_fails_on_every_drift() {
    let gate = Gate::default();
    let d = drift(DriftClass::Order, "$.lines");
    assert!(gate.fails(0, &d));
    assert_eq!(gate.mark(0, &d).severity, Severity::Warning);
}
