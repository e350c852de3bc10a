//! Judging: turns the recorded steps of one scenario into [`Drift`]s.
//!
//! A pure function of trace records and rules; no network, no clock.
//! Pairing is by step position; inside a step, HTTP exchanges pair by their
//! order (a polling step, `I poll …`, by its last exchange only). Before
//! diffing, each side's captured values and environment variables are
//! replaced by the same placeholder (`<captured:orderId>`, `<env:plant>`), so
//! `order 4711` vs `order 9822` is not drift — but a captured value whose JSON
//! type differs is, and every drift that shows a placeholder also names both
//! real values ([`captures`]). Locations matched by the `[compare] ignore`
//! JSONPath rules are skipped; generated values (now-stamps, UUIDs, float
//! representation, keyed lists) compare by shape ([`generated`]).
//!
//! ```text
//! step 2 `When I send a GET request to "/api/orders/{{ orderId }}"`
//!   baseline  GET /api/orders/4711 → 200 {"id": 4711, "plant": "P100", "state": "NEW"}
//!   candidate GET /api/orders/9822 → 200 {"id": 9822, "plant": "S100", "state": "OPEN"}
//! ──▶ value_change  GET /api/orders/<captured:orderId>  $.state  "NEW" → "OPEN"
//! ```
//!
//! Per step, in this order: the outcomes (an error or an assertion failure
//! in one environment only), then, when both sides acted, the exchange
//! count, statuses, the configured headers and the bodies.
//!
//! Rules ([`rules`]) scope by service, route and scenario tag; every
//! difference a rule keeps out of the drift is returned as a
//! [`SuppressedDrift`] naming the rule. [`policy`] then gives each drift a
//! severity, applies [`waiver`]s and decides the gate; [`traces`] pairs
//! stored traces; [`noise`] learns value noise from an A/A run.

mod captures;
mod drift;
mod edi;
mod exchange;
mod finding;
mod generated;
mod json_diff;
mod messages;
pub mod noise;
mod normalize;
mod outcome;
pub mod policy;
mod rows;
pub mod rules;
mod topology;
pub mod traces;
mod tree;
mod value_rules;
pub mod waiver;
mod walk;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use serde_json::Value;

pub use captures::captured_note;
pub use drift::{Drift, StepRef, SuppressedDrift};
pub use edi::NOISE as EDI_NOISE;
pub use exchange::is_polling_step;
pub use generated::GeneratedSettings;
pub use json_diff::{IgnoreSet, JsonDifference, Segment, diff_json};
pub use normalize::{MIN_EMBEDDED_CHARS, Normalizer};
pub use rows::describe_differences;
pub use rules::RuleSet;
pub use value_rules::string_format;

use crate::config::CompareRules;
use crate::trace::{Observation, RunHeader, Side, StepRecord, Twin};
use finding::Site;
use generated::Recognizer;
use rules::CompiledRule;

/// Compares the steps of one scenario, in order, and returns every drift found.
pub fn compare_scenario(
    header: &RunHeader,
    steps: &[StepRecord],
    rules: &CompareRules,
) -> Vec<Drift> {
    judge_scenario(header, steps, &RuleSet::compile(rules)).drifts
}

/// What the comparison of one scenario found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScenarioJudgement {
    /// Every drift, in step order.
    pub drifts: Vec<Drift>,
    /// Every difference a rule kept out of the drift, with the rule.
    pub suppressed: Vec<SuppressedDrift>,
}

