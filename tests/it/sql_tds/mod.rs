//! SQL Server checks against a real TDS server (pysqlbridge): the transport
//! and its type mapping, failures, and whole runs with drift.

mod parity;
mod runs;
mod server;
mod transport;
