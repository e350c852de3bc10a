//! What differs between two runs of the same scenarios: every value or
//! array order that is not the same in both, by service, route template and
//! generalised JSONPath.
//!
//! ```text
//! run 1  GET /api/stock/BRK-1001  {"sku": "BRK-1001", "checkedAt": "…:00.120Z", "bins": ["A", "B"]}
//! run 2  GET /api/stock/BRK-1001  {"sku": "BRK-1001", "checkedAt": "…:01.410Z", "bins": ["B", "A"]}
//! ──▶ wms  GET /api/stock/{{ sku }}  $.checkedAt  value
//!     wms  GET /api/stock/{{ sku }}  $.bins       order
//! ```
//!
//! Captured values and environment variables are replaced by placeholders
//! first, so an order id captured per run is not a difference.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use crate::compare::exchange::{exchanges, url_path};
use crate::compare::tree::{Act, PathAction, RuleNode};
use crate::compare::walk::diff_with_rules;
use crate::compare::{Normalizer, Segment, is_polling_step, scenario_captures};
use crate::config::noise::{NoiseEntry, NoiseKind};
use crate::drift_class::DriftClass;
use crate::pattern::route_template::route_template;
use crate::trace::{HttpExchange, RunHeader, ScenarioKey, Side, StepOutcome, StepRecord, Twin};

/// Distinct example values kept per entry.
const MAX_EXAMPLES: usize = 3;

/// One scenario of a paired run: its identity and its steps.
pub type ScenarioSteps = (ScenarioKey, Vec<StepRecord>);

/// A difference between the two sides of a paired run at one place.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Difference {
    /// What differed, and the values seen on each side (value differences).
    pub(crate) entry: NoiseEntry,
    /// Baseline and candidate value of the first time it was seen.
    pub(crate) first: Twin<Option<Value>>,
}

/// Differences of one or more paired runs, by (service, route, path, kind).
#[derive(Debug, Default)]
pub(crate) struct Differences {
    pub(crate) places: BTreeMap<(String, String, String, NoiseKind), Difference>,
}

impl Differences {
    /// Adds every difference between the two sides of a paired run; `pair`
    /// names the runs compared (`staging run 1 vs 2`).
    pub(crate) fn add_run_pair(
        &mut self,
        header: &RunHeader,
        scenarios: &[ScenarioSteps],
        pair: &str,
    ) {
        for (key, steps) in scenarios {
            let environments = header.environments_for(key.tenant.as_deref());
            let captures = scenario_captures(steps);
            let normalizer = Normalizer::new(&environments, &captures);
            let known: Vec<String> = Side::BOTH
                .iter()
                .flat_map(|side| {
                    let variables = environments.get(*side).variables.values().cloned();
                    let captured = captures.get(*side).values().filter_map(segment_text);
                    variables.chain(captured).collect::<Vec<_>>()
                })
                .collect();
            let varies = |segment: &str| known.iter().any(|k| k == segment);
            let place = Place {
                scenario: format!("{}: {}", key.feature, key.name),
                pair,
                normalizer: &normalizer,
            };
            for step in steps.iter().filter(|s| both_acted(s)) {
                let polling = is_polling_step(&step.text);
                let b = exchanges(step.sides.get(Side::Baseline), polling);
                let c = exchanges(step.sides.get(Side::Candidate), polling);
                for (b, c) in b.into_iter().zip(c) {
                    let path = url_path(&b.request.url);
                    let written = step.outline_text.as_deref().unwrap_or(&step.text);
                    let route = route_template(written, &b.request.method, &path, &varies);
                    self.exchange(&route, Twin::new(b, c), &place);
                }
            }
        }
    }

    /// The places as noise entries, in (service, route, path, kind) order.
    pub(crate) fn into_entries(self) -> Vec<NoiseEntry> {
        self.places.into_values().map(|d| d.entry).collect()
    }

