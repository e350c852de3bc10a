//! Turns the lines the grammar accepted into cucumber's feature model
//! (`Feature` → `Rule` → `Background`/`Scenario` → `Step`, `Examples`),
//! the shape every later stage (outline expansion, tag filters, the run)
//! works on.
//!
//! ```text
//! Scenario: refund          →  Scenario { name: "refund", steps: [
//!   When I send it            Step { keyword: "When ", value: "I send it",
//!     | id |                    table: [["id"], ["7"]] } ] }
//!     | 7  |
//! ```

use cucumber::gherkin::{
    Background, Examples, Feature, LineCol, Rule, Scenario, Span, Step, StepType, Table,
};

use super::dialect::{StepKind, Title};
use super::error::{SyntaxError, SyntaxErrorKind};
use super::line::{Item, Line};

/// A line of description text, kept for the checks that look for what the
/// author meant as a keyword or a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProseLine {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column of its first character.
    pub col: usize,
    /// The text, trimmed.
    pub text: String,
    /// The block whose description it is.
    pub block: Title,
}

/// What the grammar accepted on one line, for the builder.
#[derive(Debug)]
pub enum Token<'a> {
    /// `@a @b`
    Tags(Vec<Item>),
    /// `Scenario: name`
    Title {
        /// The block it opens.
        title: Title,
        /// The keyword as written.
        keyword: &'a str,
        /// The text after the colon, trimmed.
        name: &'a str,
    },
    /// `Given text`
    Step {
        /// The keyword as written, with its trailing space.
        keyword: &'a str,
        /// Its type, or a conjunction.
        kind: StepKind,
        /// The step text, trimmed.
        text: &'a str,
    },
    /// `| a | b |`
    TableRow(Vec<Item>),
    /// The opening `"""` with the indentation its content loses.
    DocStringOpen {
        /// Columns of indentation removed from each content line.
        indent: usize,
        /// The separator, `"""` or ```` ``` ````.
        separator: &'static str,
    },
    /// A content line of an open docstring.
    DocStringLine,
    /// The closing separator.
    DocStringClose,
    /// A line of description text.
    Description,
}

struct TableDraft {
    rows: Vec<Vec<String>>,
    position: LineCol,
    start: usize,
    end: usize,
    error: Option<SyntaxError>,
}

struct DocStringDraft {
    indent: usize,
    separator: &'static str,
    lines: Vec<String>,
}

/// Builds the feature from accepted lines, in file order.
#[derive(Default)]
pub struct Builder {
    feature: Option<Feature>,
    rule: Option<Rule>,
    background: Option<Background>,
    scenario: Option<Scenario>,
    examples: Option<Examples>,
    step: Option<Step>,
    table: Option<TableDraft>,
    docstring: Option<DocStringDraft>,
    tags: Vec<String>,
    description: Vec<String>,
    last_type: Option<StepType>,
    last_end: usize,
    /// Problems found while building (tables with ragged rows).
    pub errors: Vec<SyntaxError>,
    /// Every description line, in order.
    pub prose: Vec<ProseLine>,
}

fn span_at(line: &Line<'_>) -> (LineCol, Span) {
    let start = line.offset + (line.text.len() - line.text.trim_start().len());
    (
        LineCol {
            line: line.number,
            col: line.col(),
        },
        Span { start, end: start },
    )
}

impl Builder {
    /// Takes one accepted line.
    pub fn take(&mut self, line: &Line<'_>, token: Token<'_>) {
        if !matches!(token, Token::Description) {
            self.flush_description();
        }
        match token {
            Token::Tags(items) => self.tags.extend(items.into_iter().map(|i| i.text)),
            Token::Title {
                title,
                keyword,
                name,
            } => self.open(line, title, keyword, name),
            Token::Step {
                keyword,
                kind,
                text,
            } => {
                self.close_step();
                let ty = match kind {
                    StepKind::Typed(ty) => ty,
                    StepKind::Conjunction => self.last_type.unwrap_or(StepType::Given),
                };
                self.last_type = Some(ty);
                let (position, span) = span_at(line);
                self.step = Some(Step {
                    keyword: keyword.to_owned(),
                    ty,
                    value: text.to_owned(),
                    docstring: None,
                    table: None,
                    span,
                    position,
                });
            }
            Token::TableRow(cells) => self.table_row(line, cells),
            Token::DocStringOpen { indent, separator } => {
                self.close_table();
                self.docstring = Some(DocStringDraft {
                    indent,
                    separator,
                    lines: Vec::new(),
                });
            }
            Token::DocStringLine => {
                if let Some(doc) = &mut self.docstring {
                    let escaped: String = doc.separator.chars().flat_map(|c| ['\\', c]).collect();
                    let text = line.dedented(doc.indent).replace(&escaped, doc.separator);
                    doc.lines.push(text);
                }
            }
            Token::DocStringClose => {
                if let (Some(doc), Some(step)) = (self.docstring.take(), &mut self.step) {
                    step.docstring = Some(doc.lines.join("\n"));
                }
            }
            Token::Description => {
                let block = self.innermost();
                self.description.push(line.trimmed.to_owned());
                if !line.trimmed.is_empty() {
                    self.prose.push(ProseLine {
                        line: line.number,
                        col: line.col(),
                        text: line.trimmed.to_owned(),
                        block,
                    });
                }
            }
        }
        if !line.trimmed.is_empty() {
            self.last_end = line.end();
        }
    }

    /// The finished feature, if the file has one.
    pub fn finish(mut self) -> (Option<Feature>, Vec<SyntaxError>, Vec<ProseLine>) {
        self.flush_description();
        self.close_rule();
        if let Some(feature) = &mut self.feature {
            feature.span.end = self.last_end;
        }
        (self.feature, self.errors, self.prose)
    }

