//! The patterns users write in `driftgate.toml`, waivers and noise files:
//! wildcards (`value_*`, `$.lines[*].price`), route patterns
//! (`POST /api/orders/*`, `/api/**`) and route templates
//! (`GET /api/stock/{{ sku }}`).
//!
//! A leaf of the crate: configuration validates them when it loads, and the
//! comparison matches requests and findings against them, without either
//! depending on the other.

pub mod route_template;
pub mod wildcard;
