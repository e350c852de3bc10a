//! The rule-aware structural diff: walks a baseline and a candidate document
//! with the [`RuleNode`] tree of the rules that reach them, and lists every
//! difference — the ones that are drift, and the ones a rule suppressed,
//! each with the rule's label.
//!
//! ```text
//! baseline   {"items": ["a", "b"], "at": "2026-11-26T10:00:00Z", "id": 7}
//! candidate  {"items": ["b", "a"], "at": "2026-11-27T09:00:00Z", "id": "7"}
//! rules      format_only $.at
//!
//! order         $.items  ["a","b"] → ["b","a"]
//! value_change  $.at     … → …       suppressed by rule `timestamps`
//! type_change   $.id     7 → "7"
//! ```
//!
//! Arrays pair by position; a same-length array whose elements only moved is
//! one `order` difference. Under `unordered` elements pair as a multiset,
//! under `match_by` by their key member, and so do arrays of objects with a
//! recognised identity key (`id`, `sku`, `code`, `…Id`, `…No`), whose
//! unpaired elements are `missing_element` / `extra_element`. Scalars the
//! rules leave alone go to the [`Recognizer`] of generated values.

use std::mem::discriminant;

use serde_json::{Map, Value};

use super::Segment;
use super::generated::{KEYED_ORDER, Recognised, Recognizer};
use super::json_diff::{numbers_equal, push_segment};
use super::tree::{Act, PathAction, RuleNode};
use super::value_rules::{ScalarVerdict, judge_scalars};
use crate::drift_class::DriftClass;

/// One difference between two documents, drift or suppressed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Difference {
    /// Kind of difference.
    pub(crate) class: DriftClass,
    /// Where, e.g. `$.items[0].sku`.
    pub(crate) path: String,
    /// The baseline's value there.
    pub(crate) baseline: Option<Value>,
    /// The candidate's value there.
    pub(crate) candidate: Option<Value>,
    /// The rule that suppressed it; `None` when it is drift.
    pub(crate) suppressed_by: Option<String>,
}

/// Every difference between `baseline` and `candidate` under the rules in `tree`.
pub(crate) fn diff_with_rules(
    baseline: &Value,
    candidate: &Value,
    tree: &RuleNode,
) -> Vec<Difference> {
    diff_recognising(baseline, candidate, tree, Recognizer::STRICT)
}

/// Every difference between `baseline` and `candidate` under the rules in
/// `tree`, with generated values judged by `recognizer`.
pub(crate) fn diff_recognising(
    baseline: &Value,
    candidate: &Value,
    tree: &RuleNode,
    recognizer: Recognizer,
) -> Vec<Difference> {
    let mut walker = Walker::at("$".into(), recognizer);
    walker.compare(baseline, candidate, Some(tree), &[]);
    walker.found
}

type Node<'t> = Option<&'t RuleNode>;

/// Unpaired elements above this many per side are paired by exact equality
/// and then by position, not by probing every pair under the rules (which
/// costs one diff per pair).
pub(crate) const MAX_PROBED_ELEMENTS: usize = 256;

fn child<'t>(node: Node<'t>, segment: Segment<'_>) -> Node<'t> {
    node.and_then(|n| n.child(segment))
}

/// The node of an element pair: the baseline's index, else the candidate's.
fn element<'t>(node: Node<'t>, b: usize, c: usize) -> Node<'t> {
    child(node, Segment::Index(b)).or_else(|| child(node, Segment::Index(c)))
}

fn ignored_by(node: Node<'_>) -> Option<String> {
    node.and_then(|n| {
        n.actions
            .iter()
            .find(|a| matches!(a.action, PathAction::Ignore))
            .map(|a| a.label.clone())
    })
}

struct Walker {
    path: String,
    found: Vec<Difference>,
    recognizer: Recognizer,
}

impl Walker {
    fn at(path: String, recognizer: Recognizer) -> Walker {
        Walker {
            path,
            found: Vec::new(),
            recognizer,
        }
    }

