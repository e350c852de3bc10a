//! The demo runs its queue scenarios when a broker answers (without adding
//! drift) and skips them, saying why, when none does.

use std::path::Path;

use assert_cmd::Command;

fn broker_up() -> bool {
    std::net::TcpStream::connect("127.0.0.1:5672").is_ok()
}

#[test]
fn demo_runs_queue_scenarios_without_extra_drift() {
    if !broker_up() {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "RabbitMQ must run in CI"
        );
        eprintln!(
            "SKIP demo_runs_queue_scenarios_without_extra_drift: no RabbitMQ on 127.0.0.1:5672"
        );
        return;
    }
    let reports = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("driftgate")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["demo", "--color", "never", "--reports"])
        .arg(reports.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(!stdout.contains("skipped"), "{stdout}");
    let queue = queue_scenarios(&reports.path().join("drift.json"));
    assert!(
        !queue.is_empty(),
        "the queue scenarios did not run\n{stdout}"
    );
    for (name, status, drifts) in &queue {
        assert_eq!(
            (status.as_str(), *drifts),
            ("passed", 0),
            "{name}\n{stdout}"
        );
    }
}

/// Name, status and drift count of every scenario of queue_replay.feature in a drift.json.
fn queue_scenarios(drift_json: &Path) -> Vec<(String, String, usize)> {
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(drift_json).unwrap()).unwrap();
    report["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| {
            s["feature"]
                .as_str()
                .unwrap()
                .ends_with("queue_replay.feature")
        })
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_owned(),
                s["status"].as_str().unwrap().to_owned(),
                s["drifts"].as_array().unwrap().len(),
            )
        })
        .collect()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn demo_skips_queue_scenarios_with_the_reason_when_no_broker_answers() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    for sub in ["mocks", "features", "scenarios"] {
        copy_dir(&root.join(sub), &dir.path().join(sub));
    }
    let config = dir.path().join("mocks/demo.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, text.replace("127.0.0.1:5672", "127.0.0.1:1")).unwrap();
    let out = Command::cargo_bin("driftgate")
        .unwrap()
        .current_dir(dir.path())
        .args(["demo", "--color", "never"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("skipped: scenarios tagged @requires-amqp: no message broker: cannot connect to the broker of `events` in environment `production`"),
        "{stdout}"
    );
    let queue = queue_scenarios(&dir.path().join("driftgate-reports/demo/drift.json"));
    assert!(queue.is_empty(), "{queue:?}");
}
