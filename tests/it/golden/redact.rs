//! The one redaction table of the golden cases: what changes from run to
//! run is replaced by a fixed marker before outputs are compared or blessed,
//! so an expected file holds only what the case decides.
//!
//! First the values the runner itself knows, replaced literally: the
//! scratch folder the case ran in becomes `[case]`, each mock URL becomes
//! the variable that carries it (`${MOCK_STAGING_ERP}`), driftgate's
//! version becomes `[version]`. Then [`TABLE`], in order:
//!
//! ```text
//! 2026-12-01T22:04:31.123456Z       → [timestamp]
//! "started_at": "…"                 → "started_at": "[timestamp]"
//! 6f1c2a9e-…-4e0b8d1f2c3a          → [uuid]
//! "duration_ms": 12.7               → "duration_ms": "[duration]"
//! p95_ms  baseline: 17.8  candidate: 404.0
//!                                   → p95_ms  baseline: [duration]  candidate: [duration]
//! driftgate_run_duration_seconds{…} 2.31
//!                                   → driftgate_run_duration_seconds{…} [time]
//! time="0.0123"                     → time="[duration]"
//! 12.7 ms, 0.41s                    → [duration]
//! 8s elapsed                        → [duration] elapsed
//! duration: 541ms                   → duration: [duration]
//! 127.0.0.1:41234                   → 127.0.0.1:[port]
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use regex::Regex;

/// One row of the table: what it hides, the pattern and its replacement
/// (`$1` is the pattern's first group).
struct Redaction {
    /// What the row hides.
    what: &'static str,
    /// The pattern.
    pattern: &'static str,
    /// What each match becomes.
    replacement: &'static str,
}

/// The table, applied in order after the literal replacements.
const TABLE: &[Redaction] = &[
    Redaction {
        what: "RFC 3339 timestamps",
        pattern: r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?",
        replacement: "[timestamp]",
    },
    Redaction {
        what: "UUIDs",
        pattern: r"(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b",
        replacement: "[uuid]",
    },
    Redaction {
        what: "measured times as JSON numbers (not limits such as `limit_ms`)",
        pattern: r#""(duration|duration_ms|duration_seconds|elapsed_ms|total_ms|headers_ms|value_ms|median_ms|shift_ms)": ?-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?"#,
        replacement: r#""$1": "[duration]""#,
    },
    Redaction {
        what: "the run's wall time and start in Prometheus samples",
        pattern: r"(?m)^(driftgate_run_(?:duration|start_time)_seconds\{[^}\n]*\}) \S+$",
        replacement: "$1 [time]",
    },
    Redaction {
        what: "both sides' measured latency of a budget finding, after its path (`p95_ms`)",
        pattern: r"((?:p\d+(?:\.\d+)?|median)_ms[^0-9\n]*\n?[^0-9\n]*)\d+\.\d+([^0-9\n]*\n?[^0-9\n]*)\d+\.\d+",
        replacement: "${1}[duration]${2}[duration]",
    },
    Redaction {
        what: "durations in XML attributes (JUnit `time`)",
        pattern: r#"\btime="[^"]*""#,
        replacement: r#"time="[duration]""#,
    },
    Redaction {
        what: "the run's duration on the terminal (`850ms` below a second)",
        pattern: r"(?m)^duration: \S+$",
        replacement: "duration: [duration]",
    },
    Redaction {
        what: "measured durations in text, which always have decimals (`200 ms` in a step stays)",
        pattern: r"\b\d+\.\d+ ?(?:ms|s|µs|us|ns|seconds)\b",
        replacement: "[duration]",
    },
    Redaction {
        what: "whole seconds elapsed in a plain progress line",
        pattern: r"\b\d+s elapsed\b",
        replacement: "[duration] elapsed",
    },
    Redaction {
        what: "ports of local servers",
        pattern: r"\b(127\.0\.0\.1|localhost):\d+",
        replacement: "$1:[port]",
    },
];

