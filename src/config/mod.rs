//! `driftgate.toml`: environments, services, variables, secrets, comparison rules.
//!
//! ```toml
//! [run]
//! features = ["features"]
//! default_service = "erp"
//!
//! [compare]
//! ignore = ["$.generatedAt", "$..traceId"]
//! headers = ["content-type"]
//! ignore_headers = ["date"]
//! noise = "noise.json"              # learned by `driftgate learn-noise` (or a list of files)
//!
//! [[compare.rules]]                 # scoped rules, see compare::rules
//! route = "GET /api/orders/*"
//! tolerance = [{ path = "$.total", absolute = 0.01 }]
//!
//! [policy]
//! fail_on = ["error"]
//!
//! [[waivers]]
//! path = "$.currency"
//! reason = "staging bills in USD"
//! owner = "erp-team"
//! expires = 2026-12-31
//!
//! [environments.production]
//! protected = true
//! allow_write_tags = ["@prod-safe"]
//! variables = { tenant = "acme", plant = "P100" }
//!
//! [environments.production.services.erp]
//! base_url = "https://erp.example.com"
//! headers = { "X-Tenant" = "{{ env.tenant }}" }
//! auth = { bearer = "${ERP_PROD_TOKEN}" }
//!
//! [environments.production.services.erpdb]
//! kind = "sqlserver"
//! connection = "Server=tcp:erp-db,1433;Database=erp;User Id=svc;Password=${ERP_DB_PASSWORD};Encrypt=true;TrustServerCertificate=true"
//!
//! [environments.production.limits]  # see config::limits
//! max_concurrent_requests = 8
//! requests_per_second = 20
//!
//! [tenants.globex]                   # see config::tenant
//! variables = { tenant = "globex", plant = "P200" }
//! ```
//!
//! Loading parses and validates the whole file; secrets are resolved only for
//! the environments a run selects ([`Config::environment`]), so a variable
//! missing for an environment nobody uses is not an error.

mod amqp;
mod compare;
mod database;
mod drift;
pub mod duration;
pub mod env_refs;
mod error;
pub mod folder;
mod limits;
pub mod noise;
pub mod policy;
pub mod rules;
mod secret;
mod spans;
pub mod tenant;
pub mod timing;
mod validate;
pub mod waiver;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::secret::Redactor;

pub use amqp::AmqpService;
pub use compare::{
    CompareRules, DEFAULT_CLOCK_SKEW_MS, DEFAULT_RELATIVE_TOLERANCE, GeneratedValuesMode,
};
pub(crate) use database::ado_value;
pub use database::{DatabaseService, ServiceKind};
pub use error::{ConfigError, ConfigProblem};
pub use limits::LimitSpec;
pub use secret::SecretSource;

/// The whole configuration file as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Where the file was loaded from (relative paths in it resolve against its folder).
    #[serde(skip)]
    pub path: PathBuf,
    /// How runs behave.
    #[serde(default)]
    pub run: RunSettings,
    /// Comparison rules.
    #[serde(default)]
    pub compare: CompareRules,
    /// How timing drift is judged (`[timing]`).
    #[serde(default)]
    pub timing: timing::TimingPolicy,
    /// The gate policy: severities and what fails.
    #[serde(default)]
    pub policy: policy::PolicySpec,
    /// Documented differences (plus those of `[policy] waivers_file`).
    #[serde(default)]
    pub waivers: Vec<waiver::WaiverSpec>,
    /// Environments by name.
    #[serde(default)]
    pub environments: BTreeMap<String, EnvironmentSpec>,
    /// Tenants every environment serves (`[tenants.NAME]`, see [`tenant`]).
    #[serde(default)]
    pub tenants: BTreeMap<String, tenant::TenantSpec>,
}

/// `[run]`: defaults for `driftgate run`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RunSettings {
    /// Feature files or folders run when no path is given.
    pub features: Vec<PathBuf>,
    /// Folder of payload fixtures (`scenarios/`).
    pub fixtures: PathBuf,
    /// Folder the reports are written to.
    pub report_dir: PathBuf,
    /// Scenarios running at once.
    pub concurrency: usize,
    /// Service a request goes to when a step names none.
    pub default_service: Option<String>,
    /// Pause between two attempts of a polling step.
    pub poll_interval_ms: u64,
}

