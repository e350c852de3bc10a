//! `[policy]` as written: which severities fail the gate, the severity of
//! each drift class, and a file of more waivers. Applying it is
//! `compare::policy`.
//!
//! ```toml
//! [policy]
//! fail_on = ["error"]
//! severity.header = "info"
//! waivers_file = "waivers.toml"
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::drift_class::{DriftClass, Severity};

/// `[policy]` as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PolicySpec {
    /// Severities that fail the gate (exit code 1).
    pub fail_on: Vec<Severity>,
    /// Severity per drift class, overriding [`crate::drift_class::default_severity`].
    pub severity: BTreeMap<DriftClass, Severity>,
    /// A TOML file of more `[[waivers]]`, relative to the config file.
    pub waivers_file: Option<PathBuf>,
}

impl Default for PolicySpec {
    fn default() -> Self {
        PolicySpec {
            fail_on: vec![Severity::Error, Severity::Warning],
            severity: BTreeMap::new(),
            waivers_file: None,
        }
    }
}
