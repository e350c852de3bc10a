//! Message comparison: what the brokers of the two environments delivered,
//! replayed and declared in one step.
//!
//! ```text
//! baseline  received on orderEvents: order.created {"orderNo": "<captured:orderNo>", "plant": "<env:plant>"}
//! candidate (nothing arrived)
//! ──▶ message_missing  message on orderEvents  "message arrived in baseline only: order.created"
//!
//! baseline  3 messages on orders in order: A, B, C
//! candidate 3 messages on orders in order: A, C, B
//! ──▶ message_order    "the same 3 messages arrived in a different order"
//! ```
//!
//! Routing keys, headers and bodies are normalised like HTTP bodies (captured
//! values and environment variables become placeholders; `[compare] ignore`
//! paths apply to JSON bodies). Per-message identity (message id, timestamp,
//! correlation id) and broker bookkeeping headers (`x-death`, …) are not compared.
//! An arrival on one side only replaces the "step failed in one environment
//! only" drift of the same step: it says the same, more precisely.

use serde_json::{Value, json};

use super::RuleSet;
use super::exchange::ExchangeJudge;
use super::finding::{Finding, Site};
use super::generated::{Recognised, Recognizer};
use super::rules::scope_of;
use super::{Drift, Normalizer, topology};
use crate::drift_class::DriftClass;
use crate::trace::{
    AmqpEvent, AmqpMessage, Observation, ReplayCounts, Side, SideStep, StepRecord, Twin,
};

/// Properties compared across environments (the rest identify a single message).
const COMPARED_PROPERTIES: &[&str] = &[
    "content_type",
    "content_encoding",
    "delivery_mode",
    "priority",
    "type",
    "app_id",
    "expiration",
];

/// Headers the broker adds on dead-lettering and redelivery: never compared.
const BROKER_HEADERS: &[&str] = &[
    "x-death",
    "x-delivery-count",
    "x-received-from",
    "timestamp_in_ms",
];

/// Adds the drift in the AMQP observations of a step whose sides both acted.
pub(super) fn compare_messages(
    step: &StepRecord,
    rules: &RuleSet,
    normalizer: &Normalizer,
    generated: Recognizer,
    site: &Site<'_>,
    drifts: &mut Vec<(Drift, Option<String>)>,
) {
    let events = Twin::new(events(&step.sides.baseline), events(&step.sides.candidate));
    if events.baseline.is_empty() && events.candidate.is_empty() {
        return;
    }
    let judge = MessageJudge {
        bodies: ExchangeJudge {
            rules: rules.applicable(&scope_of(&step.scenario, "", "", "")),
            normalizer,
            edi: &rules.edi,
            generated,
        },
        normalizer,
    };
    let mut found = Vec::new();
    found.extend(judge.arrivals(&events, site));
    found.extend(judge.collections(&events, site));
    found.extend(judge.replays(&events, site).into_iter().map(|d| (d, None)));
    found.extend(
        topology::compare_topologies(&events, normalizer, site)
            .into_iter()
            .map(|d| (d, None)),
    );
    let one_sided = found.iter().any(|(d, _)| {
        matches!(
            d.class,
            DriftClass::MessageMissing | DriftClass::MessageExtra
        )
    });
    if one_sided {
        drifts.retain(|(d, _)| d.class != DriftClass::AssertionOneSide || d.path.is_some());
    }
    drifts.extend(found);
}

/// The AMQP events of one side, with their service.
pub(super) fn events(side: &SideStep) -> Vec<(&str, &AmqpEvent)> {
    side.observations
        .iter()
        .filter_map(|o| match o {
            Observation::Amqp(a) => Some((a.service.as_str(), &a.event)),
            _ => None,
        })
        .collect()
}

type Events<'a> = Twin<Vec<(&'a str, &'a AmqpEvent)>>;

struct MessageJudge<'a> {
    bodies: ExchangeJudge<'a>,
    normalizer: &'a Normalizer,
}