    fn open(&mut self, line: &Line<'_>, title: Title, keyword: &str, name: &str) {
        let (position, span) = span_at(line);
        let tags = std::mem::take(&mut self.tags);
        let keyword = keyword.to_owned();
        let name = name.to_owned();
        match title {
            Title::Feature => {
                self.feature = Some(Feature {
                    keyword,
                    name,
                    description: None,
                    background: None,
                    scenarios: Vec::new(),
                    rules: Vec::new(),
                    tags,
                    span,
                    position,
                    path: None,
                });
            }
            Title::Rule => {
                self.close_rule();
                self.rule = Some(Rule {
                    keyword,
                    name,
                    description: None,
                    background: None,
                    scenarios: Vec::new(),
                    tags,
                    span,
                    position,
                });
            }
            Title::Background => {
                self.close_scenario();
                self.close_background();
                self.last_type = None;
                self.background = Some(Background {
                    keyword,
                    name,
                    description: None,
                    steps: Vec::new(),
                    span,
                    position,
                });
            }
            Title::Scenario => {
                self.close_scenario();
                self.close_background();
                self.last_type = None;
                self.scenario = Some(Scenario {
                    keyword,
                    name,
                    description: None,
                    steps: Vec::new(),
                    examples: Vec::new(),
                    tags,
                    span,
                    position,
                });
            }
            Title::Examples => {
                self.close_step();
                self.close_examples();
                self.examples = Some(Examples {
                    keyword,
                    name: (!name.is_empty()).then_some(name),
                    description: None,
                    table: None,
                    tags,
                    span,
                    position,
                });
            }
        }
    }

    /// The block a description line belongs to: the one opened last.
    fn innermost(&self) -> Title {
        if self.examples.is_some() {
            Title::Examples
        } else if self.scenario.is_some() {
            Title::Scenario
        } else if self.background.is_some() {
            Title::Background
        } else if self.rule.is_some() {
            Title::Rule
        } else {
            Title::Feature
        }
    }

    fn flush_description(&mut self) {
        while self.description.last().is_some_and(String::is_empty) {
            self.description.pop();
        }
        if self.description.is_empty() {
            return;
        }
        let text = Some(std::mem::take(&mut self.description).join("\n"));
        if let Some(e) = &mut self.examples {
            e.description = text;
        } else if let Some(s) = &mut self.scenario {
            s.description = text;
        } else if let Some(b) = &mut self.background {
            b.description = text;
        } else if let Some(r) = &mut self.rule {
            r.description = text;
        } else if let Some(f) = &mut self.feature {
            f.description = text;
        }
    }

    fn table_row(&mut self, line: &Line<'_>, cells: Vec<Item>) {
        let (position, span) = span_at(line);
        let for_examples = self.step.is_none() && self.examples.is_some();
        let table = self.table.get_or_insert_with(|| TableDraft {
            rows: Vec::new(),
            position,
            start: span.start,
            end: span.start,
            error: None,
        });
        let first = table.rows.first().map(Vec::len).unwrap_or(cells.len());
        if cells.len() != first && table.error.is_none() {
            let cells = cells.len();
            table.error = Some(SyntaxError {
                line: line.number,
                col: line.col(),
                kind: if for_examples {
                    SyntaxErrorKind::InconsistentExamples { cells, first }
                } else {
                    SyntaxErrorKind::InconsistentCells { cells, first }
                },
            });
        }
        table.rows.push(cells.into_iter().map(|c| c.text).collect());
        table.end = line.end();
    }

    fn close_table(&mut self) {
        let Some(draft) = self.table.take() else {
            return;
        };
        self.errors.extend(draft.error);
        let table = Table {
            rows: draft.rows,
            span: Span {
                start: draft.start,
                end: draft.end,
            },
            position: draft.position,
        };
        if let Some(step) = &mut self.step {
            step.table = Some(table);
        } else if let Some(examples) = &mut self.examples {
            examples.table = Some(table);
        }
    }

    fn close_step(&mut self) {
        self.close_table();
        let Some(mut step) = self.step.take() else {
            return;
        };
        step.span.end = self.last_end;
        if let Some(s) = &mut self.scenario {
            s.steps.push(step);
        } else if let Some(b) = &mut self.background {
            b.steps.push(step);
        }
    }

    fn close_examples(&mut self) {
        self.close_table();
        if let (Some(mut examples), Some(scenario)) = (self.examples.take(), &mut self.scenario) {
            examples.span.end = self.last_end;
            scenario.examples.push(examples);
        }
    }

    fn close_scenario(&mut self) {
        self.close_step();
        self.close_examples();
        let Some(mut scenario) = self.scenario.take() else {
            return;
        };
        scenario.span.end = self.last_end;
        if let Some(r) = &mut self.rule {
            r.scenarios.push(scenario);
        } else if let Some(f) = &mut self.feature {
            f.scenarios.push(scenario);
        }
    }

    fn close_background(&mut self) {
        self.close_step();
        let Some(mut background) = self.background.take() else {
            return;
        };
        background.span.end = self.last_end;
        if let Some(r) = &mut self.rule {
            r.background = Some(background);
        } else if let Some(f) = &mut self.feature {
            f.background = Some(background);
        }
    }

    fn close_rule(&mut self) {
        self.close_scenario();
        self.close_background();
        if let (Some(mut rule), Some(feature)) = (self.rule.take(), &mut self.feature) {
            rule.span.end = self.last_end;
            feature.rules.push(rule);
        }
    }
}
