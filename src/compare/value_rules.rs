//! How two scalar values of the same JSON type are judged under the rules at
//! their location: tolerance, masks, case and whitespace, format-only and
//! learned noise.
//!
//! ```text
//! 10.00 vs 10.004   tolerance ±0.01          → suppressed by rule `amounts`
//! "NEW" vs "new"    case_insensitive         → suppressed
//! "2026-11-26T10:00:00Z" vs "2026-11-27T08:13:02Z"  format_only → suppressed
//! "2026-11-26T10:00:00Z" vs "26.11.2026"            format_only → format_change
//! ```
//!
//! Only called for two values of the same type that differ: a rule here never
//! sees, so never hides, a missing field or a type change.

use serde_json::Value;

use super::tree::{Act, PathAction};
use crate::drift_class::DriftClass;

/// What the rules make of two different values of the same type.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ScalarVerdict {
    /// Still drift, of this class.
    Drift(DriftClass),
    /// Not drift, because of the rule with this label.
    Suppressed(String),
}

/// Judges two different scalars of the same JSON type under `acts`.
pub(crate) fn judge_scalars(baseline: &Value, candidate: &Value, acts: &[&Act]) -> ScalarVerdict {
    if let (Value::Number(b), Value::Number(c)) = (baseline, candidate) {
        let (b, c) = (
            b.as_f64().unwrap_or(f64::NAN),
            c.as_f64().unwrap_or(f64::NAN),
        );
        if let Some(act) = acts.iter().find(|a| within_tolerance(&a.action, b, c)) {
            return ScalarVerdict::Suppressed(act.label.clone());
        }
    }
    if let (Value::String(b), Value::String(c)) = (baseline, candidate) {
        let transforms: Vec<&&Act> = acts.iter().filter(|a| is_transform(&a.action)).collect();
        if let Some(first) = transforms.first()
            && transform(b, &transforms) == transform(c, &transforms)
        {
            return ScalarVerdict::Suppressed(first.label.clone());
        }
    }
    let same_format = match (baseline, candidate) {
        (Value::String(b), Value::String(c)) => string_format(b) == string_format(c),
        _ => true,
    };
    let format_rule = acts
        .iter()
        .find(|a| matches!(a.action, PathAction::FormatOnly | PathAction::Noise));
    match format_rule {
        Some(act) if same_format => ScalarVerdict::Suppressed(act.label.clone()),
        Some(_) => ScalarVerdict::Drift(DriftClass::FormatChange),
        None => ScalarVerdict::Drift(DriftClass::ValueChange),
    }
}

fn within_tolerance(action: &PathAction, b: f64, c: f64) -> bool {
    let PathAction::Tolerance { absolute, relative } = action else {
        return false;
    };
    let delta = (b - c).abs();
    let scale = b.abs().max(c.abs());
    delta <= *absolute || (scale > 0.0 && delta / scale <= *relative)
}

fn is_transform(action: &PathAction) -> bool {
    matches!(
        action,
        PathAction::Mask { .. } | PathAction::CaseInsensitive | PathAction::IgnoreWhitespace
    )
}

/// `text` with every transform applied: masks first, then case, then whitespace.
fn transform(text: &str, acts: &[&&Act]) -> String {
    let mut out = text.to_owned();
    for act in acts {
        if let PathAction::Mask { regex, replacement } = &act.action {
            out = regex.replace_all(&out, replacement.as_str()).into_owned();
        }
    }
    if acts
        .iter()
        .any(|a| matches!(a.action, PathAction::CaseInsensitive))
    {
        out = out.to_lowercase();
    }
    if acts
        .iter()
        .any(|a| matches!(a.action, PathAction::IgnoreWhitespace))
    {
        out = out.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    out
}

/// The format of a string: `date-time` (RFC 3339), `date`, `uuid`,
/// `integer`, `decimal`, `email`, `uri`, `empty` or `text`.
pub fn string_format(text: &str) -> &'static str {
    if text.is_empty() {
        "empty"
    } else if chrono::DateTime::parse_from_rfc3339(text).is_ok() {
        "date-time"
    } else if chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok() {
        "date"
    } else if text.len() == 36 && uuid::Uuid::try_parse(text).is_ok() {
        "uuid"
    } else if text.bytes().all(|b| b.is_ascii_digit()) {
        "integer"
    } else if is_decimal(text) {
        "decimal"
    } else if is_email(text) {
        "email"
    } else if text.starts_with("http://") || text.starts_with("https://") {
        "uri"
    } else {
        "text"
    }
}

