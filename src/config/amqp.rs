//! AMQP services of an environment: a broker URL (vhost included) and the
//! broker's management API, with credentials by secret reference.
//!
//! ```toml
//! [environments.production.services.events]
//! amqp_url = "amqps://${EVENTS_USER}:${EVENTS_PASS}@mq.example.com:5671/%2Fplant"
//! # optional; default: http://HOST:15672 with the AMQP credentials
//! management_url = "https://${EVENTS_USER}:${EVENTS_PASS}@mq.example.com:15671"
//! ```
//!
//! resolves to an [`AmqpService`] whose `vhost` is `/plant`; the password is
//! registered with the redactor and `display_url` shows `amqps://user:***@…`.

use std::time::Duration;

use crate::secret::{REDACTED, Redactor};

/// A broker service with secrets resolved.
#[derive(Debug, Clone)]
pub struct AmqpService {
    /// `amqp://` or `amqps://` URL with credentials (secret: never print it).
    pub url: String,
    /// The URL with its password replaced by `***`, for messages.
    pub display_url: String,
    /// The virtual host (`/` when the URL names none).
    pub vhost: String,
    /// Management API base URL, without credentials.
    pub management_url: String,
    /// Management API user and password.
    pub management_credentials: (String, String),
    /// Timeout for connecting and for each broker operation.
    pub timeout: Duration,
}

impl AmqpService {
    /// Builds the service from a resolved AMQP URL and an optional resolved
    /// management URL; every password found is registered with `redactor`.
    pub fn from_urls(
        amqp_url: &str,
        management_url: Option<&str>,
        timeout: Duration,
        redactor: &Redactor,
    ) -> Result<AmqpService, String> {
        let parsed = parse_amqp_url(amqp_url)?;
        let password = decode(parsed.password().unwrap_or_default());
        redactor.add(&password);
        let user = match parsed.username() {
            "" => "guest".to_owned(),
            u => decode(u),
        };
        let vhost = match parsed.path().trim_start_matches('/') {
            "" => "/".to_owned(),
            path => decode(path),
        };
        let (management_url, management_credentials) = match management_url {
            Some(text) => management_parts(text, redactor)?,
            None => {
                let host = parsed.host_str().unwrap_or("localhost");
                let password = if parsed.password().is_none() {
                    "guest".to_owned()
                } else {
                    password
                };
                (format!("http://{host}:15672"), (user, password))
            }
        };
        Ok(AmqpService {
            url: amqp_url.to_owned(),
            display_url: without_password(&parsed),
            vhost,
            management_url,
            management_credentials,
            timeout,
        })
    }
}

