//! Tenants and plants as data: one environment definition serves many
//! tenants, each with its own variables and, where it needs them, its own
//! service headers or base URL.
//!
//! ```toml
//! [tenants.acme]                          # every environment serves acme
//! variables = { tenant = "acme", plant = "P100" }
//!
//! [tenants.globex]
//! variables = { tenant = "globex", plant = "P200" }
//!
//! [environments.staging.tenants.globex]   # staging's globex differs
//! variables = { plant = "S200" }
//! services.erp = { base_url = "https://globex.erp.staging.example.com", headers = { "X-Plant" = "S200" } }
//! ```
//!
//! A tenant's variables in an environment are the environment's `variables`,
//! then `[tenants.NAME] variables`, then `[environments.ENV.tenants.NAME]
//! variables`, later ones winning; `tenant` defaults to the tenant's name.
//! A run covers every tenant both environments serve (`--tenant all`) or a
//! selection (`--tenant acme --tenant globex`).

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use super::{Config, ConfigError, ConfigProblem, Environment, SecretSource, ServiceKind};
use crate::secret::Redactor;

/// `[tenants.NAME]`: a tenant every environment serves.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantSpec {
    /// Template variables of the tenant, `{{ env.NAME }}` on both sides.
    #[serde(default)]
    pub variables: BTreeMap<String, String>,
}

/// `[environments.ENV.tenants.NAME]`: a tenant as one environment serves it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvironmentTenantSpec {
    /// Variables of the tenant in this environment (over `[tenants.NAME]`).
    #[serde(default)]
    pub variables: BTreeMap<String, String>,
    /// Per-service overrides of HTTP services of this environment.
    #[serde(default)]
    pub services: BTreeMap<String, TenantServiceSpec>,
}

/// `[environments.ENV.tenants.NAME.services.SERVICE]`: what differs for the tenant.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantServiceSpec {
    /// Base URL replacing the service's for this tenant.
    #[serde(default)]
    pub base_url: Option<String>,
    /// Headers added to (or replacing same-named headers of) the service's; `${VAR}` are secrets.
    #[serde(default)]
    pub headers: BTreeMap<String, SecretSource>,
}

/// Every invalid tenant declaration: names, and service overrides.
pub(super) fn problems(config: &Config) -> Vec<ConfigProblem> {
    let mut found = Vec::new();
    let top = config.tenants.keys().map(|name| format!("tenants.{name}"));
    let per_env = config.environments.iter().flat_map(|(env, spec)| {
        spec.tenants
            .keys()
            .map(move |name| format!("environments.{env}.tenants.{name}"))
    });
    for key in top.chain(per_env) {
        let name = key.rsplit('.').next().unwrap_or_default();
        if !valid_name(name) {
            found.push(ConfigProblem::new(
                key.clone(),
                format!("tenant name `{name}` may only use letters, digits, `-` and `_`"),
            ));
        }
    }
    for (env_name, env) in &config.environments {
        for (tenant, spec) in &env.tenants {
            for (svc_name, svc) in &spec.services {
                let key = format!("environments.{env_name}.tenants.{tenant}.services.{svc_name}");
                found.extend(service_problem(key, env, svc_name, svc));
            }
        }
    }
    found
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn service_problem(
    key: String,
    env: &super::EnvironmentSpec,
    svc_name: &str,
    svc: &TenantServiceSpec,
) -> Option<ConfigProblem> {
    let Some(base) = env.services.get(svc_name) else {
        let known: Vec<&str> = env.services.keys().map(String::as_str).collect();
        let help = crate::suggest::did_you_mean(svc_name, known.iter().copied())
            .map(|s| format!("did you mean `{s}`?"));
        return Some(
            ConfigProblem::new(
                key,
                format!("the environment has no service `{svc_name}` to override"),
            )
            .with_help(help),
        );
    };
    if base.kind == ServiceKind::Sqlserver || base.amqp_url.is_some() {
        return Some(ConfigProblem::new(
            key,
            format!("only HTTP services take tenant overrides; `{svc_name}` is not one"),
        ));
    }
    match &svc.base_url {
        Some(url) if !(url.starts_with("http://") || url.starts_with("https://")) => {
            Some(ConfigProblem::new(
                key,
                format!("base_url `{url}` must start with http:// or https://"),
            ))
        }
        _ => None,
    }
}

/// The tenants a run over `environments` covers: every tenant of `[tenants]`
/// and of each environment's `tenants`, in name order. Each must be served
/// by every environment of the run (a `[tenants]` entry is served by all).
pub fn tenants_of(config: &Config, environments: &[&str]) -> Result<Vec<String>, ConfigError> {
    let mut names: BTreeSet<&String> = config.tenants.keys().collect();
    for env in environments {
        if let Some(spec) = config.environments.get(*env) {
            names.extend(spec.tenants.keys());
        }
    }
    for name in &names {
        if config.tenants.contains_key(*name) {
            continue;
        }
        let serves = |env: &&str| {
            config
                .environments
                .get(*env)
                .is_some_and(|spec| spec.tenants.contains_key(*name))
        };
        let (Some(with), Some(without)) = (
            environments.iter().find(|e| serves(e)),
            environments.iter().find(|e| !serves(e)),
        ) else {
            continue;
        };
        return Err(ConfigError::invalid(
            &config.path,
            format!("environments.{without}.tenants"),
            format!(
                "tenant `{name}` is declared for `{with}` but not for `{without}`; declare \
                 [environments.{without}.tenants.{name}] or move it to [tenants.{name}]"
            ),
        ));
    }
    Ok(names.into_iter().cloned().collect())
}

/// Why a tenant selection does not fit the declared tenants.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TenantSelectionError {
    /// `--tenant` was given but no tenant is declared.
    #[error(
        "--tenant {0} was given, but driftgate.toml declares no tenants; add [tenants.NAME] or [environments.ENV.tenants.NAME]"
    )]
    NoneDeclared(String),
    /// A selected tenant is not declared.
    #[error("unknown tenant `{name}`{}; declared: {declared}", suggestion.as_ref().map(|s| format!(", did you mean `{s}`?")).unwrap_or_default())]
    Unknown {
        /// The name asked for.
        name: String,
        /// The closest declared name.
        suggestion: Option<String>,
        /// The declared names.
        declared: String,
    },
}

