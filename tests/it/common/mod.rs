//! Shared setup for the end-to-end tests: two in-process wiremock servers
//! standing in for production (baseline) and staging (candidate), a temporary
//! project folder holding `driftgate.toml`, features and fixtures, and a runner
//! for the real `driftgate` binary that returns its exit code, output and the
//! parsed `drift.json`.
//!
//! ```text
//! let mocks = Twins::start().await;
//! let project = Project::new(&TwinConfig::new(&mocks).render());
//! project.feature("a.feature", "Feature: ...");
//! let run = project.run().execute().await;   // driftgate run --config … --reports …
//! assert_eq!(run.code, 0);
//! assert!(run.drifts().is_empty());
//! ```

use std::path::{Path, PathBuf};

use serde_json::Value;
use tempfile::TempDir;
use wiremock::MockServer;

/// The baseline environment's name in every generated config.
pub const BASELINE: &str = "production";
/// The candidate environment's name in every generated config.
pub const CANDIDATE: &str = "staging";

/// The two mock environments.
pub struct Twins {
    /// Production.
    pub baseline: MockServer,
    /// Staging.
    pub candidate: MockServer,
}

impl Twins {
    /// Starts both mock servers.
    pub async fn start() -> Twins {
        Twins {
            baseline: MockServer::start().await,
            candidate: MockServer::start().await,
        }
    }

    /// Both servers, baseline first.
    pub fn both(&self) -> [&MockServer; 2] {
        [&self.baseline, &self.candidate]
    }
}

/// A `driftgate.toml` with environments `production` (plant P100) and `staging`
/// (plant S100), one service `erp` each, and a 50 ms poll interval.
#[derive(Debug, Clone)]
pub struct TwinConfig {
    baseline_url: String,
    candidate_url: String,
    compare_headers: Vec<String>,
    production_lines: Vec<String>,
    service_lines: Vec<String>,
}

impl TwinConfig {
    /// A config whose `erp` service points at the two mock servers.
    pub fn new(mocks: &Twins) -> TwinConfig {
        TwinConfig::with_urls(&mocks.baseline.uri(), &mocks.candidate.uri())
    }

    /// A config whose `erp` service has these base URLs.
    pub fn with_urls(baseline_url: &str, candidate_url: &str) -> TwinConfig {
        TwinConfig {
            baseline_url: baseline_url.to_owned(),
            candidate_url: candidate_url.to_owned(),
            compare_headers: vec!["content-type".to_owned()],
            production_lines: Vec::new(),
            service_lines: Vec::new(),
        }
    }

    /// Sets `[compare] headers`.
    pub fn compare_headers(mut self, headers: &[&str]) -> TwinConfig {
        self.compare_headers = headers.iter().map(|h| (*h).to_owned()).collect();
        self
    }

    /// Marks production protected; `@writes-allowed` scenarios may still write.
    pub fn protected_production(mut self) -> TwinConfig {
        self.production_lines.push("protected = true".to_owned());
        self.production_lines
            .push(r#"allow_write_tags = ["@writes-allowed"]"#.to_owned());
        self
    }

    /// Adds a TOML line to the `erp` service of both environments.
    pub fn service_line(mut self, line: &str) -> TwinConfig {
        self.service_lines.push(line.to_owned());
        self
    }

    /// The TOML text.
    pub fn render(&self) -> String {
        let headers: Vec<String> = self
            .compare_headers
            .iter()
            .map(|h| format!("{h:?}"))
            .collect();
        let service = self.service_lines.join("\n");
        format!(
            r#"[run]
features = ["features"]
fixtures = "fixtures"
default_service = "erp"
poll_interval_ms = 50

[compare]
headers = [{headers}]

[environments.{BASELINE}]
{production}
variables = {{ tenant = "acme", plant = "P100" }}

[environments.{BASELINE}.services.erp]
base_url = "{baseline}"
{service}

[environments.{CANDIDATE}]
variables = {{ tenant = "acme", plant = "S100" }}

[environments.{CANDIDATE}.services.erp]
base_url = "{candidate}"
{service}
"#,
            headers = headers.join(", "),
            production = self.production_lines.join("\n"),
            baseline = self.baseline_url,
            candidate = self.candidate_url,
        )
    }
}

/// A temporary project folder: `driftgate.toml`, `features/`, `fixtures/`,
/// and `reports/` for the run's output.
pub struct Project {
    dir: TempDir,
}

impl Project {
    /// A project with this `driftgate.toml`.
    pub fn new(config: &str) -> Project {
        let project = Project {
            dir: TempDir::new().expect("create a temporary project folder"),
        };
        project.write("driftgate.toml", config);
        project
    }

