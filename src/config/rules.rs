//! `[[compare.rules]]` as written in `driftgate.toml`, and their
//! validation (every path, regex, route and tolerance, naming the key).
//! Compiling them for a scope is `compare::rules`.
//!
//! ```toml
//! [[compare.rules]]
//! service = "erp"
//! route = "GET /api/orders/*"
//! tolerance = [{ path = "$.total", absolute = 0.01 }]
//! ```

use serde::{Deserialize, Serialize};
use serde_json_path::JsonPath;

use crate::pattern::wildcard::RoutePattern;

/// `[[compare.rules]]`: rules that apply to the exchanges in one scope.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RuleSpec {
    /// Named in the report when the rule suppresses a difference.
    pub name: Option<String>,
    /// Only exchanges with this service.
    pub service: Option<String>,
    /// Only requests matching this route (`POST /api/orders/*`, `/api/**`).
    pub route: Option<String>,
    /// Only scenarios carrying this tag (with or without `@`).
    pub tag: Option<String>,
    /// JSONPaths whose matches are not compared at all.
    pub ignore: Vec<String>,
    /// Numbers that may differ by an absolute or relative amount.
    pub tolerance: Vec<ToleranceSpec>,
    /// Arrays compared as multisets: element order carries no meaning.
    pub unordered: Vec<String>,
    /// Arrays whose elements pair by a key field instead of by position.
    pub match_by: Vec<KeyedArraySpec>,
    /// Regex masks applied to string values on both sides before comparing.
    pub mask: Vec<MaskSpec>,
    /// Strings compared ignoring case.
    pub case_insensitive: Vec<String>,
    /// Strings compared ignoring leading, trailing and repeated whitespace.
    pub ignore_whitespace: Vec<String>,
    /// Values compared by JSON type and string format only.
    pub format_only: Vec<String>,
    /// Response headers compared in addition to `[compare] headers` (`*`: all).
    pub headers: Vec<String>,
    /// Response headers never compared (wildcards allowed).
    pub ignore_headers: Vec<String>,
}

/// Numbers at `path` are equal when within `absolute` or `relative` of each other.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToleranceSpec {
    /// JSONPath of the numbers.
    pub path: String,
    /// Largest allowed `|baseline - candidate|`.
    #[serde(default)]
    pub absolute: Option<f64>,
    /// Largest allowed `|baseline - candidate| / max(|baseline|, |candidate|)`.
    #[serde(default)]
    pub relative: Option<f64>,
}

/// Elements of the array at `path` pair by their `key` member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyedArraySpec {
    /// JSONPath of the array.
    pub path: String,
    /// Member of each element that identifies it (`lineNo`, `sku`).
    pub key: String,
}

/// Matches of `regex` in strings at `path` are replaced before comparing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaskSpec {
    /// JSONPath of the strings.
    pub path: String,
    /// Regular expression (Rust `regex` syntax).
    pub regex: String,
    /// Replacement text.
    #[serde(default = "default_mask")]
    pub replacement: String,
}

fn default_mask() -> String {
    "<masked>".to_owned()
}

/// A rule that does not validate: the key inside the rule, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    /// Key path inside the rule, e.g. `tolerance[0].path`.
    pub key: String,
    /// What is wrong.
    pub message: String,
}

fn check_path(key: String, path: &str) -> Result<(), RuleError> {
    JsonPath::parse(path).map(|_| ()).map_err(|e| RuleError {
        key,
        message: format!("`{path}` is not a valid JSONPath: {e}"),
    })
}

impl RuleSpec {
    /// Checks every path, regex, route and tolerance of the rule.
    pub fn validate(&self) -> Result<(), RuleError> {
        if let Some(route) = &self.route {
            RoutePattern::parse(route).map_err(|message| RuleError {
                key: "route".into(),
                message,
            })?;
        }
        let lists = [
            ("ignore", &self.ignore),
            ("unordered", &self.unordered),
            ("case_insensitive", &self.case_insensitive),
            ("ignore_whitespace", &self.ignore_whitespace),
            ("format_only", &self.format_only),
        ];
        for (name, paths) in lists {
            for (i, path) in paths.iter().enumerate() {
                check_path(format!("{name}[{i}]"), path)?;
            }
        }
        for (i, t) in self.tolerance.iter().enumerate() {
            check_path(format!("tolerance[{i}].path"), &t.path)?;
            let bad = |v: Option<f64>| v.is_some_and(|v| !v.is_finite() || v < 0.0);
            if (t.absolute.is_none() && t.relative.is_none()) || bad(t.absolute) || bad(t.relative)
            {
                return Err(RuleError {
                    key: format!("tolerance[{i}]"),
                    message: "give `absolute` and/or `relative`, each a number ≥ 0".into(),
                });
            }
        }
        for (i, k) in self.match_by.iter().enumerate() {
            check_path(format!("match_by[{i}].path"), &k.path)?;
        }
        for (i, m) in self.mask.iter().enumerate() {
            check_path(format!("mask[{i}].path"), &m.path)?;
            regex::Regex::new(&m.regex).map_err(|e| RuleError {
                key: format!("mask[{i}].regex"),
                message: format!(
                    "`{}` is not a valid regex: {}",
                    m.regex,
                    crate::matcher::regex_problem(&m.regex, &e)
                ),
            })?;
        }
        Ok(())
    }
}
