//! Tests of the HTML report: its text, escaping, and the page as a real
//! browser (headless Chromium) loads it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::LazyLock;

use regex::Regex;
use serde_json::json;

use super::*;
use crate::report::fixture;

/// The page's visible text, one line per block, times and dates redacted.
fn visible_text(html: &str) -> String {
    static STYLE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?s)<style>.*?</style>").unwrap());
    static SVG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?s)<svg .*?</svg>").unwrap());
    static TAG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"<[^>]+>").unwrap());
    static TIME: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\d+\.\d+ ?(ms|s)\b|\d{4}-\d\d-\d\dT[\d:.]+Z").unwrap());
    let text = STYLE.replace_all(html, "");
    let text = SVG.replace_all(&text, "[chart]");
    let text = TAG.replace_all(&text, "\n");
    let text = TIME.replace_all(&text, "[time]");
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#x2f;", "/")
        .replace("&gt;", ">")
        .replace("&lt;", "<")
        .replace("&amp;", "&")
}

#[test]
fn html_text_snapshot() {
    let html = render(&fixture::report(), &Redactor::default()).unwrap();
    insta::assert_snapshot!(visible_text(&html));
}

#[test]
fn page_is_self_contained() {
    let html = render(&fixture::report(), &Redactor::default()).unwrap();
    for external in [
        "<script",
        "<link",
        "src=\"http",
        "href=\"http",
        "@import",
        "url(",
    ] {
        assert!(!html.contains(external), "page references `{external}`");
    }
    assert!(html.contains("id=\"drift-2\""), "drift anchors");
    assert!(html.contains("id=\"scenario-1\""), "scenario anchors");
    assert!(html.contains("class=\"marked\""), "highlighted body lines");
    assert!(html.contains("<svg class=\"chart\""), "timing chart");
}

#[test]
fn markup_in_responses_and_names_is_shown_as_text() {
    let mut report = fixture::report();
    let attack = "<script>alert('x')</script>";
    report.drifts[2].candidate = Some(json!(attack));
    report.drifts[2].message = format!("changed to {attack}");
    report.steps[2].text =
        format!("I send a GET request to \"<img src=x onerror=alert(1)>{attack}\"");
    report.steps[2].sides.candidate.exchanges[0].body = Some(json!({ "note": attack }));
    let html = render(&report, &Redactor::default()).unwrap();
    assert!(!html.contains("<script>"), "unescaped script tag");
    assert!(!html.contains("<img"), "unescaped img tag");
    assert!(
        html.contains("&lt;script&gt;alert("),
        "script shown as text"
    );
    let text = visible_text(&html);
    assert!(
        text.contains("\"note\": \"<script>alert('x')</script>\""),
        "{text}"
    );
}

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

fn headless(chromium: &Path, profile: &Path, extra: &[&str], page: &Path) -> std::process::Output {
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
        .unwrap()
}

#[test]
fn chromium_renders_the_verdict_a_drift_row_and_a_chart() {
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
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    std::fs::write(
        &page,
        render(&fixture::report(), &Redactor::default()).unwrap(),
    )
    .unwrap();
    let dom = headless(
        &chromium,
        &dir.path().join("profile"),
        &["--dump-dom"],
        &page,
    );
    let html = String::from_utf8_lossy(&dom.stdout);
    let log = String::from_utf8_lossy(&dom.stderr);
    assert!(dom.status.success(), "chromium failed: {log}");
    assert!(
        html.contains(r#"<span class="verdict drift" id="verdict">DRIFT</span>"#),
        "verdict missing from the DOM:\n{html}"
    );
    assert!(
        html.contains(r#"<tr class="drift" id="drift-2"><td class="mono">value_change</td><td class="path mono">$.currency</td>"#),
        "drift row missing from the DOM"
    );
    assert!(
        html.contains("<circle class=\"candidate\""),
        "chart dots missing"
    );
    assert!(!log.contains("CONSOLE"), "console messages: {log}");
    assert!(
        !log.contains("Refused to"),
        "content security policy violations: {log}"
    );
    let shot = std::env::var_os("DRIFTGATE_SCREENSHOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| dir.path().join("report.png"));
    let screenshot = headless(
        &chromium,
        &dir.path().join("profile-shot"),
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