fn parse_amqp_url(text: &str) -> Result<reqwest::Url, String> {
    let url = reqwest::Url::parse(text).map_err(|e| format!("not a valid AMQP URL: {e}"))?;
    if !matches!(url.scheme(), "amqp" | "amqps") {
        return Err(format!(
            "`{}` must start with amqp:// or amqps://",
            without_password(&url)
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("the AMQP URL has no host".into());
    }
    Ok(url)
}

fn management_parts(text: &str, redactor: &Redactor) -> Result<(String, (String, String)), String> {
    let mut url =
        reqwest::Url::parse(text).map_err(|e| format!("not a valid management URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("management_url must start with http:// or https://".into());
    }
    let user = match url.username() {
        "" => "guest".to_owned(),
        u => decode(u),
    };
    let password = url.password().map(decode).unwrap_or_else(|| "guest".into());
    redactor.add(&password);
    let _ = url.set_username("");
    let _ = url.set_password(None);
    Ok((
        url.as_str().trim_end_matches('/').to_owned(),
        (user, password),
    ))
}

fn without_password(url: &reqwest::Url) -> String {
    let mut shown = url.clone();
    if shown.password().is_some() {
        let _ = shown.set_password(Some(REDACTED));
    }
    shown.to_string()
}

fn decode(text: &str) -> String {
    percent_decode(text)
}

/// Decodes `%XX` escapes (vhosts are written `%2F` for `/`).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vhost_credentials_and_management_url_are_derived() {
        let r = Redactor::default();
        let cases = [
            (
                "amqp://guest:guest@127.0.0.1:5672/%2F",
                "/",
                "http://127.0.0.1:15672",
            ),
            (
                "amqp://u:pw-secret@mq:5672/plant%2Fa",
                "plant/a",
                "http://mq:15672",
            ),
            (
                "amqps://u:pw-secret@mq.example",
                "/",
                "http://mq.example:15672",
            ),
        ];
        for (url, vhost, management) in cases {
            let s = AmqpService::from_urls(url, None, Duration::from_secs(1), &r).unwrap();
            assert_eq!(s.vhost, vhost, "{url}");
            assert_eq!(s.management_url, management, "{url}");
            assert!(!s.display_url.contains("pw-secret"), "{}", s.display_url);
        }
        assert_eq!(r.redact("amqp://u:pw-secret@mq"), "amqp://u:***@mq");
    }

    #[test]
    fn explicit_management_url_keeps_its_credentials_apart() {
        let r = Redactor::default();
        let s = AmqpService::from_urls(
            "amqp://a:b@mq/v",
            Some("https://admin:mgmt-secret@mq:15671/"),
            Duration::from_secs(1),
            &r,
        )
        .unwrap();
        assert_eq!(s.management_url, "https://mq:15671");
        assert_eq!(
            s.management_credentials,
            ("admin".into(), "mgmt-secret".into())
        );
        assert_eq!(r.redact("x mgmt-secret"), "x ***");
    }

    #[test]
    fn wrong_schemes_are_refused() {
        let r = Redactor::default();
        let e =
            AmqpService::from_urls("http://mq/v", None, Duration::from_secs(1), &r).unwrap_err();
        assert!(e.contains("amqp://"), "{e}");
        let e = AmqpService::from_urls("amqp://mq/v", Some("ftp://x"), Duration::from_secs(1), &r)
            .unwrap_err();
        assert!(e.contains("management_url"), "{e}");
    }
}

#[cfg(test)]
mod config_tests {
    use std::path::Path;

    use crate::config::Config;
    use crate::secret::Redactor;

    const TOML: &str = r#"
[environments.production.services.erp]
base_url = "http://erp"
[environments.production.services.events]
amqp_url = "amqp://app:${DRIFTGATE_TEST_AMQP_PASS}@mq:5672/%2Fplant"
"#;

    #[test]
    fn amqp_services_resolve_apart_from_http_ones_and_hide_the_password() {
        // SAFETY: test-local variable name, no other thread reads it.
        unsafe { std::env::set_var("DRIFTGATE_TEST_AMQP_PASS", "amqp-pass-42") };
        let config = Config::parse(TOML, Path::new("driftgate.toml")).unwrap();
        assert_eq!(config.default_service().as_deref(), Some("erp"));
        let redactor = Redactor::default();
        let env = config.environment("production", &redactor).unwrap();
        assert_eq!(env.services.keys().collect::<Vec<_>>(), ["erp"]);
        let events = &env.amqp["events"];
        assert_eq!(events.vhost, "/plant");
        assert_eq!(events.display_url, "amqp://app:***@mq:5672/%2Fplant");
        assert!(!redactor.redact(&events.url).contains("amqp-pass-42"));
        assert_eq!(
            redactor.redact("auth failed for amqp-pass-42"),
            "auth failed for ***"
        );
    }

    #[test]
    fn a_service_is_http_or_amqp_not_both() {
        let text =
            "[environments.p.services.x]\nbase_url = \"http://x\"\namqp_url = \"amqp://x\"\n";
        let e = Config::parse(text, Path::new("d.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("environments.p.services.x.base_url") && e.contains("not both"),
            "{e}"
        );
        let text = "[environments.p.services.x]\namqp_url = \"http://x\"\n";
        let config = Config::parse(text, Path::new("d.toml")).unwrap();
        let e = config
            .environment("p", &Redactor::default())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("services.x.amqp_url") && e.contains("amqp://"),
            "{e}"
        );
    }
}
