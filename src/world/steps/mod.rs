//! The built-in step library: every step QA can write, with no Rust.
//!
//! One table ([`catalogue`]) drives registration with cucumber, the check for
//! unknown steps (with "did you mean"), and the step reference. Given, When,
//! Then, And and But are interchangeable: each step is registered for all.
//! A trailing colon is optional on every step (QA writes one before a
//! docstring or a table, or not), except where the step ends in an open
//! value such as `should be (.+)`.
//!
//! ```gherkin
//! When I send a POST request to "/api/orders" with the fixture "orders/new-order.json"
//! Then the response status should be 201
//! And the response field "$.id" should be #uuid
//! And I capture the response field "$.id" as "orderId"
//! ```

mod amqp;
mod assertion;
mod compare;
pub mod declaration;
mod edi;
mod fixtures;
mod polling;
pub mod reference;
mod request;
mod response;
mod services;
mod sql;
mod sql_parity;
mod sql_rows;
mod timing;
mod variables;

pub(crate) use amqp::{REPLAY_TABLE_VARIABLES, amqp_service_name};
pub use declaration::{Action, ArgKind, Arrival, Outgoing, Param, Part, Transport, Writes};
pub(crate) use request::http_service_name;

use std::sync::LazyLock;

use regex::Regex;

pub use amqp::AmqpSideState;

use super::scenario::skipped;
use super::{ScenarioState, SideState, TwinWorld};
use crate::trace::{Side, SideStep, Twin};

/// One built-in step: its text, its typed arguments and what it does.
pub struct StepDef {
    /// Anchored regular expression the step text must match; each argument
    /// is a named capture group (`(?<path>[^"]*)`).
    pub pattern: &'static str,
    /// What the step does, in one line.
    pub summary: &'static str,
    /// A step line using it.
    pub example: &'static str,
    /// The step's arguments: one per named group of `pattern`, in order,
    /// then its table or docstring, if it reads one.
    pub params: &'static [Param],
    /// What the step does: `--dry-run` prints it and `driftgate check` lints it.
    pub action: Action,
    /// The implementation; it reads its arguments by name ([`declaration::Args`]).
    pub run: cucumber::Step<TwinWorld>,
}

impl StepDef {
    /// The declared argument `name`, if the step has one.
    pub fn param(&self, name: &str) -> Option<&'static Param> {
        self.params.iter().find(|p| p.name == name)
    }
}

/// The HTTP methods a step may name.
const METHOD: &str = "GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS";

/// Every built-in step.
pub fn catalogue() -> &'static [StepDef] {
    static STEPS: LazyLock<Vec<StepDef>> = LazyLock::new(|| {
        let mut steps = Vec::new();
        steps.extend(variables::steps());
        steps.extend(request::steps());
        steps.extend(response::steps());
        steps.extend(edi::steps());
        steps.extend(timing::steps());
        steps.extend(sql::steps());
        steps.extend(sql_rows::steps());
        steps.extend(sql_parity::steps());
        steps.extend(amqp::steps());
        steps.extend(compare::steps());
        steps
    });
    &STEPS
}

/// `pattern` with its trailing colon optional (`…:$` → `…:?$`, `…$` →
/// `…:?$`); a pattern ending in an open value (`(.+)$`) is left as it is.
fn colon_optional(pattern: &str) -> String {
    if let Some(head) = pattern.strip_suffix(":$") {
        format!("{head}:?$")
    } else if pattern.ends_with("(.+)$") {
        pattern.to_owned()
    } else {
        let head = pattern.strip_suffix('$').unwrap_or(pattern);
        format!("{head}:?$")
    }
}

/// The catalogue's patterns, compiled once.
fn compiled() -> &'static [Regex] {
    static COMPILED: LazyLock<Vec<Regex>> = LazyLock::new(|| {
        catalogue()
            .iter()
            .map(|s| {
                Regex::new(&colon_optional(s.pattern))
                    .unwrap_or_else(|e| panic!("built-in step pattern {}: {e}", s.pattern))
            })
            .collect()
    });
    &COMPILED
}

/// The catalogue's patterns compiled, in catalogue order (for registration).
pub fn patterns() -> &'static [Regex] {
    compiled()
}

/// Whether `text` matches a built-in step; otherwise the closest step's
/// example, written with the user's own arguments where they fit.
pub fn lookup(text: &str) -> Result<(), Option<String>> {
    if compiled().iter().any(|re| re.is_match(text)) {
        return Ok(());
    }
    let examples = catalogue().iter().map(|s| strip_keyword(s.example));
    Err(closest(text, examples).map(|example| with_arguments_of(example, text)))
}

