//! The built-in step library: every step QA can write, with no Rust.
//!
//! One table ([`catalogue`]) drives registration with cucumber, the check for
//! unknown steps (with "did you mean"), and the step reference. Given, When,
//! Then, And and But are interchangeable: each step is registered for all.
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

pub(crate) use amqp::{REPLAY, REPLAY_TABLE_VARIABLES};
pub(crate) use edi::{POST_EDI_DOCUMENT, POST_EDI_FIXTURE};
pub use timing::budget_of;
pub(crate) use variables::VARIABLES_TABLE;

use std::sync::LazyLock;

use cucumber::step::Context;
use regex::Regex;

pub use amqp::AmqpSideState;

use super::scenario::skipped;
use super::{ScenarioState, SideState, TwinWorld};
use crate::trace::{Side, SideStep, Twin};

/// One built-in step.
pub struct StepDef {
    /// Anchored regular expression the step text must match.
    pub pattern: &'static str,
    /// What the step does, in one line.
    pub summary: &'static str,
    /// A step line using it.
    pub example: &'static str,
    /// The step's parameters, one per capture group of `pattern`, in order:
    /// `(name, meaning)`. `driftgate check` reads some names: `variable` (a
    /// variable the step sets), `jsonpath`, `fixture`, `service`, `method`.
    pub params: &'static [(&'static str, &'static str)],
    /// The implementation.
    pub run: cucumber::Step<TwinWorld>,
}

const METHOD: &str = "(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)";

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
        steps.extend(sql_parity::steps());
        steps.extend(amqp::steps());
        steps.extend(compare::steps());
        steps
    });
    &STEPS
}

/// The catalogue's patterns, compiled once.
fn compiled() -> &'static [Regex] {
    static COMPILED: LazyLock<Vec<Regex>> = LazyLock::new(|| {
        catalogue()
            .iter()
            .map(|s| {
                Regex::new(s.pattern)
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

/// Whether `text` matches a built-in step; otherwise the closest step's example.
pub fn lookup(text: &str) -> Result<(), Option<&'static str>> {
    if compiled().iter().any(|re| re.is_match(text)) {
        return Ok(());
    }
    let examples = catalogue().iter().map(|s| strip_keyword(s.example));
    Err(closest(text, examples))
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
    static ARGS: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#""[^"]*"|\d+(?:\.\d+)?"#).unwrap_or_else(|e| panic!("{e}")));
    ARGS.replace_all(&text.to_lowercase(), |c: &regex::Captures<'_>| {
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

/// The n-th capture group of the step's match ("" when an optional group did not match).
fn arg(ctx: &Context, n: usize) -> &str {
    ctx.matches
        .get(n)
        .map(|(_, v)| v.as_str())
        .unwrap_or_default()
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
    fn unknown_step_suggests_the_closest() {
        assert_eq!(lookup("the response status should be 200"), Ok(()));
        let suggestion = lookup("the response stauts should be 200").unwrap_err();
        assert_eq!(suggestion, Some("the response status should be 201"));
        assert_eq!(
            lookup("completely unrelated words here and there").unwrap_err(),
            None
        );
    }
}
