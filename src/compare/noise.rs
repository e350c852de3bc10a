//! Learned noise: the places whose values differ between runs of the same
//! scenario against the *same* environment, written to a reviewable file
//! that later runs apply ([`learn`] compares two runs, [`runs`] decides over
//! several runs of both environments).
//!
//! ```json
//! {"format": 2, "environments": ["production", "staging"], "learned_at": "2026-11-26T10:00:00Z",
//!  "runs": 3,
//!  "noise": [
//!   {"service": "erp", "route": "POST /api/orders", "path": "$.createdAt", "kind": "value",
//!    "examples": ["2026-11-26T10:00:00.120Z", "2026-11-26T10:00:00.410Z"],
//!    "scenarios": ["features/order_sync.feature: Create an order"],
//!    "learned_from": ["production run 1 vs 2", "staging run 1 vs 2"]},
//!   {"service": "wms", "route": "GET /api/stock/{{ sku }}", "path": "$.bins", "kind": "order"}],
//!  "environment_specific": [
//!   {"service": "erp", "route": "GET /api/info", "path": "header:x-region",
//!    "values": {"production": "eu-1", "staging": "eu-2"}}]}
//! ```
//!
//! A `value` entry hides a value change of the same type and format only; a
//! missing field, a type change or a format change stays drift. An `order`
//! entry compares the array as a multiset. `route` is the step's route
//! template ([`super::route_template`]): `{{ … }}` segments match any
//! segment, and so do `*` segments (format 1 files, still read).
//! `environment_specific` entries are for review only: they are not applied.
//!
//! The file itself (format, reading, writing) is configuration:
//! [`crate::config::noise`].

pub mod learn;
pub mod runs;

pub use learn::ScenarioSteps;

#[cfg(test)]
mod tests;
