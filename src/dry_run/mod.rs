//! `driftgate run --dry-run`: what a run would do in each environment,
//! step by step, printed from each step's declared action and rendered per
//! environment with its variables and service headers (secrets redacted),
//! without sending anything or connecting anywhere.
//!
//! Every send is shown as what it is: an HTTP request or EDI post (method,
//! URL with its query URL-encoded as the transport sends it, headers, body
//! or document summary), an AMQP publish, replay, listener or queue read, a
//! SQL query, a message expectation. A write a protected environment would
//! refuse is marked with the same check a run makes.
//!
//! Values a scenario captures are unknown before anything is sent; they show
//! as `<captured:NAME>` placeholders. Generated values (`uuid()`, `now()`)
//! are real and the same on both sides, as in a run.
//!
//! ```text
//! features/order_sync.feature:9  A new order is created and can be read back
//!   :18 When I send a GET request to "/api/orders/{{ orderId }}"
//!     baseline (production)
//!       GET https://erp.example.com/api/orders/<captured:orderId>
//!       Authorization: ***
//!     candidate (staging)
//!       GET https://erp.staging.example.com/api/orders/<captured:orderId>
//!   :21 When I publish to exchange "orders" with routing key "order.created"
//!     refused on production (protected): publishing a message would write there; a run does it in neither environment (tag the scenario with one of: @writes-ok (allow_write_tags of `production`))
//! ```

mod send;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use serde_json::Value;

use crate::config::{Environment, tags_allow};
use crate::lint::walk::{self, MatchedStep};
use crate::runner::selection::{Selection, select};
use crate::runner::{RunError, RunOptions};
use crate::secret::Redactor;
use crate::template::{GeneratedValues, Scope, TemplateEngine};
use crate::trace::{Side, Twin};
use crate::world::steps::{Action, Part, Transport, Writes};

/// Renders the plan of a run: everything each environment would receive.
pub fn plan(opts: &RunOptions) -> Result<String, RunError> {
    if opts.baseline == opts.candidate {
        return Err(RunError::SameEnvironment(opts.baseline.clone()));
    }
    let redactor = Redactor::default();
    let config = &opts.config;
    let Selection {
        envs: tenant_envs,
        features: mut set,
        ..
    } = select(opts, &redactor, false)?;
    if let Some(shard) = opts.shard {
        crate::runner::shard::select(&mut set, shard);
    }
    let mut out = format!(
        "dry run: nothing is sent; baseline `{}`, candidate `{}`; captured values show as <captured:NAME>\n",
        opts.baseline, opts.candidate
    );
    let mut sends = 0;
    // A run over tenants plans every scenario once per tenant, with its environments.
    for (tenant, envs) in &tenant_envs {
        let planner = Planner {
            envs,
            engine: TemplateEngine::new(),
            fixtures: config.resolve_path(&config.run.fixtures),
            default_service: config.default_service(),
        };
        let label = tenant
            .as_ref()
            .map(|t| format!("  [tenant {t}]"))
            .unwrap_or_default();
        for feature in &set.features {
            let shown = feature
                .path
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            for scenario in walk::scenarios(feature) {
                let _ = write!(
                    out,
                    "\n{shown}:{}  {}{label}\n",
                    scenario.scenario.position.line, scenario.scenario.name
                );
                sends += planner.scenario(&scenario, &mut out);
            }
        }
    }
    let _ = writeln!(
        out,
        "\n{sends} send(s) (requests, EDI posts, publishes, queries) in {} scenario(s) would go to each environment",
        set.scenario_count * tenant_envs.len()
    );
    Ok(redactor.redact(&out).into_owned())
}

struct Planner<'a> {
    envs: &'a Twin<Environment>,
    engine: TemplateEngine,
    fixtures: std::path::PathBuf,
    default_service: Option<String>,
}

