//! `driftgate run --dry-run`: what a run would send to each environment,
//! rendered per environment with its variables and service headers (secrets
//! redacted), without sending anything or connecting anywhere.
//!
//! Values a scenario captures from responses are unknown before anything is
//! sent; they show as `<captured:NAME>` placeholders. Generated values
//! (`uuid()`, `now()`) are real and the same on both sides, as in a run.
//!
//! ```text
//! features/order_sync.feature:9  A new order is created and can be read back
//!   :18 When I send a GET request to "/api/orders/{{ orderId }}"
//!     baseline (production)
//!       GET https://erp.example.com/api/orders/<captured:orderId>
//!       Authorization: ***
//!     candidate (staging)
//!       GET https://erp.staging.example.com/api/orders/<captured:orderId>
//! ```

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use reqwest::Method;
use serde_json::Value;

use crate::config::{Environment, Redactor};
use crate::lint::walk::{self, MatchedStep};
use crate::runner::selection::{Selection, select};
use crate::runner::{RunError, RunOptions};
use crate::template::{GeneratedValues, Scope, TemplateEngine};
use crate::trace::{Side, Twin};
use crate::transport::http::{is_write, join_url};
use crate::world::steps::VARIABLES_TABLE;

/// Renders the plan of a run: every request each environment would receive.
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
    let mut requests = 0;
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
                requests += planner.scenario(&scenario, &mut out);
            }
        }
    }
    let _ = writeln!(
        out,
        "\n{requests} request(s) in {} scenario(s) would be sent to each environment",
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

/// What one side knows while a scenario is planned.
#[derive(Default)]
struct SidePlan {
    vars: BTreeMap<String, Value>,
    headers: Vec<(String, String)>,
    query: Vec<(String, String)>,
    body: Option<String>,
}

impl Planner<'_> {
    /// Plans one scenario; returns how many requests it sends per side.
    fn scenario(&self, scenario: &walk::ScenarioWalk<'_>, out: &mut String) -> usize {
        let mut sides = Twin::<SidePlan>::default();
        let mut requests = 0;
        for step in &scenario.steps {
            let Some(matched) = walk::match_step(step) else {
                continue;
            };
            let generated = Arc::new(GeneratedValues::default());
            if self.is_request(&matched) {
                requests += 1;
                let _ = writeln!(
                    out,
                    "  :{} {}{}",
                    step.position.line, step.keyword, step.value
                );
                for side in Side::BOTH {
                    generated.start_side();
                    let text = self.request(
                        &matched,
                        side,
                        sides.get_mut(side),
                        &generated,
                        &scenario.tags,
                    );
                    let env = &self.envs.get(side).name;
                    let _ = writeln!(out, "    {side} ({env})");
                    for line in text.lines() {
                        let _ = writeln!(out, "{}", format!("      {line}").trim_end());
                    }
                }
                continue;
            }
            for side in Side::BOTH {
                generated.start_side();
                self.prepare(&matched, side, sides.get_mut(side), &generated);
            }
        }
        requests
    }

    fn is_request(&self, matched: &MatchedStep<'_>) -> bool {
        matched.arg("method").is_some() || matched.def.pattern.starts_with("^I poll ")
    }

    fn render(
        &self,
        side: Side,
        plan: &SidePlan,
        generated: &Arc<GeneratedValues>,
        template: &str,
    ) -> Result<String, String> {
        self.engine
            .render(template, self.scope(side, plan, generated))
            .map_err(|e| e.to_string())
    }

    /// Renders a body as a run does: whole-string values keep their JSON type.
    fn render_body(
        &self,
        side: Side,
        plan: &SidePlan,
        generated: &Arc<GeneratedValues>,
        template: &str,
    ) -> Result<String, String> {
        self.engine
            .render_json(template, self.scope(side, plan, generated))
            .map_err(|e| e.to_string())
    }

    fn scope<'a>(
        &'a self,
        side: Side,
        plan: &'a SidePlan,
        generated: &'a Arc<GeneratedValues>,
    ) -> Scope<'a> {
        let env = self.envs.get(side);
        Scope {
            vars: &plan.vars,
            env_name: &env.name,
            env_vars: &env.variables,
            generated,
        }
    }

    /// A step that sets variables or builds the next request.
    fn prepare(
        &self,
        matched: &MatchedStep<'_>,
        side: Side,
        plan: &mut SidePlan,
        generated: &Arc<GeneratedValues>,
    ) {
        let value = |name: &str| matched.arg(name).map(|a| a.value.clone());
        let pattern = matched.def.pattern;
        let rows = || table_rows(matched);
        if let Some(variable) = value("variable") {
            let set = match value("value") {
                Some(template) => self
                    .render(side, plan, generated, &template)
                    .unwrap_or_else(|e| format!("<error: {e}>")),
                None => format!("<captured:{variable}>"),
            };
            plan.vars.insert(variable, Value::String(set));
        } else if pattern == VARIABLES_TABLE {
            for (name, template) in rows() {
                let set = self
                    .render(side, plan, generated, &template)
                    .unwrap_or_else(|e| format!("<error: {e}>"));
                plan.vars.insert(name, Value::String(set));
            }
        } else if pattern.contains("request headers are") {
            plan.headers.extend(rows());
        } else if let (Some(header), Some(v)) = (value("header"), value("value")) {
            plan.headers.push((header, v));
        } else if let (Some(name), Some(v)) = (value("name"), value("value")) {
            plan.query.push((name, v));
        } else if let Some(fixture) = value("fixture") {
            plan.body = Some(
                self.fixture(&fixture)
                    .unwrap_or_else(|e| format!("<error: {e}>")),
            );
        } else if pattern.contains("request body is") {
            plan.body = matched.step.docstring.clone();
        }
    }

    fn fixture(&self, file: &str) -> Result<String, String> {
        let path = crate::config::folder::inside(&self.fixtures, std::path::Path::new(file))
            .map_err(|e| format!("refused fixture: {e}"))?;
        std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read fixture {}: {e}", path.display()))
    }

    /// The request a step sends on one side, as text; the pending request is used up.
    fn request(
        &self,
        matched: &MatchedStep<'_>,
        side: Side,
        plan: &mut SidePlan,
        generated: &Arc<GeneratedValues>,
        tags: &[String],
    ) -> String {
        let pending_body = plan.body.take();
        let headers = std::mem::take(&mut plan.headers);
        let query = std::mem::take(&mut plan.query);
        let method = matched
            .arg("method")
            .map(|a| a.value.as_str())
            .unwrap_or("GET");
        let body = match matched.arg("fixture") {
            Some(f) => Some(self.fixture(&f.value)),
            None => matched.step.docstring.clone().or(pending_body).map(Ok),
        };
        let env = self.envs.get(side);
        let service_name = match matched.arg("service") {
            Some(s) => s.value.clone(),
            None => match &self.default_service {
                Some(s) => s.clone(),
                None => return "not sent: no service named and no default service".into(),
            },
        };
        let Some(service) = env.services.get(&service_name) else {
            return format!(
                "not sent: environment `{}` has no service `{service_name}`",
                env.name
            );
        };
        let writes = method.parse::<Method>().is_ok_and(|m| is_write(&m));
        let refusing = Side::BOTH
            .iter()
            .map(|s| self.envs.get(*s))
            .find(|e| writes && !e.allows_writes(tags));
        if let Some(refusing) = refusing {
            return format!(
                "REFUSED: {method} would write to protected environment `{}`; a run sends it to neither environment",
                refusing.name
            );
        }
        let render = |t: &str| self.render(side, plan, generated, t);
        let built = (|| -> Result<String, String> {
            let mut url = join_url(
                &service.base_url,
                &render(
                    &matched
                        .arg("path")
                        .map(|a| a.value.clone())
                        .unwrap_or_default(),
                )?,
            );
            for (i, (k, v)) in query.iter().enumerate() {
                url.push(if i == 0 && !url.contains('?') {
                    '?'
                } else {
                    '&'
                });
                url.push_str(&format!("{}={}", render(k)?, render(v)?));
            }
            let mut text = format!("{method} {url}\n");
            let body = body
                .map(|b| b.and_then(|t| self.render_body(side, plan, generated, &t)))
                .transpose()?;
            let mut all_headers = Vec::new();
            for (k, v) in service.headers.iter().chain(&headers) {
                all_headers.push((k.clone(), render(v)?));
            }
            if body
                .as_deref()
                .is_some_and(|b| serde_json::from_str::<Value>(b).is_ok())
                && !all_headers
                    .iter()
                    .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            {
                all_headers.push(("content-type".into(), "application/json".into()));
            }
            for (k, v) in all_headers {
                text.push_str(&format!("{k}: {v}\n"));
            }
            if let Some(body) = body {
                text.push('\n');
                text.push_str(body.trim_end());
                text.push('\n');
            }
            Ok(text)
        })();
        built.unwrap_or_else(|e| format!("not sent: {e}"))
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
