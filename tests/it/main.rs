//! driftgate's integration tests, built as one test binary (one link of the
//! library and its dependencies instead of one per file). Each module is one
//! area, exercised end to end: the real `driftgate` binary or the library's
//! runner against real servers (in-process wiremock, the local RabbitMQ,
//! pysqlbridge, headless Chromium). Services a test cannot reach make it skip
//! loudly, or fail when `CI=true`.
//!
//! ```text
//! cargo test --test it                  # every integration test
//! cargo test --test it twin_run::       # one area
//! cargo test --test it golden           # the golden cases of tests/cases/
//! ```
//!
//! Shared setup lives in [`common`]; fixtures in `tests/fixtures/`.

mod common;

mod amqp;
mod architecture;
mod bad_input;
mod ci_templates;
mod config_env;
mod demo_queue;
mod demo_setup;
mod drift_engine;
mod edi;
mod edi_partners;
mod error_rendering;
mod fixture_paths;
mod gherkin_conformance;
mod golden;
mod html_report;
mod interrupt;
mod learn_noise;
mod limits;
mod live_replay;
mod load_caps;
mod noise_zoo;
mod qa_cli;
mod qa_habits;
mod safety;
mod secrets;
mod selection;
mod sharding;
mod sql_tds;
mod tenants;
mod timing;
mod twin_run;
