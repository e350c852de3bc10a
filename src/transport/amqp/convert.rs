//! Conversions between lapin's types and the trace's [`AmqpMessage`], and
//! AMQP topic matching.
//!
//! ```text
//! headers {"x-plant": LongString("P100"), "x-retries": LongLongInt(2)}  ⇄  {"x-plant": "P100", "x-retries": 2}
//! topic_matches("order.*", "order.created") == true;  topic_matches("order.#", "order") == true
//! ```

use std::collections::BTreeMap;

use lapin::BasicProperties;
use lapin::message::Delivery;
use lapin::types::{AMQPValue, FieldArray, FieldTable, LongString, ShortString};
use serde_json::{Number, Value};

use crate::trace::{AmqpMessage, MessageProperties};

/// The trace's view of a delivered message.
pub fn message_from_delivery(delivery: &Delivery) -> AmqpMessage {
    let p = &delivery.properties;
    let text = |v: &Option<ShortString>| v.as_ref().map(|s| s.as_str().to_owned());
    let properties = MessageProperties {
        message_id: text(p.message_id()),
        correlation_id: text(p.correlation_id()),
        content_type: text(p.content_type()),
        content_encoding: text(p.content_encoding()),
        delivery_mode: *p.delivery_mode(),
        priority: *p.priority(),
        kind: text(p.kind()),
        app_id: text(p.app_id()),
        reply_to: text(p.reply_to()),
        expiration: text(p.expiration()),
        timestamp: *p.timestamp(),
        user_id: text(p.user_id()),
    };
    let headers = p
        .headers()
        .as_ref()
        .map(|table| {
            table
                .inner()
                .iter()
                .map(|(k, v)| (k.as_str().to_owned(), json_of(v)))
                .collect()
        })
        .unwrap_or_default();
    let mut message = AmqpMessage {
        exchange: delivery.exchange.as_str().to_owned(),
        routing_key: delivery.routing_key.as_str().to_owned(),
        properties,
        headers,
        ..AmqpMessage::default()
    };
    message.set_payload(&delivery.data);
    message
}

/// lapin properties (headers included) for a message to publish.
pub fn properties_of(message: &AmqpMessage) -> BasicProperties {
    let p = &message.properties;
    let mut out = BasicProperties::default();
    let short = |s: &String| ShortString::from(s.as_str());
    if let Some(v) = &p.message_id {
        out = out.with_message_id(short(v));
    }
    if let Some(v) = &p.correlation_id {
        out = out.with_correlation_id(short(v));
    }
    if let Some(v) = &p.content_type {
        out = out.with_content_type(short(v));
    }
    if let Some(v) = &p.content_encoding {
        out = out.with_content_encoding(short(v));
    }
    if let Some(v) = p.delivery_mode {
        out = out.with_delivery_mode(v);
    }
    if let Some(v) = p.priority {
        out = out.with_priority(v);
    }
    if let Some(v) = &p.kind {
        out = out.with_type(short(v));
    }
    if let Some(v) = &p.app_id {
        out = out.with_app_id(short(v));
    }
    if let Some(v) = &p.reply_to {
        out = out.with_reply_to(short(v));
    }
    if let Some(v) = &p.expiration {
        out = out.with_expiration(short(v));
    }
    if let Some(v) = p.timestamp {
        out = out.with_timestamp(v);
    }
    if let Some(v) = &p.user_id {
        out = out.with_user_id(short(v));
    }
    if !message.headers.is_empty() {
        out = out.with_headers(table_of(&message.headers));
    }
    out
}

fn table_of(headers: &BTreeMap<String, Value>) -> FieldTable {
    let mut table = FieldTable::default();
    for (k, v) in headers {
        table.insert(k.as_str().into(), amqp_of(v));
    }
    table
}

fn amqp_of(value: &Value) -> AMQPValue {
    match value {
        Value::Null => AMQPValue::Void,
        Value::Bool(b) => AMQPValue::Boolean(*b),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => AMQPValue::LongLongInt(i),
            (None, Some(f)) => AMQPValue::Double(f),
            (None, None) => AMQPValue::LongString(LongString::from(n.to_string())),
        },
        Value::String(s) => AMQPValue::LongString(LongString::from(s.as_str())),
        Value::Array(items) => {
            let mut array = FieldArray::default();
            for item in items {
                array.push(amqp_of(item));
            }
            AMQPValue::FieldArray(array)
        }
        Value::Object(members) => {
            let mut table = FieldTable::default();
            for (k, v) in members {
                table.insert(k.as_str().into(), amqp_of(v));
            }
            AMQPValue::FieldTable(table)
        }
    }
}

