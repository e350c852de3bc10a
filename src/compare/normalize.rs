//! Normalisation: replaces each side's own values (captured ids, environment
//! variables) with placeholders shared by both sides, so legitimately
//! different ids are not drift.
//!
//! ```text
//! baseline:  captured orderId = "4711-abc", env plant = "P100"
//! candidate: captured orderId = "9822-xyz", env plant = "S100"
//!
//! baseline  "/api/orders/4711-abc?plant=P100"  ─┐
//!                                               ├─▶ "/api/orders/<captured:orderId>?plant=<env:plant>"
//! candidate "/api/orders/9822-xyz?plant=S100"  ─┘
//! ```
//!
//! A string equal to a known value becomes its placeholder; a known value of
//! at least [`MIN_EMBEDDED_CHARS`] characters is also replaced inside longer
//! strings where it stands as a whole token (bounded by the text's ends or by
//! characters that are neither letters nor digits: `/` and `?` of a URL, `*`,
//! `+`, `:` and `~` of an EDI element, spaces), longest values first: `P100`
//! is replaced in `/plants/P100/orders` but not in `XP1000`. A number equal to
//! a captured number becomes the placeholder string. Text that already is a
//! placeholder is left alone, so normalising twice changes nothing.
//!
//! [`Normalizer::normalize_pair`] normalises two documents side by side and
//! keeps every value the two sides hold alike at the same place as it is: a
//! literal that happens to equal one side's variable is never drift.

use std::cmp::Reverse;
use std::collections::BTreeMap;

use serde_json::{Number, Value};

use super::json_diff::numbers_equal;
use crate::trace::{EnvironmentRef, Side, Twin};

/// Known values shorter than this are replaced only on exact equality, never
/// inside longer text.
pub const MIN_EMBEDDED_CHARS: usize = 4;

/// Rewrites each side's values into placeholders both sides share.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Normalizer {
    sides: Twin<KnownValues>,
    /// Each side's captured values by name, as captured.
    captured: Twin<BTreeMap<String, Value>>,
}

/// The values one side knows, each with its placeholder.
#[derive(Debug, Clone, Default, PartialEq)]
struct KnownValues {
    /// Longest first; no value twice.
    texts: Vec<KnownText>,
    numbers: Vec<KnownNumber>,
}

#[derive(Debug, Clone, PartialEq)]
struct KnownText {
    value: String,
    placeholder: String,
}

#[derive(Debug, Clone, PartialEq)]
struct KnownNumber {
    value: Number,
    placeholder: String,
}

impl KnownValues {
    fn add_text(&mut self, value: &str, placeholder: &str) {
        if value.is_empty() || self.texts.iter().any(|known| known.value == value) {
            return;
        }
        self.texts.push(KnownText {
            value: value.to_owned(),
            placeholder: placeholder.to_owned(),
        });
    }

    fn add_capture(&mut self, name: &str, value: &Value) {
        let placeholder = format!("<captured:{name}>");
        match value {
            Value::String(text) => self.add_text(text, &placeholder),
            Value::Number(number) => {
                self.add_text(&number.to_string(), &placeholder);
                self.numbers.push(KnownNumber {
                    value: number.clone(),
                    placeholder,
                });
            }
            _ => {}
        }
    }

    fn sort_longest_first(&mut self) {
        self.texts
            .sort_by_key(|known| Reverse(known.value.chars().count()));
    }

    fn exact_text(&self, text: &str) -> Option<&str> {
        self.texts
            .iter()
            .find(|known| known.value == text)
            .map(|known| known.placeholder.as_str())
    }

    fn exact_number(&self, number: &Number) -> Option<&str> {
        self.numbers
            .iter()
            .find(|known| numbers_equal(&known.value, number))
            .map(|known| known.placeholder.as_str())
    }
}

impl Normalizer {
    /// A normalizer for the values each side knows at one step: its
    /// environment's variables and everything captured so far (a later
    /// capture of a name already replaced the earlier one in `captures`).
    ///
    /// Variables with the same value in both environments get no placeholder.
    pub fn new(
        environments: &Twin<EnvironmentRef>,
        captures: &Twin<BTreeMap<String, Value>>,
    ) -> Normalizer {
        let mut sides = Twin::<KnownValues>::default();
        for side in Side::BOTH {
            let known = sides.get_mut(side);
            let other_captures = captures.get(other_side(side));
            for (name, value) in captures.get(side) {
                // A value both sides captured alike needs no placeholder.
                if other_captures.get(name) != Some(value) {
                    known.add_capture(name, value);
                }
            }
            let other = environments.get(other_side(side));
            for (name, value) in &environments.get(side).variables {
                if other.variables.get(name) != Some(value) {
                    known.add_text(value, &format!("<env:{name}>"));
                }
            }
            known.sort_longest_first();
        }
        Normalizer {
            sides,
            captured: captures.clone(),
        }
    }

