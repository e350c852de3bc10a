//! The noise zoo end to end (`tests/fixtures/zoo/`), through the binary with
//! its default comparison settings and no noise rules:
//!
//! - production against staging, which run the same behaviour with every
//!   kind of noise (now-stamps in bodies and headers, uncaptured uuids,
//!   keyed lists in another order, float representation, environment
//!   specific values), exits 0 with no drift, and lists each noise kind as
//!   suppressed with its reason;
//! - production against `drifted`, which adds one real change per class,
//!   finds exactly those changes, each at its step and path;
//! - `[compare] generated_values = "strict"` brings the noise back;
//! - on the real RabbitMQ (fresh vhosts per test), the zoo's order service
//!   answers order messages with now-stamped events carrying fresh ids:
//!   silent between production and staging, while `drifted`'s missing event
//!   and changed queue argument are found.

use std::path::Path;
use std::sync::Arc;

use crate::amqp::broker;
use crate::common::{Project, RunResult};
use driftgate::mock::{DemoDatabase, MockEnvironment, load_dir};
use driftgate::template::TemplateEngine;

const ZOO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/zoo");
const ENVIRONMENTS: [&str; 3] = ["production", "staging", "drifted"];

/// The zoo's mocks (and, for the database scenario, its pysqlbridge
/// servers), one environment each, and a project whose config points at them.
struct Zoo {
    project: Project,
    _mocks: Vec<MockEnvironment>,
    _databases: Vec<DemoDatabase>,
}

/// The connection every environment's `zoodb` has in the zoo's config file.
const PLACEHOLDER_CONNECTION: &str = "connection = \"Server=tcp:127.0.0.1,1;Database=erp;User Id=demo;Password=demo-only;Encrypt=true;TrustServerCertificate=true\"";

impl Zoo {
    async fn start(config_edit: impl Fn(String) -> String) -> Zoo {
        Zoo::start_with(config_edit, Vec::new()).await
    }

    /// The zoo with its databases, or `None` (after a loud SKIP) when
    /// pysqlbridge is not installed; under `CI=true` that fails the test.
    async fn with_databases(test: &str) -> Option<Zoo> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let found = driftgate::mock::tds_setup::ensure_pysqlbridge(root, false, |_| {})
            .map_err(|e| e.to_string());
        let mut databases = Vec::new();
        for environment in ENVIRONMENTS {
            let tables = Path::new(ZOO).join("db").join(environment);
            let started = found
                .clone()
                .and_then(|executable| DemoDatabase::start(&executable, &tables));
            match started {
                Ok(database) => databases.push(database),
                Err(why) if std::env::var("CI").is_ok_and(|v| v == "true") => {
                    panic!("{test}: {why}")
                }
                Err(why) => {
                    eprintln!("SKIP {test}: {why}");
                    return None;
                }
            }
        }
        Some(Zoo::start_with(|config| config, databases).await)
    }

    async fn start_with(
        config_edit: impl Fn(String) -> String,
        databases: Vec<DemoDatabase>,
    ) -> Zoo {
        let specs = load_dir(Path::new(ZOO)).expect("the zoo's mocks load");
        let engine = Arc::new(TemplateEngine::new());
        let mut mocks = Vec::new();
        for environment in ENVIRONMENTS {
            let mock = MockEnvironment::start(&specs, environment, engine.clone())
                .await
                .expect("a zoo mock starts");
            mocks.push(mock);
        }
        let mut config = std::fs::read_to_string(Path::new(ZOO).join("driftgate.toml"))
            .expect("the zoo's config");
        for mock in &mocks {
            let url = mock.url("zoo").expect("the zoo service");
            config = config.replacen(
                "base_url = \"http://127.0.0.1:1\"",
                &format!("base_url = {url:?}"),
                1,
            );
        }
        for database in &databases {
            config = config.replacen(
                PLACEHOLDER_CONNECTION,
                &format!("connection = {:?}", database.connection()),
                1,
            );
        }
        let project = Project::new(&config_edit(config));
        for file in [
            "zoo.feature",
            "zoo-database.feature",
            "zoo-queue.feature",
            "fixtures/order.json",
        ] {
            let text = std::fs::read_to_string(Path::new(ZOO).join(file)).expect("a zoo file");
            project.write(file, &text);
        }
        Zoo {
            project,
            _mocks: mocks,
            _databases: databases,
        }
    }

    async fn run(&self, candidate: &str) -> RunResult {
        self.run_features(candidate, &[]).await
    }

    async fn run_features(&self, candidate: &str, features: &[&str]) -> RunResult {
        self.project
            .run()
            .set("--candidate", candidate)
            .args(&["--show-suppressed"])
            .args(features)
            .execute()
            .await
    }
}

