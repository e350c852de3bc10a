//! End to end: errors are rendered once, rustc-style. A `driftgate.toml`
//! with several independent mistakes is refused in one run that lists all
//! of them, each at its line, and counts them; no error type's text starts
//! with its own `error:` (the renderer adds it exactly once).

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use driftgate::compare::traces::TraceInputError;
use driftgate::config::tenant::TenantSelectionError;
use driftgate::diagnostic::{Diagnose, Diagnostic, Location, Styling, render_error};
use driftgate::parity::ParityError;
use driftgate::runner::FeatureErrors;
use driftgate::runner::broker::BrokerCommandError;
use driftgate::runner::merge::MergeError;
use driftgate::runner::shard::ShardError;
use driftgate::trace::TraceError;
use driftgate::transport::http::ClientError;

/// Three mistakes that do not depend on each other: a bad duration, a bad
/// EDI path, a default service nobody defines (a typo of `erp`).
const THREE_MISTAKES: &str = r#"[run]
default_service = "erpp"

[compare]
ignore = ["$.generatedAt", "edi:ISA99["]

[environments.production.services.erp]
base_url = "https://erp.example.com"
timeout_ms = 0

[environments.staging.services.erp]
base_url = "https://erp.staging.example.com"
"#;

/// `driftgate ARGS` in `dir`, with colour and shard settings of the
/// environment left out.
fn driftgate(dir: &Path, args: &[&str]) -> Output {
    Command::cargo_bin("driftgate")
        .unwrap()
        .current_dir(dir)
        .args(args)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("JOB_COMPLETION_INDEX")
        .env_remove("DRIFTGATE_SHARDS")
        .output()
        .unwrap()
}

const RUN: [&str; 5] = ["run", "--baseline", "production", "--candidate", "staging"];

#[test]
fn a_config_with_three_mistakes_reports_all_three_at_their_lines_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("driftgate.toml"), THREE_MISTAKES).unwrap();
    std::fs::create_dir(dir.path().join("features")).unwrap();
    let out = driftgate(dir.path(), &[&["--color", "never"][..], &RUN].concat());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    for expected in [
        "error: invalid config `run.default_service`: no environment defines a service `erpp`\n --> driftgate.toml:2:19\n",
        "  = help: did you mean `erp`?\n",
        "error: invalid config `compare.ignore[1]`: invalid EDI path `ISA99[`",
        " --> driftgate.toml:5:28\n  |\n5 | ignore = [\"$.generatedAt\", \"edi:ISA99[\"]\n  |                            ^^^^^^^^^^^^\n",
        "error: invalid config `environments.production.services.erp.timeout_ms`: must be at least 1 (milliseconds)\n --> driftgate.toml:9:14\n",
    ] {
        assert!(
            stderr.contains(expected),
            "stderr lacks {expected:?}\n{stderr}"
        );
    }
    assert!(
        stderr.ends_with("\nerror: 3 problems in driftgate.toml\n"),
        "{stderr}"
    );
    assert_eq!(stderr.matches("error:").count(), 4, "{stderr}");
    assert!(
        !stderr.contains('\u{1b}'),
        "colour with --color never: {stderr:?}"
    );
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    // Forced colour styles the same diagnostics.
    let coloured = driftgate(dir.path(), &[&["--color", "always"][..], &RUN].concat());
    let stderr = String::from_utf8_lossy(&coloured.stderr);
    assert_eq!(coloured.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("\u{1b}[1m\u{1b}[91merror\u{1b}[0m"),
        "no colour with --color always: {stderr:?}"
    );
}

#[test]
fn a_bad_shard_index_is_a_usage_error_rendered_once_without_colour_off_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("driftgate.toml"), "").unwrap();
    let out = driftgate(
        dir.path(),
        &[&RUN[..], &["--shards", "2", "--shard-index", "5"]].concat(),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(
        stderr,
        "error: JOB_COMPLETION_INDEX=5 is not below the shard count 2: set `completions` of the Indexed Job to --shards / DRIFTGATE_SHARDS\n"
    );
}

/// An error as its name, its `Display` text and what renders it.
type Entry = (&'static str, String, Box<dyn Diagnose>);

fn entry<E: Diagnose + std::fmt::Display + 'static>(name: &'static str, e: E) -> Entry {
    (name, e.to_string(), Box::new(e))
}

/// One error of every type a command can end with (besides the config and
/// run errors, tested next to them).
fn every_error_type() -> Vec<Entry> {
    let io = || std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
    let unknown_step =
        Diagnostic::error("unknown step `I sned it`").located(Location::file("features/a.feature"));
    vec![
        entry("FeatureErrors", FeatureErrors(vec![unknown_step])),
        entry(
            "TraceError::Io",
            TraceError::Io {
                path: PathBuf::from("trace.jsonl"),
                source: io(),
            },
        ),
        entry(
            "TraceError::Malformed",
            TraceError::Malformed {
                path: PathBuf::from("trace.jsonl"),
                line: 3,
                message: "expected value".into(),
            },
        ),
        entry(
            "TraceInputError",
            TraceInputError::NoHeader("x.jsonl".into()),
        ),
        entry("MergeError", MergeError::NoTraces),
        entry("ShardError", ShardError::NoShards),
        entry(
            "TenantSelectionError",
            TenantSelectionError::NoneDeclared("acme".into()),
        ),
        entry(
            "ClientError",
            ClientError {
                service: "erp".into(),
                message: "bad certificate".into(),
            },
        ),
        entry(
            "BrokerCommandError",
            BrokerCommandError::Broker("connection refused".into()),
        ),
        entry(
            "ParityError",
            ParityError::Unreadable("login failed".into()),
        ),
    ]
}

#[test]
fn no_error_type_displays_an_error_prefix_and_each_renders_it_once() {
    for (name, text, error) in every_error_type() {
        assert!(
            !text.to_lowercase().starts_with("error") && !text.contains("error:"),
            "{name} displays {text:?}"
        );
        let rendered = render_error(error.as_ref(), Styling::Plain);
        assert!(rendered.starts_with("error: "), "{name}: {rendered}");
        assert!(!rendered.contains("error: error"), "{name}: {rendered}");
    }
}
