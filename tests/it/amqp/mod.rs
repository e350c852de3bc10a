//! Message-queue scenarios against the real RabbitMQ: two fresh vhosts per
//! test stand in for production and staging.

pub(crate) mod broker;
mod topology_command;

use std::path::{Path, PathBuf};
use std::time::Duration;

use driftgate::compare::Drift;
use driftgate::config::Config;
use driftgate::drift_class::DriftClass;
use driftgate::runner::{self, RunOptions, RunOutcome};
use driftgate::trace::{AmqpEvent, Observation, ScenarioStatus, TraceRecord, read_trace};
use futures::StreamExt as _;
use lapin::options::{BasicAckOptions, BasicConsumeOptions, BasicGetOptions, BasicPublishOptions};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Connection, ConnectionProperties};
use serde_json::json;

use broker::Broker;

/// A temporary project: driftgate.toml for two vhosts, features and fixtures.
struct Project {
    dir: tempfile::TempDir,
}

/// `[environments]` of production and staging, each with an `events`
/// service on its vhost.
fn environments(vhosts: (&str, &str)) -> String {
    format!(
        r#"
[environments.production]
variables = {{ plant = "P100" }}
[environments.production.services.events]
amqp_url = "{}"
timeout_ms = 5000

[environments.staging]
variables = {{ plant = "S100" }}
[environments.staging.services.events]
amqp_url = "{}"
timeout_ms = 5000
"#,
        Broker::url(vhosts.0),
        Broker::url(vhosts.1)
    )
}

