use std::path::Path;

use super::*;

const BASE: &str = r#"
[environments.production]
variables = { region = "eu", plant = "P000" }
[environments.production.services.erp]
base_url = "http://erp.prod"
headers = { "X-Tenant" = "{{ env.tenant }}", "X-Plant" = "base" }

[environments.staging]
variables = { region = "eu" }
[environments.staging.services.erp]
base_url = "http://erp.staging"
"#;

fn parse(extra: &str) -> Result<Config, ConfigError> {
    Config::parse(&format!("{BASE}{extra}"), Path::new("driftgate.toml"))
}

fn config(extra: &str) -> Config {
    parse(extra).unwrap()
}

#[test]
fn invalid_declarations_name_the_key_path() {
    let cases = [
        (
            "[tenants.acme]\nvariable = { plant = \"P100\" }\n",
            "unknown field `variable`",
        ),
        (
            "[environments.staging.tenants.acme]\nvariables = {}\nheaders = {}\n",
            "unknown field `headers`",
        ),
        (
            "[environments.staging.tenants.acme.services.erp]\nbase_url = \"http://x\"\ntimeout_ms = 5\n",
            "unknown field `timeout_ms`",
        ),
        (
            "[environments.staging.tenants.acme.services.epr]\nbase_url = \"http://x\"\n",
            "`environments.staging.tenants.acme.services.epr`: the environment has no service `epr` to override; did you mean `erp`?",
        ),
        (
            "[environments.staging.tenants.acme.services.erp]\nbase_url = \"erp.acme\"\n",
            "`environments.staging.tenants.acme.services.erp`: base_url `erp.acme` must start with http:// or https://",
        ),
        (
            "[tenants.\"acme corp\"]\n",
            "`tenants.acme corp`: tenant name `acme corp` may only use letters, digits, `-` and `_`",
        ),
        (
            "[environments.production.limits]\nmax_concurrent_requests = 0\n",
            "`environments.production.limits.max_concurrent_requests`: must be at least 1",
        ),
        (
            "[environments.production.limits]\nrps = 3\n",
            "unknown field `rps`",
        ),
    ];
    for (extra, expected) in cases {
        let message = parse(extra).unwrap_err().to_string();
        assert!(message.contains(expected), "{extra}\n{message}");
    }
}

#[test]
fn tenants_are_the_union_and_each_must_be_served_by_both_environments() {
    let shared = config("[tenants.globex]\n[tenants.acme]\n[environments.staging.tenants.acme]\n");
    assert_eq!(
        tenants_of(&shared, &["production", "staging"]).unwrap(),
        ["acme", "globex"]
    );
    let per_env = config(
        "[environments.production.tenants.acme]\n[environments.staging.tenants.acme]\n[environments.production.tenants.initech]\n",
    );
    let message = tenants_of(&per_env, &["production", "staging"])
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("`environments.staging.tenants`: tenant `initech` is declared for `production` but not for `staging`"),
        "{message}"
    );
    assert_eq!(
        tenants_of(&per_env, &["production"]).unwrap(),
        ["acme", "initech"]
    );
    assert!(
        tenants_of(&config(""), &["production", "staging"])
            .unwrap()
            .is_empty()
    );
}

#[test]
fn selection() {
    let declared = ["acme".to_owned(), "globex".to_owned(), "initech".to_owned()];
    let s = |names: &[&str]| names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>();
    assert_eq!(select(&declared, &[]).unwrap(), declared);
    assert_eq!(select(&declared, &s(&["all"])).unwrap(), declared);
    assert_eq!(
        select(&declared, &s(&["initech", "acme"])).unwrap(),
        ["acme", "initech"]
    );
    assert_eq!(
        select(&declared, &s(&["acmee"])).unwrap_err().to_string(),
        "unknown tenant `acmee`, did you mean `acme`?; declared: acme, globex, initech"
    );
    assert_eq!(select(&[], &s(&["all"])).unwrap(), Vec::<String>::new());
    assert!(matches!(
        select(&[], &s(&["acme"])),
        Err(TenantSelectionError::NoneDeclared(_))
    ));
}

#[test]
fn tenant_environment_layers_variables_and_overrides_services() {
    let config = config(
        r#"
[tenants.acme]
variables = { plant = "P100" }
[tenants.globex]
variables = { plant = "P200", tenant = "GLOBEX" }

[environments.production.tenants.globex]
variables = { plant = "P201" }
[environments.production.tenants.globex.services.erp]
base_url = "http://globex.erp.prod/"
headers = { "x-plant" = "P201" }
"#,
    );
    let redactor = Redactor::default();
    let production = config.environment("production", &redactor).unwrap();
    let staging = config.environment("staging", &redactor).unwrap();
    let vars = |env: &Environment| {
        env.variables
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let acme = config
        .tenant_environment(&production, "acme", &redactor)
        .unwrap();
    assert_eq!(vars(&acme), "plant=P100 region=eu tenant=acme");
    assert_eq!(acme.services["erp"].base_url, "http://erp.prod");
    let globex = config
        .tenant_environment(&production, "globex", &redactor)
        .unwrap();
    assert_eq!(vars(&globex), "plant=P201 region=eu tenant=GLOBEX");
    assert_eq!(globex.services["erp"].base_url, "http://globex.erp.prod");
    assert_eq!(
        globex.services["erp"].headers,
        [
            ("X-Tenant".to_owned(), "{{ env.tenant }}".to_owned()),
            ("x-plant".to_owned(), "P201".to_owned())
        ]
    );
    let staging_globex = config
        .tenant_environment(&staging, "globex", &redactor)
        .unwrap();
    assert_eq!(vars(&staging_globex), "plant=P200 region=eu tenant=GLOBEX");
}

#[test]
fn a_variable_is_defined_when_every_tenant_has_it() {
    let config = config(
        r#"
[tenants.acme]
variables = { plant = "P100" }
[environments.staging.tenants.globex]
variables = { plant = "S200", line = "L1" }
[environments.production.tenants.globex]
variables = { plant = "P200" }
"#,
    );
    let cases = [
        ("production", "plant", true),
        ("production", "region", true),
        ("production", "tenant", true),
        ("staging", "plant", true),
        ("staging", "line", false),
        ("production", "line", false),
        ("qa", "plant", false),
    ];
    for (env, key, defined) in cases {
        assert_eq!(config.defines_variable(env, key), defined, "{env} {key}");
    }
    let plain = super::super::Config::parse(BASE, Path::new("driftgate.toml")).unwrap();
    assert!(!plain.defines_variable("staging", "tenant"));
    assert!(plain.defines_variable("production", "plant"));
}

#[test]
fn a_password_in_a_tenant_base_url_becomes_a_redacted_basic_header() {
    let config = config(
        r#"
[tenants.globex]
[environments.production.tenants.globex.services.erp]
base_url = "http://globex:tenant-pw-5@globex.erp.prod"
"#,
    );
    let redactor = Redactor::default();
    let production = config.environment("production", &redactor).unwrap();
    let globex = config
        .tenant_environment(&production, "globex", &redactor)
        .unwrap();
    let erp = &globex.services["erp"];
    assert_eq!(erp.base_url, "http://globex.erp.prod");
    let auth = erp
        .headers
        .iter()
        .find(|(h, _)| h == "Authorization")
        .map(|(_, v)| v.as_str());
    assert_eq!(
        auth.map(|v| redactor.redact(v).into_owned()),
        Some("***".into())
    );
    assert_eq!(redactor.redact("pw tenant-pw-5"), "pw ***");
}