impl Default for RunSettings {
    fn default() -> Self {
        RunSettings {
            features: vec![PathBuf::from("features")],
            fixtures: PathBuf::from("scenarios"),
            report_dir: PathBuf::from("driftgate-reports"),
            concurrency: 16,
            default_service: None,
            poll_interval_ms: 250,
        }
    }
}

/// `[environments.NAME]` as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvironmentSpec {
    /// Writes are refused unless the scenario carries one of `allow_write_tags`.
    #[serde(default)]
    pub protected: bool,
    /// Tags (with `@`) that allow a scenario to write to this protected environment.
    #[serde(default)]
    pub allow_write_tags: Vec<String>,
    /// Template variables, available as `{{ env.NAME }}`.
    #[serde(default)]
    pub variables: BTreeMap<String, String>,
    /// Services by name.
    #[serde(default)]
    pub services: BTreeMap<String, ServiceSpec>,
    /// Tenants as this environment serves them (see [`tenant`]).
    #[serde(default)]
    pub tenants: BTreeMap<String, tenant::EnvironmentTenantSpec>,
    /// Caps on concurrent requests and requests per second.
    #[serde(default)]
    pub limits: LimitSpec,
}

/// `[environments.NAME.services.SERVICE]` as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceSpec {
    /// What the service is: an HTTP API (default) or a SQL Server database.
    #[serde(default)]
    pub kind: ServiceKind,
    /// Base URL requests are resolved against (HTTP services).
    #[serde(default)]
    pub base_url: String,
    /// ADO-style connection string (SQL Server services); `${VAR}` references are secrets.
    #[serde(default)]
    pub connection: Option<SecretSource>,
    /// Connect timeout (SQL Server services).
    #[serde(default = "database::default_connect_timeout_ms")]
    pub connect_timeout_ms: u64,
    /// Connections kept per environment (SQL Server services).
    #[serde(default = "database::default_pool_size")]
    pub pool_size: usize,
    /// Broker URL, `amqp://` or `amqps://`, vhost included (AMQP services; may use `${VAR}`).
    #[serde(default)]
    pub amqp_url: Option<SecretSource>,
    /// RabbitMQ management API URL of an AMQP service (default `http://HOST:15672`).
    #[serde(default)]
    pub management_url: Option<SecretSource>,
    /// Headers sent with every request; values may use `${VAR}` (secret) and `{{ }}`.
    #[serde(default)]
    pub headers: BTreeMap<String, SecretSource>,
    /// Authentication.
    #[serde(default)]
    pub auth: Option<AuthSpec>,
    /// Whole-request timeout.
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    /// Verify TLS certificates (on unless a service says otherwise).
    #[serde(default = "default_true")]
    pub tls_verify: bool,
    /// Follow redirects (off: a 3xx is the observed response); credentials
    /// are never sent to another origin (see `transport::redirect`).
    #[serde(default)]
    pub follow_redirects: bool,
}

fn default_timeout_ms() -> u64 {
    30_000
}

fn default_true() -> bool {
    true
}

/// How a service authenticates; every value is a secret.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum AuthSpec {
    /// `Authorization: Bearer TOKEN`.
    Bearer(SecretSource),
    /// `Authorization: Basic …`.
    Basic {
        /// User name.
        username: SecretSource,
        /// Password.
        password: SecretSource,
    },
    /// A custom header carrying a key, e.g. `X-Api-Key`.
    Header {
        /// Header name.
        name: String,
        /// Header value.
        value: SecretSource,
    },
}

/// An environment with its secrets resolved, ready for a run.
#[derive(Debug, Clone)]
pub struct Environment {
    /// Name in the config.
    pub name: String,
    /// Whether writes are refused by default.
    pub protected: bool,
    /// Tags that allow writes when protected.
    pub allow_write_tags: Vec<String>,
    /// Template variables.
    pub variables: BTreeMap<String, String>,
    /// Services by name.
    pub services: BTreeMap<String, Service>,
    /// SQL Server services by name (`kind = "sqlserver"`), kept apart from HTTP services.
    pub databases: BTreeMap<String, DatabaseService>,
    /// AMQP broker services by name.
    pub amqp: BTreeMap<String, AmqpService>,
    /// Caps on the load a run puts on this environment.
    pub limits: LimitSpec,
}

