//! Reference p-values computed by scipy, for the unit tests of [`super::rank`].
//!
//! Generated with scipy 1.17.1 and numpy by this script, then its second half
//! (which writes this file from `cases`; the Hodges-Lehmann shift of each row is
//! `np.median(np.subtract.outer(x, y))`). Samples are rounded to
//! 0.001 ms before the test, so the Rust side sees the same numbers):
//!
//! ```python
//! import numpy as np
//! from scipy.stats import mannwhitneyu
//! rng = np.random.default_rng(20261126)
//! def ln(n, median, sigma, shift=1.0):
//!     return [round(float(v), 3) for v in median * shift * np.exp(sigma * rng.standard_normal(n))]
//! cases = [
//!     ("small_exact", [21.0, 23.5, 25.1, 22.2, 24.0], [19.8, 20.2, 20.9, 21.5, 20.0, 22.0], "exact"),
//!     ("exact_20x20_slower", ln(20, 20.0, 0.25, 1.3), ln(20, 20.0, 0.25), "exact"),
//!     ("asymptotic_30x30_same", ln(30, 50.0, 0.3), ln(30, 50.0, 0.3), "asymptotic"),
//!     ("asymptotic_ties", [float(v) for v in rng.integers(18, 26, 15)], [float(v) for v in rng.integers(16, 24, 12)], "asymptotic"),
//!     ("asymptotic_40x35_faster", ln(40, 80.0, 0.2, 0.8), ln(35, 80.0, 0.2), "asymptotic"),
//! ]
//! for name, x, y, m in cases:
//!     r = mannwhitneyu(x, y, alternative="two-sided", method=m)
//!     print(name, m, repr(float(r.statistic)), repr(float(r.pvalue)))
//!     print("x", x); print("y", y)
//! ```

use super::rank::PMethod;

/// One pinned scipy result.
pub(super) struct Case {
    /// Row name.
    pub(super) name: &'static str,
    /// First sample (the candidate).
    pub(super) x: &'static [f64],
    /// Second sample (the baseline).
    pub(super) y: &'static [f64],
    /// The method scipy was asked for.
    pub(super) method: PMethod,
    /// `statistic` (U of x).
    pub(super) u: f64,
    /// Two-sided `pvalue`.
    pub(super) p_value: f64,
    /// `np.median(np.subtract.outer(x, y))`: the Hodges-Lehmann shift.
    pub(super) hodges_lehmann: f64,
}

/// The cases of the script above, in order.
pub(super) const CASES: &[Case] = &[
    Case {
        name: "small_exact",
        x: &[21.0, 23.5, 25.1, 22.2, 24.0],
        y: &[19.8, 20.2, 20.9, 21.5, 20.0, 22.0],
        method: PMethod::Exact,
        u: 28.0,
        p_value: 0.017316017316017316,
        hodges_lehmann: 2.4499999999999993,
    },
    Case {
        name: "exact_20x20_slower",
        x: &[
            23.679, 24.39, 32.875, 36.823, 18.247, 26.475, 41.592, 32.422, 16.959, 34.336, 22.293,
            20.536, 28.719, 26.562, 23.885, 36.906, 30.654, 24.661, 27.275, 20.587,
        ],
        y: &[
            18.855, 23.66, 23.918, 23.626, 27.008, 19.506, 15.001, 29.309, 29.95, 13.686, 16.139,
            16.131, 16.995, 17.657, 15.534, 17.343, 24.473, 29.83, 15.814, 24.726,
        ],
        method: PMethod::Exact,
        u: 309.0,
        p_value: 0.0026426305915593523,
        hodges_lehmann: 6.8045,
    },
    Case {
        name: "asymptotic_30x30_same",
        x: &[
            49.856, 53.536, 47.665, 35.166, 51.47, 47.54, 50.45, 34.544, 46.292, 42.277, 42.38,
            26.402, 37.456, 46.817, 55.162, 46.428, 73.319, 67.794, 42.635, 48.965, 62.629, 42.31,
            68.383, 34.827, 68.804, 77.634, 55.827, 59.19, 88.964, 52.295,
        ],
        y: &[
            73.868, 33.638, 35.333, 54.852, 111.763, 37.039, 52.349, 69.73, 50.288, 52.653, 37.82,
            50.779, 99.308, 47.436, 35.47, 33.574, 48.325, 32.084, 58.948, 27.193, 76.416, 76.04,
            34.055, 62.986, 54.249, 34.968, 41.382, 40.909, 43.705, 44.006,
        ],
        method: PMethod::Asymptotic,
        u: 493.0,
        p_value: 0.5297824906260176,
        hodges_lehmann: 2.4209999999999994,
    },
    Case {
        name: "asymptotic_ties",
        x: &[
            20.0, 25.0, 20.0, 20.0, 22.0, 23.0, 22.0, 23.0, 21.0, 25.0, 18.0, 23.0, 22.0, 23.0,
            19.0,
        ],
        y: &[
            16.0, 16.0, 17.0, 18.0, 16.0, 16.0, 17.0, 18.0, 18.0, 22.0, 22.0, 17.0,
        ],
        method: PMethod::Asymptotic,
        u: 163.5,
        p_value: 0.0003249516841791445,
        hodges_lehmann: 4.0,
    },
    Case {
        name: "asymptotic_40x35_faster",
        x: &[
            46.84, 63.616, 68.467, 46.227, 53.076, 69.057, 49.856, 45.266, 62.809, 55.941, 75.852,
            65.742, 63.692, 76.19, 55.778, 71.093, 75.231, 96.21, 77.423, 69.245, 48.812, 55.018,
            95.699, 58.281, 95.236, 78.829, 44.087, 71.467, 61.449, 59.01, 63.585, 63.18, 61.143,
            75.522, 75.911, 48.911, 60.911, 57.806, 61.307, 68.006,
        ],
        y: &[
            87.487, 89.604, 113.504, 54.759, 130.484, 77.087, 58.7, 75.262, 120.61, 91.473,
            106.044, 71.851, 61.291, 68.553, 69.931, 79.018, 73.335, 96.268, 127.513, 107.27,
            72.326, 98.186, 96.58, 110.662, 82.475, 100.208, 111.661, 89.221, 81.999, 97.735,
            100.595, 100.323, 78.69, 82.885, 74.606,
        ],
        method: PMethod::Asymptotic,
        u: 191.0,
        p_value: 6.65623895042411e-08,
        hodges_lehmann: -24.46849999999999,
    },
];
