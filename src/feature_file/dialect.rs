//! Gherkin's spoken languages: the keywords of each `# language:` a feature
//! file may name.
//!
//! The table is Cucumber's own `gherkin-languages.json` (MIT licence,
//! © Cucumber Ltd and contributors), one language a line:
//!
//! ```text
//! "fr": {"name": "French", …, "feature": ["Fonctionnalité"], "given": ["* ", "Soit ", …], …}
//! ```
//!
//! Step keywords carry their trailing space (`"Given "`), as in the official
//! table; some languages (Chinese, Japanese) have none.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use cucumber::gherkin::StepType;

/// The language a feature file is in when it names none.
pub const DEFAULT_LANGUAGE: &str = "en";

/// One language's keywords as the official table spells them.
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    feature: Vec<String>,
    background: Vec<String>,
    rule: Vec<String>,
    scenario: Vec<String>,
    scenario_outline: Vec<String>,
    examples: Vec<String>,
    given: Vec<String>,
    when: Vec<String>,
    then: Vec<String>,
    and: Vec<String>,
    but: Vec<String>,
}

/// The kind of block a title keyword (`Feature:`, `Scenario:`, …) opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Title {
    /// `Feature:`
    Feature,
    /// `Rule:`
    Rule,
    /// `Background:`
    Background,
    /// `Scenario:`, `Example:`, `Scenario Outline:`
    Scenario,
    /// `Examples:`
    Examples,
}

/// How a step keyword relates to the step before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepKind {
    /// `Given`, `When`, `Then`: the step has this type.
    Typed(StepType),
    /// `And`, `But`, `*`: the step continues the previous step's type.
    Conjunction,
}

/// The keywords of one language, longest first so that a keyword that is a
/// prefix of another (`Le ` and `Le sa a `) never hides it.
#[derive(Debug)]
pub struct Dialect {
    /// The keyword named in messages for each kind of block.
    names: Vec<(Title, String)>,
    titles: Vec<(String, Title)>,
    steps: Vec<(String, StepKind)>,
}

static LANGUAGES: LazyLock<BTreeMap<String, Entry>> = LazyLock::new(|| {
    serde_json::from_str(include_str!("languages.json"))
        .unwrap_or_else(|e| panic!("the built-in Gherkin language table is malformed: {e}"))
});

static DIALECTS: LazyLock<BTreeMap<&'static str, Dialect>> = LazyLock::new(|| {
    LANGUAGES
        .iter()
        .map(|(code, entry)| (code.as_str(), Dialect::from_entry(entry)))
        .collect()
});

impl Dialect {
    /// The dialect of a `# language:` code, if Gherkin knows it.
    pub fn named(code: &str) -> Option<&'static Dialect> {
        DIALECTS.get(code)
    }

    /// English, the language of a file without `# language:`.
    pub fn default_dialect() -> &'static Dialect {
        DIALECTS
            .get(DEFAULT_LANGUAGE)
            .unwrap_or_else(|| panic!("the built-in Gherkin language table has no English"))
    }

    /// Every language code, for "did you mean" on an unknown one.
    pub fn codes() -> impl Iterator<Item = &'static str> {
        DIALECTS.keys().copied()
    }

    fn from_entry(entry: &Entry) -> Dialect {
        let names = [
            (Title::Feature, entry.feature.first()),
            (Title::Rule, entry.rule.first()),
            (Title::Background, entry.background.first()),
            (Title::Scenario, entry.scenario.last()),
            (Title::Examples, entry.examples.first()),
        ]
        .into_iter()
        .filter_map(|(title, word)| Some((title, word?.clone())))
        .collect();
        let mut titles: Vec<(String, Title)> = [
            (&entry.feature, Title::Feature),
            (&entry.rule, Title::Rule),
            (&entry.background, Title::Background),
            (&entry.scenario, Title::Scenario),
            (&entry.scenario_outline, Title::Scenario),
            (&entry.examples, Title::Examples),
        ]
        .into_iter()
        .flat_map(|(words, title)| words.iter().map(move |w| (w.clone(), title)))
        .collect();
        titles.sort_by_key(|(w, _)| std::cmp::Reverse(w.chars().count()));
        let mut steps: Vec<(String, StepKind)> = Vec::new();
        for (words, kind) in [
            (&entry.given, StepKind::Typed(StepType::Given)),
            (&entry.when, StepKind::Typed(StepType::When)),
            (&entry.then, StepKind::Typed(StepType::Then)),
            (&entry.and, StepKind::Conjunction),
            (&entry.but, StepKind::Conjunction),
        ] {
            for word in words {
                // `* ` is listed under every type; it continues the previous one.
                let kind = if word.trim() == "*" {
                    StepKind::Conjunction
                } else {
                    kind
                };
                if !steps.iter().any(|(w, _)| w == word) {
                    steps.push((word.clone(), kind));
                }
            }
        }
        steps.sort_by_key(|(w, _)| std::cmp::Reverse(w.chars().count()));
        Dialect {
            names,
            titles,
            steps,
        }
    }

    /// The title keyword `text` starts with (`Scenario Outline: …`), with
    /// what follows its colon.
    pub fn title<'t>(&self, text: &'t str) -> Option<(&str, Title, &'t str)> {
        self.titles.iter().find_map(|(word, title)| {
            let rest = text.strip_prefix(word.as_str())?.strip_prefix(':')?;
            Some((word.as_str(), *title, rest))
        })
    }

    /// The step keyword `text` starts with (`Given `), with the step text.
    pub fn step<'t>(&self, text: &'t str) -> Option<(&str, StepKind, &'t str)> {
        self.steps.iter().find_map(|(word, kind)| {
            let rest = text.strip_prefix(word.as_str())?;
            Some((word.as_str(), *kind, rest))
        })
    }

    /// The keyword messages use for a kind of block (`Scenario`).
    pub fn title_word(&self, title: Title) -> &str {
        self.names
            .iter()
            .find(|(t, _)| *t == title)
            .map(|(_, w)| w.as_str())
            .unwrap_or("?")
    }

    /// Every title keyword of the language, for "did you mean".
    pub fn title_words(&self) -> impl Iterator<Item = &str> {
        self.titles.iter().map(|(w, _)| w.as_str())
    }

    /// Every step keyword without its trailing space (`Given`), for "did you
    /// mean"; `*` is left out.
    pub fn step_words(&self) -> impl Iterator<Item = &str> {
        self.steps
            .iter()
            .map(|(w, _)| w.trim_end())
            .filter(|w| *w != "*")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_loads_and_english_is_there() {
        assert!(Dialect::codes().count() > 70);
        let en = Dialect::default_dialect();
        assert_eq!(
            en.title("Scenario Outline: x"),
            Some(("Scenario Outline", Title::Scenario, " x"))
        );
        assert_eq!(en.title("Scenario x"), None);
        assert_eq!(
            en.step("Given a"),
            Some(("Given ", StepKind::Typed(StepType::Given), "a"))
        );
        assert_eq!(
            en.step("* a").map(|(_, k, _)| k),
            Some(StepKind::Conjunction)
        );
    }

    #[test]
    fn the_longest_keyword_wins() {
        let ht = Dialect::named("ht").unwrap();
        assert_eq!(ht.step("Le sa a x").map(|(w, _, _)| w), Some("Le sa a "));
        assert_eq!(ht.step("Le x").map(|(w, _, _)| w), Some("Le "));
    }
}
