//! The drift engine end to end, through the `driftgate` binary, against
//! in-process wiremock environments:
//!
//! - an A/A pair (production and staging that differ only in noise: fresh
//!   uuids, timestamps, rotated arrays, request ids, server names) gives zero
//!   drift once `learn-noise` and the rules are applied;
//! - a candidate with one real change per drift class gives exactly those
//!   drifts, each at its step and path;
//! - a recorded baseline trace compared with the live candidate, `compare`
//!   of two recordings, and `report` of the twin trace all give the same
//!   drift list as the live twin run;
//! - waivers, their expiry and the severity policy decide the exit code.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use assert_cmd::Command;
use serde_json::{Value, json};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// What distinguishes one mock environment from another.
#[derive(Debug, Clone, Copy)]
struct Flavor {
    /// Value of the `server` header (differs per environment: a rule ignores it).
    server: &'static str,
    /// Who checked the stock (differs per environment: a Gherkin rule ignores it).
    checked_by: &'static str,
    /// Whether this environment carries one real change per drift class.
    changed: bool,
}

const PRODUCTION: Flavor = Flavor {
    server: "prod-node-7",
    checked_by: "prod-bot",
    changed: false,
};
const STAGING: Flavor = Flavor {
    server: "stg-node-2",
    checked_by: "stg-bot",
    changed: false,
};
const CHANGED: Flavor = Flavor {
    server: "stg-node-3",
    checked_by: "stg-bot",
    changed: true,
};

/// Answers every endpoint with fresh noise: a new uuid per line, a later
/// timestamp, the lines rotated by one, a new request id, on every call.
struct Erp {
    flavor: Flavor,
    calls: AtomicUsize,
}

impl Erp {
    fn noise(&self) -> (usize, String) {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        let at = format!(
            "2026-11-26T10:{:02}:{:02}.{:03}Z",
            (n / 60) % 60,
            n % 60,
            n % 1000
        );
        (n, at)
    }

    /// An order; `read_back` carries the changes of a changed environment
    /// (creating an order answers the same everywhere).
    fn order(&self, id: &str, read_back: bool) -> (Value, String) {
        let (n, at) = self.noise();
        let mut lines: Vec<Value> = ["A-1", "B-2", "C-3"]
            .iter()
            .enumerate()
            .map(|(i, sku)| json!({"sku": sku, "qty": i + 1, "lineId": uuid::Uuid::new_v4().to_string()}))
            .collect();
        lines.rotate_left(n % 3);
        let mut order = json!({
            "id": id,
            "state": "NEW",
            "createdAt": at,
            "total": 100.5,
            "currency": "EUR",
            "customer": {"name": "ACME", "vip": false},
            "lines": lines,
            "tags": ["b2b", "eu", "priority"],
        });
        if self.flavor.changed && read_back {
            order["state"] = json!("OPEN");
            order["createdAt"] = json!("26.11.2026 10:00");
            order["total"] = json!("100.5");
            order["currency"] = json!("USD");
            order["customer"] = json!({"name": "ACME"});
            if let Some(lines) = order["lines"].as_array_mut() {
                lines.retain(|l| l["sku"] != "C-3");
            }
            order["tags"] = json!(["priority", "b2b", "eu"]);
            order["eta"] = json!("2026-12-01");
        }
        (order, uuid::Uuid::new_v4().to_string())
    }

    fn stock(&self) -> (u16, Value, String) {
        let (_, at) = self.noise();
        let mut stock = json!({"sku": "A-1", "onHand": 40, "updatedAt": at,
                               "warehouse": "WH-1", "checkedBy": self.flavor.checked_by});
        let mut status = 200;
        if self.flavor.changed {
            status = 206;
            if let Some(o) = stock.as_object_mut() {
                o.remove("warehouse");
            }
        }
        (status, stock, uuid::Uuid::new_v4().to_string())
    }

    fn template(&self, status: u16, body: Value, request_id: String) -> ResponseTemplate {
        let mut template = ResponseTemplate::new(status)
            .insert_header("server", self.flavor.server)
            .insert_header("x-request-id", request_id.as_str())
            .set_body_json(body);
        if self.flavor.changed && status == 200 {
            template = template.insert_header("cache-control", "no-store");
        }
        template
    }
}