    fn exchange(&mut self, route: &str, pair: Twin<&HttpExchange>, place: &Place<'_>) {
        let (Some(b), Some(c)) = (&pair.baseline.response, &pair.candidate.response) else {
            return;
        };
        let service = &pair.baseline.service;
        for (name, value) in &b.headers {
            let other = c.header(name);
            if let Some(other) = other.filter(|other| *other != value) {
                let values = Twin::new(Some(Value::from(value.as_str())), Some(other.into()));
                let path = format!("header:{}", name.to_ascii_lowercase());
                let at = (service.clone(), route.to_owned(), path);
                self.add(at, NoiseKind::Value, values, place);
            }
        }
        let (Some(bj), Some(cj)) = (
            b.body.as_ref().and_then(|b| b.as_json()),
            c.body.as_ref().and_then(|c| c.as_json()),
        ) else {
            return;
        };
        let bj = place.normalizer.normalize_value(Side::Baseline, bj);
        let cj = place.normalizer.normalize_value(Side::Candidate, cj);
        for difference in diff_with_rules(&bj, &cj, &arrays_unordered(&bj)) {
            let (kind, values) = match difference.class {
                DriftClass::ValueChange => (
                    NoiseKind::Value,
                    Twin::new(difference.baseline, difference.candidate),
                ),
                DriftClass::Order => (NoiseKind::Order, Twin::new(None, None)),
                _ => continue,
            };
            let at = (
                service.clone(),
                route.to_owned(),
                generalise(&difference.path),
            );
            self.add(at, kind, values, place);
        }
    }

    fn add(
        &mut self,
        (service, route, path): (String, String, String),
        kind: NoiseKind,
        values: Twin<Option<Value>>,
        place: &Place<'_>,
    ) {
        let key = (service.clone(), route.clone(), path.clone(), kind);
        let difference = self.places.entry(key).or_insert_with(|| Difference {
            entry: NoiseEntry {
                service,
                route,
                path,
                kind,
                examples: Vec::new(),
                scenarios: Vec::new(),
                learned_from: Vec::new(),
            },
            first: values.clone(),
        });
        let entry = &mut difference.entry;
        for example in [values.baseline, values.candidate].into_iter().flatten() {
            if entry.examples.len() < MAX_EXAMPLES && !entry.examples.contains(&example) {
                entry.examples.push(example);
            }
        }
        push_new(&mut entry.scenarios, &place.scenario);
        push_new(&mut entry.learned_from, place.pair);
    }
}

/// Where the differences of one scenario of a paired run come from.
struct Place<'a> {
    scenario: String,
    pair: &'a str,
    normalizer: &'a Normalizer,
}

fn push_new(list: &mut Vec<String>, item: &str) {
    if !list.iter().any(|known| known == item) {
        list.push(item.to_owned());
    }
}

/// A captured value as it would appear as a URL path segment.
fn segment_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn both_acted(step: &StepRecord) -> bool {
    Side::BOTH.iter().all(|side| {
        matches!(
            step.sides.get(*side).outcome,
            StepOutcome::Passed | StepOutcome::Failed { .. }
        )
    })
}

/// A tree that compares every array of `document` as a multiset, so a
/// shuffled array is learned as order noise, not as value noise in each element.
fn arrays_unordered(document: &Value) -> RuleNode {
    let act = Act {
        id: (0, 0),
        action: PathAction::NoiseOrder,
        label: "order".to_owned(),
    };
    let mut tree = RuleNode::default();
    mark_arrays(document, &mut Vec::new(), &mut tree, &act);
    tree
}

fn mark_arrays<'a>(value: &'a Value, at: &mut Vec<Segment<'a>>, tree: &mut RuleNode, act: &Act) {
    match value {
        Value::Array(items) => {
            tree.insert_at(at, act);
            for (i, item) in items.iter().enumerate() {
                at.push(Segment::Index(i));
                mark_arrays(item, at, tree, act);
                at.pop();
            }
        }
        Value::Object(members) => {
            for (name, member) in members {
                at.push(Segment::Name(name));
                mark_arrays(member, at, tree, act);
                at.pop();
            }
        }
        _ => {}
    }
}

/// `$.lines[3].id` → `$.lines[*].id`.
fn generalise(path: &str) -> String {
    static INDEX: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\[\d+\]").unwrap_or_else(|e| panic!("{e}")));
    INDEX.replace_all(path, "[*]").into_owned()
}
