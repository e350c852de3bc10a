//! `[compare]` keys for generated values: defaults, strict mode, and values
//! that are refused with the key named; every problem of a file reported
//! at once, each at its line.

use std::path::Path;

use super::*;
use super::{DEFAULT_CLOCK_SKEW_MS, GeneratedValuesMode};
use crate::diagnostic::Diagnose as _;

const ENVIRONMENTS: &str = r#"
[environments.production.services.erp]
base_url = "http://erp.prod"
[environments.staging.services.erp]
base_url = "http://erp.staging"
"#;

fn parse(compare: &str) -> Result<Config, ConfigError> {
    Config::parse(
        &format!("[compare]\n{compare}\n{ENVIRONMENTS}"),
        Path::new("driftgate.toml"),
    )
}

#[test]
fn generated_values_are_recognised_by_default_and_can_be_strict() {
    let defaults = parse("").unwrap().compare;
    assert_eq!(defaults.generated_values, GeneratedValuesMode::Recognise);
    assert_eq!(defaults.clock_skew_ms, DEFAULT_CLOCK_SKEW_MS);
    assert_eq!(defaults.relative_tolerance, 1e-9);
    let strict =
        parse("generated_values = \"strict\"\nclock_skew_ms = 500\nrelative_tolerance = 1e-6")
            .unwrap()
            .compare;
    assert_eq!(strict.generated_values, GeneratedValuesMode::Strict);
    assert_eq!(
        (strict.clock_skew_ms, strict.relative_tolerance),
        (500, 1e-6)
    );
}

#[test]
fn bad_generated_value_settings_name_their_key() {
    let cases = [
        ("generated_values = \"loose\"", "unknown variant `loose`"),
        ("relative_tolerance = -1.0", "`compare.relative_tolerance`"),
        ("relative_tolerance = 1.5", "`compare.relative_tolerance`"),
        ("clock_skew_ms = -3", "clock_skew_ms"),
    ];
    for (compare, expected) in cases {
        let message = parse(compare).unwrap_err().to_string();
        assert!(message.contains(expected), "{compare}\n{message}");
    }
}

/// A file with problems in every section validation looks at.
const MANY_MISTAKES: &str = r#"[run]
concurrency = 0
default_service = "erpp"

[compare]
ignore = ["$.ok", "edi:ISA99["]

[[compare.rules]]
mask = [{ path = "$.a", regex = "(" }]

[environments.production.services.erp]
base_url = "https://erp.example.com"
timeout_ms = 0

[environments.staging.services.erp]
base_url = "ftp://erp.staging"
"#;

fn rendered(e: &ConfigError) -> String {
    crate::diagnostic::render_error(e, crate::diagnostic::Styling::Plain)
}

#[test]
fn every_invalid_value_is_reported_at_its_line_in_file_order() {
    let err = Config::parse(MANY_MISTAKES, Path::new("driftgate.toml")).unwrap_err();
    let ConfigError::Invalid { problems, .. } = &err else {
        panic!("{err:?}");
    };
    let found: Vec<(&str, usize)> = problems
        .iter()
        .map(|p| (p.key.as_str(), p.at.as_ref().map_or(0, |at| at.line)))
        .collect();
    assert_eq!(
        found,
        [
            ("run.concurrency", 2),
            ("run.default_service", 3),
            ("compare.ignore[1]", 6),
            ("compare.rules[0].mask[0].regex", 9),
            ("environments.production.services.erp.timeout_ms", 13),
            ("environments.staging.services.erp.base_url", 16),
        ]
    );
    assert_eq!(
        problems[1].help.as_deref(),
        Some("did you mean `erp`?"),
        "{problems:#?}"
    );
    insta::assert_snapshot!(rendered(&err));
}

#[test]
fn a_toml_syntax_error_is_one_diagnostic_at_its_span() {
    let err = Config::parse(
        "[run]\nconcurrency = 0\n[compare\n",
        Path::new("driftgate.toml"),
    )
    .unwrap_err();
    let diagnostics = err.diagnostics();
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    assert!(err.summary().is_none());
    let at = diagnostics[0].location.as_ref().unwrap();
    assert_eq!((at.file.as_str(), at.line), ("driftgate.toml", 3));
    assert_eq!(at.source_line.as_deref(), Some("[compare"));
    assert!(
        diagnostics[0].title.starts_with("invalid config: "),
        "{}",
        diagnostics[0].title
    );
}

#[test]
fn no_config_error_displays_an_error_prefix() {
    let path = Path::new("driftgate.toml");
    let errors = [
        Config::load(Path::new("/nonexistent/driftgate.toml")).unwrap_err(),
        Config::parse("[run\n", path).unwrap_err(),
        Config::parse("[run]\nconcurrency = 0\n", path).unwrap_err(),
        Config::parse(MANY_MISTAKES, path).unwrap_err(),
        Config::parse("[environments.staging]\n", path)
            .unwrap()
            .environment("stagign", &Redactor::default())
            .unwrap_err(),
    ];
    for e in &errors {
        let text = e.to_string();
        assert!(!text.to_lowercase().starts_with("error"), "{text}");
        assert!(!text.contains("error:"), "{text}");
        // Rendered, each diagnostic starts with exactly one `error:`.
        let shown = rendered(e);
        assert!(shown.starts_with("error: "), "{shown}");
        assert!(!shown.contains("error: error"), "{shown}");
    }
    let unknown = rendered(&errors[4]);
    assert!(
        unknown.contains("= help: did you mean `staging`?"),
        "{unknown}"
    );
}

#[test]
fn a_secret_that_cannot_be_resolved_points_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("driftgate.toml");
    std::fs::write(
        &path,
        "[environments.staging.services.erp]\nbase_url = \"http://erp\"\nauth = { bearer = \"${DRIFTGATE_TEST_NEVER_SET_TOKEN}\" }\n",
    )
    .unwrap();
    let err = Config::load(&path)
        .unwrap()
        .environment("staging", &Redactor::default())
        .unwrap_err();
    let diagnostics = err.diagnostics();
    let at = diagnostics[0].location.as_ref().unwrap();
    assert_eq!(at.line, 3, "{diagnostics:#?}");
    assert!(
        diagnostics[0]
            .title
            .contains("`environments.staging.services.erp.auth.bearer`"),
        "{diagnostics:#?}"
    );
}
