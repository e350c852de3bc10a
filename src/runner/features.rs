//! Loading feature files: find, parse, expand outlines, filter by tags, and
//! check every step against the step library before anything is sent.

use std::path::{Path, PathBuf};

use cucumber::feature::Ext as _;
use cucumber::gherkin::{self, Feature};
use cucumber::tag::Ext as _;

use super::outline_steps::OutlineSteps;
use crate::diagnostic::{Diagnose, Diagnostic, Location};
use crate::feature_file::{self, SyntaxError, SyntaxErrorKind};
use crate::world::steps;
use crate::world::steps::ArgKind;
use crate::world::steps::declaration::split_duration;

/// Feature files that could not be used; nothing was run.
#[derive(Debug, thiserror::Error)]
#[error("{}", titles(.0))]
pub struct FeatureErrors(pub Vec<Diagnostic>);

/// `N problems in feature files; nothing was run`.
fn counted(diagnostics: &[Diagnostic]) -> String {
    match diagnostics.len() {
        1 => "1 problem in feature files; nothing was run".into(),
        n => format!("{n} problems in feature files; nothing was run"),
    }
}

/// The count, then each problem on a line of its own (`file:line:col: title`).
fn titles(diagnostics: &[Diagnostic]) -> String {
    let mut out = counted(diagnostics);
    for d in diagnostics {
        out.push_str("\n  ");
        if let Some(at) = &d.location {
            out.push_str(&format!("{}:{}:{}: ", at.file, at.line, at.col));
        }
        out.push_str(&d.title);
    }
    out
}

impl Diagnose for FeatureErrors {
    fn diagnostics(&self) -> Vec<Diagnostic> {
        self.0.clone()
    }

    fn summary(&self) -> Option<Diagnostic> {
        Some(Diagnostic::error(counted(&self.0)))
    }
}

/// The parsed, expanded, filtered features of a run.
#[derive(Debug)]
pub struct FeatureSet {
    /// Features with at least one selected scenario.
    pub features: Vec<Feature>,
    /// Number of scenarios (outline examples counted one by one).
    pub scenario_count: usize,
    /// Outline steps as written, before their rows were substituted.
    pub outline_steps: OutlineSteps,
}

/// Reads every `.feature` under `paths`, keeps the scenarios `tags` selects,
/// and checks their steps. All problems are reported together.
pub fn load(
    paths: &[PathBuf],
    tags: Option<&str>,
    display_root: &Path,
) -> Result<FeatureSet, FeatureErrors> {
    let filter = match tags {
        None => None,
        Some(expr) => {
            Some(super::bounds::parse_tag_expression(expr).map_err(|d| FeatureErrors(vec![d]))?)
        }
    };
    let (parsed, mut diagnostics) = parse_all(paths, display_root);
    let mut features = Vec::new();
    let mut outline_steps = OutlineSteps::default();
    for ParsedFeature {
        file,
        shown,
        mut feature,
        outlines,
    } in parsed
    {
        outline_steps.merge(outlines);
        if let Some(op) = &filter {
            keep_tagged(&mut feature, op);
        }
        check_steps(&feature, &file, &shown, &mut diagnostics);
        super::samples::check_tags(&feature, &file, &shown, &mut diagnostics);
        if feature.count_scenarios() > 0 {
            features.push(feature);
        }
    }
    if !diagnostics.is_empty() {
        return Err(FeatureErrors(diagnostics));
    }
    let scenario_count = features.iter().map(|f| f.count_scenarios()).sum();
    Ok(FeatureSet {
        features,
        scenario_count,
        outline_steps,
    })
}

/// A feature file parsed with its outlines expanded.
#[derive(Debug)]
pub struct ParsedFeature {
    /// The file as found on disk.
    pub file: PathBuf,
    /// The file as shown to the user (relative to the display root).
    pub shown: String,
    /// The feature; its `path` is `shown`.
    pub feature: Feature,
    /// Its outline steps as written, before their rows were substituted.
    pub outlines: OutlineSteps,
}

