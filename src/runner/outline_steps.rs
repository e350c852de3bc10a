//! Outline step texts: each `Scenario Outline` step as written, before an
//! Examples row is substituted into it, so the trace can say that
//! `/api/stock/BRK-1001` was sent by the step `/api/stock/<sku>` and
//! learned noise is keyed by what every row shares.

use std::collections::{BTreeMap, HashMap};

use cucumber::gherkin::{Feature, Scenario};

/// The un-substituted text of every outline step that names a `<placeholder>`,
/// by feature file (as shown) and step line.
#[derive(Debug, Default)]
pub struct OutlineSteps(HashMap<String, BTreeMap<usize, String>>);

impl OutlineSteps {
    /// Notes the outline steps of `feature` (not yet expanded), shown as `shown`.
    pub fn add(&mut self, shown: &str, feature: &Feature) {
        let outlines = feature
            .scenarios
            .iter()
            .chain(feature.rules.iter().flat_map(|r| &r.scenarios))
            .filter(|s| !s.examples.is_empty());
        let steps: BTreeMap<usize, String> = outlines
            .flat_map(|s| &s.steps)
            .filter(|step| step.value.contains('<'))
            .map(|step| (step.position.line, step.value.clone()))
            .collect();
        if !steps.is_empty() {
            self.0.insert(shown.to_owned(), steps);
        }
    }

    /// Takes in the outline steps of other features.
    pub fn merge(&mut self, other: OutlineSteps) {
        self.0.extend(other.0);
    }

    /// The outline texts of the steps of one expanded scenario of `feature`,
    /// by step line.
    pub fn of_scenario(&self, feature: &str, scenario: &Scenario) -> BTreeMap<usize, String> {
        let Some(steps) = self.0.get(feature) else {
            return BTreeMap::new();
        };
        scenario
            .steps
            .iter()
            .filter_map(|step| {
                let line = step.position.line;
                steps.get(&line).map(|text| (line, text.clone()))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outline_steps_keep_their_placeholders_after_expansion() {
        use cucumber::feature::Ext as _;
        let source = "Feature: x\n  Scenario Outline: sku <sku>\n    Given the variable \"n\" is \"1\"\n    When I send a GET request to \"/api/stock/<sku>\"\n\n    Examples:\n      | sku |\n      | A   |\n";
        let feature = crate::feature_file::parse(source).unwrap().unwrap();
        let mut outlines = OutlineSteps::default();
        outlines.add("x.feature", &feature);
        let expanded = feature.expand_examples().unwrap();
        let scenario = &expanded.scenarios[0];
        assert_eq!(
            scenario.steps[1].value,
            r#"I send a GET request to "/api/stock/A""#
        );
        let texts = outlines.of_scenario("x.feature", scenario);
        assert_eq!(
            texts,
            BTreeMap::from([(
                4,
                r#"I send a GET request to "/api/stock/<sku>""#.to_owned()
            )])
        );
        assert!(outlines.of_scenario("other.feature", scenario).is_empty());
    }
}
