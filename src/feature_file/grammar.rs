//! Gherkin's grammar as a line-by-line state machine, the way Cucumber's
//! official parser reads a file: each state lists the kinds of line it
//! accepts, in the order they are tried; a line no kind accepts is an error
//! at that line, and reading goes on in the same state, so one file can
//! report several errors.
//!
//! ```text
//! Feature: refunds            Start → Header(Feature)
//!   Scenario: full refund     → Header(Scenario)
//!     When I ask for it       → Step(Scenario)
//!       | id |                → StepTable(Scenario)
//!     Examples:               → Header(Examples)
//! ```
//!
//! Tags are the one ambiguity: `@tag` after a scenario's steps may label
//! the next `Examples:`, `Scenario:` or `Rule:`. As in the official parser,
//! the lines after the tags decide.

use super::builder::{Builder, Token};
use super::dialect::{Dialect, Title};
use super::error::{SyntaxError, SyntaxErrorKind};
use super::line::Line;
use crate::suggest::did_you_mean;

/// Which block a step belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Owner {
    Background,
    Scenario,
}

/// The arguments a step already has: one data table and one docstring at
/// most, in either order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Args {
    table: bool,
    docstring: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Start,
    AfterLanguage,
    FeatureTags,
    /// A title line was read; blank lines may come before its description.
    Header(Title),
    Description(Title),
    Step(Owner, Args),
    StepTable(Owner, Args),
    DocString(Owner, Args),
    ExamplesTable,
    /// Tags that label the next block of this kind.
    Tags(Title),
}

/// A kind of line, as the grammar names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Eof,
    Empty,
    Comment,
    Language,
    /// A tag line; with a title, only when the next line that is not blank,
    /// a comment or more tags opens that block.
    TagsBefore(Option<Title>),
    Title(Title),
    Step,
    TableRow,
    DocStringSeparator,
    Other,
}

use Kind::{
    Comment, DocStringSeparator, Empty, Eof, Language, Other, Step as StepLine, TableRow,
    TagsBefore,
};

const SCENARIO_STARTS: [Kind; 4] = [
    TagsBefore(Some(Title::Scenario)),
    TagsBefore(None),
    Kind::Title(Title::Scenario),
    Kind::Title(Title::Rule),
];
const EXAMPLES_STARTS: [Kind; 2] = [
    TagsBefore(Some(Title::Examples)),
    Kind::Title(Title::Examples),
];

/// What may follow the title (and description) of a block.
fn after_title(block: Title) -> Vec<Kind> {
    let mut kinds = match block {
        Title::Feature | Title::Rule => vec![Kind::Title(Title::Background)],
        Title::Background | Title::Scenario => vec![StepLine],
        Title::Examples => vec![TableRow],
    };
    if block == Title::Scenario || block == Title::Examples {
        kinds.extend(EXAMPLES_STARTS);
    }
    kinds.extend(SCENARIO_STARTS);
    kinds
}

/// What may follow a step and its arguments.
fn after_step(owner: Owner, args: Args, in_table: bool) -> Vec<Kind> {
    let mut kinds = vec![Eof];
    if in_table || !args.table {
        kinds.push(TableRow);
    }
    if !args.docstring {
        kinds.push(DocStringSeparator);
    }
    kinds.push(StepLine);
    if owner == Owner::Scenario {
        kinds.extend(EXAMPLES_STARTS);
    }
    kinds.extend(SCENARIO_STARTS);
    kinds.extend([Comment, Empty]);
    kinds
}

