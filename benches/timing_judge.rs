//! Simulation of the timing judge alone (no network): how often does it
//! cry wolf, and how often does it catch a real slowdown?
//!
//! Latencies are log-normal around a 100 ms median with log-scale spread σ
//! (σ = 0.1: a steady internal service, p99/p50 ≈ 1.26; σ = 0.25: a busier
//! one, p99/p50 ≈ 1.8). For each sample size n (per side) and true median
//! shift (0 = A/A), the judge runs on fresh samples `TRIALS` times with the
//! default policy (99% confidence, tolerance max(20% of baseline median,
//! 5 ms), 10 samples minimum) and the table prints the share judged
//! `slower`. Goals: ≤ 1% on A/A; ≥ 95% at +25% with n = 30.
//!
//! ```text
//! cargo bench --bench timing_judge            # optimised
//! cargo test --bench timing_judge --release   # same program
//! TIMING_BENCH_TRIALS=5000 cargo bench --bench timing_judge
//! ```

use driftgate::timing::{TimingPolicy, TimingVerdict, judge};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use statrs::distribution::{ContinuousCDF, Normal};

const MEDIAN_MS: f64 = 100.0;
const SPREADS: [f64; 2] = [0.1, 0.25];
const SIZES: [usize; 3] = [20, 30, 50];
const SHIFTS: [f64; 4] = [0.0, 0.10, 0.25, 0.50];

fn main() {
    let trials: usize = std::env::var("TIMING_BENCH_TRIALS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let policies = [
        TimingPolicy::default(),
        TimingPolicy {
            tolerance: 0.1,
            ..TimingPolicy::default()
        },
    ];
    let mut rng = StdRng::seed_from_u64(20261126);
    println!(
        "timing judge simulation: log-normal latencies, median {MEDIAN_MS} ms, {trials} trials per cell"
    );
    for policy in &policies {
        print_table(&mut rng, policy, trials);
    }
}

fn print_table(rng: &mut StdRng, policy: &TimingPolicy, trials: usize) {
    println!(
        "\npolicy: {}% confidence, tolerance max({}% of baseline median, {} ms)\n",
        policy.confidence * 100.0,
        policy.tolerance * 100.0,
        policy.floor_ms
    );
    println!(
        "| σ (log) | n per side | A/A false alarms | +10% detected | +25% detected | +50% detected |"
    );
    println!("|---|---|---|---|---|---|");
    for sigma in SPREADS {
        for n in SIZES {
            let rates: Vec<String> = SHIFTS
                .iter()
                .map(|shift| {
                    let hits = (0..trials)
                        .filter(|_| slower(rng, n, sigma, *shift, policy))
                        .count();
                    format!("{:.1}%", 100.0 * hits as f64 / trials as f64)
                })
                .collect();
            println!("| {sigma} | {n} | {} |", rates.join(" | "));
        }
    }
}

/// One trial: is a candidate whose median is `1 + shift` times the baseline's judged slower?
fn slower(rng: &mut StdRng, n: usize, sigma: f64, shift: f64, policy: &TimingPolicy) -> bool {
    let baseline = log_normal(rng, n, MEDIAN_MS, sigma);
    let candidate = log_normal(rng, n, MEDIAN_MS * (1.0 + shift), sigma);
    judge(&baseline, &candidate, policy).verdict == TimingVerdict::Slower
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
