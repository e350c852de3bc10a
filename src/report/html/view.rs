//! The view model the HTML template reads: plain serialisable data, every
//! string already redacted (the template engine escapes it on output).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::body::{BodyLine, body_lines};
use super::chart::{Chart, quantile, strip_chart};
use crate::compare::Drift;
use crate::judge::{DriftReport, ScenarioResult, SideResult, StepResult};
use crate::report::ScenarioIndex;
use crate::report::text::format_drift_value;
use crate::secret::Redactor;

#[derive(Serialize)]
pub(super) struct ReportView {
    verdict: &'static str,
    verdict_label: &'static str,
    exit_code: u8,
    incomplete: Option<String>,
    baseline: EnvView,
    candidate: EnvView,
    started_at: String,
    duration: String,
    tool_version: String,
    tags: Vec<String>,
    counts: BTreeMap<&'static str, usize>,
    by_class: Vec<(String, usize)>,
    scenarios: Vec<ScenarioView>,
    timing: Vec<TimingView>,
}

#[derive(Serialize)]
struct EnvView {
    name: String,
    variables: Vec<(String, String)>,
}

#[derive(Serialize)]
struct ScenarioView {
    anchor: String,
    name: String,
    feature: String,
    line: usize,
    rule: Option<String>,
    tags: Vec<String>,
    outcome: &'static str,
    message: Option<String>,
    duration: String,
    steps: Vec<StepView>,
    suppressed: Vec<DriftView>,
}

#[derive(Serialize)]
struct StepView {
    keyword: String,
    text: String,
    line: usize,
    baseline: SideView,
    candidate: SideView,
    drifts: Vec<DriftView>,
    bodies: Option<[Vec<BodyLine>; 2]>,
}

#[derive(Serialize, Default)]
struct SideView {
    status: String,
    message: Option<String>,
    exchanges: Vec<String>,
}

#[derive(Serialize)]
struct DriftView {
    anchor: String,
    class: String,
    path: String,
    request: Option<String>,
    baseline: String,
    candidate: String,
    message: String,
    reason: Option<String>,
}

#[derive(Serialize)]
struct TimingView {
    location: String,
    text: String,
    samples: usize,
    baseline_median: String,
    candidate_median: String,
    chart: Chart,
}

/// Builds the view of `report`, every string passed through `redactor`.
pub(super) fn report_view(report: &DriftReport, redactor: &Redactor) -> ReportView {
    let r = |s: &str| redactor.redact(s).into_owned();
    let summary = report.summary();
    let verdict = report.verdict();
    let env = |e: &crate::trace::EnvironmentRef| EnvView {
        name: r(&e.name),
        variables: e.variables.iter().map(|(k, v)| (r(k), r(v))).collect(),
    };
    let tags: BTreeSet<String> = report
        .scenarios
        .iter()
        .flat_map(|s| s.scenario.tags.iter().map(|t| r(t)))
        .collect();
    ReportView {
        verdict: verdict.as_str(),
        verdict_label: verdict.label(),
        exit_code: report.exit_code(),
        incomplete: report.incomplete.as_ref().map(|i| r(&i.headline())),
        baseline: env(&report.header.environments.baseline),
        candidate: env(&report.header.environments.candidate),
        started_at: r(&report.header.started_at),
        duration: seconds(report.duration_ms),
        tool_version: r(&report.header.tool_version),
        tags: tags.into_iter().collect(),
        counts: BTreeMap::from([
            ("scenarios", summary.scenarios),
            ("passed", summary.passed),
            ("drifted", summary.drifted),
            ("failed", summary.failed),
            ("drifts", summary.drifts),
            ("suppressed", report.gate.suppressed.len()),
        ]),
        by_class: summary
            .by_class
            .iter()
            .map(|(c, n)| (c.to_string(), *n))
            .collect(),
        scenarios: {
            let by_scenario = ScenarioIndex::of(report);
            report
                .scenarios
                .iter()
                .enumerate()
                .map(|(i, s)| scenario_view(&by_scenario, i, s, redactor))
                .collect()
        },
        timing: timing_views(report, redactor),
    }
}

fn scenario_view(
    by_scenario: &ScenarioIndex<'_>,
    index: usize,
    result: &ScenarioResult,
    redactor: &Redactor,
) -> ScenarioView {
    let r = |s: &str| redactor.redact(s).into_owned();
    let key = &result.scenario;
    let drifts: Vec<(usize, &Drift)> = by_scenario.drifts(key).to_vec();
    // A passed scenario is a row of the index; its steps are in the trace
    // and in cucumber.json. Keeping them out keeps a 10,000-scenario report
    // small enough to open.
    let scenario_steps = match result.outcome() {
        crate::judge::ScenarioOutcome::Passed => &[],
        _ => by_scenario.steps(key),
    };
    let mut steps: Vec<StepView> = scenario_steps
        .iter()
        .map(|s| step_view(s, &drifts, redactor))
        .collect();
    // Drifts of steps the report has no step record for (older traces).
    let recorded: BTreeSet<usize> = scenario_steps.iter().map(|s| s.index).collect();
    let mut orphan_steps: Vec<usize> = drifts
        .iter()
        .map(|(_, d)| d.step.index)
        .filter(|i| !recorded.contains(i))
        .collect();
    orphan_steps.dedup();
    for index in orphan_steps {
        if let Some((_, d)) = drifts.iter().find(|(_, d)| d.step.index == index) {
            steps.push(StepView {
                keyword: String::new(),
                text: r(&d.step.text),
                line: d.step.line,
                baseline: SideView::default(),
                candidate: SideView::default(),
                drifts: step_drifts(&drifts, index, redactor),
                bodies: None,
            });
        }
    }
    ScenarioView {
        anchor: format!("scenario-{index}"),
        name: r(&key.title()),
        feature: r(&key.feature),
        line: key.line,
        rule: key.rule.as_deref().map(r),
        tags: key.tags.iter().map(|t| r(t)).collect(),
        outcome: result.outcome().as_str(),
        message: result.message.as_deref().map(r),
        duration: seconds(result.duration_ms),
        steps,
        suppressed: by_scenario
            .suppressed(key)
            .iter()
            .map(|(i, s)| {
                let mut view = drift_view(&format!("suppressed-{i}"), &s.drift, redactor);
                view.reason = Some(r(&s.by));
                view
            })
            .collect(),
    }
}

