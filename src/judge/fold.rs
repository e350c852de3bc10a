//! Repetitions folded back into their scenario: the runs of one scenario
//! repeated for timing (`--samples`, `@samples(N)`) become one result, and
//! a drift seen at the same place in several repetitions is listed once.
//!
//! ```text
//! Create an order [sample 1] passed, [sample 2] failed "boom", [sample 3] passed
//!   drift value_change $.a in samples 1, 2, 3
//! ──▶ Create an order failed "sample 2: boom"
//!     drift value_change $.a "… (seen in 3 of 3 repetitions)"
//! ```

use std::collections::BTreeMap;

use super::ScenarioResult;
use crate::compare::{Drift, SuppressedDrift};
use crate::pattern::route_template::request_shape;
use crate::trace::{ScenarioKey, ScenarioStatus};

/// The repetitions of a run folded into their scenarios.
#[derive(Debug, Clone, PartialEq)]
pub struct Folded {
    /// One result per scenario.
    pub results: Vec<ScenarioResult>,
    /// One drift per place.
    pub drifts: Vec<Drift>,
    /// One suppressed difference per place and rule.
    pub suppressed: Vec<SuppressedDrift>,
}

/// Folds the repetitions of each scenario into one result and one set of
/// drifts: a scenario fails when any repetition failed (the message names
/// the first that did); a drift (or suppressed difference) found at the
/// same place in several repetitions is listed once, as the first
/// repetition saw it, with how many repetitions saw it; warm-up repetitions
/// produce none.
pub fn fold(
    results: Vec<ScenarioResult>,
    drifts: Vec<Drift>,
    suppressed: Vec<SuppressedDrift>,
) -> Folded {
    let mut folded: BTreeMap<ScenarioKey, ScenarioResult> = BTreeMap::new();
    let mut measured: BTreeMap<ScenarioKey, usize> = BTreeMap::new();
    let mut order = Vec::new();
    for result in results {
        let key = result.scenario.without_sample();
        if result.scenario.sample.is_some_and(|s| !s.warmup) {
            *measured.entry(key.clone()).or_default() += 1;
        }
        let message = match (&result.scenario.sample, result.message) {
            (Some(sample), Some(m)) => Some(format!("{sample}: {m}")),
            (_, m) => m,
        };
        match folded.get_mut(&key) {
            Some(existing) => {
                existing.duration_ms += result.duration_ms;
                if existing.status == ScenarioStatus::Passed {
                    existing.status = result.status;
                }
                existing.message = existing.message.take().or(message);
            }
            None => {
                order.push(key.clone());
                folded.insert(
                    key.clone(),
                    ScenarioResult {
                        scenario: key,
                        status: result.status,
                        message,
                        duration_ms: result.duration_ms,
                        drift_count: 0,
                    },
                );
            }
        }
    }
    Folded {
        results: order
            .into_iter()
            .filter_map(|key| folded.remove(&key))
            .collect(),
        drifts: fold_places(drifts, &measured),
        suppressed: fold_places(suppressed, &measured),
    }
}

/// A drift, or a difference a rule suppressed, as repetitions repeat it.
trait Repeated {
    /// The drift (or the one a rule suppressed).
    fn drift(&self) -> &Drift;
    /// The same, to rename and annotate.
    fn drift_mut(&mut self) -> &mut Drift;
    /// Whether `other` is the same finding seen in another repetition.
    fn same(&self, other: &Self) -> bool;
}

impl Repeated for Drift {
    fn drift(&self) -> &Drift {
        self
    }
    fn drift_mut(&mut self) -> &mut Drift {
        self
    }
    fn same(&self, other: &Self) -> bool {
        same_place(self, other)
    }
}

impl Repeated for SuppressedDrift {
    fn drift(&self) -> &Drift {
        &self.drift
    }
    fn drift_mut(&mut self) -> &mut Drift {
        &mut self.drift
    }
    fn same(&self, other: &Self) -> bool {
        self.by == other.by && same_place(&self.drift, &other.drift)
    }
}