impl crate::diagnostic::Diagnose for TenantSelectionError {
    fn diagnostics(&self) -> Vec<crate::diagnostic::Diagnostic> {
        use crate::diagnostic::Diagnostic;
        match self {
            TenantSelectionError::NoneDeclared(_) => vec![Diagnostic::error(self.to_string())],
            TenantSelectionError::Unknown {
                name,
                suggestion,
                declared,
            } => {
                let d = Diagnostic::error(format!("unknown tenant `{name}`"));
                let d = match suggestion {
                    Some(s) => d.with_help(format!("did you mean `{s}`?")),
                    None => d.with_help("name a declared tenant, or `all`"),
                };
                vec![d.with_note(format!("declared: {declared}"))]
            }
        }
    }
}

/// The tenants a run covers: all `declared` ones when `requested` is empty
/// or says `all`, otherwise the requested ones in declared order.
pub fn select(
    declared: &[String],
    requested: &[String],
) -> Result<Vec<String>, TenantSelectionError> {
    let all = requested.is_empty() || requested.iter().any(|r| r == "all");
    if declared.is_empty() {
        return match requested.iter().find(|r| *r != "all") {
            Some(name) => Err(TenantSelectionError::NoneDeclared(name.clone())),
            None => Ok(Vec::new()),
        };
    }
    if let Some(name) = requested
        .iter()
        .find(|r| *r != "all" && !declared.contains(r))
    {
        return Err(TenantSelectionError::Unknown {
            name: name.clone(),
            suggestion: crate::suggest::did_you_mean(name, declared.iter().map(String::as_str))
                .map(str::to_owned),
            declared: declared.join(", "),
        });
    }
    Ok(declared
        .iter()
        .filter(|name| all || requested.contains(name))
        .cloned()
        .collect())
}

impl Config {
    /// Whether `{{ env.KEY }}` has a value in environment `env` for every
    /// tenant it serves (or for the environment itself, without tenants).
    pub fn defines_variable(&self, env: &str, key: &str) -> bool {
        let Some(spec) = self.environments.get(env) else {
            return false;
        };
        if spec.variables.contains_key(key) {
            return true;
        }
        let tenants: BTreeSet<&String> = self.tenants.keys().chain(spec.tenants.keys()).collect();
        !tenants.is_empty()
            && (key == "tenant"
                || tenants.iter().all(|t| {
                    let shared = self.tenants.get(*t).map(|s| &s.variables);
                    let own = spec.tenants.get(*t).map(|s| &s.variables);
                    shared.into_iter().chain(own).any(|v| v.contains_key(key))
                }))
    }

    /// `base` as it serves `tenant`: the tenant's variables merged over the
    /// environment's, and its service overrides applied (secrets resolved
    /// and added to `redactor`).
    pub fn tenant_environment(
        &self,
        base: &Environment,
        tenant: &str,
        redactor: &Redactor,
    ) -> Result<Environment, ConfigError> {
        let mut env = base.clone();
        let per_env = self
            .environments
            .get(&base.name)
            .and_then(|spec| spec.tenants.get(tenant));
        let shared = self.tenants.get(tenant).map(|t| &t.variables);
        for variables in shared.into_iter().chain(per_env.map(|t| &t.variables)) {
            env.variables
                .extend(variables.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        env.variables
            .entry("tenant".to_owned())
            .or_insert_with(|| tenant.to_owned());
        for (svc_name, svc) in per_env.iter().flat_map(|t| &t.services) {
            let Some(service) = env.services.get_mut(svc_name) else {
                continue;
            };
            if let Some(url) = &svc.base_url {
                let (url, userinfo) = super::secret::split_userinfo(url, redactor);
                service.base_url = url.trim_end_matches('/').to_owned();
                let has_auth = service
                    .headers
                    .iter()
                    .any(|(h, _)| h.eq_ignore_ascii_case("authorization"));
                if let Some(value) = userinfo.filter(|_| !has_auth) {
                    service.headers.push(("Authorization".into(), value));
                }
            }
            for (name, source) in &svc.headers {
                let value = source
                    .resolve(&self.base_dir(), redactor)
                    .map_err(|message| {
                        ConfigError::invalid(
                            &self.path,
                            format!(
                                "environments.{}.tenants.{tenant}.services.{svc_name}.headers.{name}",
                                base.name
                            ),
                            message,
                        )
                    })?;
                service
                    .headers
                    .retain(|(h, _)| !h.eq_ignore_ascii_case(name));
                service.headers.push((name.clone(), value));
                if source.is_secret() {
                    service.credential_headers.push(name.clone());
                }
            }
        }
        Ok(env)
    }
}

#[cfg(test)]
mod tests;
