//! `${VAR}` references to environment variables in `driftgate.toml` strings.
//!
//! ```toml
//! [environments.staging.services.erp]
//! base_url = "https://${ERP_HOST}:${ERP_PORT}"   # expanded when the file is loaded
//! auth = { bearer = "${ERP_TOKEN}" }             # a secret: resolved by the redactor
//! ```
//!
//! Every string of the file is expanded when it is loaded, except those in
//! secret positions ([`SECRET_KEYS`]), which stay as written until a run
//! resolves the environments it uses (so each secret is registered with the
//! redactor). A reference to a variable that is not set is a configuration
//! error naming the key and the variable.

/// Keys whose values are secrets: `${VAR}` in them is resolved per
/// environment by [`super::SecretSource`], never when the file is loaded.
pub(super) const SECRET_KEYS: [&str; 5] = [
    "connection",
    "amqp_url",
    "management_url",
    "headers",
    "auth",
];

/// Why a `${VAR}` reference cannot be expanded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvRefError {
    /// The variable is not set.
    #[error("environment variable `{0}` is not set; export it before running driftgate")]
    Unset(String),
    /// `${` without its `}`.
    #[error("unclosed `${{` in `{0}`; write `${{NAME}}`")]
    Unclosed(String),
}

/// `text` with each `${NAME}` replaced by `lookup(NAME)` (the redactor
/// resolves secrets with it too).
pub fn expand(
    text: &str,
    mut lookup: impl FnMut(&str) -> Option<String>,
) -> Result<String, EnvRefError> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after
            .find('}')
            .ok_or_else(|| EnvRefError::Unclosed(text.to_owned()))?;
        let name = &after[..end];
        let value = lookup(name).ok_or_else(|| EnvRefError::Unset(name.to_owned()))?;
        out.push_str(&value);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The process environment's value of `name`.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// Expands every string of a parsed file outside secret positions; the
/// error is the dotted key path of the first string that cannot be expanded.
pub(super) fn expand_document(
    table: &mut toml::Table,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<(), (String, EnvRefError)> {
    expand_entries(table, "", lookup)
}

/// Expands the entries of `table`, whose key path is `prefix` (empty at the top).
fn expand_entries(
    table: &mut toml::Table,
    prefix: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<(), (String, EnvRefError)> {
    for (k, v) in table.iter_mut() {
        if SECRET_KEYS.contains(&k.as_str()) {
            continue;
        }
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        expand_value(v, key, lookup)?;
    }
    Ok(())
}

fn expand_value(
    value: &mut toml::Value,
    key: String,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<(), (String, EnvRefError)> {
    match value {
        toml::Value::String(text) if text.contains("${") => {
            *text = expand(text, lookup).map_err(|e| (key, e))?;
        }
        toml::Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                expand_value(item, format!("{key}[{i}]"), lookup)?;
            }
        }
        toml::Value::Table(table) => expand_entries(table, &key, lookup)?,
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "HOST" => Some("erp.test".into()),
            "PORT" => Some("8443".into()),
            _ => None,
        }
    }

    #[test]
    fn references_are_replaced() {
        let text = expand("https://${HOST}:${PORT}/api", env).unwrap();
        assert_eq!(text, "https://erp.test:8443/api");
        assert_eq!(expand("plain", env).unwrap(), "plain");
    }

    #[test]
    fn unset_and_unclosed_references_are_errors() {
        assert_eq!(
            expand("http://${NOPE}", env),
            Err(EnvRefError::Unset("NOPE".into()))
        );
        assert_eq!(
            expand("http://${HOST", env),
            Err(EnvRefError::Unclosed("http://${HOST".into()))
        );
    }

    #[test]
    fn a_document_is_expanded_outside_secret_positions_with_the_key_of_a_failure() {
        let mut doc: toml::Table = toml::from_str(
            r#"
            [run]
            features = ["${HOST}/features"]
            [environments.a.services.erp]
            base_url = "https://${HOST}:${PORT}"
            auth = { bearer = "${TOKEN}" }
            headers = { "X-Key" = "${KEY}" }
            "#,
        )
        .unwrap();
        expand_document(&mut doc, &env).unwrap();
        assert_eq!(
            doc["run"]["features"][0].as_str(),
            Some("erp.test/features")
        );
        let erp = &doc["environments"]["a"]["services"]["erp"];
        assert_eq!(erp["base_url"].as_str(), Some("https://erp.test:8443"));
        assert_eq!(erp["auth"]["bearer"].as_str(), Some("${TOKEN}"));
        assert_eq!(erp["headers"]["X-Key"].as_str(), Some("${KEY}"));

        let mut doc: toml::Table =
            toml::from_str("[environments.b.variables]\nplant = \"${PLANT}\"\n").unwrap();
        let (key, e) = expand_document(&mut doc, &env).unwrap_err();
        assert_eq!(key, "environments.b.variables.plant");
        assert_eq!(e, EnvRefError::Unset("PLANT".into()));
    }
}
