//! Latency percentiles of one side of one timed step.
//!
//! ```text
//! [12.0, 15.0, 11.0, 40.0, 13.0]
//! ──▶ LatencySummary { n: 5, median: 13.0, p90: 30.0, p95: 35.0, p99: 39.0 }
//! ```
//!
//! Percentiles interpolate linearly between order statistics (Hyndman & Fan
//! type 7, the default of numpy's `percentile` and R's `quantile`).

use serde::{Deserialize, Serialize};

/// n, median and upper percentiles of a sample of times, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LatencySummary {
    /// Number of samples.
    pub n: usize,
    /// 50th percentile.
    pub median: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
}

impl LatencySummary {
    /// Summarises `times`; `None` when there are none.
    pub fn of(times: &[f64]) -> Option<LatencySummary> {
        let mut sorted = times.to_vec();
        sorted.sort_by(f64::total_cmp);
        Some(LatencySummary {
            n: sorted.len(),
            median: percentile_sorted(&sorted, 50.0)?,
            p90: percentile_sorted(&sorted, 90.0)?,
            p95: percentile_sorted(&sorted, 95.0)?,
            p99: percentile_sorted(&sorted, 99.0)?,
        })
    }
}

/// The `q`-th percentile (0–100) of `times`, linearly interpolated; `None` when empty.
pub fn percentile(times: &[f64], q: f64) -> Option<f64> {
    let mut sorted = times.to_vec();
    sorted.sort_by(f64::total_cmp);
    percentile_sorted(&sorted, q)
}

/// The median of `times`; `None` when empty.
pub fn median(times: &[f64]) -> Option<f64> {
    percentile(times, 50.0)
}

fn percentile_sorted(sorted: &[f64], q: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let position = (q.clamp(0.0, 100.0) / 100.0) * last as f64;
    let below = position.floor() as usize;
    let above = position.ceil() as usize;
    let weight = position - below as f64;
    Some(sorted[below] + (sorted[above] - sorted[below]) * weight)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_match_numpy_linear() {
        // np.percentile([12, 15, 11, 40, 13], [50, 90, 95, 99])
        // -> [13.0, 30.0, 35.0, 39.0]
        let s = LatencySummary::of(&[12.0, 15.0, 11.0, 40.0, 13.0]).unwrap();
        assert_eq!(s.n, 5);
        for (actual, expected) in [
            (s.median, 13.0),
            (s.p90, 30.0),
            (s.p95, 35.0),
            (s.p99, 39.0),
        ] {
            assert!((actual - expected).abs() < 1e-9, "{actual} vs {expected}");
        }
    }

    #[test]
    fn single_and_empty_samples() {
        assert_eq!(percentile(&[7.5], 95.0), Some(7.5));
        assert_eq!(median(&[1.0, 2.0, 3.0, 4.0]), Some(2.5));
        assert_eq!(LatencySummary::of(&[]), None);
    }
}
