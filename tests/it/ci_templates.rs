//! The pipeline templates under `ci/` are what teams copy: they must parse as
//! YAML, wire the parts the docs promise (JUnit, summary, artifact, Indexed
//! Job on a shared volume, merge), and call driftgate only with subcommands
//! and flags that exist — checked against the real binary's `--help`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde::Deserialize as _;
use serde_norway::Value;

fn ci_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("ci")
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn ci_files(extensions: &[&str]) -> Vec<PathBuf> {
    let mut all = Vec::new();
    files_under(&ci_dir(), &mut all);
    all.retain(|p| {
        p.extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| extensions.contains(&e))
    });
    all.sort();
    all
}

/// Every YAML document of a file.
fn documents(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap();
    serde_norway::Deserializer::from_str(&text)
        .map(|doc| Value::deserialize(doc).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .filter(|v| !v.is_null())
        .collect()
}

fn document(name: &str) -> Value {
    let mut docs = documents(&ci_dir().join(name));
    assert_eq!(docs.len(), 1, "{name}");
    docs.remove(0)
}

fn get<'a>(value: &'a Value, path: &[&str]) -> &'a Value {
    path.iter().fold(value, |v, key| {
        v.get(*key)
            .unwrap_or_else(|| panic!("no `{key}` in {path:?}: {v:?}"))
    })
}

fn text(value: &Value) -> String {
    serde_norway::to_string(value).unwrap()
}

#[test]
fn every_template_parses_as_yaml() {
    let files = ci_files(&["yml", "yaml"]);
    assert!(files.len() >= 4, "{files:?}");
    for file in files {
        assert!(!documents(&file).is_empty(), "{}", file.display());
    }
}

#[test]
fn the_github_workflow_gates_after_the_deploy_and_publishes_every_report() {
    let workflow = document("github/driftgate.yml");
    let jobs = get(&workflow, &["jobs"]);
    assert_eq!(
        get(jobs, &["driftgate-shards", "needs"]).as_str(),
        Some("deploy")
    );
    assert_eq!(
        get(jobs, &["driftgate-gate", "needs"]).as_str(),
        Some("driftgate-shards")
    );
    let shard_steps = text(get(jobs, &["driftgate-shards", "steps"]));
    assert!(shard_steps.contains("--shard \"${{ matrix.shard }}/${{ strategy.job-total }}\""));
    let steps = get(jobs, &["driftgate-gate", "steps"])
        .as_sequence()
        .unwrap();
    let step = |needle: &str| {
        steps
            .iter()
            .find(|s| text(s).contains(needle))
            .unwrap_or_else(|| panic!("no step with {needle}"))
    };
    // The merge decides: it is not allowed to fail quietly, and what comes
    // after it runs whatever it decided.
    let gate = step("driftgate merge");
    assert!(gate.get("continue-on-error").is_none());
    assert!(
        !text(gate).contains("|| "),
        "the gate's exit code must decide"
    );
    let summary = step("GITHUB_STEP_SUMMARY");
    assert!(text(summary).contains("reports/summary.md"));
    let junit = step("junit.xml");
    assert!(text(junit).contains("action-junit-report"));
    let artifact = step("reports/report.html");
    for after in [summary, junit, artifact] {
        assert_eq!(after.get("if").and_then(Value::as_str), Some("always()"));
    }
}

#[test]
fn the_gitlab_job_wires_the_junit_report() {
    let pipeline = document("gitlab/driftgate.gitlab-ci.yml");
    let gate = get(&pipeline, &["driftgate-gate"]);
    assert_eq!(
        get(gate, &["artifacts", "reports", "junit"]).as_str(),
        Some("reports/merged/junit.xml")
    );
    assert_eq!(get(gate, &["artifacts", "when"]).as_str(), Some("always"));
    assert!(text(get(gate, &["script"])).contains("driftgate merge reports/shard-*/trace.jsonl"));
    let shards = get(&pipeline, &["driftgate-shards"]);
    assert_eq!(get(shards, &["parallel"]).as_u64(), Some(3));
    assert!(text(get(shards, &["script"])).contains("$CI_NODE_INDEX/$CI_NODE_TOTAL"));
}

