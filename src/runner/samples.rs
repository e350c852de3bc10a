//! Repetitions for timing: `--samples N`, `--warmup N` and the
//! `@samples(N)` tag turn one scenario into several runs (the judge folds
//! their results back into one scenario: see `crate::judge`).
//!
//! ```text
//! @samples(3) Scenario: Create an order        (with --warmup 1)
//! ──▶ Create an order [warm-up 1], [sample 1], [sample 2], [sample 3]
//! ```
//!
//! Each repetition is a fresh scenario run (fresh world, fresh `{{ uuid() }}`
//! and `{{ now() }}` values, so writes do not collide), recorded in the trace
//! with its [`SampleRef`]. Inside a repetition every request goes to both
//! environments at once, each in its own task; which environment's request
//! starts first alternates from one sample to the next.
//!
//! Repetitions are marked with a private tag the runner adds after tag
//! filtering and removes again when it builds the [`crate::trace::ScenarioKey`].

use std::path::Path;
use std::sync::LazyLock;

use cucumber::gherkin::{Feature, Scenario};
use regex::Regex;

use super::bounds::MAX_SAMPLES;
use crate::diagnostic::Diagnostic;
use crate::trace::SampleRef;

/// How scenarios are repeated for timing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sampling {
    /// Measured repetitions of every scenario; a `@samples(N)` tag overrides it.
    pub samples: Option<usize>,
    /// Repetitions before the measured ones whose times are discarded.
    pub warmup: usize,
    /// A fresh connection for every request instead of a reused pool.
    pub cold: bool,
}

const MARKER: &str = "driftgate-sample:";

static SAMPLES_TAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^@?samples(?:\((.*)\)|-(.*)|\(.*)$").unwrap_or_else(|e| panic!("{e}"))
});

/// The sample count a tag asks for (`@samples(30)` or `@samples-30`), or why
/// it is not one (`@samples(0)`, `@samples(abc)`, more than [`MAX_SAMPLES`]);
/// none for a tag that is not a samples tag.
pub fn samples_tag(tag: &str) -> Option<Result<usize, String>> {
    let caps = SAMPLES_TAG.captures(tag)?;
    let count = caps.get(1).or(caps.get(2)).map_or("", |m| m.as_str());
    let valid = count.bytes().all(|b| b.is_ascii_digit()) && !count.is_empty();
    Some(match count.parse::<usize>() {
        Ok(n) if valid && (1..=MAX_SAMPLES).contains(&n) => Ok(n),
        _ => Err(format!(
            "`@{}` is not a sample count: write @samples(N) with N from 1 to {MAX_SAMPLES}",
            tag.trim_start_matches('@')
        )),
    })
}

/// Adds a diagnostic, at the tag's line, for every samples tag of the
/// feature, its rules and scenarios that is not a count from 1 to [`MAX_SAMPLES`].
pub fn check_tags(feature: &Feature, file: &Path, shown: &str, diagnostics: &mut Vec<Diagnostic>) {
    let source = std::fs::read_to_string(file).unwrap_or_default();
    let lines: Vec<&str> = source.lines().collect();
    let tagged = std::iter::once((&feature.tags, feature.position.line))
        .chain(feature.rules.iter().map(|r| (&r.tags, r.position.line)))
        .chain(
            feature
                .scenarios
                .iter()
                .chain(feature.rules.iter().flat_map(|r| &r.scenarios))
                .map(|s| (&s.tags, s.position.line)),
        );
    let mut seen = std::collections::BTreeSet::new();
    for (tags, line) in tagged {
        for tag in tags {
            let Some(Err(message)) = samples_tag(tag) else {
                continue;
            };
            let (line, col) = tag_position(&lines, line, tag);
            if seen.insert((line, col)) {
                diagnostics.push(
                    Diagnostic::at(message, file, shown, line, col)
                        .underline(col, tag.chars().count() + 1)
                        .with_help("a sample count repeats the scenario N times for timing; see docs/guide.md"),
                );
            }
        }
    }
}

/// The line and column of `@tag` in the lines above (and at) the element at `line`.
fn tag_position(lines: &[&str], line: usize, tag: &str) -> (usize, usize) {
    let written = format!("@{}", tag.trim_start_matches('@'));
    (1..=line.min(lines.len()))
        .rev()
        .find_map(|n| Some((n, lines[n - 1].find(&written)? + 1)))
        .unwrap_or((line, 1))
}

/// Replaces every scenario that is to be repeated by its repetitions;
/// returns whether any scenario is.
pub fn expand(features: &mut [Feature], sampling: &Sampling) -> bool {
    let mut any = false;
    for feature in features.iter_mut() {
        let feature_tags = feature.tags.clone();
        any |= expand_list(&mut feature.scenarios, &feature_tags, sampling);
        for rule in &mut feature.rules {
            let tags: Vec<String> = feature_tags.iter().chain(&rule.tags).cloned().collect();
            any |= expand_list(&mut rule.scenarios, &tags, sampling);
        }
    }
    any
}

