//! How a run's trace says what it set out to do and how it ended: the
//! `plan` record right after the header, then, as the last line, either the
//! `end` record of a run that ran every scenario or the `interrupted` record
//! of a run stopped by a signal. A trace with neither (the run was killed,
//! crashed or is still running) is judged incomplete.
//!
//! ```json
//! {"kind":"plan","scenarios":2000}
//! {"kind":"end","finished_at":"2026-12-01T19:40:06.612Z","duration_ms":6612.0,"scenarios":2000,"ran":2000}
//! {"kind":"interrupted","signal":"SIGINT","finished_at":"2026-12-01T19:40:02.101Z","duration_ms":2101.0,"scenarios":2000,"ran":606,"abandoned":0}
//! ```

use serde::{Deserialize, Serialize};

/// The scenario runs a run is about to start (outline rows, tenants and
/// repetitions for timing counted one by one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunPlan {
    /// Scenario runs planned.
    pub scenarios: usize,
}

/// The last line of a run that ran every scenario it planned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunEnd {
    /// When the run ended (RFC 3339).
    pub finished_at: String,
    /// Wall time from the header's `started_at` to the end, in milliseconds.
    pub duration_ms: f64,
    /// Scenario runs planned.
    pub scenarios: usize,
    /// Scenario runs that finished.
    pub ran: usize,
}

/// The last line of a run stopped by a signal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interruption {
    /// The signal that stopped the run.
    pub signal: Signal,
    /// When and after how many scenario runs it stopped.
    #[serde(flatten)]
    pub end: RunEnd,
    /// Scenario runs under way when a second signal abandoned them (their
    /// steps so far are in the trace, their `scenario` record is not).
    #[serde(default)]
    pub abandoned: usize,
}

/// A signal that stops a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Signal {
    /// Ctrl-C in a terminal, or `kill -INT`.
    #[serde(rename = "SIGINT")]
    Interrupt,
    /// `kill`, `docker stop`, a CI job's cancel or timeout.
    #[serde(rename = "SIGTERM")]
    Terminate,
}

impl Signal {
    /// The signal's name as a shell shows it: `SIGINT`, `SIGTERM`.
    pub fn name(self) -> &'static str {
        match self {
            Signal::Interrupt => "SIGINT",
            Signal::Terminate => "SIGTERM",
        }
    }

    /// The exit code of a command this signal stopped: 128 + the signal's number.
    pub fn exit_code(self) -> u8 {
        match self {
            Signal::Interrupt => crate::exit::INTERRUPTED,
            Signal::Terminate => crate::exit::TERMINATED,
        }
    }
}

impl std::fmt::Display for Signal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Now, as trace records write time: RFC 3339 in UTC, to the millisecond.
pub fn timestamp() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Milliseconds from one record's timestamp to another's; none when either
/// is not RFC 3339 or `to` lies before `from`.
pub fn millis_between(from: &str, to: &str) -> Option<f64> {
    let from = chrono::DateTime::parse_from_rfc3339(from).ok()?;
    let to = chrono::DateTime::parse_from_rfc3339(to).ok()?;
    let micros = to.signed_duration_since(from).num_microseconds()?;
    (micros >= 0).then(|| micros as f64 / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::TraceRecord;

    #[test]
    fn end_records_read_as_documented() {
        let lines = [
            r#"{"kind":"plan","scenarios":2000}"#,
            r#"{"kind":"end","finished_at":"2026-12-01T19:40:06.612Z","duration_ms":6612.0,"scenarios":2000,"ran":2000}"#,
            r#"{"kind":"interrupted","signal":"SIGINT","finished_at":"2026-12-01T19:40:02.101Z","duration_ms":2101.0,"scenarios":2000,"ran":606,"abandoned":0}"#,
        ];
        for line in lines {
            let record: TraceRecord = serde_json::from_str(line).unwrap();
            let back = serde_json::to_value(&record).unwrap();
            let expected: serde_json::Value = serde_json::from_str(line).unwrap();
            assert_eq!(back, expected, "{line}");
        }
        let TraceRecord::Interrupted(stop) = serde_json::from_str(lines[2]).unwrap() else {
            panic!("expected an interrupted record")
        };
        assert_eq!((stop.signal, stop.end.ran), (Signal::Interrupt, 606));
        assert_eq!(Signal::Terminate.exit_code(), 143);
    }

    #[test]
    fn time_between_records_is_read_from_their_timestamps() {
        let start = "2026-12-01T19:40:00.000Z";
        assert_eq!(
            millis_between(start, "2026-12-01T19:40:06.612Z"),
            Some(6612.0)
        );
        assert_eq!(millis_between("2026-12-01T19:40:06.612Z", start), None);
        assert_eq!(millis_between("yesterday", start), None);
    }
}