    fn compare<'t>(&mut self, b: &Value, c: &Value, node: Node<'t>, inherited: &[&'t Act]) {
        if let Some(label) = ignored_by(node) {
            self.record_suppressed(b, c, &label);
            return;
        }
        let mut acts: Vec<&'t Act> = inherited.to_vec();
        acts.extend(node.iter().flat_map(|n| n.actions.iter()));
        let passed: Vec<&'t Act> = acts
            .iter()
            .copied()
            .filter(|a| a.action.inherited())
            .collect();
        match (b, c) {
            (Value::Object(b), Value::Object(c)) => self.compare_objects(b, c, node, &passed),
            (Value::Array(bs), Value::Array(cs)) => {
                self.compare_arrays(bs, cs, node, &acts, &passed);
            }
            (Value::Number(x), Value::Number(y)) if numbers_equal(x, y) => {}
            _ if discriminant(b) != discriminant(c) => {
                self.record(DriftClass::TypeChange, Some(b), Some(c), None);
            }
            _ if b == c => {}
            _ => match judge_scalars(b, c, &acts) {
                ScalarVerdict::Drift(DriftClass::ValueChange) => {
                    match self.recognizer.values(b, c) {
                        Some(Recognised::Same(reason)) => self.record(
                            DriftClass::ValueChange,
                            Some(b),
                            Some(c),
                            Some(reason.to_owned()),
                        ),
                        Some(Recognised::FormatChange) => {
                            self.record(DriftClass::FormatChange, Some(b), Some(c), None);
                        }
                        None => self.record(DriftClass::ValueChange, Some(b), Some(c), None),
                    }
                }
                ScalarVerdict::Drift(class) => self.record(class, Some(b), Some(c), None),
                ScalarVerdict::Suppressed(by) => {
                    self.record(DriftClass::ValueChange, Some(b), Some(c), Some(by));
                }
            },
        }
    }

    /// The plain differences below an ignored location, listed as suppressed.
    fn record_suppressed(&mut self, b: &Value, c: &Value, label: &str) {
        let mut inner = Walker::at(self.path.clone(), Recognizer::STRICT);
        inner.compare(b, c, None, &[]);
        self.found.extend(inner.found.into_iter().map(|mut d| {
            d.suppressed_by = Some(label.to_owned());
            d
        }));
    }

    fn compare_objects<'t>(
        &mut self,
        b: &Map<String, Value>,
        c: &Map<String, Value>,
        node: Node<'t>,
        inherited: &[&'t Act],
    ) {
        for (key, bv) in b {
            let segment = Segment::Name(key);
            let mark = self.enter(segment);
            match c.get(key) {
                Some(cv) => self.compare(bv, cv, child(node, segment), inherited),
                None => {
                    let by = ignored_by(child(node, segment));
                    self.record(DriftClass::MissingField, Some(bv), None, by);
                }
            }
            self.path.truncate(mark);
        }
        for (key, cv) in c.iter().filter(|(key, _)| !b.contains_key(*key)) {
            let segment = Segment::Name(key);
            let mark = self.enter(segment);
            let by = ignored_by(child(node, segment));
            self.record(DriftClass::ExtraField, None, Some(cv), by);
            self.path.truncate(mark);
        }
    }