#[test]
fn the_indexed_job_shards_onto_a_shared_volume_and_the_merge_reads_it() {
    let shards = documents(&ci_dir().join("kubernetes/driftgate-shards.yaml"));
    let kind = |doc: &Value| get(doc, &["kind"]).as_str().unwrap().to_owned();
    let claim = shards
        .iter()
        .find(|d| kind(d) == "PersistentVolumeClaim")
        .unwrap();
    let claim_name = get(claim, &["metadata", "name"]).as_str().unwrap();
    assert_eq!(
        text(get(claim, &["spec", "accessModes"])).trim(),
        "- ReadWriteMany"
    );
    let job = shards.iter().find(|d| kind(d) == "Job").unwrap();
    let spec = get(job, &["spec"]);
    assert_eq!(get(spec, &["completionMode"]).as_str(), Some("Indexed"));
    let completions = get(spec, &["completions"]).as_u64();
    assert_eq!(get(spec, &["parallelism"]).as_u64(), completions);
    let container = &get(spec, &["template", "spec", "containers"])[0];
    let env: BTreeMap<String, String> = get(container, &["env"])
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(|e| {
            Some((
                e.get("name")?.as_str()?.to_owned(),
                e.get("value")?.as_str()?.to_owned(),
            ))
        })
        .collect();
    assert_eq!(
        env.get("DRIFTGATE_SHARDS").map(String::as_str),
        completions.map(|n| n.to_string()).as_deref(),
        "DRIFTGATE_SHARDS must equal the Job's completions"
    );
    let args = text(get(container, &["args"]));
    assert!(args.contains("shard-$JOB_COMPLETION_INDEX"), "{args}");
    let volume_claim = |doc: &Value| {
        get(doc, &["spec", "template", "spec", "volumes"])[0]
            .get("persistentVolumeClaim")
            .and_then(|c| c.get("claimName"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    assert_eq!(volume_claim(job).as_deref(), Some(claim_name));

    let merge = document("kubernetes/driftgate-merge.yaml");
    assert_eq!(volume_claim(&merge).as_deref(), Some(claim_name));
    assert_eq!(get(&merge, &["spec", "backoffLimit"]).as_u64(), Some(0));
    let merge_args = text(get(&merge, &["spec", "template", "spec", "containers"]));
    assert!(merge_args.contains("driftgate merge /traces/$RUN_ID/shard-*/trace.jsonl"));
}

/// One `driftgate SUBCOMMAND …` invocation found in a template.
#[derive(Debug)]
struct Invocation {
    file: String,
    subcommand: String,
    flags: Vec<String>,
}

/// The text of the templates where commands live: YAML files whole, and the
/// fenced code blocks of Markdown files; backslash line continuations joined
/// and YAML folded lines (`>-`) kept together.
fn command_text(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let code = if path.extension().is_some_and(|e| e == "md") {
        let mut inside = false;
        let mut out = String::new();
        for line in text.lines() {
            if line.trim_start().starts_with("```") {
                inside = !inside;
                out.push('\n');
            } else if inside {
                out.push_str(line);
                out.push('\n');
            }
        }
        out
    } else {
        text
    };
    code.replace("\\\n", " ")
}

fn invocations() -> Vec<Invocation> {
    let start = regex::Regex::new(r"\bdriftgate[ \t]+([a-z][a-z-]*)").unwrap();
    let flag = regex::Regex::new(r"(?:^|\s)(--?[a-zA-Z][a-zA-Z-]*)").unwrap();
    let mut found = Vec::new();
    for file in ci_files(&["yml", "yaml", "md"]) {
        let text = command_text(&file);
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            if line.trim_start().starts_with('#') {
                continue; // YAML comments and shell comments explain; they do not run
            }
            for caps in start.captures_iter(line) {
                // A folded YAML scalar continues on the following, more indented lines.
                let mut command = line[caps.get(0).unwrap().start()..].to_owned();
                let indent = line.len() - line.trim_start().len();
                for next in &lines[i + 1..] {
                    let next_indent = next.len() - next.trim_start().len();
                    if next.trim().is_empty()
                        || next_indent < indent
                        || next.trim_start().starts_with("- ")
                    {
                        break;
                    }
                    command.push(' ');
                    command.push_str(next.trim());
                }
                let command = command.split(" || ").next().unwrap_or_default().to_owned();
                found.push(Invocation {
                    file: file.strip_prefix(ci_dir()).unwrap().display().to_string(),
                    subcommand: caps[1].to_owned(),
                    flags: flag
                        .captures_iter(&command)
                        .map(|c| c[1].to_owned())
                        .collect(),
                });
            }
        }
    }
    found
}

#[test]
fn every_driftgate_invocation_uses_existing_subcommands_and_flags() {
    let found = invocations();
    let subcommands: std::collections::BTreeSet<&str> =
        found.iter().map(|i| i.subcommand.as_str()).collect();
    assert!(
        subcommands.contains("run") && subcommands.contains("merge"),
        "{found:#?}"
    );
    assert!(found.len() >= 8, "{found:#?}");
    let mut help: BTreeMap<String, String> = BTreeMap::new();
    for invocation in &found {
        let text = help
            .entry(invocation.subcommand.clone())
            .or_insert_with(|| {
                let out = Command::cargo_bin("driftgate")
                    .unwrap()
                    .args([invocation.subcommand.as_str(), "--help"])
                    .output()
                    .unwrap();
                assert!(
                    out.status.success(),
                    "{}: `driftgate {}` is not a subcommand",
                    invocation.file,
                    invocation.subcommand
                );
                String::from_utf8_lossy(&out.stdout).into_owned()
            });
        for flag in &invocation.flags {
            assert!(
                flag_listed(text, flag),
                "{}: `driftgate {}` has no flag {flag}\n{text}",
                invocation.file,
                invocation.subcommand
            );
        }
    }
}

/// Whether `--help` text lists `flag` as an option (`-r, --reports <DIR>`,
/// `--metrics <FILE.prom>`), not merely mentions it in prose.
fn flag_listed(help: &str, flag: &str) -> bool {
    help.lines().any(|line| {
        let line = line.trim_start();
        line.starts_with('-')
            && line
                .split([',', ' ', '='])
                .filter(|w| !w.is_empty())
                .take(2)
                .any(|w| w == flag)
    })
}

#[test]
fn the_flag_check_catches_a_flag_that_does_not_exist() {
    let out = Command::cargo_bin("driftgate")
        .unwrap()
        .args(["merge", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("run --shard I/N"), "{help}");
    for (flag, listed) in [
        ("--metrics", true),
        ("-r", true),
        ("--reports", true),
        ("--shard", false),
        ("--tags", false),
    ] {
        assert_eq!(flag_listed(&help, flag), listed, "{flag}\n{help}");
    }
}