impl State {
    /// The kinds of line this state accepts, in the order they are tried.
    fn accepts(self) -> Vec<Kind> {
        match self {
            State::Start => vec![
                Eof,
                Language,
                TagsBefore(None),
                Kind::Title(Title::Feature),
                Comment,
                Empty,
            ],
            State::AfterLanguage | State::FeatureTags => vec![
                TagsBefore(None),
                Kind::Title(Title::Feature),
                Comment,
                Empty,
            ],
            State::Header(block) => [Eof, Empty, Comment]
                .into_iter()
                .chain(after_title(block))
                .chain([Other])
                .collect(),
            State::Description(block) => [Eof, Comment]
                .into_iter()
                .chain(after_title(block))
                .chain([Other])
                .collect(),
            State::Step(owner, args) => after_step(owner, args, false),
            State::StepTable(owner, args) => after_step(owner, args, true),
            State::DocString(..) => vec![DocStringSeparator, Other],
            State::ExamplesTable => [Eof, TableRow]
                .into_iter()
                .chain(EXAMPLES_STARTS)
                .chain(SCENARIO_STARTS)
                .chain([Comment, Empty])
                .collect(),
            State::Tags(block) => {
                vec![TagsBefore(None), Kind::Title(block), Comment, Empty]
            }
        }
    }

    /// The state after a line of `kind`.
    fn next(self, kind: Kind) -> State {
        let owner = match self {
            State::Header(Title::Background) | State::Description(Title::Background) => {
                Owner::Background
            }
            State::Step(o, _) | State::StepTable(o, _) | State::DocString(o, _) => o,
            _ => Owner::Scenario,
        };
        let args = match self {
            State::Step(_, a) | State::StepTable(_, a) | State::DocString(_, a) => a,
            _ => Args::default(),
        };
        match kind {
            Eof | Empty | Comment => self,
            Language => State::AfterLanguage,
            TagsBefore(Some(block)) => State::Tags(block),
            TagsBefore(None) => match self {
                State::Start | State::AfterLanguage | State::FeatureTags => State::FeatureTags,
                State::Tags(block) => State::Tags(block),
                _ => State::Tags(Title::Rule),
            },
            Kind::Title(block) => State::Header(block),
            StepLine => State::Step(owner, Args::default()),
            TableRow => match self {
                State::Step(..) | State::StepTable(..) => State::StepTable(
                    owner,
                    Args {
                        table: true,
                        ..args
                    },
                ),
                _ => State::ExamplesTable,
            },
            DocStringSeparator => match self {
                State::DocString(..) => State::Step(owner, args),
                _ => State::DocString(
                    owner,
                    Args {
                        docstring: true,
                        ..args
                    },
                ),
            },
            Other => match self {
                State::Header(block) | State::Description(block) => State::Description(block),
                other => other,
            },
        }
    }
}

/// Errors after which reading stops (Cucumber's parser stops after ten too).
const MAX_ERRORS: usize = 10;

