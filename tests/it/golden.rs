//! Golden end-to-end cases: every folder of `tests/cases/` is one run of the
//! real binary, compared with the outputs it holds (`tests/cases/README.md`
//! says how to add and bless one).
//!
//! ```text
//! tests/cases/drifted-pair/
//!   args              run --baseline production --candidate staging
//!   driftgate.toml    base_url = "${MOCK_PRODUCTION_ERP}", report_dir = "reports"
//!   features/         the suite
//!   mocks/*.yaml      served by driftgate's own mock server, per environment
//!   terminal.txt  stderr.txt  exit-code  drift.json  summary.md  …   expected
//! ```
//!
//! For each case the runner copies the folder to a scratch folder, serves
//! its `mocks/` (the `driftgate::mock` servers `driftgate demo` and
//! `driftgate mock` use) once per environment the command line names
//! (`--baseline`, `--candidate`, `--env`) on free ports, exported as
//! `MOCK_<ENVIRONMENT>_<SERVICE>` (`MOCK_PRODUCTION_ERP=http://127.0.0.1:41234`),
//! runs `driftgate <args>` there, redacts what changes from run to run
//! ([`redact`]) and compares every expected file the case holds. All
//! mismatches are reported together, each as a unified diff, with the
//! command that re-blesses them: `DRIFTGATE_BLESS=1` writes every output
//! the run produced into the case folder (and removes expected files of
//! outputs it no longer produces).

mod redact;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use driftgate::mock::{self, MockEnvironment};
use driftgate::template::TemplateEngine;

/// The folder holding one sub-folder per case.
const CASES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cases");
/// Set to `1` to rewrite the expected files from the actual outputs.
const BLESS: &str = "DRIFTGATE_BLESS";
/// The longest a case may run.
const TIMEOUT: Duration = Duration::from_secs(60);

/// Where an output of a run comes from.
enum Source {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
    /// The exit code, as a line of text.
    ExitCode,
    /// A file the run wrote to the scratch folder's `reports/`.
    Report,
}

/// The outputs a case may hold as expected files, and where each comes
/// from. Standard output is `dry-run.txt` in a `--dry-run` case and
/// `terminal.txt` otherwise.
const OUTPUTS: &[(&str, Source)] = &[
    ("terminal.txt", Source::Stdout),
    ("dry-run.txt", Source::Stdout),
    ("stderr.txt", Source::Stderr),
    ("exit-code", Source::ExitCode),
    ("drift.json", Source::Report),
    ("summary.md", Source::Report),
    ("cucumber.json", Source::Report),
    ("junit.xml", Source::Report),
    ("metrics.prom", Source::Report),
    ("metrics.json", Source::Report),
];

/// One case folder.
struct Case {
    /// The folder's name.
    name: String,
    /// The folder.
    dir: PathBuf,
    /// The command line after `driftgate`.
    args: Vec<String>,
}

/// What one run of a case produced, redacted, by expected file name.
type Outputs = BTreeMap<&'static str, String>;

#[tokio::test(flavor = "multi_thread")]
async fn golden_cases() {
    let cases = discover();
    assert!(!cases.is_empty(), "no case folder in {CASES}");
    let runs = futures::future::join_all(cases.iter().map(run_case)).await;
    let bless = std::env::var(BLESS).as_deref() == Ok("1");
    let mut failures = Vec::new();
    for (case, outputs) in cases.iter().zip(runs) {
        if bless {
            write_expected(case, &outputs);
        } else {
            failures.extend(mismatches(case, &outputs));
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n\n{} golden output(s) differ. If the change is intended, re-bless:\n    {BLESS}=1 cargo test --test it golden\nand review the diff of tests/cases/ before committing.",
        failures.join("\n\n"),
        failures.len(),
    );
}

/// Every case folder, by name.
fn discover() -> Vec<Case> {
    let entries = std::fs::read_dir(CASES).unwrap_or_else(|e| panic!("cannot list {CASES}: {e}"));
    let mut cases: Vec<Case> = entries
        .map(|entry| entry.expect("a folder entry").path())
        .filter(|dir| dir.is_dir())
        .map(|dir| {
            let name = dir
                .file_name()
                .expect("a folder name")
                .to_string_lossy()
                .into_owned();
            let args_file = dir.join("args");
            let line = std::fs::read_to_string(&args_file).unwrap_or_else(|e| {
                panic!(
                    "case {name}: cannot read {} ({e}); every case needs an `args` file holding the command line",
                    args_file.display()
                )
            });
            let args = split_args(&line)
                .unwrap_or_else(|e| panic!("case {name}: {}: {e}", args_file.display()));
            Case { name, dir, args }
        })
        .collect();
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    cases
}

/// Splits a command line into words at whitespace; `"…"` keeps spaces in a word.
fn split_args(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                word.get_or_insert_with(String::new);
            }
            c if c.is_whitespace() && !quoted => words.extend(word.take()),
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    if quoted {
        return Err("a `\"` is never closed".into());
    }
    words.extend(word);
    Ok(words)
}

