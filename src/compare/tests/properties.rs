//! Properties that must hold for any JSON: a document never differs from
//! itself under any rules, normalisation is idempotent, and no rule except
//! `ignore` hides a missing field or a type change.

use proptest::prelude::*;

use super::*;
use crate::compare::tree::{Act, PathAction, RuleNode};
use crate::compare::walk::diff_with_rules;

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i32>().prop_map(Value::from),
        (-1.0e6f64..1.0e6).prop_map(Value::from),
        "[a-zA-Z0-9 :<>-]{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::from),
            prop::collection::btree_map("[a-e]{1,2}", inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Every value-changing rule (everything but `ignore`) at every location.
fn value_rules_everywhere(document: &Value) -> RuleNode {
    let actions = [
        PathAction::Tolerance {
            absolute: 1.0e9,
            relative: 1.0,
        },
        PathAction::Mask {
            regex: regex::Regex::new(".+").unwrap(),
            replacement: "#".into(),
        },
        PathAction::CaseInsensitive,
        PathAction::IgnoreWhitespace,
        PathAction::FormatOnly,
        PathAction::Noise,
        PathAction::Unordered,
    ];
    let all = serde_json_path::JsonPath::parse("$..*").unwrap();
    let mut tree = RuleNode::default();
    for (i, action) in actions.into_iter().enumerate() {
        let act = Act {
            id: (0, i),
            action,
            label: format!("rule {i}"),
        };
        tree.insert_at(&[], &act);
        for location in all.query_located(document).locations() {
            tree.insert(location, &act);
        }
    }
    tree
}

/// A copy of `document` with one object member removed or retyped, and the
/// path of that member; `None` when the document has no object member.
fn mutate(document: &Value, pick: usize, retype: bool) -> Option<(Value, String)> {
    let all = serde_json_path::JsonPath::parse("$..*").unwrap();
    let members: Vec<String> = all
        .query_located(document)
        .locations()
        .filter(|l| {
            l.iter()
                .all(|e| matches!(e, serde_json_path::PathElement::Name(_)))
        })
        .map(|l| l.to_string())
        .collect();
    let path = members.get(pick % members.len().max(1))?.clone();
    let mut copy = document.clone();
    let mut node = &mut copy;
    let names: Vec<String> = serde_json_path::JsonPath::parse(&path)
        .unwrap()
        .query_located(document)
        .locations()
        .next()?
        .iter()
        .filter_map(|e| match e {
            serde_json_path::PathElement::Name(n) => Some((*n).to_owned()),
            serde_json_path::PathElement::Index(_) => None,
        })
        .collect();
    let (last, parents) = names.split_last()?;
    for name in parents {
        node = node.get_mut(name)?;
    }
    let object = node.as_object_mut()?;
    if retype {
        let old = object.get(last)?;
        let new = if old.is_string() {
            json!(1)
        } else {
            json!("retyped")
        };
        object.insert(last.clone(), new);
    } else {
        object.remove(last);
    }
    let shown = names
        .iter()
        .fold(String::from("$"), |p, n| format!("{p}.{n}"));
    debug_assert!(path.starts_with("$['"));
    Some((copy, shown))
}

proptest! {
    #[test]
    fn a_document_never_differs_from_itself(doc in json_value()) {
        prop_assert_eq!(diff_with_rules(&doc, &doc, &RuleNode::default()), vec![]);
        prop_assert_eq!(diff_with_rules(&doc, &doc, &value_rules_everywhere(&doc)), vec![]);
    }

    #[test]
    fn normalisation_is_idempotent(
        doc in json_value(),
        captured in "[a-zA-Z0-9<>:-]{1,8}",
        plant in "[A-Z0-9]{1,6}",
    ) {
        let environments = Twin::new(
            EnvironmentRef { name: "p".into(), variables: [("plant".to_owned(), plant)].into() },
            EnvironmentRef { name: "s".into(), variables: [("plant".to_owned(), "other".to_owned())].into() },
        );
        let captures = Twin::new(
            [("id".to_owned(), Value::from(captured))].into(),
            BTreeMap::new(),
        );
        let normalizer = Normalizer::new(&environments, &captures);
        for side in Side::BOTH {
            let once = normalizer.normalize_value(side, &doc);
            prop_assert_eq!(normalizer.normalize_value(side, &once), once);
        }
    }

    #[test]
    fn value_rules_never_hide_presence_or_type_changes(
        doc in json_value(),
        pick in any::<usize>(),
        retype in any::<bool>(),
    ) {
        if let Some((changed, path)) = mutate(&doc, pick, retype) {
            let tree = value_rules_everywhere(&doc);
            let found = diff_with_rules(&doc, &changed, &tree);
            let wanted = if retype { DriftClass::TypeChange } else { DriftClass::MissingField };
            prop_assert!(
                found.iter().any(|d| d.suppressed_by.is_none() && d.class == wanted && d.path == path),
                "{:?} at {} not reported: {:?}", wanted, path, found
            );
        }
    }
}