/// Reads and parses every `.feature` under `paths` and expands outlines; a
/// file that cannot be used is a diagnostic. Steps are not checked here.
pub fn parse_all(paths: &[PathBuf], display_root: &Path) -> (Vec<ParsedFeature>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let mut parsed = Vec::new();
    for file in find_feature_files(paths, &mut diagnostics) {
        let shown = display_path(&file, display_root);
        let source = match std::fs::read_to_string(&file) {
            Ok(source) => source,
            Err(e) => {
                diagnostics.push(
                    Diagnostic::at(
                        format!("cannot read feature file: {e}"),
                        &file,
                        &shown,
                        0,
                        0,
                    )
                    .with_help("a feature file must be readable UTF-8 text"),
                );
                continue;
            }
        };
        if !within_run_size(&source, &file, &shown, &mut diagnostics) {
            continue;
        }
        match feature_file::parse(&source) {
            Err(errors) => {
                diagnostics.extend(errors.iter().map(|e| syntax_diagnostic(&file, &shown, e)))
            }
            // Empty, or only comments: nothing to run.
            Ok(None) => {}
            Ok(Some(feature)) if !rowless_outlines(&feature, &file, &shown, &mut diagnostics) => {}
            Ok(Some(feature)) => match expand(feature, &shown) {
                Err(e) => diagnostics.push(
                    Diagnostic::at(
                        format!("unknown placeholder <{}> in a Scenario Outline", e.name),
                        &file,
                        &shown,
                        e.pos.line,
                        e.pos.col,
                    )
                    .with_help("every <name> must be a column of the Examples table"),
                ),
                Ok((mut expanded, outlines)) => {
                    expanded.path = Some(PathBuf::from(&shown));
                    parsed.push(ParsedFeature {
                        file,
                        shown,
                        feature: expanded,
                        outlines,
                    });
                }
            },
        }
    }
    (parsed, diagnostics)
}

/// Expands the outlines of `feature` (shown as `shown`) one row at a time,
/// noting their steps as written first.
fn expand(
    feature: Feature,
    shown: &str,
) -> Result<(Feature, OutlineSteps), cucumber::feature::ExpandExamplesError> {
    let mut outlines = OutlineSteps::default();
    outlines.add(shown, &feature);
    Ok((split_outlines(feature).expand_examples()?, outlines))
}

/// `path` relative to `root` when it lies below it, as given otherwise.
pub fn display_path(path: &Path, root: &Path) -> String {
    let absolute = std::fs::canonicalize(path)
        .or_else(|_| std::path::absolute(path))
        .unwrap_or_else(|_| path.to_owned());
    absolute
        .strip_prefix(root)
        .map(Path::to_path_buf)
        .unwrap_or(absolute)
        .display()
        .to_string()
}

fn find_feature_files(paths: &[PathBuf], diagnostics: &mut Vec<Diagnostic>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            collect_dir(path, &mut files);
        } else if path.is_file() {
            files.push(path.clone());
        } else {
            diagnostics.push(
                Diagnostic::error(format!(
                    "no such feature file or folder: {}",
                    path.display()
                ))
                .located(Location::file(path.display().to_string()))
                .with_help("paths are relative to the current directory"),
            );
        }
    }
    files
}

fn collect_dir(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect_dir(&path, files);
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("feature"))
        {
            files.push(path);
        }
    }
}

/// A syntax error as a diagnostic; the caret spans the misspelled word
/// where there is one. An early end of the file has no line to show.
fn syntax_diagnostic(file: &Path, shown: &str, e: &SyntaxError) -> Diagnostic {
    let mut d = Diagnostic::at(e.to_string(), file, shown, e.line, e.col);
    if let SyntaxErrorKind::KeywordTypo { word, .. } = &e.kind {
        d = d.underline(e.col, word.chars().count());
    }
    d.with_help(e.help())
}

