//! Comparison rules written in Gherkin: they apply to the exchanges of the
//! closest earlier step that made HTTP requests, when the scenario is judged.
//!
//! ```gherkin
//! When I send a POST request to "/api/orders" with the fixture "orders/new-order.json"
//! Then the responses should match across environments ignoring "$.createdAt" and "$.links"
//! ```
//!
//! The step records a `compare_rule` observation on both sides; it never
//! fails on its own (drift is judged from the trace, not here), but a path
//! that is not valid JSONPath is an error in both environments.

use std::sync::LazyLock;

use cucumber::step::Context;
use futures::future::LocalBoxFuture;
use regex::Regex;

use super::StepDef;
use crate::trace::{CompareRuleRecord, Observation, SideStep, StepOutcome};
use crate::world::TwinWorld;
use crate::world::steps::declaration::{Action, ArgKind, Args, param};

pub(super) fn steps() -> Vec<StepDef> {
    vec![StepDef {
        pattern: r"^the responses should match across environments(?: ignoring (?<paths>.+))?$",
        summary: "Compares the previous step's exchanges across environments, leaving out the listed JSONPaths.",
        example: r#"Then the responses should match across environments ignoring "$.createdAt""#,
        params: const {
            &[param(
                "paths",
                ArgKind::List,
                "JSONPaths to leave out, quoted: \"$.a\", \"$.b\" and \"$.c\"",
            )]
        },
        action: Action::Declare,
        run: match_across,
    }]
}

fn match_across(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let args = Args::of(&ctx);
        let rule = parse_ignored(args.text("paths"));
        w.each_side(&ctx, |_| match &rule {
            Ok(rule) => SideStep {
                observations: vec![Observation::CompareRule(rule.clone())],
                ..SideStep::default()
            },
            Err(message) => SideStep {
                outcome: StepOutcome::Error {
                    message: message.clone(),
                },
                ..SideStep::default()
            },
        });
    })
}

/// `"$.a", "$.b" and "$.c"` → the three paths, each checked as JSONPath.
fn parse_ignored(list: &str) -> Result<CompareRuleRecord, String> {
    static QUOTED: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#""([^"]*)""#).unwrap_or_else(|e| panic!("{e}")));
    static SEPARATORS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"^(?:\s*(?:,|and)?\s*"[^"]*")*\s*$"#).unwrap_or_else(|e| panic!("{e}"))
    });
    if !SEPARATORS.is_match(list) {
        return Err(format!(
            "cannot read the paths `{list}`: write them quoted, separated by `,` or `and`"
        ));
    }
    let mut ignore = Vec::new();
    for path in QUOTED.captures_iter(list).map(|c| c[1].to_owned()) {
        serde_json_path::JsonPath::parse(&path)
            .map_err(|e| format!("`{path}` is not a valid JSONPath: {e}"))?;
        ignore.push(path);
    }
    Ok(CompareRuleRecord { ignore })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_paths_are_read_in_order() {
        let cases = [
            ("", vec![]),
            (r#""$.createdAt""#, vec!["$.createdAt"]),
            (r#""$.a", "$.b" and "$..c""#, vec!["$.a", "$.b", "$..c"]),
        ];
        for (list, expected) in cases {
            let record = parse_ignored(list).unwrap();
            assert_eq!(record.ignore, expected, "{list}");
        }
    }

    #[test]
    fn unquoted_or_invalid_paths_are_errors() {
        assert!(parse_ignored("$.a").unwrap_err().contains("quoted"));
        assert!(
            parse_ignored(r#""$[""#)
                .unwrap_err()
                .contains("not a valid JSONPath")
        );
    }
}
