//! What an environment's message broker did during a step: messages
//! published, messages that arrived on the harness's listeners, replays and
//! the broker's declared topology.
//!
//! ```json
//! {"type":"amqp","service":"events","event":"received","listener":"orderEvents",
//!  "message":{"exchange":"orders","routing_key":"order.created",
//!             "properties":{"message_id":"m-1","content_type":"application/json"},
//!             "headers":{"x-plant":"P100"},"body":{"format":"json","value":{"orderNo":"PO-1"}}}}
//! ```
//!
//! [`AmqpMessage`] is also the line format of replay files (`scenarios/replay/*.jsonl`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Body;

/// One thing a broker did, on one service of one environment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AmqpObservation {
    /// Service name in the config.
    pub service: String,
    /// What happened.
    #[serde(flatten)]
    pub event: AmqpEvent,
}

/// What happened on the broker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum AmqpEvent {
    /// A listener started: a queue of the harness bound to an exchange, or a real queue read destructively.
    Listening {
        /// Listener name in the scenario.
        listener: String,
        /// What it reads: `exchange "orders" binding "order.*"` or `queue "orders.dlq" (destructive)`.
        source: String,
    },
    /// A message was published.
    Published {
        /// The message as sent.
        message: AmqpMessage,
        /// What the broker said.
        confirm: PublishConfirm,
    },
    /// A message matching an expectation arrived.
    Received {
        /// Listener it arrived on.
        listener: String,
        /// The message.
        message: AmqpMessage,
    },
    /// Messages that arrived while none (or a given number) were expected, or that a count step saw.
    Collected {
        /// Listener they arrived on.
        listener: String,
        /// What the step expected: `none`, `3`, `3 in order`.
        expected: String,
        /// Whether their order matters when comparing environments.
        ordered: bool,
        /// The messages, in arrival order.
        messages: Vec<AmqpMessage>,
    },
    /// A replay file (or part of it) was published.
    Replayed {
        /// The file, relative to the fixtures folder.
        file: String,
        /// What happened to its messages.
        counts: ReplayCounts,
    },
    /// Messages written to a replay file.
    Recorded {
        /// The file.
        file: String,
        /// Messages written.
        count: usize,
    },
    /// The declared topology of the service's vhost.
    Topology {
        /// Exchanges, queues and bindings.
        topology: BrokerTopology,
    },
}

/// The broker's answer to one publish.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PublishConfirm {
    /// Routed and confirmed.
    Confirmed,
    /// Unroutable: returned by the broker (mandatory flag).
    Returned,
    /// Negatively acknowledged.
    Nacked,
}

/// Counts of a replay; `replayed == confirmed + returned + nacked` unless the broker went away.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplayCounts {
    /// Messages in the file.
    pub captured: usize,
    /// Messages selected by the filter.
    pub selected: usize,
    /// Messages published.
    pub replayed: usize,
    /// Confirmed by the broker.
    pub confirmed: usize,
    /// Returned as unroutable.
    pub returned: usize,
    /// Negatively acknowledged.
    pub nacked: usize,
}

/// One AMQP message; also one line of a replay file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AmqpMessage {
    /// Exchange it was published to.
    #[serde(default)]
    pub exchange: String,
    /// Routing key.
    #[serde(default)]
    pub routing_key: String,
    /// Basic properties.
    #[serde(default, skip_serializing_if = "MessageProperties::is_empty")]
    pub properties: MessageProperties,
    /// Application headers.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, Value>,
    /// Body: JSON when it parses as JSON, text otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Body>,
    /// Body as base64, when it is not UTF-8 text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_base64: Option<String>,
    /// When the harness received it (RFC 3339), for captured messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_at: Option<String>,
}

impl AmqpMessage {
    /// The body as bytes to publish (JSON compact, text as is, base64 decoded).
    pub fn payload(&self) -> Result<Vec<u8>, String> {
        if let Some(b64) = &self.body_base64 {
            use base64::Engine as _;
            return base64::engine::general_purpose::STANDARD
                .decode(b64)
                .map_err(|e| format!("body_base64 is not base64: {e}"));
        }
        Ok(match &self.body {
            None => Vec::new(),
            Some(Body::Json(v)) => v.to_string().into_bytes(),
            Some(Body::Text(t)) => t.clone().into_bytes(),
        })
    }

