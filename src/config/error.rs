//! Why a `driftgate.toml` cannot be used: unreadable, not TOML (or not the
//! schema), or one or more invalid values, each at its line and column.
//!
//! ```text
//! error: invalid config `run.concurrency`: must be at least 1
//!  --> driftgate.toml:2:15
//!   |
//! 2 | concurrency = 0
//!   |               ^
//!
//! error: invalid config `run.default_service`: no environment defines a service `erpp`
//!  --> driftgate.toml:3:19
//!   |
//! 3 | default_service = "erpp"
//!   |                   ^^^^^^
//!   = help: did you mean `erp`?
//!
//! error: 2 problems in driftgate.toml
//! ```

use std::fmt;
use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnose, Diagnostic, Location, location_of_offset};

/// Errors found in a configuration file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML or does not fit the schema.
    #[error("invalid config {}", place(path, message, at.as_ref()))]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        message: String,
        /// Where the parser stopped, when it says.
        at: Option<Location>,
    },
    /// Values are present but wrong: every problem the file has.
    #[error("{}", invalid_text(path, problems))]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong, in file order where known.
        problems: Vec<ConfigProblem>,
    },
    /// The run names an environment the file does not define.
    #[error("unknown environment `{name}` in {path}{}; defined: {defined}", suggestion.as_ref().map(|s| format!(", did you mean `{s}`?")).unwrap_or_default())]
    UnknownEnvironment {
        /// The file.
        path: PathBuf,
        /// The name asked for.
        name: String,
        /// The closest defined name.
        suggestion: Option<String>,
        /// The names defined, joined (`none` without any).
        defined: String,
    },
}

/// One wrong value of a configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    /// Dotted key path of the offending value (`environments.prod.services.erp.timeout_ms`).
    pub key: String,
    /// What is wrong.
    pub message: String,
    /// What to do, when there is more to say than the message (a did-you-mean).
    pub help: Option<String>,
    /// Where the value is written, when the file's text was at hand.
    pub at: Option<Location>,
}

impl ConfigProblem {
    /// A problem with the value at `key`.
    pub fn new(key: impl Into<String>, message: impl Into<String>) -> ConfigProblem {
        ConfigProblem {
            key: key.into(),
            message: message.into(),
            help: None,
            at: None,
        }
    }

    /// Adds what to do.
    pub fn with_help(mut self, help: Option<String>) -> ConfigProblem {
        self.help = help;
        self
    }
}

impl ConfigError {
    /// A single wrong value at `key` of the file at `path`, found after
    /// loading (resolving an environment's secrets): located by reading the
    /// file again, when it can be read.
    pub fn invalid(path: &Path, key: impl Into<String>, message: impl Into<String>) -> ConfigError {
        let mut problem = ConfigProblem::new(key, message);
        if let Ok(text) = std::fs::read_to_string(path) {
            problem.at = super::spans::locate(&text, &path.display().to_string(), &problem.key);
        }
        ConfigError::Invalid {
            path: path.to_owned(),
            problems: vec![problem],
        }
    }

    /// A toml error of the file at `path` whose text is `text`, at the span
    /// the parser names.
    pub(super) fn parse(path: &Path, text: Option<&str>, e: &toml::de::Error) -> ConfigError {
        ConfigError::Parse {
            path: path.to_owned(),
            message: e.message().trim().to_owned(),
            at: text
                .zip(e.span())
                .map(|(text, span)| location_of_offset(path.display().to_string(), text, span)),
        }
    }
}

/// `driftgate.toml:2:17: invalid value … (in `clock_skew_ms = -3`)`.
fn place(path: &Path, message: &str, at: Option<&Location>) -> String {
    let message = message.replace('\n', "; ");
    match at {
        Some(at) => {
            let line = at.source_line.as_deref().unwrap_or_default().trim();
            format!(
                "{}:{}:{}: {message} (in `{line}`)",
                path.display(),
                at.line,
                at.col
            )
        }
        None => format!("{}: {message}", path.display()),
    }
}

fn invalid_text(path: &Path, problems: &[ConfigProblem]) -> String {
    match problems {
        [one] => format!("invalid config {}: {one}", path.display()),
        many => {
            let mut text = format!("{} problems in {}:", many.len(), path.display());
            for p in many {
                text.push_str(&format!("\n  {p}"));
            }
            text
        }
    }
}

impl Diagnose for ConfigError {
    fn diagnostics(&self) -> Vec<Diagnostic> {
        let file = |path: &Path| Location::file(path.display().to_string());
        match self {
            ConfigError::Read { path, source } => vec![
                Diagnostic::error(format!("cannot read config {}: {source}", path.display()))
                    .with_help(
                        "pass --config PATH or create driftgate.toml in the current directory",
                    ),
            ],
            ConfigError::Parse { path, message, at } => {
                let mut lines = message.lines();
                let title = lines.next().unwrap_or_default();
                let mut d = Diagnostic::error(format!("invalid config: {title}"))
                    .located(at.clone().unwrap_or_else(|| file(path)));
                for line in lines.filter(|l| !l.trim().is_empty()) {
                    d = d.with_note(line.trim());
                }
                vec![d]
            }
            ConfigError::Invalid { path, problems } => problems
                .iter()
                .map(|p| {
                    Diagnostic::error(format!("invalid config `{}`: {}", p.key, p.message))
                        .located(p.at.clone().unwrap_or_else(|| file(path)))
                        .with_help_if(p.help.as_deref())
                })
                .collect(),
            ConfigError::UnknownEnvironment {
                path,
                name,
                suggestion,
                defined,
            } => {
                let d =
                    Diagnostic::error(format!("unknown environment `{name}`")).located(file(path));
                let d = match suggestion {
                    Some(s) => d.with_help(format!("did you mean `{s}`?")),
                    None => d.with_help("name one of the [environments.NAME] tables of the file"),
                };
                vec![d.with_note(format!("defined: {defined}"))]
            }
        }
    }

    /// With several invalid values, how many and in which file.
    fn summary(&self) -> Option<Diagnostic> {
        match self {
            ConfigError::Invalid { path, problems } if problems.len() > 1 => Some(
                Diagnostic::error(format!("{} problems in {}", problems.len(), path.display())),
            ),
            _ => None,
        }
    }
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`: {}", self.key, self.message)?;
        match &self.help {
            Some(help) => write!(f, "; {help}"),
            None => Ok(()),
        }
    }
}