    fn compare_arrays<'t>(
        &mut self,
        b: &[Value],
        c: &[Value],
        node: Node<'t>,
        acts: &[&'t Act],
        inherited: &[&'t Act],
    ) {
        let array_rule = acts.iter().find(|a| {
            matches!(
                a.action,
                PathAction::Unordered | PathAction::NoiseOrder | PathAction::MatchBy(_)
            )
        });
        match array_rule {
            Some(act) => match &act.action {
                PathAction::MatchBy(key) => self.keyed(b, c, node, inherited, key, &act.label),
                _ => self.unordered(b, c, node, inherited, &act.label),
            },
            None => match self.recognizer.identity_key(b, c) {
                Some(key) => self.keyed(b, c, node, inherited, &key, KEYED_ORDER),
                None => self.positional(b, c, node, inherited),
            },
        }
    }

    fn positional<'t>(&mut self, b: &[Value], c: &[Value], node: Node<'t>, inherited: &[&'t Act]) {
        let start = self.found.len();
        if b.len() != c.len() {
            self.record_lengths(b, c);
        }
        for (i, (bv, cv)) in b.iter().zip(c).enumerate() {
            let mark = self.enter(Segment::Index(i));
            self.compare(bv, cv, child(node, Segment::Index(i)), inherited);
            self.path.truncate(mark);
        }
        let drifted = self.found[start..]
            .iter()
            .any(|d| d.suppressed_by.is_none());
        if !drifted || b.len() != c.len() {
            return;
        }
        let pairs = self.clean_pairs(b, c, node, inherited);
        if pairs.len() == b.len() {
            self.found.truncate(start);
            self.record(
                DriftClass::Order,
                Some(&Value::from(b.to_vec())),
                Some(&Value::from(c.to_vec())),
                None,
            );
            self.compare_pairs(b, c, &pairs, node, inherited);
        }
    }

    fn unordered<'t>(
        &mut self,
        b: &[Value],
        c: &[Value],
        node: Node<'t>,
        inherited: &[&'t Act],
        label: &str,
    ) {
        if b.len() != c.len() {
            self.record_lengths(b, c);
        }
        let mut pairs = self.clean_pairs(b, c, node, inherited);
        let rest = Leftovers::of(b.len(), c.len(), &pairs);
        pairs.extend(self.similar_pairs(b, c, &rest, node, inherited));
        pairs.sort_unstable();
        self.record_reordering(b, c, &pairs, label);
        self.compare_pairs(b, c, &pairs, node, inherited);
    }

    fn keyed<'t>(
        &mut self,
        b: &[Value],
        c: &[Value],
        node: Node<'t>,
        inherited: &[&'t Act],
        key: &str,
        label: &str,
    ) {
        let mut pairs = Vec::new();
        let mut used = vec![false; c.len()];
        for (bi, bv) in b.iter().enumerate() {
            let wanted = bv.get(key);
            if let Some(ci) = (0..c.len()).find(|ci| !used[*ci] && c[*ci].get(key) == wanted) {
                used[ci] = true;
                pairs.push((bi, ci));
            }
        }
        self.record_reordering(b, c, &pairs, label);
        let rest = Leftovers::of(b.len(), c.len(), &pairs);
        for bi in rest.baseline {
            let mark = self.enter_keyed(key, &b[bi]);
            self.record(DriftClass::MissingElement, Some(&b[bi]), None, None);
            self.path.truncate(mark);
        }
        for ci in rest.candidate {
            let mark = self.enter_keyed(key, &c[ci]);
            self.record(DriftClass::ExtraElement, None, Some(&c[ci]), None);
            self.path.truncate(mark);
        }
        self.compare_pairs(b, c, &pairs, node, inherited);
    }

    /// Pairs each baseline element with an unused candidate element it
    /// equals: exactly equal ones first, then equal under the rules (no
    /// drift between them).
    fn clean_pairs<'t>(
        &self,
        b: &[Value],
        c: &[Value],
        node: Node<'t>,
        inherited: &[&'t Act],
    ) -> Vec<(usize, usize)> {
        let mut used = vec![false; c.len()];
        let mut pairs = exact_pairs(b, c, &mut used);
        let rest = Leftovers::of(b.len(), c.len(), &pairs);
        if rest.baseline.len().max(rest.candidate.len()) > MAX_PROBED_ELEMENTS {
            pairs.sort_unstable();
            return pairs;
        }
        for bi in rest.baseline {
            let bv = &b[bi];
            let found = (0..c.len()).find(|ci| {
                !used[*ci] && {
                    let mut probe = Walker::at(String::new(), self.recognizer);
                    probe.compare(bv, &c[*ci], element(node, bi, *ci), inherited);
                    probe.found.iter().all(|d| d.suppressed_by.is_some())
                }
            });
            if let Some(ci) = found {
                used[ci] = true;
                pairs.push((bi, ci));
            }
        }
        pairs.sort_unstable();
        pairs
    }

    /// Pairs the elements no clean pair took, each baseline element with the
    /// free candidate element it has the fewest drifts with.
    fn similar_pairs<'t>(
        &self,
        b: &[Value],
        c: &[Value],
        rest: &Leftovers,
        node: Node<'t>,
        inherited: &[&'t Act],
    ) -> Vec<(usize, usize)> {
        let mut free = rest.candidate.clone();
        if rest.baseline.len().max(free.len()) > MAX_PROBED_ELEMENTS {
            return rest.baseline.iter().copied().zip(free).collect();
        }
        let mut pairs = Vec::new();
        for &bi in &rest.baseline {
            let best = free.iter().enumerate().min_by_key(|(_, ci)| {
                let mut probe = Walker::at(String::new(), self.recognizer);
                probe.compare(&b[bi], &c[**ci], element(node, bi, **ci), inherited);
                probe
                    .found
                    .iter()
                    .filter(|d| d.suppressed_by.is_none())
                    .count()
            });
            if let Some((slot, ci)) = best.map(|(slot, ci)| (slot, *ci)) {
                free.remove(slot);
                pairs.push((bi, ci));
            }
        }
        pairs
    }

    fn compare_pairs<'t>(
        &mut self,
        b: &[Value],
        c: &[Value],
        pairs: &[(usize, usize)],
        node: Node<'t>,
        inherited: &[&'t Act],
    ) {
        for &(bi, ci) in pairs {
            let mark = self.enter(Segment::Index(bi));
            self.compare(&b[bi], &c[ci], element(node, bi, ci), inherited);
            self.path.truncate(mark);
        }
    }

    fn record_reordering(&mut self, b: &[Value], c: &[Value], pairs: &[(usize, usize)], by: &str) {
        let order: Vec<usize> = pairs.iter().map(|(_, ci)| *ci).collect();
        let moved = order.windows(2).any(|w| w[0] > w[1]);
        if moved {
            self.record(
                DriftClass::Order,
                Some(&Value::from(b.to_vec())),
                Some(&Value::from(c.to_vec())),
                Some(by.to_owned()),
            );
        }
    }

    fn record_lengths(&mut self, b: &[Value], c: &[Value]) {
        self.record(
            DriftClass::ArrayLength,
            Some(&Value::from(b.len())),
            Some(&Value::from(c.len())),
            None,
        );
    }

    /// Enters the element whose `key` member is the one of `element`, as a
    /// JSONPath filter: `$.lines[?@.sku=='BRK-1']`.
    fn enter_keyed(&mut self, key: &str, element: &Value) -> usize {
        let mark = self.path.len();
        let value = match element.get(key) {
            Some(Value::String(text)) => {
                format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'"))
            }
            Some(other) => other.to_string(),
            None => "null".to_owned(),
        };
        let mut member = String::from("@");
        push_segment(&mut member, Segment::Name(key));
        self.path.push_str(&format!("[?{member}=={value}]"));
        mark
    }

    fn enter(&mut self, segment: Segment<'_>) -> usize {
        let mark = self.path.len();
        push_segment(&mut self.path, segment);
        mark
    }

    fn record(
        &mut self,
        class: DriftClass,
        baseline: Option<&Value>,
        candidate: Option<&Value>,
        suppressed_by: Option<String>,
    ) {
        self.found.push(Difference {
            class,
            path: self.path.clone(),
            baseline: baseline.cloned(),
            candidate: candidate.cloned(),
            suppressed_by,
        });
    }
}

/// Pairs exactly equal elements (in order of the baseline), marking the
/// candidate elements taken in `used`.
fn exact_pairs(b: &[Value], c: &[Value], used: &mut [bool]) -> Vec<(usize, usize)> {
    let mut by_text: std::collections::HashMap<String, Vec<usize>> =
        std::collections::HashMap::new();
    for (ci, cv) in c.iter().enumerate().rev() {
        by_text.entry(cv.to_string()).or_default().push(ci);
    }
    let mut pairs = Vec::new();
    for (bi, bv) in b.iter().enumerate() {
        if let Some(ci) = by_text.get_mut(&bv.to_string()).and_then(Vec::pop) {
            used[ci] = true;
            pairs.push((bi, ci));
        }
    }
    pairs
}

/// Element positions of each side that no pair took, in order.
struct Leftovers {
    baseline: Vec<usize>,
    candidate: Vec<usize>,
}

impl Leftovers {
    fn of(b: usize, c: usize, pairs: &[(usize, usize)]) -> Leftovers {
        Leftovers {
            baseline: (0..b)
                .filter(|i| !pairs.iter().any(|p| p.0 == *i))
                .collect(),
            candidate: (0..c)
                .filter(|i| !pairs.iter().any(|p| p.1 == *i))
                .collect(),
        }
    }
}