impl Respond for Erp {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let route = (request.method.as_str(), request.url.path());
        match route {
            ("POST", "/api/orders") => {
                let id = uuid::Uuid::new_v4().to_string();
                let (order, request_id) = self.order(&id, false);
                self.template(201, order, request_id)
            }
            ("GET", "/api/stock") => {
                let (status, stock, request_id) = self.stock();
                self.template(status, stock, request_id)
            }
            ("GET", p) => {
                let id = p.rsplit('/').next().unwrap_or_default().to_owned();
                let (order, request_id) = self.order(&id, true);
                self.template(200, order, request_id)
            }
            _ => ResponseTemplate::new(404),
        }
    }
}

async fn start(flavor: Flavor) -> MockServer {
    let server = MockServer::builder()
        .disable_request_recording()
        .start()
        .await;
    for m in [
        Mock::given(method("POST")).and(path("/api/orders")),
        Mock::given(method("GET")).and(path("/api/stock")),
        Mock::given(method("GET")).and(path_regex("^/api/orders/[^/]+$")),
    ] {
        m.respond_with(Erp {
            flavor,
            calls: AtomicUsize::new(0),
        })
        .mount(&server)
        .await;
    }
    server
}

const FEATURE: &str = r#"Feature: Orders

  Scenario: Create and read an order
    When I send a POST request to "/api/orders"
    Then the response status should be 201
    And I capture the response field "$.id" as "orderId"
    When I send a GET request to "/api/orders/{{ orderId }}"
    Then the response field "$.state" should be "NEW"

  Scenario: Check stock
    When I send a GET request to "/api/stock"
    Then the responses should match across environments ignoring "$.checkedBy"
    And I capture the response field "$.warehouse" as "warehouse"
"#;

/// A project folder: config, feature, and the three environments.
struct Project {
    dir: tempfile::TempDir,
    _servers: Vec<MockServer>,
}

impl Project {
    async fn new() -> Project {
        let servers = vec![
            start(PRODUCTION).await,
            start(STAGING).await,
            start(CHANGED).await,
        ];
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("features")).unwrap();
        std::fs::write(dir.path().join("features/orders.feature"), FEATURE).unwrap();
        let env = |name: &str, server: &MockServer| {
            format!(
                "[environments.{name}.services.erp]\nbase_url = \"{}\"\n",
                server.uri()
            )
        };
        let config = format!(
            "[run]\nfeatures = [\"features\"]\nconcurrency = 1\ndefault_service = \"erp\"\n\n\
             [compare]\nheaders = [\"*\"]\nignore_headers = [\"date\", \"server\", \"content-length\"]\n\n{}{}{}",
            env("production", &servers[0]),
            env("staging", &servers[1]),
            env("changed", &servers[2]),
        );
        std::fs::write(dir.path().join("driftgate.toml"), config).unwrap();
        Project {
            dir,
            _servers: servers,
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs `driftgate ARGS` in the project folder; returns exit code and stdout.
    async fn driftgate(&self, args: &[&str]) -> (i32, String) {
        let dir = self.dir.path().to_owned();
        let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
        tokio::task::spawn_blocking(move || {
            let out = Command::cargo_bin("driftgate")
                .unwrap()
                .current_dir(&dir)
                .env_remove("DRIFTGATE_CONFIG")
                .args(["--color", "never"])
                .args(&args)
                .output()
                .unwrap();
            let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
            let stderr = String::from_utf8_lossy(&out.stderr);
            eprintln!("$ driftgate {}\n{stdout}{stderr}", args.join(" "));
            (out.status.code().unwrap_or(-1), stdout)
        })
        .await
        .unwrap()
    }
}

/// (scenario, step index, class, path) of every drift in a drift.json.
type DriftRow = (String, u64, String, String);

fn drift_rows(report: &Path) -> Vec<DriftRow> {
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(report).unwrap()).unwrap();
    let mut rows = Vec::new();
    for scenario in doc["scenarios"].as_array().unwrap() {
        for drift in scenario["drifts"].as_array().unwrap() {
            rows.push((
                scenario["name"].as_str().unwrap().to_owned(),
                drift["step"]["index"].as_u64().unwrap(),
                drift["class"].as_str().unwrap().to_owned(),
                drift["path"].as_str().unwrap_or_default().to_owned(),
            ));
        }
    }
    rows.sort();
    rows
}