/// Reads a whole file: feeds what the grammar accepts to `builder` and
/// returns the grammar's errors and the file's language.
pub fn read(lines: &[Line<'_>], builder: &mut Builder) -> (Vec<SyntaxError>, &'static Dialect) {
    let mut reader = Reader {
        lines,
        dialect: Dialect::default_dialect(),
        state: State::Start,
        docstring: None,
        tags_line: 0,
        errors: Vec::new(),
    };
    for (i, line) in lines.iter().enumerate() {
        if reader.errors.len() >= MAX_ERRORS {
            reader.errors.push(SyntaxError {
                line: line.number,
                col: line.col(),
                kind: SyntaxErrorKind::TooManyErrors,
            });
            return (reader.errors, reader.dialect);
        }
        reader.line(i, line, builder);
    }
    reader.end(lines.len() + 1);
    (reader.errors, reader.dialect)
}

struct Reader<'l, 'a> {
    lines: &'l [Line<'a>],
    dialect: &'static Dialect,
    state: State,
    /// The open docstring's separator, indentation and line.
    docstring: Option<(&'static str, usize, usize)>,
    /// The line of the last tags, for an early end of the file.
    tags_line: usize,
    errors: Vec<SyntaxError>,
}

impl<'a> Reader<'_, 'a> {
    fn line(&mut self, index: usize, line: &Line<'a>, builder: &mut Builder) {
        if let State::DocString(..) = self.state {
            let token = self.docstring_line(line);
            if let Token::DocStringClose = token {
                self.state = self.state.next(DocStringSeparator);
            }
            builder.take(line, token);
            return;
        }
        for kind in self.state.accepts() {
            if let Some(token) = self.matches(kind, index, line) {
                if let TagsBefore(_) = kind {
                    self.tags_line = line.number;
                }
                if let Some(token) = token {
                    builder.take(line, token);
                }
                self.state = self.state.next(kind);
                return;
            }
        }
        let help = self.unexpected_help(line);
        let text: String = line.trimmed.chars().take(60).collect();
        let text = if text.len() < line.trimmed.len() {
            format!("{text}…")
        } else {
            text
        };
        self.errors.push(SyntaxError {
            line: line.number,
            col: line.col(),
            kind: SyntaxErrorKind::UnexpectedLine { text, help },
        });
    }

    /// Whether `line` is of `kind` here; `Some(None)` for a line the
    /// builder does not need (blank lines, comments).
    fn matches(&mut self, kind: Kind, index: usize, line: &Line<'a>) -> Option<Option<Token<'a>>> {
        match kind {
            Eof => None,
            Empty => line.trimmed.is_empty().then_some(None),
            Comment => line.trimmed.starts_with('#').then_some(None),
            Language => self.language(line).then_some(None),
            TagsBefore(target) => {
                if !line.trimmed.starts_with('@') {
                    return None;
                }
                if let Some(block) = target
                    && self.title_ahead(index) != Some(block)
                {
                    return None;
                }
                let tags = match line.tags() {
                    Ok(tags) => tags,
                    Err(bad) => {
                        self.errors.push(SyntaxError {
                            line: line.number,
                            col: bad.col,
                            kind: SyntaxErrorKind::TagWithSpace,
                        });
                        Vec::new()
                    }
                };
                Some(Some(Token::Tags(tags)))
            }
            Kind::Title(wanted) => {
                let (keyword, title, rest) = self.dialect.title(line.trimmed)?;
                (title == wanted).then_some(Some(Token::Title {
                    title,
                    keyword,
                    name: rest.trim(),
                }))
            }
            StepLine => {
                let (keyword, kind, rest) = self.dialect.step(line.trimmed)?;
                Some(Some(Token::Step {
                    keyword,
                    kind,
                    text: rest.trim(),
                }))
            }
            TableRow => line
                .trimmed
                .starts_with('|')
                .then(|| Some(Token::TableRow(line.cells()))),
            DocStringSeparator => {
                let separator = ["\"\"\"", "```"]
                    .into_iter()
                    .find(|s| line.trimmed.starts_with(s))?;
                self.docstring = Some((separator, line.indent, line.number));
                Some(Some(Token::DocStringOpen {
                    indent: line.indent,
                    separator,
                }))
            }
            Other => Some(Some(Token::Description)),
        }
    }

    fn docstring_line(&mut self, line: &Line<'a>) -> Token<'a> {
        match self.docstring {
            Some((separator, ..)) if line.trimmed.starts_with(separator) => {
                self.docstring = None;
                Token::DocStringClose
            }
            _ => Token::DocStringLine,
        }
    }

    /// A `# language: xx` line; an unknown language is an error and the
    /// line is then a comment.
    fn language(&mut self, line: &Line<'a>) -> bool {
        let Some(code) = language_code(line.trimmed) else {
            return false;
        };
        match Dialect::named(code) {
            Some(dialect) => {
                self.dialect = dialect;
                true
            }
            None => {
                self.errors.push(SyntaxError {
                    line: line.number,
                    col: line.col(),
                    kind: SyntaxErrorKind::UnknownLanguage {
                        code: code.to_owned(),
                        suggestion: did_you_mean(code, Dialect::codes()),
                    },
                });
                false
            }
        }
    }

    /// The block the next line that is not blank, a comment or tags opens.
    fn title_ahead(&self, index: usize) -> Option<Title> {
        let next = self.lines.get(index + 1..)?.iter().find(|l| {
            !(l.trimmed.is_empty() || l.trimmed.starts_with('#') || l.trimmed.starts_with('@'))
        })?;
        self.dialect.title(next.trimmed).map(|(_, title, _)| title)
    }

    fn end(&mut self, eof_line: usize) {
        if self.state.accepts().contains(&Eof) {
            return;
        }
        if let (State::DocString(..), Some((separator, _, opened))) = (self.state, self.docstring) {
            self.errors.push(SyntaxError {
                line: eof_line,
                col: 0,
                kind: SyntaxErrorKind::UnclosedDocString { opened, separator },
            });
            return;
        }
        let help = match self.state {
            State::Tags(_) | State::FeatureTags => format!(
                "the tags at line {} label nothing: tags go on the line just before a `Feature:`, `Rule:`, `Scenario:` or `Examples:` line",
                self.tags_line
            ),
            _ => "a feature file needs a `Feature:` line after its `# language:` line".into(),
        };
        self.errors.push(SyntaxError {
            line: eof_line,
            col: 0,
            kind: SyntaxErrorKind::UnexpectedEnd { help },
        });
    }

    /// Advice for a line no kind accepts here.
    fn unexpected_help(&self, line: &Line<'_>) -> String {
        let mut help = match self.state {
            State::Start | State::AfterLanguage | State::FeatureTags => {
                "a feature file starts with a `Feature:` line; only tags, comments, blank lines and `# language:` may come before it".to_owned()
            }
            State::Step(_, args) | State::StepTable(_, args)
                if args.docstring && line.trimmed.starts_with(['"', '`']) =>
            {
                "a step takes at most one docstring (and one data table)".to_owned()
            }
            State::Step(..) | State::StepTable(..) | State::ExamplesTable
                if self.is_plain_text(line) =>
            {
                format!(
                    "after a step comes {}; free text (a description) belongs right under a `Feature:`, `Rule:`, `Scenario:` or `Examples:` line, and a line starting with `#` is a comment",
                    self.expected_words()
                )
            }
            _ => format!("here Gherkin expects {}", self.expected_words()),
        };
        if let Some(hint) = self.keyword_hint(line) {
            help = format!("{hint}; {help}");
        }
        help
    }

    fn is_plain_text(&self, line: &Line<'_>) -> bool {
        !line.trimmed.starts_with(['@', '|', '"', '`', '#'])
            && self.dialect.title(line.trimmed).is_none()
            && self.dialect.step(line.trimmed).is_none()
    }

    /// "did you mean" for a line whose first word is close to a keyword.
    fn keyword_hint(&self, line: &Line<'_>) -> Option<String> {
        if let Some((word, _)) = line.trimmed.split_once(':')
            && let Some(k) = did_you_mean(word, self.dialect.title_words())
        {
            return (k != word).then(|| format!("did you mean `{k}:`?"));
        }
        let first = line.trimmed.split_whitespace().next()?;
        let k = did_you_mean(first, self.dialect.step_words())?;
        (k != first).then(|| format!("did you mean `{k}`?"))
    }

    /// The kinds of line this state accepts, in words.
    fn expected_words(&self) -> String {
        let mut words: Vec<String> = Vec::new();
        for kind in self.state.accepts() {
            let word = match kind {
                Kind::Title(t) => format!("`{}:`", self.dialect.title_word(t)),
                StepLine => "a step".into(),
                TableRow => "a table row (`| … |`)".into(),
                DocStringSeparator => "a docstring (`\"\"\"`)".into(),
                TagsBefore(_) => "tags (`@name`)".into(),
                Eof | Empty | Comment | Language | Other => continue,
            };
            if !words.contains(&word) {
                words.push(word);
            }
        }
        match words.split_last() {
            None => "nothing more".into(),
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        }
    }
}

/// The code of a `# language: xx` line (`#language:fr`, `#  language  :  en-lol`).
fn language_code(trimmed: &str) -> Option<&str> {
    let rest = trimmed.strip_prefix('#')?.trim_start();
    let rest = rest.strip_prefix("language")?.trim_start();
    let code = rest.strip_prefix(':')?.trim();
    (!code.is_empty()
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
    .then_some(code)
}
