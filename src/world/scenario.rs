//! State of one running scenario: per-side variables and health, the request
//! being built, and the steps recorded so far.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use serde_json::Value;

use super::RunContext;
use crate::template::{GeneratedValues, Scope};
use crate::trace::{
    HttpResponseRecord, Observation, ScenarioEnd, ScenarioKey, ScenarioStatus, Side, SideStep,
    StepOutcome, StepRecord, StepWindow, TraceRecord, Twin, step_failure,
};

/// Panic payload that fails a cucumber step with a message (cucumber-rs
/// signals step failure by unwinding; the runner's panic hook keeps it quiet).
#[derive(Debug, Clone)]
pub struct StepFailure(pub String);

/// What one side of a scenario knows.
#[derive(Debug, Default)]
pub struct SideState {
    /// Variables set or captured on this side.
    pub vars: BTreeMap<String, Value>,
    /// Why this side stopped acting, once it errored.
    pub broken: Option<String>,
    /// The last response received on this side.
    pub last_response: Option<HttpResponseRecord>,
    /// The last SQL query result on this side.
    pub last_query: Option<crate::trace::SqlExchange>,
    /// Listeners, the last message and the next message's properties (AMQP steps).
    pub amqp: super::steps::AmqpSideState,
    /// The side is not recorded at all (a single-environment recording).
    pub absent: bool,
}

/// Headers, query and body for the next request, as templates.
#[derive(Debug, Default, Clone)]
pub struct PendingRequest {
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// Query parameters.
    pub query: Vec<(String, String)>,
    /// Body template.
    pub body: Option<String>,
}

/// One running scenario.
#[derive(Debug)]
pub struct ScenarioState {
    /// Identity of the scenario.
    pub key: ScenarioKey,
    started: Instant,
    /// When the step being acted started (the previous step's end).
    step_started: chrono::DateTime<chrono::Utc>,
    next_index: usize,
    /// Both sides' state.
    pub sides: Twin<SideState>,
    /// The request being built by request steps.
    pub pending: PendingRequest,
    steps: Vec<StepRecord>,
    failure: Option<String>,
    generated: Arc<GeneratedValues>,
    absent: Option<Side>,
    /// Outline steps as written, by step line, before the row was substituted.
    outline_steps: BTreeMap<usize, String>,
}

/// What a step's action sees on one side.
pub struct SideCtx<'a> {
    /// Which side.
    pub side: Side,
    /// The run.
    pub run: &'a RunContext,
    /// This side's state.
    pub state: &'a mut SideState,
    /// Generated values shared by both sides in this step.
    pub generated: &'a Arc<GeneratedValues>,
    /// The request being built.
    pub pending: &'a mut PendingRequest,
}

impl SideCtx<'_> {
    /// Renders a template with this side's variables.
    pub fn render(&self, template: &str) -> Result<String, String> {
        render_on(
            self.run,
            self.side,
            &self.state.vars,
            self.generated,
            template,
        )
    }

    /// Renders JSON text (an expected body or value) with this side's
    /// variables, whole-string values keeping their type.
    pub fn render_json(&self, template: &str) -> Result<String, String> {
        render_json_on(
            self.run,
            self.side,
            &self.state.vars,
            self.generated,
            template,
        )
    }

    /// Renders a value (a table cell, a variable): one template of one value
    /// is that value with its type, anything else a string.
    pub fn render_typed(&self, template: &str) -> Result<Value, String> {
        let scope = scope_on(self.run, self.side, &self.state.vars, self.generated);
        self.run
            .engine
            .render_typed(template, scope)
            .map_err(|e| e.to_string())
    }
}

/// What a template sees on one side.
fn scope_on<'a>(
    run: &'a RunContext,
    side: Side,
    vars: &'a BTreeMap<String, Value>,
    generated: &'a Arc<GeneratedValues>,
) -> Scope<'a> {
    let env = &run.envs.get(side).env;
    Scope {
        vars,
        env_name: &env.name,
        env_vars: &env.variables,
        generated,
    }
}

/// Renders a template for one side.
pub(crate) fn render_on(
    run: &RunContext,
    side: Side,
    vars: &BTreeMap<String, Value>,
    generated: &Arc<GeneratedValues>,
    template: &str,
) -> Result<String, String> {
    run.engine
        .render(template, scope_on(run, side, vars, generated))
        .map_err(|e| e.to_string())
}

/// Renders JSON text (a body) for one side, whole-string values keeping
/// their type (see [`crate::template::TemplateEngine::render_json`]).
pub(crate) fn render_json_on(
    run: &RunContext,
    side: Side,
    vars: &BTreeMap<String, Value>,
    generated: &Arc<GeneratedValues>,
    template: &str,
) -> Result<String, String> {
    run.engine
        .render_json(template, scope_on(run, side, vars, generated))
        .map_err(|e| e.to_string())
}

impl ScenarioState {
    /// A scenario about to run its first step.
    pub fn new(key: ScenarioKey) -> ScenarioState {
        ScenarioState {
            key,
            started: Instant::now(),
            step_started: chrono::Utc::now(),
            next_index: 0,
            sides: Twin::default(),
            pending: PendingRequest::default(),
            steps: Vec::new(),
            failure: None,
            generated: Arc::default(),
            absent: None,
            outline_steps: BTreeMap::new(),
        }
    }

    /// The scenario with the outline texts of its steps, by step line, so
    /// each step record says which outline step it was.
    pub fn with_outline_steps(mut self, steps: BTreeMap<usize, String>) -> ScenarioState {
        self.outline_steps = steps;
        self
    }