impl MessageJudge<'_> {
    /// Messages taken by `a message … should arrive` expectations, paired by order.
    fn arrivals(&self, events: &Events<'_>, site: &Site<'_>) -> Vec<(Drift, Option<String>)> {
        let received = |side: Side| -> Vec<(&str, &str, &AmqpMessage)> {
            events
                .get(side)
                .iter()
                .filter_map(|(service, e)| match e {
                    AmqpEvent::Received { listener, message } => {
                        Some((*service, listener.as_str(), message))
                    }
                    _ => None,
                })
                .collect()
        };
        let (b, c) = (received(Side::Baseline), received(Side::Candidate));
        let mut drifts = Vec::new();
        for i in 0..b.len().max(c.len()) {
            match (b.get(i), c.get(i)) {
                (Some((service, listener, m)), Some((_, _, n))) => {
                    let at = site.exchange(service, format!("message on {listener}"));
                    drifts.extend(
                        self.pair(Twin::new(*m, *n))
                            .into_iter()
                            .map(|f| at.placed(f)),
                    );
                }
                (Some((service, listener, m)), None) => {
                    let at = site.exchange(service, format!("message on {listener}"));
                    drifts.push(at.placed(self.one_side(Side::Baseline, m)));
                }
                (None, Some((service, listener, n))) => {
                    let at = site.exchange(service, format!("message on {listener}"));
                    drifts.push(at.placed(self.one_side(Side::Candidate, n)));
                }
                (None, None) => {}
            }
        }
        drifts
    }

    fn one_side(&self, side: Side, message: &AmqpMessage) -> Finding {
        let key = self.normalizer.normalize_text(side, &message.routing_key);
        let value = Some(self.summary(side, message));
        let (class, baseline, candidate) = match side {
            Side::Baseline => (DriftClass::MessageMissing, value, None),
            Side::Candidate => (DriftClass::MessageExtra, None, value),
        };
        Finding {
            suppressed_by: None,
            class,
            path: None,
            baseline,
            candidate,
            message: format!("message arrived in {side} only: routing key `{key}`"),
        }
    }

    /// A normalised view of a message: routing key and body.
    fn summary(&self, side: Side, message: &AmqpMessage) -> Value {
        let body = match &message.body {
            Some(crate::trace::Body::Json(v)) => self.normalizer.normalize_value(side, v),
            Some(crate::trace::Body::Text(t)) => {
                Value::String(self.normalizer.normalize_text(side, t))
            }
            None => Value::Null,
        };
        json!({ "routing_key": self.normalizer.normalize_text(side, &message.routing_key), "body": body })
    }

    /// Everything that differs between two messages that both arrived.
    fn pair(&self, pair: Twin<&AmqpMessage>) -> Vec<Finding> {
        let mut findings = Vec::new();
        let keys = self.normalizer.normalize_texts(Twin::new(
            pair.baseline.routing_key.as_str(),
            pair.candidate.routing_key.as_str(),
        ));
        let (b, c) = (keys.baseline, keys.candidate);
        if b != c {
            findings.push(Finding {
                suppressed_by: None,
                class: DriftClass::RoutingKey,
                path: Some("routing_key".into()),
                message: format!("routing key `{b}` in baseline, `{c}` in candidate"),
                baseline: Some(b.into()),
                candidate: Some(c.into()),
            });
        }
        findings.extend(self.properties(&pair));
        findings.extend(self.headers(&pair));
        findings.extend(self.bodies.compare_bodies(Twin::new(
            pair.baseline.body.as_ref(),
            pair.candidate.body.as_ref(),
        )));
        findings
    }

    fn properties(&self, pair: &Twin<&AmqpMessage>) -> Vec<Finding> {
        COMPARED_PROPERTIES
            .iter()
            .filter_map(|name| {
                let value = |side: Side| {
                    pair.get(side)
                        .properties
                        .get(name)
                        .ok()
                        .flatten()
                        .map(|v| self.normalizer.normalize_text(side, &v))
                };
                let (b, c) = (value(Side::Baseline), value(Side::Candidate));
                (b != c).then(|| Finding {
                    suppressed_by: None,
                    class: DriftClass::ValueChange,
                    path: Some(format!("property:{name}")),
                    message: format!("message property `{name}` differs"),
                    baseline: b.map(Value::String),
                    candidate: c.map(Value::String),
                })
            })
            .collect()
    }

    fn headers(&self, pair: &Twin<&AmqpMessage>) -> Vec<Finding> {
        let mut names: Vec<&String> = pair.baseline.headers.keys().collect();
        names.extend(
            pair.candidate
                .headers
                .keys()
                .filter(|k| !pair.baseline.headers.contains_key(*k)),
        );
        names
            .into_iter()
            .filter(|name| !is_broker_header(name))
            .filter_map(|name| {
                let value = |side: Side| {
                    pair.get(side)
                        .headers
                        .get(name)
                        .map(|v| self.normalizer.normalize_value(side, v))
                };
                let (b, c) = (value(Side::Baseline), value(Side::Candidate));
                if b == c || pair.baseline.headers.get(name) == pair.candidate.headers.get(name) {
                    return None;
                }
                let recognised = match (&b, &c) {
                    (Some(b), Some(c)) => self.bodies.generated.values(b, c),
                    _ => None,
                };
                let message = match (&b, &c, recognised) {
                    (Some(_), None, _) => format!("message header `{name}` is in baseline only"),
                    (None, Some(_), _) => format!("message header `{name}` is in candidate only"),
                    (_, _, Some(Recognised::FormatChange)) => {
                        format!("message header `{name}` changed format")
                    }
                    _ => format!("message header `{name}` differs"),
                };
                let suppressed_by = match recognised {
                    Some(Recognised::Same(reason)) => Some(reason.to_owned()),
                    _ => None,
                };
                Some(Finding {
                    suppressed_by,
                    class: DriftClass::Header,
                    path: Some(format!("header:{name}")),
                    baseline: b,
                    candidate: c,
                    message,
                })
            })
            .collect()
    }

    /// Messages gathered by counting steps (`N messages …`, `no message …`), paired by step order.
    fn collections(&self, events: &Events<'_>, site: &Site<'_>) -> Vec<(Drift, Option<String>)> {
        let collected = |side: Side| -> Vec<(&str, &str, bool, &Vec<AmqpMessage>)> {
            events
                .get(side)
                .iter()
                .filter_map(|(service, e)| match e {
                    AmqpEvent::Collected {
                        listener,
                        ordered,
                        messages,
                        ..
                    } => Some((*service, listener.as_str(), *ordered, messages)),
                    _ => None,
                })
                .collect()
        };
        let mut drifts = Vec::new();
        for (b, c) in collected(Side::Baseline)
            .into_iter()
            .zip(collected(Side::Candidate))
        {
            let at = site.exchange(b.0, format!("messages on {}", b.1));
            drifts.extend(
                self.collection(Twin::new(b.3, c.3), b.2)
                    .into_iter()
                    .map(|f| at.placed(f)),
            );
        }
        drifts
    }

    fn collection(&self, pair: Twin<&Vec<AmqpMessage>>, ordered: bool) -> Vec<Finding> {
        let (b, c) = (pair.baseline.len(), pair.candidate.len());
        if b != c {
            return vec![Finding {
                suppressed_by: None,
                class: DriftClass::MessageCount,
                path: None,
                baseline: Some(b.into()),
                candidate: Some(c.into()),
                message: format!("{b} messages arrived in baseline, {c} in candidate"),
            }];
        }
        let sorted = |side: Side| {
            let mut all: Vec<(String, &AmqpMessage)> = pair
                .get(side)
                .iter()
                .map(|m| (self.summary(side, m).to_string(), m))
                .collect();
            all.sort_by(|x, y| x.0.cmp(&y.0));
            all
        };
        let (sb, sc) = (sorted(Side::Baseline), sorted(Side::Candidate));
        let same_set = sb.iter().zip(&sc).all(|(x, y)| x.0 == y.0);
        let in_order = |side: Side| -> Vec<String> {
            pair.get(side)
                .iter()
                .map(|m| self.summary(side, m).to_string())
                .collect()
        };
        if ordered && same_set && in_order(Side::Baseline) != in_order(Side::Candidate) {
            let keys = |side: Side| -> Value {
                pair.get(side)
                    .iter()
                    .map(|m| Value::String(self.normalizer.normalize_text(side, &m.routing_key)))
                    .collect()
            };
            return vec![Finding {
                suppressed_by: None,
                class: DriftClass::MessageOrder,
                path: None,
                baseline: Some(keys(Side::Baseline)),
                candidate: Some(keys(Side::Candidate)),
                message: format!("the same {b} messages arrived in a different order"),
            }];
        }
        let pairs: Vec<(&AmqpMessage, &AmqpMessage)> = if ordered {
            pair.baseline.iter().zip(pair.candidate.iter()).collect()
        } else {
            sb.iter().zip(&sc).map(|(x, y)| (x.1, y.1)).collect()
        };
        pairs
            .into_iter()
            .enumerate()
            .flat_map(|(i, (m, n))| {
                self.pair(Twin::new(m, n)).into_iter().map(move |mut f| {
                    f.path = Some(format!("[{i}] {}", f.path.as_deref().unwrap_or("message")));
                    f
                })
            })
            .collect()
    }

    /// Replay counts, paired by order.
    fn replays(&self, events: &Events<'_>, site: &Site<'_>) -> Vec<Drift> {
        let replayed = |side: Side| -> Vec<(&str, &str, ReplayCounts)> {
            events
                .get(side)
                .iter()
                .filter_map(|(service, e)| match e {
                    AmqpEvent::Replayed { file, counts } => {
                        Some((*service, file.as_str(), *counts))
                    }
                    _ => None,
                })
                .collect()
        };
        replayed(Side::Baseline)
            .into_iter()
            .zip(replayed(Side::Candidate))
            .filter(|(b, c)| b.2 != c.2)
            .map(|(b, c)| {
                site.exchange(b.0, format!("replay of {}", b.1)).drift(Finding { suppressed_by: None,
                    class: DriftClass::MessageCount,
                    path: Some("replay".into()),
                    baseline: serde_json::to_value(b.2).ok(),
                    candidate: serde_json::to_value(c.2).ok(),
                    message: format!(
                        "replay counts differ: {} confirmed, {} returned in baseline; {} confirmed, {} returned in candidate",
                        b.2.confirmed, b.2.returned, c.2.confirmed, c.2.returned
                    ),
                })
            })
            .collect()
    }
}

fn is_broker_header(name: &str) -> bool {
    BROKER_HEADERS.iter().any(|h| h.eq_ignore_ascii_case(name))
        || name.starts_with("x-first-death-")
        || name.starts_with("x-last-death-")
}
