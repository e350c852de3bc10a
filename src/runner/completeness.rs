//! What a stored trace says about the run that wrote it: whether it got
//! through its plan, and how long it took — read from its records (the
//! header's `started_at`, the `end`/`interrupted` record, the scenarios'
//! `finished_at`), never from file times or the sum of scenario times
//! (scenarios run concurrently).
//!
//! ```text
//! run, plan(2000), step…, scenario…, end          → complete, duration from `end`
//! run, plan(2000), step…, scenario… ×606           → INCOMPLETE: 606 of 2000 (no run-end record)
//! run, plan(2000), …, interrupted(SIGINT, ran 606) → INCOMPLETE: 606 of 2000 (interrupted by SIGINT)
//! ```
//!
//! Traces of format 1 (driftgate before run-end records) cannot say; they
//! are judged as complete, with a warning.

use crate::compare::traces::{RunEnding, TraceRun};
use crate::judge::{Incomplete, IncompleteCause};
use crate::trace::millis_between;

/// The first trace format whose runs end with an `end` or `interrupted` record.
const FIRST_FORMAT_WITH_END: u32 = 2;

/// The scenario runs of `run` that finished, and those its run planned (when known).
pub fn progress(run: &TraceRun) -> (usize, Option<usize>) {
    match &run.ending {
        Some(RunEnding::Finished(end)) => (end.ran, Some(end.scenarios)),
        Some(RunEnding::Interrupted(stop)) => (stop.end.ran, Some(stop.end.scenarios)),
        None => (
            run.scenarios.iter().filter(|s| s.end.is_some()).count(),
            run.planned,
        ),
    }
}

/// How far the run that wrote `run` (named `name`) got, when it stopped short.
pub fn of_trace(name: &str, run: &TraceRun) -> Option<Incomplete> {
    let (finished, _) = progress(run);
    match &run.ending {
        Some(RunEnding::Finished(_)) => None,
        Some(RunEnding::Interrupted(stop)) => Some(Incomplete {
            ran: stop.end.ran,
            planned: Some(stop.end.scenarios),
            cause: IncompleteCause::Interrupted {
                trace: name.to_owned(),
                signal: stop.signal,
            },
        }),
        None if run.header.format < FIRST_FORMAT_WITH_END => {
            tracing::warn!(
                "{name}: trace format {} has no run-end record; cannot tell whether its run finished (record it again with this driftgate to know)",
                run.header.format
            );
            None
        }
        None => Some(Incomplete {
            ran: finished,
            planned: run.planned,
            cause: IncompleteCause::Unfinished {
                trace: name.to_owned(),
            },
        }),
    }
}

/// The least complete of several traces' shortfalls, if any stopped short
/// (two traces compared with each other).
pub fn least_complete(
    shortfalls: impl IntoIterator<Item = Option<Incomplete>>,
) -> Option<Incomplete> {
    shortfalls
        .into_iter()
        .flatten()
        .reduce(Incomplete::least_complete)
}

/// The shortfall of one run stored as several traces (its shards), counted
/// over all of them, when any stopped short; the cause is the first one's.
pub fn of_shards<'a>(
    traces: impl IntoIterator<Item = (&'a str, &'a TraceRun)>,
) -> Option<Incomplete> {
    let mut ran = 0;
    let mut planned = Some(0);
    let mut first = None;
    for (name, run) in traces {
        let (finished, plan) = progress(run);
        ran += finished;
        planned = planned.zip(plan).map(|(a, b)| a + b);
        let shortfall = of_trace(name, run);
        if first.is_none() {
            first = shortfall;
        }
    }
    first.map(|incomplete| Incomplete {
        ran,
        planned,
        ..incomplete
    })
}