    /// Timing of the last HTTP exchange `side` made in this scenario, if any.
    pub(crate) fn last_timing(&self, side: Side) -> Option<crate::trace::Timing> {
        self.steps
            .iter()
            .rev()
            .flat_map(|step| step.sides.get(side).observations.iter().rev())
            .find_map(|observation| match observation {
                crate::trace::Observation::Http(exchange) => {
                    exchange.response.as_ref().map(|_| exchange.timing)
                }
                _ => None,
            })
    }

    /// A scenario recorded on one environment only: `absent` never acts and
    /// never fails a step, so the recorded side runs every step, as it would
    /// in a twin run next to a passing environment.
    pub fn recording(key: ScenarioKey, absent: Side) -> ScenarioState {
        let mut state = ScenarioState::new(key);
        state.sides.get_mut(absent).absent = true;
        state.absent = Some(absent);
        state
    }

    /// Generated values of the current step.
    pub(crate) fn generated(&self) -> &Arc<GeneratedValues> {
        &self.generated
    }

    /// Runs a synchronous action on each healthy side in turn.
    pub(crate) fn run_sync(
        &mut self,
        run: &RunContext,
        act: &mut dyn FnMut(&mut SideCtx<'_>) -> SideStep,
    ) -> Twin<SideStep> {
        let mut out = Twin::<SideStep>::default();
        for side in Side::BOTH {
            *out.get_mut(side) = match skipped(self.sides.get(side)) {
                Some(skip) => skip,
                None => {
                    self.generated.start_side();
                    let mut ctx = SideCtx {
                        side,
                        run,
                        state: self.sides.get_mut(side),
                        generated: &self.generated,
                        pending: &mut self.pending,
                    };
                    act(&mut ctx)
                }
            };
        }
        out
    }

    /// Records a finished step on both sides: applies captures, marks errored
    /// sides, appends to the trace, and fails the step when no side passed.
    pub(crate) fn record(
        &mut self,
        run: &RunContext,
        step: &cucumber::gherkin::Step,
        mut sides: Twin<SideStep>,
    ) {
        let finished = chrono::Utc::now();
        for side in Side::BOTH {
            let result = sides.get_mut(side);
            if !result.observations.is_empty() {
                result.observations.push(Observation::Window(StepWindow {
                    started_at: rfc3339_millis(self.step_started),
                    finished_at: rfc3339_millis(finished),
                }));
            }
        }
        self.step_started = finished;
        for side in Side::BOTH {
            let (state, result) = (self.sides.get_mut(side), sides.get(side));
            for (name, value) in &result.captures {
                state.vars.insert(name.clone(), value.clone());
            }
            if let StepOutcome::Error { message } = &result.outcome {
                state.broken = Some(message.clone());
            }
        }
        let failure = match self.absent {
            Some(_) => None,
            None => step_failure(&run.header.environments, &sides),
        };
        let record = StepRecord {
            scenario: self.key.clone(),
            index: self.next_index,
            keyword: step.keyword.clone(),
            text: step.value.clone(),
            outline_text: self
                .outline_steps
                .get(&step.position.line)
                .filter(|text| **text != step.value)
                .cloned(),
            line: step.position.line,
            sides,
        };
        self.next_index += 1;
        self.generated = Arc::default();
        append(run, &TraceRecord::Step(record.clone()));
        self.steps.push(record);
        if let Some(message) = failure {
            self.failure = Some(message.clone());
            std::panic::panic_any(StepFailure(message));
        }
    }

    /// Records how the scenario ended: its status, why it failed, its wall time.
    pub(crate) fn finish(self, run: &RunContext, failure: Option<String>) {
        let recorded_failure = self
            .absent
            .and_then(|absent| recorded_failure(&self.steps, absent));
        let message = self.failure.or(failure).or(recorded_failure);
        let status = if message.is_some() {
            ScenarioStatus::Failed
        } else {
            ScenarioStatus::Passed
        };
        append(
            run,
            &TraceRecord::Scenario(ScenarioEnd {
                scenario: self.key,
                status,
                message,
                duration_ms: self.started.elapsed().as_secs_f64() * 1000.0,
                finished_at: Some(crate::trace::timestamp()),
            }),
        );
    }
}

/// In a recording, the first step that failed or errored on the recorded side.
fn recorded_failure(steps: &[StepRecord], absent: Side) -> Option<String> {
    let recorded = match absent {
        Side::Baseline => Side::Candidate,
        Side::Candidate => Side::Baseline,
    };
    steps
        .iter()
        .find_map(|step| match &step.sides.get(recorded).outcome {
            StepOutcome::Failed { message } | StepOutcome::Error { message } => {
                Some(message.clone())
            }
            _ => None,
        })
}

/// The outcome of a side that no longer acts.
pub(crate) fn skipped(state: &SideState) -> Option<SideStep> {
    if state.absent {
        return Some(SideStep {
            outcome: StepOutcome::Skipped {
                reason: "not recorded: single-environment recording".into(),
            },
            ..SideStep::default()
        });
    }
    state.broken.as_ref().map(|reason| SideStep {
        outcome: StepOutcome::Skipped {
            reason: format!("not run: an earlier step errored on this side ({reason})"),
        },
        ..SideStep::default()
    })
}

fn rfc3339_millis(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Hands a record to the run's sinks; a sink that fails is logged and
/// reported at the end of the run, and the scenario goes on.
fn append(run: &RunContext, record: &TraceRecord) {
    let _ = run.records.append(record);
}