/// (scenario, step index, class, path) of every drift, sorted.
fn drift_rows(run: &RunResult) -> Vec<(String, u64, String, String)> {
    let mut rows: Vec<_> = run
        .scenarios()
        .iter()
        .flat_map(|scenario| {
            let name = scenario["name"].as_str().unwrap_or_default().to_owned();
            scenario["drifts"]
                .as_array()
                .into_iter()
                .flatten()
                .map(move |d| {
                    (
                        name.clone(),
                        d["step"]["index"].as_u64().unwrap_or(u64::MAX),
                        d["class"].as_str().unwrap_or_default().to_owned(),
                        d["path"].as_str().unwrap_or_default().to_owned(),
                    )
                })
        })
        .collect();
    rows.sort();
    rows
}

/// The drifts `tests/fixtures/zoo/expected-drifts.tsv` says `drifted` injects, sorted.
fn expected_drifts() -> Vec<(String, u64, String, String)> {
    let text = std::fs::read_to_string(Path::new(ZOO).join("expected-drifts.tsv"))
        .expect("the zoo's expected drifts");
    let mut rows: Vec<_> = text
        .lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            assert_eq!(fields.len(), 4, "four tab-separated fields: {line:?}");
            let step = fields[1].parse().expect("a step index");
            (
                fields[0].to_owned(),
                step,
                fields[2].to_owned(),
                fields[3].to_owned(),
            )
        })
        .collect();
    rows.sort();
    rows
}

