//! Transports: how the twin world acts on an environment and observes it.
//!
//! Each transport turns a rendered request into an observation for the trace;
//! it never judges: [`http`], [`sql`] (SQL Server over TDS) and [`amqp`].
//! [`redirect`] decides whether and how a redirect is followed;
//! [`method_override`] finds the writes hidden in a read's headers or
//! parameters; [`limit`] caps the load a run puts on each environment across all of them.

pub mod amqp;
pub mod http;
pub mod limit;
pub mod method_override;
pub mod redirect;
pub mod sql;
