//! Why a feature file cannot be read, in words a QA engineer understands,
//! at the line and column Cucumber's own parser names.
//!
//! ```text
//! error: `Scenaro: refund` is not a Gherkin keyword line
//!   --> features/refund.feature:3:3
//!    = help: did you mean `Scenario:`? Misspelled, the line is read as description text
//! ```

/// One problem in a feature file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind}")]
pub struct SyntaxError {
    /// 1-based line; one past the last line for an early end of the file.
    pub line: usize,
    /// 1-based column (0 for an early end of the file).
    pub col: usize,
    /// What is wrong.
    pub kind: SyntaxErrorKind,
}

/// What is wrong with a feature file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyntaxErrorKind {
    /// A line that Gherkin does not allow where it stands.
    #[error("`{text}` is not valid here")]
    UnexpectedLine {
        /// The line, shortened.
        text: String,
        /// What Gherkin would have accepted, as advice.
        help: String,
    },
    /// The file ends inside a docstring.
    #[error("the docstring opened at line {opened} is never closed")]
    UnclosedDocString {
        /// The line of the opening separator.
        opened: usize,
        /// The separator that closes it.
        separator: &'static str,
    },
    /// The file ends before what it opened is complete.
    #[error("the file ends too early")]
    UnexpectedEnd {
        /// What is missing.
        help: String,
    },
    /// A data table row with another number of cells than the table's first row.
    #[error("data table row has {cells} cell(s) but the table's first row has {first}")]
    InconsistentCells {
        /// Cells in this row.
        cells: usize,
        /// Cells in the first row.
        first: usize,
    },
    /// An Examples row with another number of cells than its header.
    #[error("Examples row has {cells} cells but the header has {first}")]
    InconsistentExamples {
        /// Cells in this row.
        cells: usize,
        /// Cells in the header.
        first: usize,
    },
    /// `# language:` names a language Gherkin does not know.
    #[error("unknown Gherkin language `{code}` in `# language:`")]
    UnknownLanguage {
        /// The code as written.
        code: String,
        /// The closest known code.
        suggestion: Option<&'static str>,
    },
    /// `@a tag` holds whitespace.
    #[error("a tag may not contain whitespace")]
    TagWithSpace,
    /// So many errors that reading stopped, as Cucumber's parser does.
    #[error("too many errors; the rest of the file was not read")]
    TooManyErrors,
    /// A line that looks like a misspelled keyword (`Scenaro:`), which
    /// Gherkin reads as description text.
    #[error("`{word}:` is not a Gherkin keyword")]
    KeywordTypo {
        /// The word before the colon.
        word: String,
        /// The keyword it is closest to.
        keyword: String,
    },
    /// A step line in a feature's or rule's description, outside any scenario.
    #[error("step `{text}` is outside any scenario")]
    StepOutsideScenario {
        /// The step line.
        text: String,
    },
}

impl SyntaxError {
    /// What to do about it.
    pub fn help(&self) -> String {
        match &self.kind {
            SyntaxErrorKind::UnexpectedLine { help, .. }
            | SyntaxErrorKind::UnexpectedEnd { help } => help.clone(),
            SyntaxErrorKind::UnclosedDocString { separator, .. } => format!(
                "the file ends inside it: close it with {separator} on a line of its own"
            ),
            SyntaxErrorKind::InconsistentExamples { .. } => {
                "every row of an Examples table needs one cell per header column; a cell ends at `|` (write `\\|` for a `|` inside a cell)".into()
            }
            SyntaxErrorKind::InconsistentCells { .. } => {
                "every row of a table needs one cell per column; a cell ends at `|` (write `\\|` for a `|` inside a cell)".into()
            }
            SyntaxErrorKind::UnknownLanguage { suggestion, .. } => match suggestion {
                Some(code) => format!(
                    "did you mean `# language: {code}`? Without a known language the file is read as English"
                ),
                None => "use a Gherkin language code such as `en`, `de` or `fr`; without one the file is read as English".into(),
            },
            SyntaxErrorKind::TooManyErrors => {
                "fix the errors above first; is this a Gherkin feature file?".into()
            }
            SyntaxErrorKind::TagWithSpace => {
                "a tag is `@` and a word: write `@one_word`, or start each tag with its own `@`".into()
            }
            SyntaxErrorKind::KeywordTypo { keyword, .. } => format!(
                "did you mean `{keyword}:`? Misspelled, the line and the steps under it are read as description text and never run"
            ),
            SyntaxErrorKind::StepOutsideScenario { .. } => {
                "steps belong under a `Scenario:` (or `Background:`) line; here the line is read as description text and never runs".into()
            }
        }
    }
}
