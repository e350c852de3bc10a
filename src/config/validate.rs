//! The checks a loaded `driftgate.toml` must pass, each finding every
//! problem rather than the first, so one run lists all that needs fixing.
//!
//! ```text
//! run.concurrency = 0                       must be at least 1
//! timeout_ms = 0                            must be at least 1 (milliseconds)
//! compare.ignore = ["edi:ISA99"]            not an EDI element path
//! run.default_service = "erpp"              no environment defines a service `erpp` (did you mean `erp`?)
//! ```
//!
//! The rules, waivers and the files they load are checked in
//! [`super::drift`], into the same list.

use super::error::ConfigProblem;
use super::{Config, ServiceKind, database, duration, tenant};

/// Every problem of the sections of `config` checked here, in file order
/// of the sections.
pub(super) fn problems(config: &Config, found: &mut Vec<ConfigProblem>) {
    let mut push = |key: String, message: String| found.push(ConfigProblem::new(key, message));
    if config.run.concurrency == 0 {
        push("run.concurrency".into(), "must be at least 1".into());
    }
    if let Some((key, message)) = config.timing.problem() {
        push(key.into(), message);
    }
    let tolerance = config.compare.relative_tolerance;
    if !tolerance.is_finite() || !(0.0..1.0).contains(&tolerance) {
        push(
            "compare.relative_tolerance".into(),
            format!(
                "{tolerance} is not a relative difference: give a number ≥ 0 and < 1, such as 1e-9"
            ),
        );
    }
    for (i, expr) in config.compare.ignore.iter().enumerate() {
        let checked = match expr.strip_prefix("edi:") {
            Some(path) => path
                .parse::<crate::edi::EdiPath>()
                .map(drop)
                .map_err(|e| e.to_string()),
            None => serde_json_path::JsonPath::parse(expr)
                .map(drop)
                .map_err(|e| format!("`{expr}` is not a valid JSONPath: {e}")),
        };
        if let Err(message) = checked {
            push(format!("compare.ignore[{i}]"), message);
        }
    }
    found.extend(tenant::problems(config));
    services(config, found);
    if let Some(problem) = default_service(config) {
        found.push(problem);
    }
}

/// The problems of every environment's limits and services.
fn services(config: &Config, found: &mut Vec<ConfigProblem>) {
    for (env_name, env) in &config.environments {
        if let Some((k, message)) = env.limits.problem() {
            found.push(ConfigProblem::new(
                format!("environments.{env_name}.limits.{k}"),
                message,
            ));
        }
        for (svc_name, svc) in &env.services {
            let key = |k: &str| format!("environments.{env_name}.services.{svc_name}.{k}");
            for (k, ms) in [
                ("timeout_ms", svc.timeout_ms),
                ("connect_timeout_ms", svc.connect_timeout_ms),
            ] {
                if let Some(message) = duration::millis_problem(ms) {
                    found.push(ConfigProblem::new(key(k), message));
                }
            }
            if let Some((k, message)) = database::validate(svc) {
                found.push(ConfigProblem::new(key(k), message));
            }
            if svc.kind == ServiceKind::Sqlserver {
                continue;
            }
            if svc.amqp_url.is_some() {
                if !svc.base_url.is_empty() {
                    found.push(ConfigProblem::new(
                        key("base_url"),
                        "a service has either `base_url` (HTTP) or `amqp_url` (AMQP), not both",
                    ));
                }
                continue;
            }
            if !(svc.base_url.starts_with("http://") || svc.base_url.starts_with("https://")) {
                found.push(ConfigProblem::new(
                    key("base_url"),
                    format!("`{}` must start with http:// or https://", svc.base_url),
                ));
            }
        }
    }
}

/// `run.default_service` naming a service no environment defines.
fn default_service(config: &Config) -> Option<ConfigProblem> {
    let default = config.run.default_service.as_ref()?;
    let mut services = config.environments.values().flat_map(|e| e.services.keys());
    if config.environments.is_empty() || services.any(|s| s == default) {
        return None;
    }
    let names: Vec<&str> = config
        .environments
        .values()
        .flat_map(|e| e.services.keys().map(String::as_str))
        .collect();
    let help = crate::suggest::did_you_mean(default, names.iter().copied())
        .map(|s| format!("did you mean `{s}`?"));
    Some(
        ConfigProblem::new(
            "run.default_service",
            format!("no environment defines a service `{default}`"),
        )
        .with_help(help),
    )
}