fn expected_changes() -> Vec<DriftRow> {
    let order = "Create and read an order";
    let stock = "Check stock";
    let mut rows: Vec<DriftRow> = [
        (order, 3, "header", "header:cache-control"),
        (order, 3, "value_change", "$.state"),
        (order, 3, "format_change", "$.createdAt"),
        (order, 3, "type_change", "$.total"),
        (order, 3, "value_change", "$.currency"),
        (order, 3, "missing_field", "$.customer.vip"),
        (order, 3, "array_length", "$.lines"),
        (order, 3, "order", "$.tags"),
        (order, 3, "extra_field", "$.eta"),
        (order, 4, "assertion_one_side", "$.state"),
        (stock, 0, "status", ""),
        (stock, 0, "missing_field", "$.warehouse"),
        (stock, 2, "error_one_side", ""),
    ]
    .iter()
    .map(|(s, i, c, p)| ((*s).to_owned(), *i, (*c).to_owned(), (*p).to_owned()))
    .collect();
    rows.sort();
    rows
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn noise_is_learned_and_only_real_changes_drift_in_every_mode() {
    let project = Project::new().await;

    // Out of the box, generated values (uuids, keyed lists in another
    // order) are recognised: the A/A pair does not drift.
    let (code, out) = project
        .driftgate(&[
            "run",
            "--baseline",
            "production",
            "--candidate",
            "staging",
            "-r",
            "recognised",
        ])
        .await;
    assert_eq!(code, 0, "{out}");
    assert_eq!(drift_rows(&project.path("recognised/drift.json")), []);

    // In strict mode and without learned noise, it drifts on ids and order.
    let config = std::fs::read_to_string(project.path("driftgate.toml")).unwrap();
    std::fs::write(
        project.path("strict.toml"),
        config.replace("[compare]\n", "[compare]\ngenerated_values = \"strict\"\n"),
    )
    .unwrap();
    let (code, _) = project
        .driftgate(&[
            "run",
            "--config",
            "strict.toml",
            "--baseline",
            "production",
            "--candidate",
            "staging",
            "-r",
            "raw",
        ])
        .await;
    assert_eq!(code, 1, "noise alone must drift in strict mode");
    assert!(!drift_rows(&project.path("raw/drift.json")).is_empty());

    // learn-noise: staging twice; the reviewable file names paths and examples.
    let (code, _) = project
        .driftgate(&["learn-noise", "--env", "staging", "-o", "noise.json"])
        .await;
    assert_eq!(code, 0);
    let noise: Value =
        serde_json::from_str(&std::fs::read_to_string(project.path("noise.json")).unwrap())
            .unwrap();
    let learned: Vec<(&str, &str)> = noise["noise"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["path"].as_str().unwrap(), e["kind"].as_str().unwrap()))
        .collect();
    for wanted in [
        ("$.createdAt", "value"),
        ("$.lines", "order"),
        ("$.lines[*].lineId", "value"),
        ("$.updatedAt", "value"),
        ("header:x-request-id", "value"),
    ] {
        assert!(learned.contains(&wanted), "{wanted:?} not in {learned:?}");
    }
    assert!(
        !learned
            .iter()
            .any(|(p, _)| *p == "$.tags" || *p == "$.state"),
        "{learned:?}"
    );
    assert!(
        noise["noise"][0]["examples"]
            .as_array()
            .is_some_and(|e| !e.is_empty())
    );

    // A/A with noise and rules: zero drift.
    let (code, out) = project
        .driftgate(&[
            "run",
            "--baseline",
            "production",
            "--candidate",
            "staging",
            "--noise",
            "noise.json",
            "-r",
            "aa",
        ])
        .await;
    assert_eq!(drift_rows(&project.path("aa/drift.json")), []);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("suppressed by rules:"), "{out}");

    // One real change per class: exactly those drifts, at their step and path.
    let (code, _) = project
        .driftgate(&[
            "run",
            "--baseline",
            "production",
            "--candidate",
            "changed",
            "--noise",
            "noise.json",
            "-r",
            "live",
        ])
        .await;
    assert_eq!(code, 1);
    let live = drift_rows(&project.path("live/drift.json"));
    assert_eq!(live, expected_changes());

    // Baseline trace recorded once, live candidate against it: same drift.
    let (code, out) = project
        .driftgate(&[
            "record",
            "--env",
            "production",
            "-o",
            "production.trace.jsonl",
        ])
        .await;
    assert_eq!(code, 0, "{out}");
    let (code, _) = project
        .driftgate(&[
            "run",
            "--candidate",
            "changed",
            "--baseline-trace",
            "production.trace.jsonl",
            "--noise",
            "noise.json",
            "-r",
            "against-trace",
        ])
        .await;
    assert_eq!(code, 1);
    assert_eq!(drift_rows(&project.path("against-trace/drift.json")), live);

    // Two stored recordings compared, and the twin trace re-reported: same drift.
    let (code, _) = project
        .driftgate(&[
            "compare",
            "production.trace.jsonl",
            "against-trace/candidate.trace.jsonl",
            "--config",
            "driftgate.toml",
            "--noise",
            "noise.json",
            "-r",
            "compared",
        ])
        .await;
    assert_eq!(code, 1);
    assert_eq!(drift_rows(&project.path("compared/drift.json")), live);
    let (code, _) = project
        .driftgate(&[
            "report",
            "live/trace.jsonl",
            "--config",
            "driftgate.toml",
            "--noise",
            "noise.json",
            "-r",
            "rebuilt",
        ])
        .await;
    assert_eq!(code, 1);
    assert_eq!(drift_rows(&project.path("rebuilt/drift.json")), live);

    waivers_and_policy_decide_the_gate(&project).await;
}

