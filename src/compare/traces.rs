//! Stored traces as comparison input: grouping a trace by scenario, pairing
//! a baseline trace with a candidate trace by scenario identity into a twin
//! trace (which the judge reads as the records of one twin run), and the
//! drift of a scenario only one of them ran — all without a network.
//!
//! ```text
//! production.trace.jsonl (recording)   staging.trace.jsonl (recording)
//!   Create an order       ───────────────  Create an order        → steps paired by position
//!   Cancel an order       ──┐       ┌────  Read an order          (reordered: still paired)
//!   Read an order         ──┼───────┘      Ship an order          → scenario_only_in_candidate
//!                           └─────────────  (none)                → scenario_only_in_baseline
//! ```
//!
//! Identity is (feature path, rule, scenario name, tenant, n-th occurrence
//! of that name), not the line: adding a scenario above another does not
//! unpair it, and one tenant's run never pairs with another tenant's.
//! A single-environment recording holds its data on the baseline side and
//! has an empty candidate environment name (see `docs/trace.md`).

use std::collections::BTreeMap;

use super::{Drift, StepRef};
use crate::drift_class::DriftClass;
use crate::trace::{
    Interruption, RunEnd, RunHeader, ScenarioEnd, ScenarioKey, ScenarioStatus, Side, SideStep,
    StepOutcome, StepRecord, TraceRecord, Twin, step_failure,
};

/// A trace that cannot be used as comparison input.
#[derive(Debug, thiserror::Error)]
pub enum TraceInputError {
    /// The first record is not the run header.
    #[error("{0}: not a driftgate trace (the first record must be the run header)")]
    NoHeader(String),
}

impl crate::diagnostic::Diagnose for TraceInputError {
    fn diagnostics(&self) -> Vec<crate::diagnostic::Diagnostic> {
        vec![crate::diagnostic::Diagnostic::error(self.to_string())]
    }
}

/// One scenario of a trace.
#[derive(Debug, Clone, PartialEq)]
pub struct TracedScenario {
    /// Its identity.
    pub key: ScenarioKey,
    /// Its steps, in order.
    pub steps: Vec<StepRecord>,
    /// How it ended, when the trace got that far.
    pub end: Option<ScenarioEnd>,
}

/// A trace read back and grouped by scenario, in the order scenarios began.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceRun {
    /// The run header.
    pub header: RunHeader,
    /// Every scenario.
    pub scenarios: Vec<TracedScenario>,
    /// Positions in `scenarios` of those that ended, in the order they ended.
    pub ended: Vec<usize>,
    /// The scenario runs the run planned, when its trace says.
    pub planned: Option<usize>,
    /// How the run ended, when its trace got that far: `None` for a run that
    /// was killed, crashed or is still running.
    pub ending: Option<RunEnding>,
}

/// The last record of a run's trace.
#[derive(Debug, Clone, PartialEq)]
pub enum RunEnding {
    /// Every planned scenario ran.
    Finished(RunEnd),
    /// A signal stopped the run.
    Interrupted(Interruption),
}

type Identity = (String, Option<String>, String, Option<String>, usize);

impl TraceRun {
    /// Groups the records of one trace; `name` names it in errors.
    pub fn from_records(
        name: &str,
        records: Vec<TraceRecord>,
    ) -> Result<TraceRun, TraceInputError> {
        let mut records = records.into_iter();
        let Some(TraceRecord::Run(header)) = records.next() else {
            return Err(TraceInputError::NoHeader(name.to_owned()));
        };
        let mut run = TraceRun {
            header,
            scenarios: Vec::new(),
            ended: Vec::new(),
            planned: None,
            ending: None,
        };
        let scenarios = &mut run.scenarios;
        let mut open: BTreeMap<ScenarioKey, usize> = BTreeMap::new();
        for record in records {
            let key = match &record {
                TraceRecord::Step(step) => step.scenario.clone(),
                TraceRecord::Scenario(end) => end.scenario.clone(),
                TraceRecord::Plan(plan) => {
                    run.planned = Some(plan.scenarios);
                    continue;
                }
                TraceRecord::End(end) => {
                    run.ending = Some(RunEnding::Finished(end.clone()));
                    continue;
                }
                TraceRecord::Interrupted(stop) => {
                    run.ending = Some(RunEnding::Interrupted(stop.clone()));
                    continue;
                }
                TraceRecord::Run(_) | TraceRecord::Shard(_) => continue,
            };
            let at = *open.entry(key.clone()).or_insert_with(|| {
                scenarios.push(TracedScenario {
                    key,
                    steps: Vec::new(),
                    end: None,
                });
                scenarios.len() - 1
            });
            match record {
                TraceRecord::Step(step) => scenarios[at].steps.push(step),
                TraceRecord::Scenario(end) => {
                    scenarios[at].end = Some(end);
                    run.ended.push(at);
                }
                _ => {}
            }
        }
        Ok(run)
    }