/// `example` with its arguments (quoted values, numbers) replaced by those
/// of `text`, in order, when both have as many and the result is a valid
/// step; else `example` as it is.
fn with_arguments_of(example: &str, text: &str) -> String {
    let theirs: Vec<&str> = step_arguments()
        .find_iter(text)
        .map(|m| m.as_str())
        .collect();
    if step_arguments().find_iter(example).count() != theirs.len() {
        return example.to_owned();
    }
    let mut theirs = theirs.into_iter();
    let rewritten = step_arguments()
        .replace_all(example, |c: &regex::Captures<'_>| {
            theirs.next().unwrap_or(&c[0]).to_owned()
        })
        .into_owned();
    if compiled().iter().any(|re| re.is_match(&rewritten)) {
        rewritten
    } else {
        example.to_owned()
    }
}

/// A step's arguments: quoted values and numbers.
fn step_arguments() -> &'static Regex {
    static ARGS: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#""[^"]*"|\d+(?:\.\d+)?"#).unwrap_or_else(|e| panic!("{e}")));
    &ARGS
}

fn closest(text: &str, candidates: impl Iterator<Item = &'static str>) -> Option<&'static str> {
    let shape = step_shape(text);
    candidates
        .map(|c| (strsim::normalized_levenshtein(&shape, &step_shape(c)), c))
        .filter(|(score, _)| *score >= 0.6)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// A step's words with its arguments blanked (`"…"` → `""`, numbers → `0`),
/// so suggestions compare wording, not the values a user happened to write.
fn step_shape(text: &str) -> String {
    step_arguments()
        .replace_all(&text.to_lowercase(), |c: &regex::Captures<'_>| {
            if c[0].starts_with('"') { "\"\"" } else { "0" }
        })
        .into_owned()
}

fn strip_keyword(example: &'static str) -> &'static str {
    ["Given ", "When ", "Then ", "And ", "But "]
        .iter()
        .find_map(|k| example.strip_prefix(k))
        .unwrap_or(example)
}

/// Each side's input for acting, or its finished outcome: skipped when the
/// scenario is skipped there, an error on both when the step is refused (the
/// `refusal` says why), else what `build` makes of the side (its error on failure).
fn prepare_sides<P>(
    scenario: &ScenarioState,
    refusal: Option<String>,
    mut build: impl FnMut(Side, &SideState) -> Result<P, String>,
) -> Twin<Result<P, SideStep>> {
    let mut out = Twin::new(Err(SideStep::default()), Err(SideStep::default()));
    for side in Side::BOTH {
        let state = scenario.sides.get(side);
        *out.get_mut(side) = if let Some(skip) = skipped(state) {
            Err(skip)
        } else if let Some(message) = &refusal {
            Err(assertion::error(message.clone()))
        } else {
            scenario.generated().start_side();
            build(side, state).map_err(assertion::error)
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_example_matches_exactly_one_step() {
        for (i, step) in catalogue().iter().enumerate() {
            let text = strip_keyword(step.example);
            let matching: Vec<usize> = compiled()
                .iter()
                .enumerate()
                .filter(|(_, re)| re.is_match(text))
                .map(|(j, _)| j)
                .collect();
            assert_eq!(matching, vec![i], "example `{text}` of `{}`", step.pattern);
        }
    }

    #[test]
    fn docstring_and_table_steps_take_an_optional_trailing_colon() {
        for text in [
            "the response body should match",
            "the response body should match:",
            "the variables are",
            r#"I query "erpdb":"#,
            r#"I query "erpdb""#,
            r#"I send a POST request to "/api/orders":"#,
            r#"I poll "/api/orders/1" until the response status is 200 within 3 seconds:"#,
        ] {
            assert_eq!(lookup(text), Ok(()), "{text}");
        }
        assert_eq!(
            colon_optional(r#"^the response field "([^"]+)" should be (.+)$"#),
            r#"^the response field "([^"]+)" should be (.+)$"#
        );
    }

    #[test]
    fn a_suggestion_keeps_the_users_arguments() {
        let suggestion = lookup(
            r#"I pol "/api/orders/7" until the response field "$.state" is "OPEN" within 3 seconds:"#,
        );
        assert_eq!(
            suggestion.unwrap_err().as_deref(),
            Some(
                r#"I poll "/api/orders/7" until the response field "$.state" is "OPEN" within 3 seconds"#
            )
        );
        // When the arguments do not line up, or do not fit the step, the
        // example is shown as it is.
        for text in [
            "the response status shuld be",
            "the response stauts should be 20",
        ] {
            let suggestion = lookup(text).unwrap_err();
            assert_eq!(
                suggestion.as_deref(),
                Some("the response status should be 201"),
                "{text}"
            );
        }
        let suggestion = lookup("the response stauts should be 200").unwrap_err();
        assert_eq!(
            suggestion.as_deref(),
            Some("the response status should be 200")
        );
        assert_eq!(
            lookup("completely unrelated words here and there").unwrap_err(),
            None
        );
    }
}
