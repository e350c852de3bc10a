//! Learned noise: the places whose values differ between two runs of the
//! same scenario against the *same* environment (an A/A run), written to a
//! reviewable file that later runs apply.
//!
//! ```json
//! {"format": 1, "environment": "staging", "learned_at": "2026-11-26T10:00:00Z",
//!  "noise": [
//!   {"service": "erp", "route": "POST /api/orders", "path": "$.createdAt", "kind": "value",
//!    "examples": ["2026-11-26T10:00:00.120Z", "2026-11-26T10:00:00.410Z"],
//!    "scenarios": ["features/order_sync.feature: Create an order"]},
//!   {"service": "erp", "route": "GET /api/orders/*", "path": "$.lines", "kind": "order"}]}
//! ```
//!
//! A `value` entry hides a value change of the same type and format only; a
//! missing field, a type change or a format change stays drift. An `order`
//! entry compares the array as a multiset. `route` segments that held
//! captured values, environment variables, numbers or uuids become `*`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::exchange::url_path;
use super::tree::{Act, PathAction, RuleNode};
use super::walk::diff_with_rules;
use super::{DriftClass, Normalizer, Segment, is_polling_step};
use crate::trace::{
    HttpExchange, Observation, RunHeader, ScenarioKey, Side, StepOutcome, StepRecord, Twin,
};

/// Version of the noise file format.
pub const NOISE_FORMAT: u32 = 1;
/// Distinct example values kept per entry.
const MAX_EXAMPLES: usize = 3;

/// A noise file: what was learned, where, from which environment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoiseFile {
    /// [`NOISE_FORMAT`].
    pub format: u32,
    /// The environment both runs went to.
    pub environment: String,
    /// When it was learned (RFC 3339).
    pub learned_at: String,
    /// The noisy places.
    #[serde(default)]
    pub noise: Vec<NoiseEntry>,
}

/// One noisy place: a JSONPath (or `header:NAME`) in the responses of a route.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoiseEntry {
    /// Service of the exchanges.
    pub service: String,
    /// Route pattern, e.g. `GET /api/orders/*`.
    pub route: String,
    /// JSONPath with `[*]` for array positions, or `header:NAME`.
    pub path: String,
    /// Whether values or the order of an array vary.
    #[serde(default)]
    pub kind: NoiseKind,
    /// Values seen, for review.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<Value>,
    /// Scenarios it was seen in (`feature: name`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scenarios: Vec<String>,
}

/// What varies at a noisy place.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoiseKind {
    /// The value (same type and format).
    #[default]
    Value,
    /// The order of an array's elements.
    Order,
}

/// A noise file that cannot be read, parsed or written.
#[derive(Debug, thiserror::Error)]
pub enum NoiseError {
    /// Reading or writing failed.
    #[error("noise file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Not a noise file.
    #[error("noise file {path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What is wrong, with the key path where known.
        message: String,
    },
}

fn is_toml(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"))
}

impl NoiseFile {
    /// Reads a noise file: TOML when it ends in `.toml`, JSON otherwise.
    pub fn load(path: &Path) -> Result<NoiseFile, NoiseError> {
        let text = std::fs::read_to_string(path).map_err(|source| NoiseError::Io {
            path: path.to_owned(),
            source,
        })?;
        let parse = |message: String| NoiseError::Parse {
            path: path.to_owned(),
            message,
        };
        let file: NoiseFile = if is_toml(path) {
            toml::from_str(&text).map_err(|e| parse(e.to_string()))?
        } else {
            serde_json::from_str(&text).map_err(|e| parse(e.to_string()))?
        };
        file.validate().map_err(parse)?;
        Ok(file)
    }

    /// Writes the file: TOML when `path` ends in `.toml`, JSON otherwise.
    pub fn save(&self, path: &Path) -> Result<(), NoiseError> {
        let text = if is_toml(path) {
            toml::to_string_pretty(self).map_err(|e| NoiseError::Parse {
                path: path.to_owned(),
                message: e.to_string(),
            })?
        } else {
            let mut json = serde_json::to_string_pretty(self).map_err(|e| NoiseError::Parse {
                path: path.to_owned(),
                message: e.to_string(),
            })?;
            json.push('\n');
            json
        };
        std::fs::write(path, text).map_err(|source| NoiseError::Io {
            path: path.to_owned(),
            source,
        })
    }

    fn validate(&self) -> Result<(), String> {
        if self.format != NOISE_FORMAT {
            return Err(format!(
                "`format`: {} is not supported (expected {NOISE_FORMAT})",
                self.format
            ));
        }
        for (i, entry) in self.noise.iter().enumerate() {
            super::wildcard::RoutePattern::parse(&entry.route)
                .map_err(|e| format!("`noise[{i}].route`: {e}"))?;
            if !entry.path.starts_with("header:") {
                serde_json_path::JsonPath::parse(&entry.path).map_err(|e| {
                    format!(
                        "`noise[{i}].path`: `{}` is not a valid JSONPath: {e}",
                        entry.path
                    )
                })?;
            }
        }
        Ok(())
    }
}

/// One scenario of an A/A run: its identity and its steps.
pub type ScenarioSteps = (ScenarioKey, Vec<StepRecord>);