/// Compares the steps of one scenario under compiled rules: the drifts, and
/// the differences the rules (including Gherkin rule steps) suppressed.
pub fn judge_scenario(
    header: &RunHeader,
    steps: &[StepRecord],
    rules: &RuleSet,
) -> ScenarioJudgement {
    let tenant = steps.first().and_then(|s| s.scenario.tenant.as_deref());
    let normalizer = Normalizer::new(&header.environments_for(tenant), &scenario_captures(steps));
    let step_rules = gherkin_rules(steps);
    let mut judgement = ScenarioJudgement::default();
    for (position, step) in steps.iter().enumerate() {
        let extra = step_rules.get(&position);
        let with_steps;
        let rules = match extra {
            Some(extra) => {
                let mut all = rules.clone();
                for rule in extra {
                    all.push(rule.clone());
                }
                with_steps = all;
                &with_steps
            }
            None => rules,
        };
        let generated = Recognizer::for_step(rules.generated, steps, position);
        for (drift, by) in compare_step(step, rules, &normalizer, generated) {
            match by {
                None => judgement.drifts.push(drift),
                Some(by) => judgement.suppressed.push(SuppressedDrift { drift, by }),
            }
        }
    }
    judgement
}

/// Rules written as Gherkin steps, by the position of the step they apply
/// to: the closest earlier step that made HTTP exchanges.
fn gherkin_rules(steps: &[StepRecord]) -> BTreeMap<usize, Vec<CompiledRule>> {
    let mut by_step: BTreeMap<usize, Vec<CompiledRule>> = BTreeMap::new();
    for (position, step) in steps.iter().enumerate() {
        let Some(record) = Side::BOTH.iter().find_map(|side| {
            step.sides
                .get(*side)
                .observations
                .iter()
                .find_map(|o| match o {
                    Observation::CompareRule(rule) => Some(rule),
                    _ => None,
                })
        }) else {
            continue;
        };
        let target = steps[..position].iter().rposition(|earlier| {
            Side::BOTH.iter().any(|side| {
                earlier
                    .sides
                    .get(*side)
                    .observations
                    .iter()
                    .any(|o| matches!(o, Observation::Http(_)))
            })
        });
        if let Some(target) = target {
            let label = format!("Gherkin rule at line {}", step.line);
            by_step
                .entry(target)
                .or_default()
                .push(CompiledRule::ignoring(label, &record.ignore));
        }
    }
    by_step
}

/// Every value captured in the scenario, per side. Captures of later steps
/// count for earlier ones too: the response that *carries* an id is the one
/// it is captured from. A name captured again with another value is kept as
/// `name#2`, `name#3`, … so no captured value escapes normalisation.
pub(crate) fn scenario_captures(steps: &[StepRecord]) -> Twin<BTreeMap<String, Value>> {
    let mut captures = Twin::<BTreeMap<String, Value>>::default();
    for step in steps {
        for side in Side::BOTH {
            let known = captures.get_mut(side);
            for (name, value) in &step.sides.get(side).captures {
                if known.values().any(|v| v == value) {
                    continue;
                }
                let mut key = name.clone();
                let mut n = 1;
                while known.contains_key(&key) {
                    n += 1;
                    key = format!("{name}#{n}");
                }
                known.insert(key, value.clone());
            }
        }
    }
    captures
}

fn compare_step(
    step: &StepRecord,
    rules: &RuleSet,
    normalizer: &Normalizer,
    generated: Recognizer,
) -> Vec<(Drift, Option<String>)> {
    let site = Site::of_step(step);
    let outcomes = outcome::compare_outcomes(&step.sides, normalizer);
    let mut drifts: Vec<(Drift, Option<String>)> = outcomes
        .findings
        .into_iter()
        .map(|finding| site.placed(finding))
        .collect();
    if outcomes.observations_comparable {
        drifts.extend(captures::compare_capture_types(step, &site));
        drifts.extend(exchange::compare_exchanges(
            step, rules, normalizer, generated, &site,
        ));
        drifts.extend(rows::compare_queries(
            step,
            rules.ignore_paths(),
            normalizer,
            generated,
            &site,
        ));
        messages::compare_messages(step, rules, normalizer, generated, &site, &mut drifts);
    }
    for (drift, _) in &mut drifts {
        captures::show_captured_values(drift, normalizer);
    }
    drifts
}
