//! The drift-engine part of configuration loading: validates
//! `[[compare.rules]]` and `[[waivers]]`, and loads the files they point to
//! (`[compare] noise`, `[policy] waivers_file`), naming the failing key of
//! each problem.
//!
//! ```text
//! `compare.rules[1].tolerance[0]`: give `absolute` and/or `relative`, each a number ≥ 0
//! `compare.noise`: noise file noise.json: No such file or directory (os error 2)
//! ```

use super::Config;
use super::error::ConfigProblem;
use super::noise::NoiseFile;
use super::waiver::WaiversFile;

/// Validates the rules and waivers and loads the noise and waivers files
/// that can be loaded; adds every problem to `found`.
pub(super) fn complete(config: &mut Config, found: &mut Vec<ConfigProblem>) {
    for (i, rule) in config.compare.rules.iter().enumerate() {
        if let Err(e) = rule.validate() {
            found.push(ConfigProblem::new(
                format!("compare.rules[{i}].{}", e.key),
                e.message,
            ));
        }
    }
    for (i, waiver) in config.waivers.iter().enumerate() {
        if let Err((key, message)) = waiver.validate() {
            found.push(ConfigProblem::new(format!("waivers[{i}].{key}"), message));
        }
    }
    let several = config.compare.noise.len() > 1;
    for (i, noise) in config.compare.noise.iter().enumerate() {
        let key = if several {
            format!("compare.noise[{i}]")
        } else {
            "compare.noise".to_owned()
        };
        let loaded = super::folder::inside(&config.base_dir(), noise)
            .map_err(|e| e.to_string())
            .and_then(|path| NoiseFile::load(&path).map_err(|e| e.to_string()));
        match loaded {
            Ok(file) => config.compare.learned.extend(file.noise),
            Err(message) => found.push(ConfigProblem::new(key, message)),
        }
    }
    if let Some(waivers) = &config.policy.waivers_file {
        match WaiversFile::load(&config.resolve_path(waivers)) {
            Ok(file) => config.waivers.extend(file.waivers),
            Err(e) => found.push(ConfigProblem::new("policy.waivers_file", e.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn parse(text: &str, dir: &Path) -> Result<Config, crate::config::ConfigError> {
        Config::parse(text, &dir.join("driftgate.toml"))
    }

    #[test]
    fn errors_name_the_key_path() {
        let dir = tempfile::tempdir().unwrap();
        let cases = [
            (
                "[[compare.rules]]\ntolerance = [{ path = \"$.a\" }]",
                "`compare.rules[0].tolerance[0]`",
            ),
            (
                "[[compare.rules]]\n[[compare.rules]]\nmask = [{ path = \"$.a\", regex = \"(\" }]",
                "`compare.rules[1].mask[0].regex`",
            ),
            (
                "[[waivers]]\nreason = \"r\"\nowner = \"o\"\nexpires = 2026-12-31",
                "`waivers[0].scenario`",
            ),
            ("[compare]\nnoise = \"missing.json\"", "`compare.noise`"),
            (
                "[policy]\nwaivers_file = \"missing.toml\"",
                "`policy.waivers_file`",
            ),
        ];
        for (text, key) in cases {
            let err = parse(text, dir.path()).unwrap_err().to_string();
            assert!(err.contains(key), "{text}: {err}");
        }
        let err = parse("[[compare.rules]]\ntolerence = []", dir.path())
            .unwrap_err()
            .to_string();
        assert!(err.contains("tolerence"), "{err}");
    }

    #[test]
    fn several_noise_files_are_all_applied_and_a_missing_one_is_named() {
        let dir = tempfile::tempdir().unwrap();
        for (name, path) in [("a.json", "$.a"), ("b.json", "$.b")] {
            std::fs::write(
                dir.path().join(name),
                format!(
                    r#"{{"format": 2, "environments": ["p", "s"], "learned_at": "x", "noise": [{{"service": "erp", "route": "GET /api/stock/{{{{ sku }}}}", "path": "{path}"}}]}}"#
                ),
            )
            .unwrap();
        }
        let config = parse("[compare]\nnoise = [\"a.json\", \"b.json\"]\n", dir.path()).unwrap();
        let paths: Vec<&str> = config
            .compare
            .learned
            .iter()
            .map(|e| e.path.as_str())
            .collect();
        assert_eq!(paths, ["$.a", "$.b"]);
        let err = parse(
            "[compare]\nnoise = [\"a.json\", \"gone.json\"]\n",
            dir.path(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("`compare.noise[1]`") && err.contains("gone.json"),
            "{err}"
        );
    }

    #[test]
    fn noise_and_waivers_files_are_loaded_next_to_the_config() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("noise.toml"),
            "format = 1\nenvironment = \"staging\"\nlearned_at = \"x\"\n\n[[noise]]\nservice = \"erp\"\nroute = \"GET /a\"\npath = \"$.id\"\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("waivers.toml"),
            "[[waivers]]\npath = \"$.x\"\nreason = \"r\"\nowner = \"o\"\nexpires = \"2026-12-31\"\n",
        )
        .unwrap();
        let config = parse(
            "[compare]\nignore = [\"$.a\"]\nheaders = [\"etag\"]\nnoise = \"noise.toml\"\n\n\
             [policy]\nwaivers_file = \"waivers.toml\"\n\n\
             [[waivers]]\nclass = \"order\"\nreason = \"r\"\nowner = \"o\"\nexpires = 2026-12-31\n",
            dir.path(),
        )
        .unwrap();
        assert_eq!(config.compare.ignore, ["$.a"]);
        assert_eq!(config.compare.headers, ["etag"]);
        assert_eq!(config.compare.learned.len(), 1);
        assert_eq!(config.compare.learned[0].path, "$.id");
        let classes: Vec<Option<&str>> =
            config.waivers.iter().map(|w| w.class.as_deref()).collect();
        assert_eq!(classes, [Some("order"), None]);
    }
}
