//! Structural JSON diff: walks a baseline and a candidate document side by
//! side and lists every difference at its location.
//!
//! ```text
//! baseline   {"id": 7,   "items": [{"sku": "A"}, {"sku": "B"}], "total": 10}
//! candidate  {"id": "7", "items": [{"sku": "A"}],               "total": 10.0, "eta": null}
//!
//! type_change   $.id     7 → "7"
//! array_length  $.items  2 → 1
//! extra_field   $.eta    – → null
//! ```
//!
//! Numbers compare numerically (`10 == 10.0`). Locations held in an
//! [`IgnoreSet`] (built from the `[compare] ignore` JSONPath rules), and
//! everything below them, are never reported.

use std::collections::BTreeMap;

use serde_json::{Number, Value};
use serde_json_path::{JsonPath, PathElement};

use super::tree::{Act, PathAction, RuleNode};
use super::walk::diff_with_rules;
use crate::drift_class::DriftClass;

/// One difference between two JSON documents.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonDifference {
    /// Kind of difference: missing/extra field, type/value change or array length.
    pub class: DriftClass,
    /// Where, e.g. `$.items[0].sku` or `$['unit price']`.
    pub path: String,
    /// The baseline's value there; `None` when the baseline has none.
    pub baseline: Option<Value>,
    /// The candidate's value there; `None` when the candidate has none.
    pub candidate: Option<Value>,
}

/// One step into a JSON document: an object member or an array element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment<'a> {
    /// The member of an object with this name.
    Name(&'a str),
    /// The element of an array at this position.
    Index(usize),
}

impl<'a> From<&PathElement<'a>> for Segment<'a> {
    fn from(element: &PathElement<'a>) -> Self {
        match element {
            PathElement::Name(name) => Segment::Name(name),
            PathElement::Index(index) => Segment::Index(*index),
        }
    }
}

/// Locations of a document pair whose differences are not reported, with
/// everything below them.
///
/// Stored as a tree of segments, so the diff walks it alongside the
/// documents and pays nothing per node when no rule reaches there.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IgnoreSet {
    root: IgnoreNode,
}

/// One location of an [`IgnoreSet`] and the ignored locations below it.
#[derive(Debug, Clone, Default, PartialEq)]
struct IgnoreNode {
    ignored: bool,
    names: BTreeMap<String, IgnoreNode>,
    indices: BTreeMap<usize, IgnoreNode>,
}

impl IgnoreNode {
    fn child(&self, segment: Segment<'_>) -> Option<&IgnoreNode> {
        match segment {
            Segment::Name(name) => self.names.get(name),
            Segment::Index(index) => self.indices.get(&index),
        }
    }

    fn child_mut(&mut self, segment: Segment<'_>) -> &mut IgnoreNode {
        match segment {
            Segment::Name(name) => self.names.entry(name.to_owned()).or_default(),
            Segment::Index(index) => self.indices.entry(index).or_default(),
        }
    }
}

impl IgnoreSet {
    /// Every location that any of `paths` selects in the baseline or the
    /// candidate document.
    pub fn from_paths(paths: &[JsonPath], baseline: &Value, candidate: &Value) -> IgnoreSet {
        let mut set = IgnoreSet::default();
        for path in paths {
            for document in [baseline, candidate] {
                for location in path.query_located(document).locations() {
                    let segments: Vec<Segment<'_>> = location.iter().map(Segment::from).collect();
                    set.insert(&segments);
                }
            }
        }
        set
    }