    /// Whether this is a single-environment recording (`driftgate record`).
    pub fn is_recording(&self) -> bool {
        self.header.environments.candidate.name.is_empty()
    }

    /// The side that holds the environment playing `role` in a comparison:
    /// the baseline side of a recording, otherwise the side named `role`.
    pub fn side_for(&self, role: Side) -> Side {
        if self.is_recording() {
            Side::Baseline
        } else {
            role
        }
    }

    fn by_identity(&self) -> BTreeMap<Identity, &TracedScenario> {
        let mut seen: BTreeMap<(String, Option<String>, String, Option<String>), usize> =
            BTreeMap::new();
        let mut out = BTreeMap::new();
        for scenario in &self.scenarios {
            let key = &scenario.key;
            let base = (
                key.feature.clone(),
                key.rule.clone(),
                key.name.clone(),
                key.tenant.clone(),
            );
            let n = seen.entry(base.clone()).or_default();
            out.insert((base.0, base.1, base.2, base.3, *n), scenario);
            *n += 1;
        }
        out
    }
}

/// Why a scenario is in a twin trace with one side only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// Both traces ran it.
    Both,
    /// Only the baseline trace has it.
    OnlyBaseline,
    /// Only the candidate trace has it.
    OnlyCandidate,
}

/// A scenario of a twin trace.
#[derive(Debug, Clone, PartialEq)]
pub struct TwinScenario {
    /// Identity (the candidate's, when both have it).
    pub key: ScenarioKey,
    /// Which traces have it.
    pub presence: Presence,
    /// Paired steps (empty unless both have it).
    pub steps: Vec<StepRecord>,
    /// Why it failed, when a step failed on both sides.
    pub failure: Option<String>,
    /// Wall time (the candidate's when known).
    pub duration_ms: f64,
}

/// Two traces paired into one twin run.
#[derive(Debug, Clone, PartialEq)]
pub struct TwinTrace {
    /// Baseline environment from one trace, candidate from the other.
    pub header: RunHeader,
    /// Every scenario of either trace, candidate order first.
    pub scenarios: Vec<TwinScenario>,
}

/// Pairs the baseline role of `baseline` with the candidate role of `candidate`.
pub fn pair_traces(baseline: &TraceRun, candidate: &TraceRun) -> TwinTrace {
    let (b_side, c_side) = (
        baseline.side_for(Side::Baseline),
        candidate.side_for(Side::Candidate),
    );
    let mut header = candidate.header.clone();
    header.environments = Twin::new(
        baseline.header.environments.get(b_side).clone(),
        candidate.header.environments.get(c_side).clone(),
    );
    header.tenants = paired_tenants((&baseline.header, b_side), (&candidate.header, c_side));
    let b_all = baseline.by_identity();
    let c_all = candidate.by_identity();
    let mut scenarios = Vec::new();
    for (identity, c) in candidate_order(candidate, &c_all) {
        match b_all.get(&identity) {
            Some(b) => scenarios.push(pair_scenario(&header, (b, b_side), (c, c_side))),
            None => scenarios.push(one_sided(c, Presence::OnlyCandidate)),
        }
    }
    for (identity, b) in &b_all {
        if !c_all.contains_key(identity) {
            scenarios.push(one_sided(b, Presence::OnlyBaseline));
        }
    }
    TwinTrace { header, scenarios }
}

/// Each tenant's variables: the baseline side from the baseline trace, the
/// candidate side from the candidate trace (a side without the tenant keeps
/// its environment's variables).
fn paired_tenants(
    (baseline, b_side): (&RunHeader, Side),
    (candidate, c_side): (&RunHeader, Side),
) -> BTreeMap<String, Twin<BTreeMap<String, String>>> {
    let names: std::collections::BTreeSet<&String> = baseline
        .tenants
        .keys()
        .chain(candidate.tenants.keys())
        .collect();
    let side_of = |header: &RunHeader, side: Side, name: &str| {
        header.tenants.get(name).map_or_else(
            || header.environments.get(side).variables.clone(),
            |twin| twin.get(side).clone(),
        )
    };
    names
        .into_iter()
        .map(|name| {
            let twin = Twin::new(
                side_of(baseline, b_side, name),
                side_of(candidate, c_side, name),
            );
            (name.clone(), twin)
        })
        .collect()
}

