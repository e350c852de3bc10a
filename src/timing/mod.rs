//! Timing drift: repeated, interleaved samples of every timed step, judged
//! with the approach of Netflix/Kayenta's canary judge.
//!
//! ```text
//! baseline  POST /api/orders  n=30 median 20.4 ms p90 22.8 p95 23.9 p99 25.0
//! candidate POST /api/orders  n=30 median 51.0 ms p90 54.1 p95 56.2 p99 58.3
//! ratio of medians 2.50 (99% CI 2.44–2.57), Hodges-Lehmann shift +30.6 ms,
//! Mann-Whitney p = 3.0e-11  ──▶  slower (drift)
//! ```
//!
//! Pure: no clock, no network. [`samples`] takes timed exchanges from recorded
//! steps, [`analysis`] groups them per step across samples and applies
//! [`judge`] (Mann-Whitney U from [`rank`], Hodges-Lehmann shift and ratio
//! of medians from [`shift`], percentiles from [`summary`]).

pub mod analysis;
pub mod judge;
pub mod rank;
pub mod samples;
pub mod shift;
pub mod summary;

#[cfg(test)]
mod reference;

pub use analysis::{
    BudgetCheck, BudgetSide, LatencyBudget, TimedStep, TimingAnalysis, TimingSection, analyse,
    percentile_name,
};
pub use judge::{Interval, Judgement, TimingVerdict, judge, p_text};
pub use samples::{TimedExchange, timed_exchanges};
pub use summary::LatencySummary;
