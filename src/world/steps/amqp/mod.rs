//! Message-queue steps (AMQP): publish, listen without stealing, expect,
//! assert and capture from messages, count, replay, record, and compare the
//! broker topology of both environments.
//!
//! ```gherkin
//! Given I listen on exchange "orders" with routing key "order.*" as "orderEvents"
//! When I publish to exchange "orders" with routing key "order.created"
//!   """
//!   { "orderNo": "{{ orderNo }}", "plant": "{{ env.plant }}" }
//!   """
//! Then a message with routing key "order.created" should arrive on "orderEvents" within 5 seconds
//! And the message field "$.orderNo" should be "{{ orderNo }}"
//! And no message with routing key "order.rejected" should arrive on "orderEvents" within 1 second
//! ```
//!
//! Every step acts on both environments concurrently. Publishing (and
//! replaying) is a write: a protected environment refuses it unless the
//! scenario carries a tag it allows. Reading a real queue is refused on a
//! protected environment, whatever the tags.

mod expect;
mod message;
mod publish;
mod replay;

pub(crate) use replay::REPLAY_TABLE_VARIABLES;

use std::collections::BTreeMap;
use std::future::Future;

use serde_json::Value;

use super::StepDef;
use super::assertion::error;
use super::declaration::{ArgKind, Param, param};
use super::services::did_you_mean;
use crate::config::Environment;
use crate::trace::{AmqpEvent, AmqpMessage, AmqpObservation, Observation, Side, SideStep, Twin};
use crate::transport::amqp::{AmqpClient, Listener};
use crate::world::scenario::{render_json_on, render_on};
use crate::world::{RunContext, ScenarioState, SideState};

/// The `service` argument of an AMQP step.
pub(super) const AMQP_SERVICE: Param = param(
    "service",
    ArgKind::Service,
    "AMQP service (default: the only one)",
);

/// What one side of a scenario knows about its brokers.
#[derive(Debug, Default)]
pub struct AmqpSideState {
    /// Listeners (with their service) by the name the scenario gave them.
    pub(crate) listeners: BTreeMap<String, (String, Listener)>,
    /// The last message an expectation took, for message assertions and captures.
    pub(crate) last_message: Option<AmqpMessage>,
    /// Properties (name, template) for the next publish.
    pub(crate) properties: Vec<(String, String)>,
    /// Headers (name, template) for the next publish.
    pub(crate) headers: Vec<(String, String)>,
}

pub(super) fn steps() -> Vec<StepDef> {
    let mut steps = Vec::new();
    steps.extend(publish::steps());
    steps.extend(expect::steps());
    steps.extend(message::steps());
    steps.extend(replay::steps());
    steps
}

/// The AMQP service a step names, or the only one both environments define.
pub(super) fn service_name(run: &RunContext, named: &str) -> Result<String, String> {
    amqp_service_name(&run.envs.baseline.env, &run.envs.candidate.env, named)
}

/// The AMQP service a step names (it must exist in both `b` and `c`), or
/// the only one both define.
pub(crate) fn amqp_service_name(
    b: &Environment,
    c: &Environment,
    named: &str,
) -> Result<String, String> {
    if named.is_empty() {
        let common: Vec<&String> = b.amqp.keys().filter(|k| c.amqp.contains_key(*k)).collect();
        return match common.as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(format!(
                "no AMQP service is defined in both `{}` and `{}`: add `amqp_url` to a service in driftgate.toml",
                b.name, c.name
            )),
            _ => Err(format!(
                "several AMQP services ({}): name one with `on \"SERVICE\"`",
                common
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        };
    }
    if b.amqp.contains_key(named) && c.amqp.contains_key(named) {
        return Ok(named.to_owned());
    }
    let suggestion = did_you_mean(named, b.amqp.keys().map(String::as_str));
    Err(format!(
        "unknown AMQP service `{named}`: it must be defined with `amqp_url` in both `{}` and `{}`{suggestion}",
        b.name, c.name
    ))
}

/// The client of a service on one side (the service was checked by [`service_name`]).
pub(super) fn client<'a>(
    run: &'a RunContext,
    side: Side,
    service: &str,
) -> Result<&'a AmqpClient, String> {
    run.envs
        .get(side)
        .amqp
        .get(service)
        .ok_or_else(|| format!("service `{service}` has no AMQP client"))
}

