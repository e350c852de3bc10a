//! Mann-Whitney U: is one sample stochastically larger than the other?
//!
//! ```text
//! candidate [21.0, 23.5, 25.1]   baseline [19.8, 20.2, 20.9]
//! ──▶ MannWhitney { u: 9.0, p_value: 0.1, method: Exact }
//! ```
//!
//! `u` is the U statistic of the *first* sample (the candidate), as
//! `scipy.stats.mannwhitneyu(x, y)` returns it. The p-value is two-sided:
//!
//! - **exact** when there are no ties and `n1 · n2 ≤ 400` (for example
//!   20 × 20): the null distribution of U is counted exactly (the Gaussian
//!   binomial coefficient, in integers), `p = 2 · P(U ≥ max(U1, U2))`;
//! - **normal approximation** otherwise, with the tie correction of the
//!   variance and a continuity correction of ½:
//!   `z = (max(U1, U2) − n1·n2/2 − ½) / σ`, `p = 2 · (1 − Φ(z))`.
//!
//! Both are the definitions `scipy.stats.mannwhitneyu` uses with
//! `method="exact"` and `method="asymptotic"` (its default
//! `use_continuity=True`); the unit tests pin p-values computed by scipy.

use statrs::distribution::{ContinuousCDF, Normal};

/// Largest `n1 · n2` for which the exact null distribution is used.
pub const EXACT_MAX_PAIRS: usize = 400;

/// How a p-value was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PMethod {
    /// Exact null distribution of U (no ties, small samples).
    Exact,
    /// Normal approximation with tie and continuity correction.
    Asymptotic,
}

/// The result of a two-sided Mann-Whitney U test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MannWhitney {
    /// U statistic of the first sample.
    pub u: f64,
    /// Two-sided p-value.
    pub p_value: f64,
    /// How `p_value` was computed.
    pub method: PMethod,
}

/// Two-sided Mann-Whitney U test of `x` against `y`; `None` when a sample is empty.
pub fn mann_whitney(x: &[f64], y: &[f64]) -> Option<MannWhitney> {
    if x.is_empty() || y.is_empty() {
        return None;
    }
    let (n1, n2) = (x.len(), y.len());
    let ranked = rank_all(x, y);
    let rank_sum_x: f64 = ranked.ranks[..n1].iter().sum();
    let u1 = rank_sum_x - (n1 * (n1 + 1)) as f64 / 2.0;
    let pairs = (n1 * n2) as f64;
    let u_max = u1.max(pairs - u1);
    let (p_value, method) = if ranked.tie_term == 0.0 && n1 * n2 <= EXACT_MAX_PAIRS {
        (exact_p(u_max, n1, n2), PMethod::Exact)
    } else {
        let n = (n1 + n2) as f64;
        let variance = pairs / 12.0 * ((n + 1.0) - ranked.tie_term / (n * (n - 1.0)));
        (asymptotic_p(u_max, pairs, variance), PMethod::Asymptotic)
    };
    Some(MannWhitney {
        u: u1,
        p_value,
        method,
    })
}

/// Mid-ranks of `x` followed by `y`, and the tie term `Σ (t³ − t)`.
struct Ranked {
    ranks: Vec<f64>,
    tie_term: f64,
}

fn rank_all(x: &[f64], y: &[f64]) -> Ranked {
    let values: Vec<f64> = x.iter().chain(y).copied().collect();
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|a, b| values[*a].total_cmp(&values[*b]));
    let mut ranks = vec![0.0; values.len()];
    let mut tie_term = 0.0;
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && values[order[end]] == values[order[start]] {
            end += 1;
        }
        // Positions start..end (0-based) share the mean of ranks start+1..=end.
        let mid_rank = (start + end + 1) as f64 / 2.0;
        for &i in &order[start..end] {
            ranks[i] = mid_rank;
        }
        let t = (end - start) as f64;
        tie_term += t * t * t - t;
        start = end;
    }
    Ranked { ranks, tie_term }
}

fn asymptotic_p(u_max: f64, pairs: f64, variance: f64) -> f64 {
    if variance <= 0.0 {
        return 1.0;
    }
    let z = (u_max - pairs / 2.0 - 0.5) / variance.sqrt();
    (2.0 * Normal::standard().sf(z)).min(1.0)
}

fn exact_p(u_max: f64, n1: usize, n2: usize) -> f64 {
    let counts = u_counts(n1, n2);
    let total: f64 = counts.iter().map(|c| *c as f64).sum();
    // U takes integer values when there are no ties.
    let from = u_max.round() as usize;
    let upper: f64 = counts.iter().skip(from).map(|c| *c as f64).sum();
    (2.0 * upper / total).min(1.0)
}

