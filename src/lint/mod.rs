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

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;

use crate::config::Config;
use crate::runner::Diagnostic;
use crate::runner::features::{self, ParsedFeature};
use crate::template::TemplateEngine;

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
        let files = BTreeSet::<&str>::from_iter(self.findings.iter().map(|d| d.file.as_str()));
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
            outcome
                .findings
                .push(config_diagnostic(&path, display_root, &e.to_string()));
            None
        }
    }
}

/// A configuration error as a diagnostic, at the line the TOML parser names.
fn config_diagnostic(path: &Path, display_root: &Path, message: &str) -> Diagnostic {
    static AT: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"line (\d+), column (\d+)").unwrap_or_else(|e| panic!("{e}")));
    let shown = features::display_path(path, display_root);
    let (line, col) = AT
        .captures(message)
        .and_then(|c| Some((c[1].parse().ok()?, c[2].parse().ok()?)))
        .unwrap_or((0, 0));
    let title = message.lines().next().unwrap_or(message).to_owned();
    let diagnostic = if line > 0 {
        Diagnostic::at(title, path, &shown, line, col).underline(col, 1)
    } else {
        Diagnostic {
            title,
            file: shown,
            line: 0,
            col: 0,
            source_line: None,
            width: 1,
            help: None,
        }
    };
    diagnostic.with_help(
        "the other checks ran without the configuration; fix it and run `driftgate check` again",
    )
}

/// Outline examples repeat their steps: keep each finding once.
fn dedupe(findings: &mut Vec<Diagnostic>) {
    let mut seen = BTreeSet::new();
    findings.retain(|d| seen.insert((d.file.clone(), d.line, d.col, d.title.clone())));
}

#[cfg(test)]
mod tests;