/// Learns the noise of an A/A run: both sides of `header` are the same
/// environment, so every difference between them is noise.
pub fn learn(header: &RunHeader, scenarios: &[ScenarioSteps]) -> Vec<NoiseEntry> {
    let mut learned = Learned::default();
    let variables: Vec<&String> = header.environments.baseline.variables.values().collect();
    for (key, steps) in scenarios {
        let captures = super::scenario_captures(steps);
        let normalizer =
            Normalizer::new(&header.environments_for(key.tenant.as_deref()), &captures);
        let label = format!("{}: {}", key.feature, key.name);
        for step in steps.iter().filter(|s| both_acted(s)) {
            let polling = is_polling_step(&step.text);
            let b = exchanges(step, Side::Baseline, polling);
            let c = exchanges(step, Side::Candidate, polling);
            for (b, c) in b.into_iter().zip(c) {
                let route = route_of(b, &normalizer, &variables);
                learned.exchange(&route, Twin::new(b, c), &normalizer, &label);
            }
        }
    }
    learned.entries.into_values().collect()
}

fn both_acted(step: &StepRecord) -> bool {
    Side::BOTH.iter().all(|side| {
        matches!(
            step.sides.get(*side).outcome,
            StepOutcome::Passed | StepOutcome::Failed { .. }
        )
    })
}

fn exchanges(step: &StepRecord, side: Side, polling: bool) -> Vec<&HttpExchange> {
    let all: Vec<&HttpExchange> = step
        .sides
        .get(side)
        .observations
        .iter()
        .filter_map(|o| match o {
            Observation::Http(exchange) => Some(exchange),
            _ => None,
        })
        .collect();
    if polling {
        all.last().copied().into_iter().collect()
    } else {
        all
    }
}

/// `METHOD /path` with every segment that varies per run or environment as `*`.
fn route_of(exchange: &HttpExchange, normalizer: &Normalizer, variables: &[&String]) -> String {
    let path = normalizer.normalize_text(Side::Baseline, &url_path(&exchange.request.url));
    let segments: Vec<&str> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|segment| {
            let varies = segment.contains('<')
                || segment.bytes().all(|b| b.is_ascii_digit())
                || uuid::Uuid::try_parse(segment).is_ok()
                || variables.iter().any(|v| v.as_str() == segment);
            if varies { "*" } else { segment }
        })
        .collect();
    format!("{} /{}", exchange.request.method, segments.join("/"))
}

/// Learned entries by (service, route, path, kind).
#[derive(Default)]
struct Learned {
    entries: BTreeMap<(String, String, String, NoiseKind), NoiseEntry>,
}

impl Learned {
    fn exchange(
        &mut self,
        route: &str,
        pair: Twin<&HttpExchange>,
        normalizer: &Normalizer,
        scenario: &str,
    ) {
        let (Some(b), Some(c)) = (&pair.baseline.response, &pair.candidate.response) else {
            return;
        };
        let service = &pair.baseline.service;
        for (name, value) in &b.headers {
            let other = c.header(name);
            if other.is_some_and(|other| other != value) {
                let examples = [Value::from(value.as_str()), Value::from(other)];
                let path = format!("header:{}", name.to_ascii_lowercase());
                self.add(service, route, path, NoiseKind::Value, &examples, scenario);
            }
        }
        let (Some(bj), Some(cj)) = (
            b.body.as_ref().and_then(|b| b.as_json()),
            c.body.as_ref().and_then(|c| c.as_json()),
        ) else {
            return;
        };
        let bj = normalizer.normalize_value(Side::Baseline, bj);
        let cj = normalizer.normalize_value(Side::Candidate, cj);
        for difference in diff_with_rules(&bj, &cj, &arrays_unordered(&bj)) {
            let kind = match difference.class {
                DriftClass::ValueChange => NoiseKind::Value,
                DriftClass::Order => NoiseKind::Order,
                _ => continue,
            };
            let examples: Vec<Value> = match kind {
                NoiseKind::Value => [difference.baseline, difference.candidate]
                    .into_iter()
                    .flatten()
                    .collect(),
                NoiseKind::Order => Vec::new(),
            };
            let path = generalise(&difference.path);
            self.add(service, route, path, kind, &examples, scenario);
        }
    }

    fn add(
        &mut self,
        service: &str,
        route: &str,
        path: String,
        kind: NoiseKind,
        examples: &[Value],
        scenario: &str,
    ) {
        let key = (service.to_owned(), route.to_owned(), path.clone(), kind);
        let entry = self.entries.entry(key).or_insert_with(|| NoiseEntry {
            service: service.to_owned(),
            route: route.to_owned(),
            path,
            kind,
            examples: Vec::new(),
            scenarios: Vec::new(),
        });
        for example in examples {
            if entry.examples.len() < MAX_EXAMPLES && !entry.examples.contains(example) {
                entry.examples.push(example.clone());
            }
        }
        if !entry.scenarios.iter().any(|s| s == scenario) {
            entry.scenarios.push(scenario.to_owned());
        }
    }
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

#[cfg(test)]
mod tests;
