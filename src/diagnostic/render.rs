//! A [`Diagnostic`] as text, the way rustc prints one: plain, or with ANSI
//! styles that a terminal shows in colour (the command line writes through
//! a stream that strips them where colour is off).
//!
//! ```text
//! error: unknown step
//!  --> features/a.feature:3:10
//!   |
//! 3 |     When I sned it
//!   |          ^^^^^^^^^
//!   = help: did you mean `I send it`?
//! ```

use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};

use super::{Diagnostic, Level};

/// Whether rendered text carries ANSI styles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Styling {
    /// Plain text: files, JUnit and HTML reports, tests.
    Plain,
    /// ANSI styles: a terminal.
    Colour,
}

/// The styles of each part, none when plain.
#[derive(Default)]
struct Palette {
    level: Style,
    title: Style,
    gutter: Style,
    caret: Style,
    label: Style,
}

impl Palette {
    fn of(styling: Styling, level: Level) -> Palette {
        if styling == Styling::Plain {
            return Palette::default();
        }
        let colour = match level {
            Level::Error => AnsiColor::BrightRed,
            Level::Warning => AnsiColor::BrightYellow,
            Level::Note => AnsiColor::BrightGreen,
        };
        let level = Style::new().bold().fg_color(Some(colour.into()));
        Palette {
            level,
            title: Style::new().bold(),
            gutter: Style::new()
                .bold()
                .fg_color(Some(AnsiColor::BrightBlue.into())),
            caret: level,
            label: Style::new().bold(),
        }
    }
}

/// Renders one diagnostic; the text ends with a newline.
pub(super) fn diagnostic(d: &Diagnostic, styling: Styling) -> String {
    let p = Palette::of(styling, d.level);
    let mut out = String::new();
    let (lvl, title, gutter, caret, label) = (p.level, p.title, p.gutter, p.caret, p.label);
    let _ = writeln!(
        out,
        "{lvl}{}{lvl:#}{title}: {}{title:#}",
        d.level.word(),
        d.title
    );
    let number = d
        .location
        .as_ref()
        .filter(|l| l.line > 0)
        .map(|l| l.line.to_string())
        .unwrap_or_default();
    let pad = " ".repeat(number.len().max(1));
    if let Some(at) = &d.location {
        let place = match (at.line, at.col) {
            (0, 0) => at.file.clone(),
            // A command-line value: point at the character.
            (0, col) => format!("{}, character {col}", at.file),
            (line, col) => format!("{}:{line}:{}", at.file, col.max(1)),
        };
        let _ = writeln!(out, "{pad}{gutter}-->{gutter:#} {place}");
        if let Some(src) = at.source_line.as_deref().filter(|_| at.line > 0) {
            let _ = writeln!(out, "{pad} {gutter}|{gutter:#}");
            let _ = writeln!(out, "{gutter}{number} |{gutter:#} {src}");
            // Keep the line's own tabs so the caret sits under the column.
            let before = at.col.saturating_sub(1);
            let mut indent: String = src
                .chars()
                .take(before)
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            indent.push_str(&" ".repeat(before.saturating_sub(indent.chars().count())));
            let _ = writeln!(
                out,
                "{pad} {gutter}|{gutter:#} {indent}{caret}{}{caret:#}",
                "^".repeat(at.width.max(1))
            );
        }
    }
    for (word, lines) in [("help", &d.help), ("note", &d.notes)] {
        for line in lines {
            let _ = writeln!(
                out,
                "{pad} {gutter}={gutter:#} {label}{word}{label:#}: {line}"
            );
        }
    }
    out
}
