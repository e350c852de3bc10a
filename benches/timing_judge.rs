//! Simulation of the timing judge alone (no network): how often does it
//! cry wolf, and how often does it catch a real slowdown?
//!
//! Latencies are log-normal around a baseline median of 5, 20 or 100 ms with
//! log-scale spread σ (σ = 0.1: a steady internal service, p99/p50 ≈ 1.26;
//! σ = 0.25: a busier one, p99/p50 ≈ 1.8). For each median, σ, sample size
//! n (per side) and true median shift (0 = A/A), the judge runs on fresh
//! samples `TIMING_BENCH_TRIALS` times with the default policy (99%
//! confidence; the 99% interval of the ratio of medians above ×1.10; the
//! shift above 0.5 ms; 10 samples minimum) and the table prints the share
//! judged `slower`. Goals at n = 30, σ = 0.1, every median: A/A ≤ 1%,
//! +10% ≤ 20%, +25% ≥ 95%.
//!
//! ```text
//! cargo bench --bench timing_judge            # optimised
//! cargo test --bench timing_judge --release   # same program
//! TIMING_BENCH_TRIALS=5000 cargo bench --bench timing_judge
//! ```

use driftgate::config::timing::TimingPolicy;
use driftgate::timing::{TimingVerdict, judge};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use statrs::distribution::{ContinuousCDF, Normal};

const MEDIANS_MS: [f64; 3] = [5.0, 20.0, 100.0];
const SPREADS: [f64; 2] = [0.1, 0.25];
const SIZES: [usize; 3] = [20, 30, 50];
const SHIFTS: [f64; 4] = [0.0, 0.10, 0.25, 0.50];

fn main() {
    let trials: usize = std::env::var("TIMING_BENCH_TRIALS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let policy = TimingPolicy::default();
    let mut rng = StdRng::seed_from_u64(20261126);
    println!("timing judge simulation: log-normal latencies, {trials} trials per cell");
    println!(
        "policy: {}% confidence, slower when the ratio CI is above ×{:.2} and the shift above {} ms\n",
        policy.confidence * 100.0,
        1.0 + policy.tolerance,
        policy.floor_ms
    );
    println!(
        "| median | σ (log) | n per side | A/A false alarms | +10% detected | +25% detected | +50% detected |"
    );
    println!("|---|---|---|---|---|---|---|");
    for median in MEDIANS_MS {
        for sigma in SPREADS {
            for n in SIZES {
                let rates: Vec<String> = SHIFTS
                    .iter()
                    .map(|shift| {
                        let trial = Trial {
                            n,
                            median,
                            sigma,
                            shift: *shift,
                        };
                        let hits = (0..trials)
                            .filter(|_| trial.slower(&mut rng, &policy))
                            .count();
                        format!("{:.1}%", 100.0 * hits as f64 / trials as f64)
                    })
                    .collect();
                println!("| {median} ms | {sigma} | {n} | {} |", rates.join(" | "));
            }
        }
    }
}

/// One cell of the table: samples per side, baseline median, spread and true shift.
struct Trial {
    n: usize,
    median: f64,
    sigma: f64,
    shift: f64,
}

impl Trial {
    /// One trial: is a candidate whose median is `1 + shift` times the baseline's judged slower?
    fn slower(&self, rng: &mut StdRng, policy: &TimingPolicy) -> bool {
        let baseline = log_normal(rng, self.n, self.median, self.sigma);
        let candidate = log_normal(rng, self.n, self.median * (1.0 + self.shift), self.sigma);
        judge(&baseline, &candidate, policy).verdict == TimingVerdict::Slower
    }
}

/// `n` log-normal times with this median and log-scale spread (inverse-CDF sampling).
fn log_normal(rng: &mut StdRng, n: usize, median: f64, sigma: f64) -> Vec<f64> {
    let standard = Normal::standard();
    (0..n)
        .map(|_| {
            let u: f64 = rng.random_range(f64::EPSILON..1.0);
            median * (sigma * standard.inverse_cdf(u)).exp()
        })
        .collect()
}
