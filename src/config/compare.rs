//! `[compare]` as written in `driftgate.toml`: what the automatic
//! comparison of exchanges looks at (headers, ignored paths, generated
//! values, scoped rules, learned noise). The comparison itself is
//! `compare`.

use std::path::PathBuf;

use serde::Deserialize;

use super::noise::NoiseEntry;
use super::rules::RuleSpec;

/// How far a now-stamp may lie outside its side's step window by default, in milliseconds.
pub const DEFAULT_CLOCK_SKEW_MS: u64 = 2_000;
/// Numbers this close relative to their magnitude are equal by default.
pub const DEFAULT_RELATIVE_TOLERANCE: f64 = 1e-9;

/// `[compare] generated_values`: whether generated values are recognised.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GeneratedValuesMode {
    /// Now-stamps, UUIDs/ULIDs, float representation and keyed lists are
    /// compared by shape (the default).
    #[default]
    Recognise,
    /// Every value is compared as it is.
    Strict,
}

/// `[compare]`: what the automatic comparison of exchanges looks at.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct CompareRules {
    /// `recognise` (default): now-stamps, UUIDs/ULIDs, float representation
    /// and keyed lists compare by shape; `strict`: every value by value.
    pub generated_values: GeneratedValuesMode,
    /// How far a now-stamp may lie outside the time its side's scenario ran.
    pub clock_skew_ms: u64,
    /// Numbers equal within this relative difference are equal
    /// (`0.30000000000000004` and `0.3`); a `tolerance` rule overrides it.
    pub relative_tolerance: f64,
    /// JSONPath expressions (RFC 9535) whose matches are never compared, and
    /// EDI element paths written `edi:PATH` (`edi:ISA15`, `edi:DTM[=137]+1:2`).
    pub ignore: Vec<String>,
    /// Response headers compared across environments (case-insensitive names; `*`: all).
    pub headers: Vec<String>,
    /// Response headers never compared (wildcards allowed).
    pub ignore_headers: Vec<String>,
    /// Scoped rules: `[[compare.rules]]`.
    pub rules: Vec<RuleSpec>,
    /// Learned noise files (JSON or TOML), relative to the config file: one
    /// path or a list (`noise = ["a.json", "b.json"]`).
    #[serde(deserialize_with = "super::noise::one_or_many")]
    pub noise: Vec<PathBuf>,
    /// Noise entries loaded from `noise` (or `--noise`).
    #[serde(skip)]
    pub learned: Vec<NoiseEntry>,
}

impl Default for CompareRules {
    fn default() -> Self {
        CompareRules {
            generated_values: GeneratedValuesMode::default(),
            clock_skew_ms: DEFAULT_CLOCK_SKEW_MS,
            relative_tolerance: DEFAULT_RELATIVE_TOLERANCE,
            ignore: Vec::new(),
            headers: vec!["content-type".to_owned()],
            ignore_headers: Vec::new(),
            rules: Vec::new(),
            noise: Vec::new(),
            learned: Vec::new(),
        }
    }
}
