//! The commands of the `driftgate` binary, one module per family: each
//! defines its commands' arguments (clap) and a handler that calls the
//! library, prints what it returns and gives the exit code. `main.rs` holds
//! the command list and dispatches to these handlers.
//!
//! ```text
//! driftgate run …                                  -> run::run
//! driftgate record | compare | report | merge     -> traces::*
//! driftgate learn-noise                            -> learn::learn_noise
//! driftgate mock | capture | topology | db-parity  -> services::*
//! ```

mod args;
pub(crate) mod demo;
pub(crate) mod learn;
mod output;

pub(crate) use output::failed;
pub(crate) mod run;
pub(crate) mod services;
pub(crate) mod steps;
pub(crate) mod traces;