fn step_view(step: &StepResult, drifts: &[(usize, &Drift)], redactor: &Redactor) -> StepView {
    let r = |s: &str| redactor.redact(s).into_owned();
    let step_drifts = step_drifts(drifts, step.index, redactor);
    let paths: Vec<&str> = drifts
        .iter()
        .filter(|(_, d)| d.step.index == step.index)
        .filter_map(|(_, d)| d.path.as_deref())
        .collect();
    let body = |side: &SideResult| {
        side.exchanges
            .iter()
            .rev()
            .find_map(|x| x.body.as_ref())
            .map(|b| body_lines(b, &paths, redactor))
    };
    let bodies = match (body(&step.sides.baseline), body(&step.sides.candidate)) {
        (None, None) => None,
        (b, c) => Some([b.unwrap_or_default(), c.unwrap_or_default()]),
    };
    StepView {
        keyword: r(&step.keyword),
        text: r(&step.text),
        line: step.line,
        baseline: side_view(&step.sides.baseline, redactor),
        candidate: side_view(&step.sides.candidate, redactor),
        drifts: step_drifts,
        bodies,
    }
}

fn step_drifts(drifts: &[(usize, &Drift)], step: usize, redactor: &Redactor) -> Vec<DriftView> {
    drifts
        .iter()
        .filter(|(_, d)| d.step.index == step)
        .map(|(i, d)| drift_view(&format!("drift-{i}"), d, redactor))
        .collect()
}

fn side_view(side: &SideResult, redactor: &Redactor) -> SideView {
    let r = |s: &str| redactor.redact(s).into_owned();
    SideView {
        status: side.status.clone(),
        message: side.message.as_deref().map(r),
        exchanges: side
            .exchanges
            .iter()
            .map(|x| {
                let status = x
                    .status
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| "—".into());
                r(&format!(
                    "{} {} → {status} in {:.1} ms",
                    x.method, x.url, x.total_ms
                ))
            })
            .collect(),
    }
}

fn drift_view(anchor: &str, drift: &Drift, redactor: &Redactor) -> DriftView {
    let r = |s: &str| redactor.redact(s).into_owned();
    DriftView {
        anchor: anchor.to_owned(),
        class: drift.class.to_string(),
        path: r(drift.path.as_deref().unwrap_or_default()),
        request: drift.request.as_deref().map(r),
        baseline: format_drift_value(drift, drift.baseline.as_ref(), redactor),
        candidate: format_drift_value(drift, drift.candidate.as_ref(), redactor),
        message: r(&drift.message),
        reason: None,
    }
}

/// A step line (feature, line, text) and its samples per side.
type TimingGroup = ((String, usize, String), [Vec<f64>; 2]);

/// One chart per step line: every example of an outline adds samples.
fn timing_views(report: &DriftReport, redactor: &Redactor) -> Vec<TimingView> {
    let mut groups: Vec<TimingGroup> = Vec::new();
    let mut positions: std::collections::HashMap<(String, usize, String), usize> =
        std::collections::HashMap::new();
    for step in &report.steps {
        let samples = [&step.sides.baseline, &step.sides.candidate]
            .map(|s| s.exchanges.iter().map(|x| x.total_ms).collect::<Vec<_>>());
        if samples.iter().all(Vec::is_empty) {
            continue;
        }
        let key = (step.scenario.feature.clone(), step.line, step.text.clone());
        match positions.get(&key) {
            Some(&at) => {
                let [b, c] = &mut groups[at].1;
                b.extend(&samples[0]);
                c.extend(&samples[1]);
            }
            None => {
                positions.insert(key.clone(), groups.len());
                groups.push((key, samples));
            }
        }
    }
    // One exchange per side is not a distribution: chart repeated steps only.
    groups
        .into_iter()
        .filter(|(_, [b, c])| b.len().max(c.len()) > 1)
        .map(|((feature, line, text), [b, c])| TimingView {
            location: redactor.redact(&format!("{feature}:{line}")).into_owned(),
            text: redactor.redact(&text).into_owned(),
            samples: b.len().max(c.len()),
            baseline_median: median_label(&b),
            candidate_median: median_label(&c),
            chart: strip_chart(&b, &c),
        })
        .collect()
}

fn median_label(samples: &[f64]) -> String {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    quantile(&sorted, 0.5)
        .map(|m| format!("{m:.1} ms"))
        .unwrap_or_else(|| "—".into())
}

fn seconds(ms: f64) -> String {
    format!("{:.2}s", ms / 1000.0)
}
