//! Typed embedding: in JSON, a string that is nothing but one template of one
//! value becomes that value with its JSON type.
//!
//! ```text
//! orderId = 7, paid = true, note = null, customer = {"id": "CUST-1"}, orderNo = "PO-1"
//! { "id": "{{ orderId }}", "paid": "{{ paid }}", "note": "{{ note }}" }
//!   ──▶ { "id": 7, "paid": true, "note": null }
//! { "customer": "{{ customer }}", "orderNo": "{{ orderNo }}" }
//!   ──▶ { "customer": {"id":"CUST-1"}, "orderNo": "PO-1" }
//! { "id": "{{ orderId | string }}", "ref": "PO-{{ orderId }}" }
//!   ──▶ { "id": "7", "ref": "PO-7" }                  (anything else stays text)
//! ```
//!
//! The rule applies to text that is JSON once its templates are set aside
//! (docstrings, fixtures, expected values); other text (XML, EDI) renders as
//! text. A template with a filter, a function call or surrounding text is
//! not "one value": it renders as a string, which is how `| string` keeps a
//! number a string.

use std::sync::LazyLock;

use regex::{Captures, Regex};

/// The filter a whole-string template is rewritten to: the value as JSON.
pub(super) const AS_JSON_FILTER: &str = "__driftgate_as_json";

/// A JSON string holding only `{{ name }}`, `{{ env.plant }}` or
/// `{{ order.lines[0] }}`, with the character before its opening quote (a
/// quote after a backslash is inside another string).
static WHOLE_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(^|[^\\])"\{\{-?\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*|\[[0-9]+\])*)\s*-?\}\}""#,
    )
    .unwrap_or_else(|e| panic!("{e}"))
});

/// Any `{{ … }}`, to see whether the text around the templates is JSON.
static ANY_TEMPLATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?s)\{\{.*?\}\}").unwrap_or_else(|e| panic!("{e}")));

/// `template` with each whole-string template of one value rewritten to
/// emit the value as JSON; `None` when nothing is to be rewritten or the
/// text is not JSON.
pub(super) fn rewrite(template: &str) -> Option<String> {
    if template.contains("{%") || !WHOLE_VALUE.is_match(template) {
        return None;
    }
    serde_json::from_str::<serde::de::IgnoredAny>(&without_templates(template)).ok()?;
    let rewritten = WHOLE_VALUE.replace_all(template, |c: &Captures<'_>| {
        let whole = c.get(0).map_or(0..0, |m| m.range());
        let is_key = template[whole.end..].trim_start().starts_with(':');
        if is_key {
            return c[0].to_owned();
        }
        format!("{}{{{{ {} | {AS_JSON_FILTER} }}}}", &c[1], &c[2])
    });
    (rewritten != template).then(|| rewritten.into_owned())
}

/// `text` with each `{{ … }}` replaced by `0`.
pub(super) fn without_templates(text: &str) -> String {
    ANY_TEMPLATE.replace_all(text, "0").into_owned()
}

/// The template that renders `text` as JSON when all of `text` is one
/// template of one value (a table cell `{{ orderId }}`), else `None`.
pub(super) fn whole_value(text: &str) -> Option<String> {
    let quoted = format!("\"{}\"", text.trim());
    let c = WHOLE_VALUE.captures(&quoted)?;
    (c.get(0)?.len() == quoted.len()).then(|| format!("{{{{ {} | {AS_JSON_FILTER} }}}}", &c[2]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_string_values_are_rewritten_in_json_only() {
        assert_eq!(
            rewrite(r#"{"id": "{{ orderId }}", "plant": "{{env.plant}}", "n": {{ n }}}"#)
                .as_deref(),
            Some(
                r#"{"id": {{ orderId | __driftgate_as_json }}, "plant": {{ env.plant | __driftgate_as_json }}, "n": {{ n }}}"#
            )
        );
        assert_eq!(
            rewrite(r#"["{{ a }}","{{ b.c[0] }}"]"#).as_deref(),
            Some(r#"[{{ a | __driftgate_as_json }},{{ b.c[0] | __driftgate_as_json }}]"#)
        );
        // Keys, text around a value, filters, functions, escaped quotes.
        for kept in [
            r#"{"{{ key }}": 1}"#,
            r#"{"ref": "PO-{{ orderId }}"}"#,
            r#"{"id": "{{ orderId | string }}"}"#,
            r#"{"id": "{{ uuid() }}"}"#,
            r#"{"note": "say \"{{ x }}\""}"#,
        ] {
            assert_eq!(rewrite(kept), None, "{kept}");
        }
        assert_eq!(rewrite(r#"<order id="{{ orderId }}"/>"#), None);
        assert_eq!(rewrite(r#"{"id": "{{ orderId }}"#), None, "not JSON");
    }

    #[test]
    fn a_whole_cell_is_one_value() {
        assert_eq!(
            whole_value(" {{ orderId }} ").as_deref(),
            Some("{{ orderId | __driftgate_as_json }}")
        );
        assert_eq!(whole_value("PO-{{ orderId }}"), None);
        assert_eq!(whole_value("{{ a }}-{{ b }}"), None);
    }
}
