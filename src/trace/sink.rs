//! Where a run's records go as they happen: every record is handed to each
//! sink of the run in turn — the trace file and the judge — and a sink that
//! fails does not stop the others (the run goes on; the report says so).
//!
//! ```text
//! twin world ──record──▶ RecordSinks ──▶ TraceWriter  (trace.jsonl, flushed)
//!                                    └──▶ judge        (drift, as each scenario ends)
//! ```

use std::sync::{Arc, Mutex};

use super::{TraceError, TraceRecord, TraceWriter};

/// Something that takes a run's records as they happen.
pub trait RecordSink: std::fmt::Debug + Send + Sync {
    /// Takes one record.
    fn append(&self, record: &TraceRecord) -> Result<(), TraceError>;
}

impl RecordSink for TraceWriter {
    fn append(&self, record: &TraceRecord) -> Result<(), TraceError> {
        TraceWriter::append(self, record)
    }
}

/// The sinks of one run, fed in order.
#[derive(Debug, Default)]
pub struct RecordSinks {
    sinks: Vec<Arc<dyn RecordSink>>,
    failures: Mutex<Vec<String>>,
}

impl RecordSinks {
    /// Feeds records to `sinks`, in this order.
    pub fn new(sinks: Vec<Arc<dyn RecordSink>>) -> RecordSinks {
        RecordSinks {
            sinks,
            failures: Mutex::default(),
        }
    }

    /// Hands `record` to every sink. Each failure is logged and kept for
    /// [`RecordSinks::take_failures`]; the first is returned, after every
    /// other sink has had the record.
    pub fn append(&self, record: &TraceRecord) -> Result<(), TraceError> {
        let mut first = None;
        for sink in &self.sinks {
            if let Err(e) = sink.append(record) {
                tracing::error!("{e}");
                self.lock().push(e.to_string());
                first.get_or_insert(e);
            }
        }
        first.map_or(Ok(()), Err)
    }

    /// The failures so far, oldest first; they are not returned again.
    pub fn take_failures(&self) -> Vec<String> {
        std::mem::take(&mut *self.lock())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<String>> {
        self.failures.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::RunPlan;

    #[derive(Debug, Default)]
    struct Kept(Mutex<Vec<TraceRecord>>);

    impl RecordSink for Kept {
        fn append(&self, record: &TraceRecord) -> Result<(), TraceError> {
            self.0.lock().unwrap().push(record.clone());
            Ok(())
        }
    }

    #[derive(Debug)]
    struct Broken;

    impl RecordSink for Broken {
        fn append(&self, _: &TraceRecord) -> Result<(), TraceError> {
            Err(TraceError::Io {
                path: "full.jsonl".into(),
                source: std::io::Error::other("disk full"),
            })
        }
    }

    #[test]
    fn a_failing_sink_does_not_stop_the_others() {
        let kept = Arc::new(Kept::default());
        let sinks = RecordSinks::new(vec![Arc::new(Broken), kept.clone()]);
        let plan = TraceRecord::Plan(RunPlan { scenarios: 2 });
        let error = sinks.append(&plan).unwrap_err();
        assert_eq!(error.to_string(), "trace full.jsonl: disk full");
        assert_eq!(*kept.0.lock().unwrap(), [plan]);
        assert_eq!(sinks.take_failures(), ["trace full.jsonl: disk full"]);
        assert!(sinks.take_failures().is_empty());
    }
}
