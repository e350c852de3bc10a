//! Opening one TDS connection from an ADO connection string.
//!
//! ```text
//! "Server=tcp:127.0.0.1,14330;Database=erp;User Id=svc;Password=…;Encrypt=true;TrustServerCertificate=true"
//!   └─ settings() ─▶ tiberius::Config { addr: 127.0.0.1:14330, encryption: Required, trust: bypass, readonly: true }
//!   └─ connect()  ─▶ Client over TCP (tokio, futures-io compat), within the connect timeout
//! ```
//!
//! Encryption is `Encrypt=true` (TLS for the whole session, tiberius
//! `EncryptionLevel::Required`) or `Encrypt=false` (TLS for the login only,
//! `Off`); the plaintext mode `DANGER_PLAINTEXT` is refused, because it would
//! send the password unencrypted. `ApplicationIntent` is `ReadOnly` unless the
//! string says otherwise: a read-intent session, which an availability group
//! routes to a readable secondary and which declares the session reads only.

use std::time::Duration;

use tiberius::{Client, Config};
use tokio::net::TcpStream;
use tokio_util::compat::{Compat, TokioAsyncWriteCompatExt};

use crate::config::ado_value;

/// One open connection.
pub type TdsClient = Client<Compat<TcpStream>>;

/// The tiberius settings of a connection string, or why it cannot be used.
/// Error texts never repeat the string (it holds the password).
pub(crate) fn settings(connection: &str) -> Result<Config, String> {
    if ado_value(connection, "encrypt").is_some_and(|v| v.eq_ignore_ascii_case("DANGER_PLAINTEXT"))
    {
        return Err(
            "Encrypt=DANGER_PLAINTEXT is refused: it sends the password in clear; use Encrypt=true (with TrustServerCertificate=true for a self-signed server) or Encrypt=false".into(),
        );
    }
    if ado_value(connection, "server").is_none() {
        return Err("the connection string has no `Server=tcp:HOST,PORT`".into());
    }
    let mut config = Config::from_ado_string(connection).map_err(|e| {
        format!(
            "invalid connection string: {}",
            without_secrets(&e.to_string())
        )
    })?;
    if ado_value(connection, "applicationintent").is_none() {
        config.readonly(true);
    }
    Ok(config)
}

/// tiberius quotes offending values in some parse errors; keep only the first
/// clause, which names the problem without the value.
fn without_secrets(message: &str) -> String {
    message
        .split(['`', '\''])
        .next()
        .unwrap_or(message)
        .trim()
        .to_owned()
}

/// Opens a connection and logs in, within `timeout`.
pub(crate) async fn connect(config: Config, timeout: Duration) -> Result<TdsClient, String> {
    let addr = config.get_addr();
    let attempt = async {
        let tcp = TcpStream::connect(&addr)
            .await
            .map_err(|e| format!("cannot reach {addr}: {e}"))?;
        tcp.set_nodelay(true)
            .map_err(|e| format!("cannot configure the connection to {addr}: {e}"))?;
        Client::connect(config, tcp.compat_write())
            .await
            .map_err(|e| login_error(&addr, &e))
    };
    match tokio::time::timeout(timeout, attempt).await {
        Ok(result) => result,
        Err(_) => Err(format!("connecting to {addr} timed out after {timeout:?}")),
    }
}

fn login_error(addr: &str, error: &tiberius::error::Error) -> String {
    match error {
        tiberius::error::Error::Server(token) if token.code() == 18456 => {
            format!("login refused by {addr}: {}", token.message())
        }
        other => format!("cannot log in to {addr}: {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ado_keys_are_case_insensitive_and_trimmed() {
        let s = "Server=tcp:h,1;applicationintent = ReadWrite ;Password='p;'";
        assert_eq!(ado_value(s, "ApplicationIntent"), Some("ReadWrite"));
        assert_eq!(ado_value(s, "Database"), None);
    }

    #[test]
    fn plaintext_and_serverless_strings_are_refused_without_echoing_secrets() {
        let e = settings("Server=tcp:h,1;Password=hunter22;Encrypt=DANGER_PLAINTEXT").unwrap_err();
        assert!(
            e.contains("DANGER_PLAINTEXT") && !e.contains("hunter22"),
            "{e}"
        );
        let e = settings("Database=erp;Password=hunter22").unwrap_err();
        assert!(e.contains("Server=") && !e.contains("hunter22"), "{e}");
    }

    #[test]
    fn address_comes_from_the_server_key() {
        let config =
            settings("Server=tcp:127.0.0.1,14330;User Id=a;Password=b;Encrypt=false").unwrap();
        assert_eq!(config.get_addr(), "127.0.0.1:14330");
    }
}
