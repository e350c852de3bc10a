//! driftgate runs the same business-transaction scenarios against a baseline
//! and a candidate environment side by side, records everything each did,
//! and reports the behavioural drift between them.
//!
//! Data flows one way:
//!
//! ```text
//! features/*.feature + driftgate.toml (config)
//!   ──▶ world (twin steps, acting through transport)
//!   ──▶ trace records (trace::RecordSinks: trace.jsonl and the judge, as they happen;
//!                      or read back from stored traces)
//!   ──▶ judge (compare per scenario, timing, policy, waivers)
//!   ──▶ judge::DriftReport
//!   ──▶ report renderers (terminal, JSON, JUnit, HTML, Markdown, Cucumber JSON, metrics)
//! ```
//!
//! The twin [`world`] only records [`trace::TraceRecord`]s; the [`judge`] is
//! the one place a verdict is made, turning records into a
//! [`judge::DriftReport`] with the pure comparison of [`compare`] and
//! [`timing`]; [`report`] renders that report and nothing else.

pub mod compare;
pub mod config;
pub mod dry_run;
pub mod edi;
pub mod exit;
pub mod feature_file;
pub mod judge;
pub mod lint;
pub mod matcher;
pub mod mock;
pub mod parity;
pub mod report;
pub mod runner;
pub mod suggest;
pub mod template;
pub mod timing;
pub mod trace;
pub mod transport;
pub mod world;
