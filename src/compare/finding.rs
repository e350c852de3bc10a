//! Findings and where they were made: the parts of a [`Drift`] that the
//! outcome and exchange comparisons produce separately.
//!
//! ```text
//! Site    { scenario: features/order_sync.feature:7 Create an order,
//!           step: #2 line 10 `When I send a POST request to "/api/orders"`,
//!           service: orders, request: POST /api/orders }
//! Finding { class: status, baseline: 201, candidate: 500,
//!           message: "status 201 in baseline, 500 in candidate" }
//! ──▶ Drift { class: status, scenario, step, service, request, baseline: 201, … }
//! ```

use serde_json::Value;

use super::{Drift, StepRef};
use crate::drift_class::DriftClass;
use crate::trace::{ScenarioKey, StepRecord};

/// Where a difference was found: scenario, step and, inside an HTTP
/// exchange, service and request line.
#[derive(Debug, Clone)]
pub(super) struct Site<'a> {
    scenario: &'a ScenarioKey,
    step: StepRef,
    service: Option<String>,
    request: Option<String>,
}

impl<'a> Site<'a> {
    /// The step itself, outside of any exchange.
    pub(super) fn of_step(step: &'a StepRecord) -> Site<'a> {
        Site {
            scenario: &step.scenario,
            step: StepRef {
                index: step.index,
                line: step.line,
                text: format!("{}{}", step.keyword, step.text),
            },
            service: None,
            request: None,
        }
    }

    /// One exchange of this step.
    pub(super) fn exchange(&self, service: &str, request: String) -> Site<'a> {
        Site {
            service: Some(service.to_owned()),
            request: Some(request),
            ..self.clone()
        }
    }

    /// The drift a finding at this site is (for comparisons no rule suppresses).
    pub(super) fn drift(&self, finding: Finding) -> Drift {
        self.placed(finding).0
    }

    /// The drift a finding at this site is, with the rule that suppressed it.
    pub(super) fn placed(&self, finding: Finding) -> (Drift, Option<String>) {
        let drift = Drift {
            class: finding.class,
            scenario: self.scenario.clone(),
            step: self.step.clone(),
            service: self.service.clone(),
            request: self.request.clone(),
            path: finding.path,
            baseline: finding.baseline,
            candidate: finding.candidate,
            message: finding.message,
        };
        (drift, finding.suppressed_by)
    }
}

/// One difference, before it is placed at a [`Site`].
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Finding {
    /// Kind of difference.
    pub(super) class: DriftClass,
    /// JSON path, `header:<name>` or assertion, when there is one.
    pub(super) path: Option<String>,
    /// The baseline's value (normalised).
    pub(super) baseline: Option<Value>,
    /// The candidate's value (normalised).
    pub(super) candidate: Option<Value>,
    /// One sentence saying what differs.
    pub(super) message: String,
    /// The rule that keeps this finding out of the drift, if one does.
    pub(super) suppressed_by: Option<String>,
}
