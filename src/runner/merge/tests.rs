use super::*;
use crate::trace::{
    EnvironmentRef, RunHeader, ScenarioEnd, ScenarioStatus, SideStep, StepRecord, TRACE_FORMAT,
    Twin,
};

fn header(version: &str, plant: &str) -> RunHeader {
    RunHeader {
        format: TRACE_FORMAT,
        tool_version: version.into(),
        started_at: "2026-11-26T10:00:00.000Z".into(),
        environments: Twin::new(
            EnvironmentRef {
                name: "production".into(),
                variables: [("plant".to_owned(), plant.to_owned())].into(),
            },
            EnvironmentRef {
                name: "staging".into(),
                variables: Default::default(),
            },
        ),
        tenants: Default::default(),
    }
}

fn key(line: usize) -> ScenarioKey {
    ScenarioKey {
        feature: "features/a.feature".into(),
        feature_name: "a".into(),
        rule: None,
        name: format!("scenario {line}"),
        line,
        tags: Vec::new(),
        sample: None,
        tenant: None,
    }
}

fn shard(index: usize, total: usize, scenarios: usize) -> ShardRecord {
    ShardRecord {
        index,
        total,
        scenarios,
        suite_scenarios: 3,
        suite: "00000000000000aa".into(),
    }
}

/// A finished trace with one passing step per scenario at `lines`, each taking 10 ms.
fn trace(name: &str, head: RunHeader, shard: Option<ShardRecord>, lines: &[usize]) -> ShardTrace {
    let mut records = unfinished(head, shard, lines);
    records.push(TraceRecord::End(RunEnd {
        finished_at: "2026-11-26T10:00:01.000Z".into(),
        duration_ms: 10.0 * lines.len() as f64,
        scenarios: lines.len(),
        ran: lines.len(),
    }));
    ShardTrace::from_records(name.into(), records).unwrap()
}

/// The records of a run killed after the scenarios at `lines`, of 5 planned.
fn unfinished(head: RunHeader, shard: Option<ShardRecord>, lines: &[usize]) -> Vec<TraceRecord> {
    let mut records = vec![TraceRecord::Run(head)];
    records.extend(shard.map(TraceRecord::Shard));
    for &line in lines {
        records.push(TraceRecord::Step(StepRecord {
            outline_text: None,
            scenario: key(line),
            index: 0,
            keyword: "When ".into(),
            text: "I send a GET request to \"/x\"".into(),
            line: line + 1,
            sides: Twin::new(SideStep::default(), SideStep::default()),
        }));
        records.push(TraceRecord::Scenario(ScenarioEnd {
            scenario: key(line),
            status: ScenarioStatus::Passed,
            message: None,
            duration_ms: 10.0,
            finished_at: None,
        }));
    }
    records
}

#[test]
fn a_shard_killed_before_its_end_makes_the_merged_run_incomplete() {
    let killed = ShardTrace::from_records("killed".into(), {
        let mut records = unfinished(v1(), None, &[40]);
        records.insert(1, TraceRecord::Plan(RunPlan { scenarios: 5 }));
        records
    })
    .unwrap();
    let merged = combine(vec![trace("whole", v1(), None, &[10, 20]), killed]).unwrap();
    let config = Config::parse("", std::path::Path::new("driftgate.toml")).unwrap();
    let report = report(&config, &merged, chrono::NaiveDate::MIN);
    let incomplete = report
        .incomplete
        .clone()
        .expect("a killed shard is no complete run");
    assert_eq!((incomplete.ran, incomplete.planned), (3, Some(7)));
    assert!(
        incomplete
            .headline()
            .contains("killed has no run-end record")
    );
    assert_eq!(report.exit_code(), crate::exit::INCOMPLETE);
}

fn v1() -> RunHeader {
    header("0.1.0", "P100")
}

#[test]
fn complete_shards_combine_in_shard_order() {
    let merged = combine(vec![
        trace("s2", v1(), Some(shard(2, 2, 1)), &[20]),
        trace("s1", v1(), Some(shard(1, 2, 2)), &[10, 30]),
    ])
    .unwrap();
    let names: Vec<&str> = merged.shards.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["s1", "s2"]);
    let lines: Vec<usize> = merged.twin.scenarios.iter().map(|s| s.key.line).collect();
    assert_eq!(lines, [10, 30, 20]);
    assert_eq!(busiest_shard_ms(&merged.shards), 20.0);
}

#[test]
fn traces_that_are_not_one_complete_run_are_refused() {
    let cases: Vec<(&str, Vec<ShardTrace>, &str)> = vec![
        ("none", vec![], "name the trace of every shard"),
        (
            "other variables",
            vec![
                trace("s1", v1(), Some(shard(1, 2, 1)), &[10]),
                trace("s2", header("0.1.0", "P200"), Some(shard(2, 2, 1)), &[20]),
            ],
            "s2 compares `production {\"plant\": \"P200\"}",
        ),
        (
            "other version",
            vec![
                trace("s1", v1(), Some(shard(1, 2, 1)), &[10]),
                trace("s2", header("0.2.0", "P100"), Some(shard(2, 2, 1)), &[20]),
            ],
            "s2 was written by driftgate 0.2.0 (trace format 3), s1 by 0.1.0",
        ),
        (
            "mixed",
            vec![
                trace("s1", v1(), Some(shard(1, 2, 1)), &[10]),
                trace("full", v1(), None, &[20]),
            ],
            "full is not a shard, s1 is not",
        ),
        (
            "other suite",
            vec![
                trace("s1", v1(), Some(shard(1, 2, 1)), &[10]),
                trace(
                    "s2",
                    v1(),
                    Some(ShardRecord {
                        suite: "00000000000000bb".into(),
                        ..shard(2, 2, 1)
                    }),
                    &[20],
                ),
            ],
            "s2 is shard 2/2 of suite 00000000000000bb",
        ),
        (
            "other count",
            vec![
                trace("s1", v1(), Some(shard(1, 2, 1)), &[10]),
                trace("s2", v1(), Some(shard(2, 3, 1)), &[20]),
            ],
            "cut into 2",
        ),
        (
            "twice",
            vec![
                trace("a", v1(), Some(shard(1, 2, 1)), &[10]),
                trace("b", v1(), Some(shard(1, 2, 1)), &[20]),
            ],
            "shard 1/2 is given twice: a and b",
        ),
        (
            "missing",
            vec![
                trace("s1", v1(), Some(shard(1, 3, 1)), &[10]),
                trace("s3", v1(), Some(shard(3, 3, 1)), &[30]),
            ],
            "shard(s) 2 of 3 missing",
        ),
        (
            "unfinished",
            vec![trace("s1", v1(), Some(shard(1, 1, 3)), &[10, 20])],
            "s1 (shard 1/1) finished 2 of its 3 scenarios",
        ),
        (
            "duplicate scenario",
            vec![
                trace("full", v1(), None, &[10, 20]),
                trace("again", v1(), None, &[20]),
            ],
            "scenario features/a.feature:20 scenario 20 is in both full and again",
        ),
    ];
    for (case, traces, expected) in cases {
        let error = combine(traces).map(|_| ()).unwrap_err().to_string();
        assert!(error.contains(expected), "{case}: {error}");
    }
}