/// Wall time of the run that wrote `run`, in milliseconds: from its run-end
/// record, else from its start to the last scenario that finished, else
/// (format 1 traces) the longest scenario.
pub fn duration_ms(run: &TraceRun) -> f64 {
    let recorded = match &run.ending {
        Some(RunEnding::Finished(end)) => Some(end.duration_ms),
        Some(RunEnding::Interrupted(stop)) => Some(stop.end.duration_ms),
        None => run
            .scenarios
            .iter()
            .filter_map(|s| s.end.as_ref()?.finished_at.as_deref())
            .filter_map(|at| millis_between(&run.header.started_at, at))
            .reduce(f64::max),
    };
    recorded.unwrap_or_else(|| {
        run.scenarios
            .iter()
            .filter_map(|s| s.end.as_ref().map(|e| e.duration_ms))
            .fold(0.0, f64::max)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::{
        EnvironmentRef, Interruption, RunEnd, RunHeader, RunPlan, ScenarioEnd, ScenarioKey,
        ScenarioStatus, Signal, TRACE_FORMAT, TraceRecord, Twin,
    };

    fn scenario_end(line: usize, finished_at: &str) -> TraceRecord {
        TraceRecord::Scenario(ScenarioEnd {
            scenario: ScenarioKey {
                feature: "a.feature".into(),
                feature_name: "A".into(),
                rule: None,
                name: format!("s{line}"),
                line,
                tags: vec![],
                sample: None,
                tenant: None,
            },
            status: ScenarioStatus::Passed,
            message: None,
            duration_ms: 4000.0,
            finished_at: Some(finished_at.into()),
        })
    }

    fn trace(format: u32, last: Option<TraceRecord>) -> TraceRun {
        let mut records = vec![
            TraceRecord::Run(RunHeader {
                format,
                tool_version: "0.1.0".into(),
                started_at: "2026-12-01T10:00:00.000Z".into(),
                environments: Twin::new(EnvironmentRef::default(), EnvironmentRef::default()),
                tenants: Default::default(),
            }),
            TraceRecord::Plan(RunPlan { scenarios: 5 }),
            // Two scenarios of 4 s each, side by side: the run took 4.5 s, not 8.
            scenario_end(3, "2026-12-01T10:00:04.000Z"),
            scenario_end(9, "2026-12-01T10:00:04.500Z"),
        ];
        records.extend(last);
        TraceRun::from_records("t.jsonl", records).unwrap()
    }

    fn end(ran: usize) -> RunEnd {
        RunEnd {
            finished_at: "2026-12-01T10:00:05.000Z".into(),
            duration_ms: 5000.0,
            scenarios: 5,
            ran,
        }
    }

    #[test]
    fn a_trace_without_its_run_end_record_is_incomplete() {
        let killed = trace(TRACE_FORMAT, None);
        let incomplete = of_trace("t.jsonl", &killed).unwrap();
        assert_eq!((incomplete.ran, incomplete.planned), (2, Some(5)));
        assert!(matches!(
            incomplete.cause,
            IncompleteCause::Unfinished { ref trace } if trace == "t.jsonl"
        ));
        assert_eq!(duration_ms(&killed), 4500.0);
    }

    #[test]
    fn an_interrupted_trace_keeps_its_signal_and_counts() {
        let stop = TraceRecord::Interrupted(Interruption {
            signal: Signal::Terminate,
            end: end(2),
            abandoned: 1,
        });
        let stopped = trace(TRACE_FORMAT, Some(stop));
        let incomplete = of_trace("t.jsonl", &stopped).unwrap();
        assert_eq!((incomplete.ran, incomplete.planned), (2, Some(5)));
        assert!(matches!(
            incomplete.cause,
            IncompleteCause::Interrupted {
                signal: Signal::Terminate,
                ..
            }
        ));
        assert_eq!(duration_ms(&stopped), 5000.0);
    }

    #[test]
    fn a_finished_trace_and_a_format_1_trace_are_complete() {
        let finished = trace(TRACE_FORMAT, Some(TraceRecord::End(end(5))));
        assert_eq!(of_trace("t.jsonl", &finished), None);
        assert_eq!(duration_ms(&finished), 5000.0);
        assert_eq!(of_trace("old.jsonl", &trace(1, None)), None);
    }
}
