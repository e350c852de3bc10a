//! Message and topology drift, judged from recorded AMQP observations.

use super::*;
use crate::trace::{AmqpEvent, AmqpMessage, AmqpObservation, BrokerTopology, ReplayCounts};

fn message(routing_key: &str, body: Value) -> AmqpMessage {
    AmqpMessage {
        exchange: "orders".into(),
        routing_key: routing_key.into(),
        body: Some(Body::Json(body)),
        ..AmqpMessage::default()
    }
}

fn amqp(event: AmqpEvent) -> Observation {
    Observation::Amqp(AmqpObservation {
        service: "events".into(),
        event,
    })
}

fn received(m: AmqpMessage) -> Observation {
    amqp(AmqpEvent::Received {
        listener: "orderEvents".into(),
        message: m,
    })
}

fn collected(messages: Vec<AmqpMessage>, ordered: bool) -> Observation {
    amqp(AmqpEvent::Collected {
        listener: "orderEvents".into(),
        expected: "3".into(),
        ordered,
        messages,
    })
}

fn judged(baseline: SideStep, candidate: SideStep) -> Vec<Drift> {
    let steps = vec![step(
        0,
        "a message should arrive on \"orderEvents\"",
        baseline,
        candidate,
    )];
    compare(&steps, &rules())
}

#[test]
fn equal_messages_with_environment_values_do_not_drift() {
    let b = message("plant.P100.order.created", json!({"plant": "P100", "n": 1}));
    let c = message("plant.S100.order.created", json!({"plant": "S100", "n": 1}));
    assert_eq!(
        judged(passed(vec![received(b)]), passed(vec![received(c)])),
        []
    );
}

#[test]
fn a_message_in_one_environment_only_replaces_the_one_sided_failure() {
    let failed = with_outcome(
        StepOutcome::Failed {
            message: "any message did not arrive on `orderEvents` within 2s".into(),
        },
        vec![],
    );
    let m = message("order.created", json!({"orderNo": "PO-1"}));
    let drifts = judged(passed(vec![received(m.clone())]), failed.clone());
    assert_eq!(classes(&drifts), [(DriftClass::MessageMissing, None)]);
    assert_eq!(
        drifts[0].message,
        "message arrived in baseline only: routing key `order.created`"
    );
    let drifts = judged(failed, passed(vec![received(m)]));
    assert_eq!(classes(&drifts), [(DriftClass::MessageExtra, None)]);
}

#[test]
fn routing_key_properties_headers_and_body_are_compared() {
    let b = message("order.created", json!({"status": "NEW", "qty": 2}));
    let mut c = message("order.updated", json!({"status": "OPEN", "qty": 2}));
    c.properties.content_type = Some("text/plain".into());
    c.headers.insert("x-source".into(), json!("erp"));
    c.headers.insert("x-death".into(), json!([{"count": 1}]));
    c.properties.message_id = Some("other-id".into());
    let drifts = judged(passed(vec![received(b)]), passed(vec![received(c)]));
    assert_eq!(
        classes(&drifts),
        [
            (DriftClass::RoutingKey, Some("routing_key")),
            (DriftClass::ValueChange, Some("property:content_type")),
            (DriftClass::Header, Some("header:x-source")),
            (DriftClass::ValueChange, Some("$.status")),
        ]
    );
}

#[test]
fn counts_and_order_of_collected_messages() {
    let (a, b2, c3) = (
        message("order.created", json!({"n": 1})),
        message("order.released", json!({"n": 2})),
        message("order.shipped", json!({"n": 3})),
    );
    let cases: Vec<(Vec<AmqpMessage>, Vec<AmqpMessage>, bool, Shape<'static>)> = vec![
        (
            vec![a.clone(), b2.clone()],
            vec![a.clone()],
            true,
            vec![(DriftClass::MessageCount, None)],
        ),
        (
            vec![a.clone(), b2.clone(), c3.clone()],
            vec![a.clone(), c3.clone(), b2.clone()],
            true,
            vec![(DriftClass::MessageOrder, None)],
        ),
        (
            vec![a.clone(), b2.clone()],
            vec![b2.clone(), a.clone()],
            false,
            vec![],
        ),
        (
            vec![a.clone()],
            vec![message("order.created", json!({"n": 9}))],
            false,
            vec![(DriftClass::ValueChange, Some("[0] $.n"))],
        ),
    ];
    for (b, c, ordered, expected) in cases {
        let drifts = judged(
            passed(vec![collected(b.clone(), ordered)]),
            passed(vec![collected(c.clone(), ordered)]),
        );
        assert_eq!(classes(&drifts), expected, "{b:?} vs {c:?}");
    }
}

#[test]
fn replay_counts_that_differ_are_reported_with_both_counts() {
    let replayed = |returned| {
        amqp(AmqpEvent::Replayed {
            file: "replay/x.jsonl".into(),
            counts: ReplayCounts {
                captured: 3,
                selected: 3,
                replayed: 3,
                confirmed: 3 - returned,
                returned,
                nacked: 0,
            },
        })
    };
    let drifts = judged(passed(vec![replayed(0)]), passed(vec![replayed(1)]));
    assert_eq!(
        classes(&drifts),
        [(DriftClass::MessageCount, Some("replay"))]
    );
    assert_eq!(drifts[0].candidate.as_ref().unwrap()["returned"], json!(1));
}

#[test]
fn topology_differences_name_the_object_and_carry_both_values() {
    // Each environment names the queue after its own plant: the same queue after normalisation.
    let topology = |plant: &str, ttl: u64, extra_queue: bool| {
        let mut t = BrokerTopology {
            vhost: "/".into(),
            ..BrokerTopology::default()
        };
        t.queues.insert(
            format!("orders.{plant}"),
            json!({"durable": true, "arguments": {"x-message-ttl": ttl}}),
        );
        if extra_queue {
            t.queues
                .insert("audit".into(), json!({"durable": true, "arguments": {}}));
        }
        passed(vec![amqp(AmqpEvent::Topology { topology: t })])
    };
    let drifts = judged(
        topology("P100", 60000, false),
        topology("S100", 30000, true),
    );
    assert_eq!(
        classes(&drifts),
        [
            (DriftClass::Topology, Some("queue:audit")),
            (
                DriftClass::Topology,
                Some("queue:orders.<env:plant> $.arguments['x-message-ttl']")
            ),
        ]
    );
    assert_eq!(drifts[1].baseline, Some(json!(60000)));
    assert_eq!(drifts[1].candidate, Some(json!(30000)));
    assert_eq!(
        drifts[0].message,
        "queue `audit` is declared in candidate only"
    );
    assert_eq!(
        judged(
            topology("P100", 60000, false),
            topology("S100", 60000, false)
        ),
        []
    );
}
