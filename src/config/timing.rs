//! `[timing]` as written in `driftgate.toml`: the confidence, margin, floor
//! and sample count the timing judge (`timing::judge`) works with.

use serde::{Deserialize, Serialize};

/// `[timing]` in `driftgate.toml`: how timing drift is judged.
///
/// ```toml
/// [timing]
/// confidence = 0.99
/// tolerance = 0.1
/// floor_ms = 0.5
/// min_samples = 10
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TimingPolicy {
    /// Confidence of the significance test and of the intervals (0.99: p < 0.01).
    pub confidence: f64,
    /// Margin of the ratio of medians: slower only when the whole interval
    /// of the ratio is above `1 + tolerance` (0.1: surely more than 10% slower).
    pub tolerance: f64,
    /// Smallest shift that matters, in milliseconds, whatever the ratio.
    pub floor_ms: f64,
    /// Fewer measured samples than this on a side is inconclusive.
    pub min_samples: usize,
}

impl Default for TimingPolicy {
    fn default() -> Self {
        TimingPolicy {
            confidence: 0.99,
            tolerance: 0.1,
            floor_ms: 0.5,
            min_samples: 10,
        }
    }
}

impl TimingPolicy {
    /// Why the policy cannot be used, if it cannot: `(key, message)`.
    pub fn problem(&self) -> Option<(&'static str, String)> {
        if !(self.confidence > 0.5 && self.confidence < 1.0) {
            return Some((
                "timing.confidence",
                format!(
                    "{} is not between 0.5 and 1 (exclusive); e.g. 0.99",
                    self.confidence
                ),
            ));
        }
        if !(self.tolerance >= 0.0 && self.tolerance.is_finite()) {
            return Some((
                "timing.tolerance",
                format!("{} must be a fraction ≥ 0; e.g. 0.1", self.tolerance),
            ));
        }
        if !(self.floor_ms >= 0.0 && self.floor_ms.is_finite()) {
            return Some((
                "timing.floor_ms",
                format!("{} must be ≥ 0 milliseconds", self.floor_ms),
            ));
        }
        if self.min_samples < 2 {
            return Some((
                "timing.min_samples",
                "must be at least 2 (a test needs samples)".into(),
            ));
        }
        None
    }
}
