//! Walking parsed features the way a run would: every scenario with the
//! steps it executes (feature background, rule background, its own steps),
//! each step matched to its built-in definition with its named, typed
//! arguments (the pattern's named groups).
//!
//! ```text
//! When I send a POST request to "/api/orders" with the fixture "orders/new-order.json"
//! ──▶ method = "POST" (col 14), path = "/api/orders", fixture = "orders/new-order.json"
//! ```

use cucumber::gherkin::{Feature, Rule, Scenario, Step};

use crate::world::steps::{self, ArgKind, StepDef};

/// One scenario as it runs: its steps in order and all the tags that apply.
pub struct ScenarioWalk<'a> {
    /// The scenario.
    pub scenario: &'a Scenario,
    /// Background steps first, then the scenario's own.
    pub steps: Vec<&'a Step>,
    /// Tags of feature, rule and scenario, each with its `@`.
    pub tags: Vec<String>,
}

/// Every scenario of `feature` (outlines already expanded) with its steps.
pub fn scenarios(feature: &Feature) -> Vec<ScenarioWalk<'_>> {
    let background: Vec<&Step> = feature.background.iter().flat_map(|b| &b.steps).collect();
    let mut out: Vec<ScenarioWalk<'_>> = feature
        .scenarios
        .iter()
        .map(|s| walk(feature, None, s, &background))
        .collect();
    for rule in &feature.rules {
        let mut steps = background.clone();
        steps.extend(rule.background.iter().flat_map(|b| &b.steps));
        out.extend(
            rule.scenarios
                .iter()
                .map(|s| walk(feature, Some(rule), s, &steps)),
        );
    }
    out
}

fn walk<'a>(
    feature: &'a Feature,
    rule: Option<&'a Rule>,
    scenario: &'a Scenario,
    background: &[&'a Step],
) -> ScenarioWalk<'a> {
    let mut steps = background.to_vec();
    steps.extend(&scenario.steps);
    let tags = feature
        .tags
        .iter()
        .chain(rule.iter().flat_map(|r| &r.tags))
        .chain(&scenario.tags)
        .map(|t| format!("@{}", t.trim_start_matches('@')))
        .collect();
    ScenarioWalk {
        scenario,
        steps,
        tags,
    }
}

/// An argument of a matched step.
#[derive(Debug, Clone, PartialEq)]
pub struct StepArg {
    /// Parameter name from the catalogue (`method`, `fixture`, `jsonpath`, …).
    pub name: &'static str,
    /// What kind of value it holds.
    pub kind: ArgKind,
    /// The text the step gave it.
    pub value: String,
    /// Character offset of the value within the step text.
    pub offset: usize,
}

/// A step matched to its built-in definition.
pub struct MatchedStep<'a> {
    /// The step as written.
    pub step: &'a Step,
    /// Its definition.
    pub def: &'static StepDef,
    /// The arguments it was given; optional ones it left out are absent.
    pub args: Vec<StepArg>,
}

impl MatchedStep<'_> {
    /// The value of the argument named `name`, if the step gave one.
    pub fn arg(&self, name: &str) -> Option<&StepArg> {
        self.args.iter().find(|a| a.name == name)
    }

    /// Column (1-based) of a character offset within the step text.
    pub fn column(&self, offset: usize) -> usize {
        self.step.position.col + self.step.keyword.chars().count() + offset
    }
}

/// The built-in step `step` runs, or `None` for an unknown step.
pub fn match_step(step: &Step) -> Option<MatchedStep<'_>> {
    let (def, regex) = steps::catalogue()
        .iter()
        .zip(steps::patterns())
        .find(|(_, re)| re.is_match(&step.value))?;
    let captures = regex.captures(&step.value)?;
    let args = def
        .params
        .iter()
        .filter(|p| p.kind.is_in_text())
        .filter_map(|p| {
            let m = captures.name(p.name)?;
            Some(StepArg {
                name: p.name,
                kind: p.kind,
                value: m.as_str().to_owned(),
                offset: step.value[..m.start()].chars().count(),
            })
        })
        .collect();
    Some(MatchedStep { step, def, args })
}

#[cfg(test)]
mod tests {
    use super::*;
    use cucumber::gherkin::GherkinEnv;

    fn feature(text: &str) -> Feature {
        Feature::parse(text, GherkinEnv::default()).unwrap()
    }

    #[test]
    fn scenarios_run_backgrounds_first_and_collect_tags() {
        let f = feature(
            "@erp\nFeature: f\n  Background:\n    Given the variable \"a\" is \"1\"\n  Rule: r\n    Background:\n      Given the variable \"b\" is \"2\"\n    @w\n    Scenario: s\n      Then the response status should be 200\n",
        );
        let walks = scenarios(&f);
        assert_eq!(walks.len(), 1);
        let texts: Vec<&str> = walks[0].steps.iter().map(|s| s.value.as_str()).collect();
        assert_eq!(
            texts,
            [
                "the variable \"a\" is \"1\"",
                "the variable \"b\" is \"2\"",
                "the response status should be 200"
            ]
        );
        assert_eq!(walks[0].tags, ["@erp", "@w"]);
    }

    #[test]
    fn arguments_are_named_and_optional_ones_left_out() {
        let f = feature(
            "Feature: f\n  Scenario: s\n    When I send a POST request to \"/api/orders\" with the fixture \"o.json\"\n",
        );
        let step = &f.scenarios[0].steps[0];
        let matched = match_step(step).unwrap();
        let args: Vec<(&str, &str, usize)> = matched
            .args
            .iter()
            .map(|a| (a.name, a.value.as_str(), a.offset))
            .collect();
        assert_eq!(
            args,
            [
                ("method", "POST", 9),
                ("path", "/api/orders", 26),
                ("fixture", "o.json", 57)
            ]
        );
        assert_eq!(matched.column(9), 5 + "When ".len() + 9);
        assert!(matched.arg("service").is_none());
        let kinds: Vec<ArgKind> = matched.args.iter().map(|a| a.kind).collect();
        assert_eq!(
            kinds,
            [ArgKind::Method, ArgKind::Template, ArgKind::Fixture]
        );
    }
}
