//! Secrets by reference: how `driftgate.toml` names a secret, and how it is
//! resolved and registered with the run's [`Redactor`].
//!
//! A secret is written in `driftgate.toml` as `"${ERP_TOKEN}"` (an environment
//! variable, possibly inside other text: `"Bearer ${TOKEN}"`), as
//! `{ env = "ERP_TOKEN" }`, or as `{ file = "/run/secrets/erp-token" }`.
//! Every resolved secret is registered with the [`Redactor`], which every
//! trace line, report and log message passes through.

use std::path::Path;

use base64::Engine as _;
use serde::Deserialize;

use crate::secret::Redactor;

/// A configuration value that may hold or reference a secret.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(untagged, deny_unknown_fields)]
pub enum SecretSource {
    /// Text; each `${VAR}` is replaced by the environment variable (and makes the value secret).
    Text(String),
    /// The value of an environment variable.
    Env {
        /// Variable name.
        env: String,
    },
    /// The contents of a file (trailing newline removed), relative to the config's folder.
    File {
        /// File path.
        file: String,
    },
}

impl SecretSource {
    /// Whether the value is a secret: read from a variable or a file.
    pub fn is_secret(&self) -> bool {
        match self {
            SecretSource::Text(text) => text.contains("${"),
            SecretSource::Env { .. } | SecretSource::File { .. } => true,
        }
    }

    /// Resolves the value; secret parts are registered with `redactor`.
    /// The error says what is missing and how to provide it.
    pub fn resolve(&self, base_dir: &Path, redactor: &Redactor) -> Result<String, String> {
        match self {
            SecretSource::Text(text) => expand_env_refs(text, redactor),
            SecretSource::Env { env } => {
                let v = read_env(env)?;
                redactor.add(&v);
                Ok(v)
            }
            SecretSource::File { file } => {
                let path = base_dir.join(file);
                let v = std::fs::read_to_string(&path)
                    .map_err(|e| format!("cannot read secret file {}: {e}", path.display()))?;
                let v = v.trim_end_matches(['\r', '\n']).to_owned();
                redactor.add(&v);
                Ok(v)
            }
        }
    }
}

fn read_env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| {
        format!(
            "environment variable `{name}` is not set; export it, or reference a file with {{ file = \"…\" }}"
        )
    })
}

fn expand_env_refs(text: &str, redactor: &Redactor) -> Result<String, String> {
    let mut secret = false;
    let out = super::env_refs::expand(text, |name| {
        let value = super::env_refs::process_env(name)?;
        redactor.add(&value);
        secret = true;
        Some(value)
    })
    .map_err(|e| match e {
        super::env_refs::EnvRefError::Unset(name) => format!(
            "environment variable `{name}` is not set; export it, or reference a file with {{ file = \"…\" }}"
        ),
        other => other.to_string(),
    })?;
    if secret {
        redactor.add(&out);
    }
    Ok(out)
}

/// The `Authorization: Basic …` value of a user and password; the password,
/// `user:password` and the header value are registered with `redactor`.
pub(crate) fn basic(user: &str, password: &str, redactor: &Redactor) -> String {
    let pair = format!("{user}:{password}");
    let value = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(&pair)
    );
    redactor.add(password);
    redactor.add(&pair);
    redactor.add(&value);
    value
}

/// A URL without its user info, and the Basic `Authorization` value the user
/// info stood for (`https://svc:pw@erp` → `https://erp`, `Basic c3ZjOnB3`).
/// The password, as written and decoded, is registered with `redactor`, so a
/// URL that is not valid still never shows it.
pub(crate) fn split_userinfo(url: &str, redactor: &Redactor) -> (String, Option<String>) {
    let Ok(mut parsed) = reqwest::Url::parse(url) else {
        return (url.to_owned(), None);
    };
    if parsed.username().is_empty() && parsed.password().is_none() {
        return (url.to_owned(), None);
    }
    let decode = |text: &str| {
        percent_encoding::percent_decode_str(text)
            .decode_utf8_lossy()
            .into_owned()
    };
    let user = decode(parsed.username());
    let written = parsed.password().unwrap_or_default().to_owned();
    redactor.add(&written);
    let value = basic(&user, &decode(&written), redactor);
    let _ = parsed.set_username("");
    let _ = parsed.set_password(None);
    (parsed.to_string(), Some(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_reference_is_expanded_and_redacted() {
        // SAFETY: test-local variable name, no other thread reads it.
        unsafe { std::env::set_var("DRIFTGATE_TEST_SECRET_A", "s3cr3t-token") };
        let r = Redactor::default();
        let v = SecretSource::Text("Bearer ${DRIFTGATE_TEST_SECRET_A}".into())
            .resolve(Path::new("."), &r)
            .unwrap();
        assert_eq!(v, "Bearer s3cr3t-token");
        assert_eq!(r.redact("auth: s3cr3t-token"), "auth: ***");
    }

    #[test]
    fn missing_env_names_the_variable() {
        let r = Redactor::default();
        let e = SecretSource::Text("${DRIFTGATE_TEST_SURELY_UNSET}".into())
            .resolve(Path::new("."), &r)
            .unwrap_err();
        assert!(e.contains("DRIFTGATE_TEST_SURELY_UNSET"), "{e}");
    }

    #[test]
    fn plain_text_is_not_secret() {
        let r = Redactor::default();
        let v = SecretSource::Text("acme".into())
            .resolve(Path::new("."), &r)
            .unwrap();
        assert_eq!(v, "acme");
        assert!(r.is_empty());
    }

    #[test]
    fn file_secret_is_read_and_trimmed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("tok"), "file-secret-1\n").unwrap();
        let r = Redactor::default();
        let v = SecretSource::File { file: "tok".into() }
            .resolve(dir.path(), &r)
            .unwrap();
        assert_eq!(v, "file-secret-1");
        assert_eq!(r.redact("x file-secret-1 y"), "x *** y");
    }

    #[test]
    fn user_info_in_a_url_becomes_a_redacted_basic_header() {
        let r = Redactor::default();
        let (url, auth) = split_userinfo("https://svc:p%40ss-word@erp.example:8443/api", &r);
        assert_eq!(url, "https://erp.example:8443/api");
        let auth = auth.unwrap();
        assert_eq!(auth, basic("svc", "p@ss-word", &Redactor::default()));
        assert_eq!(r.redact(&auth), "***");
        assert_eq!(r.redact("p@ss-word p%40ss-word"), "*** ***");
        let (plain, none) = split_userinfo("http://erp:8080", &r);
        assert_eq!((plain.as_str(), none), ("http://erp:8080", None));
    }
}
