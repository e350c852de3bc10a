//! Replay files and the two directions through them: capture (broker → file)
//! and replay (file → broker).
//!
//! A replay file is JSON Lines, one [`AmqpMessage`] a line, in arrival order:
//!
//! ```json
//! {"exchange":"orders","routing_key":"order.created","properties":{"message_id":"m-1","timestamp":1764150000},
//!  "headers":{"x-plant":"P100"},"body":{"format":"json","value":{"orderNo":"PO-1"}},"received_at":"2026-11-26T10:00:00.120Z"}
//! ```
//!
//! Capture writes and flushes (and syncs) each line before acknowledging the
//! message, so a message drained from a dead-letter queue is never lost: at
//! worst it is in the file *and* still in the queue. Replay publishes in
//! order, one confirm at a time, and counts every outcome.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::{AmqpClient, AmqpError, ListenerSource, close_quietly};
use crate::trace::{AmqpMessage, PublishConfirm, ReplayCounts};

/// Reads every message of a replay file, naming the line of a bad record.
pub fn read_replay_file(path: &Path) -> Result<Vec<AmqpMessage>, String> {
    let file =
        File::open(path).map_err(|e| format!("cannot read replay file {}: {e}", path.display()))?;
    let mut messages = Vec::new();
    for (i, line) in BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| format!("cannot read replay file {}: {e}", path.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let message = serde_json::from_str(&line).map_err(|e| {
            format!(
                "replay file {}:{}: not a message record: {e}",
                path.display(),
                i + 1
            )
        })?;
        messages.push(message);
    }
    Ok(messages)
}

/// Appends messages to a replay file, each line flushed and synced to disk.
#[derive(Debug)]
pub struct ReplayWriter {
    path: PathBuf,
    file: File,
}

impl ReplayWriter {
    /// Creates (or truncates) the file, creating its folder.
    pub fn create(path: &Path) -> Result<ReplayWriter, String> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        let file =
            File::create(path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
        Ok(ReplayWriter {
            path: path.to_owned(),
            file,
        })
    }

    /// Writes one line and makes it durable.
    pub fn append(&mut self, message: &AmqpMessage) -> Result<(), String> {
        let mut line = serde_json::to_string(message)
            .map_err(|e| format!("cannot encode a message for {}: {e}", self.path.display()))?;
        line.push('\n');
        self.file
            .write_all(line.as_bytes())
            .and_then(|()| self.file.flush())
            .and_then(|()| self.file.sync_data())
            .map_err(|e| format!("cannot write {}: {e}", self.path.display()))
    }
}

/// When a capture stops.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CaptureLimit {
    /// After this many messages.
    pub count: Option<usize>,
    /// After this long.
    pub duration: Option<Duration>,
    /// After this long without a message (draining a queue).
    pub idle: Option<Duration>,
}

/// What a capture did.
#[derive(Debug, Clone, PartialEq)]
pub struct CaptureSummary {
    /// The file written.
    pub path: PathBuf,
    /// Messages written (and, from a real queue, acknowledged).
    pub captured: usize,
    /// Why it stopped.
    pub stopped: String,
}

/// Why a capture failed; `captured` messages were written before it did.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
#[error("{message} (after {captured} messages were written to {path})")]
pub struct CaptureError {
    /// What went wrong.
    pub message: String,
    /// Messages safely written before.
    pub captured: usize,
    /// The file.
    pub path: String,
}

/// Captures messages from `source` into `output` until the limit is reached or `stop` resolves.
pub async fn capture(
    client: &AmqpClient,
    source: ListenerSource,
    output: &Path,
    limit: CaptureLimit,
    stop: impl std::future::Future<Output = ()>,
) -> Result<CaptureSummary, CaptureError> {
    let fail = |message: String, captured: usize| CaptureError {
        message,
        captured,
        path: output.display().to_string(),
    };
    let mut writer = ReplayWriter::create(output).map_err(|m| fail(m, 0))?;
    let mut listener = client
        .listen(source)
        .await
        .map_err(|e| fail(e.to_string(), 0))?;
    let end = limit.duration.map(|d| Instant::now() + d);
    let mut captured = 0;
    tokio::pin!(stop);
    let stopped = loop {
        if limit.count.is_some_and(|n| captured >= n) {
            break format!("{captured} messages captured");
        }
        let now = Instant::now();
        let wait = limit.idle.unwrap_or(Duration::from_secs(3600));
        let deadline = end.map_or(now + wait, |e| e.min(now + wait));
        let next = tokio::select! {
            next = listener.next_unacknowledged(deadline) => next,
            () = &mut stop => break "interrupted".to_owned(),
        };
        match next.map_err(|e| fail(e.to_string(), captured))? {
            Some(mut message) => {
                message.message.received_at = Some(now_rfc3339());
                writer
                    .append(&message.message)
                    .map_err(|m| fail(m, captured))?;
                captured += 1;
                message
                    .ack()
                    .await
                    .map_err(|e| fail(e.to_string(), captured))?;
            }
            None if end.is_some_and(|e| Instant::now() >= e) => {
                break "duration elapsed".to_owned();
            }
            None => break "no message for the idle time".to_owned(),
        }
    };
    Ok(CaptureSummary {
        path: output.to_owned(),
        captured,
        stopped,
    })
}

fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Publishes `messages` in order on one confirm channel, each confirmed before
/// the next; returns the counts and the error that stopped it, if any.
pub async fn publish_all(
    client: &AmqpClient,
    messages: &[AmqpMessage],
) -> (ReplayCounts, Option<AmqpError>) {
    let mut counts = ReplayCounts {
        captured: messages.len(),
        selected: messages.len(),
        ..ReplayCounts::default()
    };
    let channel = match client.confirm_channel().await {
        Ok(c) => c,
        Err(e) => return (counts, Some(e)),
    };
    for message in messages {
        counts.replayed += 1;
        match client.publish_on(&channel, message).await {
            Ok(PublishConfirm::Confirmed) => counts.confirmed += 1,
            Ok(PublishConfirm::Returned) => counts.returned += 1,
            Ok(PublishConfirm::Nacked) => counts.nacked += 1,
            Err(e) => {
                close_quietly(&channel).await;
                return (counts, Some(e));
            }
        }
    }
    close_quietly(&channel).await;
    (counts, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::Body;

    #[test]
    fn replay_files_round_trip_and_bad_lines_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/x.jsonl");
        let mut w = ReplayWriter::create(&path).unwrap();
        let mut m = AmqpMessage {
            exchange: "orders".into(),
            routing_key: "order.created".into(),
            ..AmqpMessage::default()
        };
        m.set_payload(br#"{"orderNo":"PO-1"}"#);
        w.append(&m).unwrap();
        let mut binary = m.clone();
        binary.body = None;
        binary.set_payload(&[0xff, 0x00, 0x7f]);
        w.append(&binary).unwrap();
        let back = read_replay_file(&path).unwrap();
        assert_eq!(back, vec![m.clone(), binary.clone()]);
        assert_eq!(
            back[0].body,
            Some(Body::Json(serde_json::json!({"orderNo": "PO-1"})))
        );
        assert_eq!(back[1].payload().unwrap(), vec![0xff, 0x00, 0x7f]);
        std::fs::write(&path, "{\"exchange\":\"x\"}\nnot json\n").unwrap();
        let e = read_replay_file(&path).unwrap_err();
        assert!(e.contains("x.jsonl:2"), "{e}");
    }
}