/// What one side knows while a scenario is planned: its variables and the
/// parts of the next request and message built so far.
#[derive(Default)]
struct SidePlan {
    vars: BTreeMap<String, Value>,
    headers: Vec<(String, String)>,
    query: Vec<(String, String)>,
    /// The next request's body template, or why it cannot be read.
    body: Option<Result<String, String>>,
    message_properties: Vec<(String, String)>,
    message_headers: Vec<(String, String)>,
}

/// One side of a step being planned.
struct SideView<'p> {
    env: &'p Environment,
    generated: &'p Arc<GeneratedValues>,
}

impl Planner<'_> {
    /// Plans one scenario; returns how many sends it makes per side.
    fn scenario(&self, scenario: &walk::ScenarioWalk<'_>, out: &mut String) -> usize {
        let mut sides = Twin::<SidePlan>::default();
        let mut sends = 0;
        for step in &scenario.steps {
            let Some(matched) = walk::match_step(step) else {
                continue;
            };
            let action = matched.def.action;
            let shown = matches!(
                action,
                Action::Send { .. } | Action::Poll { .. } | Action::Expect(_)
            );
            if shown {
                let _ = writeln!(
                    out,
                    "  :{} {}{}",
                    step.position.line, step.keyword, step.value
                );
            }
            if let Some((transport, writes)) = action.transport() {
                sends += 1;
                if let Some(refusal) =
                    self.refusal(&matched, writes, sides.get(Side::Baseline), &scenario.tags)
                {
                    let _ = writeln!(out, "    {refusal}");
                    for side in Side::BOTH {
                        sides.get_mut(side).take_request_parts(transport);
                    }
                    continue;
                }
            }
            let generated = Arc::new(GeneratedValues::default());
            for side in Side::BOTH {
                generated.start_side();
                let view = SideView {
                    env: self.envs.get(side),
                    generated: &generated,
                };
                let plan = sides.get_mut(side);
                let text = match action {
                    Action::Send { transport, .. } | Action::Poll { transport, .. } => {
                        self.send(&matched, transport, &view, plan)
                    }
                    Action::Expect(arrival) => self.expectation(&matched, arrival, &view, plan),
                    other => {
                        self.prepare(&matched, other, &view, plan);
                        continue;
                    }
                };
                let _ = writeln!(out, "    {side} ({})", view.env.name);
                for line in text.lines() {
                    let _ = writeln!(out, "{}", format!("      {line}").trim_end());
                }
            }
        }
        sends
    }

    /// `refused on NAME (protected): …` when a protected environment would
    /// refuse the step's write, decided by the check a run makes.
    fn refusal(
        &self,
        matched: &MatchedStep<'_>,
        writes: Writes,
        plan: &SidePlan,
        tags: &[String],
    ) -> Option<String> {
        let (transport, _) = matched.def.action.transport()?;
        let services: Vec<(&str, &str)> = Side::BOTH
            .iter()
            .flat_map(|s| self.service_of(matched, transport, self.envs.get(*s)))
            .flat_map(|service| service.headers.iter())
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let fixture = self.fixture_of(matched, transport).and_then(Result::ok);
        let outgoing = send::outgoing(matched, transport, plan, services, fixture.as_deref());
        let what = writes.what(&outgoing)?;
        let env = Side::BOTH
            .iter()
            .map(|s| self.envs.get(*s))
            .find(|env| writes.refused(env.protected, tags_allow(&env.allow_write_tags, tags)))?;
        let effect = match writes {
            Writes::TakesMessages => "would take messages from its real consumers",
            _ => "would write there",
        };
        Some(format!(
            "refused on {} (protected): {what} {effect}; a run does it in neither environment ({})",
            env.name,
            writes.how_to_allow(&env.name, &env.allow_write_tags)
        ))
    }

    fn render(
        &self,
        view: &SideView<'_>,
        plan: &SidePlan,
        template: &str,
    ) -> Result<String, String> {
        self.engine
            .render(template, self.scope(view, plan))
            .map_err(|e| e.to_string())
    }

    /// Renders a body as a run does: whole-string values keep their JSON type.
    fn render_body(
        &self,
        view: &SideView<'_>,
        plan: &SidePlan,
        template: &str,
    ) -> Result<String, String> {
        self.engine
            .render_json(template, self.scope(view, plan))
            .map_err(|e| e.to_string())
    }

    fn scope<'a>(&'a self, view: &'a SideView<'_>, plan: &'a SidePlan) -> Scope<'a> {
        Scope {
            vars: &plan.vars,
            env_name: &view.env.name,
            env_vars: &view.env.variables,
            generated: view.generated,
        }
    }

    /// A step that sets or captures variables or builds the next request or message.
    fn prepare(
        &self,
        matched: &MatchedStep<'_>,
        action: Action,
        view: &SideView<'_>,
        plan: &mut SidePlan,
    ) {
        let value = |name: &str| matched.arg(name).map(|a| a.value.clone());
        let pairs = || match (value("header").or_else(|| value("name")), value("value")) {
            (Some(name), Some(v)) => vec![(name, v)],
            _ => table_rows(matched),
        };
        match action {
            Action::SetVariable => {
                for (name, template) in pairs_of_variables(matched) {
                    let set = self
                        .render(view, plan, &template)
                        .unwrap_or_else(|e| format!("<error: {e}>"));
                    plan.vars.insert(name, Value::String(set));
                }
            }
            Action::Capture => {
                if let Some(variable) = value("variable") {
                    plan.vars.insert(
                        variable.clone(),
                        Value::String(format!("<captured:{variable}>")),
                    );
                }
            }
            Action::Build(Part::Header) => plan.headers.extend(pairs()),
            Action::Build(Part::Query) => plan.query.extend(pairs()),
            Action::Build(Part::Body) => {
                plan.body = match value("fixture") {
                    Some(fixture) => Some(self.fixture(&fixture)),
                    None => matched.step.docstring.clone().map(Ok),
                };
            }
            Action::Build(Part::MessageProperties) => plan.message_properties.extend(pairs()),
            Action::Build(Part::MessageHeaders) => plan.message_headers.extend(pairs()),
            _ => {}
        }
    }

    fn fixture(&self, file: &str) -> Result<String, String> {
        let path = crate::config::folder::inside(&self.fixtures, std::path::Path::new(file))
            .map_err(|e| format!("refused fixture: {e}"))?;
        std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read fixture {}: {e}", path.display()))
    }
}

