//! The timing judge: is the candidate slower than the baseline, beyond noise
//! and beyond what matters?
//!
//! ```text
//! baseline  n=30 median 20.1 ms    candidate n=30 median 25.2 ms
//! p = 4e-10 < 0.01 (99% confidence)
//! ratio of medians ×1.25, 99% CI ×1.19–×1.31: all of it above the ×1.10 margin
//! shift +5.1 ms > the 0.5 ms floor
//! ──▶ Judgement { verdict: Slower, … }
//! ```
//!
//! A step is `slower` (drift) only when the Mann-Whitney test is
//! significant at the policy's confidence, the **lower bound** of the
//! ratio-of-medians interval at that confidence is above `1 + tolerance`
//! (the slowdown is at least that large, with that confidence), and the
//! Hodges-Lehmann shift is beyond `floor_ms` (sub-millisecond jitter of a
//! very fast route never counts). `faster` (information) mirrors it: the
//! upper bound below `1 / (1 + tolerance)`. Judging the ratio's interval,
//! not its point estimate, makes the rule scale-free: +25% is caught on a
//! 5 ms route as on a 100 ms one, once the samples are enough to make the
//! interval narrow. Fewer than `min_samples` on a side is `inconclusive`,
//! never a pass or a fail.

use serde::{Deserialize, Serialize};

use super::rank::{PMethod, mann_whitney};
use super::shift::{Estimate, hodges_lehmann, ratio_of_medians};
use crate::config::timing::TimingPolicy;

/// What the judge decided about one timed step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimingVerdict {
    /// Significantly slower, the ratio's interval above the margin: drift.
    Slower,
    /// Significantly faster, the ratio's interval below the margin: information.
    Faster,
    /// No difference that is significant and beyond the margin and the floor.
    Same,
    /// Too few samples to judge.
    Inconclusive,
}

impl TimingVerdict {
    /// The snake_case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            TimingVerdict::Slower => "slower",
            TimingVerdict::Faster => "faster",
            TimingVerdict::Same => "same",
            TimingVerdict::Inconclusive => "inconclusive",
        }
    }
}

/// The judge's decision with the numbers behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Judgement {
    /// The decision.
    pub verdict: TimingVerdict,
    /// Two-sided Mann-Whitney p-value, when there were samples on both sides.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p_value: Option<f64>,
    /// Whether the p-value came from the exact distribution.
    #[serde(default)]
    pub exact: bool,
    /// Hodges-Lehmann shift candidate − baseline in ms, with its interval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shift_ms: Option<Interval>,
    /// Ratio of medians candidate / baseline, with its interval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ratio: Option<Interval>,
    /// The smallest shift that counts (`floor_ms`), whatever the ratio.
    pub threshold_ms: f64,
    /// One sentence saying why.
    pub reason: String,
}

/// A point estimate and its confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// Point estimate.
    pub estimate: f64,
    /// Lower bound.
    pub low: f64,
    /// Upper bound.
    pub high: f64,
}

impl From<Estimate> for Interval {
    fn from(e: Estimate) -> Self {
        Interval {
            estimate: e.estimate,
            low: e.low,
            high: e.high,
        }
    }
}

/// Judges `candidate` against `baseline` (times in ms) under `policy`.
pub fn judge(baseline: &[f64], candidate: &[f64], policy: &TimingPolicy) -> Judgement {
    let threshold_ms = policy.floor_ms;
    let shift_ms = hodges_lehmann(candidate, baseline, policy.confidence).map(Interval::from);
    let ratio = ratio_of_medians(candidate, baseline, policy.confidence).map(Interval::from);
    let test = mann_whitney(candidate, baseline);
    let mut judgement = Judgement {
        verdict: TimingVerdict::Inconclusive,
        p_value: test.map(|t| t.p_value),
        exact: test.is_some_and(|t| t.method == PMethod::Exact),
        shift_ms,
        ratio,
        threshold_ms,
        reason: String::new(),
    };
    let (nb, nc) = (baseline.len(), candidate.len());
    if nb < policy.min_samples || nc < policy.min_samples {
        judgement.reason = format!(
            "too few samples to judge: {nb} baseline, {nc} candidate; at least {} per side needed",
            policy.min_samples
        );
        return judgement;
    }
    let (Some(p), Some(shift)) = (judgement.p_value, shift_ms) else {
        return judgement;
    };
    let Some(ratio) = ratio else {
        judgement.reason =
            "a measured time is zero or not finite: the ratio of medians cannot be judged".into();
        return judgement;
    };
    let (verdict, reason) = decide(p, shift, ratio, policy);
    judgement.verdict = verdict;
    judgement.reason = reason;
    judgement
}