impl Environment {
    /// Whether a scenario with these tags may write to this environment.
    pub fn allows_writes(&self, scenario_tags: &[String]) -> bool {
        !self.protected || tags_allow(&self.allow_write_tags, scenario_tags)
    }
}

/// Whether one of a scenario's tags is among an environment's `allow_write_tags`
/// (with or without the `@`).
pub fn tags_allow(allow_write_tags: &[String], scenario_tags: &[String]) -> bool {
    scenario_tags
        .iter()
        .any(|t| allow_write_tags.iter().any(|a| tag_eq(a, t)))
}

fn tag_eq(a: &str, b: &str) -> bool {
    a.trim_start_matches('@') == b.trim_start_matches('@')
}

/// A service with secrets resolved.
#[derive(Debug, Clone)]
pub struct Service {
    /// Base URL, without a trailing slash.
    pub base_url: String,
    /// Headers sent with every request (values may hold `{{ }}` templates).
    pub headers: Vec<(String, String)>,
    /// Whole-request timeout.
    pub timeout: Duration,
    /// Verify TLS certificates.
    pub tls_verify: bool,
    /// Follow redirects instead of observing the 3xx.
    pub follow_redirects: bool,
    /// Names of the headers that carry this service's credentials (its
    /// `auth` header, headers whose value is a secret): never sent to
    /// another origin.
    pub credential_headers: Vec<String>,
    /// The run's secrets: a redirect to another origin whose URL holds one
    /// is not followed.
    pub secrets: Redactor,
}