/// Reports outlines with steps whose Examples hold no data row: Gherkin
/// accepts them, but they expand to no scenario at all, so the scenario the
/// author wrote would silently never run. Returns whether there are none.
fn rowless_outlines(
    feature: &Feature,
    file: &Path,
    shown: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> bool {
    let before = diagnostics.len();
    let scenarios = feature
        .scenarios
        .iter()
        .chain(feature.rules.iter().flat_map(|r| &r.scenarios));
    for scenario in scenarios.filter(|s| !s.steps.is_empty() && !s.examples.is_empty()) {
        let rows: usize = scenario
            .examples
            .iter()
            .filter_map(|e| e.table.as_ref())
            .map(|t| t.rows.len().saturating_sub(1))
            .sum();
        if rows == 0 {
            diagnostics.push(
                Diagnostic::at(
                    format!(
                        "`{}: {}` has no Examples rows, so it never runs",
                        scenario.keyword, scenario.name
                    ),
                    file,
                    shown,
                    scenario.position.line,
                    scenario.position.col,
                )
                .with_help("add rows under the Examples table's header row (it names the columns), or remove the empty `Examples:` to run the scenario once"),
            );
        }
    }
    diagnostics.len() == before
}

/// Gives every outline example row its own single-row outline, so expanding
/// is linear in the number of rows: cucumber's expansion clones the whole
/// Examples table for every row, which is quadratic in time and memory
/// (2.3 GB for a 10,000-row outline). Each copy keeps its row's line number.
fn split_outlines(mut feature: Feature) -> Feature {
    feature.scenarios = split_scenarios(std::mem::take(&mut feature.scenarios));
    for rule in &mut feature.rules {
        rule.scenarios = split_scenarios(std::mem::take(&mut rule.scenarios));
    }
    feature
}

fn split_scenarios(scenarios: Vec<gherkin::Scenario>) -> Vec<gherkin::Scenario> {
    let mut out = Vec::with_capacity(scenarios.len());
    for mut scenario in scenarios {
        let examples = std::mem::take(&mut scenario.examples);
        if examples.is_empty() {
            out.push(scenario);
            continue;
        }
        for mut block in examples {
            let Some(mut table) = block.table.take() else {
                continue;
            };
            let mut rows = std::mem::take(&mut table.rows).into_iter();
            let Some(header) = rows.next() else {
                continue;
            };
            for (i, row) in rows.enumerate() {
                let mut one_table = table.clone();
                one_table.rows = vec![header.clone(), row];
                let mut one_block = block.clone();
                one_block.position.line += i;
                one_block.table = Some(one_table);
                let mut one = scenario.clone();
                one.examples = vec![one_block];
                out.push(one);
            }
        }
    }
    out
}

/// Reports a feature file with more table rows than one run may start
/// scenarios ([`super::bounds::MAX_SCENARIO_RUNS`]), from its text, before
/// it is parsed and its outlines expanded; returns whether it is within.
fn within_run_size(
    source: &str,
    file: &Path,
    shown: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> bool {
    let max = super::bounds::MAX_SCENARIO_RUNS;
    let past = source
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with('|'))
        .nth(max);
    let Some((at, _)) = past else { return true };
    diagnostics.push(
        Diagnostic::at(
            format!("this feature file holds more than {max} table rows; one run starts at most {max} scenarios"),
            file,
            shown,
            at + 1,
            1,
        )
        .with_help("split the Examples table into several feature files and select them with --tags or paths, or run them in shards (--shard I/N)"),
    );
    false
}

fn keep_tagged(feature: &mut Feature, op: &gherkin::tagexpr::TagOperation) {
    let feature_tags = feature.tags.clone();
    feature
        .scenarios
        .retain(|s| op.eval(feature_tags.iter().chain(&s.tags)));
    for rule in &mut feature.rules {
        let rule_tags = rule.tags.clone();
        rule.scenarios
            .retain(|s| op.eval(feature_tags.iter().chain(&rule_tags).chain(&s.tags)));
    }
}

/// Adds a diagnostic for every step that matches no built-in step.
pub fn check_steps(feature: &Feature, file: &Path, shown: &str, diagnostics: &mut Vec<Diagnostic>) {
    let background = feature.background.iter().flat_map(|b| &b.steps);
    let rule_backgrounds = feature
        .rules
        .iter()
        .flat_map(|r| r.background.iter().flat_map(|b| &b.steps));
    let scenarios = feature
        .scenarios
        .iter()
        .chain(feature.rules.iter().flat_map(|r| &r.scenarios))
        .flat_map(|s| &s.steps);
    let mut seen = std::collections::HashSet::new();
    for step in background.chain(rule_backgrounds).chain(scenarios) {
        // Outline rows repeat the same step line; report each line once.
        if !seen.insert((step.position.line, step.value.clone())) {
            continue;
        }
        check_time_amounts(step, file, shown, diagnostics);
        if let Err(suggestion) = steps::lookup(&step.value) {
            let col = step.position.col + step.keyword.chars().count();
            let d = Diagnostic::at(
                format!("unknown step `{}`", step.value),
                file,
                shown,
                step.position.line,
                col,
            )
            .underline(col, step.value.chars().count());
            diagnostics.push(d.with_help(match suggestion {
                Some(s) => format!("did you mean `{s}`? (`driftgate steps` lists every step)"),
                None => "no built-in step is close; `driftgate steps` lists every step".into(),
            }));
        }
        if step.table.is_some() && step.docstring.is_some() {
            diagnostics.push(
                Diagnostic::at(
                    "step has both a data table and a docstring",
                    file,
                    shown,
                    step.position.line,
                    step.position.col,
                )
                .with_help(
                    "Gherkin allows both, but every driftgate step takes at most one of them and would ignore the other; keep the one the step needs (`driftgate steps` says which)",
                ),
            );
        }
    }
}

/// Adds a diagnostic for a time a step gives (`within 5 seconds`) that is
/// out of range: the parameter before each `unit` parameter is its amount.
fn check_time_amounts(
    step: &gherkin::Step,
    file: &Path,
    shown: &str,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let matched = steps::catalogue()
        .iter()
        .zip(steps::patterns())
        .find_map(|(def, re)| Some((def, re.captures(&step.value)?)));
    let Some((def, caps)) = matched else { return };
    for param in def.params.iter().filter(|p| p.kind == ArgKind::Duration) {
        let Some(amount) = caps.name(param.name) else {
            continue;
        };
        let (number, unit) = split_duration(amount.as_str());
        if let Err(message) = crate::config::duration::from_amount(number, unit) {
            let col = step.position.col
                + step.keyword.chars().count()
                + step.value[..amount.start()].chars().count();
            diagnostics.push(
                Diagnostic::at(
                    format!("time out of range: {message}"),
                    file,
                    shown,
                    step.position.line,
                    col,
                )
                .underline(col, number.chars().count())
                .with_help("a timeout or time window is at most a day (86400 seconds)"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_outline_without_examples_rows_is_refused_instead_of_vanishing() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("empty.feature");
        std::fs::write(
            &f,
            "Feature: x\n  Scenario Outline: sku <sku>\n    When I send a GET request to \"/x/<sku>\"\n\n    Examples:\n      | sku |\n",
        )
        .unwrap();
        let err = load(&[f], None, dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("`Scenario Outline: sku <sku>` has no Examples rows, so it never runs"),
            "{err}"
        );
        assert!(err.contains("empty.feature:2:3"), "{err}");
    }

    #[test]
    fn a_step_with_both_a_table_and_a_docstring_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("both.feature");
        std::fs::write(
            &f,
            "Feature: x\n  Scenario: y\n    Given the variables are:\n      | name | value |\n      | a    | 1     |\n      \"\"\"\n      {}\n      \"\"\"\n",
        )
        .unwrap();
        let err = load(&[f], None, dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("step has both a data table and a docstring"),
            "{err}"
        );
        assert!(err.contains("both.feature:3:5"), "{err}");
        assert!(!err.contains("unknown step"), "{err}");
    }

    #[test]
    fn ragged_examples_rows_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.feature");
        std::fs::write(
            &f,
            "Feature: x\n  Scenario Outline: y <a>\n    When I send a GET request to \"/x/<a>\"\n    Examples:\n      | a |\n      | 1 | 2 |\n",
        )
        .unwrap();
        let err = load(&[f], None, dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("Examples row has 2 cells but the header has 1"),
            "{err}"
        );
        assert!(err.contains("a.feature:6"), "{err}");
    }

    #[test]
    fn outline_rows_keep_their_lines_and_values() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("o.feature");
        std::fs::write(
            &f,
            "Feature: x\n  Scenario Outline: sku <sku>\n    When I send a GET request to \"/x/<sku>\"\n\n    Examples: first\n      | sku |\n      | A   |\n      | B   |\n\n    Examples: second\n      | sku |\n      | C   |\n",
        )
        .unwrap();
        let set = load(&[f], None, dir.path()).unwrap();
        let scenarios: Vec<(String, usize, String)> = set.features[0]
            .scenarios
            .iter()
            .map(|s| (s.name.clone(), s.position.line, s.steps[0].value.clone()))
            .collect();
        assert_eq!(
            scenarios,
            [
                (
                    "sku A".to_owned(),
                    7,
                    r#"I send a GET request to "/x/A""#.to_owned()
                ),
                (
                    "sku B".to_owned(),
                    8,
                    r#"I send a GET request to "/x/B""#.to_owned()
                ),
                (
                    "sku C".to_owned(),
                    12,
                    r#"I send a GET request to "/x/C""#.to_owned()
                ),
            ]
        );
        assert_eq!(set.scenario_count, 3);
    }
}
