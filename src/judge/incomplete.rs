//! A report of a run that did not run every scenario it planned: stopped by
//! a signal, or judged from a trace without its run-end record (the run was
//! killed, crashed or is still running). Every format leads with the same
//! headline, and the verdict is `incomplete`, never `no drift`:
//!
//! ```text
//! INCOMPLETE: 606 of 2000 scenarios ran (interrupted by SIGINT); drift in the scenarios that did not run is unknown
//! ```

use serde::{Deserialize, Serialize};

use crate::trace::Signal;

/// How much of its plan a run got through, and why it stopped short.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incomplete {
    /// Scenario runs that finished.
    pub ran: usize,
    /// Scenario runs planned, when known.
    pub planned: Option<usize>,
    /// Why the run stopped short.
    pub cause: IncompleteCause,
}

/// Why a run stopped short.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "cause", rename_all = "snake_case")]
pub enum IncompleteCause {
    /// This run was stopped by a signal.
    Signal {
        /// The signal.
        signal: Signal,
    },
    /// A trace judged here says its run was stopped by a signal.
    Interrupted {
        /// The trace.
        trace: String,
        /// The signal.
        signal: Signal,
    },
    /// A trace judged here has no run-end record.
    Unfinished {
        /// The trace.
        trace: String,
    },
}

impl Incomplete {
    /// `INCOMPLETE: 606 of 2000 scenarios ran (interrupted by SIGINT)`.
    pub fn headline(&self) -> String {
        let counts = match self.planned {
            Some(planned) => format!("{} of {planned} scenarios ran", self.ran),
            None => format!("{} scenarios ran, of an unknown number planned", self.ran),
        };
        let why = match &self.cause {
            IncompleteCause::Signal { signal } => format!("interrupted by {signal}"),
            IncompleteCause::Interrupted { trace, signal } => {
                format!("{trace}: its run was interrupted by {signal}")
            }
            IncompleteCause::Unfinished { trace } => format!(
                "{trace} has no run-end record: its run was killed, crashed or is still running"
            ),
        };
        format!("INCOMPLETE: {counts} ({why}); drift in the scenarios that did not run is unknown")
    }

    /// The exit code: the signal's for a run a signal stopped, otherwise
    /// [`crate::exit::INCOMPLETE`].
    pub fn exit_code(&self) -> u8 {
        match &self.cause {
            IncompleteCause::Signal { signal } => signal.exit_code(),
            IncompleteCause::Interrupted { .. } | IncompleteCause::Unfinished { .. } => {
                crate::exit::INCOMPLETE
            }
        }
    }

    /// Of two shortfalls, the one that ran the smaller share of its plan.
    pub fn least_complete(self, other: Incomplete) -> Incomplete {
        let share = |i: &Incomplete| i.planned.map_or(0.0, |p| i.ran as f64 / p.max(1) as f64);
        if share(&other) < share(&self) {
            other
        } else {
            self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_headline_names_counts_and_cause() {
        let stopped = Incomplete {
            ran: 606,
            planned: Some(2000),
            cause: IncompleteCause::Signal {
                signal: Signal::Interrupt,
            },
        };
        assert!(
            stopped
                .headline()
                .starts_with("INCOMPLETE: 606 of 2000 scenarios ran (interrupted by SIGINT)"),
            "{}",
            stopped.headline()
        );
        assert_eq!(stopped.exit_code(), 130);
        let killed = Incomplete {
            ran: 3,
            planned: None,
            cause: IncompleteCause::Unfinished {
                trace: "t.jsonl".into(),
            },
        };
        assert!(killed.headline().contains("t.jsonl has no run-end record"));
        assert_eq!(killed.exit_code(), crate::exit::INCOMPLETE);
        assert_eq!(killed.clone().least_complete(stopped.clone()), killed);
    }
}
