//! Expected values a run would refuse before comparing anything: unknown or
//! malformed markers and regexes that do not compile, in step arguments and
//! in the JSON docstrings of body checks, and body docstrings that are not
//! JSON.
//!
//! ```text
//! Then the response field "$.id" should be "#uuidd"          unknown marker, did you mean `#uuid`?
//! Then the response field "$.v" should be "#regex ["          invalid regex: unclosed character class
//! Then the response body should match:  """ { id: 1 } """     the docstring is not JSON
//! ```

use serde_json::Value;

use super::{ScenarioLinter, Source};
use crate::diagnostic::Diagnostic;
use crate::lint::walk::{MatchedStep, StepArg};
use crate::matcher::{self, MatcherError};

/// Where the markers are listed and the regex rule is stated.
const MARKERS_HELP: &str = "markers: #ignore #present #notpresent #null #notnull #string #number #boolean #array #object #uuid #date #datetime #regex <re> #[N] <marker>, ##<marker> for optional; a regex is written as the regex engine reads it, quoted or not (docs/steps.md)";

impl ScenarioLinter<'_> {
    /// Checks the step's expected value and, for a body check, its docstring.
    pub(super) fn expectations(&mut self, matched: &MatchedStep<'_>) {
        if let Some(arg) = matched.arg("expected") {
            self.expected_value(matched, arg);
        }
        if is_body_check(matched) {
            self.json_docstring(matched);
        }
    }

    fn expected_value(&mut self, matched: &MatchedStep<'_>, arg: &StepArg) {
        if arg.value.contains("{{") {
            return;
        }
        if let Err(e) = matcher::validate_expected(&matcher::parse_expected(&arg.value)) {
            self.at_arg(matched, arg, title(&e), MARKERS_HELP.into());
        } else if arg.value.ends_with(':') {
            self.at_arg(
                matched,
                arg,
                format!("the expected value `{}` ends with a colon", arg.value),
                "this step reads everything after `should be` as the value; remove the trailing colon".into(),
            );
        }
    }

    /// A body check's docstring: JSON once its templates are set aside, with
    /// valid markers.
    fn json_docstring(&mut self, matched: &MatchedStep<'_>) {
        let Some(docstring) = &matched.step.docstring else {
            return;
        };
        let templated = docstring.contains("{{") || docstring.contains("{%");
        if docstring.contains("{%")
            || (templated && self.context.engine.variables(docstring).is_err())
        {
            return; // a template that does not parse is reported by `template`
        }
        let skeleton = crate::template::without_templates(docstring);
        // The docstring opens on the line after the step; its text starts
        // after the opening quotes' line break.
        let opening = matched.step.position.line + 1;
        let first_line = opening + usize::from(!docstring.starts_with('\n'));
        let starts_at = opening + 1;
        let expected: Value = match serde_json::from_str(&skeleton) {
            Ok(v) => v,
            Err(e) => {
                let line = first_line + e.line().saturating_sub(1);
                let indent = self
                    .lines
                    .get(opening - 1)
                    .map_or(0, |l| l.chars().take_while(|c| c.is_whitespace()).count());
                let col = indent + e.column().max(1);
                let message = e.to_string();
                let message = message.split(" at line ").next().unwrap_or_default();
                let d = Diagnostic::at(
                    format!("the expected body is not JSON: {message}"),
                    &self.parsed.file,
                    &self.parsed.shown,
                    line,
                    col,
                )
                .underline(col, 1)
                .with_help("write the expected body as JSON; a template stands inside a string (\"{{ orderId }}\", which keeps the value's type) or for a whole value");
                self.findings.push(d);
                return;
            }
        };
        if let Err(e) = matcher::validate_expected(&expected) {
            let span = docstring.lines().count();
            let needle = marker_of(&e).to_owned();
            self.at_text(
                &Source::Feature {
                    from_line: starts_at,
                    span,
                },
                &needle,
                None,
                title(&e),
                format!("{MARKERS_HELP}; inside JSON each regex backslash is doubled"),
            );
        }
    }
}

/// The checks whose docstring is the expected JSON body.
fn is_body_check(matched: &MatchedStep<'_>) -> bool {
    let pattern = matched.def.pattern;
    pattern.ends_with(" body should match:$") || pattern.ends_with(" body should contain:$")
}

/// The error without its `$: ` root path (the finding points at the text).
fn title(e: &MatcherError) -> String {
    let text = e.to_string();
    match text.split_once(": ") {
        Some((path, rest)) if path.starts_with('$') => rest.to_owned(),
        _ => text,
    }
}

fn marker_of(e: &MatcherError) -> &str {
    match e {
        MatcherError::UnknownMarker { marker, .. }
        | MatcherError::InvalidRegex { marker, .. }
        | MatcherError::MalformedMarker { marker, .. } => marker,
    }
}