    /// The project folder.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file below the project folder, creating parent folders.
    pub fn write(&self, relative: &str, text: &str) -> PathBuf {
        let path = self.root().join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create the parent folder");
        }
        std::fs::write(&path, text).expect("write a project file");
        path
    }

    /// Writes `features/NAME`.
    pub fn feature(&self, name: &str, text: &str) -> PathBuf {
        self.write(&format!("features/{name}"), text)
    }

    /// Writes `fixtures/NAME`.
    pub fn fixture(&self, name: &str, text: &str) -> PathBuf {
        self.write(&format!("fixtures/{name}"), text)
    }

    /// The config file.
    pub fn config_path(&self) -> PathBuf {
        self.root().join("driftgate.toml")
    }

    /// The folder the run writes its trace and reports to.
    pub fn reports(&self) -> PathBuf {
        self.root().join("reports")
    }

    /// `driftgate run --config driftgate.toml --baseline production
    /// --candidate staging --reports reports`, run from the project folder.
    pub fn run(&self) -> Run {
        let config = self.config_path();
        let reports = self.reports();
        Run {
            args: vec![
                "run".into(),
                "--config".into(),
                config.display().to_string(),
                "--baseline".into(),
                BASELINE.into(),
                "--candidate".into(),
                CANDIDATE.into(),
                "--reports".into(),
                reports.display().to_string(),
            ],
            envs: Vec::new(),
            removed_envs: Vec::new(),
            current_dir: self.root().to_owned(),
            reports,
        }
    }
}

/// One invocation of the binary, built up before it runs.
#[derive(Debug, Clone)]
pub struct Run {
    args: Vec<String>,
    envs: Vec<(String, String)>,
    removed_envs: Vec<String>,
    current_dir: PathBuf,
    reports: PathBuf,
}

impl Run {
    /// A bare invocation with these arguments, from `current_dir`.
    pub fn bare(args: &[&str], current_dir: &Path) -> Run {
        Run {
            args: args.iter().map(|a| (*a).to_owned()).collect(),
            envs: Vec::new(),
            removed_envs: Vec::new(),
            current_dir: current_dir.to_owned(),
            reports: current_dir.join("reports"),
        }
    }

    /// Appends arguments (feature paths, `--tags`, …).
    pub fn args(mut self, args: &[&str]) -> Run {
        self.args.extend(args.iter().map(|a| (*a).to_owned()));
        self
    }

    /// Replaces the value following `flag` (e.g. `--candidate`).
    pub fn set(mut self, flag: &str, value: &str) -> Run {
        let at = self
            .args
            .iter()
            .position(|a| a == flag)
            .unwrap_or_else(|| panic!("{flag} is not among the arguments"));
        self.args[at + 1] = value.to_owned();
        self
    }

