//! The structural walk: objects by key, arrays by position (Equals) or by
//! membership (Contains), scalars by value, markers by shape.
//!
//! ```text
//! expected {"qty": 2, "sku": "#string"}   actual {"qty": 2.0, "sku": 7, "x": 1}
//! Equals   → $.sku: expected #string, got 7 (not a string)
//!            $.x: expected #notpresent, got 1 (unexpected field)
//! Contains → $.sku: expected #string, got 7 (not a string)
//! ```

use serde_json::{Map, Number, Value};

use super::marker::{Marker, marker_text};
use super::path::{push_index, push_key};
use super::{DIFFERENT_VALUE, MISSING, MatchMode, Mismatch};

/// Matches `actual` against `expected` at `path`, pushing every mismatch into `out`.
pub(super) fn match_into(
    path: &str,
    expected: &Value,
    actual: Option<&Value>,
    mode: MatchMode,
    out: &mut Vec<Mismatch>,
) {
    if let Some(text) = marker_text(expected) {
        match Marker::parse(text) {
            Ok(marker) => marker.check(path, actual, out),
            Err(fault) => out.push(mismatch(path, expected, actual, fault.to_string())),
        }
        return;
    }
    let Some(actual) = actual else {
        out.push(mismatch(path, expected, None, MISSING.to_owned()));
        return;
    };
    match (expected, actual, mode) {
        (Value::Object(expected), Value::Object(actual), _) => {
            match_object(path, expected, actual, mode, out);
        }
        (Value::Array(expected), Value::Array(actual), MatchMode::Equals) => {
            match_array_in_order(path, expected, actual, out);
        }
        (Value::Array(expected), Value::Array(actual), MatchMode::Contains) => {
            match_array_members(path, expected, actual, out);
        }
        _ => match_scalar(path, expected, actual, out),
    }
}

fn mismatch(path: &str, expected: &Value, actual: Option<&Value>, reason: String) -> Mismatch {
    Mismatch {
        path: path.to_owned(),
        expected: expected.clone(),
        actual: actual.cloned(),
        reason,
    }
}

fn match_object(
    path: &str,
    expected: &Map<String, Value>,
    actual: &Map<String, Value>,
    mode: MatchMode,
    out: &mut Vec<Mismatch>,
) {
    for (key, expected_value) in expected {
        match_into(
            &push_key(path, key),
            expected_value,
            actual.get(key),
            mode,
            out,
        );
    }
    if mode == MatchMode::Equals {
        for (key, actual_value) in actual
            .iter()
            .filter(|(key, _)| !expected.contains_key(*key))
        {
            out.push(mismatch(
                &push_key(path, key),
                &Value::String("#notpresent".into()),
                Some(actual_value),
                "unexpected field".into(),
            ));
        }
    }
}

/// Equals: the same length, element by element.
fn match_array_in_order(path: &str, expected: &[Value], actual: &[Value], out: &mut Vec<Mismatch>) {
    if expected.len() != actual.len() {
        out.push(Mismatch {
            path: path.to_owned(),
            expected: Value::Array(expected.to_vec()),
            actual: Some(Value::Array(actual.to_vec())),
            reason: format!("{} elements, expected {}", actual.len(), expected.len()),
        });
        return;
    }
    for (index, (expected, actual)) in expected.iter().zip(actual).enumerate() {
        match_into(
            &push_index(path, index),
            expected,
            Some(actual),
            MatchMode::Equals,
            out,
        );
    }
}

/// Contains: every expected element matches some actual element, in any order.
fn match_array_members(path: &str, expected: &[Value], actual: &[Value], out: &mut Vec<Mismatch>) {
    for (index, wanted) in expected.iter().enumerate() {
        let found = actual.iter().any(|candidate| {
            let mut scratch = Vec::new();
            match_into(
                path,
                wanted,
                Some(candidate),
                MatchMode::Contains,
                &mut scratch,
            );
            scratch.is_empty()
        });
        if !found {
            out.push(Mismatch {
                path: path.to_owned(),
                expected: wanted.clone(),
                actual: Some(Value::Array(actual.to_vec())),
                reason: format!("no element matches expected element [{index}]"),
            });
        }
    }
}

fn match_scalar(path: &str, expected: &Value, actual: &Value, out: &mut Vec<Mismatch>) {
    let reason = if type_name(expected) != type_name(actual) {
        format!("not {}", type_name(expected))
    } else if !same_scalar(expected, actual) {
        DIFFERENT_VALUE.to_owned()
    } else {
        return;
    };
    out.push(mismatch(path, expected, Some(actual), reason));
}

/// The JSON type of `value` with its article, as used in reasons (`not a string`).
fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn same_scalar(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Number(expected), Value::Number(actual)) => same_number(expected, actual),
        _ => expected == actual,
    }
}

/// Numeric equality: `1 == 1.0`; integers compare exactly, never through floats.
fn same_number(lhs: &Number, rhs: &Number) -> bool {
    match (integer(lhs), integer(rhs)) {
        (Some(lhs), Some(rhs)) => lhs == rhs,
        (Some(int), None) => float_is_integer(rhs, int),
        (None, Some(int)) => float_is_integer(lhs, int),
        (None, None) => lhs.as_f64() == rhs.as_f64(),
    }
}

fn integer(number: &Number) -> Option<i128> {
    number
        .as_i64()
        .map(i128::from)
        .or_else(|| number.as_u64().map(i128::from))
}

/// Whether the float `number` is exactly the integer `int` (`f as i128` saturates,
/// and saturated values lie outside the i64/u64 range integers come from).
fn float_is_integer(number: &Number, int: i128) -> bool {
    number
        .as_f64()
        .is_some_and(|float| float.fract() == 0.0 && float as i128 == int)
}
