//! Karate-style fuzzy matching of expected values against actual JSON.
//!
//! QA writes the expected value in a step or a docstring; strings starting
//! with `#` are *markers* that describe a shape instead of a value:
//!
//! ```text
//! expected  {"id": "#uuid", "status": "#regex (CREATED|OPEN)", "note": "##string", "lines": "#[] #object"}
//! actual    {"id": 42, "status": "SHIPPED", "lines": [{"sku": "A"}]}
//! mismatches
//!   $.id: expected #uuid, got 42 (not a UUID)
//!   $.status: expected #regex (CREATED|OPEN), got "SHIPPED" (does not match the regex)
//! ```
//!
//! Markers: `#ignore`, `#present`, `#notpresent`, `#null`, `#notnull`, `#string`,
//! `#number`, `#boolean`, `#array`, `#object`, `#uuid`, `#date`, `#datetime`,
//! `#regex <re>`, `#[]`, `#[N]`, `#[] <marker>`, `#[N] <marker>`; `##<marker>` also
//! accepts null or absent. [`MatchMode::Equals`] wants exactly the expected keys and
//! elements; [`MatchMode::Contains`] allows extra keys and matches arrays as sets.

mod engine;
mod marker;
mod path;

use std::fmt;

use serde_json::Value;

pub use path::{push_index, push_key};

/// What is wrong with the regex `pattern` that failed to compile with
/// `error`, in one line (`unclosed character class`): the parser's own
/// kind of error, not the multi-line rendering of the pattern.
pub fn regex_problem(pattern: &str, error: &regex::Error) -> String {
    match regex_syntax::Parser::new().parse(pattern) {
        Err(regex_syntax::Error::Parse(e)) => e.kind().to_string(),
        Err(regex_syntax::Error::Translate(e)) => e.kind().to_string(),
        // Too big once compiled: that message is one line already.
        _ => error.to_string(),
    }
}

/// The reason of a mismatch where the actual value is absent.
const MISSING: &str = "missing";
/// The reason of a mismatch between two values of the same type; [`Mismatch`]'s
/// `Display` leaves it out because "expected X, got Y" already says it.
const DIFFERENT_VALUE: &str = "different value";
/// Longest rendering of a value in a mismatch message before it is cut.
const MAX_SHOWN_CHARS: usize = 120;

/// How an expected document is compared with the actual one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MatchMode {
    /// Objects have exactly the expected keys; arrays the expected elements, in order.
    Equals,
    /// Objects have at least the expected keys; every expected array element matches
    /// some actual element, in any order.
    Contains,
}

/// One place where the actual value does not satisfy the expectation.
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    /// Where, e.g. `$.lines[0].sku`.
    pub path: String,
    /// What was expected there (a value or a marker such as `"#uuid"`; `"#notpresent"` for an unexpected field).
    pub expected: Value,
    /// What was there; `None` when the field is absent.
    pub actual: Option<Value>,
    /// Why it does not match, e.g. `missing`, `not a UUID`, `unexpected field`, `different value`.
    pub reason: String,
}

impl fmt::Display for Mismatch {
    /// `$.status: expected "CREATED", got "OPEN"`, `$.id: expected #uuid, got 42 (not a UUID)`, `$.note: missing`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(actual) = &self.actual else {
            return write!(f, "{}: {MISSING}", self.path);
        };
        write!(
            f,
            "{}: expected {}, got {}",
            self.path,
            shown_expected(&self.expected),
            shown(actual)
        )?;
        if self.reason != DIFFERENT_VALUE {
            write!(f, " ({})", self.reason)?;
        }
        Ok(())
    }
}

/// A marker as written (`#uuid`), any other value as compact JSON.
fn shown_expected(expected: &Value) -> String {
    match marker::marker_text(expected) {
        Some(text) => text.to_owned(),
        None => shown(expected),
    }
}

/// Compact JSON, cut to [`MAX_SHOWN_CHARS`] characters.
fn shown(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(MAX_SHOWN_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// An expected value holding a marker that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MatcherError {
    /// `#xyz` is not a known marker.
    #[error("{path}: unknown marker `{marker}`{}", did_you_mean(.suggestion))]
    UnknownMarker {
        /// Where the marker is in the expected document.
        path: String,
        /// The marker as written.
        marker: String,
        /// The closest known marker, when the text looks like a typo of one.
        suggestion: Option<String>,
    },
    /// `#regex` with a pattern that does not compile.
    #[error("{path}: `{marker}` has an invalid regex: {message}")]
    InvalidRegex {
        /// Where the marker is in the expected document.
        path: String,
        /// The marker as written.
        marker: String,
        /// The regex compiler's message.
        message: String,
    },
    /// A known marker written wrongly, such as `#[x]` or `#regex` without a pattern.
    #[error("{path}: malformed marker `{marker}`: {message}")]
    MalformedMarker {
        /// Where the marker is in the expected document.
        path: String,
        /// The marker as written.
        marker: String,
        /// What is wrong and how to write it.
        message: String,
    },
}

/// `; did you mean `…`?` when there is a suggestion.
fn did_you_mean(suggestion: &Option<String>) -> String {
    suggestion
        .as_ref()
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default()
}

/// Parses the expected-value text of a step: a quoted marker (`"#regex \d+\.\d+"`) is
/// the text between the quotes as written, so a regex reads the same quoted or not;
/// otherwise JSON if it parses (`"CREATED"` → string, `42` → number, `true`, `null`,
/// `{..}`), else the trimmed raw text as a JSON string (so `#uuid` and `CREATED`
/// become strings).
pub fn parse_expected(text: &str) -> Value {
    let text = text.trim();
    if let Some(marker) = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .filter(|t| t.starts_with('#'))
    {
        return Value::String(marker.to_owned());
    }
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned()))
}

/// Matches `actual` (`None` = the field is absent) against `expected` from the root `$`.
/// Returns every mismatch; empty means a match.
pub fn match_value(expected: &Value, actual: Option<&Value>, mode: MatchMode) -> Vec<Mismatch> {
    match_at("$", expected, actual, mode)
}

/// Like [`match_value`], with `path` as the root path of the mismatches (used when
/// asserting the result of one JSONPath query, e.g. `$.lines[0]`).
pub fn match_at(
    path: &str,
    expected: &Value,
    actual: Option<&Value>,
    mode: MatchMode,
) -> Vec<Mismatch> {
    let mut mismatches = Vec::new();
    engine::match_into(path, expected, actual, mode, &mut mismatches);
    mismatches
}

/// Checks every marker in `expected`, so an unknown `#foo` or a bad regex is reported
/// before the scenario runs. The first invalid marker is the error.
pub fn validate_expected(expected: &Value) -> Result<(), MatcherError> {
    validate_expected_at("$", expected)
}

/// Like [`validate_expected`], with `path` as the root path named in the error.
pub fn validate_expected_at(path: &str, expected: &Value) -> Result<(), MatcherError> {
    match expected {
        Value::String(text) if text.starts_with('#') => marker::Marker::parse(text)
            .map(drop)
            .map_err(|fault| fault.at(path, text)),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(index, item)| validate_expected_at(&push_index(path, index), item)),
        Value::Object(fields) => fields
            .iter()
            .try_for_each(|(key, value)| validate_expected_at(&push_key(path, key), value)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests;
