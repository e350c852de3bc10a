//! Markers: expected values that describe a shape instead of spelling a value.
//!
//! ```text
//! "#uuid"                    a string in UUID format
//! "##string"                 a string, or null, or absent (`##` = optional)
//! "#regex (CREATED|OPEN)"    a string fully matching the regex
//! "#[2] #number"             an array of two numbers
//! ```

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use regex::Regex;
use serde_json::Value;

use super::path::push_index;
use super::{MatcherError, Mismatch};

/// The marker names, as written after `#` (`#[…]` and `#regex …` take arguments).
const NAMES: [&str; 14] = [
    "ignore",
    "present",
    "notpresent",
    "null",
    "notnull",
    "string",
    "number",
    "boolean",
    "array",
    "object",
    "uuid",
    "date",
    "datetime",
    "regex",
];

/// Compiled `#regex` patterns by source text, so each pattern compiles once per process.
static REGEX_CACHE: LazyLock<Mutex<HashMap<String, Regex>>> = LazyLock::new(Default::default);

/// A parsed marker such as `##uuid`.
#[derive(Debug, Clone)]
pub(super) struct Marker {
    /// The marker as written, shown in mismatches.
    text: String,
    /// `##…`: absent and null also match.
    optional: bool,
    kind: MarkerKind,
}

#[derive(Debug, Clone)]
enum MarkerKind {
    Ignore,
    Present,
    NotPresent,
    Null,
    NotNull,
    String,
    Number,
    Boolean,
    Array,
    Object,
    Uuid,
    Date,
    DateTime,
    Regex(Regex),
    /// `#[]`, `#[N]`, `#[] #marker`, `#[N] #marker`.
    ArrayOf {
        len: Option<usize>,
        element: Option<Box<Marker>>,
    },
}

/// Why a marker text is not a valid marker.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(super) enum MarkerFault {
    #[error("unknown marker{}", super::did_you_mean(.0))]
    Unknown(Option<String>),
    #[error("invalid regex: {0}")]
    Regex(String),
    #[error("{0}")]
    Malformed(String),
}

impl MarkerFault {
    /// The fault as the error of marker `marker` at `path`.
    pub(super) fn at(self, path: &str, marker: &str) -> MatcherError {
        let (path, marker) = (path.to_owned(), marker.to_owned());
        match self {
            MarkerFault::Unknown(suggestion) => MatcherError::UnknownMarker {
                path,
                marker,
                suggestion,
            },
            MarkerFault::Regex(message) => MatcherError::InvalidRegex {
                path,
                marker,
                message,
            },
            MarkerFault::Malformed(message) => MatcherError::MalformedMarker {
                path,
                marker,
                message,
            },
        }
    }
}

/// The marker text of `expected`, if it is a marker (a string starting with `#`).
pub(super) fn marker_text(expected: &Value) -> Option<&str> {
    expected.as_str().filter(|s| s.starts_with('#'))
}

impl Marker {
    /// Parses a marker text such as `#string`, `##uuid`, `#regex \d+` or `#[2] #number`.
    pub(super) fn parse(text: &str) -> Result<Marker, MarkerFault> {
        let text = text.trim();
        let body = text
            .strip_prefix('#')
            .ok_or_else(|| MarkerFault::Malformed("a marker starts with `#`".into()))?;
        let (optional, body) = match body.strip_prefix('#') {
            Some(rest) => (true, rest),
            None => (false, body),
        };
        Ok(Marker {
            text: text.to_owned(),
            optional,
            kind: parse_kind(body, optional)?,
        })
    }

    /// Checks `actual` (None = absent) at `path`, pushing every mismatch into `out`.
    pub(super) fn check(&self, path: &str, actual: Option<&Value>, out: &mut Vec<Mismatch>) {
        if self.optional && actual.is_none_or(Value::is_null) {
            return;
        }
        let first_nested = out.len();
        let reason = match actual {
            None => self.absent_reason(),
            Some(value) => self.present_reason(path, value, out),
        };
        if let Some(reason) = reason {
            // The marker's own mismatch goes before those of its elements.
            out.insert(
                first_nested,
                Mismatch {
                    path: path.to_owned(),
                    expected: Value::String(self.text.clone()),
                    actual: actual.cloned(),
                    reason,
                },
            );
        }
    }

    fn absent_reason(&self) -> Option<String> {
        match self.kind {
            MarkerKind::Ignore | MarkerKind::NotPresent => None,
            _ => Some(super::MISSING.to_owned()),
        }
    }

    fn present_reason(&self, path: &str, value: &Value, out: &mut Vec<Mismatch>) -> Option<String> {
        let failed = |ok: bool, reason: &str| (!ok).then(|| reason.to_owned());
        match &self.kind {
            MarkerKind::Ignore | MarkerKind::Present => None,
            MarkerKind::NotPresent => Some("must be absent".into()),
            MarkerKind::Null => failed(value.is_null(), "not null"),
            MarkerKind::NotNull => failed(!value.is_null(), "must not be null"),
            MarkerKind::String => failed(value.is_string(), "not a string"),
            MarkerKind::Number => failed(value.is_number(), "not a number"),
            MarkerKind::Boolean => failed(value.is_boolean(), "not a boolean"),
            MarkerKind::Array => failed(value.is_array(), "not an array"),
            MarkerKind::Object => failed(value.is_object(), "not an object"),
            MarkerKind::Uuid => check_text(value, is_uuid, "not a UUID", "not a UUID"),
            MarkerKind::Date => {
                let reason = "not a date (YYYY-MM-DD)";
                check_text(value, is_date, reason, reason)
            }
            MarkerKind::DateTime => {
                let reason = "not an RFC 3339 date-time";
                check_text(value, is_date_time, reason, reason)
            }
            MarkerKind::Regex(re) => check_text(
                value,
                |text| re.is_match(text),
                "not a string",
                "does not match the regex",
            ),
            MarkerKind::ArrayOf { len, element } => {
                check_array(path, value, *len, element.as_deref(), out)
            }
        }
    }
}