/// The scenario runs [`expand`] would make of `features` (saturating).
pub fn runs(features: &[Feature], sampling: &Sampling) -> usize {
    let mut runs = 0usize;
    for feature in features {
        let lists = std::iter::once((&feature.scenarios, feature.tags.clone())).chain(
            feature.rules.iter().map(|rule| {
                let tags = feature.tags.iter().chain(&rule.tags).cloned().collect();
                (&rule.scenarios, tags)
            }),
        );
        for (scenarios, tags) in lists {
            for scenario in scenarios {
                let each = repetitions(scenario, &tags, sampling)
                    .map_or(1, |n| n.saturating_add(sampling.warmup));
                runs = runs.saturating_add(each);
            }
        }
    }
    runs
}

/// How many measured runs a scenario gets, when it is repeated at all: its
/// innermost `@samples(N)` tag, else `--samples`.
fn repetitions(scenario: &Scenario, outer_tags: &[String], sampling: &Sampling) -> Option<usize> {
    let tagged = scenario
        .tags
        .iter()
        .rev()
        .chain(outer_tags.iter().rev())
        .find_map(|t| samples_tag(t).and_then(Result::ok));
    tagged.or(sampling.samples).filter(|n| *n >= 2)
}

fn expand_list(scenarios: &mut Vec<Scenario>, outer_tags: &[String], sampling: &Sampling) -> bool {
    let mut any = false;
    let mut out = Vec::with_capacity(scenarios.len());
    for scenario in scenarios.drain(..) {
        match repetitions(&scenario, outer_tags, sampling) {
            None => out.push(scenario),
            Some(n) => {
                any = true;
                let runs = (1..=sampling.warmup)
                    .map(|index| SampleRef {
                        index,
                        warmup: true,
                    })
                    .chain((1..=n).map(|index| SampleRef {
                        index,
                        warmup: false,
                    }));
                for sample in runs {
                    let mut copy = scenario.clone();
                    copy.tags.push(marker(sample));
                    out.push(copy);
                }
            }
        }
    }
    *scenarios = out;
    any
}

fn marker(sample: SampleRef) -> String {
    let kind = if sample.warmup { "warmup" } else { "measured" };
    format!("{MARKER}{kind}:{}", sample.index)
}

/// Splits the runner's marker off a scenario's tags.
pub fn take_marker(tags: &mut Vec<String>) -> Option<SampleRef> {
    let at = tags
        .iter()
        .position(|t| t.trim_start_matches('@').starts_with(MARKER))?;
    let tag = tags.remove(at);
    let rest = tag.trim_start_matches('@').strip_prefix(MARKER)?;
    let (kind, index) = rest.split_once(':')?;
    Some(SampleRef {
        index: index.parse().ok()?,
        warmup: kind == "warmup",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_tags() {
        for (tag, expected) in [
            ("@samples(30)", Some(Some(30))),
            ("samples-12", Some(Some(12))),
            ("@samples(1000)", Some(Some(1000))),
            ("@samples(0)", Some(None)),
            ("@samples(abc)", Some(None)),
            ("@samples(99999999999)", Some(None)),
            ("@samples(99999999999999999999999)", Some(None)),
            ("@samples(+3)", Some(None)),
            ("@samples(3", Some(None)),
            ("@samples", None),
            ("@smoke", None),
        ] {
            assert_eq!(samples_tag(tag).map(Result::ok), expected, "{tag}");
        }
    }

    fn feature(text: &str) -> Feature {
        Feature::parse(text, cucumber::gherkin::GherkinEnv::default()).unwrap()
    }

    #[test]
    fn expands_tagged_and_flagged_scenarios_with_warmups() {
        let mut features = vec![feature(
            "Feature: F\n  @samples(3)\n  Scenario: A\n    Given x\n  Scenario: B\n    Given y\n",
        )];
        let sampling = Sampling {
            samples: None,
            warmup: 1,
            cold: false,
        };
        assert!(expand(&mut features, &sampling));
        let names: Vec<(String, Option<SampleRef>)> = features[0]
            .scenarios
            .iter()
            .map(|s| {
                let mut tags = s.tags.clone();
                (s.name.clone(), take_marker(&mut tags))
            })
            .collect();
        let s = |index, warmup| Some(SampleRef { index, warmup });
        assert_eq!(
            names,
            [
                ("A".to_owned(), s(1, true)),
                ("A".to_owned(), s(1, false)),
                ("A".to_owned(), s(2, false)),
                ("A".to_owned(), s(3, false)),
                ("B".to_owned(), None),
            ]
        );
        let mut flagged = vec![feature("Feature: F\n  Scenario: B\n    Given y\n")];
        let sampling = Sampling {
            samples: Some(2),
            ..Sampling::default()
        };
        assert!(expand(&mut flagged, &sampling));
        assert_eq!(flagged[0].scenarios.len(), 2);
        let mut once = vec![feature("Feature: F\n  Scenario: B\n    Given y\n")];
        assert!(!expand(&mut once, &Sampling::default()));
    }

    #[test]
    fn marker_is_removed_from_tags() {
        let mut tags = vec![
            "smoke".to_owned(),
            marker(SampleRef {
                index: 7,
                warmup: false,
            }),
        ];
        assert_eq!(
            take_marker(&mut tags),
            Some(SampleRef {
                index: 7,
                warmup: false
            })
        );
        assert_eq!(tags, ["smoke"]);
        assert_eq!(take_marker(&mut tags), None);
    }
}
