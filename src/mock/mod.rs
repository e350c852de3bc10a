//! Mock environments served from `mocks/*.yaml` (wiremock), for the demo,
//! `driftgate mock` and tests.
//!
//! One file per service; each route may differ per environment:
//!
//! ```yaml
//! # mocks/erp.yaml
//! service: erp
//! routes:
//!   - name: create order
//!     method: POST
//!     path: /api/orders
//!     response:
//!       status: 201
//!       headers: { content-type: application/json }
//!       body: '{"id": "{{ uuid() }}", "orderNo": {{ request.json.orderNo | tojson }}}'
//!     environments:
//!       staging: { status: 202 }
//! ```
//!
//! ```text
//! POST http://127.0.0.1:41234/api/orders {"orderNo": "PO-1"}   (environment "staging")
//!   → 202 {"id": "6f1c…", "orderNo": "PO-1"}
//! ```

mod database;
mod responder;
mod server;
mod spec;
pub mod tds_setup;

use std::path::PathBuf;

pub use database::DemoDatabase;
pub use server::MockEnvironment;
pub use spec::{
    MockSpec, PathMatch, ResponseOverride, ResponseSpec, RouteSpec, load_dir, load_file, parse,
    validate,
};

/// A mock definition that cannot be loaded, or a mock server that cannot start.
#[derive(Debug, thiserror::Error)]
pub enum MockError {
    /// The mocks folder could not be listed.
    #[error("cannot read mocks folder {dir}: {source}")]
    ReadDir {
        /// The folder.
        dir: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A mock file could not be read.
    #[error("cannot read mock file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A mock file is not valid YAML or does not fit the schema.
    #[error("invalid mock file {path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// Line of the error (1-based), when the parser knows it.
        line: Option<usize>,
        /// Column of the error (1-based), when the parser knows it.
        column: Option<usize>,
        /// The parser's message.
        message: String,
    },
    /// A route is well-formed YAML but wrong.
    #[error("invalid mock file {path}: route `{route}`: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The route's name.
        route: String,
        /// What is wrong.
        message: String,
    },
    /// Two files mock the same service.
    #[error("service `{service}` is mocked twice: in {first} and in {second}")]
    DuplicateService {
        /// The service.
        service: String,
        /// The file loaded first.
        first: PathBuf,
        /// The file that repeats it.
        second: PathBuf,
    },
    /// A fixed port was given for a service no mock file defines.
    #[error("no mock file defines service `{service}`{suggestion}; mocked: {known}")]
    UnknownService {
        /// The service asked for.
        service: String,
        /// ", did you mean `…`?" or empty.
        suggestion: String,
        /// The services mocked.
        known: String,
    },
    /// The port for a service could not be bound.
    #[error("cannot serve mock `{service}` on 127.0.0.1:{port}: {source}")]
    Bind {
        /// The service.
        service: String,
        /// The port asked for (0: any).
        port: u16,
        /// Why.
        source: std::io::Error,
    },
}

#[cfg(test)]
mod tests;
