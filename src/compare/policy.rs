//! The gate policy: a severity per drift class, the severities that fail the
//! gate, and the waivers applied to a run's drift.
//!
//! ```toml
//! [policy]
//! fail_on = ["error", "warning"]       # default; ["error"] lets warnings through
//! severity = { extra_field = "info", order = "error" }
//! waivers_file = "waivers.toml"        # more [[waivers]], next to the config
//! ```
//!
//! ```text
//! value_change $.currency  error    waived by EUR-TO-USD (expires 2026-12-31)  → does not fail
//! extra_field  $.eta       warning                                             → does not fail
//! status       201 → 500   error                                               → fails: exit 1
//! ```

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Drift, SuppressedDrift};
use crate::config::policy::PolicySpec;
use crate::config::waiver::WaiverSpec;
use crate::drift_class::{Severity, default_severity};

/// How the policy judged one drift.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DriftMark {
    /// Its severity.
    pub severity: Severity,
    /// The waiver that waives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waived_by: Option<String>,
    /// An expired waiver that would have waived it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expired_waiver: Option<String>,
}

/// A waiver of the run and what it did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaiverStatus {
    /// Its name.
    pub id: String,
    /// Why the difference is intended.
    pub reason: String,
    /// Who answers for it.
    pub owner: String,
    /// Tracking ticket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
    /// Last day it waives.
    pub expires: String,
    /// Whether it had expired when the run was judged.
    pub expired: bool,
    /// Drifts it matched (for an expired waiver: would have matched).
    pub matched: usize,
}

/// The policy's judgement of a run: part of the drift report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gate {
    /// Severities that fail the gate.
    pub fail_on: Vec<Severity>,
    /// One mark per drift of the report, in the same order.
    pub marks: Vec<DriftMark>,
    /// Differences rules kept out of the drift.
    pub suppressed: Vec<SuppressedDrift>,
    /// Every waiver and what it did.
    pub waivers: Vec<WaiverStatus>,
}

/// No policy applied: every drift fails the gate at its default severity.
impl Default for Gate {
    fn default() -> Self {
        Gate {
            fail_on: Severity::ALL.to_vec(),
            marks: Vec::new(),
            suppressed: Vec::new(),
            waivers: Vec::new(),
        }
    }
}

impl Gate {
    /// The mark of the drift at `index` (its default severity when unmarked).
    pub fn mark(&self, index: usize, drift: &Drift) -> DriftMark {
        self.marks.get(index).cloned().unwrap_or(DriftMark {
            severity: default_severity(drift.class),
            waived_by: None,
            expired_waiver: None,
        })
    }

    /// Whether the drift at `index` fails the gate: not waived, and of a
    /// severity the policy fails on.
    pub fn fails(&self, index: usize, drift: &Drift) -> bool {
        let mark = self.mark(index, drift);
        mark.waived_by.is_none() && self.fail_on.contains(&mark.severity)
    }

    /// Waivers that matched nothing and have not expired.
    pub fn unused_waivers(&self) -> impl Iterator<Item = &WaiverStatus> {
        self.waivers.iter().filter(|w| w.matched == 0 && !w.expired)
    }

    /// Waivers that have expired.
    pub fn expired_waivers(&self) -> impl Iterator<Item = &WaiverStatus> {
        self.waivers.iter().filter(|w| w.expired)
    }
}

/// Applies severities and waivers to a run's drift, judged on `today`.
pub fn apply_policy(
    drifts: &[Drift],
    suppressed: Vec<SuppressedDrift>,
    policy: &PolicySpec,
    waivers: &[WaiverSpec],
    today: NaiveDate,
) -> Gate {
    let mut statuses: Vec<WaiverStatus> = waivers
        .iter()
        .enumerate()
        .map(|(i, w)| WaiverStatus {
            id: w.label(i),
            reason: w.reason.clone(),
            owner: w.owner.clone(),
            ticket: w.ticket.clone(),
            expires: w.expires.to_string(),
            expired: !w.is_active(today),
            matched: 0,
        })
        .collect();
    let marks = drifts
        .iter()
        .map(|drift| {
            let severity = policy
                .severity
                .get(&drift.class)
                .copied()
                .unwrap_or_else(|| default_severity(drift.class));
            let mut mark = DriftMark {
                severity,
                waived_by: None,
                expired_waiver: None,
            };
            let matching = waivers.iter().enumerate().filter(|(_, w)| w.matches(drift));
            let (active, expired): (Vec<_>, Vec<_>) =
                matching.partition(|(i, _)| !statuses[*i].expired);
            if let Some((i, _)) = active.first() {
                statuses[*i].matched += 1;
                mark.waived_by = Some(statuses[*i].id.clone());
            } else if let Some((i, _)) = expired.first() {
                statuses[*i].matched += 1;
                mark.expired_waiver = Some(statuses[*i].id.clone());
            }
            mark
        })
        .collect();
    Gate {
        fail_on: policy.fail_on.clone(),
        marks,
        suppressed,
        waivers: statuses,
    }
}

#[cfg(test)]
mod tests;
