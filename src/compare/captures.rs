//! Captured values across the two sides: a captured value keeps its JSON
//! type, and a drift that shows a capture's placeholder also shows what the
//! placeholder stands for on each side.
//!
//! ```text
//! step 1 captures orderId: 4711 (a number) in baseline, "9822" (a string) in candidate
//! ──▶ type_change  captured:orderId  4711 → "9822"
//!
//! value_change  GET /api/orders/<captured:orderId>  $.state  "NEW" → "OPEN"
//!   message: $.state is "NEW" in baseline, "OPEN" in candidate
//!            (<captured:orderId> is 4711 in baseline, 9822 in candidate)
//! ```

use std::collections::BTreeSet;

use serde_json::Value;

use super::finding::{Finding, Site};
use super::json_diff::type_name;
use super::{Drift, Normalizer};
use crate::drift_class::DriftClass;
use crate::trace::StepRecord;

/// A `type_change` for every value this step captured on both sides with
/// different JSON types (a number in one, a string in the other).
pub(super) fn compare_capture_types(
    step: &StepRecord,
    site: &Site<'_>,
) -> Vec<(Drift, Option<String>)> {
    let (baseline, candidate) = (
        &step.sides.baseline.captures,
        &step.sides.candidate.captures,
    );
    baseline
        .iter()
        .filter_map(|(name, b)| {
            let c = candidate.get(name)?;
            (std::mem::discriminant(b) != std::mem::discriminant(c)).then(|| {
                site.placed(Finding {
                    class: DriftClass::TypeChange,
                    path: Some(format!("captured:{name}")),
                    baseline: Some(b.clone()),
                    candidate: Some(c.clone()),
                    message: format!(
                        "captured `{name}` is {} in baseline ({b}), {} in candidate ({c})",
                        type_name(b),
                        type_name(c)
                    ),
                    suppressed_by: None,
                })
            })
        })
        .collect()
}

/// Appends to the drift's message the real values behind every capture
/// placeholder the drift shows.
pub(super) fn show_captured_values(drift: &mut Drift, normalizer: &Normalizer) {
    let mut names = BTreeSet::new();
    let shown = [
        drift.request.clone(),
        drift.path.clone(),
        drift.baseline.as_ref().map(Value::to_string),
        drift.candidate.as_ref().map(Value::to_string),
        Some(drift.message.clone()),
    ];
    for text in shown.iter().flatten() {
        names.extend(placeholder_names(text));
    }
    let notes: Vec<String> = names
        .into_iter()
        .filter_map(|name| {
            let values = normalizer.captured_values(&name)?;
            Some(format!(
                "<captured:{name}> is {} in baseline, {} in candidate",
                values.baseline, values.candidate
            ))
        })
        .collect();
    if !notes.is_empty() {
        drift.message = format!("{}{NOTE_OPEN}{})", drift.message, notes.join("; "));
    }
}

/// How the note on captured values starts inside a drift's message.
const NOTE_OPEN: &str = " (";

/// The note [`show_captured_values`] appended to a drift's message, for
/// reports that show the request line rather than the message:
/// `<captured:orderId> is 4711 in baseline, 9822 in candidate`.
pub fn captured_note(drift: &Drift) -> Option<&str> {
    let at = drift.message.rfind(" (<captured:")?;
    drift.message[at + NOTE_OPEN.len()..].strip_suffix(')')
}

/// The names of the `<captured:NAME>` placeholders in `text`.
fn placeholder_names(text: &str) -> Vec<String> {
    const OPEN: &str = "<captured:";
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(OPEN) {
        rest = &rest[at + OPEN.len()..];
        if let Some(end) = rest
            .find(['>', '<'])
            .filter(|end| rest[*end..].starts_with('>'))
        {
            names.push(rest[..end].to_owned());
            rest = &rest[end..];
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_note_on_captured_values_is_found_again_in_the_message() {
        let notes = |message: &str| {
            let drift = Drift {
                class: DriftClass::Status,
                scenario: crate::trace::ScenarioKey {
                    feature: "f.feature".into(),
                    feature_name: "F".into(),
                    rule: None,
                    name: "S".into(),
                    line: 1,
                    tags: vec![],
                    sample: None,
                    tenant: None,
                },
                step: super::super::StepRef {
                    index: 0,
                    line: 2,
                    text: "When I act".into(),
                },
                service: None,
                request: None,
                path: None,
                baseline: None,
                candidate: None,
                message: message.to_owned(),
            };
            captured_note(&drift).map(str::to_owned)
        };
        assert_eq!(
            notes("status 200 in baseline, 404 in candidate (<captured:id> is 1 in baseline, 2 in candidate)")
                .as_deref(),
            Some("<captured:id> is 1 in baseline, 2 in candidate")
        );
        assert_eq!(
            notes("status 200 in baseline, 404 in candidate (really)"),
            None
        );
    }

    #[test]
    fn placeholder_names_are_found_in_any_text() {
        let cases = [
            ("GET /api/orders/<captured:orderId>/lines", vec!["orderId"]),
            ("<captured:a> and <captured:b#2>", vec!["a", "b#2"]),
            ("<captured:open <captured:x>", vec!["x"]),
            ("no placeholder", vec![]),
        ];
        for (text, expected) in cases {
            assert_eq!(placeholder_names(text), expected, "{text}");
        }
    }
}