    /// The body from received bytes.
    pub fn set_payload(&mut self, data: &[u8]) {
        match std::str::from_utf8(data) {
            Ok("") => self.body = None,
            Ok(text) => self.body = Some(Body::from_text(text.to_owned())),
            Err(_) => {
                use base64::Engine as _;
                self.body_base64 = Some(base64::engine::general_purpose::STANDARD.encode(data));
            }
        }
    }
}

/// AMQP basic properties, as recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MessageProperties {
    /// `message_id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// `correlation_id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
    /// `content_type`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// `content_encoding`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_encoding: Option<String>,
    /// `delivery_mode`: 1 transient, 2 persistent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery_mode: Option<u8>,
    /// `priority`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<u8>,
    /// `type`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// `app_id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    /// `reply_to`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<String>,
    /// `expiration` (milliseconds, as text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration: Option<String>,
    /// `timestamp`: the original publish time, seconds since the epoch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<u64>,
    /// `user_id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
}

impl MessageProperties {
    /// Whether no property is set.
    pub fn is_empty(&self) -> bool {
        *self == MessageProperties::default()
    }

    /// The property of this name (`message_id`, `type`, …) as text, or why the name is unknown.
    pub fn get(&self, name: &str) -> Result<Option<String>, String> {
        Ok(match name {
            "message_id" => self.message_id.clone(),
            "correlation_id" => self.correlation_id.clone(),
            "content_type" => self.content_type.clone(),
            "content_encoding" => self.content_encoding.clone(),
            "delivery_mode" => self.delivery_mode.map(|v| v.to_string()),
            "priority" => self.priority.map(|v| v.to_string()),
            "type" => self.kind.clone(),
            "app_id" => self.app_id.clone(),
            "reply_to" => self.reply_to.clone(),
            "expiration" => self.expiration.clone(),
            "timestamp" => self.timestamp.map(|v| v.to_string()),
            "user_id" => self.user_id.clone(),
            other => return Err(unknown_property(other)),
        })
    }

    /// Sets the property of this name from text.
    pub fn set(&mut self, name: &str, value: String) -> Result<(), String> {
        let number = |v: &str| {
            v.parse::<u8>()
                .map_err(|_| format!("property `{name}` must be a number 0-255, not `{v}`"))
        };
        match name {
            "message_id" => self.message_id = Some(value),
            "correlation_id" => self.correlation_id = Some(value),
            "content_type" => self.content_type = Some(value),
            "content_encoding" => self.content_encoding = Some(value),
            "delivery_mode" => self.delivery_mode = Some(number(&value)?),
            "priority" => self.priority = Some(number(&value)?),
            "type" => self.kind = Some(value),
            "app_id" => self.app_id = Some(value),
            "reply_to" => self.reply_to = Some(value),
            "expiration" => self.expiration = Some(value),
            "timestamp" => {
                self.timestamp = Some(value.parse().map_err(|_| {
                    format!("property `timestamp` must be seconds since the epoch, not `{value}`")
                })?)
            }
            "user_id" => self.user_id = Some(value),
            other => return Err(unknown_property(other)),
        }
        Ok(())
    }
}

/// Names accepted by [`MessageProperties::get`] and [`MessageProperties::set`].
pub const PROPERTY_NAMES: &[&str] = &[
    "message_id",
    "correlation_id",
    "content_type",
    "content_encoding",
    "delivery_mode",
    "priority",
    "type",
    "app_id",
    "reply_to",
    "expiration",
    "timestamp",
    "user_id",
];

fn unknown_property(name: &str) -> String {
    let suggestion = crate::suggest::did_you_mean(name, PROPERTY_NAMES.iter().copied())
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default();
    format!(
        "unknown message property `{name}`{suggestion} (known: {})",
        PROPERTY_NAMES.join(", ")
    )
}

/// The declared exchanges, queues and bindings of one vhost (the harness's own
/// exclusive queues, the default exchange and `amq.*` exchanges left out).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BrokerTopology {
    /// The vhost.
    pub vhost: String,
    /// Exchanges by name.
    #[serde(default)]
    pub exchanges: BTreeMap<String, Value>,
    /// Queues by name: durability, auto-delete, type and arguments (TTL, dead-letter exchange, max length…).
    #[serde(default)]
    pub queues: BTreeMap<String, Value>,
    /// Bindings as `source -> destination (type) key "K"`, each with its arguments.
    #[serde(default)]
    pub bindings: BTreeMap<String, Value>,
}
