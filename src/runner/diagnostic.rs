//! Errors in user files rendered rustc-style: location, the line, a caret, a hint.
//!
//! ```text
//! error: unknown step
//!   --> features/order_sync.feature:12:5
//!    |
//! 12 |     When I sned a GET request to "/api/orders"
//!    |          ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
//!    = help: did you mean `I send a GET request to "/api/orders/{{ orderId }}" on "erp"`?
//! ```

use std::fmt;
use std::path::Path;

/// One finding in a user file.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// What is wrong, in a few words.
    pub title: String,
    /// The file as shown to the user.
    pub file: String,
    /// 1-based line (0 when unknown).
    pub line: usize,
    /// 1-based column of the caret start (0 when unknown).
    pub col: usize,
    /// The text of that line.
    pub source_line: Option<String>,
    /// How many characters the caret underlines.
    pub width: usize,
    /// What to do about it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A diagnostic at `line:col` of `path`, reading the line's text from the file.
    pub fn at(
        title: impl Into<String>,
        path: &Path,
        shown: &str,
        line: usize,
        col: usize,
    ) -> Diagnostic {
        let source_line = std::fs::read_to_string(path)
            .ok()
            .and_then(|text| text.lines().nth(line.saturating_sub(1)).map(str::to_owned));
        let width = source_line
            .as_deref()
            .map(|l| {
                l.chars()
                    .count()
                    .saturating_sub(col.saturating_sub(1))
                    .max(1)
            })
            .unwrap_or(1);
        Diagnostic {
            title: title.into(),
            file: shown.to_owned(),
            line,
            col,
            source_line,
            width,
            help: None,
        }
    }

    /// Adds a hint.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Moves the caret to start at `col` and span `width` characters.
    pub fn underline(mut self, col: usize, width: usize) -> Diagnostic {
        self.col = col;
        self.width = width.max(1);
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "error: {}", self.title)?;
        let number = self.line.to_string();
        let pad = " ".repeat(number.len());
        if self.line == 0 && self.col > 0 {
            // A command-line value: point at the character.
            writeln!(f, "{pad}--> {}, character {}", self.file, self.col)?;
        } else if self.line == 0 {
            writeln!(f, "{pad}--> {}", self.file)?;
        } else {
            writeln!(
                f,
                "{pad}--> {}:{}:{}",
                self.file,
                self.line,
                self.col.max(1)
            )?;
        }
        if let Some(src) = &self.source_line {
            writeln!(f, "{pad} |")?;
            writeln!(f, "{number} | {src}")?;
            // Keep the line's own tabs so the caret sits under the column.
            let before = self.col.saturating_sub(1);
            let mut indent: String = src
                .chars()
                .take(before)
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            indent.push_str(&" ".repeat(before.saturating_sub(indent.chars().count())));
            writeln!(f, "{pad} | {indent}{}", "^".repeat(self.width))?;
        }
        if let Some(help) = &self.help {
            writeln!(f, "{pad} = help: {help}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_rustc() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.feature");
        std::fs::write(&path, "Feature: x\n  Scenario: y\n    When I sned it\n").unwrap();
        let d = Diagnostic::at("unknown step", &path, "features/a.feature", 3, 10)
            .underline(10, 9)
            .with_help("did you mean `I send it`?");
        let text = d.to_string();
        assert_eq!(
            text,
            "error: unknown step\n --> features/a.feature:3:10\n  |\n3 |     When I sned it\n  |          ^^^^^^^^^\n  = help: did you mean `I send it`?\n"
        );
    }
}