/// Applies the literal replacements of one case, then [`TABLE`].
pub struct Redactor {
    /// Known dynamic values and their markers, longest value first.
    literals: Vec<(String, String)>,
    /// [`TABLE`], compiled.
    table: Vec<(Regex, &'static str)>,
}

impl Redactor {
    /// The redactor of a case that ran in `scratch` against these mocks
    /// (variable name → base URL).
    pub fn new(scratch: &Path, mocks: &BTreeMap<String, String>) -> Redactor {
        let mut literals: Vec<(String, String)> = mocks
            .iter()
            .map(|(variable, url)| (url.clone(), format!("${{{variable}}}")))
            .collect();
        for dir in [Some(scratch.to_path_buf()), scratch.canonicalize().ok()]
            .into_iter()
            .flatten()
        {
            literals.push((dir.display().to_string(), "[case]".to_owned()));
        }
        literals.push((
            format!("driftgate {}", env!("CARGO_PKG_VERSION")),
            "driftgate [version]".to_owned(),
        ));
        literals.push((
            format!("\"{}\"", env!("CARGO_PKG_VERSION")),
            "\"[version]\"".to_owned(),
        ));
        literals.sort_by_key(|(value, _)| std::cmp::Reverse(value.len()));
        let table = TABLE
            .iter()
            .map(|row| {
                (
                    Regex::new(row.pattern)
                        .unwrap_or_else(|e| panic!("the redaction of {}: {e}", row.what)),
                    row.replacement,
                )
            })
            .collect();
        Redactor { literals, table }
    }

    /// `text` with every dynamic value replaced by its marker.
    pub fn redact(&self, text: &str) -> String {
        let mut text = text.to_owned();
        for (value, marker) in &self.literals {
            text = text.replace(value.as_str(), marker);
        }
        for (pattern, replacement) in &self.table {
            text = pattern.replace_all(&text, *replacement).into_owned();
        }
        text
    }
}

mod tests {
    use super::*;

    #[test]
    fn every_row_of_the_table_hides_its_value() {
        let mocks = BTreeMap::from([(
            "MOCK_STAGING_ERP".to_owned(),
            "http://127.0.0.1:41234".to_owned(),
        )]);
        let redactor = Redactor::new(Path::new("/tmp/.tmpAbC123"), &mocks);
        let cases = [
            (
                "GET http://127.0.0.1:41234/api",
                "GET ${MOCK_STAGING_ERP}/api",
            ),
            (
                "features at /tmp/.tmpAbC123/features",
                "features at [case]/features",
            ),
            ("at 2026-12-01T22:04:31.123456Z.", "at [timestamp]."),
            ("id 6F1C2A9E-1B2C-4D3E-8F90-4E0B8D1F2C3A", "id [uuid]"),
            (r#""total_ms": 12.7,"#, r#""total_ms": "[duration]","#),
            (r#""duration": 1234567}"#, r#""duration": "[duration]"}"#),
            (r#""limit_ms": 200.0,"#, r#""limit_ms": 200.0,"#),
            (
                "p95_ms  baseline: 17.8  candidate: 404.0",
                "p95_ms  baseline: [duration]  candidate: [duration]",
            ),
            (
                "\"path\": \"p95_ms\",\n  \"baseline\": 17.8,\n  \"candidate\": 404.0",
                "\"path\": \"p95_ms\",\n  \"baseline\": [duration],\n  \"candidate\": [duration]",
            ),
            (
                "| `p95_ms` | `17.8` | `404.0` |",
                "| `p95_ms` | `[duration]` | `[duration]` |",
            ),
            (
                r#"<testcase time="0.0123">"#,
                r#"<testcase time="[duration]">"#,
            ),
            (
                "took 12.7 ms, then 0.41s",
                "took [duration], then [duration]",
            ),
            ("should be under 200 ms", "should be under 200 ms"),
            ("3 drift(s), 12s elapsed", "3 drift(s), [duration] elapsed"),
            (
                "drifts: 0\nduration: 541ms\n",
                "drifts: 0\nduration: [duration]\n",
            ),
            (
                "driftgate_run_start_time_seconds{baseline=\"a\"} 1796163268.503\n",
                "driftgate_run_start_time_seconds{baseline=\"a\"} [time]\n",
            ),
            (
                "connect to 127.0.0.1:1 refused",
                "connect to 127.0.0.1:[port] refused",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(redactor.redact(input), expected, "{input}");
        }
    }
}