    /// `value` with every string and captured number of `side` normalised;
    /// object keys are kept as they are.
    pub fn normalize_value(&self, side: Side, value: &Value) -> Value {
        match value {
            Value::String(text) => Value::String(self.normalize_text(side, text)),
            Value::Number(number) => match self.sides.get(side).exact_number(number) {
                Some(placeholder) => Value::String(placeholder.to_owned()),
                None => value.clone(),
            },
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|item| self.normalize_value(side, item))
                    .collect(),
            ),
            Value::Object(members) => Value::Object(
                members
                    .iter()
                    .map(|(key, member)| (key.clone(), self.normalize_value(side, member)))
                    .collect(),
            ),
            Value::Null | Value::Bool(_) => value.clone(),
        }
    }

    /// Both documents normalised, except where both hold the same raw value
    /// at the same place (object member by name, array element by position).
    pub fn normalize_pair(&self, pair: Twin<&Value>) -> Twin<Value> {
        match (pair.baseline, pair.candidate) {
            (b, c) if b == c => Twin::new(b.clone(), c.clone()),
            (Value::Object(b), Value::Object(c)) => {
                let mut out = Twin::new(serde_json::Map::new(), serde_json::Map::new());
                for (key, bv) in b {
                    let value = match c.get(key) {
                        Some(cv) => self.normalize_pair(Twin::new(bv, cv)).baseline,
                        None => self.normalize_value(Side::Baseline, bv),
                    };
                    out.baseline.insert(key.clone(), value);
                }
                for (key, cv) in c {
                    let value = match b.get(key) {
                        Some(bv) => self.normalize_pair(Twin::new(bv, cv)).candidate,
                        None => self.normalize_value(Side::Candidate, cv),
                    };
                    out.candidate.insert(key.clone(), value);
                }
                Twin::new(Value::Object(out.baseline), Value::Object(out.candidate))
            }
            (Value::Array(b), Value::Array(c)) => {
                let mut out = Twin::new(Vec::with_capacity(b.len()), Vec::with_capacity(c.len()));
                for (bv, cv) in b.iter().zip(c) {
                    let pair = self.normalize_pair(Twin::new(bv, cv));
                    out.baseline.push(pair.baseline);
                    out.candidate.push(pair.candidate);
                }
                out.baseline.extend(
                    b.iter()
                        .skip(c.len())
                        .map(|v| self.normalize_value(Side::Baseline, v)),
                );
                out.candidate.extend(
                    c.iter()
                        .skip(b.len())
                        .map(|v| self.normalize_value(Side::Candidate, v)),
                );
                Twin::new(Value::Array(out.baseline), Value::Array(out.candidate))
            }
            (b, c) => Twin::new(
                self.normalize_value(Side::Baseline, b),
                self.normalize_value(Side::Candidate, c),
            ),
        }
    }

    /// Both texts normalised, or both kept as they are when they are equal.
    pub fn normalize_texts(&self, pair: Twin<&str>) -> Twin<String> {
        if pair.baseline == pair.candidate {
            return Twin::new(pair.baseline.to_owned(), pair.candidate.to_owned());
        }
        Twin::new(
            self.normalize_text(Side::Baseline, pair.baseline),
            self.normalize_text(Side::Candidate, pair.candidate),
        )
    }

    /// The real value each side captured under a placeholder's name
    /// (`<captured:orderId>` → 4711 and "9822"), when both sides have one.
    pub(crate) fn captured_values(&self, name: &str) -> Option<Twin<&Value>> {
        let value = |side: Side| self.captured.get(side).get(name);
        Some(Twin::new(value(Side::Baseline)?, value(Side::Candidate)?))
    }

    /// `text` with the known values of `side` replaced by their placeholders.
    pub fn normalize_text(&self, side: Side, text: &str) -> String {
        let known = self.sides.get(side);
        match known.exact_text(text) {
            Some(placeholder) => placeholder.to_owned(),
            None => replace_embedded(text, &known.texts),
        }
    }
}

