//! How much slower: the Hodges-Lehmann shift estimate and its distribution-free
//! confidence interval (Moses; Bauer 1972), and the ratio of medians.
//!
//! ```text
//! candidate [30.2, 31.0, 29.8, …]   baseline [20.1, 19.7, 20.4, …]   confidence 0.99
//! ──▶ Shift { estimate: 10.1, low: 9.6, high: 10.7 }           (ms, candidate − baseline)
//! ──▶ Ratio { estimate: 1.50, low: 1.47, high: 1.53 }          (median candidate / median baseline)
//! ```
//!
//! The shift is the median of all `n1 · n2` pairwise differences
//! `candidate_i − baseline_j`. Its interval is `[d(k), d(N+1−k)]` of the sorted
//! differences, where `k` is the `α/2` quantile of the Mann-Whitney U null
//! distribution (exact when `n1 · n2 ≤ 400`, otherwise
//! `⌊n1·n2/2 − z(1−α/2) · √(n1·n2·(n1+n2+1)/12)⌋`), at least 1: the interval
//! R's `wilcox.test(conf.int = TRUE)` reports.
//!
//! The ratio's point estimate is `median(candidate) / median(baseline)`; its
//! interval is the exponential of the shift interval of the logarithms (a
//! shift on the log scale is a ratio), so it needs positive times.

use statrs::distribution::{ContinuousCDF, Normal};

use super::rank::{EXACT_MAX_PAIRS, exact_quantile};
use super::summary::median;

/// A point estimate with a confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// Point estimate.
    pub estimate: f64,
    /// Lower bound of the interval.
    pub low: f64,
    /// Upper bound of the interval.
    pub high: f64,
}

/// Hodges-Lehmann estimate of `x − y` with its interval at `confidence`
/// (e.g. 0.99); `None` when a sample is empty.
pub fn hodges_lehmann(x: &[f64], y: &[f64], confidence: f64) -> Option<Estimate> {
    if x.is_empty() || y.is_empty() {
        return None;
    }
    let mut differences: Vec<f64> = x
        .iter()
        .flat_map(|a| y.iter().map(move |b| a - b))
        .collect();
    differences.sort_by(f64::total_cmp);
    let k = interval_rank(x.len(), y.len(), confidence);
    let n = differences.len();
    Some(Estimate {
        estimate: median(&differences)?,
        low: differences[k - 1],
        high: differences[n - k],
    })
}

/// `k` (1-based) of the interval `[d(k), d(N+1−k)]`, within `1..=⌈N/2⌉`.
fn interval_rank(n1: usize, n2: usize, confidence: f64) -> usize {
    let pairs = n1 * n2;
    let alpha_half = ((1.0 - confidence) / 2.0).clamp(0.0, 0.5);
    let k = if pairs <= EXACT_MAX_PAIRS {
        exact_quantile(alpha_half, n1, n2)
    } else {
        let mean = pairs as f64 / 2.0;
        let sd = (pairs as f64 * (n1 + n2 + 1) as f64 / 12.0).sqrt();
        let z = Normal::standard().inverse_cdf(1.0 - alpha_half);
        (mean - z * sd).floor().max(0.0) as usize
    };
    k.clamp(1, pairs.div_ceil(2))
}

/// Ratio of medians `x / y` with the interval of the log-scale shift; `None`
/// when a sample is empty or holds a time that is not positive.
pub fn ratio_of_medians(x: &[f64], y: &[f64], confidence: f64) -> Option<Estimate> {
    if x.iter().chain(y).any(|v| *v <= 0.0 || !v.is_finite()) {
        return None;
    }
    let log = |v: &[f64]| v.iter().map(|t| t.ln()).collect::<Vec<_>>();
    let shift = hodges_lehmann(&log(x), &log(y), confidence)?;
    Some(Estimate {
        estimate: median(x)? / median(y)?,
        low: shift.low.exp(),
        high: shift.high.exp(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shift_estimate_matches_numpy() {
        for case in super::super::reference::CASES {
            let shift = hodges_lehmann(case.x, case.y, 0.99).unwrap();
            assert!(
                (shift.estimate - case.hodges_lehmann).abs() < 1e-9,
                "{}: {} vs {}",
                case.name,
                shift.estimate,
                case.hodges_lehmann
            );
            assert!(shift.low <= shift.estimate && shift.estimate <= shift.high);
        }
    }

    #[test]
    fn interval_of_a_pure_shift_covers_it() {
        let y: Vec<f64> = (0..25).map(|i| 20.0 + (i as f64 * 0.37) % 3.0).collect();
        let x: Vec<f64> = y.iter().map(|v| v + 10.0).collect();
        let shift = hodges_lehmann(&x, &y, 0.99).unwrap();
        assert!((shift.estimate - 10.0).abs() < 1e-9, "{shift:?}");
        assert!(shift.low < 10.0 && shift.high > 10.0, "{shift:?}");
    }

    #[test]
    fn interval_rank_follows_the_u_distribution() {
        // 5x5 at 95%: P(U <= 2) = 0.0159 < 0.025 <= P(U <= 3) = 0.0278.
        assert_eq!(interval_rank(5, 5, 0.95), 3);
        // 2x2 at 99%: no interval is narrower than the whole range.
        assert_eq!(interval_rank(2, 2, 0.99), 1);
        // Large samples use the normal approximation: 30x30 at 99%.
        let z = 2.5758293035489004;
        let expected = (450.0 - z * (900.0f64 * 61.0 / 12.0).sqrt()).floor() as usize;
        assert_eq!(interval_rank(30, 30, 0.99), expected);
        // Wider intervals at higher confidence.
        assert!(interval_rank(30, 30, 0.999) < interval_rank(30, 30, 0.9));
    }

    #[test]
    fn ratio_is_the_ratio_of_medians_with_a_log_interval() {
        let y: Vec<f64> = (1..=21).map(|i| 10.0 + i as f64).collect();
        let x: Vec<f64> = y.iter().map(|v| v * 1.5).collect();
        let ratio = ratio_of_medians(&x, &y, 0.99).unwrap();
        assert!((ratio.estimate - 1.5).abs() < 1e-12, "{ratio:?}");
        assert!(ratio.low < 1.5 && 1.5 < ratio.high, "{ratio:?}");
        assert!((ratio.low * ratio.high).sqrt() > 1.3, "{ratio:?}");
    }

    #[test]
    fn ratio_needs_positive_times() {
        assert_eq!(ratio_of_medians(&[0.0, 1.0], &[1.0, 2.0], 0.99), None);
        assert_eq!(ratio_of_medians(&[], &[1.0], 0.99), None);
    }
}
