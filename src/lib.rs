//! driftgate runs the same business-transaction scenarios against a baseline
//! and a candidate environment side by side, records everything each did,
//! and reports the behavioural drift between them.
//!
//! Data flows one way: `features/*.feature` and `driftgate.toml` feed the
//! twin [`world`], which acts through [`transport`] and records
//! [`trace::Observation`]s; [`compare`] turns recorded steps into drift;
//! [`report`] renders the resulting [`report::DriftReport`].
//!
//! Whatever goes wrong on the way is a [`diagnostic::Diagnostic`]: every
//! layer's error type implements [`diagnostic::Diagnose`], and the command
//! line renders them in one place. `diagnostic` imports no other module.

pub mod compare;
pub mod config;
pub mod diagnostic;
pub mod dry_run;
pub mod edi;
pub mod exit;
pub mod feature_file;
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