fn json_of(value: &AMQPValue) -> Value {
    match value {
        AMQPValue::Boolean(b) => Value::Bool(*b),
        AMQPValue::ShortShortInt(v) => Value::from(*v),
        AMQPValue::ShortShortUInt(v) => Value::from(*v),
        AMQPValue::ShortInt(v) => Value::from(*v),
        AMQPValue::ShortUInt(v) => Value::from(*v),
        AMQPValue::LongInt(v) => Value::from(*v),
        AMQPValue::LongUInt(v) => Value::from(*v),
        AMQPValue::LongLongInt(v) => Value::from(*v),
        AMQPValue::Timestamp(v) => Value::from(*v),
        AMQPValue::Float(v) => float(f64::from(*v)),
        AMQPValue::Double(v) => float(*v),
        AMQPValue::DecimalValue(d) => float(f64::from(d.value) / 10f64.powi(i32::from(d.scale))),
        AMQPValue::ShortString(s) => Value::String(s.as_str().to_owned()),
        AMQPValue::LongString(s) => {
            Value::String(String::from_utf8_lossy(s.as_bytes()).into_owned())
        }
        AMQPValue::ByteArray(b) => {
            Value::String(String::from_utf8_lossy(b.as_slice()).into_owned())
        }
        AMQPValue::FieldArray(a) => Value::Array(a.as_slice().iter().map(json_of).collect()),
        AMQPValue::FieldTable(t) => Value::Object(
            t.inner()
                .iter()
                .map(|(k, v)| (k.as_str().to_owned(), json_of(v)))
                .collect(),
        ),
        AMQPValue::Void => Value::Null,
    }
}

fn float(f: f64) -> Value {
    Number::from_f64(f)
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

/// Whether a routing key matches an AMQP topic pattern (`*` one word, `#` zero or more).
pub fn topic_matches(pattern: &str, routing_key: &str) -> bool {
    let pattern: Vec<&str> = pattern.split('.').collect();
    let key: Vec<&str> = routing_key.split('.').collect();
    words_match(&pattern, &key)
}

fn words_match(pattern: &[&str], key: &[&str]) -> bool {
    match pattern.split_first() {
        None => key.is_empty(),
        Some((&"#", rest)) => (0..=key.len()).any(|skip| words_match(rest, &key[skip..])),
        Some((word, rest)) => match key.split_first() {
            Some((k, key_rest)) => (*word == "*" || word == k) && words_match(rest, key_rest),
            None => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn topic_patterns_follow_amqp_rules() {
        let cases = [
            ("order.*", "order.created", true),
            ("order.*", "order.created.eu", false),
            ("order.#", "order", true),
            ("order.#", "order.created.eu", true),
            ("#", "anything.at.all", true),
            ("*.created", "order.created", true),
            ("order.created", "order.created", true),
            ("order.created", "order.deleted", false),
            ("#.eu", "order.created.eu", true),
            ("*", "", true),
        ];
        for (pattern, key, expected) in cases {
            assert_eq!(topic_matches(pattern, key), expected, "{pattern} ~ {key}");
        }
    }

    #[test]
    fn headers_round_trip_through_amqp_values() {
        let headers: BTreeMap<String, Value> = [
            ("s".to_owned(), json!("P100")),
            ("n".to_owned(), json!(2)),
            ("f".to_owned(), json!(1.5)),
            ("b".to_owned(), json!(true)),
            ("a".to_owned(), json!(["x", 1])),
            ("o".to_owned(), json!({"k": "v"})),
            ("z".to_owned(), Value::Null),
        ]
        .into();
        let table = table_of(&headers);
        let back: BTreeMap<String, Value> = table
            .inner()
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), json_of(v)))
            .collect();
        assert_eq!(back, headers);
    }

    #[test]
    fn properties_are_carried_over() {
        let mut message = AmqpMessage::default();
        message.properties.message_id = Some("m-1".into());
        message.properties.delivery_mode = Some(2);
        message.properties.kind = Some("OrderCreated".into());
        let p = properties_of(&message);
        assert_eq!(p.message_id().as_ref().map(|s| s.as_str()), Some("m-1"));
        assert_eq!(*p.delivery_mode(), Some(2));
        assert_eq!(p.kind().as_ref().map(|s| s.as_str()), Some("OrderCreated"));
        assert!(p.headers().is_none());
    }
}