    /// Ignores `location` and everything below it (`[]` is the whole document).
    pub fn insert(&mut self, location: &[Segment<'_>]) {
        let node = location
            .iter()
            .fold(&mut self.root, |node, segment| node.child_mut(*segment));
        node.ignored = true;
    }

    /// Whether `location` is ignored, itself or through an ignored ancestor.
    pub fn contains(&self, location: &[Segment<'_>]) -> bool {
        let mut node = &self.root;
        for segment in location {
            if node.ignored {
                return true;
            }
            match node.child(*segment) {
                Some(child) => node = child,
                None => return false,
            }
        }
        node.ignored
    }

    /// Whether nothing is ignored.
    pub fn is_empty(&self) -> bool {
        self.root == IgnoreNode::default()
    }
}

/// Every difference between `baseline` and `candidate`, in document order
/// (baseline members first, then members the candidate adds).
pub fn diff_json(baseline: &Value, candidate: &Value, ignore: &IgnoreSet) -> Vec<JsonDifference> {
    let act = Act {
        id: (0, 0),
        action: PathAction::Ignore,
        label: "ignore".to_owned(),
    };
    let mut tree = RuleNode::default();
    ignore.root.place(&mut Vec::new(), &mut tree, &act);
    diff_with_rules(baseline, candidate, &tree)
        .into_iter()
        .filter(|d| d.suppressed_by.is_none())
        .map(|d| JsonDifference {
            class: d.class,
            path: d.path,
            baseline: d.baseline,
            candidate: d.candidate,
        })
        .collect()
}

impl IgnoreNode {
    /// Places `act` in `tree` at every ignored location at or below this node.
    fn place<'a>(&'a self, at: &mut Vec<Segment<'a>>, tree: &mut RuleNode, act: &Act) {
        if self.ignored {
            tree.insert_at(at, act);
        }
        for (name, node) in &self.names {
            at.push(Segment::Name(name));
            node.place(at, tree, act);
            at.pop();
        }
        for (index, node) in &self.indices {
            at.push(Segment::Index(*index));
            node.place(at, tree, act);
            at.pop();
        }
    }
}

/// Whether two JSON numbers are the same number (`1 == 1.0`).
pub(crate) fn numbers_equal(a: &Number, b: &Number) -> bool {
    if let (Some(x), Some(y)) = (a.as_i64(), b.as_i64()) {
        return x == y;
    }
    if let (Some(x), Some(y)) = (a.as_u64(), b.as_u64()) {
        return x == y;
    }
    a.as_f64() == b.as_f64()
}

/// The JSON type of a value, as named in drift messages.
pub(super) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

pub(crate) fn push_segment(path: &mut String, segment: Segment<'_>) {
    match segment {
        Segment::Name(name) => push_key(path, name),
        Segment::Index(index) => push_index(path, index),
    }
}

/// Appends `.key` for identifier-like keys, `['odd key']` for any other.
fn push_key(path: &mut String, key: &str) {
    if is_identifier(key) {
        path.push('.');
        path.push_str(key);
        return;
    }
    path.push_str("['");
    for c in key.chars() {
        if c == '\'' || c == '\\' {
            path.push('\\');
        }
        path.push(c);
    }
    path.push_str("']");
}

fn push_index(path: &mut String, index: usize) {
    path.push('[');
    path.push_str(&index.to_string());
    path.push(']');
}

fn is_identifier(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn difference(
        class: DriftClass,
        path: &str,
        baseline: Option<Value>,
        candidate: Option<Value>,
    ) -> JsonDifference {
        JsonDifference {
            class,
            path: path.to_owned(),
            baseline,
            candidate,
        }
    }

    fn ignoring(rules: &[&str], baseline: &Value, candidate: &Value) -> IgnoreSet {
        let paths: Vec<JsonPath> = rules
            .iter()
            .map(|rule| JsonPath::parse(rule).unwrap())
            .collect();
        IgnoreSet::from_paths(&paths, baseline, candidate)
    }

    fn sample_documents() -> Vec<Value> {
        vec![
            json!(null),
            json!(true),
            json!(-3),
            json!(18446744073709551615u64),
            json!(2.5),
            json!("text"),
            json!([]),
            json!({}),
            json!([1, "two", [3.0, null], {"four": 4}]),
            json!({
                "orderNo": "4711-abc",
                "customer": {"id": 12, "name": "Müller GmbH", "tags": ["b2b", "eu"]},
                "lines": [
                    {"sku": "A-1", "qty": 2, "unit price": 9.95, "meta": {"traceId": "t1"}},
                    {"sku": "B-2", "qty": 1, "unit price": 120, "meta": {"traceId": "t2"}}
                ],
                "odd'key": {"": [[], [{}]]},
                "generatedAt": "2026-11-26T10:00:00Z"
            }),
        ]
    }

    #[test]
    fn a_document_never_differs_from_itself() {
        for document in sample_documents() {
            assert_eq!(
                diff_json(&document, &document, &IgnoreSet::default()),
                [],
                "{document}"
            );
        }
    }

    #[test]
    fn each_class_is_reported_at_its_path() {
        use DriftClass::*;
        let cases = [
            (
                json!({"a": 1, "b": 2}),
                json!({"a": 1}),
                vec![difference(MissingField, "$.b", Some(json!(2)), None)],
            ),
            (
                json!({"a": 1}),
                json!({"a": 1, "c": {"d": 1}}),
                vec![difference(ExtraField, "$.c", None, Some(json!({"d": 1})))],
            ),
            (
                json!({"a": null}),
                json!({"a": "x"}),
                vec![difference(
                    TypeChange,
                    "$.a",
                    Some(json!(null)),
                    Some(json!("x")),
                )],
            ),
            (
                json!({"a": 7}),
                json!({"a": "7"}),
                vec![difference(
                    TypeChange,
                    "$.a",
                    Some(json!(7)),
                    Some(json!("7")),
                )],
            ),
            (
                json!({"a": {"b": [1, "x"]}}),
                json!({"a": {"b": [1, "y"]}}),
                vec![difference(
                    ValueChange,
                    "$.a.b[1]",
                    Some(json!("x")),
                    Some(json!("y")),
                )],
            ),
            (
                json!({"n": 1.5}),
                json!({"n": 2}),
                vec![difference(
                    ValueChange,
                    "$.n",
                    Some(json!(1.5)),
                    Some(json!(2)),
                )],
            ),
            (
                json!({"ok": true}),
                json!({"ok": false}),
                vec![difference(
                    ValueChange,
                    "$.ok",
                    Some(json!(true)),
                    Some(json!(false)),
                )],
            ),
            (
                json!({"items": [{"q": 1}, {"q": 2}, {"q": 3}]}),
                json!({"items": [{"q": 1}, {"q": 5}]}),
                vec![
                    difference(ArrayLength, "$.items", Some(json!(3)), Some(json!(2))),
                    difference(ValueChange, "$.items[1].q", Some(json!(2)), Some(json!(5))),
                ],
            ),
            (
                json!({"unit price": 1, "it's": 1, "_ok9": 1, "9lives": 1}),
                json!({"unit price": 2, "it's": 2, "_ok9": 2, "9lives": 2}),
                vec![
                    difference(
                        ValueChange,
                        "$['unit price']",
                        Some(json!(1)),
                        Some(json!(2)),
                    ),
                    difference(ValueChange, "$['it\\'s']", Some(json!(1)), Some(json!(2))),
                    difference(ValueChange, "$._ok9", Some(json!(1)), Some(json!(2))),
                    difference(ValueChange, "$['9lives']", Some(json!(1)), Some(json!(2))),
                ],
            ),
            (
                json!([1]),
                json!({"a": 1}),
                vec![difference(
                    TypeChange,
                    "$",
                    Some(json!([1])),
                    Some(json!({"a": 1})),
                )],
            ),
        ];
        for (baseline, candidate, expected) in cases {
            assert_eq!(
                diff_json(&baseline, &candidate, &IgnoreSet::default()),
                expected,
                "{baseline} vs {candidate}"
            );
        }
    }

    #[test]
    fn numbers_compare_numerically() {
        let cases = [
            (json!(1), json!(1.0), true),
            (json!(0), json!(-0.0), true),
            (json!(-1), json!(18446744073709551615u64), false),
            (
                json!(18446744073709551615u64),
                json!(18446744073709551615u64),
                true,
            ),
            (json!(2), json!(2.000001), false),
        ];
        for (a, b, equal) in cases {
            let found = diff_json(&a, &b, &IgnoreSet::default());
            assert_eq!(found.is_empty(), equal, "{a} vs {b}");
        }
    }

    #[test]
    fn ignored_locations_and_everything_below_are_not_reported() {
        let baseline = json!({
            "generatedAt": "2026-11-26T10:00:00Z",
            "lines": [{"sku": "A", "meta": {"traceId": "t1"}}, {"sku": "B", "traceId": "t2"}],
            "audit": {"by": "job-1", "at": 1},
            "total": 10
        });
        let candidate = json!({
            "generatedAt": "2026-11-26T10:00:07Z",
            "lines": [{"sku": "A", "meta": {"traceId": "x9"}}, {"sku": "B"}],
            "total": 11,
            "traceId": "only-candidate"
        });
        let ignore = ignoring(
            &["$.generatedAt", "$..traceId", "$.audit"],
            &baseline,
            &candidate,
        );
        let found = diff_json(&baseline, &candidate, &ignore);
        assert_eq!(
            found,
            [difference(
                DriftClass::ValueChange,
                "$.total",
                Some(json!(10)),
                Some(json!(11))
            )]
        );
    }

    #[test]
    fn ignoring_the_root_ignores_everything() {
        let (baseline, candidate) = (json!({"a": 1}), json!([2]));
        let ignore = ignoring(&["$"], &baseline, &candidate);
        assert_eq!(diff_json(&baseline, &candidate, &ignore), []);
    }

    #[test]
    fn ignore_set_contains_a_location_and_its_descendants_only() {
        let mut set = IgnoreSet::default();
        assert!(set.is_empty());
        set.insert(&[Segment::Name("lines"), Segment::Index(1)]);
        assert!(!set.is_empty());
        let cases: [(&[Segment<'_>], bool); 5] = [
            (&[], false),
            (&[Segment::Name("lines")], false),
            (&[Segment::Name("lines"), Segment::Index(0)], false),
            (&[Segment::Name("lines"), Segment::Index(1)], true),
            (
                &[
                    Segment::Name("lines"),
                    Segment::Index(1),
                    Segment::Name("sku"),
                ],
                true,
            ),
        ];
        for (location, expected) in cases {
            assert_eq!(set.contains(location), expected, "{location:?}");
        }
    }
}
