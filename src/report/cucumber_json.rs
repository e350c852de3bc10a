//! `cucumber.json`: the standard Cucumber JSON report, for the existing
//! Cucumber reporting ecosystem (cucumber-html-reporter, Jenkins/Xray
//! plugins). One element per feature file, one `scenario` per scenario, one
//! step per executed step; a step that drifted or failed is `failed`, with the
//! drifts or the failure in `error_message`.
//!
//! ```json
//! [{"uri": "features/order_sync.feature", "id": "order-sync", "keyword": "Feature", "name": "Order sync", "line": 1,
//!   "elements": [{"id": "order-sync;create-an-order-and-read-it-back", "keyword": "Scenario", "type": "scenario",
//!     "name": "Create an order and read it back", "line": 12, "tags": [{"name": "@orders", "line": 11}],
//!     "steps": [{"keyword": "When ", "name": "I send a GET request to …", "line": 15,
//!       "match": {"location": "features/order_sync.feature:15"},
//!       "result": {"status": "failed", "duration": 19500000, "error_message": "value_change $.currency …"}}]}]}]
//! ```
//!
//! A step's `duration` (nanoseconds) is the slower side's HTTP time.

use serde::Serialize;

use super::text::format_drift_value;
use super::{ReportError, ScenarioIndex};
use crate::judge::{DriftReport, ScenarioOutcome, ScenarioResult, StepResult};
use crate::secret::Redactor;

/// Renders the report as Cucumber JSON, secrets redacted.
pub fn render(report: &DriftReport, redactor: &Redactor) -> Result<String, ReportError> {
    let mut features: Vec<FeatureView<'_>> = Vec::new();
    let by_scenario = ScenarioIndex::of(report);
    for (index, result) in report.scenarios.iter().enumerate() {
        let key = &result.scenario;
        let element = element(report, index, result, by_scenario.steps(key), redactor);
        match features.iter_mut().find(|f| f.uri == key.feature) {
            Some(feature) => feature.elements.push(element),
            None => features.push(FeatureView {
                uri: &key.feature,
                id: slug(&key.feature_name),
                keyword: "Feature",
                name: &key.feature_name,
                line: 1,
                description: "",
                elements: vec![element],
            }),
        }
    }
    if let Some(incomplete) = &report.incomplete {
        features.insert(0, incomplete_feature(incomplete));
    }
    let mut json = serde_json::to_string_pretty(&features)?;
    json.push('\n');
    Ok(redactor.redact(&json).into_owned())
}

/// A run that stopped short is one failed scenario of its own, so Cucumber
/// dashboards cannot show the scenarios that did run as a green run.
fn incomplete_feature(incomplete: &crate::judge::Incomplete) -> FeatureView<'static> {
    let headline = incomplete.headline();
    FeatureView {
        uri: "driftgate",
        id: "driftgate-run".into(),
        keyword: "Feature",
        name: "driftgate run",
        line: 1,
        description: "",
        elements: vec![ElementView {
            id: "driftgate-run;every-planned-scenario-ran".into(),
            keyword: "Scenario",
            kind: "scenario",
            name: "every planned scenario ran".into(),
            line: 1,
            description: "",
            tags: Vec::new(),
            steps: vec![StepView {
                keyword: "Then ".into(),
                name: "every planned scenario ran".into(),
                line: 1,
                location: MatchView {
                    location: "driftgate".into(),
                },
                result: ResultView {
                    status: "failed",
                    duration: 0,
                    error_message: Some(headline),
                },
            }],
        }],
    }
}

#[derive(Serialize)]
struct FeatureView<'a> {
    uri: &'a str,
    id: String,
    keyword: &'static str,
    name: &'a str,
    line: usize,
    description: &'static str,
    elements: Vec<ElementView<'a>>,
}

#[derive(Serialize)]
struct ElementView<'a> {
    id: String,
    keyword: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    name: std::borrow::Cow<'a, str>,
    line: usize,
    description: &'static str,
    tags: Vec<TagView<'a>>,
    steps: Vec<StepView>,
}

#[derive(Serialize)]
struct TagView<'a> {
    name: &'a str,
    line: usize,
}

#[derive(Serialize)]
struct StepView {
    keyword: String,
    name: String,
    line: usize,
    #[serde(rename = "match")]
    location: MatchView,
    result: ResultView,
}

#[derive(Serialize)]
struct MatchView {
    location: String,
}

#[derive(Serialize)]
struct ResultView {
    status: &'static str,
    duration: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_message: Option<String>,
}