fn other_side(side: Side) -> Side {
    match side {
        Side::Baseline => Side::Candidate,
        Side::Candidate => Side::Baseline,
    }
}

/// A run of text: either free to rewrite or a placeholder kept as it is.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Piece<'a> {
    Free(&'a str),
    Fixed(&'a str),
}

/// Replaces every embedded occurrence of the long enough `known` values
/// (longest first) outside of placeholders.
fn replace_embedded(text: &str, known: &[KnownText]) -> String {
    let mut embedded = known
        .iter()
        .filter(|k| k.value.chars().count() >= MIN_EMBEDDED_CHARS && text.contains(&k.value))
        .peekable();
    if embedded.peek().is_none() {
        return text.to_owned();
    }
    let mut pieces = split_placeholders(text);
    for known in embedded {
        pieces = pieces
            .into_iter()
            .flat_map(|piece| replace_in_piece(piece, known))
            .collect();
    }
    pieces
        .into_iter()
        .map(|piece| match piece {
            Piece::Free(text) | Piece::Fixed(text) => text,
        })
        .collect()
}

fn replace_in_piece<'a>(piece: Piece<'a>, known: &'a KnownText) -> Vec<Piece<'a>> {
    let Piece::Free(mut rest) = piece else {
        return vec![piece];
    };
    let mut pieces = Vec::new();
    let mut searched = 0;
    while let Some(offset) = rest[searched..].find(known.value.as_str()) {
        let at = searched + offset;
        let end = at + known.value.len();
        if !is_token(rest, at, end) {
            searched = at + rest[at..].chars().next().map_or(1, char::len_utf8);
            continue;
        }
        if at > 0 {
            pieces.push(Piece::Free(&rest[..at]));
        }
        pieces.push(Piece::Fixed(&known.placeholder));
        rest = &rest[end..];
        searched = 0;
    }
    if !rest.is_empty() {
        pieces.push(Piece::Free(rest));
    }
    pieces
}

/// Whether `text[at..end]` stands as a whole token: no letter or digit right
/// before or right after it.
fn is_token(text: &str, at: usize, end: usize) -> bool {
    let word = |c: char| c.is_alphanumeric();
    !text[..at].chars().next_back().is_some_and(word)
        && !text[end..].chars().next().is_some_and(word)
}

/// Splits `text` into free runs and the placeholders already in it.
fn split_placeholders(text: &str) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let (mut free_from, mut search_from) = (0, 0);
    while let Some(offset) = text[search_from..].find('<') {
        let start = search_from + offset;
        match placeholder_len(&text[start..]) {
            Some(len) => {
                if start > free_from {
                    pieces.push(Piece::Free(&text[free_from..start]));
                }
                pieces.push(Piece::Fixed(&text[start..start + len]));
                free_from = start + len;
                search_from = free_from;
            }
            None => search_from = start + 1,
        }
    }
    if free_from < text.len() {
        pieces.push(Piece::Free(&text[free_from..]));
    }
    pieces
}

