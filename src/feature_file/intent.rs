//! driftgate's own rules for lines Gherkin reads as description text but
//! the author meant as structure. Gherkin accepts them, and the scenario
//! they were meant to be silently never runs:
//!
//! ```text
//! Feature: refunds
//!   Scenaro: full refund        ← `Scenaro:` is not a keyword: did you mean `Scenario:`?
//!     When I ask for a refund   ← (read as description, never run)
//! ```

use super::builder::ProseLine;
use super::dialect::{Dialect, Title};
use super::error::{SyntaxError, SyntaxErrorKind};
use crate::suggest::did_you_mean;

/// Errors for description lines that were meant as a keyword or a step.
///
/// - `Word:` close to a title keyword (`Scenaro:`, `Backgroud:`,
///   `scenario:`) and followed by a step, a table row or a docstring.
/// - In a file that defines no scenario at all, a step line in the
///   feature's or a rule's description (the `Scenario:` line is missing).
pub fn misread_lines(
    prose: &[ProseLine],
    dialect: &Dialect,
    has_scenarios: bool,
) -> Vec<SyntaxError> {
    let mut errors = Vec::new();
    let mut after_typo = false;
    for (i, line) in prose.iter().enumerate() {
        let next_is_step = prose
            .get(i + 1)
            .is_some_and(|next| next.block == line.block && looks_like_step(&next.text, dialect));
        if let Some((word, keyword)) = keyword_typo(&line.text, dialect)
            && next_is_step
        {
            errors.push(SyntaxError {
                line: line.line,
                col: line.col,
                kind: SyntaxErrorKind::KeywordTypo {
                    word: word.to_owned(),
                    keyword: keyword.to_owned(),
                },
            });
            after_typo = true;
            continue;
        }
        let step = dialect
            .step(&line.text)
            .is_some_and(|(word, _, _)| word.trim() != "*");
        if !step {
            after_typo = false;
        } else if !after_typo
            && !has_scenarios
            && matches!(line.block, Title::Feature | Title::Rule)
        {
            errors.push(SyntaxError {
                line: line.line,
                col: line.col,
                kind: SyntaxErrorKind::StepOutsideScenario {
                    text: line.text.clone(),
                },
            });
            // One report per run of steps is enough.
            after_typo = true;
        }
    }
    errors
}

/// `Scenaro: x` → (`Scenaro`, `Scenario`).
fn keyword_typo<'t, 'd>(text: &'t str, dialect: &'d Dialect) -> Option<(&'t str, &'d str)> {
    let (word, _) = text.split_once(':')?;
    if word.is_empty() || word.split_whitespace().count() > 3 {
        return None;
    }
    let keyword = did_you_mean(word, dialect.title_words())?;
    (keyword != word).then_some((word, keyword))
}

fn looks_like_step(text: &str, dialect: &Dialect) -> bool {
    dialect.step(text).is_some() || text.starts_with(['|', '"', '`'])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prose(lines: &[(&str, Title)]) -> Vec<ProseLine> {
        lines
            .iter()
            .enumerate()
            .map(|(i, (text, block))| ProseLine {
                line: i + 2,
                col: 3,
                text: (*text).to_owned(),
                block: *block,
            })
            .collect()
    }

    fn kinds(errors: &[SyntaxError]) -> Vec<(usize, String)> {
        errors.iter().map(|e| (e.line, e.to_string())).collect()
    }

    #[test]
    fn a_misspelled_keyword_before_steps_is_an_error() {
        let en = Dialect::default_dialect();
        let lines = prose(&[
            ("Scenaro: refund", Title::Feature),
            ("When I ask", Title::Feature),
            ("Then it is paid", Title::Feature),
        ]);
        assert_eq!(
            kinds(&misread_lines(&lines, en, true)),
            [(2, "`Scenaro:` is not a Gherkin keyword".to_owned())]
        );
        let lower = prose(&[("scenario: x", Title::Feature), ("* a", Title::Feature)]);
        assert_eq!(misread_lines(&lower, en, true).len(), 1);
    }

    #[test]
    fn prose_that_only_looks_like_a_keyword_is_fine() {
        let en = Dialect::default_dialect();
        let lines = prose(&[
            ("Rules: customers pay first", Title::Feature),
            ("and then ship", Title::Feature),
            ("Given the history, we changed it", Title::Feature),
        ]);
        assert!(misread_lines(&lines, en, true).is_empty());
    }

    #[test]
    fn steps_in_a_file_without_scenarios_are_an_error_once() {
        let en = Dialect::default_dialect();
        let lines = prose(&[("Given a", Title::Feature), ("When b", Title::Feature)]);
        assert_eq!(
            kinds(&misread_lines(&lines, en, false)),
            [(2, "step `Given a` is outside any scenario".to_owned())]
        );
    }
}
