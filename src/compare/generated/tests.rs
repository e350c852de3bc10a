//! Recognition of generated values: now-stamps against each side's window,
//! UUIDs and ULIDs by shape, float representation, identity keys.

use serde_json::json;

use super::*;
use crate::trace::{ScenarioKey, SideStep, StepOutcome};

fn window_step(baseline: (&str, &str), candidate: (&str, &str)) -> StepRecord {
    let side = |(started_at, finished_at): (&str, &str)| SideStep {
        outcome: StepOutcome::Passed,
        observations: vec![Observation::Window(StepWindow {
            started_at: started_at.to_owned(),
            finished_at: finished_at.to_owned(),
        })],
        captures: Default::default(),
    };
    StepRecord {
        outline_text: None,
        scenario: ScenarioKey {
            feature: "f.feature".into(),
            feature_name: "F".into(),
            rule: None,
            name: "S".into(),
            line: 1,
            tags: vec![],
            sample: None,
            tenant: None,
        },
        index: 0,
        keyword: "When ".into(),
        text: "I act".into(),
        line: 2,
        sides: crate::trace::Twin::new(side(baseline), side(candidate)),
    }
}

/// Baseline ran 10:00:00.000–10:00:00.500, candidate 10:00:01.000–10:00:01.500.
fn recognizer() -> Recognizer {
    let steps = [window_step(
        ("2026-12-01T10:00:00.000Z", "2026-12-01T10:00:00.500Z"),
        ("2026-12-01T10:00:01.000Z", "2026-12-01T10:00:01.500Z"),
    )];
    let settings = GeneratedSettings {
        clock_skew_ms: 1_000,
        ..GeneratedSettings::default()
    };
    Recognizer::for_step(settings, &steps, 0)
}

#[test]
fn now_stamps_compare_by_format_only() {
    let recognizer = recognizer();
    let same = Some(Recognised::Same(NOW_STAMP));
    let format = Some(Recognised::FormatChange);
    let cases = [
        ("2026-12-01T10:00:00.123Z", "2026-12-01T10:00:01.187Z", same),
        ("2026-12-01T10:00:00.123Z", "2026-12-01T10:00:01Z", format),
        ("2026-12-01T10:00:00.123Z", "2026-12-01", format),
        (
            "2026-12-01T11:00:00.123+01:00",
            "2026-12-01T12:00:01.187+02:00",
            same,
        ),
        (
            "2026-12-01T10:00:00.123Z",
            "2026-12-01T11:00:01.187+01:00",
            format,
        ),
        (
            "Tue, 01 Dec 2026 10:00:00 GMT",
            "Tue, 01 Dec 2026 10:00:01 GMT",
            same,
        ),
        ("2026-12-01T10:00:00.120", "2026-12-01T10:00:01.870", same),
        // A business date-time days away is compared by value.
        ("2026-12-06T10:00:00Z", "2026-12-07T10:00:00Z", None),
        // Outside the skew: 10:00:05 is 3.5 s after the candidate's step ended.
        ("2026-12-01T10:00:00.123Z", "2026-12-01T10:00:05.000Z", None),
        // Business dates without a time are never now-stamps.
        ("2026-12-01", "2026-12-02", None),
    ];
    for (b, c, expected) in cases {
        assert_eq!(recognizer.texts(b, c), expected, "{b} vs {c}");
    }
}

#[test]
fn a_side_without_a_window_has_no_now_stamps() {
    let steps = [window_step(
        ("x", "y"),
        ("2026-12-01T10:00:01Z", "2026-12-01T10:00:02Z"),
    )];
    let recognizer = Recognizer::for_step(GeneratedSettings::default(), &steps, 0);
    assert_eq!(
        recognizer.texts("2026-12-01T10:00:01.500Z", "2026-12-01T10:00:01.600Z"),
        None
    );
}

