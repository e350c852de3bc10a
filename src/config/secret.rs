//! Secrets by reference, and the redactor that keeps them out of every output.
//!
//! A secret is written in `driftgate.toml` as `"${ERP_TOKEN}"` (an environment
//! variable, possibly inside other text: `"Bearer ${TOKEN}"`), as
//! `{ env = "ERP_TOKEN" }`, or as `{ file = "/run/secrets/erp-token" }`.
//! Every resolved secret is registered with the [`Redactor`], which every
//! trace line, report and log message passes through.

use std::borrow::Cow;
use std::path::Path;
use std::sync::{Arc, RwLock};

use base64::Engine as _;
use serde::Deserialize;

/// The text that replaces a secret wherever it would appear.
pub const REDACTED: &str = "***";

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
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut secret = false;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after
            .find('}')
            .ok_or_else(|| format!("unclosed `${{` in `{text}`"))?;
        let value = read_env(&after[..end])?;
        redactor.add(&value);
        out.push_str(&value);
        secret = true;
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    if secret {
        redactor.add(&out);
    }
    Ok(out)
}

/// Standard base64, for Basic authentication.
pub(crate) fn base64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// The set of secret values known to this run; cheap to clone and share.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    /// Every secret, raw and JSON-escaped, longest first.
    secrets: Arc<RwLock<Vec<String>>>,
}

impl Redactor {
    /// Registers a secret value (values shorter than 4 characters are ignored:
    /// redacting them would mangle ordinary text without protecting anything).
    pub fn add(&self, secret: &str) {
        if secret.len() < 4 {
            return;
        }
        // The secret as written, and as it reads inside a JSON string (a
        // trace line), worked out once here rather than on every redaction.
        let escaped = serde_json::to_string(secret).unwrap_or_default();
        let escaped = escaped.trim_matches('"');
        let mut forms = self.secrets.write().unwrap_or_else(|e| e.into_inner());
        for form in [secret, escaped] {
            if !forms.iter().any(|s| s == form) {
                forms.push(form.to_owned());
            }
        }
        // Longest first, so a secret containing another is replaced whole.
        forms.sort_by_key(|s| std::cmp::Reverse(s.len()));
    }

    /// Replaces every known secret in `text` with [`REDACTED`].
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let forms = self.secrets.read().unwrap_or_else(|e| e.into_inner());
        let mut out = Cow::Borrowed(text);
        for form in forms.iter() {
            if out.contains(form.as_str()) {
                out = Cow::Owned(out.replace(form.as_str(), REDACTED));
            }
        }
        out
    }

    /// Whether any secret is registered.
    pub fn is_empty(&self) -> bool {
        self.secrets.read().map(|s| s.is_empty()).unwrap_or(true)
    }
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
    fn a_secret_is_redacted_as_written_and_json_escaped() {
        let r = Redactor::default();
        r.add("pa\"ss\\word");
        assert_eq!(r.redact("raw pa\"ss\\word"), "raw ***");
        let line = serde_json::to_string("pa\"ss\\word").unwrap();
        assert_eq!(r.redact(&line), "\"***\"");
    }
}