/// Waivers (active, expired, unused) and severities, judged from the stored
/// twin trace with an injected day.
async fn waivers_and_policy_decide_the_gate(project: &Project) {
    std::fs::write(
        project.path("waivers.toml"),
        r#"
[[waivers]]
id = "USD"
path = "$.currency"
reason = "staging bills in USD"
owner = "erp-team"
expires = 2026-12-31

[[waivers]]
id = "UNUSED"
path = "$.nothing"
reason = "r"
owner = "o"
expires = 2026-12-31
"#,
    )
    .unwrap();
    let report = |today: &'static str, dir: &'static str| {
        [
            "report",
            "live/trace.jsonl",
            "--config",
            "driftgate.toml",
            "--noise",
            "noise.json",
            "--waivers",
            "waivers.toml",
            "--today",
            today,
            "-r",
            dir,
            "--show-suppressed",
        ]
    };
    let (_, out) = project.driftgate(&report("2026-11-26", "waived")).await;
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(project.path("waived/drift.json")).unwrap())
            .unwrap();
    let currency = doc["scenarios"][0]["drifts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["path"] == "$.currency")
        .unwrap();
    assert_eq!(currency["waived_by"], "USD");
    assert_eq!(doc["summary"]["waived"], 1);
    assert!(out.contains("[waived by USD]"), "{out}");
    assert!(out.contains("waiver UNUSED unused"), "{out}");
    assert!(out.contains("suppressed by Gherkin rule at line"), "{out}");

    let (_, out) = project.driftgate(&report("2027-01-01", "expired")).await;
    assert!(out.contains("waiver USD EXPIRED on 2026-12-31"), "{out}");
    assert!(out.contains("[waiver USD expired]"), "{out}");

    // A policy that makes every class informational lets the gate pass.
    let classes = [
        "status",
        "missing_field",
        "extra_field",
        "type_change",
        "value_change",
        "array_length",
        "header",
        "assertion_one_side",
        "error_one_side",
        "order",
        "format_change",
    ];
    let severity: Vec<String> = classes.iter().map(|c| format!("{c} = \"info\"")).collect();
    let config = std::fs::read_to_string(project.path("driftgate.toml")).unwrap();
    std::fs::write(
        project.path("lenient.toml"),
        format!(
            "{config}\n[policy]\nfail_on = [\"error\", \"warning\"]\nseverity = {{ {} }}\n",
            severity.join(", ")
        ),
    )
    .unwrap();
    let (code, out) = project
        .driftgate(&[
            "report",
            "live/trace.jsonl",
            "--config",
            "lenient.toml",
            "--noise",
            "noise.json",
            "-r",
            "lenient",
        ])
        .await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("0 failing"), "{out}");
}