/// Runs one case in a scratch copy of its folder and collects its outputs.
async fn run_case(case: &Case) -> Outputs {
    let scratch = tempfile::tempdir().expect("a scratch folder");
    copy_dir(&case.dir, scratch.path());
    let mocks = serve_mocks(case, scratch.path()).await;
    let mut command = assert_cmd::Command::cargo_bin("driftgate").expect("the driftgate binary");
    command
        .args(&case.args)
        .current_dir(scratch.path())
        .env("NO_COLOR", "1")
        .timeout(TIMEOUT);
    for name in [
        "DRIFTGATE_CONFIG",
        "DRIFTGATE_SHARDS",
        "JOB_COMPLETION_INDEX",
        "RUST_LOG",
    ] {
        command.env_remove(name);
    }
    for (name, url) in &mocks.urls {
        command.env(name, url);
    }
    // The mock servers keep serving on this runtime while the binary runs.
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("the blocking task")
        .unwrap_or_else(|e| panic!("case {}: cannot run driftgate: {e}", case.name));
    let redactor = redact::Redactor::new(scratch.path(), &mocks.urls);
    let dry_run = case.args.iter().any(|a| a == "--dry-run");
    let mut outputs = Outputs::new();
    for (file, source) in OUTPUTS {
        let text = match source {
            Source::Stdout if (*file == "dry-run.txt") != dry_run => None,
            Source::Stdout => Some(String::from_utf8_lossy(&output.stdout).into_owned()),
            Source::Stderr => Some(String::from_utf8_lossy(&output.stderr).into_owned()),
            Source::ExitCode => Some(match output.status.code() {
                Some(code) => format!("{code}\n"),
                None => "killed by a signal\n".to_owned(),
            }),
            Source::Report => {
                std::fs::read_to_string(scratch.path().join("reports").join(file)).ok()
            }
        };
        if let Some(text) = text {
            outputs.insert(file, redactor.redact(&text));
        }
    }
    outputs
}

/// The mock environments of a case and the variables naming their URLs.
struct Mocks {
    /// Kept alive while the binary runs.
    _environments: Vec<MockEnvironment>,
    /// `MOCK_<ENVIRONMENT>_<SERVICE>` → base URL.
    urls: BTreeMap<String, String>,
}

/// Serves the case's `mocks/` once per environment its command line names.
async fn serve_mocks(case: &Case, root: &Path) -> Mocks {
    let mut mocks = Mocks {
        _environments: Vec::new(),
        urls: BTreeMap::new(),
    };
    let dir = root.join("mocks");
    if !dir.is_dir() {
        return mocks;
    }
    let specs = mock::load_dir(&dir).unwrap_or_else(|e| panic!("case {}: {e}", case.name));
    let engine = Arc::new(TemplateEngine::new());
    for environment in named_environments(&case.args) {
        let served = MockEnvironment::start(&specs, environment, engine.clone())
            .await
            .unwrap_or_else(|e| panic!("case {}: {e}", case.name));
        for (service, url) in served.services() {
            mocks.urls.insert(mock_variable(environment, service), url);
        }
        mocks._environments.push(served);
    }
    mocks
}

/// The environments after `--baseline`, `--candidate` and `--env`, each once.
fn named_environments(args: &[String]) -> Vec<&str> {
    let mut named: Vec<&str> = Vec::new();
    for pair in args.windows(2) {
        if ["--baseline", "--candidate", "--env"].contains(&pair[0].as_str())
            && !named.contains(&pair[1].as_str())
        {
            named.push(&pair[1]);
        }
    }
    named
}

/// `MOCK_PRODUCTION_ERP` for service `erp` of environment `production`.
fn mock_variable(environment: &str, service: &str) -> String {
    format!("MOCK_{environment}_{service}")
        .to_ascii_uppercase()
        .replace(|c: char| !c.is_ascii_alphanumeric(), "_")
}

/// Copies the files of `from` into `to`, recursively.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create a scratch folder");
    for entry in std::fs::read_dir(from).expect("list a case folder") {
        let entry = entry.expect("a folder entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy a case file");
        }
    }
}

/// One message per expected file of the case that differs from the run.
fn mismatches(case: &Case, outputs: &Outputs) -> Vec<String> {
    let mut found = Vec::new();
    for (file, _) in OUTPUTS {
        let path = case.dir.join(file);
        let Ok(expected) = std::fs::read_to_string(&path) else {
            continue;
        };
        let location = format!("tests/cases/{}/{file}", case.name);
        match outputs.get(file) {
            None => found.push(format!("{location}: the run did not produce it")),
            Some(actual) if *actual != expected => found.push(format!(
                "{location} differs:\n{}",
                similar::TextDiff::from_lines(&expected, actual)
                    .unified_diff()
                    .context_radius(3)
                    .header("expected", "actual")
            )),
            Some(_) => {}
        }
    }
    found
}

/// Writes every output of the run as the case's expected file, and removes
/// expected files of outputs the run no longer produces.
fn write_expected(case: &Case, outputs: &Outputs) {
    for (file, _) in OUTPUTS {
        let path = case.dir.join(file);
        match outputs.get(file) {
            Some(text) => std::fs::write(&path, text)
                .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display())),
            None if path.exists() => std::fs::remove_file(&path)
                .unwrap_or_else(|e| panic!("cannot remove {}: {e}", path.display())),
            None => {}
        }
    }
}

#[test]
fn command_lines_split_at_spaces_outside_quotes() {
    assert_eq!(
        split_args("run  --tags \"@smoke and not @slow\" -q\n").unwrap(),
        ["run", "--tags", "@smoke and not @slow", "-q"]
    );
    assert_eq!(split_args("check \"\"").unwrap(), ["check", ""]);
    assert!(split_args("run \"open").is_err());
}

#[test]
fn mock_variables_name_environment_and_service() {
    assert_eq!(mock_variable("production", "erp"), "MOCK_PRODUCTION_ERP");
    assert_eq!(mock_variable("pre-prod", "edi.gw"), "MOCK_PRE_PROD_EDI_GW");
}
