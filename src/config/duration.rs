//! Time amounts as users write them — `timeout_ms = 15000` in
//! `driftgate.toml`, `within 5 seconds` in a step, `--duration 10s` on the
//! command line — checked once: a number from 0 up to [`MAX_WAIT`] (a day).
//! A negative, non-numeric or absurd amount (`1e20 seconds`) is an error
//! naming the value, never a panic converting it to a duration.
//!
//! ```text
//! "5", "seconds" → 5 s     "500", "ms" → 500 ms     "2", "m" → 120 s
//! "100000000000000000000", "s" → error: `100000000000000000000 s` is longer than a day (86400 s)
//! ```

use std::time::Duration;

/// The longest timeout or time window driftgate waits: one day.
pub const MAX_WAIT: Duration = Duration::from_secs(24 * 60 * 60);

/// `seconds` as a duration, when it is a number from 0 up to [`MAX_WAIT`];
/// otherwise why not (`shown` is the amount as the user wrote it).
pub fn from_seconds(seconds: f64, shown: &str) -> Result<Duration, String> {
    if seconds.is_nan() {
        return Err(format!("`{shown}` is not a number"));
    }
    if seconds < 0.0 {
        return Err(format!("`{shown}` is negative; a time cannot be"));
    }
    if seconds > MAX_WAIT.as_secs_f64() {
        return Err(format!(
            "`{shown}` is longer than a day ({} s), the longest driftgate waits",
            MAX_WAIT.as_secs()
        ));
    }
    Ok(Duration::from_secs_f64(seconds))
}

/// A number of `unit`s (`ms`, `s`, `second`, `seconds`, `m`) as a duration,
/// bounded as [`from_seconds`].
pub fn from_amount(amount: &str, unit: &str) -> Result<Duration, String> {
    let shown = format!("{amount} {unit}");
    let number: f64 = amount
        .trim()
        .parse()
        .map_err(|_| format!("`{shown}` is not a number"))?;
    let seconds = match unit {
        "ms" => number / 1000.0,
        "s" | "second" | "seconds" => number,
        "m" => number * 60.0,
        _ => return Err(format!("`{shown}`: the unit must be ms, s, seconds or m")),
    };
    from_seconds(seconds, &shown)
}

/// Why a millisecond setting (`timeout_ms`, …) is out of range: it must be
/// at least 1 and at most [`MAX_WAIT`].
pub fn millis_problem(ms: u64) -> Option<String> {
    let max = MAX_WAIT.as_millis();
    if ms == 0 {
        Some("must be at least 1 (milliseconds)".into())
    } else if u128::from(ms) > max {
        Some(format!(
            "{ms} ms is longer than a day ({max} ms), the longest driftgate waits"
        ))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_within_a_day_convert_and_others_are_errors() {
        let cases: [(&str, &str, Result<Duration, &str>); 8] = [
            ("5", "seconds", Ok(Duration::from_secs(5))),
            ("500", "ms", Ok(Duration::from_millis(500))),
            ("1.5", "s", Ok(Duration::from_millis(1500))),
            ("2", "m", Ok(Duration::from_secs(120))),
            ("100000000000000000000", "seconds", Err("longer than a day")),
            ("1e20", "s", Err("longer than a day")),
            ("-1", "s", Err("negative")),
            ("NaN", "s", Err("not a number")),
        ];
        for (amount, unit, expected) in cases {
            match (from_amount(amount, unit), expected) {
                (Ok(got), Ok(want)) => assert_eq!(got, want, "{amount} {unit}"),
                (Err(got), Err(want)) => assert!(got.contains(want), "{amount} {unit}: {got}"),
                (got, want) => panic!("{amount} {unit}: {got:?}, expected {want:?}"),
            }
        }
        assert!(
            from_amount("x", "s")
                .unwrap_err()
                .contains("`x s` is not a number")
        );
    }

    #[test]
    fn millisecond_settings_are_bounded() {
        assert_eq!(millis_problem(30_000), None);
        assert!(millis_problem(0).is_some());
        assert!(
            millis_problem(u64::MAX)
                .unwrap()
                .contains("longer than a day")
        );
    }
}