impl Project {
    fn new(vhosts: (&str, &str), feature: &str) -> Project {
        let dir = tempfile::tempdir().unwrap();
        let config = format!(
            r#"
[run]
features = ["features"]
fixtures = "scenarios"
concurrency = 1
{}"#,
            environments(vhosts)
        );
        std::fs::write(dir.path().join("driftgate.toml"), config).unwrap();
        std::fs::create_dir_all(dir.path().join("features")).unwrap();
        std::fs::create_dir_all(dir.path().join("scenarios/replay")).unwrap();
        std::fs::write(dir.path().join("features/queue.feature"), feature).unwrap();
        Project { dir }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    async fn run(&self) -> RunOutcome {
        let config = Config::load(&self.path("driftgate.toml")).unwrap();
        let mut opts = RunOptions::new(config, "production", "staging", self.path("reports"));
        opts.display_root = self.dir.path().to_owned();
        runner::run(opts).await.unwrap()
    }
}

/// Class, path and both values of a drift.
type Found = (
    DriftClass,
    Option<String>,
    Option<serde_json::Value>,
    Option<serde_json::Value>,
);

fn classes(drifts: &[Drift]) -> Vec<(DriftClass, Option<String>)> {
    drifts.iter().map(|d| (d.class, d.path.clone())).collect()
}

async fn connect(vhost: &str) -> Connection {
    Connection::connect(&Broker::url(vhost), ConnectionProperties::default())
        .await
        .unwrap()
}

/// Messages waiting in a queue, taken with basic.get.
async fn drain(vhost: &str, queue: &str) -> Vec<String> {
    let conn = connect(vhost).await;
    let channel = conn.create_channel().await.unwrap();
    let mut bodies = Vec::new();
    while let Some(m) = channel
        .basic_get(queue.into(), BasicGetOptions { no_ack: true })
        .await
        .unwrap()
    {
        bodies.push(String::from_utf8(m.delivery.data.clone()).unwrap());
    }
    bodies
}

const ROUND_TRIP: &str = r##"
Feature: Order events
  Scenario: An order event is published and observed without stealing it
    Given the variable "orderNo" is "PO-{{ random_int(10000, 99999) }}"
    And I listen on exchange "orders" with routing key "order.*" as "orderEvents"
    And the message properties are:
      | message_id    | {{ uuid() }} |
      | delivery_mode | 2            |
      | type          | OrderCreated |
    And the message headers are:
      | x-plant | {{ env.plant }} |
    When I publish to exchange "orders" with routing key "order.created"
      """
      { "orderNo": "{{ orderNo }}", "plant": "{{ env.plant }}", "lines": 2 }
      """
    Then a message with routing key "order.created" with header "x-plant" = "{{ env.plant }}" should arrive on "orderEvents" within 5 seconds
      """
      { "orderNo": "{{ orderNo }}" }
      """
    And the message body should match:
      """
      { "orderNo": "{{ orderNo }}", "plant": "{{ env.plant }}", "lines": "#number" }
      """
    And the message property "delivery_mode" should be 2
    And the message property "content_type" should be "application/json"
    And the message header "x-plant" should be "{{ env.plant }}"
    And the message routing key should be "order.created"
    And I capture the message field "$.orderNo" as "seen"
    And I capture the message property "message_id" as "messageId"
    And no message with routing key "order.rejected" should arrive on "orderEvents" within 300 ms
"##;

async fn orders_topology(b: &Broker, vhost: &str) {
    b.exchange(vhost, "orders").await;
    b.queue(vhost, "erp.orders", json!({})).await;
    b.bind_queue(vhost, "orders", "erp.orders", "order.*").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn publish_and_consume_round_trip_in_both_environments() {
    let Some(mut b) = broker::broker("publish_and_consume_round_trip").await else {
        return;
    };
    let (prod, stg) = (b.vhost("prod").await, b.vhost("stg").await);
    for v in [&prod, &stg] {
        orders_topology(&b, v).await;
    }
    let project = Project::new((&prod, &stg), ROUND_TRIP);
    let outcome = project.run().await;
    assert!(
        outcome
            .report
            .scenarios
            .iter()
            .all(|s| s.status == ScenarioStatus::Passed),
        "{:?}",
        outcome.report.scenarios
    );
    assert_eq!(classes(&outcome.report.drifts), []);
    for v in [&prod, &stg] {
        let left = drain(v, "erp.orders").await;
        assert_eq!(
            left.len(),
            1,
            "the real consumer's queue keeps its message in {v}"
        );
        assert!(left[0].contains("\"orderNo\""), "{left:?}");
    }
    let trace = read_trace(&outcome.trace_path).unwrap();
    let received = trace.iter().any(|r| match r {
        TraceRecord::Step(s) => s.sides.candidate.observations.iter().any(|o| {
            matches!(o, Observation::Amqp(a) if matches!(&a.event, AmqpEvent::Received { message, .. } if message.headers["x-plant"] == json!("S100")))
        }),
        _ => false,
    });
    assert!(received, "the trace records the candidate's message");
}

const BINDING: &str = r#"
Feature: Order events reach the event bus
  Scenario: An order event is routed to the event bus
    Given I listen on exchange "events" with routing key "order.*" as "bus"
    When I publish to exchange "orders" with routing key "order.created"
      """
      { "orderNo": "PO-1" }
      """
    Then a message should arrive on "bus" within 2 seconds
"#;

#[tokio::test(flavor = "multi_thread")]
async fn a_binding_missing_in_one_vhost_is_a_message_arriving_in_baseline_only() {
    let Some(mut b) = broker::broker("binding_missing").await else {
        return;
    };
    let (prod, stg) = (b.vhost("prod").await, b.vhost("stg").await);
    for v in [&prod, &stg] {
        b.exchange(v, "orders").await;
        b.exchange(v, "events").await;
        b.queue(v, "audit", json!({})).await;
        b.bind_queue(v, "orders", "audit", "#").await;
    }
    b.bind_exchange(&prod, "orders", "events", "order.*").await;
    let outcome = Project::new((&prod, &stg), BINDING).run().await;
    assert_eq!(
        classes(&outcome.report.drifts),
        [(DriftClass::MessageMissing, None)],
        "{:?}",
        outcome.report.drifts
    );
    let drift = &outcome.report.drifts[0];
    assert_eq!(
        drift.message,
        "message arrived in baseline only: routing key `order.created`"
    );
    assert_eq!(
        drift.baseline.as_ref().unwrap()["body"],
        json!({"orderNo": "PO-1"})
    );
    assert_eq!(drift.candidate, None);
}

/// Two fresh vhosts, production's and staging's, whose `erp.orders` queues
/// differ in their TTL and dead-letter exchange, and whose `erp.returns`
/// queue only production declares.
async fn drifting_topology(b: &mut Broker) -> (String, String) {
    let (prod, stg) = (b.vhost("prod").await, b.vhost("stg").await);
    for v in [&prod, &stg] {
        b.exchange(v, "orders").await;
    }
    b.queue(
        &prod,
        "erp.orders",
        json!({"x-message-ttl": 60000, "x-dead-letter-exchange": "dlx"}),
    )
    .await;
    b.queue(&stg, "erp.orders", json!({"x-message-ttl": 30000}))
        .await;
    b.queue(&prod, "erp.returns", json!({})).await;
    (prod, stg)
}

#[tokio::test(flavor = "multi_thread")]
async fn different_queue_arguments_are_topology_drift() {
    let Some(mut b) = broker::broker("topology").await else {
        return;
    };
    let (prod, stg) = drifting_topology(&mut b).await;
    let feature = "Feature: Broker\n  Scenario: Same topology\n    Then I compare the broker topology of \"events\"\n";
    let outcome = Project::new((&prod, &stg), feature).run().await;
    let mut found: Vec<Found> = outcome
        .report
        .drifts
        .iter()
        .map(|d| {
            (
                d.class,
                d.path.clone(),
                d.baseline.clone(),
                d.candidate.clone(),
            )
        })
        .collect();
    found.sort_by(|a, b| a.1.cmp(&b.1));
    assert_eq!(
        found,
        [
            (
                DriftClass::Topology,
                Some("queue:erp.orders $.arguments['x-dead-letter-exchange']".into()),
                Some(json!("dlx")),
                None
            ),
            (
                DriftClass::Topology,
                Some("queue:erp.orders $.arguments['x-message-ttl']".into()),
                Some(json!(60000)),
                Some(json!(30000))
            ),
            (
                DriftClass::Topology,
                Some("queue:erp.returns".into()),
                Some(
                    json!({"type": "classic", "durable": true, "auto_delete": false, "arguments": {}})
                ),
                None
            ),
        ]
    );
}

/// A downstream consumer: processes each message id once and announces it on `events`.
async fn dedup_consumer(vhost: String) -> tokio::task::JoinHandle<()> {
    let conn = connect(&vhost).await;
    let channel = conn.create_channel().await.unwrap();
    channel
        .confirm_select(lapin::options::ConfirmSelectOptions::default())
        .await
        .unwrap();
    let mut consumer = channel
        .basic_consume(
            "erp.orders".into(),
            "".into(),
            BasicConsumeOptions::default(),
            FieldTable::default(),
        )
        .await
        .unwrap();
    tokio::spawn(async move {
        let _conn = conn;
        let mut seen = std::collections::HashSet::new();
        while let Some(Ok(delivery)) = consumer.next().await {
            let id = delivery
                .properties
                .message_id()
                .as_ref()
                .map(|s| s.as_str().to_owned());
            if seen.insert(id.clone()) {
                channel
                    .basic_publish(
                        "events".into(),
                        "order.processed".into(),
                        BasicPublishOptions::default(),
                        &delivery.data,
                        BasicProperties::default().with_message_id(id.unwrap_or_default().into()),
                    )
                    .await
                    .unwrap()
                    .await
                    .unwrap();
            }
            delivery
                .acker
                .ack(BasicAckOptions::default())
                .await
                .unwrap();
        }
    })
}

const REPLAY: &str = r#"
Feature: Replay after recovery
  Scenario: Replaying the dead letters twice processes each order once
    Given I listen on exchange "orders" with routing key "order.#" as "replayed"
    And I listen on exchange "events" with routing key "order.processed" as "processed"
    When I replay the messages of "replay/captured.jsonl" to exchange "orders"
    Then 5 messages should arrive on "replayed" within 5 seconds in order
    And 5 messages should arrive on "processed" within 5 seconds
    When I replay the messages of "replay/captured.jsonl" to exchange "orders"
    Then 5 messages should arrive on "replayed" within 5 seconds in order
    And no message should arrive on "processed" within 1 second
"#;

#[tokio::test(flavor = "multi_thread")]
async fn captured_dead_letters_replay_exactly_and_idempotently() {
    let Some(mut b) = broker::broker("capture_replay").await else {
        return;
    };
    let (source, prod, stg) = (
        b.vhost("src").await,
        b.vhost("prod").await,
        b.vhost("stg").await,
    );
    b.queue(&source, "orders.dlq", json!({})).await;
    let conn = connect(&source).await;
    let channel = conn.create_channel().await.unwrap();
    for i in 0..5 {
        channel
            .basic_publish(
                "".into(),
                "orders.dlq".into(),
                BasicPublishOptions::default(),
                format!(r#"{{"orderNo":"PO-{i}"}}"#).as_bytes(),
                BasicProperties::default().with_message_id(format!("m-{i}").into()),
            )
            .await
            .unwrap();
    }
    // The dead-lettered messages originally went to "orders" with "order.created".
    let project = Project::new((&prod, &stg), REPLAY);
    let file = project.path("scenarios/replay/captured.jsonl");
    capture_dlq(&source, &file).await;
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&file)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5);
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(line["body"]["value"], json!({"orderNo": format!("PO-{i}")}));
        assert_eq!(line["properties"]["message_id"], json!(format!("m-{i}")));
    }
    assert_eq!(
        drain(&source, "orders.dlq").await.len(),
        0,
        "captured messages are acked"
    );
    rewrite_routing(&file);