fn is_decimal(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let mut parts = digits.splitn(2, '.');
    let whole = parts.next().unwrap_or_default();
    let fraction = parts.next().unwrap_or_default();
    !whole.is_empty()
        && !fraction.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

fn is_email(text: &str) -> bool {
    text.split_once('@').is_some_and(|(user, domain)| {
        !user.is_empty() && domain.contains('.') && !text.contains(char::is_whitespace)
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn act(action: PathAction) -> Act {
        Act {
            id: (0, 0),
            action,
            label: "rule `r`".into(),
        }
    }

    #[test]
    fn formats_are_recognised() {
        let cases = [
            ("2026-11-26T10:00:00Z", "date-time"),
            ("2026-11-26T10:00:00.123+01:00", "date-time"),
            ("2026-11-26", "date"),
            ("26.11.2026", "text"),
            ("0b6c3f38-9a1e-4a53-9a57-0f3d1e2a7c11", "uuid"),
            ("4711", "integer"),
            ("-12.50", "decimal"),
            ("1.", "text"),
            ("a@b.example", "email"),
            ("https://erp.example/x", "uri"),
            ("", "empty"),
            ("NaN", "text"),
        ];
        for (text, format) in cases {
            assert_eq!(string_format(text), format, "{text}");
        }
    }

    #[test]
    fn each_rule_suppresses_only_what_it_covers() {
        let mask = PathAction::Mask {
            regex: regex::Regex::new(r"\d+").unwrap(),
            replacement: "#".into(),
        };
        let tol = PathAction::Tolerance {
            absolute: 0.01,
            relative: 0.0,
        };
        let rel = PathAction::Tolerance {
            absolute: 0.0,
            relative: 0.01,
        };
        let suppressed = ScalarVerdict::Suppressed("rule `r`".into());
        let value = ScalarVerdict::Drift(DriftClass::ValueChange);
        let cases = [
            (tol.clone(), json!(10.0), json!(10.004), suppressed.clone()),
            (tol.clone(), json!(10.0), json!(10.02), value.clone()),
            (rel.clone(), json!(1000), json!(1009), suppressed.clone()),
            (rel, json!(1000), json!(1011), value.clone()),
            (tol, json!("1"), json!("2"), value.clone()),
            (
                mask.clone(),
                json!("order 4711"),
                json!("order 9822"),
                suppressed.clone(),
            ),
            (
                mask,
                json!("order 4711"),
                json!("invoice 9822"),
                value.clone(),
            ),
            (
                PathAction::CaseInsensitive,
                json!("NEW"),
                json!("new"),
                suppressed.clone(),
            ),
            (
                PathAction::CaseInsensitive,
                json!("NEW"),
                json!("OLD"),
                value.clone(),
            ),
            (
                PathAction::IgnoreWhitespace,
                json!(" a  b"),
                json!("a b "),
                suppressed.clone(),
            ),
            (
                PathAction::IgnoreWhitespace,
                json!("ab"),
                json!("a b"),
                value,
            ),
            (
                PathAction::FormatOnly,
                json!("2026-11-26T10:00:00Z"),
                json!("2026-12-01T08:00:00+01:00"),
                suppressed.clone(),
            ),
            (
                PathAction::FormatOnly,
                json!("2026-11-26T10:00:00Z"),
                json!("26.11.2026"),
                ScalarVerdict::Drift(DriftClass::FormatChange),
            ),
            (
                PathAction::FormatOnly,
                json!(true),
                json!(false),
                suppressed.clone(),
            ),
            (PathAction::Noise, json!("a1"), json!("b2"), suppressed),
            (
                PathAction::Noise,
                json!("0b6c3f38-9a1e-4a53-9a57-0f3d1e2a7c11"),
                json!("n/a"),
                ScalarVerdict::Drift(DriftClass::FormatChange),
            ),
        ];
        for (action, b, c, expected) in cases {
            let a = act(action);
            assert_eq!(
                judge_scalars(&b, &c, &[&a]),
                expected,
                "{:?} {b} {c}",
                a.action
            );
        }
    }
}