/// The rule itself: significant, the whole ratio interval beyond the margin
/// `1 + tolerance` (or below `1 / (1 + tolerance)`), and the shift beyond the floor.
fn decide(
    p: f64,
    shift: Interval,
    ratio: Interval,
    policy: &TimingPolicy,
) -> (TimingVerdict, String) {
    let alpha = 1.0 - policy.confidence;
    let margin = 1.0 + policy.tolerance;
    let confidence = policy.confidence * 100.0;
    if p >= alpha {
        return (
            TimingVerdict::Same,
            format!(
                "no significant shift (p = {} ≥ {})",
                p_text(p),
                p_text(alpha)
            ),
        );
    }
    let beyond_floor = shift.estimate.abs() > policy.floor_ms;
    if ratio.low > margin && beyond_floor {
        return (
            TimingVerdict::Slower,
            format!(
                "slower by {:.1} ms, ×{:.2} ({confidence}% CI ×{:.2}–×{:.2} above the ×{margin:.2} margin; p = {})",
                shift.estimate,
                ratio.estimate,
                ratio.low,
                ratio.high,
                p_text(p)
            ),
        );
    }
    if ratio.high < 1.0 / margin && beyond_floor {
        return (
            TimingVerdict::Faster,
            format!(
                "faster by {:.1} ms, ×{:.2} ({confidence}% CI ×{:.2}–×{:.2} below the ×{:.2} margin; p = {})",
                -shift.estimate,
                ratio.estimate,
                ratio.low,
                ratio.high,
                1.0 / margin,
                p_text(p)
            ),
        );
    }
    let why = if beyond_floor {
        format!(
            "its {confidence}% CI ×{:.2}–×{:.2} reaches inside the ×{margin:.2} margin",
            ratio.low, ratio.high
        )
    } else {
        format!("within the {:.1} ms floor", policy.floor_ms)
    };
    (
        TimingVerdict::Same,
        format!(
            "a significant shift of {:+.1} ms, ×{:.2} (p = {}), but {why}",
            shift.estimate,
            ratio.estimate,
            p_text(p)
        ),
    )
}