fn candidate_order<'a>(
    run: &'a TraceRun,
    all: &BTreeMap<Identity, &'a TracedScenario>,
) -> Vec<(Identity, &'a TracedScenario)> {
    let mut ordered: Vec<(Identity, &TracedScenario)> =
        all.iter().map(|(k, v)| (k.clone(), *v)).collect();
    let position = |s: &TracedScenario| {
        run.scenarios
            .iter()
            .position(|x| std::ptr::eq(x, s))
            .unwrap_or(usize::MAX)
    };
    ordered.sort_by_key(|(_, s)| position(s));
    ordered
}

fn one_sided(scenario: &TracedScenario, presence: Presence) -> TwinScenario {
    TwinScenario {
        key: scenario.key.clone(),
        presence,
        steps: Vec::new(),
        failure: None,
        duration_ms: scenario.end.as_ref().map_or(0.0, |e| e.duration_ms),
    }
}

fn not_recorded() -> SideStep {
    SideStep {
        outcome: StepOutcome::Skipped {
            reason: "not recorded in this trace".into(),
        },
        ..SideStep::default()
    }
}

/// Pairs steps by position; the scenario stops after the first step in
/// which neither side passed, as a live twin run would.
fn pair_scenario(
    header: &RunHeader,
    (b, b_side): (&TracedScenario, Side),
    (c, c_side): (&TracedScenario, Side),
) -> TwinScenario {
    let mut steps = Vec::new();
    let mut failure = None;
    for index in 0..b.steps.len().max(c.steps.len()) {
        let (bs, cs) = (b.steps.get(index), c.steps.get(index));
        let Some(template) = cs.or(bs) else { break };
        let sides = Twin::new(
            bs.map_or_else(not_recorded, |s| s.sides.get(b_side).clone()),
            cs.map_or_else(not_recorded, |s| s.sides.get(c_side).clone()),
        );
        failure = step_failure(&header.environments, &sides);
        steps.push(StepRecord {
            scenario: c.key.clone(),
            index,
            sides,
            ..template.clone()
        });
        if failure.is_some() {
            break;
        }
    }
    TwinScenario {
        key: c.key.clone(),
        presence: Presence::Both,
        steps,
        failure,
        duration_ms: c.end.as_ref().map_or(0.0, |e| e.duration_ms),
    }
}

/// A twin trace of a twin run (`driftgate run`): every scenario that ended,
/// in the order they ended, as the live run's judge saw them.
pub fn twin_of(run: &TraceRun) -> TwinTrace {
    let scenarios = run
        .ended
        .iter()
        .filter_map(|at| run.scenarios.get(*at))
        .map(|s| TwinScenario {
            key: s.key.clone(),
            presence: Presence::Both,
            steps: s.steps.clone(),
            failure: s
                .end
                .as_ref()
                .filter(|e| e.status == ScenarioStatus::Failed)
                .map(|e| e.message.clone().unwrap_or_else(|| "failed".into())),
            duration_ms: s.end.as_ref().map_or(0.0, |e| e.duration_ms),
        })
        .collect();
    TwinTrace {
        header: run.header.clone(),
        scenarios,
    }
}

impl TwinScenario {
    /// The records a twin run would have written for this scenario: its
    /// paired steps, then how it ended (none for a one-sided scenario).
    pub fn records(&self) -> impl Iterator<Item = TraceRecord> + '_ {
        let both = self.presence == Presence::Both;
        let end = both.then(|| {
            TraceRecord::Scenario(ScenarioEnd {
                scenario: self.key.clone(),
                status: if self.failure.is_some() {
                    ScenarioStatus::Failed
                } else {
                    ScenarioStatus::Passed
                },
                message: self.failure.clone(),
                duration_ms: self.duration_ms,
                finished_at: None,
            })
        });
        self.steps
            .iter()
            .map(|step| TraceRecord::Step(step.clone()))
            .chain(end)
    }
}

/// The drift of a scenario only one of two paired traces ran
/// (`scenario_only_in_baseline` or `…_candidate`); none for one both ran.
pub fn presence_drift(key: &ScenarioKey, presence: Presence) -> Option<Drift> {
    let (class, side, other) = match presence {
        Presence::Both => return None,
        Presence::OnlyBaseline => (DriftClass::ScenarioOnlyInBaseline, "baseline", "candidate"),
        Presence::OnlyCandidate => (DriftClass::ScenarioOnlyInCandidate, "candidate", "baseline"),
    };
    Some(Drift {
        class,
        scenario: key.clone(),
        step: StepRef {
            index: 0,
            line: key.line,
            text: String::new(),
        },
        service: None,
        request: None,
        path: None,
        baseline: None,
        candidate: None,
        message: format!(
            "scenario `{}` ran in the {side} only: it is new, renamed, removed or not selected in the {other}",
            key.name
        ),
    })
}
