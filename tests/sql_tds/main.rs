//! SQL Server checks against a real TDS server (pysqlbridge): the transport
//! and its type mapping, failures, and whole runs with drift.

#[path = "../common/mod.rs"]
mod common;
mod parity;
mod runs;
mod server;
mod transport;
