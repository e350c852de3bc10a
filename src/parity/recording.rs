//! The records of a parity check that runs outside any scenario
//! (`driftgate topology`, `driftgate db-parity`): a run header, one scenario
//! per compared aspect holding its one step and its end, and the run's end.
//! They are the records a `driftgate run` trace holds, so a check is judged,
//! reported and stored exactly like a run (`driftgate report` on its trace
//! gives the same answer).
//!
//! ```text
//! {"kind":"run","format":2,…,"baseline":{"name":"production"},"candidate":{"name":"staging"}}
//! {"kind":"plan","scenarios":2}
//! {"kind":"step","scenario":{"feature":"db-parity","name":"erpdb: server settings","line":0},"index":0,
//!  "keyword":"Then ","text":"the server settings of \"erpdb\" should match","baseline":{…},"candidate":{…}}
//! {"kind":"scenario","scenario":{…},"status":"passed","duration_ms":4.1,"finished_at":"…"}
//! {"kind":"step",…"name":"erpdb: server version"…}
//! {"kind":"scenario",…}
//! {"kind":"end","finished_at":"…","duration_ms":9.3,"scenarios":2,"ran":2}
//! ```

use std::path::Path;

use crate::secret::Redactor;
use crate::trace::{
    EnvironmentRef, RunEnd, RunHeader, RunPlan, ScenarioEnd, ScenarioKey, ScenarioStatus, SideStep,
    StepRecord, TRACE_FORMAT, TraceError, TraceRecord, TraceWriter, Twin, millis_between,
    timestamp,
};

/// The feature a parity check files its scenarios under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckFeature {
    /// Stands where a scenario's feature path would, e.g. `db-parity`.
    pub path: &'static str,
    /// The feature's name, e.g. `Database configuration parity`.
    pub name: &'static str,
}

/// The records of one parity check, built up aspect by aspect.
#[derive(Debug, Clone)]
pub struct ParityRecording {
    feature: CheckFeature,
    header: RunHeader,
    scenarios: Vec<(StepRecord, ScenarioEnd)>,
}

impl ParityRecording {
    /// A check of `feature` comparing `environments`, starting now.
    pub fn new(feature: CheckFeature, environments: Twin<EnvironmentRef>) -> ParityRecording {
        ParityRecording {
            feature,
            header: RunHeader {
                format: TRACE_FORMAT,
                tool_version: env!("CARGO_PKG_VERSION").to_owned(),
                started_at: timestamp(),
                environments,
                tenants: Default::default(),
            },
            scenarios: Vec::new(),
        }
    }

    /// Records one compared aspect as a scenario `name` of one step
    /// (`Then {step}`) that each side passed with its observations, which
    /// took `duration_ms`.
    pub fn aspect(&mut self, name: String, step: String, sides: Twin<SideStep>, duration_ms: f64) {
        let scenario = ScenarioKey {
            feature: self.feature.path.to_owned(),
            feature_name: self.feature.name.to_owned(),
            rule: None,
            name,
            line: 0,
            tags: Vec::new(),
            sample: None,
            tenant: None,
        };
        let step = StepRecord {
            scenario: scenario.clone(),
            index: 0,
            keyword: "Then ".into(),
            text: step,
            outline_text: None,
            line: 0,
            sides,
        };
        let end = ScenarioEnd {
            scenario,
            status: ScenarioStatus::Passed,
            message: None,
            duration_ms,
            finished_at: Some(timestamp()),
        };
        self.scenarios.push((step, end));
    }

    /// Every record of the check, ending now: header, plan, each aspect's
    /// step and end, the run's end.
    pub fn finish(self) -> Vec<TraceRecord> {
        let finished_at = timestamp();
        let count = self.scenarios.len();
        let end = RunEnd {
            duration_ms: millis_between(&self.header.started_at, &finished_at).unwrap_or_default(),
            finished_at,
            scenarios: count,
            ran: count,
        };
        let mut records = vec![
            TraceRecord::Run(self.header),
            TraceRecord::Plan(RunPlan { scenarios: count }),
        ];
        for (step, scenario_end) in self.scenarios {
            records.push(TraceRecord::Step(step));
            records.push(TraceRecord::Scenario(scenario_end));
        }
        records.push(TraceRecord::End(end));
        records
    }
}

/// Writes the records of a check as a trace file, secrets redacted.
pub fn write_trace(
    path: &Path,
    records: &[TraceRecord],
    redactor: &Redactor,
) -> Result<(), TraceError> {
    let writer = TraceWriter::create(path, redactor.clone())?;
    records.iter().try_for_each(|record| writer.append(record))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::traces::TraceRun;
    use crate::trace::read_trace;

    const FEATURE: CheckFeature = CheckFeature {
        path: "db-parity",
        name: "Database configuration parity",
    };

    fn environments() -> Twin<EnvironmentRef> {
        let named = |name: &str| EnvironmentRef {
            name: name.to_owned(),
            variables: Default::default(),
        };
        Twin::new(named("production"), named("staging"))
    }

    #[test]
    fn a_check_is_a_complete_run_of_one_scenario_per_aspect() {
        let mut recording = ParityRecording::new(FEATURE, environments());
        for aspect in ["server settings", "server version"] {
            recording.aspect(
                format!("erpdb: {aspect}"),
                format!("the {aspect} of \"erpdb\" should match"),
                Twin::default(),
                1.5,
            );
        }
        let records = recording.finish();
        assert!(matches!(
            records[1],
            TraceRecord::Plan(RunPlan { scenarios: 2 })
        ));
        let Some(TraceRecord::End(end)) = records.last() else {
            panic!("no run end: {records:?}");
        };
        assert_eq!((end.scenarios, end.ran), (2, 2));
        let run = TraceRun::from_records("check", records).unwrap();
        let names: Vec<&str> = run.scenarios.iter().map(|s| s.key.name.as_str()).collect();
        assert_eq!(names, ["erpdb: server settings", "erpdb: server version"]);
        let first = &run.scenarios[0];
        assert_eq!(first.key.feature, "db-parity");
        assert_eq!(first.steps.len(), 1);
        assert_eq!(
            first.steps[0].text,
            "the server settings of \"erpdb\" should match"
        );
        assert_eq!(
            first.end.as_ref().map(|e| e.status),
            Some(ScenarioStatus::Passed)
        );
    }

    #[test]
    fn the_trace_file_reads_back_as_the_same_records_with_secrets_redacted() {
        let mut recording = ParityRecording::new(FEATURE, environments());
        recording.aspect(
            "erpdb: server version".into(),
            "the server version of \"s3cr3t-pass\" should match".into(),
            Twin::default(),
            2.0,
        );
        let records = recording.finish();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("checks/db.trace.jsonl");
        let redactor = Redactor::default();
        redactor.add("s3cr3t-pass");
        write_trace(&path, &records, &redactor).unwrap();
        let read = read_trace(&path).unwrap();
        assert_eq!(read.len(), records.len());
        assert_eq!(read[0], records[0]);
        assert_eq!(read.last(), records.last());
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("s3cr3t-pass"), "{text}");
        assert!(text.contains("***"), "{text}");
    }
}
