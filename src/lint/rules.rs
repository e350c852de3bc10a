//! The checks `driftgate check` runs on each scenario, step by step, in the
//! order a run would execute them (so "used before captured" is exact).
//! Checks of expected values and of template function calls live in their
//! own modules.

mod expectations;
mod functions;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::edi;
use super::walk::{MatchedStep, ScenarioWalk, StepArg, match_step};
use crate::config::{Config, folder, tags_allow};
use crate::diagnostic::Diagnostic;
use crate::runner::features::{ParsedFeature, display_path};
use crate::suggest::did_you_mean;
use crate::template::TemplateEngine;
use crate::world::steps::{Action, Outgoing, Part, REPLAY_TABLE_VARIABLES, Transport, Writes};

/// What every scenario's checks share.
pub(super) struct LintContext {
    /// The configuration, when one was given or found.
    pub config: Option<Config>,
    /// Folder fixtures are read from.
    pub fixtures: PathBuf,
    /// Template engine: parses templates, and renders EDI fixtures that read only `env.*`.
    pub engine: TemplateEngine,
    /// Folder paths are shown relative to.
    pub display_root: PathBuf,
}

/// Checks one scenario; findings are appended.
pub(super) fn lint_scenario(
    parsed: &ParsedFeature,
    walk: &ScenarioWalk<'_>,
    context: &LintContext,
    findings: &mut Vec<Diagnostic>,
) {
    let lines: Vec<String> = std::fs::read_to_string(&parsed.file)
        .map(|t| t.lines().map(str::to_owned).collect())
        .unwrap_or_default();
    let mut linter = ScenarioLinter {
        parsed,
        lines,
        context,
        tags: &walk.tags,
        defined: BTreeSet::new(),
        pending: Pending::default(),
        findings,
    };
    for step in &walk.steps {
        // Unknown steps are reported by `check_steps`.
        if let Some(matched) = match_step(step) {
            linter.step(&matched);
        }
    }
}

struct ScenarioLinter<'a> {
    parsed: &'a ParsedFeature,
    lines: Vec<String>,
    context: &'a LintContext,
    tags: &'a [String],
    /// Variables set or captured by the steps so far.
    defined: BTreeSet<String>,
    /// Headers, query parameters and body set for the next request: a
    /// method override among them makes it a write.
    pending: Pending,
    findings: &'a mut Vec<Diagnostic>,
}

/// The parts of the next request earlier steps set, as written.
#[derive(Default)]
struct Pending {
    headers: Vec<(String, String)>,
    query: Vec<(String, String)>,
    body: Option<String>,
}

/// Where a template's text lives, for locating findings.
enum Source<'a> {
    /// The feature file, starting at this line.
    Feature { from_line: usize, span: usize },
    /// A fixture file, used by the step at `step_line`.
    Fixture {
        path: &'a Path,
        name: &'a str,
        step_line: usize,
    },
}