/// Number of orderings of `m` and `n` untied values giving each U = 0..=m·n:
/// the coefficients of the Gaussian binomial `[m+n choose m]_q`, built as
/// `∏ᵢ (1 − q^(n+i)) / (1 − q^i)`, which stays a polynomial at every step.
pub(crate) fn u_counts(m: usize, n: usize) -> Vec<i128> {
    let mut poly: Vec<i128> = vec![1];
    for i in 1..=m {
        let grown = poly.len() + n;
        poly.resize(grown, 0);
        // Multiply by (1 − q^(n+i)).
        for j in (n + i..poly.len()).rev() {
            poly[j] -= poly[j - n - i];
        }
        // Divide by (1 − q^i): a running sum with stride i.
        for j in i..poly.len() {
            poly[j] += poly[j - i];
        }
    }
    poly.truncate(m * n + 1);
    poly
}

/// The smallest `u` with `P(U ≤ u) ≥ probability` under the exact null
/// distribution (R's `qwilcox`).
pub(crate) fn exact_quantile(probability: f64, m: usize, n: usize) -> usize {
    let counts = u_counts(m, n);
    let total: f64 = counts.iter().map(|c| *c as f64).sum();
    let mut cumulative = 0.0;
    for (u, count) in counts.iter().enumerate() {
        cumulative += *count as f64;
        if cumulative / total >= probability {
            return u;
        }
    }
    m * n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(actual: f64, expected: f64) -> bool {
        (actual - expected).abs() <= 1e-9_f64.max(expected.abs() * 1e-6)
    }

    #[test]
    fn u_counts_are_the_gaussian_binomial() {
        // [4 choose 2]_q = 1 + q + 2q² + q³ + q⁴
        assert_eq!(u_counts(2, 2), vec![1, 1, 2, 1, 1]);
        for (m, n) in [(3, 5), (7, 4), (20, 20), (1, 400)] {
            let counts = u_counts(m, n);
            assert_eq!(counts.len(), m * n + 1);
            let total: i128 = counts.iter().sum();
            assert_eq!(total, binomial(m + n, m), "{m}x{n}");
            assert!(counts.iter().all(|c| *c > 0), "{m}x{n}");
            let reversed: Vec<i128> = counts.iter().rev().copied().collect();
            assert_eq!(counts, reversed, "symmetric {m}x{n}");
        }
    }

    fn binomial(n: usize, k: usize) -> i128 {
        (1..=k).fold(1i128, |acc, i| acc * (n + 1 - i) as i128 / i as i128)
    }

    #[test]
    fn ties_get_mid_ranks() {
        let ranked = rank_all(&[1.0, 2.0, 2.0], &[2.0, 5.0]);
        assert_eq!(ranked.ranks, vec![1.0, 3.0, 3.0, 3.0, 5.0]);
        assert_eq!(ranked.tie_term, 24.0);
    }

    #[test]
    fn empty_sample_has_no_test() {
        assert_eq!(mann_whitney(&[], &[1.0]), None);
        assert_eq!(mann_whitney(&[1.0], &[]), None);
    }

    #[test]
    fn identical_constant_samples_are_not_different() {
        let r = mann_whitney(&[5.0; 12], &[5.0; 12]).unwrap();
        assert_eq!(r.p_value, 1.0);
        assert_eq!(r.u, 72.0);
    }

    #[test]
    fn exact_quantile_inverts_the_distribution() {
        // 5x5: P(U <= 2) = 4/252 = 0.0159; P(U <= 1) = 2/252 = 0.0079
        assert_eq!(exact_quantile(0.005, 5, 5), 1);
        assert_eq!(exact_quantile(0.01, 5, 5), 2);
        assert_eq!(exact_quantile(0.5, 5, 5), 12);
    }

    /// Reference values from scipy 1.17.1:
    ///
    /// ```python
    /// from scipy.stats import mannwhitneyu
    /// mannwhitneyu(x, y, alternative="two-sided", method=m)
    /// ```
    ///
    /// with the samples and method of each row (`exact` / `asymptotic`,
    /// `use_continuity=True`, the default).
    #[test]
    fn p_values_match_scipy() {
        for case in super::super::reference::CASES {
            let r = mann_whitney(case.x, case.y).unwrap();
            assert_eq!(r.method, case.method, "{}", case.name);
            assert!(close(r.u, case.u), "{}: u {} vs {}", case.name, r.u, case.u);
            assert!(
                close(r.p_value, case.p_value),
                "{}: p {} vs scipy {}",
                case.name,
                r.p_value,
                case.p_value
            );
        }
    }
}