/// One finding per place, with how many of the scenario's `measured`
/// repetitions saw it; findings of warm-up repetitions are dropped.
fn fold_places<T: Repeated>(items: Vec<T>, measured: &BTreeMap<ScenarioKey, usize>) -> Vec<T> {
    let mut unique: Vec<(T, usize)> = Vec::new();
    for mut item in items {
        if item.drift().scenario.sample.is_some_and(|s| s.warmup) {
            continue;
        }
        let drift = item.drift_mut();
        drift.scenario = drift.scenario.without_sample();
        match unique.iter_mut().find(|(known, _)| known.same(&item)) {
            Some((_, seen)) => *seen += 1,
            None => unique.push((item, 1)),
        }
    }
    unique
        .into_iter()
        .map(|(mut item, seen)| {
            let drift = item.drift_mut();
            if let Some(total) = measured.get(&drift.scenario).filter(|n| **n > 1) {
                drift.message =
                    format!("{} (seen in {seen} of {total} repetitions)", drift.message);
            }
            item
        })
        .collect()
}

/// Two drifts of the same class at the same place of the same step: the
/// same drift seen in two repetitions. The request is compared by its
/// shape, since values generated per repetition (a `{{ uuid() }}` in the
/// URL, an order number) differ from one to the next; the first is kept.
fn same_place(a: &Drift, b: &Drift) -> bool {
    let shape = |d: &Drift| d.request.as_deref().map(request_shape);
    (a.class, &a.scenario, a.step.index, &a.service, &a.path)
        == (b.class, &b.scenario, b.step.index, &b.service, &b.path)
        && shape(a) == shape(b)
}

/// Sets every scenario's drift count from the drift list.
pub fn count_drifts(results: &mut [ScenarioResult], drifts: &[Drift]) {
    for result in results {
        result.drift_count = drifts
            .iter()
            .filter(|d| d.scenario == result.scenario)
            .count();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::StepRef;
    use crate::drift_class::DriftClass;
    use crate::trace::SampleRef;

    fn key(sample: Option<usize>) -> ScenarioKey {
        ScenarioKey {
            feature: "f.feature".into(),
            feature_name: "F".into(),
            rule: None,
            name: "A".into(),
            line: 2,
            tags: vec![],
            sample: sample.map(|index| SampleRef {
                index,
                warmup: false,
            }),
            tenant: None,
        }
    }

    #[test]
    fn repetitions_fold_into_one_scenario() {
        let result = |sample, status, message: Option<&str>| ScenarioResult {
            scenario: key(Some(sample)),
            status,
            message: message.map(str::to_owned),
            duration_ms: 10.0,
            drift_count: 1,
        };
        let drift = |sample: usize| Drift {
            class: DriftClass::ValueChange,
            scenario: key(Some(sample)),
            step: StepRef {
                index: 0,
                line: 3,
                text: "Given x".into(),
            },
            service: Some("erp".into()),
            // A generated value in the URL differs from one repetition to the next.
            request: Some(format!("GET /api/orders/ORD-{sample}00")),
            path: Some("$.a".into()),
            baseline: None,
            candidate: None,
            message: format!("differs in sample {sample}"),
        };
        let mut warmup = drift(9);
        warmup.scenario.sample = Some(SampleRef {
            index: 1,
            warmup: true,
        });
        warmup.path = Some("$.only_in_warmup".into());
        let suppressed = |sample: usize| SuppressedDrift {
            drift: drift(sample),
            by: "learned noise at $.a".into(),
        };
        let Folded {
            mut results,
            drifts,
            suppressed,
        } = fold(
            vec![
                result(1, ScenarioStatus::Passed, None),
                result(2, ScenarioStatus::Failed, Some("boom")),
                result(3, ScenarioStatus::Failed, Some("bang")),
            ],
            vec![warmup, drift(1), drift(2), drift(3)],
            vec![suppressed(1), suppressed(2)],
        );
        count_drifts(&mut results, &drifts);
        assert_eq!(results.len(), 1);
        assert_eq!(results[0].scenario, key(None));
        assert_eq!(results[0].status, ScenarioStatus::Failed);
        assert_eq!(results[0].message.as_deref(), Some("sample 2: boom"));
        assert_eq!(results[0].duration_ms, 30.0);
        assert_eq!(drifts.len(), 1, "warm-ups produce no drift: {drifts:?}");
        assert_eq!(
            drifts[0].message,
            "differs in sample 1 (seen in 3 of 3 repetitions)"
        );
        assert_eq!(results[0].drift_count, 1);
        assert_eq!(suppressed.len(), 1);
        assert_eq!(
            suppressed[0].drift.message,
            "differs in sample 1 (seen in 2 of 3 repetitions)"
        );
    }
}
