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
//!
//! Whatever goes wrong on the way is a [`diagnostic::Diagnostic`]: every
//! layer's error type implements [`diagnostic::Diagnose`], and the command
//! line renders them in one place.
//!
//! ## Layers
//!
//! Dependencies point one way: a module uses only modules of lower layers,
//! never one of its own layer or above (`tests/it/architecture.rs` checks every
//! `crate::` path against this table, and that every module is in it).
//! Configuration and the trace are leaves above a few foundation modules;
//! transports never see reports; the comparison never sees the runner.
//!
//! ```text
//! layer 10  cli
//! layer 9   dry_run
//! layer 8   lint
//! layer 7   runner
//! layer 6   report
//! layer 5   judge world
//! layer 4   parity timing
//! layer 3   compare mock transport
//! layer 2   config trace
//! layer 1   edi feature_file matcher pattern template
//! layer 0   diagnostic drift_class exit secret suggest
//! ```

pub mod compare;
pub mod config;
pub mod diagnostic;
pub mod drift_class;
pub mod dry_run;
pub mod edi;
pub mod exit;
pub mod feature_file;
pub mod judge;
pub mod lint;
pub mod matcher;
pub mod mock;
pub mod parity;
pub mod pattern;
pub mod report;
pub mod runner;
pub mod secret;
pub mod suggest;
pub mod template;
pub mod timing;
pub mod trace;
pub mod transport;
pub mod world;