    for v in [&prod, &stg] {
        orders_topology(&b, v).await;
        b.exchange(v, "events").await;
        b.queue(v, "events.audit", json!({})).await;
        b.bind_queue(v, "events", "events.audit", "#").await;
    }
    let consumers = [
        dedup_consumer(prod.clone()).await,
        dedup_consumer(stg.clone()).await,
    ];
    let outcome = project.run().await;
    for c in consumers {
        c.abort();
    }
    assert!(
        outcome
            .report
            .scenarios
            .iter()
            .all(|s| s.status == ScenarioStatus::Passed),
        "{:?}",
        outcome.report
    );
    assert_eq!(classes(&outcome.report.drifts), []);
    let counts: Vec<serde_json::Value> = read_trace(&outcome.trace_path)
        .unwrap()
        .iter()
        .filter_map(|r| match r {
            TraceRecord::Step(s) => Some(s.sides.candidate.observations.clone()),
            _ => None,
        })
        .flatten()
        .filter_map(|o| match o {
            Observation::Amqp(a) => match a.event {
                AmqpEvent::Replayed { counts, .. } => serde_json::to_value(counts).ok(),
                _ => None,
            },
            _ => None,
        })
        .collect();
    let expected = json!({"captured": 5, "selected": 5, "replayed": 5, "confirmed": 5, "returned": 0, "nacked": 0});
    assert_eq!(counts, [expected.clone(), expected]);
}

