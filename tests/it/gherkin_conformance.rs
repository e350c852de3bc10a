//! Conformance with Cucumber's official Gherkin parser, over its own test
//! data (read in place from `../shared/conformance/gherkin/`, beside the
//! project; it is not part of the repository):
//!
//! - every `good/*.feature` loads without a diagnostic, through the same
//!   path `driftgate check` and `driftgate run` use;
//! - every `bad/*.feature` is refused at exactly the lines (and columns)
//!   its `.errors.ndjson` names, each with a sentence and a hint, never a
//!   parser token list.
//!
//! Without the folder the test skips loudly; with `CI=true` it fails.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use driftgate::runner::features;

/// The official test data, beside the project folder.
fn conformance_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("shared")
        .join("conformance")
        .join("gherkin");
    if dir.join("good").is_dir() && dir.join("bad").is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!(
            "the Gherkin conformance data is missing in CI: expected {}",
            dir.display()
        );
    }
    eprintln!(
        "SKIP gherkin conformance: no test data at {} (it lives in shared/ beside the project)",
        dir.display()
    );
    None
}

fn feature_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "feature"))
        .collect();
    files.sort();
    files
}

/// The locations the official parser reports for a bad file: line, and
/// column where it names one (not for an early end of the file).
fn official_locations(feature: &Path) -> BTreeSet<(usize, Option<usize>)> {
    let mut errors = feature.as_os_str().to_owned();
    errors.push(".errors.ndjson");
    std::fs::read_to_string(&errors)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let location = &v["parseError"]["source"]["location"];
            (
                location["line"].as_u64().unwrap() as usize,
                location["column"].as_u64().map(|c| c as usize),
            )
        })
        .collect()
}

#[test]
fn every_file_the_official_parser_accepts_loads() {
    let Some(dir) = conformance_dir() else { return };
    let files = feature_files(&dir.join("good"));
    assert!(files.len() >= 50, "only {} good files found", files.len());
    let mut refused = Vec::new();
    for file in &files {
        let (_, diagnostics) = features::parse_all(std::slice::from_ref(file), &dir);
        if !diagnostics.is_empty() {
            let text: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
            refused.push(format!("{}:\n{}", file.display(), text.join("\n")));
        }
    }
    eprintln!(
        "gherkin conformance: {} of {} good files accepted",
        files.len() - refused.len(),
        files.len()
    );
    assert!(refused.is_empty(), "refused:\n{}", refused.join("\n"));
}

#[test]
fn every_file_the_official_parser_rejects_is_refused_at_its_locations() {
    let Some(dir) = conformance_dir() else { return };
    let files = feature_files(&dir.join("bad"));
    assert!(files.len() >= 12, "only {} bad files found", files.len());
    let mut wrong = Vec::new();
    for file in &files {
        let expected = official_locations(file);
        let (parsed, diagnostics) = features::parse_all(std::slice::from_ref(file), &dir);
        // Compare columns only where the official parser names one.
        let got: BTreeSet<(usize, Option<usize>)> = diagnostics
            .iter()
            .map(|d| {
                let at = d
                    .location
                    .as_ref()
                    .expect("a feature diagnostic has a location");
                let col = expected.contains(&(at.line, None)).then_some(None);
                (at.line, col.unwrap_or(Some(at.col)))
            })
            .collect();
        let text: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
        let text = text.join("\n");
        if !parsed.is_empty() || got != expected {
            wrong.push(format!(
                "{}: official (line, column) {expected:?}, driftgate {got:?}\n{text}",
                file.display()
            ));
        }
        for d in &diagnostics {
            let shown = d.to_string();
            for token in ["#EOF", "#Empty", "#Comment", "#TagLine", "#Other", "{\""] {
                assert!(
                    !shown.contains(token),
                    "a parser token list in {}: {d}",
                    file.display()
                );
            }
            assert!(!d.help.is_empty(), "no hint in {}: {d}", file.display());
        }
    }
    eprintln!(
        "gherkin conformance: {} of {} bad files refused at the official lines and columns",
        files.len() - wrong.len(),
        files.len()
    );
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}
