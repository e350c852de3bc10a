//! How `learn-noise` decides, over N recorded runs of each environment:
//!
//! ```text
//! production run 1 ─ vs ─ production run 2, 3      differences: noise (learned)
//! staging    run 1 ─ vs ─ staging    run 2, 3      differences: noise (learned)
//! production run 1 ─ vs ─ staging    run 1         differences not learned above:
//!                                                   environment-specific values (listed, not learned)
//! every run: a scenario that failed, did not finish or is missing ──▶ a learning failure
//! ```
//!
//! A place is noise when its value (or an array's order) differs between
//! two runs of the *same* environment. A value that stays the same within
//! each environment but differs between them is not noise: hiding it would
//! hide the very difference a release engineer asks about, so it is listed
//! with the values of both environments for the user to declare as an
//! environment variable or to waive.

use std::collections::BTreeMap;

use super::learn::{Differences, ScenarioSteps};
use crate::compare::traces::{Presence, TraceRun, pair_traces};
use crate::config::noise::{EnvironmentValue, NoiseEntry};
use crate::trace::ScenarioStatus;

/// One recorded run of one environment.
#[derive(Debug, Clone)]
pub struct LearningRun {
    /// The environment it ran against.
    pub environment: String,
    /// Its number, from 1, within the environment.
    pub run: usize,
    /// What it recorded.
    pub trace: TraceRun,
}

/// A scenario that did not run to the end during learning: what it could
/// have shown was not learned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LearningFailure {
    /// The environment of the run.
    pub environment: String,
    /// The run, from 1.
    pub run: usize,
    /// `feature:line: name`.
    pub scenario: String,
    /// Why it failed, as the run recorded it.
    pub reason: String,
}

/// What the runs taught.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Learning {
    /// The noisy places, with the pairs of runs that showed them.
    pub noise: Vec<NoiseEntry>,
    /// Values constant within each environment but different between them.
    pub environment_specific: Vec<EnvironmentValue>,
    /// Scenarios that failed or were missing in a run.
    pub failures: Vec<LearningFailure>,
}

impl Learning {
    /// Whether every scenario ran to the end in every run.
    pub fn is_complete(&self) -> bool {
        self.failures.is_empty()
    }
}

/// Decides what is noise and what is environment-specific from `runs`
/// (several runs of one or two environments, in any order).
pub fn decide(runs: &[LearningRun]) -> Learning {
    let mut by_environment: Vec<(&str, Vec<&LearningRun>)> = Vec::new();
    for run in runs {
        match by_environment
            .iter_mut()
            .find(|(name, _)| *name == run.environment)
        {
            Some((_, list)) => list.push(run),
            None => by_environment.push((&run.environment, vec![run])),
        }
    }
    let mut within = Differences::default();
    let mut failures: Vec<LearningFailure> = runs.iter().flat_map(failures_of).collect();
    for (_, list) in &by_environment {
        let Some((first, others)) = list.split_first() else {
            continue;
        };
        for other in others {
            let label = format!("{} run {} vs {}", first.environment, first.run, other.run);
            compare(&mut within, first, other, &label, &mut failures);
        }
    }
    let environment_specific = match by_environment.as_slice() {
        [(_, baseline), (_, candidate), ..] => between(baseline, candidate, &within),
        _ => Vec::new(),
    };
    failures.sort_by_key(|f| (f.environment.clone(), f.run, f.scenario.clone()));
    failures.dedup();
    Learning {
        noise: within.into_entries(),
        environment_specific,
        failures,
    }
}

/// The differences between the first runs of two environments that no
/// run of either environment showed within itself.
fn between(
    baseline: &[&LearningRun],
    candidate: &[&LearningRun],
    within: &Differences,
) -> Vec<EnvironmentValue> {
    let (Some(b), Some(c)) = (baseline.first(), candidate.first()) else {
        return Vec::new();
    };
    let label = format!(
        "{} run {} vs {} run {}",
        b.environment, b.run, c.environment, c.run
    );
    let mut differences = Differences::default();
    // A scenario missing from one run is already a failure of that run.
    compare(&mut differences, b, c, &label, &mut Vec::new());
    differences
        .places
        .into_iter()
        .filter(|(key, _)| !within.places.contains_key(key))
        .filter_map(|(_, difference)| {
            let entry = difference.entry;
            let (Some(bv), Some(cv)) = (difference.first.baseline, difference.first.candidate)
            else {
                return None;
            };
            Some(EnvironmentValue {
                service: entry.service,
                route: entry.route,
                path: entry.path,
                values: BTreeMap::from([(b.environment.clone(), bv), (c.environment.clone(), cv)]),
                scenarios: entry.scenarios,
            })
        })
        .collect()
}

/// Adds the differences between two runs; a scenario only one of them ran
/// is a failure of the run that misses it.
fn compare(
    differences: &mut Differences,
    first: &LearningRun,
    other: &LearningRun,
    label: &str,
    failures: &mut Vec<LearningFailure>,
) {
    let twin = pair_traces(&first.trace, &other.trace);
    let mut paired: Vec<ScenarioSteps> = Vec::new();
    for scenario in twin.scenarios {
        let name = scenario_name(&scenario.key);
        let missing = |run: &LearningRun, present: &LearningRun| LearningFailure {
            environment: run.environment.clone(),
            run: run.run,
            scenario: name.clone(),
            reason: format!(
                "did not run, although {} run {} ran it",
                present.environment, present.run
            ),
        };
        match scenario.presence {
            Presence::Both => paired.push((scenario.key, scenario.steps)),
            Presence::OnlyBaseline => failures.push(missing(other, first)),
            Presence::OnlyCandidate => failures.push(missing(first, other)),
        }
    }
    differences.add_run_pair(&twin.header, &paired, label);
}

/// Every scenario of a run that failed or did not finish.
fn failures_of(run: &LearningRun) -> Vec<LearningFailure> {
    run.trace
        .scenarios
        .iter()
        .filter_map(|scenario| {
            let reason = match &scenario.end {
                None => "did not finish (the run stopped during it)".to_owned(),
                Some(end) if end.status == ScenarioStatus::Failed => end
                    .message
                    .clone()
                    .unwrap_or_else(|| "failed without a message".to_owned()),
                Some(_) => return None,
            };
            Some(LearningFailure {
                environment: run.environment.clone(),
                run: run.run,
                scenario: scenario_name(&scenario.key),
                reason,
            })
        })
        .collect()
}

fn scenario_name(key: &crate::trace::ScenarioKey) -> String {
    let tenant = key
        .tenant
        .as_deref()
        .map(|t| format!(" [tenant {t}]"))
        .unwrap_or_default();
    format!("{}:{}: {}{tenant}", key.feature, key.line, key.name)
}

#[cfg(test)]
mod tests;