const ORDER: &str = "An order is created and read back";
const SEARCH: &str = "Stock adjustments are searched";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identical_deployments_do_not_drift_and_name_their_noise() {
    let zoo = Zoo::start(|config| config).await;
    let run = zoo.run("staging").await;
    run.assert_code(0);
    assert_eq!(drift_rows(&run), [], "{}", run.stdout);
    // The two mocks may stamp the same millisecond, which leaves nothing to
    // suppress, so a now-stamp is not required here; the database test's
    // SYSUTCDATETIME() column always differs and asserts its recognition.
    for reason in [
        "generated value: uuid",
        "generated value: keyed list order",
        "generated value: float representation",
    ] {
        assert!(
            run.stdout.contains(reason),
            "{reason} not listed\n{}",
            run.stdout
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_injected_drift_is_found_at_its_step_and_path_and_nothing_else() {
    let zoo = Zoo::start(|config| config).await;
    let run = zoo.run("drifted").await;
    run.assert_code(1);
    assert_eq!(drift_rows(&run), expected_drifts(), "{}", run.stdout);
    let captured = run
        .drifts()
        .into_iter()
        .find(|d| d["path"] == "$.state")
        .map(|d| d["message"].as_str().unwrap_or_default().to_owned())
        .unwrap_or_default();
    assert!(
        captured.contains("<captured:orderId> is ") && captured.contains(" in candidate)"),
        "the real captured values are not shown: {captured}"
    );
    assert!(
        run.stdout
            .contains("GET /api/orders/<captured:orderId> (zoo)  [<captured:orderId> is "),
        "the terminal does not show the real captured values\n{}",
        run.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strict_mode_compares_generated_values_by_value() {
    let zoo = Zoo::start(|config| {
        config.replace("[compare]\n", "[compare]\ngenerated_values = \"strict\"\n")
    })
    .await;
    let has = |found: &[(String, u64, String, String)],
               (scenario, class, path): (&str, &str, &str)| {
        found
            .iter()
            .any(|(s, _, c, p)| s == scenario && c == class && p == path)
    };
    // Values that differ on every run: compared by value, they drift.
    let always = [
        (ORDER, "value_change", "$.total"),
        (ORDER, "order", "$.lines"),
        (SEARCH, "value_change", "$.hits[0].sku"),
        (SEARCH, "value_change", "$.hits[0].adjustmentId"),
    ];
    // Now-stamps: the two in-process mocks may stamp the same millisecond,
    // so these drift on most runs, not all; a few attempts see them.
    let stamped = [
        (ORDER, "value_change", "$.createdAt"),
        (ORDER, "header", "header:x-generated-at"),
    ];
    let mut last = Vec::new();
    for _ in 0..ATTEMPTS {
        let run = zoo.run("staging").await;
        run.assert_code(1);
        last = drift_rows(&run);
        for row in always {
            assert!(
                has(&last, row),
                "{row:?} not found in strict mode: {last:?}"
            );
        }
        if stamped.iter().all(|row| has(&last, *row)) {
            return;
        }
    }
    panic!("now-stamps never drifted in strict mode in {ATTEMPTS} runs: {last:?}");
}

/// How many runs a test makes before it concludes that two now-stamps
/// taken on both sides never differed.
const ATTEMPTS: usize = 10;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_now_stamps_are_recognised_and_a_changed_cell_is_found() {
    let Some(zoo) = Zoo::with_databases("database_now_stamps_are_recognised").await else {
        return;
    };
    // The two servers may read the same millisecond (nothing to suppress
    // then); every run must be silent, and some run lists the now-stamp.
    let mut listed = false;
    for _ in 0..ATTEMPTS {
        let identical = zoo.run_features("staging", &["zoo-database.feature"]).await;
        identical.assert_code(0);
        assert_eq!(drift_rows(&identical), [], "{}", identical.stdout);
        if identical.stdout.contains("generated value: now-stamp") {
            listed = true;
            break;
        }
    }
    assert!(
        listed,
        "the read time is never listed as a now-stamp in {ATTEMPTS} runs"
    );
    let drifted = zoo.run_features("drifted", &["zoo-database.feature"]).await;
    drifted.assert_code(1);
    assert_eq!(
        drift_rows(&drifted),
        [(
            "Order rows are read".to_owned(),
            0,
            "cell_change".to_owned(),
            "row[OrderNo=PO-1].Status".to_owned()
        )],
        "{}",
        drifted.stdout
    );
}

/// The zoo with its order service on the real RabbitMQ: one fresh vhost per
/// environment, each with the same topology except `drifted`'s inbound queue
/// TTL, and a consumer per vhost that answers order messages with events.
struct QueueZoo {
    zoo: Zoo,
    _services: Vec<tokio::task::JoinHandle<()>>,
    _broker: broker::Broker,
}

/// The message TTL of the order service's inbound queue, per environment.
fn inbound_ttl(environment: &str) -> u64 {
    if environment == "drifted" {
        30_000
    } else {
        60_000
    }
}

impl QueueZoo {
    /// The queue zoo, or `None` (after a loud SKIP) without a broker; under
    /// `CI=true` a missing broker fails the test.
    async fn start(test: &str) -> Option<QueueZoo> {
        let mut broker = broker::broker(test).await?;
        let mut services = Vec::new();
        let mut sections = String::new();
        for environment in ENVIRONMENTS {
            let vhost = broker.vhost(&format!("zoo-{environment}")).await;
            broker.exchange(&vhost, "zoo.orders").await;
            broker.exchange(&vhost, "zoo.events").await;
            broker
                .queue(
                    &vhost,
                    "zoo.orders.in",
                    serde_json::json!({"x-message-ttl": inbound_ttl(environment)}),
                )
                .await;
            broker
                .bind_queue(&vhost, "zoo.orders", "zoo.orders.in", "order.*")
                .await;
            services.push(order_service(&vhost, environment == "drifted").await);
            sections.push_str(&format!(
                "\n[environments.{environment}.services.zooevents]\namqp_url = {:?}\ntimeout_ms = 5000\n",
                broker::Broker::url(&vhost)
            ));
        }
        let zoo = Zoo::start(|config| config + &sections).await;
        Some(QueueZoo {
            zoo,
            _services: services,
            _broker: broker,
        })
    }

    async fn run(&self, candidate: &str) -> RunResult {
        self.zoo
            .run_features(candidate, &["zoo-queue.feature"])
            .await
    }
}

/// The zoo's order service on one vhost: every order message on
/// `zoo.orders.in` is answered on `zoo.events` with an event stamped with the
/// current time and a fresh event id; the `drifted` one sends nothing for a
/// cancellation.
async fn order_service(vhost: &str, drifted: bool) -> tokio::task::JoinHandle<()> {
    use futures::StreamExt as _;
    use lapin::options::{BasicAckOptions, BasicConsumeOptions, BasicPublishOptions};
    use lapin::{BasicProperties, Connection, ConnectionProperties, types::FieldTable};

    let connection =
        Connection::connect(&broker::Broker::url(vhost), ConnectionProperties::default())
            .await
            .expect("the order service connects");
    let channel = connection
        .create_channel()
        .await
        .expect("the order service's channel");
    let mut orders = channel
        .basic_consume(
            "zoo.orders.in".into(),
            "zoo-order-service".into(),
            BasicConsumeOptions::default(),
            FieldTable::default(),
        )
        .await
        .expect("the order service consumes its queue");
    tokio::spawn(async move {
        let _connection = connection;
        while let Some(Ok(delivery)) = orders.next().await {
            let order: serde_json::Value =
                serde_json::from_slice(&delivery.data).unwrap_or_default();
            let answer = match delivery.routing_key.as_str() {
                "order.create" => Some("order.created"),
                "order.cancel" if !drifted => Some("order.cancelled"),
                _ => None,
            };
            if let Some(routing_key) = answer {
                let event = serde_json::json!({
                    "orderNo": order["orderNo"],
                    "eventId": uuid::Uuid::new_v4().to_string(),
                    "at": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                });
                channel
                    .basic_publish(
                        "zoo.events".into(),
                        routing_key.into(),
                        BasicPublishOptions::default(),
                        event.to_string().as_bytes(),
                        BasicProperties::default().with_content_type("application/json".into()),
                    )
                    .await
                    .expect("the order service publishes its event");
            }
            delivery
                .acker
                .ack(BasicAckOptions::default())
                .await
                .expect("the order service acknowledges the order");
        }
    })
}

/// Whether the terminal lists a difference at `path` as suppressed for `reason`.
fn suppressed_at(run: &RunResult, path: &str, reason: &str) -> bool {
    run.stdout.lines().any(|line| {
        line.contains(&format!(" {path}  ")) && line.contains(&format!("[suppressed by {reason}"))
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identical_queue_deployments_do_not_drift_and_name_their_now_stamps() {
    let Some(zoo) = QueueZoo::start("identical_queue_deployments").await else {
        return;
    };
    // Both order services may stamp the same millisecond (nothing to
    // suppress then); every run must be silent, and some run lists the stamp.
    let mut listed = false;
    for _ in 0..ATTEMPTS {
        let run = zoo.run("staging").await;
        run.assert_code(0);
        assert_eq!(drift_rows(&run), [], "{}", run.stdout);
        assert!(
            suppressed_at(&run, "$.eventId", "generated value: uuid"),
            "the event id is not listed as a uuid\n{}",
            run.stdout
        );
        if suppressed_at(&run, "$.at", "generated value: now-stamp") {
            listed = true;
            break;
        }
    }
    assert!(
        listed,
        "the event's time is never listed as a now-stamp in {ATTEMPTS} runs"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_event_and_a_changed_queue_argument_are_found_and_nothing_else() {
    let Some(zoo) = QueueZoo::start("missing_event_and_queue_argument").await else {
        return;
    };
    let run = zoo.run("drifted").await;
    run.assert_code(1);
    assert_eq!(
        drift_rows(&run),
        [
            (
                "A cancellation is answered with an event".to_owned(),
                2,
                "message_missing".to_owned(),
                String::new()
            ),
            (
                "The broker topology is the same".to_owned(),
                0,
                "topology".to_owned(),
                "queue:zoo.orders.in $.arguments['x-message-ttl']".to_owned()
            ),
        ],
        "{}",
        run.stdout
    );
}