impl SidePlan {
    /// The parts built for the next send over `transport`, used up by it.
    fn take_request_parts(&mut self, transport: Transport) -> RequestParts {
        let mut parts = RequestParts::default();
        match transport {
            Transport::Http | Transport::EdiPost => {
                parts.headers = std::mem::take(&mut self.headers);
                parts.query = std::mem::take(&mut self.query);
                parts.body = self.body.take();
            }
            Transport::AmqpPublish => {
                parts.headers = std::mem::take(&mut self.message_headers);
                parts.properties = std::mem::take(&mut self.message_properties);
            }
            _ => {}
        }
        parts
    }
}

/// The parts earlier steps built for one send.
#[derive(Default)]
struct RequestParts {
    headers: Vec<(String, String)>,
    query: Vec<(String, String)>,
    body: Option<Result<String, String>>,
    properties: Vec<(String, String)>,
}

/// The `(name, template)` pairs a variables step sets: its `variable` and
/// `value`, or its table's rows.
fn pairs_of_variables(matched: &MatchedStep<'_>) -> Vec<(String, String)> {
    match (matched.arg("variable"), matched.arg("value")) {
        (Some(name), Some(value)) => vec![(name.value.clone(), value.value.clone())],
        _ => table_rows(matched),
    }
}

/// Rows of a two-column data table, a `name | value` header row skipped.
fn table_rows(matched: &MatchedStep<'_>) -> Vec<(String, String)> {
    let Some(table) = &matched.step.table else {
        return Vec::new();
    };
    table
        .rows
        .iter()
        .enumerate()
        .filter_map(|(i, row)| match row.as_slice() {
            [name, _] if i == 0 && name.eq_ignore_ascii_case("name") => None,
            [name, value] => Some((name.clone(), value.clone())),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests;
