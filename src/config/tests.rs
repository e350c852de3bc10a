//! `[compare]` keys for generated values: defaults, strict mode, and values
//! that are refused with the key named.

use std::path::Path;

use super::*;
use super::{DEFAULT_CLOCK_SKEW_MS, GeneratedValuesMode};

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
