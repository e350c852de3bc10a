//! The drift model: one difference in behaviour between the two environments.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::drift_class::DriftClass;
use crate::trace::ScenarioKey;

/// Where in a scenario a drift was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepRef {
    /// Position of the step in the scenario (0-based, background included).
    pub index: usize,
    /// Line of the step in the feature file.
    pub line: usize,
    /// Keyword and text, e.g. `When I send a GET request to "/api/orders/{{ id }}"`.
    pub text: String,
}

/// One difference in behaviour.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Drift {
    /// Kind of difference.
    pub class: DriftClass,
    /// Scenario it was found in.
    pub scenario: ScenarioKey,
    /// Step it was found at.
    pub step: StepRef,
    /// Service of the exchange, when the drift is in an HTTP exchange.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// Request line (`GET /api/orders/…`) of the exchange, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<String>,
    /// JSON path (`$.items[0].sku`), header name (`header:content-type`) or assertion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The baseline's value (normalised); absent when the baseline had none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<Value>,
    /// The candidate's value (normalised); absent when the candidate had none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub candidate: Option<Value>,
    /// One sentence saying what differs.
    pub message: String,
}

/// A difference a comparison rule, a Gherkin rule or learned noise kept out
/// of the drift, with the rule that did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuppressedDrift {
    /// What would have been drift.
    pub drift: Drift,
    /// The rule, as named in reports (`rule `timestamps``, `learned noise at $.id`).
    pub by: String,
}