#[test]
fn identifiers_compare_by_shape() {
    let recognizer = recognizer();
    let cases = [
        (
            "0b6c3f38-9a1e-4a53-9a57-0f3d1e2a7c11",
            "4f1d0c2e-77aa-4b8e-8d2f-6a0e9c1b2d3f",
            Some(Recognised::Same(UUID)),
        ),
        (
            "0b6c3f38-9a1e-4a53-9a57-0f3d1e2a7c11",
            "0B6C3F38-9A1E-4A53-9A57-0F3D1E2A7C12",
            Some(Recognised::FormatChange),
        ),
        (
            "0b6c3f38-9a1e-4a53-9a57-0f3d1e2a7c11",
            "PO-4711",
            Some(Recognised::FormatChange),
        ),
        (
            "01JE3Z7Q8K4M2N5P6R7S8T9V0W",
            "01JE3Z7Q8M9X1Y2Z3A4B5C6D7E",
            Some(Recognised::Same(ULID)),
        ),
        (
            "adjustment 0b6c3f38-9a1e-4a53-9a57-0f3d1e2a7c11 accepted",
            "adjustment 4f1d0c2e-77aa-4b8e-8d2f-6a0e9c1b2d3f accepted",
            Some(Recognised::Same(UUID)),
        ),
        (
            "adjustment 0b6c3f38-9a1e-4a53-9a57-0f3d1e2a7c11 accepted",
            "adjustment 4f1d0c2e-77aa-4b8e-8d2f-6a0e9c1b2d3f refused",
            None,
        ),
        ("PO-4711", "PO-4712", None),
        (
            "ABCDEFGHJKMNPQRSTVWXYZABCD",
            "ABCDEFGHJKMNPQRSTVWXYZABCE",
            None,
        ),
    ];
    for (b, c, expected) in cases {
        assert_eq!(recognizer.texts(b, c), expected, "{b} vs {c}");
    }
}

#[test]
fn numbers_within_the_relative_tolerance_are_equal() {
    let recognizer = recognizer();
    let cases = [
        (
            json!(0.30000000000000004),
            json!(0.3),
            Some(Recognised::Same(FLOAT)),
        ),
        (
            json!(1e20),
            json!(1.0000000000000001e20),
            Some(Recognised::Same(FLOAT)),
        ),
        (json!(0.3), json!(0.31), None),
        (json!(1), json!(2), None),
        (json!(0), json!(1e-300), None),
    ];
    for (b, c, expected) in cases {
        assert_eq!(recognizer.values(&b, &c), expected, "{b} vs {c}");
    }
}

#[test]
fn strict_mode_recognises_nothing() {
    let steps = [window_step(
        ("2026-12-01T10:00:00Z", "2026-12-01T10:00:01Z"),
        ("2026-12-01T10:00:00Z", "2026-12-01T10:00:01Z"),
    )];
    let strict = GeneratedSettings {
        mode: GeneratedValuesMode::Strict,
        ..GeneratedSettings::default()
    };
    let recognizer = Recognizer::for_step(strict, &steps, 0);
    assert_eq!(
        recognizer.texts("2026-12-01T10:00:00.100Z", "2026-12-01T10:00:00.200Z"),
        None
    );
    assert_eq!(
        recognizer.texts(
            "0b6c3f38-9a1e-4a53-9a57-0f3d1e2a7c11",
            "4f1d0c2e-77aa-4b8e-8d2f-6a0e9c1b2d3f"
        ),
        None
    );
    assert_eq!(
        recognizer.values(&json!(0.30000000000000004), &json!(0.3)),
        None
    );
    assert_eq!(
        recognizer.identity_key(&[json!({"id": 1})], &[json!({"id": 1})]),
        None
    );
}

#[test]
fn identity_keys_are_detected_by_name_and_uniqueness() {
    let recognizer = recognizer();
    let cases = [
        (
            json!([{"id": 1, "sku": "A"}, {"id": 2, "sku": "B"}]),
            json!([{"id": 2, "sku": "B"}, {"id": 1, "sku": "A"}]),
            Some("id"),
        ),
        (
            json!([{"lineNo": 1, "qty": 2}, {"lineNo": 2, "qty": 3}]),
            json!([{"lineNo": 2, "qty": 3}]),
            Some("lineNo"),
        ),
        // Generated ids that never pair: the next identity key is used.
        (
            json!([{"adjustmentId": "a1", "sku": "A"}, {"adjustmentId": "a2", "sku": "B"}]),
            json!([{"adjustmentId": "b1", "sku": "B"}, {"adjustmentId": "b2", "sku": "A"}]),
            Some("sku"),
        ),
        // Not unique: not an identity.
        (
            json!([{"code": "X"}, {"code": "X"}]),
            json!([{"code": "X"}, {"code": "X"}]),
            None,
        ),
        (json!([{"name": "a"}]), json!([{"name": "a"}]), None),
        (json!([1, 2]), json!([2, 1]), None),
    ];
    for (b, c, expected) in cases {
        let (Value::Array(b), Value::Array(c)) = (&b, &c) else {
            unreachable!("cases are arrays");
        };
        assert_eq!(
            recognizer.identity_key(b, c).as_deref(),
            expected,
            "{b:?} vs {c:?}"
        );
    }
}