async fn capture_dlq(vhost: &str, file: &Path) {
    use driftgate::transport::amqp::replay::{CaptureLimit, capture};
    use driftgate::transport::amqp::{AmqpClient, ListenerSource};
    let service = driftgate::config::AmqpService::from_urls(
        &Broker::url(vhost),
        None,
        Duration::from_secs(5),
        &driftgate::secret::Redactor::default(),
    )
    .unwrap();
    let client = AmqpClient::new("events", "source", &service);
    let summary = capture(
        &client,
        ListenerSource::Queue {
            queue: "orders.dlq".into(),
        },
        file,
        CaptureLimit {
            count: Some(10),
            idle: Some(Duration::from_millis(700)),
            ..CaptureLimit::default()
        },
        std::future::pending(),
    )
    .await
    .unwrap();
    assert_eq!(summary.captured, 5);
}

/// Dead letters were read from a queue; give them the routing key they were first published with.
fn rewrite_routing(file: &Path) {
    let text = std::fs::read_to_string(file).unwrap();
    let fixed: Vec<String> = text
        .lines()
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["exchange"] = json!("orders");
            v["routing_key"] = json!("order.created");
            v.to_string()
        })
        .collect();
    std::fs::write(file, fixed.join("\n") + "\n").unwrap();
}

const BROKER_GONE: &str = r#"
Feature: Broker outage
  Scenario: The staging broker goes away mid-scenario
    Given I listen on exchange "orders" with routing key "order.*" as "orderEvents"
    # The management API lists a new connection within its stats interval (5 s).
    Then no message should arrive on "orderEvents" within 9 seconds
    And no message should arrive on "orderEvents" within 100 ms

  Scenario: The next scenario reconnects
    Given I listen on exchange "orders" with routing key "order.*" as "orderEvents"
    When I publish to exchange "orders" with routing key "order.created"
      """
      { "orderNo": "PO-9" }
      """
    Then a message should arrive on "orderEvents" within 5 seconds
"#;

#[tokio::test(flavor = "multi_thread")]
async fn a_broker_connection_closed_mid_run_fails_the_step_naming_the_environment() {
    let Some(mut b) = broker::broker("broker_gone").await else {
        return;
    };
    let (prod, stg) = (b.vhost("prod").await, b.vhost("stg").await);
    for v in [&prod, &stg] {
        orders_topology(&b, v).await;
    }
    let project = Project::new((&prod, &stg), BROKER_GONE);
    let run = project.run();
    let kill = async {
        let closed = b
            .close_connections_named("driftgate staging/events", &stg, Duration::from_secs(15))
            .await;
        assert!(
            closed >= 1,
            "the candidate's connection was found and closed"
        );
    };
    let (outcome, ()) = tokio::join!(run, kill);
    let trace = read_trace(&outcome.trace_path).unwrap();
    assert!(trace.len() >= 8, "{trace:?}");
    let first = &outcome.report.scenarios[0];
    let second = &outcome.report.scenarios[1];
    assert_eq!(second.status, ScenarioStatus::Passed, "{second:?}");
    let lost: Vec<&Drift> = outcome
        .report
        .drifts
        .iter()
        .filter(|d| d.class == DriftClass::ErrorOneSide)
        .collect();
    assert_eq!(lost.len(), 1, "{:?} / {first:?}", outcome.report.drifts);
    assert!(
        lost[0].message.contains("environment `staging` was lost"),
        "{}",
        lost[0].message
    );
}