/// A p-value for people: `0.032`, `1.2e-9`.
pub fn p_text(p: f64) -> String {
    if p >= 0.001 {
        format!("{p:.3}")
    } else {
        format!("{p:.1e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic, spread-out times around `median` (no randomness in unit tests).
    fn times(n: usize, median: f64, spread: f64) -> Vec<f64> {
        (0..n)
            .map(|i| {
                let u = (i as f64 + 0.5) / n as f64;
                median * (spread * (u - 0.5)).exp()
            })
            .collect()
    }

    #[test]
    fn verdicts() {
        let policy = TimingPolicy::default();
        let base = times(30, 20.0, 0.6);
        let cases = [
            ("30 ms slower", times(30, 50.0, 0.6), TimingVerdict::Slower),
            ("40% faster", times(30, 12.0, 0.6), TimingVerdict::Faster),
            ("identical", times(30, 20.0, 0.6), TimingVerdict::Same),
            // +10%: its interval reaches inside the ×1.10 margin.
            ("within margin", times(30, 22.0, 0.1), TimingVerdict::Same),
            ("too few", times(5, 80.0, 0.6), TimingVerdict::Inconclusive),
        ];
        for (name, candidate, expected) in cases {
            let j = judge(&base, &candidate, &policy);
            assert_eq!(j.verdict, expected, "{name}: {j:?}");
            assert!(!j.reason.is_empty(), "{name}");
        }
    }

    #[test]
    fn significant_shift_within_tolerance_is_same() {
        let policy = TimingPolicy::default();
        let base = times(40, 100.0, 0.05);
        let candidate = times(40, 110.0, 0.05);
        let j = judge(&base, &candidate, &policy);
        assert!(j.p_value.unwrap() < 0.01, "{j:?}");
        assert!(j.ratio.unwrap().low < 1.1, "{j:?}");
        assert_eq!(j.verdict, TimingVerdict::Same, "{j:?}");
        assert!(
            j.reason.contains("reaches inside the ×1.10 margin"),
            "{}",
            j.reason
        );
    }

    #[test]
    fn a_quarter_slower_fast_route_is_slower() {
        // 20 ms → 25 ms: a 5 ms shift that the old 5 ms floor could never flag.
        let j = judge(
            &times(30, 20.0, 0.2),
            &times(30, 25.0, 0.2),
            &TimingPolicy::default(),
        );
        assert_eq!(j.verdict, TimingVerdict::Slower, "{j:?}");
        assert!(j.ratio.unwrap().low > 1.1, "{j:?}");
        assert!(j.reason.contains("above the ×1.10 margin"), "{}", j.reason);
    }

    #[test]
    fn floor_applies_to_very_fast_steps() {
        // Twice as slow, but 0.2 ms: below the 0.5 ms floor.
        let j = judge(
            &times(30, 0.2, 0.2),
            &times(30, 0.4, 0.2),
            &TimingPolicy::default(),
        );
        assert_eq!(j.threshold_ms, 0.5);
        assert_eq!(j.verdict, TimingVerdict::Same, "{j:?}");
        assert!(j.reason.contains("within the 0.5 ms floor"), "{}", j.reason);
    }

    #[test]
    fn inconclusive_still_reports_what_it_can() {
        let j = judge(&[10.0, 11.0], &[30.0, 31.0], &TimingPolicy::default());
        assert_eq!(j.verdict, TimingVerdict::Inconclusive);
        assert!(j.shift_ms.is_some() && j.p_value.is_some());
        assert!(j.reason.contains("at least 10 per side"), "{}", j.reason);
    }

    #[test]
    fn slower_reports_direction_ratio_and_exactness() {
        let j = judge(
            &times(20, 20.0, 0.4),
            &times(20, 30.0, 0.4),
            &TimingPolicy::default(),
        );
        assert_eq!(j.verdict, TimingVerdict::Slower);
        assert!(j.exact, "20x20 without ties uses the exact distribution");
        let ratio = j.ratio.unwrap();
        assert!((ratio.estimate - 1.5).abs() < 0.01, "{ratio:?}");
        assert!(ratio.low > 1.0, "{ratio:?}");
        assert!(j.shift_ms.unwrap().low > 0.0);
    }

    #[test]
    fn policy_problems_name_the_key() {
        let bad = [
            TimingPolicy {
                confidence: 1.0,
                ..TimingPolicy::default()
            },
            TimingPolicy {
                tolerance: -0.1,
                ..TimingPolicy::default()
            },
            TimingPolicy {
                floor_ms: f64::NAN,
                ..TimingPolicy::default()
            },
            TimingPolicy {
                min_samples: 1,
                ..TimingPolicy::default()
            },
        ];
        let keys: Vec<&str> = bad
            .iter()
            .filter_map(|p| p.problem())
            .map(|(k, _)| k)
            .collect();
        assert_eq!(
            keys,
            [
                "timing.confidence",
                "timing.tolerance",
                "timing.floor_ms",
                "timing.min_samples"
            ]
        );
        assert_eq!(TimingPolicy::default().problem(), None);
    }

    #[test]
    fn p_values_read_well() {
        assert_eq!(p_text(0.0321), "0.032");
        assert_eq!(p_text(1.23e-9), "1.2e-9");
    }
}
