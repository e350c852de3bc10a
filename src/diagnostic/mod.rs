//! The one shape of everything driftgate tells a user went wrong: a title,
//! where (file, line, column, the line itself and a caret), what to do
//! (help lines) and what else to know (notes), rendered rustc-style, in
//! colour on a terminal and plain elsewhere.
//!
//! ```text
//! error: unknown step
//!   --> features/order_sync.feature:12:5
//!    |
//! 12 |     When I sned a GET request to "/api/orders"
//!    |          ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
//!    = help: did you mean `I send a GET request to "/api/orders/{{ orderId }}" on "erp"`?
//! ```
//!
//! Error types of every layer implement [`Diagnose`]; the command line
//! renders what they return in one place. This module imports no other
//! driftgate module, so any layer may depend on it.

mod render;
mod source;

#[cfg(test)]
mod tests;

use std::path::Path;

pub use render::Styling;
pub use source::{location_of_offset, source_line};

/// How serious a diagnostic is: the word that starts its first line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Nothing was done, or the input is unusable (`error:`).
    Error,
    /// Done, but something is off (`warning:`).
    Warning,
    /// Information that is not a problem (`note:`).
    Note,
}

impl Level {
    /// The word as printed.
    pub fn word(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "note",
        }
    }
}

/// Where in a user file (or on the command line) a problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file as shown to the user, or a command-line option (`--tags`).
    pub file: String,
    /// 1-based line; 0 when the problem concerns the whole file or a
    /// command-line value.
    pub line: usize,
    /// 1-based column of the caret start; 0 when unknown.
    pub col: usize,
    /// The text of that line, shown with a caret under the column.
    pub source_line: Option<String>,
    /// How many characters the caret underlines (at least 1).
    pub width: usize,
}

impl Location {
    /// A whole file (or a command-line option): no line, no caret.
    pub fn file(shown: impl Into<String>) -> Location {
        Location {
            file: shown.into(),
            line: 0,
            col: 0,
            source_line: None,
            width: 1,
        }
    }

    /// Character `col` (1-based) of a command-line value such as `--tags`.
    pub fn character(option: impl Into<String>, col: usize) -> Location {
        Location {
            col,
            ..Location::file(option)
        }
    }

    /// `line:col` of `text` (the file's content, shown as `shown`); the
    /// caret underlines from `col` to the end of the line.
    pub fn in_text(shown: impl Into<String>, text: &str, line: usize, col: usize) -> Location {
        let source_line = source_line(text, line);
        let width = source_line
            .as_deref()
            .map(|l| {
                l.chars()
                    .count()
                    .saturating_sub(col.saturating_sub(1))
                    .max(1)
            })
            .unwrap_or(1);
        Location {
            file: shown.into(),
            line,
            col,
            source_line,
            width,
        }
    }

    /// `line:col` of the file at `path` (shown as `shown`), reading the
    /// line's text from the file; without it when the file cannot be read.
    pub fn in_file(path: &Path, shown: impl Into<String>, line: usize, col: usize) -> Location {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        Location::in_text(shown, &text, line, col)
    }
}

/// One thing to tell the user: what is wrong, where, and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// How serious it is.
    pub level: Level,
    /// What is wrong, in a few words.
    pub title: String,
    /// Where, when it is in a file or a command-line value (boxed: most
    /// diagnostics travel in a `Result`, which stays small).
    pub location: Option<Box<Location>>,
    /// What to do about it, one line each (`= help: …`).
    pub help: Vec<String>,
    /// What else to know, one line each (`= note: …`).
    pub notes: Vec<String>,
}

impl Diagnostic {
    /// An error without a location.
    pub fn error(title: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Level::Error, title)
    }

    /// A warning without a location.
    pub fn warning(title: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Level::Warning, title)
    }

    /// A note without a location.
    pub fn note(title: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Level::Note, title)
    }

    fn new(level: Level, title: impl Into<String>) -> Diagnostic {
        Diagnostic {
            level,
            title: title.into(),
            location: None,
            help: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// An error at `line:col` of the file at `path` (shown as `shown`),
    /// reading the line's text from the file.
    pub fn at(
        title: impl Into<String>,
        path: &Path,
        shown: &str,
        line: usize,
        col: usize,
    ) -> Diagnostic {
        Diagnostic::error(title).located(Location::in_file(path, shown, line, col))
    }

    /// Places it at `location`.
    pub fn located(mut self, location: Location) -> Diagnostic {
        self.location = Some(Box::new(location));
        self
    }

    /// Adds a line saying what to do.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help.push(help.into());
        self
    }

    /// Adds a line saying what to do, when there is one.
    pub fn with_help_if(self, help: Option<impl Into<String>>) -> Diagnostic {
        match help {
            Some(help) => self.with_help(help),
            None => self,
        }
    }

    /// Adds a line of context.
    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    /// Moves the caret to start at `col` and span `width` characters.
    pub fn underline(mut self, col: usize, width: usize) -> Diagnostic {
        if let Some(location) = &mut self.location {
            location.col = col;
            location.width = width.max(1);
        }
        self
    }

    /// The file it is in, if any.
    pub fn file(&self) -> Option<&str> {
        self.location.as_ref().map(|l| l.file.as_str())
    }

    /// The 1-based line it is at; 0 without one.
    pub fn line(&self) -> usize {
        self.location.as_ref().map_or(0, |l| l.line)
    }

    /// The diagnostic as text: ANSI-styled with [`Styling::Colour`], plain
    /// with [`Styling::Plain`]. Ends with a newline.
    pub fn render(&self, styling: Styling) -> String {
        render::diagnostic(self, styling)
    }
}

/// The plain rendering (see [`Diagnostic::render`]).
impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render(Styling::Plain))
    }
}

/// An error that can say, rustc-style, what went wrong: one or more
/// diagnostics (several when a file has several problems), and a closing
/// line that counts them.
pub trait Diagnose {
    /// What to show the user, in order.
    fn diagnostics(&self) -> Vec<Diagnostic>;

    /// The line after the diagnostics (`error: 3 problems in driftgate.toml`),
    /// when there is one.
    fn summary(&self) -> Option<Diagnostic> {
        None
    }
}

/// A diagnostic made on the spot (a command-line problem) is its own error.
impl Diagnose for Diagnostic {
    fn diagnostics(&self) -> Vec<Diagnostic> {
        vec![self.clone()]
    }
}

/// Renders diagnostics one after the other, separated by a blank line.
pub fn render_all(diagnostics: &[Diagnostic], styling: Styling) -> String {
    diagnostics
        .iter()
        .map(|d| d.render(styling))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The diagnostics of `error` and its summary, rendered one after the other.
pub fn render_error(error: &dyn Diagnose, styling: Styling) -> String {
    let mut all = error.diagnostics();
    all.extend(error.summary());
    render_all(&all, styling)
}
