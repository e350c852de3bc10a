//! Tests of the HTML report: its text and escaping. How a real browser
//! loads the page is tested end to end in `tests/it/html_report.rs`.

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
