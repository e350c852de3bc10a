//! JSONPath-style locations of values inside a document, as shown in mismatches and drift.
//!
//! ```text
//! push_key("$", "lines")          → $.lines
//! push_index("$.lines", 1)        → $.lines[1]
//! push_key("$.lines[1]", "sku")   → $.lines[1].sku
//! push_key("$", "unit price")     → $['unit price']
//! ```
//!
//! The output is a valid RFC 9535 normalized-style path: identifier-like keys use the
//! dot shorthand, every other key is a single-quoted bracket selector with escapes.

use std::fmt::Write as _;

/// The path of member `key` of the object at `path`.
pub fn push_key(path: &str, key: &str) -> String {
    if is_shorthand_name(key) {
        format!("{path}.{key}")
    } else {
        format!("{path}['{}']", escape_key(key))
    }
}

/// The path of element `index` of the array at `path`.
pub fn push_index(path: &str, index: usize) -> String {
    format!("{path}[{index}]")
}

/// Whether `key` can be written as `.key` (RFC 9535 member-name-shorthand, ASCII subset).
fn is_shorthand_name(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `key` escaped for a single-quoted RFC 9535 name selector.
fn escape_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for c in key.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() && u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{push_index, push_key};

    #[test]
    fn formats_keys_and_indices() {
        let cases = [
            (push_key("$", "id"), "$.id"),
            (push_key("$", "_links"), "$._links"),
            (push_key("$", "line2"), "$.line2"),
            (push_key("$", "2nd"), "$['2nd']"),
            (push_key("$", "unit price"), "$['unit price']"),
            (push_key("$", "order-no"), "$['order-no']"),
            (push_key("$", ""), "$['']"),
            (push_key("$", "it's"), r"$['it\'s']"),
            (push_key("$", r"a\b"), r"$['a\\b']"),
            (push_key("$", "a\nb"), r"$['a\nb']"),
            (push_key("$", "a\u{1}b"), r"$['a\u0001b']"),
            (push_key("$", "prix€"), "$['prix€']"),
            (push_index("$", 0), "$[0]"),
            (push_key(&push_index("$.lines", 1), "sku"), "$.lines[1].sku"),
        ];
        for (actual, expected) in cases {
            assert_eq!(actual, expected);
        }
    }

    #[test]
    fn formatted_paths_select_the_value_with_serde_json_path() {
        let doc = serde_json::json!({"unit price": {"it's": [10, {"a\\b": "found"}]}});
        let path = push_key(
            &push_index(&push_key(&push_key("$", "unit price"), "it's"), 1),
            "a\\b",
        );
        let query = serde_json_path::JsonPath::parse(&path).expect("path parses");
        let found = query.query(&doc).exactly_one().expect("one node");
        assert_eq!(found, "found");
    }
}
