//! Transports: how the twin world acts on an environment and observes it.
//!
//! Each transport turns a rendered request into an observation for the trace;
//! it never judges: [`http`], [`sql`] (SQL Server over TDS) and [`amqp`].
//! [`limit`] caps the load a run puts on each environment across all of them.

pub mod amqp;
pub mod http;
pub mod limit;
pub mod sql;
