//! Time in steps: a limit or window as written (`500 ms`, `1.5 s`,
//! `2 seconds`), and the loop that repeats an attempt until its condition
//! holds or time runs out.
//!
//! ```text
//! "5", "seconds" → duration 5 s        "500", "ms" → limit 500.0 ms
//! poll: attempt, attempt, … → Polled { last, failure: "not met within 5s after 10 attempts: last status was 404" }
//! ```

use std::future::Future;
use std::time::{Duration, Instant};

use crate::trace::StepOutcome;

/// A number of `unit`s (`ms`, `s`, `seconds`) in milliseconds; an unreadable amount is 0.
pub(super) fn limit_ms(amount: &str, unit: &str) -> f64 {
    let amount: f64 = amount.parse().unwrap_or(0.0);
    if unit == "ms" {
        amount
    } else {
        amount * 1000.0
    }
}

/// A number of `unit`s (`ms`, `s`, `seconds`) as a duration; an unreadable
/// amount is none, one past a day (refused when features load) a day.
pub(super) fn duration(amount: &str, unit: &str) -> Duration {
    use crate::config::duration::{MAX_WAIT, from_amount};
    match from_amount(amount, unit) {
        Ok(duration) => duration,
        Err(_) if amount.parse::<f64>().is_ok_and(|n| n > 0.0) => MAX_WAIT,
        Err(_) => Duration::ZERO,
    }
}

/// How a poll ended: its last attempt, and why the condition was not met, if it was not.
pub(super) struct Polled<T> {
    /// What the last attempt produced.
    pub(super) last: T,
    /// `not met within … after N attempts: …`, or none when the condition held.
    pub(super) failure: Option<String>,
}

/// Repeats `attempt` every `interval` until its verdict holds or another
/// try would end past `timeout` from now.
pub(super) async fn poll_until<T, Fut>(
    interval: Duration,
    timeout: Duration,
    mut attempt: impl FnMut() -> Fut,
) -> Polled<T>
where
    Fut: Future<Output = (T, Result<(), String>)>,
{
    let deadline = Instant::now() + timeout;
    let mut attempts = 0usize;
    loop {
        attempts += 1;
        let (last, verdict) = attempt().await;
        if verdict.is_ok() || Instant::now() + interval > deadline {
            let failure = verdict
                .err()
                .map(|m| format!("not met within {timeout:?} after {attempts} attempts: {m}"));
            return Polled { last, failure };
        }
        tokio::time::sleep(interval).await;
    }
}

/// A finished poll's outcome: passed when the condition held, an error when
/// it did not and the last attempt itself failed (`transport_error`), failed
/// otherwise.
pub(super) fn poll_outcome(
    transport_error: Option<&String>,
    failure: Option<&String>,
) -> StepOutcome {
    match (transport_error, failure) {
        (_, None) => StepOutcome::Passed,
        (Some(e), Some(_)) => StepOutcome::Error { message: e.clone() },
        (None, Some(m)) => StepOutcome::Failed { message: m.clone() },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_in_their_unit() {
        for (amount, unit, ms, secs) in [
            ("500", "ms", 500.0, 0.5),
            ("1.5", "s", 1500.0, 1.5),
            ("2", "seconds", 2000.0, 2.0),
            ("2", "second", 2000.0, 2.0),
            ("x", "s", 0.0, 0.0),
        ] {
            assert_eq!(limit_ms(amount, unit), ms, "{amount} {unit}");
            assert_eq!(
                duration(amount, unit),
                Duration::from_secs_f64(secs),
                "{amount} {unit}"
            );
        }
    }

    #[tokio::test]
    async fn a_poll_stops_once_the_condition_holds() {
        let mut tries = 0;
        let polled = poll_until(Duration::ZERO, Duration::from_secs(60), || {
            tries += 1;
            let verdict = if tries < 3 {
                Err("not yet".to_owned())
            } else {
                Ok(())
            };
            std::future::ready((tries, verdict))
        })
        .await;
        assert_eq!(polled.last, 3);
        assert_eq!(polled.failure, None);
    }

    #[test]
    fn a_poll_out_of_time_says_how_often_it_tried() {
        let polled =
            futures::executor::block_on(poll_until(Duration::from_secs(1), Duration::ZERO, || {
                std::future::ready(((), Err("last status was 404".to_owned())))
            }));
        assert_eq!(
            polled.failure.as_deref(),
            Some("not met within 0ns after 1 attempts: last status was 404")
        );
    }

    #[test]
    fn a_failed_poll_is_an_error_only_when_the_last_attempt_failed() {
        let (e, f) = ("refused".to_owned(), "not met".to_owned());
        assert_eq!(poll_outcome(Some(&e), None), StepOutcome::Passed);
        assert_eq!(
            poll_outcome(Some(&e), Some(&f)),
            StepOutcome::Error { message: e.clone() }
        );
        assert_eq!(
            poll_outcome(None, Some(&f)),
            StepOutcome::Failed { message: f.clone() }
        );
    }
}
