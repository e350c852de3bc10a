//! The HTML report as a real browser loads it: a run of the binary against
//! two wiremock environments (the candidate prices in USD, and an outline
//! reads the order three times, so the step has a timing chart) writes `report.html`,
//! and headless Chromium renders the verdict, the drift row and the chart
//! dots without a console message or a content-security-policy violation,
//! and takes a screenshot (kept at `$DRIFTGATE_SCREENSHOT` when set).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use regex::Regex;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::common::{Project, TwinConfig, Twins};

/// Three reads of the same step line: a distribution the page charts.
const FEATURE: &str = r#"Feature: Order prices

  Scenario Outline: Read an order's price, try <try>
    When I send a GET request to "/api/orders/PO-1"
    Then the response status should be 200

    Examples:
      | try |
      | 1   |
      | 2   |
      | 3   |
"#;

/// The Chromium binary, when one is installed.
fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            let out = Command::new("which").arg(name).output().ok()?;
            out.status
                .success()
                .then(|| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
        })
}

/// Loads `page` in headless Chromium with its own profile folder.
fn headless(chromium: &Path, profile: &Path, extra: &[&str], page: &Path) -> Output {
    Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("start chromium")
}

/// Runs the suite against EUR (baseline) and USD (candidate) prices and
/// returns the project holding `reports/report.html`.
async fn drifted_report() -> Project {
    let mocks = Twins::start().await;
    for (server, currency) in [(&mocks.baseline, "EUR"), (&mocks.candidate, "USD")] {
        Mock::given(method("GET"))
            .and(path("/api/orders/PO-1"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"total": 120, "currency": currency})),
            )
            .mount(server)
            .await;
    }
    let project = Project::new(&TwinConfig::new(&mocks).render());
    project.feature("prices.feature", FEATURE);
    project.run().execute().await.assert_code(1);
    project
}

#[tokio::test(flavor = "multi_thread")]
async fn chromium_renders_the_verdict_a_drift_row_and_a_chart() {
    let Some(chromium) = chromium() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "chromium is required in CI (.ci/setup.d/chromium.sh installs it)"
        );
        eprintln!(
            "SKIP chromium_renders_the_verdict_a_drift_row_and_a_chart: no chromium installed (apt-get install chromium)"
        );
        return;
    };
    let project = drifted_report().await;
    let page = project.reports().join("report.html");
    let dir = project.root();

    let dom = headless(&chromium, &dir.join("profile"), &["--dump-dom"], &page);
    let html = String::from_utf8_lossy(&dom.stdout);
    let log = String::from_utf8_lossy(&dom.stderr);
    assert!(dom.status.success(), "chromium failed: {log}");
    assert!(
        html.contains(r#"<span class="verdict drift" id="verdict">DRIFT</span>"#),
        "verdict missing from the DOM:\n{html}"
    );
    let drift_row = Regex::new(
        r#"<tr class="drift" id="drift-\d+"><td class="mono">value_change</td><td class="path mono">\$\.currency</td>"#,
    )
    .expect("a valid pattern");
    assert!(
        drift_row.is_match(&html),
        "drift row missing from the DOM:\n{html}"
    );
    assert!(
        html.contains("<circle class=\"candidate\""),
        "chart dots missing:\n{html}"
    );
    assert!(!log.contains("CONSOLE"), "console messages: {log}");
    assert!(
        !log.contains("Refused to"),
        "content security policy violations: {log}"
    );

    let shot = std::env::var_os("DRIFTGATE_SCREENSHOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| dir.join("report.png"));
    let screenshot = headless(
        &chromium,
        &dir.join("profile-shot"),
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1280,2000",
            "--hide-scrollbars",
        ],
        &page,
    );
    assert!(
        screenshot.status.success(),
        "{}",
        String::from_utf8_lossy(&screenshot.stderr)
    );
    assert!(
        std::fs::metadata(&shot)
            .map(|m| m.len() > 10_000)
            .unwrap_or(false),
        "no screenshot at {}",
        shot.display()
    );
}