/// Parses a marker after its `#` or `##` prefix.
fn parse_kind(body: &str, optional: bool) -> Result<MarkerKind, MarkerFault> {
    if let Some(rest) = body.strip_prefix('[') {
        return parse_array(rest);
    }
    if let Some(pattern) = body.strip_prefix("regex")
        && (pattern.is_empty() || pattern.starts_with(char::is_whitespace))
    {
        return compile_regex(pattern.trim()).map(MarkerKind::Regex);
    }
    let kind = match body {
        "ignore" => MarkerKind::Ignore,
        "present" => MarkerKind::Present,
        "notpresent" => MarkerKind::NotPresent,
        "null" => MarkerKind::Null,
        "notnull" => MarkerKind::NotNull,
        "string" => MarkerKind::String,
        "number" => MarkerKind::Number,
        "boolean" => MarkerKind::Boolean,
        "array" => MarkerKind::Array,
        "object" => MarkerKind::Object,
        "uuid" => MarkerKind::Uuid,
        "date" => MarkerKind::Date,
        "datetime" => MarkerKind::DateTime,
        unknown => {
            let prefix = if optional { "##" } else { "#" };
            let suggestion = crate::suggest::did_you_mean(unknown, NAMES);
            return Err(MarkerFault::Unknown(
                suggestion.map(|name| format!("{prefix}{name}")),
            ));
        }
    };
    Ok(kind)
}

/// Parses what follows `#[`: `]`, `N]`, then an optional element marker.
fn parse_array(rest: &str) -> Result<MarkerKind, MarkerFault> {
    let (inside, after) = rest
        .split_once(']')
        .ok_or_else(|| MarkerFault::Malformed("`#[` without a closing `]`".into()))?;
    let inside = inside.trim();
    let len = if inside.is_empty() {
        None
    } else {
        let len = inside.parse::<usize>().map_err(|_| {
            MarkerFault::Malformed(format!(
                "`[{inside}]` is not an array length; write `#[]` or `#[N]`"
            ))
        })?;
        Some(len)
    };
    let after = after.trim();
    let element = if after.is_empty() {
        None
    } else if after.starts_with('#') {
        Some(Box::new(Marker::parse(after)?))
    } else {
        return Err(MarkerFault::Malformed(format!(
            "`{after}` is not an element marker; write e.g. `#[] #string`"
        )));
    };
    Ok(MarkerKind::ArrayOf { len, element })
}

/// The regex anchored to match a whole string, compiled once per pattern.
fn compile_regex(pattern: &str) -> Result<Regex, MarkerFault> {
    if pattern.is_empty() {
        return Err(MarkerFault::Malformed(
            "`#regex` needs a pattern, e.g. `#regex [A-Z]{2}-\\d+`".into(),
        ));
    }
    let mut cache = REGEX_CACHE.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(re) = cache.get(pattern) {
        return Ok(re.clone());
    }
    let re = Regex::new(&format!(r"\A(?:{pattern})\z"))
        .map_err(|e| MarkerFault::Regex(super::regex_problem(pattern, &e)))?;
    cache.insert(pattern.to_owned(), re.clone());
    Ok(re)
}

/// Checks a marker that accepts some strings: `not_text` when `value` is not a
/// string, `rejected` when `accepts` refuses it.
fn check_text(
    value: &Value,
    accepts: impl Fn(&str) -> bool,
    not_text: &str,
    rejected: &str,
) -> Option<String> {
    match value.as_str() {
        None => Some(not_text.to_owned()),
        Some(text) if accepts(text) => None,
        Some(_) => Some(rejected.to_owned()),
    }
}

fn check_array(
    path: &str,
    value: &Value,
    len: Option<usize>,
    element: Option<&Marker>,
    out: &mut Vec<Mismatch>,
) -> Option<String> {
    let Some(items) = value.as_array() else {
        return Some("not an array".into());
    };
    if let Some(element) = element {
        for (index, item) in items.iter().enumerate() {
            element.check(&push_index(path, index), Some(item), out);
        }
    }
    len.filter(|&len| len != items.len())
        .map(|len| format!("{} elements, expected {len}", items.len()))
}

/// A UUID in its canonical hyphenated form (`8-4-4-4-12` hex digits).
fn is_uuid(text: &str) -> bool {
    text.len() == 36 && uuid::Uuid::try_parse(text).is_ok()
}

/// An RFC 3339 full-date (`YYYY-MM-DD`) that exists in the calendar.
fn is_date(text: &str) -> bool {
    let shape = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    shape && chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok()
}

/// An RFC 3339 date-time such as `2024-05-01T10:00:00Z` or `2024-05-01T12:00:00.5+02:00`.
fn is_date_time(text: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(text).is_ok()
}

#[cfg(test)]
mod tests {
    use super::{Marker, REGEX_CACHE};

    #[test]
    fn regex_patterns_compile_once_and_are_reused() {
        let pattern = "cache-probe-[0-9]+";
        let first = Marker::parse(&format!("#regex {pattern}")).expect("valid");
        let cached = REGEX_CACHE.lock().expect("lock").get(pattern).cloned();
        assert_eq!(
            cached.map(|re| re.as_str().to_owned()),
            Some(format!(r"\A(?:{pattern})\z"))
        );
        let second = Marker::parse(&format!("##regex   {pattern}")).expect("valid");
        assert_eq!(format!("{:?}", first.kind), format!("{:?}", second.kind));
    }
}
