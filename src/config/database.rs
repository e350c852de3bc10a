//! SQL Server services in `driftgate.toml`: the service kind and the resolved
//! database settings.
//!
//! ```toml
//! [environments.staging.services.erpdb]
//! kind = "sqlserver"
//! connection = "Server=tcp:erp-db,1433;Database=erp;User Id=svc;Password=${ERP_DB_PASSWORD};Encrypt=true;TrustServerCertificate=true"
//! timeout_ms = 15000          # per query
//! connect_timeout_ms = 5000   # per connection attempt
//! pool_size = 4               # connections kept for this environment
//! ```
//!
//! The connection string is ADO style (the keys SQL Server clients accept:
//! `Server`, `Database`, `User Id`, `Password`, `Encrypt`,
//! `TrustServerCertificate`, `ApplicationIntent`, …). Its `${VAR}` references
//! are secrets: the password never reaches a trace, report or log line.
//! `ApplicationIntent` defaults to `ReadOnly` when the string does not set it.

use std::time::Duration;

use serde::Deserialize;

use super::ServiceSpec;
use crate::secret::Redactor;

/// What a configured service is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceKind {
    /// An HTTP API reached through `base_url`.
    #[default]
    Http,
    /// A SQL Server database reached through `connection`.
    Sqlserver,
}

/// A SQL Server service with its secrets resolved.
#[derive(Debug, Clone)]
pub struct DatabaseService {
    /// The ADO connection string, secrets substituted (never print it unredacted).
    pub connection: String,
    /// Longest wait for one connection attempt (TCP, TLS and login).
    pub connect_timeout: Duration,
    /// Longest wait for one query, from sending it to the last row.
    pub query_timeout: Duration,
    /// Connections pooled for this service in one environment.
    pub pool_size: usize,
}

impl DatabaseService {
    /// The resolved service of a spec whose connection string is already
    /// resolved; its password, written out or through `${VAR}`, is
    /// registered with `redactor`.
    pub(super) fn new(
        spec: &ServiceSpec,
        connection: String,
        redactor: &Redactor,
    ) -> DatabaseService {
        for key in ["password", "pwd"] {
            if let Some(password) = ado_value(&connection, key) {
                redactor.add(password);
            }
        }
        DatabaseService {
            connection,
            connect_timeout: Duration::from_millis(spec.connect_timeout_ms),
            query_timeout: Duration::from_millis(spec.timeout_ms),
            pool_size: spec.pool_size,
        }
    }
}

pub(super) fn default_connect_timeout_ms() -> u64 {
    10_000
}

pub(super) fn default_pool_size() -> usize {
    4
}

/// The key and message of what is wrong with a service's kind-specific
/// settings, if anything.
pub(super) fn validate(spec: &ServiceSpec) -> Option<(&'static str, String)> {
    match spec.kind {
        ServiceKind::Http if spec.connection.is_some() => Some((
            "connection",
            "only a `kind = \"sqlserver\"` service takes a connection string".into(),
        )),
        ServiceKind::Http => None,
        ServiceKind::Sqlserver if spec.connection.is_none() => Some((
            "connection",
            "a SQL Server service needs `connection = \"Server=tcp:HOST,PORT;Database=…;User Id=…;Password=${VAR}\"`".into(),
        )),
        ServiceKind::Sqlserver if !spec.base_url.is_empty() => Some((
            "base_url",
            "a SQL Server service is reached through `connection`, not `base_url`".into(),
        )),
        ServiceKind::Sqlserver if spec.pool_size == 0 => {
            Some(("pool_size", "must be at least 1".into()))
        }
        ServiceKind::Sqlserver => None,
    }
}

/// The value of an ADO connection-string key (case-insensitive), if set.
pub(crate) fn ado_value<'a>(connection: &'a str, key: &str) -> Option<&'a str> {
    connection.split(';').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case(key)
            .then(|| v.trim().trim_matches(|c| c == '"' || c == '\''))
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::config::Config;
    use crate::secret::Redactor;

    const SQL_CONFIG: &str = r#"
[environments.staging.services.erpdb]
kind = "sqlserver"
connection = "Server=tcp:127.0.0.1,1433;User Id=svc;Password=${DRIFTGATE_TEST_DB_PASSWORD_CFG}"
timeout_ms = 1500
pool_size = 2

[environments.staging.services.erp]
base_url = "http://127.0.0.1:9"
"#;

    #[test]
    fn sqlserver_service_is_resolved_apart_from_http_services_and_redacted() {
        // SAFETY: test-local variable name, no other thread reads it.
        unsafe { std::env::set_var("DRIFTGATE_TEST_DB_PASSWORD_CFG", "db-pass-123") };
        let config = Config::parse(SQL_CONFIG, Path::new("driftgate.toml")).unwrap();
        let redactor = Redactor::default();
        let env = config.environment("staging", &redactor).unwrap();
        assert_eq!(env.services.keys().collect::<Vec<_>>(), ["erp"]);
        let db = &env.databases["erpdb"];
        assert!(db.connection.contains("Password=db-pass-123"));
        assert_eq!(db.query_timeout.as_millis(), 1500);
        assert_eq!(db.pool_size, 2);
        assert_eq!(
            redactor.redact("login failed with db-pass-123"),
            "login failed with ***"
        );
    }

    #[test]
    fn a_password_written_in_the_connection_string_is_a_secret() {
        let text = "[environments.staging.services.erpdb]\nkind = \"sqlserver\"\nconnection = \"Server=tcp:db,1433;User Id=svc;Pwd='literal-pw-9'\"\n";
        let config = Config::parse(text, Path::new("driftgate.toml")).unwrap();
        let redactor = Redactor::default();
        config.environment("staging", &redactor).unwrap();
        assert_eq!(redactor.redact("pw literal-pw-9"), "pw ***");
    }

    #[test]
    fn invalid_database_settings_name_the_key() {
        let cases = [
            (
                "kind = \"sqlserver\"",
                "services.erpdb.connection",
                "needs `connection",
            ),
            (
                "kind = \"sqlserver\"\nconnection = \"Server=x\"\nbase_url = \"http://x\"",
                "services.erpdb.base_url",
                "not `base_url`",
            ),
            (
                "kind = \"sqlserver\"\nconnection = \"Server=x\"\npool_size = 0",
                "services.erpdb.pool_size",
                "at least 1",
            ),
            (
                "base_url = \"http://x\"\nconnection = \"Server=x\"",
                "services.erpdb.connection",
                "only a `kind",
            ),
        ];
        for (body, key, message) in cases {
            let text = format!("[environments.staging.services.erpdb]\n{body}\n");
            let err = Config::parse(&text, Path::new("d.toml"))
                .unwrap_err()
                .to_string();
            assert!(err.contains(key) && err.contains(message), "{body}: {err}");
        }
    }
}
