//! Waivers: documented, intentional differences between environments.
//!
//! ```toml
//! [[waivers]]
//! id = "EUR-TO-USD"
//! scenario = "Create an order*"      # wildcards: * any run, ? one character
//! path = "$.currency"
//! class = "value_change"
//! reason = "staging bills in USD until the FX migration"
//! owner = "erp-team@example.com"
//! ticket = "ERP-1234"
//! expires = "2026-12-31"             # last day it waives (UTC)
//! ```
//!
//! A waiver matches a drift when every matcher it has matches (`feature`,
//! `scenario`, `step`, `service`, `path`, `class`); it needs at least one.
//! Waived drift stays in the report, marked; an expired waiver waives
//! nothing and the report names it. This module holds waivers as written
//! (reading, validating); matching them against drift is
//! `compare::waiver`.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// `[[waivers]]`: one documented difference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaiverSpec {
    /// Name in reports; `waiver #N` when not given.
    #[serde(default)]
    pub id: Option<String>,
    /// Feature file path pattern.
    #[serde(default)]
    pub feature: Option<String>,
    /// Scenario name pattern.
    #[serde(default)]
    pub scenario: Option<String>,
    /// Step text pattern (keyword and text, e.g. `When I send a GET*`).
    #[serde(default)]
    pub step: Option<String>,
    /// Service name pattern.
    #[serde(default)]
    pub service: Option<String>,
    /// Drift path pattern (`$.currency`, `header:etag`, `$.lines[*].price`).
    #[serde(default)]
    pub path: Option<String>,
    /// Drift class pattern (`value_change`, `*_field`).
    #[serde(default)]
    pub class: Option<String>,
    /// Why the difference is intended.
    pub reason: String,
    /// Who answers for it.
    pub owner: String,
    /// Tracking ticket.
    #[serde(default)]
    pub ticket: Option<String>,
    /// Last day (UTC) the waiver waives.
    pub expires: ExpiryDate,
}

/// A calendar day, written `YYYY-MM-DD` (a TOML date or a string).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ExpiryDate(pub NaiveDate);

impl std::fmt::Display for ExpiryDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

impl Serialize for ExpiryDate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ExpiryDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Written {
            Text(String),
            Toml(toml::value::Datetime),
        }
        let text = match Written::deserialize(deserializer)? {
            Written::Text(text) => text,
            Written::Toml(datetime) => datetime.to_string(),
        };
        NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
            .map(ExpiryDate)
            .map_err(|_| serde::de::Error::custom(format!("`{text}` is not a date YYYY-MM-DD")))
    }
}

impl WaiverSpec {
    /// The name of the waiver at `index` (0-based) in reports.
    pub fn label(&self, index: usize) -> String {
        self.id
            .clone()
            .unwrap_or_else(|| format!("waiver #{}", index + 1))
    }

    /// Whether the waiver still waives on `today`.
    pub fn is_active(&self, today: NaiveDate) -> bool {
        today <= self.expires.0
    }

    /// Checks that the waiver matches something specific and says why and who.
    pub fn validate(&self) -> Result<(), (String, String)> {
        let matchers = [
            &self.feature,
            &self.scenario,
            &self.step,
            &self.service,
            &self.path,
            &self.class,
        ];
        if matchers.iter().all(|m| m.is_none()) {
            return Err((
                "scenario".into(),
                "a waiver needs at least one of feature, scenario, step, service, path, class"
                    .into(),
            ));
        }
        for (key, value) in [("reason", &self.reason), ("owner", &self.owner)] {
            if value.trim().is_empty() {
                return Err((key.into(), "must not be empty".into()));
            }
        }
        Ok(())
    }
}

/// A waivers file: `[[waivers]]` tables and nothing else.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaiversFile {
    /// The waivers.
    #[serde(default)]
    pub waivers: Vec<WaiverSpec>,
}

/// A waivers file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum WaiverError {
    /// It cannot be read.
    #[error("waivers file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// It is not a valid waivers file.
    #[error("waivers file {path}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong, naming the key.
        message: String,
    },
}

impl WaiversFile {
    /// Reads and validates a TOML waivers file.
    pub fn load(path: &Path) -> Result<WaiversFile, WaiverError> {
        let text = std::fs::read_to_string(path).map_err(|source| WaiverError::Io {
            path: path.to_owned(),
            source,
        })?;
        let invalid = |message: String| WaiverError::Invalid {
            path: path.to_owned(),
            message,
        };
        let file: WaiversFile = toml::from_str(&text).map_err(|e| invalid(e.to_string()))?;
        for (i, waiver) in file.waivers.iter().enumerate() {
            waiver
                .validate()
                .map_err(|(key, message)| invalid(format!("`waivers[{i}].{key}`: {message}")))?;
        }
        Ok(file)
    }
}
