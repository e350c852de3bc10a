//! Progress while a run goes: scenarios done of total, drift so far, elapsed.
//!
//! On a terminal a live bar on stderr (indicatif); elsewhere (CI logs) a
//! plain line at most every [`PLAIN_INTERVAL`] and one at the end; nothing
//! with `--quiet`.
//!
//! ```text
//! progress: 12/40 scenarios, 3 drift(s), 8s elapsed
//! ```

use std::io::IsTerminal as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use cucumber::{event, parser};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::judge::JudgeSink;
use crate::world::TwinWorld;

/// How often a plain progress line is printed at most.
pub const PLAIN_INTERVAL: Duration = Duration::from_secs(5);

/// What progress a run shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ProgressMode {
    /// A bar on a terminal, plain periodic lines otherwise.
    #[default]
    Auto,
    /// Nothing.
    Quiet,
}

/// Counts finished scenarios and says when a plain line is due.
#[derive(Debug)]
pub struct ProgressCount {
    total: usize,
    done: usize,
    started: Instant,
    last_line: Instant,
}

impl ProgressCount {
    /// A run of `total` scenarios starting at `now`.
    pub fn new(total: usize, now: Instant) -> ProgressCount {
        ProgressCount {
            total,
            done: 0,
            started: now,
            last_line: now,
        }
    }

    /// Counts one finished scenario; returns the plain line when one is due
    /// (the interval has passed, or this was the last scenario).
    pub fn finished_one(&mut self, drifts: usize, now: Instant) -> Option<String> {
        self.done += 1;
        let due = now.duration_since(self.last_line) >= PLAIN_INTERVAL || self.done == self.total;
        due.then(|| {
            self.last_line = now;
            self.line(drifts, now)
        })
    }

    /// `progress: 12/40 scenarios, 3 drift(s), 8s elapsed`.
    pub fn line(&self, drifts: usize, now: Instant) -> String {
        format!(
            "progress: {}/{} scenarios, {drifts} drift(s), {}s elapsed",
            self.done,
            self.total,
            now.duration_since(self.started).as_secs()
        )
    }
}

/// The cucumber writer of a run: cucumber's own output is not used (results
/// flow through the twin world); it only shows progress.
pub(super) struct ProgressWriter {
    count: ProgressCount,
    bar: Option<ProgressBar>,
    mode: ProgressMode,
    judge: Arc<JudgeSink>,
}

impl ProgressWriter {
    /// A writer for `total` scenarios; a bar when `mode` is auto and stderr is a terminal.
    pub(super) fn new(total: usize, mode: ProgressMode, judge: Arc<JudgeSink>) -> Self {
        let bar = (mode == ProgressMode::Auto && std::io::stderr().is_terminal()).then(|| {
            let bar =
                ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template(
                "{elapsed_precise} [{bar:30}] {pos}/{len} scenarios · {msg}",
            ) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_message("0 drift(s)");
            bar
        });
        ProgressWriter {
            count: ProgressCount::new(total, Instant::now()),
            bar,
            mode,
            judge,
        }
    }

    fn scenario_finished(&mut self) {
        let drifts = self.judge.drifts();
        let line = self.count.finished_one(drifts, Instant::now());
        match (&self.bar, self.mode) {
            (_, ProgressMode::Quiet) => {}
            (Some(bar), _) => {
                bar.inc(1);
                bar.set_message(format!("{drifts} drift(s)"));
            }
            (None, ProgressMode::Auto) => {
                if let Some(line) = line {
                    eprintln!("{line}");
                }
            }
        }
    }

    fn run_finished(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Whether an event says a scenario finished.
fn is_scenario_finished(event: &event::Cucumber<TwinWorld>) -> bool {
    let scenario = match event {
        event::Cucumber::Feature(_, event::Feature::Scenario(_, s))
        | event::Cucumber::Feature(_, event::Feature::Rule(_, event::Rule::Scenario(_, s))) => s,
        _ => return false,
    };
    matches!(scenario.event, event::Scenario::Finished)
}

impl cucumber::Writer<TwinWorld> for ProgressWriter {
    type Cli = cucumber::cli::Empty;

    async fn handle_event(
        &mut self,
        event: parser::Result<cucumber::Event<event::Cucumber<TwinWorld>>>,
        _cli: &Self::Cli,
    ) {
        let Ok(event) = event else {
            return;
        };
        if is_scenario_finished(&event.value) {
            self.scenario_finished();
        } else if matches!(event.value, event::Cucumber::Finished) {
            self.run_finished();
        }
    }
}

/// Event order does not matter to [`ProgressWriter`]: it only counts.
impl cucumber::writer::Normalized for ProgressWriter {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_lines_come_at_most_every_interval_and_at_the_end() {
        let start = Instant::now();
        let mut count = ProgressCount::new(3, start);
        let at = |s: u64| start + Duration::from_secs(s);
        assert_eq!(count.finished_one(0, at(1)), None);
        assert_eq!(
            count.finished_one(2, at(6)).as_deref(),
            Some("progress: 2/3 scenarios, 2 drift(s), 6s elapsed")
        );
        assert_eq!(
            count.finished_one(2, at(7)).as_deref(),
            Some("progress: 3/3 scenarios, 2 drift(s), 7s elapsed")
        );
    }
}
