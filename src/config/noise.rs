//! Learned-noise files as written (`[compare] noise`, `--noise`): their
//! format, reading, writing and validation. What a noise file means and how
//! it is learned is described in `compare::noise`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::pattern::route_template::route_pattern;
use crate::pattern::wildcard::RoutePattern;

/// Version of the noise file format written (format 1, one environment and
/// `*` routes, is still read).
pub const NOISE_FORMAT: u32 = 2;
/// The oldest noise file format still read.
const OLDEST_FORMAT: u32 = 1;

/// A noise file: what was learned, where, from which environment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoiseFile {
    /// [`NOISE_FORMAT`].
    pub format: u32,
    /// The environments learned from (format 1: `environment`, one name).
    #[serde(alias = "environment", deserialize_with = "one_or_many")]
    pub environments: Vec<String>,
    /// When it was learned (RFC 3339).
    pub learned_at: String,
    /// Runs per environment it was learned from (absent in format 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runs: Option<usize>,
    /// The noisy places.
    #[serde(default)]
    pub noise: Vec<NoiseEntry>,
    /// Values constant within each environment but different between them:
    /// listed for review, never applied.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub environment_specific: Vec<EnvironmentValue>,
}

/// A value each environment always answers the same way, but differently
/// from the other: not noise, but something to declare as an environment
/// variable (`[environments.NAME.variables]`) or to waive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvironmentValue {
    /// Service of the exchanges.
    pub service: String,
    /// Route template of the step.
    pub route: String,
    /// JSONPath with `[*]` for array positions, or `header:NAME`.
    pub path: String,
    /// The value each environment answered, by environment name.
    pub values: BTreeMap<String, Value>,
    /// Scenarios it was seen in (`feature: name`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scenarios: Vec<String>,
}

/// One name or a list of names: `"a"` or `["a", "b"]`.
pub(crate) fn one_or_many<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany<T> {
        One(T),
        Many(Vec<T>),
    }
    Ok(match OneOrMany::deserialize(deserializer)? {
        OneOrMany::One(one) => vec![one],
        OneOrMany::Many(many) => many,
    })
}

/// One noisy place: a JSONPath (or `header:NAME`) in the responses of a route.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoiseEntry {
    /// Service of the exchanges.
    pub service: String,
    /// Route template of the step, e.g. `GET /api/stock/{{ sku }}` (format 1: `GET /api/orders/*`).
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
    /// The pairs of runs that differed here (`staging run 1 vs 3`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub learned_from: Vec<String>,
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
        if !(OLDEST_FORMAT..=NOISE_FORMAT).contains(&self.format) {
            return Err(format!(
                "`format`: {} is not supported (this driftgate reads formats {OLDEST_FORMAT} to {NOISE_FORMAT}); learn it again with `driftgate learn-noise`",
                self.format
            ));
        }
        for (i, entry) in self.noise.iter().enumerate() {
            RoutePattern::parse(&route_pattern(&entry.route))
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
