//! Template function calls a run would refuse, found by calling them: each
//! call of a driftgate function whose arguments are all literals is
//! rendered once with nothing in scope.
//!
//! ```text
//! "PO-{{ random_int(9, 1) }}"    random_int(9, 1): the lower bound is above the upper bound
//! "{{ now('%Q') }}"              `%Q` is not a valid strftime format
//! ```

use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock};

use regex::Regex;

use super::{ScenarioLinter, Source};
use crate::template::{GeneratedValues, Scope, TemplateError};

/// `name(arguments)` with literal arguments only (numbers, quoted text).
static LITERAL_CALL: LazyLock<Regex> = LazyLock::new(|| {
    let literal = r#"(?:'[^']*'|"[^"]*"|-?[0-9]+(?:\.[0-9]+)?)"#;
    Regex::new(&format!(
        r"([A-Za-z_][A-Za-z0-9_]*)\s*\(\s*(?:{literal}(?:\s*,\s*{literal})*)?\s*\)"
    ))
    .unwrap_or_else(|e| panic!("{e}"))
});

impl ScenarioLinter<'_> {
    /// Renders each literal call of a driftgate function in `text` (a
    /// template that parses) and reports those that fail.
    pub(super) fn function_calls(&mut self, text: &str, source: &Source<'_>) {
        let vars = BTreeMap::new();
        let env_vars = BTreeMap::new();
        let generated = Arc::new(GeneratedValues::default());
        let scope = Scope {
            vars: &vars,
            env_name: "check",
            env_vars: &env_vars,
            generated: &generated,
        };
        for call in literal_calls(text) {
            let name = call.split('(').next().unwrap_or_default().trim();
            if !self.context.engine.is_function(name) {
                continue;
            }
            let Err(e) = self
                .context
                .engine
                .render(&format!("{{{{ {call} }}}}"), scope)
            else {
                continue;
            };
            let message = match e {
                TemplateError::Invalid { message, .. } => message,
                other => other.to_string(),
            };
            // `random_int(9, 1): the lower bound …` names the call once.
            let message = match message.split_once("): ") {
                Some((head, rest)) if head.starts_with(name) => rest.to_owned(),
                _ => message,
            };
            self.at_text(
                source,
                call,
                None,
                format!("`{call}` would fail: {message}"),
                "template functions: uuid(), now(fmt), today(fmt), random_int(lo, hi) with lo <= hi, random_string(n), control_number(key); formats are strftime (`%Y-%m-%d`)".into(),
            );
        }
    }
}

/// Calls with literal arguments inside `{{ … }}` in `text`, not methods
/// (`x.f()`) or filters (`| f(1)`).
fn literal_calls(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start..].find("}}") else {
            break;
        };
        let inside = &rest[start + 2..start + len];
        for m in LITERAL_CALL.find_iter(inside) {
            let before = inside[..m.start()].trim_end();
            if !(before.ends_with('.') || before.ends_with('|')) {
                out.push(m.as_str());
            }
        }
        rest = &rest[start + len + 2..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::literal_calls;

    #[test]
    fn literal_calls_leave_out_methods_filters_and_variable_arguments() {
        assert_eq!(
            literal_calls(
                "PO-{{ random_int(9, 1) }} {{ now('%Q') }} {{ x | round(2) }} {{ a.b(1) }} {{ f(n) }}"
            ),
            ["random_int(9, 1)", "now('%Q')"]
        );
    }
}
