//! Stopping a run cleanly on SIGINT or SIGTERM. The first signal stops new
//! scenarios from starting and lets the ones under way finish (each step
//! within its own timeout); a second signal abandons those too. Either way
//! the run then writes its `interrupted` trace record and every report,
//! marked `INCOMPLETE`, and exits 130 (SIGINT) or 143 (SIGTERM).
//!
//! ```text
//! ^C   → driftgate: SIGINT: no new scenario starts; waiting for 3 running (send it again to abandon them)
//! ^C^C → driftgate: SIGINT again: abandoning 3 running scenarios
//! ```

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use crate::trace::Signal;

/// Signals received by a run, shared between the listener and the runner.
/// The default handle is never signalled unless [`Interrupt::raise`] is called.
#[derive(Debug, Clone, Default)]
pub struct Interrupt {
    state: Arc<State>,
}

#[derive(Debug, Default)]
struct State {
    first: OnceLock<Signal>,
    count: AtomicUsize,
    running: AtomicUsize,
}

/// How the scenarios of an interrupted run stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stopped {
    /// The first signal received.
    pub signal: Signal,
    /// Scenarios under way that a second signal abandoned.
    pub abandoned: usize,
}

impl Interrupt {
    /// A handle signalled by this process's SIGINT and SIGTERM (Ctrl-C only,
    /// off Unix). Call it inside the async runtime, only for a command that
    /// stops cleanly: from then on these signals no longer end the process.
    /// The handlers are in place when this returns.
    pub fn on_signals() -> Interrupt {
        let interrupt = Interrupt::default();
        let listener = interrupt.clone();
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            match (
                signal(SignalKind::interrupt()),
                signal(SignalKind::terminate()),
            ) {
                (Ok(mut int), Ok(mut term)) => {
                    tokio::spawn(async move {
                        loop {
                            let signal = tokio::select! {
                                Some(()) = int.recv() => Signal::Interrupt,
                                Some(()) = term.recv() => Signal::Terminate,
                                else => break,
                            };
                            listener.raise(signal);
                        }
                    });
                }
                _ => tracing::warn!(
                    "cannot listen for SIGINT/SIGTERM; an interrupted run leaves no report"
                ),
            }
        }
        #[cfg(not(unix))]
        tokio::spawn(async move {
            while tokio::signal::ctrl_c().await.is_ok() {
                listener.raise(Signal::Interrupt);
            }
        });
        interrupt
    }

    /// Records a signal, as if the process had received it.
    pub fn raise(&self, signal: Signal) {
        let first = *self.state.first.get_or_init(|| signal);
        let count = self.state.count.fetch_add(1, Ordering::SeqCst) + 1;
        let running = self.state.running.load(Ordering::SeqCst);
        if count == 1 {
            eprintln!(
                "driftgate: {first}: no new scenario starts; waiting for {running} running (send it again to abandon them)"
            );
        } else if count == 2 {
            eprintln!("driftgate: {signal} again: abandoning {running} running scenarios");
        }
    }

    /// The first signal received, if any.
    pub fn signal(&self) -> Option<Signal> {
        self.state.first.get().copied()
    }

    /// Whether a scenario may start; when it may, it counts as running until
    /// [`Interrupt::scenario_finished`].
    pub(crate) fn scenario_may_start(&self) -> bool {
        if self.signal().is_some() {
            return false;
        }
        self.state.running.fetch_add(1, Ordering::SeqCst);
        true
    }

    /// A scenario that was allowed to start has finished.
    pub(crate) fn scenario_finished(&self) {
        // Never below zero, even for a scenario whose start was not counted.
        let _ = self
            .state
            .running
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
    }

    /// Resolves once a signal has stopped the run: after the first signal
    /// once no scenario is running, or at a second signal.
    pub(crate) async fn stopped(&self) -> Stopped {
        loop {
            if let Some(signal) = self.signal() {
                let running = self.state.running.load(Ordering::SeqCst);
                if running == 0 {
                    return Stopped {
                        signal,
                        abandoned: 0,
                    };
                }
                if self.state.count.load(Ordering::SeqCst) >= 2 {
                    return Stopped {
                        signal,
                        abandoned: running,
                    };
                }
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_first_signal_waits_for_running_scenarios_the_second_abandons_them() {
        let interrupt = Interrupt::default();
        assert!(interrupt.scenario_may_start());
        assert!(interrupt.scenario_may_start());
        interrupt.raise(Signal::Terminate);
        assert!(
            !interrupt.scenario_may_start(),
            "no new scenario after a signal"
        );
        let waiting = tokio::time::timeout(Duration::from_millis(100), interrupt.stopped()).await;
        assert!(waiting.is_err(), "two scenarios are still running");
        interrupt.scenario_finished();
        interrupt.raise(Signal::Interrupt);
        let stopped = interrupt.stopped().await;
        assert_eq!(
            stopped,
            Stopped {
                signal: Signal::Terminate,
                abandoned: 1
            }
        );
        interrupt.scenario_finished();
        assert_eq!(interrupt.stopped().await.abandoned, 0);
    }
}
