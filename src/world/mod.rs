//! The twin world: every step acts on the baseline and the candidate before
//! the next step starts, and records what each side did.
//!
//! The world only records: every step appends a [`crate::trace::StepRecord`]
//! and every scenario a [`crate::trace::ScenarioEnd`] to the run's sinks
//! (the trace and the judge); it never decides drift.
//!
//! Each side of a step ends `Passed`, `Failed` (an assertion did not hold),
//! `Error` (could not act) or `Skipped` (the side errored earlier). A step
//! that fails or errors on *both* sides fails the scenario; a step that fails
//! on one side only is drift, found by the judge from the records. A side
//! that errored stops acting for the rest of the scenario; the other side
//! goes on, so one broken environment does not hide the other's behaviour.

mod context;
mod scenario;
pub mod steps;

use std::sync::Arc;

use cucumber::step::Context;

pub use context::{EnvRuntime, RunContext};
pub use scenario::{ScenarioState, SideState, StepFailure};

/// The cucumber world of driftgate: one per scenario.
#[derive(Debug, Default)]
pub struct TwinWorld {
    run: Option<Arc<RunContext>>,
    scenario: Option<ScenarioState>,
}

impl cucumber::World for TwinWorld {
    type Error = std::convert::Infallible;

    async fn new() -> Result<Self, Self::Error> {
        Ok(TwinWorld::default())
    }
}

impl TwinWorld {
    /// Attaches the run and the scenario; called by the runner's `before` hook.
    pub fn begin(&mut self, run: Arc<RunContext>, scenario: ScenarioState) {
        self.run = Some(run);
        self.scenario = Some(scenario);
    }

    /// The run and scenario, or a failure when the world was not attached.
    fn parts(&mut self) -> (Arc<RunContext>, &mut ScenarioState) {
        match (&self.run, &mut self.scenario) {
            (Some(run), Some(scenario)) => (run.clone(), scenario),
            _ => std::panic::panic_any(StepFailure(
                "internal: scenario started without a run context".into(),
            )),
        }
    }

    /// Ends the scenario: records how it ended. `failure` is the message of
    /// the step that failed the scenario, if any.
    pub fn finish(&mut self, failure: Option<String>) {
        if let (Some(run), Some(scenario)) = (self.run.take(), self.scenario.take()) {
            scenario.finish(&run, failure);
        }
    }

    /// Runs a step whose action needs no I/O, on each side in turn.
    pub(crate) fn each_side(
        &mut self,
        ctx: &Context,
        mut act: impl FnMut(&mut scenario::SideCtx<'_>) -> crate::trace::SideStep,
    ) {
        let (run, scenario) = self.parts();
        let sides = scenario.run_sync(&run, &mut act);
        scenario.record(&run, &ctx.step, sides);
    }

    /// The sides of the world, for steps that act concurrently.
    pub(crate) fn twin_parts(&mut self) -> (Arc<RunContext>, &mut ScenarioState) {
        self.parts()
    }
}
