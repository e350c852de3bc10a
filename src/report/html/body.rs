//! Response bodies pretty-printed line by line, each line knowing the JSON
//! location it shows, so the lines at a drift's path can be highlighted.
//!
//! ```text
//! {                          /
//!   "currency": "EUR",       /currency        ← marked for drift path `$.currency`
//!   "lines": [               /lines
//!     {                      /lines/0
//! ```

use serde::Serialize;
use serde_json::Value;
use serde_json_path::JsonPath;

use crate::secret::Redactor;

/// One line of a pretty-printed body.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(super) struct BodyLine {
    /// The text, indentation included (redacted).
    pub text: String,
    /// Whether the line shows a location a drift points at.
    pub marked: bool,
}

/// `body` pretty-printed, lines under any of `drift_paths` (JSONPath) marked.
pub(super) fn body_lines(body: &Value, drift_paths: &[&str], redactor: &Redactor) -> Vec<BodyLine> {
    let marked: Vec<String> = drift_paths
        .iter()
        .filter_map(|p| JsonPath::parse(p).ok())
        .flat_map(|path| {
            path.query_located(body)
                .locations()
                .map(|l| l.to_json_pointer())
                .collect::<Vec<_>>()
        })
        .collect();
    let mut lines = Vec::new();
    push_value(&mut lines, body, "", 0, None, true);
    lines
        .into_iter()
        .map(|(pointer, text)| BodyLine {
            marked: marked
                .iter()
                .any(|m| pointer == *m || pointer.starts_with(&format!("{m}/"))),
            text: redactor.redact(&text).into_owned(),
        })
        .collect()
}

/// Appends the lines of `value` at `pointer`; `key` is its member name in an object.
fn push_value(
    lines: &mut Vec<(String, String)>,
    value: &Value,
    pointer: &str,
    depth: usize,
    key: Option<&str>,
    last: bool,
) {
    let indent = "  ".repeat(depth);
    let prefix = key
        .map(|k| format!("{}: ", Value::String(k.to_owned())))
        .unwrap_or_default();
    let comma = if last { "" } else { "," };
    match value {
        Value::Object(map) if !map.is_empty() => {
            lines.push((pointer.to_owned(), format!("{indent}{prefix}{{")));
            for (i, (k, v)) in map.iter().enumerate() {
                let child = format!("{pointer}/{}", escape_pointer(k));
                push_value(lines, v, &child, depth + 1, Some(k), i + 1 == map.len());
            }
            lines.push((pointer.to_owned(), format!("{indent}}}{comma}")));
        }
        Value::Array(items) if !items.is_empty() => {
            lines.push((pointer.to_owned(), format!("{indent}{prefix}[")));
            for (i, v) in items.iter().enumerate() {
                let child = format!("{pointer}/{i}");
                push_value(lines, v, &child, depth + 1, None, i + 1 == items.len());
            }
            lines.push((pointer.to_owned(), format!("{indent}]{comma}")));
        }
        scalar => lines.push((
            pointer.to_owned(),
            format!("{indent}{prefix}{scalar}{comma}"),
        )),
    }
}

/// RFC 6901 escaping of a member name in a JSON pointer.
fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn lines_at_and_under_a_drift_path_are_marked() {
        let body = json!({"id": 1, "lines": [{"sku": "A", "qty": 2}], "a/b": true});
        let lines = body_lines(&body, &["$.lines[0].sku", "$['a/b']"], &Redactor::default());
        let shown: Vec<(bool, &str)> = lines.iter().map(|l| (l.marked, l.text.as_str())).collect();
        assert_eq!(
            shown,
            [
                (false, "{"),
                (false, "  \"id\": 1,"),
                (false, "  \"lines\": ["),
                (false, "    {"),
                (true, "      \"sku\": \"A\","),
                (false, "      \"qty\": 2"),
                (false, "    }"),
                (false, "  ],"),
                (true, "  \"a/b\": true"),
                (false, "}"),
            ]
        );
    }

    #[test]
    fn a_whole_object_under_a_path_is_marked_and_secrets_are_redacted() {
        let redactor = Redactor::default();
        redactor.add("s3cr3t-token");
        let body = json!({"auth": {"token": "s3cr3t-token"}, "ok": []});
        let lines = body_lines(&body, &["$.auth"], &redactor);
        let marked: Vec<&str> = lines
            .iter()
            .filter(|l| l.marked)
            .map(|l| l.text.as_str())
            .collect();
        assert_eq!(marked, ["  \"auth\": {", "    \"token\": \"***\"", "  },"]);
    }
}
