//! `driftgate check`: lints feature files, the fixtures they use and the
//! configuration without touching any environment.
//!
//! Findings are rustc-style [`Diagnostic`]s:
//!
//! ```text
//! error: variable `orderId` is used before it is captured or set
//!   --> features/order_sync.feature:14:40
//!    |
//! 14 |     When I send a GET request to "/api/orders/{{ orderId }}"
//!    |                                               ^^^^^^^
//!    = help: capture it in an earlier step (`I capture the response field "$.id" as "orderId"`) or set it (`the variable "orderId" is "…"`)
//! ```
//!
//! Checks: feature syntax, unknown steps (with the closest match), variables
//! used before they are captured or set (step text, docstrings, tables and
//! fixtures), `env.*` variables an environment lacks, missing and unreadable
//! fixtures, EDI fixtures' envelopes and counts, EDI element paths,
//! invalid JSONPath, templates that do not parse, unknown services, every
//! write a run would refuse on a protected environment from a scenario
//! without an allowing tag (HTTP writes and method overrides, AMQP publishes
//! and replays, EDI posts, SQL the read-only guard refuses — read from each
//! step's declared action — and destructive queue reads, which no tag allows),
//! expected values with unknown or malformed markers or regexes that do not
//! compile, body-check docstrings that are not JSON, and template function
//! calls that would fail (`random_int(9, 1)`, `now('%Q')`).

mod edi;
mod rules;
pub mod walk;

use crate::config::{Config, ConfigError};
use crate::diagnostic::{Diagnose as _, Diagnostic};
use crate::runner::features::{self, ParsedFeature};
use crate::template::TemplateEngine;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// What `driftgate check` found.
#[derive(Debug, Default)]
pub struct CheckOutcome {
    /// Every finding, in file order.
    pub findings: Vec<Diagnostic>,
    /// Things the user should know that are not findings (checks skipped).
    pub notes: Vec<String>,
    /// Feature files read.
    pub files: usize,
    /// Scenarios checked (outline examples counted one by one).
    pub scenarios: usize,
}

impl CheckOutcome {
    /// The last line of the output: counts, and whether anything was found.
    pub fn summary(&self) -> String {
        let files = BTreeSet::<&str>::from_iter(self.findings.iter().filter_map(Diagnostic::file));
        let checked = format!(
            "{} feature file(s), {} scenario(s) checked",
            self.files, self.scenarios
        );
        if self.findings.is_empty() {
            format!("check: {checked}: no findings")
        } else {
            format!(
                "check: {checked}: {} finding(s) in {} file(s)",
                self.findings.len(),
                files.len()
            )
        }
    }
}

/// The default configuration file, used when it exists and none is given.
const DEFAULT_CONFIG: &str = "driftgate.toml";

/// Lints the features under `paths` (default: the config's `[run] features`,
/// else `features/`), the fixtures they use, and `config` (default:
/// `driftgate.toml` when present). Paths are shown relative to `display_root`.
pub fn check(paths: &[PathBuf], config: Option<&Path>, display_root: &Path) -> CheckOutcome {
    let mut outcome = CheckOutcome::default();
    let config = load_config(config, display_root, &mut outcome);
    let paths = feature_paths(paths, config.as_ref());
    let (parsed, diagnostics) = features::parse_all(&paths, display_root);
    outcome.findings.extend(diagnostics);
    outcome.files = parsed.len();
    let context = rules::LintContext {
        fixtures: match &config {
            Some(c) => c.resolve_path(&c.run.fixtures),
            None => PathBuf::from("scenarios"),
        },
        config,
        engine: TemplateEngine::new(),
        display_root: display_root.to_owned(),
    };
    for feature in &parsed {
        outcome.scenarios += lint_feature(feature, &context, &mut outcome.findings);
    }
    dedupe(&mut outcome.findings);
    outcome
}

fn lint_feature(
    parsed: &ParsedFeature,
    context: &rules::LintContext,
    findings: &mut Vec<Diagnostic>,
) -> usize {
    features::check_steps(&parsed.feature, &parsed.file, &parsed.shown, findings);
    let walks = walk::scenarios(&parsed.feature);
    for scenario in &walks {
        rules::lint_scenario(parsed, scenario, context, findings);
    }
    walks.len()
}

fn feature_paths(paths: &[PathBuf], config: Option<&Config>) -> Vec<PathBuf> {
    if !paths.is_empty() {
        return paths.to_vec();
    }
    match config {
        Some(c) => c.run.features.iter().map(|p| c.resolve_path(p)).collect(),
        None => vec![PathBuf::from("features")],
    }
}

fn load_config(
    given: Option<&Path>,
    display_root: &Path,
    outcome: &mut CheckOutcome,
) -> Option<Config> {
    let path = match given {
        Some(p) => p.to_owned(),
        None if Path::new(DEFAULT_CONFIG).is_file() => PathBuf::from(DEFAULT_CONFIG),
        None => {
            outcome.notes.push(format!(
                "no {DEFAULT_CONFIG} here and no --config: service, environment-variable and protected-environment checks are skipped"
            ));
            return None;
        }
    };
    match Config::load(&path) {
        Ok(config) => Some(config),
        Err(e) => {
            let found = config_diagnostics(&path, display_root, &e);
            outcome.findings.extend(found);
            None
        }
    }
}

/// The diagnostics of a configuration error, the file shown relative to
/// `display_root`, the last saying that the other checks went on without it.
fn config_diagnostics(path: &Path, display_root: &Path, error: &ConfigError) -> Vec<Diagnostic> {
    let full = path.display().to_string();
    let shown = features::display_path(path, display_root);
    let mut found = error.diagnostics();
    for d in &mut found {
        if let Some(at) = d.location.as_mut().filter(|at| at.file == full) {
            at.file.clone_from(&shown);
        }
    }
    if let Some(last) = found.pop() {
        found.push(last.with_help(
            "the other checks ran without the configuration; fix it and run `driftgate check` again",
        ));
    }
    found
}

/// Outline examples repeat their steps: keep each finding once.
fn dedupe(findings: &mut Vec<Diagnostic>) {
    let mut seen = BTreeSet::new();
    findings.retain(|d| {
        let at = d.location.as_ref().map(|l| (l.file.clone(), l.line, l.col));
        seen.insert((at, d.title.clone()))
    });
}

#[cfg(test)]
mod tests;
