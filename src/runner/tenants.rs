//! The tenant matrix of a run: which tenants it covers, each tenant's twin
//! of environments, and one run of every scenario per tenant.
//!
//! ```text
//! [tenants.acme] [tenants.globex]      --tenant all (default)
//! Scenario: Create an order ──▶ Create an order [tenant acme], Create an order [tenant globex]
//! ```
//!
//! Like timing repetitions (see [`super::samples`]), each tenant's copy of a
//! scenario carries a private tag that the runner adds after tag filtering
//! and turns into [`crate::trace::ScenarioKey::tenant`] when it builds the key.

use std::collections::BTreeMap;
use std::sync::Arc;

use cucumber::gherkin::{Feature, Scenario};

use crate::config::tenant::{select, tenants_of};
use crate::config::{Config, Environment};
use crate::secret::Redactor;
use crate::trace::{ScenarioKey, Twin};
use crate::world::RunContext;

use super::RunError;

const MARKER: &str = "driftgate-tenant:";

/// The environments of one tenant of a run (`None`: a run without tenants).
pub(crate) type TenantEnvironments = (Option<String>, Twin<Environment>);

/// The clients of one tenant's environments.
pub(super) type TenantRuntime = (Option<String>, Twin<crate::world::EnvRuntime>);

/// The tenants a run covers, each with its twin of environments; a single
/// entry without a tenant when the config declares none.
pub(crate) fn environments(
    config: &Config,
    base: Twin<Environment>,
    requested: &[String],
    redactor: &Redactor,
) -> Result<Vec<TenantEnvironments>, RunError> {
    let names = [base.baseline.name.as_str(), base.candidate.name.as_str()];
    let declared = tenants_of(config, &names)?;
    let selected = select(&declared, requested)?;
    if selected.is_empty() {
        return Ok(vec![(None, base)]);
    }
    selected
        .into_iter()
        .map(|tenant| {
            let twin = Twin::new(
                config.tenant_environment(&base.baseline, &tenant, redactor)?,
                config.tenant_environment(&base.candidate, &tenant, redactor)?,
            );
            Ok((Some(tenant), twin))
        })
        .collect()
}

/// Each tenant's variables per side, for the run header; in a recording
/// the candidate side stays empty, like the header's candidate.
pub(super) fn header_variables(
    tenants: &[TenantEnvironments],
    recording: bool,
) -> BTreeMap<String, Twin<BTreeMap<String, String>>> {
    tenants
        .iter()
        .filter_map(|(tenant, envs)| {
            let candidate = if recording {
                BTreeMap::new()
            } else {
                envs.candidate.variables.clone()
            };
            let twin = Twin::new(envs.baseline.variables.clone(), candidate);
            tenant.clone().map(|t| (t, twin))
        })
        .collect()
}

/// Replaces every scenario by one copy per tenant; nothing changes without tenants.
pub(super) fn expand(features: &mut [Feature], tenants: &[String]) {
    if tenants.is_empty() {
        return;
    }
    for feature in features.iter_mut() {
        expand_list(&mut feature.scenarios, tenants);
        for rule in &mut feature.rules {
            expand_list(&mut rule.scenarios, tenants);
        }
    }
}

fn expand_list(scenarios: &mut Vec<Scenario>, tenants: &[String]) {
    let mut out = Vec::with_capacity(scenarios.len() * tenants.len());
    for scenario in scenarios.drain(..) {
        for tenant in tenants {
            let mut copy = scenario.clone();
            copy.tags.push(format!("{MARKER}{tenant}"));
            out.push(copy);
        }
    }
    *scenarios = out;
}

/// Splits the runner's tenant marker off a scenario's tags.
pub(super) fn take_marker(tags: &mut Vec<String>) -> Option<String> {
    let at = tags
        .iter()
        .position(|t| t.trim_start_matches('@').starts_with(MARKER))?;
    let tag = tags.remove(at);
    tag.trim_start_matches('@')
        .strip_prefix(MARKER)
        .map(str::to_owned)
}

/// The run context of each tenant; every context shares the record sinks.
#[derive(Debug, Clone)]
pub(super) struct TenantContexts {
    by_tenant: BTreeMap<Option<String>, Arc<RunContext>>,
    first: Arc<RunContext>,
}

impl TenantContexts {
    /// The contexts; `first` also serves scenarios of an unknown tenant (none in practice).
    pub(super) fn new(
        first: Arc<RunContext>,
        by_tenant: BTreeMap<Option<String>, Arc<RunContext>>,
    ) -> Self {
        TenantContexts { by_tenant, first }
    }

    /// The context a scenario runs in.
    pub(super) fn for_scenario(&self, key: &ScenarioKey) -> Arc<RunContext> {
        self.by_tenant
            .get(&key.tenant)
            .unwrap_or(&self.first)
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feature(text: &str) -> Feature {
        Feature::parse(text, cucumber::gherkin::GherkinEnv::default()).unwrap()
    }

    #[test]
    fn every_scenario_runs_once_per_tenant_and_the_marker_names_it() {
        let mut features = vec![feature(
            "Feature: F\n  Scenario: A\n    Given x\n  Rule: R\n    Scenario: B\n      Given y\n",
        )];
        expand(&mut features, &["acme".to_owned(), "globex".to_owned()]);
        let seen = |scenarios: &[Scenario]| -> Vec<(String, Option<String>)> {
            scenarios
                .iter()
                .map(|s| {
                    let mut tags = s.tags.clone();
                    (s.name.clone(), take_marker(&mut tags))
                })
                .collect()
        };
        let t = |s: &str| Some(s.to_owned());
        assert_eq!(
            seen(&features[0].scenarios),
            [("A".into(), t("acme")), ("A".into(), t("globex"))]
        );
        assert_eq!(
            seen(&features[0].rules[0].scenarios),
            [("B".into(), t("acme")), ("B".into(), t("globex"))]
        );
        let mut plain = vec![feature("Feature: F\n  Scenario: A\n    Given x\n")];
        expand(&mut plain, &[]);
        assert_eq!(seen(&plain[0].scenarios), [("A".into(), None)]);
    }

    #[test]
    fn marker_is_removed_and_other_tags_stay() {
        let mut tags = vec!["smoke".to_owned(), format!("{MARKER}acme")];
        assert_eq!(take_marker(&mut tags).as_deref(), Some("acme"));
        assert_eq!(tags, ["smoke"]);
        assert_eq!(take_marker(&mut tags), None);
    }
}
