//! End to end: per-environment load caps. 64 scenarios run at once against
//! two hand-written HTTP servers that count the requests in flight and
//! record when each arrived (wiremock answers before its delay, so it cannot
//! count in-flight requests). Production's caps are never exceeded; the
//! uncapped staging side, and production without caps, exceed them — so
//! the checks can fail. `@serial` scenarios run one at a time while the
//! rest overlap: the same servers count requests that overlap a serial one.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::{Project, TwinConfig};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What one server saw.
#[derive(Debug, Default)]
struct Seen {
    in_flight: usize,
    peak: usize,
    arrivals: Vec<Instant>,
    /// Requests to `/serial/…` in flight.
    serial_in_flight: usize,
    /// Requests to `/serial/…` received.
    serial_requests: usize,
    /// Arrivals that overlapped a `/serial/…` request (either way round).
    serial_overlaps: usize,
}

/// An HTTP/1.1 server answering every request after `delay`, keeping
/// connections alive, counting requests in flight.
struct CountingServer {
    url: String,
    seen: Arc<Mutex<Seen>>,
}

impl CountingServer {
    async fn start(delay: Duration) -> CountingServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Seen::default()));
        let shared = seen.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, shared.clone(), delay));
            }
        });
        CountingServer { url, seen }
    }

    fn peak(&self) -> usize {
        self.seen.lock().unwrap().peak
    }

    fn serial(&self) -> (usize, usize) {
        let seen = self.seen.lock().unwrap();
        (seen.serial_requests, seen.serial_overlaps)
    }

    fn arrivals(&self) -> Vec<Instant> {
        let mut arrivals = self.seen.lock().unwrap().arrivals.clone();
        arrivals.sort();
        arrivals
    }
}

/// Serves the requests of one connection (GETs without a body) until it closes.
async fn serve(mut stream: TcpStream, seen: Arc<Mutex<Seen>>, delay: Duration) {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        while !buffer.windows(4).any(|w| w == b"\r\n\r\n") {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        }
        let end = buffer.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
        let serial = buffer.starts_with(b"GET /serial/");
        buffer.drain(..end);
        {
            let mut seen = seen.lock().unwrap();
            if seen.serial_in_flight > 0 || (serial && seen.in_flight > 0) {
                seen.serial_overlaps += 1;
            }
            if serial {
                seen.serial_in_flight += 1;
                seen.serial_requests += 1;
            }
            seen.in_flight += 1;
            seen.peak = seen.peak.max(seen.in_flight);
            seen.arrivals.push(Instant::now());
        }
        tokio::time::sleep(delay).await;
        let body = r#"{"ok":true}"#;
        let response = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        let written = stream.write_all(response.as_bytes()).await;
        {
            let mut seen = seen.lock().unwrap();
            seen.in_flight -= 1;
            seen.serial_in_flight -= usize::from(serial);
        }
        if written.is_err() {
            return;
        }
    }
}

/// `scenarios` scenarios of two GET requests each.
fn feature(scenarios: usize) -> String {
    let mut text = String::from("Feature: Load\n\n  Scenario Outline: Read order <n>\n");
    text.push_str("    When I send a GET request to \"/api/orders/<n>\"\n");
    text.push_str("    Then the response status should be 200\n");
    text.push_str("    When I send a GET request to \"/api/orders/<n>/lines\"\n");
    text.push_str("    Then the response status should be 200\n\n    Examples:\n      | n |\n");
    for n in 0..scenarios {
        text.push_str(&format!("      | {n} |\n"));
    }
    text
}

/// A project over the two servers; `limits` is the body of production's `[limits]`.
fn load_project(production: &CountingServer, staging: &CountingServer, limits: &str) -> Project {
    let mut config = TwinConfig::with_urls(&production.url, &staging.url).render();
    if !limits.is_empty() {
        config.push_str(&format!("\n[environments.production.limits]\n{limits}\n"));
    }
    let project = Project::new(&config);
    project.feature("load.feature", &feature(64));
    project
}

fn production_usage(report: &Value) -> &Value {
    let limits = report["limits"].as_array().expect("limits in drift.json");
    assert_eq!(limits.len(), 1, "only production is capped: {limits:?}");
    assert_eq!(limits[0]["environment"], "production");
    &limits[0]
}

