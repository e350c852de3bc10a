//! Traces: the JSON Lines record of everything a run observed.
//!
//! [`TraceWriter`] appends and flushes one record at a time, redacting
//! secrets, so a run that is interrupted leaves a readable trace of what it
//! did so far. [`read_trace`] reads one back, naming the line of any record
//! it cannot parse — except a last line torn by a kill in the middle of a
//! write, which is dropped with a warning so the records before it are judged.

mod amqp;
mod end;
mod model;
mod sink;

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub use amqp::*;
pub use end::*;
pub use model::*;
pub use sink::{RecordSink, RecordSinks};

use crate::secret::Redactor;

/// A trace that could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    /// The file could not be created, written or read.
    #[error("trace {path}: {source}")]
    Io {
        /// The trace file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A line is not a trace record.
    #[error("trace {path}:{line}: not a driftgate trace record: {message}")]
    Malformed {
        /// The trace file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// The parser's message.
        message: String,
    },
}

impl crate::diagnostic::Diagnose for TraceError {
    fn diagnostics(&self) -> Vec<crate::diagnostic::Diagnostic> {
        use crate::diagnostic::{Diagnostic, Location};
        match self {
            TraceError::Io { path, source } => vec![
                Diagnostic::error(format!("trace {}: {source}", path.display()))
                    .located(Location::file(path.display().to_string())),
            ],
            TraceError::Malformed {
                path,
                line,
                message,
            } => vec![
                Diagnostic::error(format!("not a driftgate trace record: {message}"))
                    .located(Location {
                        line: *line,
                        ..Location::file(path.display().to_string())
                    })
                    .with_help("name a trace.jsonl that driftgate wrote"),
            ],
        }
    }
}

/// Appends records to a trace file, one flushed JSON line each.
#[derive(Debug)]
pub struct TraceWriter {
    path: PathBuf,
    out: Mutex<BufWriter<File>>,
    redactor: Redactor,
}

impl TraceWriter {
    /// Creates (or truncates) the trace file.
    pub fn create(path: &Path, redactor: Redactor) -> Result<TraceWriter, TraceError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| TraceError::Io {
                path: path.to_owned(),
                source,
            })?;
        }
        let file = File::create(path).map_err(|source| TraceError::Io {
            path: path.to_owned(),
            source,
        })?;
        Ok(TraceWriter {
            path: path.to_owned(),
            out: Mutex::new(BufWriter::new(file)),
            redactor,
        })
    }

    /// Where the trace is written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one record and flushes it to disk.
    pub fn append(&self, record: &TraceRecord) -> Result<(), TraceError> {
        let io = |source| TraceError::Io {
            path: self.path.clone(),
            source,
        };
        let line = serde_json::to_string(record).map_err(|e| io(std::io::Error::other(e)))?;
        let line = self.redactor.redact(&line);
        let mut out = self.out.lock().unwrap_or_else(|e| e.into_inner());
        out.write_all(line.as_bytes()).map_err(io)?;
        out.write_all(b"\n").map_err(io)?;
        out.flush().map_err(io)
    }
}

/// Reads every record of a trace file; a torn last line is dropped with a
/// warning (see [`parse_trace`]).
pub fn read_trace(path: &Path) -> Result<Vec<TraceRecord>, TraceError> {
    let file = File::open(path).map_err(|source| TraceError::Io {
        path: path.to_owned(),
        source,
    })?;
    let parsed = parse_trace(path, BufReader::new(file))?;
    if let Some(line) = parsed.torn_line {
        tracing::warn!(
            "trace {}:{line}: the last line is cut short (the run was killed while writing it); dropped it and judged the {} records before it",
            path.display(),
            parsed.records.len()
        );
    }
    Ok(parsed.records)
}

/// The records of a trace, and the line of a torn last record dropped from them.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedTrace {
    /// Every whole record, in order.
    pub records: Vec<TraceRecord>,
    /// The 1-based line of a last line that was cut short and dropped.
    pub torn_line: Option<usize>,
}

