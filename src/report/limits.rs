//! What the per-environment load caps cost a run, as the reports show it.
//!
//! ```text
//! load caps: production slowed 37 of 120 requests, 4.21 s waiting in total (max 8 concurrent, 20/s)
//! ```

use serde::{Deserialize, Serialize};

/// One capped environment's caps and how often a request had to wait for them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LimitUsage {
    /// Environment name.
    pub environment: String,
    /// The concurrency cap, if set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_concurrent_requests: Option<usize>,
    /// The rate cap, if set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests_per_second: Option<u32>,
    /// Requests that went through the caps.
    pub requests: u64,
    /// Requests that could not start at once.
    pub waited: u64,
    /// Time those requests spent waiting, summed, in milliseconds.
    pub wait_ms: f64,
}

impl LimitUsage {
    /// The caps as text: `max 8 concurrent, 20/s`.
    pub fn caps(&self) -> String {
        let concurrent = self
            .max_concurrent_requests
            .map(|n| format!("max {n} concurrent"));
        let rate = self.requests_per_second.map(|n| format!("{n}/s"));
        concurrent
            .into_iter()
            .chain(rate)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// One line per environment whose caps made a request wait; nothing when none did.
pub fn limit_lines(usage: &[LimitUsage]) -> Vec<String> {
    usage
        .iter()
        .filter(|u| u.waited > 0)
        .map(|u| {
            format!(
                "load caps: {} slowed {} of {} requests, {:.2} s waiting in total ({})",
                u.environment,
                u.waited,
                u.requests,
                u.wait_ms / 1000.0,
                u.caps()
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usage(waited: u64, concurrent: Option<usize>, rps: Option<u32>) -> LimitUsage {
        LimitUsage {
            environment: "production".into(),
            max_concurrent_requests: concurrent,
            requests_per_second: rps,
            requests: 120,
            waited,
            wait_ms: 4210.0,
        }
    }

    #[test]
    fn only_environments_that_waited_are_listed() {
        assert_eq!(
            limit_lines(&[usage(37, Some(8), Some(20)), usage(0, Some(8), None)]),
            [
                "load caps: production slowed 37 of 120 requests, 4.21 s waiting in total (max 8 concurrent, 20/s)"
            ]
        );
        assert_eq!(usage(1, None, Some(5)).caps(), "5/s");
        assert!(limit_lines(&[usage(0, None, Some(5))]).is_empty());
    }
}