/// Production's HTTP timings from the trace, in milliseconds, sorted.
fn production_timings(trace: &str) -> Vec<f64> {
    let mut timings: Vec<f64> = trace
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|record| record["kind"] == "step")
        .flat_map(|record| {
            record["baseline"]["observations"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .filter_map(|o| o["timing"]["total_ms"].as_f64())
        .collect();
    timings.sort_by(f64::total_cmp);
    timings
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrency_cap_holds_at_64_scenarios_and_waiting_is_reported_not_timed() {
    let delay = Duration::from_millis(40);
    let (production, staging) = (
        CountingServer::start(delay).await,
        CountingServer::start(delay).await,
    );
    let project = load_project(&production, &staging, "max_concurrent_requests = 4");

    let run = project.run().args(&["--concurrency", "64"]).execute().await;

    run.assert_code(0);
    assert_eq!(run.scenarios().len(), 64);
    assert!(
        production.peak() <= 4,
        "production peak {}",
        production.peak()
    );
    assert_eq!(production.peak(), 4, "the cap is reached, not undershot");
    assert!(
        staging.peak() > 4,
        "uncapped staging peak {}",
        staging.peak()
    );
    let usage = production_usage(run.report());
    assert_eq!(usage["max_concurrent_requests"], 4);
    assert_eq!(usage["requests"], 128);
    assert!(usage["waited"].as_u64().unwrap() > 64, "{usage}");
    assert!(usage["wait_ms"].as_f64().unwrap() > 1000.0, "{usage}");
    assert!(
        run.stdout.contains("load caps: production slowed"),
        "{}",
        run.stdout
    );
    let summary = run.report_file("summary.md");
    assert!(
        summary.contains("load caps: production slowed"),
        "{summary}"
    );
    // 128 requests of 40 ms through 4 slots wait ~600 ms on average; the
    // timings hold the server's 40 ms, not the wait.
    let timings = production_timings(&run.report_file("trace.jsonl"));
    assert_eq!(timings.len(), 128);
    let median = timings[timings.len() / 2];
    assert!(median < 200.0, "median production timing {median} ms");

    let (production, staging) = (
        CountingServer::start(delay).await,
        CountingServer::start(delay).await,
    );
    let uncapped = load_project(&production, &staging, "");
    let run = uncapped
        .run()
        .args(&["--concurrency", "64"])
        .execute()
        .await;
    run.assert_code(0);
    assert!(
        production.peak() > 4,
        "without caps: peak {}",
        production.peak()
    );
    assert!(run.report().get("limits").is_none(), "{:#}", run.report());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rate_cap_spaces_requests_evenly() {
    let delay = Duration::from_millis(5);
    let (production, staging) = (
        CountingServer::start(delay).await,
        CountingServer::start(delay).await,
    );
    let project = load_project(&production, &staging, "requests_per_second = 40");
    project.feature("load.feature", &feature(16));

    let run = project.run().args(&["--concurrency", "64"]).execute().await;

    run.assert_code(0);
    // At 40/s one request every 25 ms: any 10 consecutive arrivals span at
    // least 9 gaps (less a little network jitter).
    let span = |arrivals: &[Instant], i: usize| arrivals[i + 9] - arrivals[i];
    let capped = production.arrivals();
    assert_eq!(capped.len(), 32);
    for i in 0..capped.len() - 9 {
        assert!(
            span(&capped, i) >= Duration::from_millis(9 * 25 - 20),
            "arrivals {i}..{} within {:?}",
            i + 9,
            span(&capped, i)
        );
    }
    let free = staging.arrivals();
    assert!(
        span(&free, 0) < Duration::from_millis(9 * 25 - 20),
        "uncapped staging spreads its first ten requests over {:?}",
        span(&free, 0)
    );
    let usage = production_usage(run.report());
    assert_eq!(usage["requests_per_second"], 40);
    assert_eq!(usage["requests"], 32);
}

/// Scenarios that create data and count lists, tagged `tag` (on the outline,
/// or on the feature), beside untagged scenarios that may overlap.
fn serial_features(project: &Project, tag: &str) {
    let mut text = String::from("Feature: Orders\n\n");
    for (tags, prefix, count) in [(tag, "serial", 6), ("", "free", 16)] {
        text.push_str(&format!("  {tags}\n  Scenario Outline: {prefix} <n>\n"));
        text.push_str(&format!(
            "    When I send a GET request to \"/{prefix}/<n>\"\n"
        ));
        text.push_str(&format!(
            "    When I send a GET request to \"/{prefix}/<n>/lines\"\n"
        ));
        text.push_str("\n    Examples:\n      | n |\n");
        for n in 0..count {
            text.push_str(&format!("      | {n} |\n"));
        }
    }
    project.feature("mixed.feature", &text);
    let mut text = format!("{tag}\nFeature: Counted lists\n\n  Scenario Outline: list <n>\n");
    text.push_str("    When I send a GET request to \"/serial/list/<n>\"\n");
    text.push_str("\n    Examples:\n      | n |\n      | 1 |\n      | 2 |\n      | 3 |\n");
    project.feature("lists.feature", &text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn serial_scenarios_run_one_at_a_time_while_the_rest_overlap() {
    let delay = Duration::from_millis(30);
    let (production, staging) = (
        CountingServer::start(delay).await,
        CountingServer::start(delay).await,
    );
    let project = load_project(&production, &staging, "");
    std::fs::remove_file(project.root().join("features/load.feature")).unwrap();
    serial_features(&project, "@serial");

    let run = project.run().execute().await;

    run.assert_code(0);
    assert_eq!(run.scenarios().len(), 6 + 16 + 3);
    for server in [&production, &staging] {
        assert_eq!(server.serial(), (6 * 2 + 3, 0), "serial requests, overlaps");
        assert!(
            server.peak() > 1,
            "untagged scenarios overlap: peak {}",
            server.peak()
        );
    }

    // Without the tag the same scenarios overlap, so the count above can fail.
    let (production, staging) = (
        CountingServer::start(delay).await,
        CountingServer::start(delay).await,
    );
    let project = load_project(&production, &staging, "");
    std::fs::remove_file(project.root().join("features/load.feature")).unwrap();
    serial_features(&project, "");
    project.run().execute().await.assert_code(0);
    assert!(production.serial().1 > 0, "{:?}", production.serial());
}