pub(super) fn observation(service: &str, event: AmqpEvent) -> Observation {
    Observation::Amqp(AmqpObservation {
        service: service.to_owned(),
        event,
    })
}

/// Why a write (publish, replay) may not happen in either environment, if it may not.
pub(super) fn write_refusal(
    run: &RunContext,
    scenario: &ScenarioState,
    what: &str,
) -> Option<String> {
    super::services::write_refusal(run, scenario, what, "done in neither environment")
}

/// Renders templates for one side during preparation.
pub(super) struct SideRender<'a> {
    run: &'a RunContext,
    side: Side,
    scenario: &'a ScenarioState,
}

impl SideRender<'_> {
    /// Renders `template` with this side's variables.
    pub(super) fn render(&self, template: &str) -> Result<String, String> {
        self.render_with(template, &BTreeMap::new())
    }

    /// Renders JSON text (a body) with this side's variables, whole-string
    /// values keeping their type.
    pub(super) fn render_json(&self, template: &str) -> Result<String, String> {
        render_json_on(
            self.run,
            self.side,
            &self.scenario.sides.get(self.side).vars,
            self.scenario.generated(),
            template,
        )
    }

    /// Renders `template` with extra variables on top of this side's.
    pub(super) fn render_with(
        &self,
        template: &str,
        extra: &BTreeMap<String, Value>,
    ) -> Result<String, String> {
        let vars = &self.scenario.sides.get(self.side).vars;
        if extra.is_empty() {
            return render_on(
                self.run,
                self.side,
                vars,
                self.scenario.generated(),
                template,
            );
        }
        let mut all = vars.clone();
        all.extend(extra.iter().map(|(k, v)| (k.clone(), v.clone())));
        render_on(
            self.run,
            self.side,
            &all,
            self.scenario.generated(),
            template,
        )
    }

    /// This side's state.
    pub(super) fn state(&self) -> &SideState {
        self.scenario.sides.get(self.side)
    }
}

/// Builds each healthy side's input, or its finished outcome (skipped side,
/// refused write, bad template).
pub(super) fn prepare<P>(
    run: &RunContext,
    scenario: &ScenarioState,
    refusal: Option<String>,
    mut build: impl FnMut(&SideRender<'_>) -> Result<P, String>,
) -> Twin<Result<P, SideStep>> {
    super::prepare_sides(scenario, refusal, |side, _| {
        build(&SideRender {
            run,
            side,
            scenario,
        })
    })
}

/// Runs `act` on both prepared sides concurrently.
pub(super) async fn on_both<'a, P, F, Fut>(
    run: &'a RunContext,
    prepared: Twin<Result<P, SideStep>>,
    states: &'a mut Twin<SideState>,
    act: F,
) -> Twin<SideStep>
where
    F: Fn(&'a RunContext, Side, P, &'a mut SideState) -> Fut,
    Fut: Future<Output = SideStep> + 'a,
{
    let Twin {
        baseline,
        candidate,
    } = states;
    let go = |side: Side, input: Result<P, SideStep>, state: &'a mut SideState| {
        let fut = input.map(|p| act(run, side, p, state));
        async move {
            match fut {
                Ok(fut) => fut.await,
                Err(done) => done,
            }
        }
    };
    let (b, c) = futures::join!(
        go(Side::Baseline, prepared.baseline, baseline),
        go(Side::Candidate, prepared.candidate, candidate)
    );
    Twin::new(b, c)
}