impl ScenarioLinter<'_> {
    fn step(&mut self, matched: &MatchedStep<'_>) {
        let step = matched.step;
        self.remember_pending(matched);
        if let Some((transport, writes)) = matched.def.action.transport() {
            self.protected_write(matched, transport, writes);
        }
        for arg in &matched.args {
            match arg.name {
                "jsonpath" => self.jsonpath(matched, arg),
                "service" => self.service(matched, arg),
                "element" => self.edi_path(matched, arg),
                _ => {}
            }
        }
        self.expectations(matched);
        let here = Source::Feature {
            from_line: step.position.line,
            span: 1,
        };
        self.template(&step.value, &here);
        if let Some(docstring) = &step.docstring {
            let span = docstring.lines().count() + 2;
            self.template(
                docstring,
                &Source::Feature {
                    from_line: step.position.line + 1,
                    span,
                },
            );
            if sends_over(matched, Transport::EdiPost) {
                self.edi_docstring(matched, docstring);
            }
        }
        self.table(matched);
        if let Some(arg) = matched.arg("fixture") {
            self.fixture(matched, arg);
        }
        if let Some(arg) = matched.arg("file") {
            self.inside_fixtures(matched, arg);
        }
        if let Some(arg) = matched.arg("variable") {
            self.defined.insert(arg.value.clone());
        }
    }

    /// A data table: a variables table defines its names row by row; any
    /// other table's cells are templates.
    fn table(&mut self, matched: &MatchedStep<'_>) {
        let Some(table) = &matched.step.table else {
            return;
        };
        let sets_variables = matched.def.action == Action::SetVariable;
        // Variables a step gives its own table (the replay rewrite table's
        // `original` and `index`) are visible to that table only.
        let local: Vec<String> = if sends_over(matched, Transport::AmqpReplay) {
            REPLAY_TABLE_VARIABLES
                .iter()
                .map(|v| (*v).to_owned())
                .filter(|v| !self.defined.contains(v))
                .collect()
        } else {
            Vec::new()
        };
        self.defined.extend(local.iter().cloned());
        let from_line = matched.step.position.line + 1;
        for (i, row) in table.rows.iter().enumerate() {
            let here = Source::Feature {
                from_line,
                span: table.rows.len(),
            };
            match (sets_variables, row.as_slice()) {
                (true, [name, value]) => {
                    if i == 0 && name.eq_ignore_ascii_case("name") {
                        continue;
                    }
                    self.template(value, &here);
                    self.defined.insert(name.clone());
                }
                _ => row.iter().for_each(|cell| self.template(cell, &here)),
            }
        }
        for v in &local {
            self.defined.remove(v);
        }
    }

    /// The file a step names under the fixtures folder, or a finding when
    /// it leaves the folder.
    fn inside_fixtures(&mut self, matched: &MatchedStep<'_>, arg: &StepArg) -> Option<PathBuf> {
        match folder::inside(&self.context.fixtures, Path::new(&arg.value)) {
            Ok(path) => Some(path),
            Err(e) => {
                let shown = display_path(&self.context.fixtures, &self.context.display_root);
                self.at_arg(
                    matched,
                    arg,
                    format!("`{}` is outside the fixtures folder {shown}", arg.value),
                    format!("{}; a run refuses to read or write it", e.why),
                );
                None
            }
        }
    }

    fn fixture(&mut self, matched: &MatchedStep<'_>, arg: &StepArg) {
        if arg.value.contains("{{") {
            return;
        }
        let Some(path) = self.inside_fixtures(matched, arg) else {
            return;
        };
        let edi_step = sends_over(matched, Transport::EdiPost);
        let source = Source::Fixture {
            path: &path,
            name: &arg.value,
            step_line: matched.step.position.line,
        };
        match edi::fixture_text(&path, edi_step) {
            Ok(text) => {
                self.template(&text, &source);
                let problem = edi_step
                    .then(|| {
                        edi::envelope_problem(&text).or_else(|| {
                            edi::rendered_problem(
                                &text,
                                &self.context.engine,
                                self.context.config.as_ref(),
                            )
                        })
                    })
                    .flatten();
                if let Some((title, line, col)) = problem {
                    self.at_fixture_line(&source, title, line, col);
                }
            }
            Err(edi::Unreadable::Broken(reason)) => self.at_arg(
                matched,
                arg,
                format!("cannot read fixture `{}`: {reason}", arg.value),
                format!(
                    "the file is {}",
                    display_path(&path, &self.context.display_root)
                ),
            ),
            Err(edi::Unreadable::Missing) => {
                let known = fixture_files(&self.context.fixtures);
                let suggestion = did_you_mean(&arg.value, known.iter().map(String::as_str))
                    .filter(|s| *s != arg.value)
                    .map(|s| format!("did you mean `{s}`? "))
                    .unwrap_or_default();
                let help = format!(
                    "{suggestion}fixtures are read from {} ([run] fixtures in driftgate.toml)",
                    display_path(&self.context.fixtures, &self.context.display_root)
                );
                self.at_arg(
                    matched,
                    arg,
                    format!("missing fixture `{}`", arg.value),
                    help,
                );
            }
        }
    }

    fn edi_path(&mut self, matched: &MatchedStep<'_>, arg: &StepArg) {
        if let Some(problem) = edi::path_problem(&arg.value) {
            self.at_arg(matched, arg, problem, edi::PATH_HELP.into());
        }
    }

    /// An envelope problem of the EDI document in a docstring, at its segment's line.
    fn edi_docstring(&mut self, matched: &MatchedStep<'_>, docstring: &str) {
        let text = docstring.trim_start_matches(['\r', '\n']);
        let Some((title, line, _)) = edi::envelope_problem(text) else {
            return;
        };
        // The docstring's text starts on the line after its opening `"""`.
        let line = matched.step.position.line + 1 + line;
        let col = self.lines.get(line - 1).map_or(1, |l| {
            l.chars().take_while(|c| c.is_whitespace()).count() + 1
        });
        self.findings.push(
            Diagnostic::at(title, &self.parsed.file, &self.parsed.shown, line, col).with_help(
                "a run refuses this document before sending it: fix the envelope or count",
            ),
        );
    }

    /// A finding at a line and column of a fixture (an EDI envelope problem).
    fn at_fixture_line(&mut self, source: &Source<'_>, title: String, line: usize, col: usize) {
        let Source::Fixture {
            path,
            name,
            step_line,
        } = source
        else {
            return;
        };
        let shown = display_path(path, &self.context.display_root);
        self.findings.push(
            Diagnostic::at(format!("{title} (fixture `{name}`)"), path, &shown, line, col)
                .with_help(format!(
                    "a run refuses this document before sending it; the fixture is used at {}:{step_line}",
                    self.parsed.shown
                )),
        );
    }

    fn jsonpath(&mut self, matched: &MatchedStep<'_>, arg: &StepArg) {
        if arg.value.contains("{{") {
            return;
        }
        if let Err(e) = serde_json_path::JsonPath::parse(&arg.value) {
            self.at_arg(
                matched,
                arg,
                format!("invalid JSONPath `{}`: {e}", arg.value),
                "JSONPath as in RFC 9535, e.g. `$.id`, `$.lines[0].sku`, `$..status`".into(),
            );
        }
    }

    fn service(&mut self, matched: &MatchedStep<'_>, arg: &StepArg) {
        let Some(config) = &self.context.config else {
            return;
        };
        let missing: Vec<&str> = config
            .environments
            .iter()
            .filter(|(_, env)| !env.services.contains_key(&arg.value))
            .map(|(name, _)| name.as_str())
            .collect();
        if missing.is_empty() {
            return;
        }
        let known: BTreeSet<&str> = config
            .environments
            .values()
            .flat_map(|e| e.services.keys().map(String::as_str))
            .collect();
        if missing.len() == config.environments.len() {
            let suggestion = did_you_mean(&arg.value, known.iter().copied())
                .map(|s| format!("did you mean `{s}`? "))
                .unwrap_or_default();
            let defined = known.into_iter().collect::<Vec<_>>().join(", ");
            self.at_arg(
                matched,
                arg,
                format!("unknown service `{}`", arg.value),
                format!("{suggestion}services in driftgate.toml: {defined}"),
            );
        } else {
            self.at_arg(
                matched,
                arg,
                format!(
                    "service `{}` is not defined in environment(s) {}",
                    arg.value,
                    quoted(&missing)
                ),
                "a step's service must exist in both the baseline and the candidate".into(),
            );
        }
    }

    /// Keeps the headers, query parameters and body a step sets for the next request.
    fn remember_pending(&mut self, matched: &MatchedStep<'_>) {
        let value = |name: &str| matched.arg(name).map(|a| a.value.clone());
        let rows = || {
            let rows = matched.step.table.iter().flat_map(|t| &t.rows);
            rows.filter_map(|row| match row.as_slice() {
                [name, value, ..] => Some((name.clone(), value.clone())),
                _ => None,
            })
            .collect::<Vec<_>>()
        };
        match matched.def.action {
            Action::Build(Part::Header) => match (value("header"), value("value")) {
                (Some(h), Some(v)) => self.pending.headers.push((h, v)),
                _ => self.pending.headers.extend(rows()),
            },
            Action::Build(Part::Query) => {
                if let (Some(n), Some(v)) = (value("name"), value("value")) {
                    self.pending.query.push((n, v));
                }
            }
            Action::Build(Part::Body) => {
                self.pending.body = matched.step.docstring.clone();
            }
            _ => {}
        }
    }

    /// A write the run would refuse on a protected environment without an
    /// allowing tag: decided by the check the run makes, from the step's action.
    fn protected_write(&mut self, matched: &MatchedStep<'_>, transport: Transport, writes: Writes) {
        let pending = if matches!(transport, Transport::Http | Transport::EdiPost) {
            std::mem::take(&mut self.pending)
        } else {
            Pending::default()
        };
        let Some(config) = &self.context.config else {
            return;
        };
        let arg = |name: &str| matched.arg(name).map(|a| a.value.as_str());
        let outgoing = Outgoing {
            method: arg("method").unwrap_or(if transport == Transport::EdiPost {
                "POST"
            } else {
                "GET"
            }),
            headers: str_pairs(&pending.headers),
            path: arg("path").unwrap_or_default(),
            query: str_pairs(&pending.query),
            body: matched
                .step
                .docstring
                .as_deref()
                .or(pending.body.as_deref()),
            statement: matched.step.docstring.as_deref(),
        };
        let Some(what) = writes.what(&outgoing) else {
            return;
        };
        let refusing: Vec<(String, String)> = config
            .environments
            .iter()
            .filter(|(_, env)| {
                writes.refused(env.protected, tags_allow(&env.allow_write_tags, self.tags))
            })
            .map(|(name, env)| {
                (
                    name.clone(),
                    writes.how_to_allow(name, &env.allow_write_tags),
                )
            })
            .collect();
        for (name, help) in refusing {
            let title = match writes {
                Writes::TakesMessages => format!(
                    "{what} is refused on protected environment `{name}`, whatever the tags"
                ),
                _ => format!(
                    "{what} would write to protected environment `{name}` without an allowing tag"
                ),
            };
            match matched.arg("method") {
                Some(method) => self.at_arg(matched, method, title, help),
                None => self.at_step(matched, title, help),
            }
        }
    }

    /// A finding under the whole step text.
    fn at_step(&mut self, matched: &MatchedStep<'_>, title: String, help: String) {
        let col = matched.column(0);
        let d = Diagnostic::at(
            title,
            &self.parsed.file,
            &self.parsed.shown,
            matched.step.position.line,
            col,
        )
        .underline(col, matched.step.value.chars().count())
        .with_help(help);
        self.findings.push(d);
    }

    /// Checks a template: it parses, and every variable it reads exists by now.
    fn template(&mut self, text: &str, source: &Source<'_>) {
        if !text.contains("{{") && !text.contains("{%") {
            return;
        }
        let variables = match self.context.engine.variables(text) {
            Ok(v) => v,
            Err(e) => {
                let needle = if text.contains("{%") && !text.contains("{{") {
                    "{%"
                } else {
                    "{{"
                };
                let title = format!("bad template: {}", e.message);
                let help = "templates use {{ name }}, {{ env.NAME }} and functions such as {{ uuid() }}; check the braces and quotes".to_owned();
                self.at_text(source, needle, e.line, title, help);
                return;
            }
        };
        self.function_calls(text, source);
        for name in variables {
            let mut parts = name.split('.');
            let root = parts.next().unwrap_or_default();
            if root == "env" {
                if let Some(key) = parts.next() {
                    self.env_variable(key, source);
                }
            } else if !self.defined.contains(root) {
                let help = match did_you_mean(root, self.defined.iter().map(String::as_str)) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!(
                        "capture it in an earlier step (`I capture the response field \"$.id\" as \"{root}\"`) or set it (`the variable \"{root}\" is \"…\"`)"
                    ),
                };
                let title = format!("variable `{root}` is used before it is captured or set");
                self.at_text(source, root, None, title, help);
            }
        }
    }

    fn env_variable(&mut self, key: &str, source: &Source<'_>) {
        let Some(config) = &self.context.config else {
            return;
        };
        if key == "name" {
            return;
        }
        let missing: Vec<&str> = config
            .environments
            .iter()
            .filter(|(name, _)| !config.defines_variable(name, key))
            .map(|(name, _)| name.as_str())
            .collect();
        if missing.is_empty() {
            return;
        }
        let title = format!(
            "`env.{key}` is not defined for environment(s) {}",
            quoted(&missing)
        );
        let help = format!(
            "add `{key}` to `variables` of [environments.{}] in driftgate.toml",
            missing[0]
        );
        self.at_text(source, &format!("env.{key}"), None, title, help);
    }

    /// A finding under a step argument.
    fn at_arg(&mut self, matched: &MatchedStep<'_>, arg: &StepArg, title: String, help: String) {
        let line = matched.step.position.line;
        let col = self
            .find(line, 1, &arg.value)
            .map(|(_, col)| col)
            .unwrap_or_else(|| matched.column(arg.offset));
        let d = Diagnostic::at(title, &self.parsed.file, &self.parsed.shown, line, col)
            .underline(col, arg.value.chars().count())
            .with_help(help);
        self.findings.push(d);
    }

    /// A finding at the first occurrence of `needle` in the template's source.
    fn at_text(
        &mut self,
        source: &Source<'_>,
        needle: &str,
        template_line: Option<usize>,
        title: String,
        help: String,
    ) {
        let d = match source {
            Source::Feature { from_line, span } => {
                let (line, col) = self
                    .find(*from_line, *span, needle)
                    .unwrap_or((*from_line, 1));
                Diagnostic::at(title, &self.parsed.file, &self.parsed.shown, line, col)
                    .underline(col, needle.chars().count())
                    .with_help(help)
            }
            Source::Fixture {
                path,
                name,
                step_line,
            } => {
                let shown = display_path(path, &self.context.display_root);
                let text = std::fs::read_to_string(path).unwrap_or_default();
                let (line, col) = template_line
                    .and_then(|l| Some((l, text.lines().nth(l - 1)?.find(needle)? + 1)))
                    .or_else(|| find_in(text.lines(), needle))
                    .unwrap_or((1, 1));
                Diagnostic::at(
                    format!("{title} (fixture `{name}`)"),
                    path,
                    &shown,
                    line,
                    col,
                )
                .underline(col, needle.chars().count())
                .with_help(format!(
                    "{help}; the fixture is used at {}:{step_line}",
                    self.parsed.shown
                ))
            }
        };
        self.findings.push(d);
    }

    /// Line and column of `needle` in `span` lines from `from_line` of the feature file.
    fn find(&self, from_line: usize, span: usize, needle: &str) -> Option<(usize, usize)> {
        let start = from_line.saturating_sub(1);
        find_in(
            self.lines.iter().skip(start).take(span).map(String::as_str),
            needle,
        )
        .map(|(line, col)| (line + start, col))
    }
}

/// 1-based line and character column of the first `needle` in `lines`.
fn find_in<'a>(lines: impl Iterator<Item = &'a str>, needle: &str) -> Option<(usize, usize)> {
    lines.enumerate().find_map(|(i, line)| {
        let byte = line.find(needle)?;
        Some((i + 1, line[..byte].chars().count() + 1))
    })
}

/// Whether the step sends over `transport`.
fn sends_over(matched: &MatchedStep<'_>, transport: Transport) -> bool {
    matched
        .def
        .action
        .transport()
        .is_some_and(|(t, _)| t == transport)
}

/// `(name, value)` pairs as borrowed text.
fn str_pairs(list: &[(String, String)]) -> Vec<(&str, &str)> {
    list.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Fixture files under `dir`, as paths relative to it (for suggestions).
fn fixture_files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(current) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&current) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if let Ok(rel) = path.strip_prefix(dir) {
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out.sort();
    out
}