/// Parses the records of a trace read from `input` (`path` names it in
/// errors). A line that is not a record is an error, unless it is the last
/// line and has no line end: the writer ends every record with one, so that
/// line was cut short by a kill and is dropped.
pub fn parse_trace(path: &Path, mut input: impl BufRead) -> Result<ParsedTrace, TraceError> {
    let io = |source| TraceError::Io {
        path: path.to_owned(),
        source,
    };
    let mut records = Vec::new();
    let mut line = Vec::new();
    let mut number = 0;
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line).map_err(io)? == 0 {
            return Ok(ParsedTrace {
                records,
                torn_line: None,
            });
        }
        number += 1;
        let ended = line.last() == Some(&b'\n');
        let text = String::from_utf8_lossy(&line);
        if text.trim().is_empty() {
            continue;
        }
        match serde_json::from_str(&text) {
            Ok(record) => records.push(record),
            Err(_) if !ended => {
                return Ok(ParsedTrace {
                    records,
                    torn_line: Some(number),
                });
            }
            Err(e) => {
                return Err(TraceError::Malformed {
                    path: path.to_owned(),
                    line: number,
                    message: e.to_string(),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> ScenarioKey {
        ScenarioKey {
            feature: "features/a.feature".into(),
            feature_name: "A".into(),
            rule: None,
            name: "s".into(),
            line: 3,
            tags: vec![],
            sample: None,
            tenant: None,
        }
    }

    #[test]
    fn records_round_trip_and_secrets_are_redacted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("run.trace.jsonl");
        let redactor = Redactor::default();
        redactor.add("top-secret-token");
        let w = TraceWriter::create(&path, redactor).unwrap();
        let mut sides = Twin::<SideStep>::default();
        sides
            .baseline
            .observations
            .push(Observation::Http(HttpExchange {
                service: "erp".into(),
                request: HttpRequestRecord {
                    method: "GET".into(),
                    url: "http://x/api".into(),
                    headers: vec![("authorization".into(), "Bearer top-secret-token".into())],
                    body: None,
                },
                response: Some(HttpResponseRecord {
                    status: 200,
                    headers: vec![],
                    body: Some(Body::Json(serde_json::json!({"a": 1}))),
                }),
                error: None,
                redirects: Vec::new(),
                timing: Timing::default(),
            }));
        let step = TraceRecord::Step(StepRecord {
            outline_text: None,
            scenario: key(),
            index: 0,
            keyword: "When ".into(),
            text: "I send".into(),
            line: 4,
            sides,
        });
        w.append(&step).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("top-secret-token"), "{text}");
        assert!(text.contains("Bearer ***"));
        let back = read_trace(&path).unwrap();
        assert_eq!(back.len(), 1);
        let TraceRecord::Step(s) = &back[0] else {
            panic!("expected a step record")
        };
        assert_eq!(s.line, 4);
    }

    #[test]
    fn malformed_line_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.jsonl");
        std::fs::write(&path, "{\"kind\":\"scenario\"}\n").unwrap();
        let err = read_trace(&path).unwrap_err().to_string();
        assert!(err.contains("bad.jsonl:1"), "{err}");
    }

    #[test]
    fn a_torn_last_line_is_dropped_and_the_rest_kept() {
        let whole = serde_json::to_string(&TraceRecord::Plan(RunPlan { scenarios: 3 })).unwrap();
        let torn = format!("{whole}\n{whole}\n{{\"kind\":\"step\",\"scen");
        let parsed = parse_trace(Path::new("t.jsonl"), torn.as_bytes()).unwrap();
        assert_eq!(parsed.records.len(), 2);
        assert_eq!(parsed.torn_line, Some(3));
        // A bad line with its line end was written whole: that is an error.
        let bad = format!("{whole}\n{{\"kind\":\"step\"}}\n{whole}\n");
        let err = parse_trace(Path::new("t.jsonl"), bad.as_bytes()).unwrap_err();
        assert!(err.to_string().contains("t.jsonl:2"), "{err}");
        let ended = format!("{whole}\n{{\"kind\"\n");
        assert!(parse_trace(Path::new("t.jsonl"), ended.as_bytes()).is_err());
    }
}