/// Length of the placeholder (`<captured:…>` or `<env:…>`) `text` starts with.
fn placeholder_len(text: &str) -> Option<usize> {
    let name = text
        .strip_prefix("<captured:")
        .or_else(|| text.strip_prefix("<env:"))?;
    let end = name.find(['<', '>'])?;
    name[end..]
        .starts_with('>')
        .then_some(text.len() - name.len() + end + 1)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn environment(variables: &[(&str, &str)]) -> EnvironmentRef {
        EnvironmentRef {
            name: String::new(),
            variables: variables
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        }
    }

    fn captured(values: &[(&str, Value)]) -> BTreeMap<String, Value> {
        values
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    fn normalizer() -> Normalizer {
        Normalizer::new(
            &Twin::new(
                environment(&[("plant", "P100"), ("region", "eu"), ("tenant", "acme")]),
                environment(&[("plant", "S100"), ("region", "us"), ("tenant", "acme")]),
            ),
            &Twin::new(
                captured(&[
                    ("orderId", json!("4711-abc")),
                    ("lineNo", json!(7)),
                    ("batch", json!(4711)),
                    ("short", json!("ab")),
                    ("customer", json!({"id": 1})),
                ]),
                captured(&[
                    ("orderId", json!("9822-xyz")),
                    ("lineNo", json!(8.0)),
                    ("batch", json!(5000)),
                    ("short", json!("cd")),
                ]),
            ),
        )
    }

    #[test]
    fn strings_become_placeholders_on_each_side() {
        let normalizer = normalizer();
        let cases = [
            (Side::Baseline, "4711-abc", "<captured:orderId>"),
            (Side::Candidate, "9822-xyz", "<captured:orderId>"),
            (
                Side::Baseline,
                "/api/orders/4711-abc/lines",
                "/api/orders/<captured:orderId>/lines",
            ),
            (
                Side::Baseline,
                "plant P100, order 4711-abc",
                "plant <env:plant>, order <captured:orderId>",
            ),
            (Side::Candidate, "S100S100", "S100S100"),
            (
                Side::Candidate,
                "/plants/S100/orders",
                "/plants/<env:plant>/orders",
            ),
            (Side::Baseline, "XP1000", "XP1000"),
            (Side::Baseline, "BEG*00*SA*P100*", "BEG*00*SA*<env:plant>*"),
            (Side::Baseline, "eu", "<env:region>"),
            (Side::Baseline, "europe", "europe"),
            (Side::Baseline, "ab", "<captured:short>"),
            (Side::Baseline, "abc", "abc"),
            (Side::Baseline, "acme", "acme"),
            (Side::Baseline, "7", "<captured:lineNo>"),
            (Side::Candidate, "batch 5000", "batch <captured:batch>"),
            (Side::Candidate, "4711-abc", "4711-abc"),
        ];
        for (side, text, expected) in cases {
            assert_eq!(
                normalizer.normalize_text(side, text),
                expected,
                "{side} {text}"
            );
        }
    }

    #[test]
    fn longest_values_are_replaced_first() {
        let normalizer = normalizer();
        assert_eq!(
            normalizer.normalize_text(Side::Baseline, "order 4711-abc of batch 4711"),
            "order <captured:orderId> of batch <captured:batch>"
        );
    }

    #[test]
    fn captured_numbers_match_numerically_on_their_side() {
        let normalizer = normalizer();
        let cases = [
            (Side::Baseline, json!(7), json!("<captured:lineNo>")),
            (Side::Baseline, json!(7.0), json!("<captured:lineNo>")),
            (Side::Candidate, json!(8), json!("<captured:lineNo>")),
            (Side::Candidate, json!(7), json!(7)),
            (Side::Baseline, json!(4711), json!("<captured:batch>")),
        ];
        for (side, value, expected) in cases {
            assert_eq!(
                normalizer.normalize_value(side, &value),
                expected,
                "{side} {value}"
            );
        }
    }

    #[test]
    fn both_sides_of_an_echoing_document_normalise_equal() {
        let normalizer = normalizer();
        let baseline =
            json!({"id": "4711-abc", "plant": "P100", "line": 7, "href": "/orders/4711-abc"});
        let candidate =
            json!({"id": "9822-xyz", "plant": "S100", "line": 8, "href": "/orders/9822-xyz"});
        assert_eq!(
            normalizer.normalize_value(Side::Baseline, &baseline),
            normalizer.normalize_value(Side::Candidate, &candidate)
        );
    }

    #[test]
    fn normalising_twice_changes_nothing() {
        let tricky = Normalizer::new(
            &Twin::new(
                environment(&[("host", "env:host"), ("word", "capt")]),
                environment(&[("host", "other"), ("word", "ured")]),
            ),
            &Twin::new(
                captured(&[("orderId", json!("orderI")), ("id", json!("<captured:id>"))]),
                captured(&[]),
            ),
        );
        let documents = [
            json!("orderI at env:host by capt"),
            json!({"a": ["<captured:orderId>", "x<env:word>y", "<env:unclosed", "orderI"]}),
            json!([7, 4711, "4711-abc P100 eu", {"k": "/api/orders/4711-abc"}]),
        ];
        for normalizer in [normalizer(), tricky] {
            for document in &documents {
                for side in Side::BOTH {
                    let once = normalizer.normalize_value(side, document);
                    let twice = normalizer.normalize_value(side, &once);
                    assert_eq!(once, twice, "{side} {document}");
                }
            }
        }
    }

    #[test]
    fn placeholders_already_in_text_are_kept() {
        let tricky = Normalizer::new(
            &Twin::default(),
            &Twin::new(captured(&[("word", json!("ptured"))]), captured(&[])),
        );
        assert_eq!(
            tricky.normalize_text(Side::Baseline, "<captured:x> ptured"),
            "<captured:x> <captured:word>"
        );
    }
}