fn element<'a>(
    report: &'a DriftReport,
    index: usize,
    result: &'a ScenarioResult,
    scenario_steps: &[&StepResult],
    redactor: &Redactor,
) -> ElementView<'a> {
    let key = &result.scenario;
    let mut steps: Vec<StepView> = scenario_steps
        .iter()
        .map(|s| step(report, s, redactor))
        .collect();
    if steps.is_empty() {
        steps.push(outcome_step(result));
    }
    ElementView {
        id: format!("{};{}-{index}", slug(&key.feature_name), slug(&key.title())),
        keyword: if key.rule.is_some() {
            "Example"
        } else {
            "Scenario"
        },
        kind: "scenario",
        name: key.title(),
        line: key.line,
        description: "",
        tags: key
            .tags
            .iter()
            .map(|t| TagView {
                name: t,
                line: key.line.saturating_sub(1),
            })
            .collect(),
        steps,
    }
}

fn step(report: &DriftReport, step: &StepResult, redactor: &Redactor) -> StepView {
    let drifts: Vec<String> = report
        .drifts_in(&step.scenario)
        .filter(|d| d.step.index == step.index)
        .map(|d| {
            format!(
                "{} {} baseline: {} candidate: {} — {}",
                d.class,
                d.path.as_deref().unwrap_or_default(),
                format_drift_value(d, d.baseline.as_ref(), redactor),
                format_drift_value(d, d.candidate.as_ref(), redactor),
                d.message
            )
        })
        .collect();
    let sides = [&step.sides.baseline, &step.sides.candidate];
    let failure: Vec<String> = sides
        .iter()
        .zip(["baseline", "candidate"])
        .filter(|(s, _)| s.status == "failed" || s.status == "error")
        .map(|(s, side)| format!("{side}: {}", s.message.as_deref().unwrap_or(&s.status)))
        .collect();
    let (status, error_message) = if !drifts.is_empty() {
        ("failed", Some(drifts.join("\n")))
    } else if !failure.is_empty() {
        ("failed", Some(failure.join("\n")))
    } else if sides.iter().all(|s| s.status == "skipped") {
        ("skipped", None)
    } else {
        ("passed", None)
    };
    let slowest_ms = sides
        .iter()
        .map(|s| s.exchanges.iter().map(|x| x.total_ms).sum::<f64>())
        .fold(0.0, f64::max);
    StepView {
        keyword: step.keyword.clone(),
        name: step.text.clone(),
        line: step.line,
        location: MatchView {
            location: format!("{}:{}", step.scenario.feature, step.line),
        },
        result: ResultView {
            status,
            duration: (slowest_ms * 1_000_000.0) as u64,
            error_message,
        },
    }
}

/// The one step shown for a scenario whose steps were not recorded.
fn outcome_step(result: &ScenarioResult) -> StepView {
    let status = match result.outcome() {
        ScenarioOutcome::Passed => "passed",
        ScenarioOutcome::Drifted | ScenarioOutcome::Failed => "failed",
    };
    StepView {
        keyword: "Then ".into(),
        name: "both environments behave the same".into(),
        line: result.scenario.line,
        location: MatchView {
            location: format!("{}:{}", result.scenario.feature, result.scenario.line),
        },
        result: ResultView {
            status,
            duration: (result.duration_ms * 1_000_000.0) as u64,
            error_message: result.message.clone().or_else(|| {
                (result.drift_count > 0).then(|| format!("{} drift(s)", result.drift_count))
            }),
        },
    }
}

/// Cucumber's ids: lower case, words joined by `-`.
fn slug(text: &str) -> String {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use crate::report::fixture;

    #[test]
    fn features_scenarios_and_steps_follow_the_cucumber_schema() {
        let json: Value =
            serde_json::from_str(&render(&fixture::report(), &Redactor::default()).unwrap())
                .unwrap();
        let features = json.as_array().unwrap();
        let uris: Vec<&str> = features
            .iter()
            .map(|f| f["uri"].as_str().unwrap())
            .collect();
        assert_eq!(
            uris,
            ["features/order_sync.feature", "features/inventory.feature"]
        );
        let drifted = &features[0]["elements"][0];
        assert_eq!(drifted["type"], "scenario");
        assert_eq!(drifted["tags"][0]["name"], "@orders");
        let statuses: Vec<&str> = drifted["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["result"]["status"].as_str().unwrap())
            .collect();
        assert_eq!(statuses, ["passed", "passed", "failed", "passed"]);
        let read_back = &drifted["steps"][2]["result"];
        assert_eq!(read_back["duration"], 19_500_000);
        assert!(
            read_back["error_message"]
                .as_str()
                .unwrap()
                .contains("value_change $.currency baseline: \"EUR\" candidate: \"USD\""),
            "{read_back}"
        );
        let cancel = &features[0]["elements"][1]["steps"][0]["result"];
        assert_eq!(cancel["status"], "failed");
        assert!(cancel["error_message"].as_str().unwrap().contains("409"));
        let stock = &features[1]["elements"][0]["steps"][0];
        assert_eq!(stock["result"]["status"], "passed");
    }

    #[test]
    fn slugs_are_lower_case_words() {
        assert_eq!(
            slug("Create an order & read it back"),
            "create-an-order-read-it-back"
        );
    }
}