    /// Sets an environment variable for the process.
    pub fn env(mut self, name: &str, value: &str) -> Run {
        self.envs.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Makes sure an environment variable is not set for the process.
    pub fn without_env(mut self, name: &str) -> Run {
        self.removed_envs.push(name.to_owned());
        self
    }

    /// Runs the binary from this folder instead of the project folder.
    pub fn current_dir(mut self, dir: &Path) -> Run {
        self.current_dir = dir.to_owned();
        self
    }

    /// Runs the binary on a blocking thread (the mock servers keep serving)
    /// and collects what it left behind.
    pub async fn execute(self) -> RunResult {
        let Run {
            args,
            envs,
            removed_envs,
            current_dir,
            reports,
        } = self;
        let output = tokio::task::spawn_blocking(move || {
            let mut command =
                assert_cmd::Command::cargo_bin("driftgate").expect("the driftgate binary");
            command
                .args(&args)
                .current_dir(&current_dir)
                .env_remove("DRIFTGATE_CONFIG")
                .env_remove("RUST_LOG")
                .env("NO_COLOR", "1")
                .timeout(std::time::Duration::from_secs(30));
            for name in &removed_envs {
                command.env_remove(name);
            }
            for (name, value) in &envs {
                command.env(name, value);
            }
            command.output().expect("run driftgate")
        })
        .await
        .expect("the blocking task");
        let drift_path = reports.join("drift.json");
        let drift = std::fs::read_to_string(&drift_path).ok().map(|text| {
            serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{} is not JSON: {e}\n{text}", drift_path.display()))
        });
        RunResult {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            drift,
            reports,
        }
    }
}

/// What one run of the binary left behind.
#[derive(Debug)]
pub struct RunResult {
    /// Exit code (`None` if killed by a signal).
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// The parsed `drift.json`, when one was written.
    pub drift: Option<Value>,
    /// The report folder.
    pub reports: PathBuf,
}

impl RunResult {
    /// Asserts the exit code, showing the output when it differs.
    pub fn assert_code(&self, expected: i32) -> &RunResult {
        assert_eq!(
            self.code,
            Some(expected),
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    /// Asserts a usage/config/feature error: exit 2, no report, no panic, and
    /// `needles` in stderr.
    pub fn assert_usage_error(&self, needles: &[&str]) {
        self.assert_code(2);
        self.assert_no_panic();
        for needle in needles {
            assert!(
                self.stderr.contains(needle),
                "stderr lacks {needle:?}\n--- stderr\n{}",
                self.stderr
            );
        }
    }

    /// Asserts that nothing panicked.
    pub fn assert_no_panic(&self) {
        assert!(
            !self.stderr.contains("panicked"),
            "a panic\n--- stderr\n{}",
            self.stderr
        );
    }

    /// The drift report; fails the test when none was written.
    pub fn report(&self) -> &Value {
        self.drift.as_ref().unwrap_or_else(|| {
            panic!(
                "no drift.json in {}\n--- stdout\n{}\n--- stderr\n{}",
                self.reports.display(),
                self.stdout,
                self.stderr
            )
        })
    }

    /// Every scenario of the report.
    pub fn scenarios(&self) -> &[Value] {
        self.report()["scenarios"]
            .as_array()
            .expect("scenarios is an array")
    }

    /// The scenario with this name.
    pub fn scenario(&self, name: &str) -> &Value {
        self.scenarios()
            .iter()
            .find(|s| s["name"] == name)
            .unwrap_or_else(|| panic!("no scenario {name:?} in {:#}", self.report()))
    }

    /// Names of the scenarios, sorted.
    pub fn scenario_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .scenarios()
            .iter()
            .map(|s| s["name"].as_str().expect("name is a string").to_owned())
            .collect();
        names.sort();
        names
    }

    /// Every drift of every scenario.
    pub fn drifts(&self) -> Vec<&Value> {
        self.scenarios()
            .iter()
            .flat_map(|s| s["drifts"].as_array().expect("drifts is an array"))
            .collect()
    }

    /// The drifts of one class.
    pub fn drifts_of(&self, class: &str) -> Vec<&Value> {
        self.drifts()
            .into_iter()
            .filter(|d| d["class"] == class)
            .collect()
    }

    /// A file of the report folder as text (empty when absent).
    pub fn report_file(&self, name: &str) -> String {
        std::fs::read_to_string(self.reports.join(name)).unwrap_or_default()
    }

    /// Asserts that the terminal report, junit.xml and summary.md note the
    /// drift `waiver` waived, and that cucumber.json and report.html are written.
    pub fn assert_waiver_noted_in_every_report(&self, waiver: &str) {
        let noted = [
            ("the terminal report", self.stdout.clone(), "[waived by {}]"),
            ("junit.xml", self.report_file("junit.xml"), "[waived by {}]"),
            (
                "summary.md",
                self.report_file("summary.md"),
                "(waived by {})",
            ),
        ];
        for (name, text, note) in noted {
            let note = note.replace("{}", waiver);
            assert!(text.contains(&note), "{name} lacks {note:?}:\n{text}");
        }
        for file in ["cucumber.json", "report.html"] {
            assert!(!self.report_file(file).is_empty(), "no {file}");
        }
    }

    /// Asserts that `driftgate report TRACE --config CONFIG` (into a report
    /// folder of its own) exits as this run did with the same drift.json.
    pub async fn assert_rebuilt_by_report(&self, trace: &Path, config: &Path) {
        let dir = TempDir::new().expect("create a temporary report folder");
        let (trace_arg, config_arg) = (trace.display().to_string(), config.display().to_string());
        let args = [
            "report",
            &trace_arg,
            "--config",
            &config_arg,
            "--reports",
            "reports",
        ];
        let rebuilt = Run::bare(&args, dir.path()).execute().await;
        rebuilt.assert_code(self.code.unwrap_or(-1));
        assert_eq!(
            rebuilt.report(),
            self.report(),
            "driftgate report on {trace_arg} judges otherwise"
        );
    }
}

/// A feature with one scenario named `name` made of `steps` (one per line).
pub fn one_scenario(name: &str, tags: &str, steps: &[&str]) -> String {
    let mut text = format!("Feature: Twin run\n\n  {tags}\n  Scenario: {name}\n");
    for step in steps {
        text.push_str("    ");
        text.push_str(step);
        text.push('\n');
    }
    text
}

/// Line of the scenario's `n`-th step (0-based) in a feature from [`one_scenario`].
pub fn step_line(n: usize) -> u64 {
    5 + n as u64
}