impl Config {
    /// Reads and validates a configuration file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Config::parse(&text, path)
    }

    /// Parses configuration text; `path` names it in errors and anchors relative paths.
    /// Every invalid value is reported, each at its line and column.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        // Parsed as written first, so schema errors keep their line and column.
        let mut config: Config =
            toml::from_str(text).map_err(|e| ConfigError::parse(path, Some(text), &e))?;
        if text.contains("${") {
            config = Config::expanded(text, path)?;
        }
        config.path = path.to_owned();
        let mut problems = Vec::new();
        validate::problems(&config, &mut problems);
        drift::complete(&mut config, &mut problems);
        if problems.is_empty() {
            return Ok(config);
        }
        let shown = path.display().to_string();
        for problem in &mut problems {
            problem.at = spans::locate(text, &shown, &problem.key);
        }
        problems.sort_by_key(|p| p.at.as_ref().map_or(usize::MAX, |at| at.line));
        Err(ConfigError::Invalid {
            path: path.to_owned(),
            problems,
        })
    }

    /// The file with every `${VAR}` outside secret positions expanded (see [`env_refs`]).
    fn expanded(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let mut document: toml::Table =
            toml::from_str(text).map_err(|e| ConfigError::parse(path, Some(text), &e))?;
        env_refs::expand_document(&mut document, &env_refs::process_env).map_err(|(key, e)| {
            let mut problem = ConfigProblem::new(key, e.to_string());
            problem.at = spans::locate(text, &path.display().to_string(), &problem.key);
            ConfigError::Invalid {
                path: path.to_owned(),
                problems: vec![problem],
            }
        })?;
        // The expanded document has no spans left to point at.
        toml::Value::Table(document)
            .try_into()
            .map_err(|e: toml::de::Error| ConfigError::parse(path, None, &e))
    }

    /// Folder relative paths in the file are resolved against.
    pub fn base_dir(&self) -> PathBuf {
        match self.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        }
    }

    /// Resolves a path from the file against [`Config::base_dir`].
    pub fn resolve_path(&self, p: &Path) -> PathBuf {
        if p.is_absolute() {
            p.to_owned()
        } else {
            self.base_dir().join(p)
        }
    }

    /// The service a step uses when it names none: `run.default_service`, or the
    /// only service, or the first in alphabetical order.
    pub fn default_service(&self) -> Option<String> {
        if let Some(s) = &self.run.default_service {
            return Some(s.clone());
        }
        self.environments
            .values()
            .flat_map(|e| e.services.iter())
            .filter(|(_, svc)| svc.amqp_url.is_none())
            .map(|(name, _)| name)
            .min()
            .cloned()
    }

    /// Resolves one environment's secrets; every secret value is added to `redactor`.
    pub fn environment(&self, name: &str, redactor: &Redactor) -> Result<Environment, ConfigError> {
        let spec = self.environments.get(name).ok_or_else(|| {
            let defined: Vec<&str> = self.environments.keys().map(String::as_str).collect();
            ConfigError::UnknownEnvironment {
                path: self.path.clone(),
                name: name.to_owned(),
                suggestion: crate::suggest::did_you_mean(name, defined.iter().copied())
                    .map(str::to_owned),
                defined: if defined.is_empty() {
                    "none".into()
                } else {
                    defined.join(", ")
                },
            }
        })?;
        let mut services = BTreeMap::new();
        let mut databases = BTreeMap::new();
        let mut amqp = BTreeMap::new();
        for (svc_name, svc) in &spec.services {
            let key = |k: &str| format!("environments.{name}.services.{svc_name}.{k}");
            let resolve = |src: &SecretSource, k: String| {
                src.resolve(&self.base_dir(), redactor)
                    .map_err(|message| ConfigError::invalid(&self.path, k, message))
            };
            if svc.kind == ServiceKind::Sqlserver {
                let connection = svc
                    .connection
                    .as_ref()
                    .map_or(Ok(String::new()), |c| resolve(c, key("connection")))?;
                databases.insert(
                    svc_name.clone(),
                    DatabaseService::new(svc, connection, redactor),
                );
                continue;
            }
            if let Some(url) = &svc.amqp_url {
                let url = resolve(url, key("amqp_url"))?;
                let management = match &svc.management_url {
                    Some(m) => Some(resolve(m, key("management_url"))?),
                    None => None,
                };
                let timeout = Duration::from_millis(svc.timeout_ms);
                let service =
                    AmqpService::from_urls(&url, management.as_deref(), timeout, redactor)
                        .map_err(|message| {
                            ConfigError::invalid(&self.path, key("amqp_url"), message)
                        })?;
                amqp.insert(svc_name.clone(), service);
                continue;
            }
            let mut headers = Vec::new();
            let mut credential_headers = Vec::new();
            for (h, v) in &svc.headers {
                headers.push((h.clone(), resolve(v, key(&format!("headers.{h}")))?));
                if v.is_secret() {
                    credential_headers.push(h.clone());
                }
            }
            match &svc.auth {
                None => {}
                Some(AuthSpec::Bearer(token)) => {
                    let token = resolve(token, key("auth.bearer"))?;
                    let value = format!("Bearer {token}");
                    redactor.add(&value);
                    headers.push(("Authorization".into(), value));
                }
                Some(AuthSpec::Basic { username, password }) => {
                    let user = resolve(username, key("auth.basic.username"))?;
                    let pass = resolve(password, key("auth.basic.password"))?;
                    headers.push((
                        "Authorization".into(),
                        secret::basic(&user, &pass, redactor),
                    ));
                }
                Some(AuthSpec::Header { name: h, value }) => {
                    let v = resolve(value, key("auth.header.value"))?;
                    redactor.add(&v);
                    headers.push((h.clone(), v));
                    credential_headers.push(h.clone());
                }
            }
            let (base_url, userinfo) = secret::split_userinfo(&svc.base_url, redactor);
            if let Some(value) = userinfo
                && !headers
                    .iter()
                    .any(|(h, _)| h.eq_ignore_ascii_case("authorization"))
            {
                headers.push(("Authorization".into(), value));
            }
            services.insert(
                svc_name.clone(),
                Service {
                    base_url: base_url.trim_end_matches('/').to_owned(),
                    headers,
                    timeout: Duration::from_millis(svc.timeout_ms),
                    tls_verify: svc.tls_verify,
                    follow_redirects: svc.follow_redirects,
                    credential_headers,
                    secrets: redactor.clone(),
                },
            );
        }
        Ok(Environment {
            name: name.to_owned(),
            protected: spec.protected,
            allow_write_tags: spec.allow_write_tags.clone(),
            variables: spec.variables.clone(),
            services,
            databases,
            amqp,
            limits: spec.limits,
        })
    }
}

#[cfg(test)]
mod tests;
