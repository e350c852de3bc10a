//! EDI checks of `driftgate check`: an EDI fixture is read as a run reads it
//! (as bytes, in the character set its envelope declares) and its envelopes
//! and counts are checked with the messages a run gives — as written, or
//! rendered for each environment when its templates read only `env.*`
//! variables and functions; EDI docstrings likewise, and EDI element paths
//! in steps are parsed.
//!
//! ```text
//! error: segment 8 (SE): SE01 says 7 segments, transaction set 0001 has 6 (ST at segment 3) (fixture `edi/po.x12`)
//!   --> scenarios/edi/po.x12:8:1
//! error: invalid EDI path `AK1[[1]/AK102`: `AK1[[1]` is not a segment tag with an optional [selector]; …
//!   --> features/edi.feature:9:35
//! ```

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use crate::config::Config;
use crate::edi::{self, EdiPath};
use crate::template::{GeneratedValues, Scope, TemplateEngine};

/// Why a fixture could not be read.
pub(super) enum Unreadable {
    /// There is no such file.
    Missing,
    /// It exists but cannot be used: the reason.
    Broken(String),
}

/// The text of the fixture at `path`, read as a run reads it: decoded with
/// its envelope's character set when `edi_step` posts it, else as UTF-8.
pub(super) fn fixture_text(path: &Path, edi_step: bool) -> Result<String, Unreadable> {
    let bytes = std::fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Unreadable::Missing,
        _ => Unreadable::Broken(e.to_string()),
    })?;
    if edi_step {
        return edi::decode(&bytes)
            .map(|decoded| decoded.text)
            .map_err(|e| Unreadable::Broken(e.to_string()));
    }
    String::from_utf8(bytes).map_err(|e| {
        Unreadable::Broken(format!(
            "byte {} is not UTF-8 (JSON and text fixtures are UTF-8)",
            e.utf8_error().valid_up_to()
        ))
    })
}

/// An envelope or count problem of an EDI document without template
/// syntax, with the line and column (1-based) of the segment it names.
pub(super) fn envelope_problem(text: &str) -> Option<(String, usize, usize)> {
    if text.contains("{{") || text.contains("{%") || edi::sniff(text).is_none() {
        return None;
    }
    located(text, &edi::parse(text).err()?)
}

/// The problem a run would meet in a templated EDI fixture that reads only
/// `env.*` variables and template functions (`now`, `control_number`), as
/// rendered for each environment of the configuration in turn. Fixtures
/// reading scenario variables are checked when a run renders them.
pub(super) fn rendered_problem(
    text: &str,
    engine: &TemplateEngine,
    config: Option<&Config>,
) -> Option<(String, usize, usize)> {
    let config = config?;
    let variables = engine.variables(text).ok()?;
    if variables.iter().any(|v| !v.starts_with("env.")) {
        return None;
    }
    config.environments.iter().find_map(|(name, env)| {
        let rendered = engine
            .render(
                text,
                Scope {
                    vars: &BTreeMap::new(),
                    env_name: name,
                    env_vars: &env.variables,
                    generated: &Arc::new(GeneratedValues::default()),
                },
            )
            .ok()?;
        edi::sniff(&rendered)?;
        let (title, line, col) = located(&rendered, &edi::parse(&rendered).err()?)?;
        Some((format!("{title} (as rendered for `{name}`)"), line, col))
    })
}

/// The error's message, with the line and column of the segment it names.
fn located(text: &str, error: &edi::EdiError) -> Option<(String, usize, usize)> {
    let offset = error
        .position()
        .and_then(|p| {
            let segments = edi::tokenize(text).ok()?.segments;
            Some(segments.get(p.checked_sub(1)?)?.offset)
        })
        .unwrap_or_default();
    let before = text.get(..offset).unwrap_or_default();
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit('\n')
        .next()
        .unwrap_or_default()
        .chars()
        .count()
        + 1;
    Some((error.to_string(), line, col))
}

/// Why an EDI element path argument does not parse, if it does not.
pub(super) fn path_problem(value: &str) -> Option<String> {
    if value.contains("{{") {
        return None;
    }
    value.parse::<EdiPath>().err().map(|e| e.to_string())
}

/// The help line for an invalid EDI path.
pub(super) const PATH_HELP: &str = "paths are written as in docs/edi.md: segment steps with an optional [occurrence] or [qualifier], then the element, e.g. `BEG03`, `PO1[2]/PO102`, `LIN[2]/QTY[1]+1:2`";

#[cfg(test)]
mod tests {
    use super::super::{CheckOutcome, check};

    const CONFIG: &str = "[run]\nfeatures = [\"features\"]\nfixtures = \"scenarios\"\n\n[environments.production]\nvariables = { plant = \"P100\" }\n[environments.production.services.edi]\nbase_url = \"http://127.0.0.1:1\"\n\n[environments.staging]\nvariables = { plant = \"S100\" }\n[environments.staging.services.edi]\nbase_url = \"http://127.0.0.1:1\"\n";

    const FIXTURE: &str = "UNB+UNOC:3+{{ env.plant }}:14+B:14+{{ now('%y%m%d') }}:1000+{{ control_number(\"unb\") }}'\nUNH+1+ORDERS:D:96A:UN'\nBGM+220+X+9'\nUNT+4+1'\nUNZ+1+{{ control_number(\"unb\") }}'\n";

    /// `driftgate check` over one feature posting `edi/f.edifact`, holding `fixture`.
    fn check_fixture(fixture: &str) -> CheckOutcome {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        for (path, text) in [
            ("driftgate.toml", CONFIG),
            (
                "features/f.feature",
                "Feature: f\n  Scenario: s\n    When I post the EDI fixture \"edi/f.edifact\" to \"/in\" on \"edi\"\n",
            ),
            ("scenarios/edi/f.edifact", fixture),
        ] {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        check(&[], Some(&root.join("driftgate.toml")), &root)
    }

    #[test]
    fn templated_fixtures_reading_only_env_variables_are_checked_as_rendered() {
        let outcome = check_fixture(FIXTURE);
        let found: Vec<(usize, &str)> = outcome
            .findings
            .iter()
            .map(|d| (d.line(), d.title.as_str()))
            .collect();
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].0, 4, "the UNT line");
        assert_eq!(
            found[0].1,
            "segment 4 (UNT): UNT01 says 4 segments, message 1 has 3 (UNH at segment 2) (as rendered for `production`) (fixture `edi/f.edifact`)"
        );
        let fixed = check_fixture(&FIXTURE.replace("UNT+4+1", "UNT+3+1"));
        assert!(fixed.findings.is_empty(), "{:#?}", fixed.findings);
        let scenario_variable =
            check_fixture(&FIXTURE.replace("BGM+220+X", "BGM+220+{{ poNumber }}"));
        assert!(
            scenario_variable
                .findings
                .iter()
                .all(|d| !d.title.starts_with("segment")),
            "a fixture reading scenario variables is checked when a run renders it: {:#?}",
            scenario_variable.findings
        );
    }
}
