//! What the per-environment load caps cost a run, as the reports show it.
//!
//! ```text
//! load caps: production slowed 37 of 120 requests, 4.21 s waiting in total (max 8 concurrent, 20/s)
//! ```

use crate::transport::limit::LimitUsage;

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
