//! Judging: turns the recorded steps of one scenario into [`Drift`]s.
//!
//! A pure function of trace records and rules; no network, no clock.
//! Pairing is by step position; inside a step, HTTP exchanges pair by their
//! order (a polling step, `I poll …`, by its last exchange only). Before
//! diffing, each side's captured values and environment variables are
//! replaced by the same placeholder (`<captured:orderId>`, `<env:plant>`), so
//! `order 4711` vs `order 9822` is not drift; locations matched by the
//! `[compare] ignore` JSONPath rules are skipped.
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

mod drift;
mod edi;
mod exchange;
mod finding;
mod json_diff;
mod messages;
mod normalize;
mod outcome;
mod rows;
mod topology;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use serde_json::Value;
use serde_json_path::JsonPath;

pub use drift::{Drift, DriftClass, StepRef};
pub use edi::NOISE as EDI_NOISE;
pub use exchange::is_polling_step;
pub use json_diff::{IgnoreSet, JsonDifference, Segment, diff_json};
pub use normalize::{MIN_EMBEDDED_CHARS, Normalizer};
pub use rows::describe_differences;

use crate::config::CompareRules;
use crate::trace::{RunHeader, Side, StepRecord, Twin};
use exchange::ExchangeRules;
use finding::Site;

/// Compares the steps of one scenario, in order, and returns every drift found.
pub fn compare_scenario(
    header: &RunHeader,
    steps: &[StepRecord],
    rules: &CompareRules,
) -> Vec<Drift> {
    let rules = prepare_rules(rules);
    let normalizer = Normalizer::new(&header.environments, &scenario_captures(steps));
    let mut drifts = Vec::new();
    for step in steps {
        drifts.extend(compare_step(step, &rules, &normalizer));
    }
    drifts
}

/// Every value captured in the scenario, per side. Captures of later steps
/// count for earlier ones too: the response that *carries* an id is the one
/// it is captured from. A name captured again with another value is kept as
/// `name#2`, `name#3`, … so no captured value escapes normalisation.
fn scenario_captures(steps: &[StepRecord]) -> Twin<BTreeMap<String, Value>> {
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

/// Parses the ignore paths (skipping any that do not parse: configuration
/// validation reports those) and lower-cases the compared header names.
fn prepare_rules(rules: &CompareRules) -> ExchangeRules {
    let mut headers: Vec<String> = Vec::new();
    for name in &rules.headers {
        let name = name.to_ascii_lowercase();
        if !headers.contains(&name) {
            headers.push(name);
        }
    }
    ExchangeRules {
        ignore: rules
            .ignore
            .iter()
            .filter_map(|path| JsonPath::parse(path).ok())
            .collect(),
        headers,
        edi: edi::EdiRules::new(&rules.ignore),
    }
}

fn compare_step(step: &StepRecord, rules: &ExchangeRules, normalizer: &Normalizer) -> Vec<Drift> {
    let site = Site::of_step(step);
    let outcomes = outcome::compare_outcomes(&step.sides, normalizer);
    let mut drifts: Vec<Drift> = outcomes
        .findings
        .into_iter()
        .map(|finding| site.drift(finding))
        .collect();
    if outcomes.observations_comparable {
        drifts.extend(exchange::compare_exchanges(step, rules, normalizer, &site));
        drifts.extend(rows::compare_queries(
            step,
            &rules.ignore,
            normalizer,
            &site,
        ));
        messages::compare_messages(step, rules, normalizer, &site, &mut drifts);
    }
    drifts
}
