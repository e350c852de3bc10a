//! `[environments.NAME.limits]`: caps on the load a run may put on an
//! environment, so production is never load-tested by accident.
//!
//! ```toml
//! [environments.production.limits]
//! max_concurrent_requests = 8     # requests in flight at once, all scenarios and tenants
//! requests_per_second = 20        # spaced evenly: one request every 50 ms at most
//! ```
//!
//! A request (HTTP exchange, SQL query, AMQP publish) waits for a permit
//! before it is sent; the time it waits is not part of its timing.

use serde::{Deserialize, Serialize};

/// The caps of one environment as written; a missing key means no cap.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LimitSpec {
    /// Requests in flight at once against the environment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_concurrent_requests: Option<usize>,
    /// Requests started per second against the environment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests_per_second: Option<u32>,
}

impl LimitSpec {
    /// Whether any cap is set.
    pub fn is_capped(&self) -> bool {
        self.max_concurrent_requests.is_some() || self.requests_per_second.is_some()
    }

    /// The key (below `limits`) and message of the first invalid cap, if any.
    pub fn problem(&self) -> Option<(&'static str, String)> {
        if self.max_concurrent_requests == Some(0) {
            return Some((
                "max_concurrent_requests",
                "must be at least 1 (leave it out for no cap)".into(),
            ));
        }
        if self.requests_per_second == Some(0) {
            return Some((
                "requests_per_second",
                "must be at least 1 (leave it out for no cap)".into(),
            ));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_caps_are_problems_and_missing_caps_are_none() {
        let cases = [
            (LimitSpec::default(), None, false),
            (
                LimitSpec {
                    max_concurrent_requests: Some(0),
                    requests_per_second: None,
                },
                Some("max_concurrent_requests"),
                true,
            ),
            (
                LimitSpec {
                    max_concurrent_requests: None,
                    requests_per_second: Some(0),
                },
                Some("requests_per_second"),
                true,
            ),
            (
                LimitSpec {
                    max_concurrent_requests: Some(8),
                    requests_per_second: Some(20),
                },
                None,
                true,
            ),
        ];
        for (spec, key, capped) in cases {
            assert_eq!(spec.problem().map(|(k, _)| k), key, "{spec:?}");
            assert_eq!(spec.is_capped(), capped, "{spec:?}");
        }
    }
}
