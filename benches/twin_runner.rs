//! Whole-run benchmark of the twin runner against local mock environments:
//! what driftgate costs on top of the HTTP it sends, and how much memory a
//! large run takes. See `benches/README.md` for what each number means.
//!
//! ```text
//! $ cargo bench --bench twin_runner                # overhead ratio (default)
//! $ cargo bench --bench twin_runner -- memory      # peak RSS at 10,000 scenarios
//! $ cargo bench --bench twin_runner -- all         # memory, then overhead
//! $ cargo bench --bench twin_runner -- load 4000   # features::load alone (diagnostic)
//!
//! | run                                    |    median | … | vs bare sequential | vs bare, same parallelism |
//! | bare reqwest, sequential               |   96.6 ms | … |              1.00× |                           |
//! | driftgate, concurrency 16              |  117.4 ms | … |        1.22× (met) |                     2.08× |
//!
//! | after the 10000-example outline        |       2344.1 MiB |  2344.1 MiB | 89.08 s |
//! ```
//!
//! Each run checks its own result (every scenario passed, no drift, every
//! bare response as expected), so a broken workload fails instead of timing.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail, ensure};
use driftgate::config::Config;
use driftgate::mock::{self, MockEnvironment};
use driftgate::runner::{self, RunOptions};
use driftgate::template::TemplateEngine;
use driftgate::trace::{ScenarioStatus, Twin};
use futures::{StreamExt as _, TryStreamExt as _};
use serde_json::Value;

/// Examples in the outline of the overhead benchmark.
const RATIO_EXAMPLES: usize = 200;
/// Examples in the outline of the memory benchmark.
const MEMORY_EXAMPLES: usize = 10_000;
/// Default examples of the `load` mode: expansion time grows with the square
/// of the examples, and 4,000 keep the mode well under a minute.
const LOAD_EXAMPLES: usize = 4_000;
/// Measured rounds of the overhead benchmark (each runs every contender once).
const ROUNDS: usize = 5;
/// The runner's default `[run] concurrency`.
const DEFAULT_CONCURRENCY: usize = 16;
/// Goal for driftgate's time over the bare loop's.
const RATIO_GOAL: f64 = 1.5;
/// Goal for the peak RSS of the process running 10,000 scenarios.
const MEMORY_GOAL_MIB: f64 = 150.0;
/// The two environments, baseline first, with the plant each sends.
const ENVIRONMENTS: [Environment; 2] = [
    Environment {
        name: "production",
        plant: "P100",
    },
    Environment {
        name: "staging",
        plant: "S100",
    },
];

/// The bench's own ERP mock: the demo's `mocks/erp.yaml` carries deliberate
/// drift and larger bodies, and may change with the demo; this one answers
/// the same in both environments, so every run must end without drift.
const ERP_MOCK: &str = r#"service: erp
routes:
  - name: create order
    method: POST
    path: /api/orders
    response:
      status: 201
      headers: { content-type: application/json }
      body: '{"id": "{{ uuid() }}", "orderNo": {{ request.json.orderNo | tojson }}, "status": "CREATED"}'
  - name: order by id
    method: GET
    path_regex: ^/api/orders/[^/]+$
    response:
      status: 200
      headers: { content-type: application/json }
      body: '{"id": {{ request.segments[2] | tojson }}, "status": "CREATED", "currency": "EUR"}'
"#;

/// Steps of the overhead outline: POST a templated order, capture its id, read it back.
const ROUND_TRIP_STEPS: &str = r#"  Scenario Outline: order <orderNo> is created and read back
    When I send a POST request to "/api/orders"
      """
      {"orderNo": "<orderNo>", "plant": "{{ env.plant }}", "sku": "<sku>", "quantity": <quantity>}
      """
    Then the response status should be 201
    And I capture the response field "$.id" as "orderId"
    When I send a GET request to "/api/orders/{{ orderId }}"
    Then the response status should be 200
    And the response field "$.id" should be "{{ orderId }}"
    And the response field "$.status" should be "CREATED"
"#;

/// Steps of the memory outline: one GET and its assertions.
const LOOKUP_STEPS: &str = r#"  Scenario Outline: order <orderNo> is read
    When I send a GET request to "/api/orders/<orderNo>"
    Then the response status should be 200
    And the response field "$.id" should be "<orderNo>"
    And the response field "$.status" should be "CREATED"
"#;

/// One environment of the benchmark.
#[derive(Debug, Clone, Copy)]
struct Environment {
    name: &'static str,
    plant: &'static str,
}

/// One row of an outline's `Examples:` table.
#[derive(Debug)]
struct Example {
    order_no: String,
    sku: String,
    quantity: usize,
}

impl Example {
    fn nth(i: usize) -> Example {
        Example {
            order_no: format!("PO-{}", 100_000 + i),
            sku: format!("SKU-{:04}", i % 500),
            quantity: 1 + i % 50,
        }
    }

    /// An outline's steps with this example's values, as a plain Scenario.
    fn fill(&self, outline: &str) -> String {
        outline
            .replace("Scenario Outline:", "Scenario:")
            .replace("<orderNo>", &self.order_no)
            .replace("<sku>", &self.sku)
            .replace("<quantity>", &self.quantity.to_string())
    }

    /// The POST body as driftgate renders it from the outline for `plant`.
    fn body(&self, plant: &str) -> String {
        format!(
            r#"{{"orderNo": "{}", "plant": "{plant}", "sku": "{}", "quantity": {}}}"#,
            self.order_no, self.sku, self.quantity
        )
    }
}

/// What the command line asked for.
#[derive(Debug, PartialEq)]
enum Mode {
    /// The overhead benchmark (the default).
    Ratio,
    /// The memory benchmark with this many examples.
    Memory(usize),
    /// Loading the memory benchmark's features alone, with this many examples.
    Load(usize),
    /// The memory benchmark, then the overhead benchmark.
    All,
    /// Internal: serve both mock environments from a folder until stdin closes.
    ServeMocks(PathBuf),
}

fn main() -> std::process::ExitCode {
    match parse_mode(std::env::args().skip(1)).and_then(run_mode) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Reads the mode; flags (`--bench`, which cargo adds) are ignored.
fn parse_mode(args: impl Iterator<Item = String>) -> anyhow::Result<Mode> {
    let words: Vec<String> = args.filter(|a| !a.starts_with("--")).collect();
    match words
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [] | ["ratio"] => Ok(Mode::Ratio),
        ["memory"] => Ok(Mode::Memory(MEMORY_EXAMPLES)),
        ["memory", n] => Ok(Mode::Memory(example_count(n)?)),
        ["load"] => Ok(Mode::Load(LOAD_EXAMPLES)),
        ["load", n] => Ok(Mode::Load(example_count(n)?)),
        ["all"] => Ok(Mode::All),
        ["serve-mocks", dir] => Ok(Mode::ServeMocks(PathBuf::from(dir))),
        other => bail!(
            "unknown arguments {other:?}; \
             use one of: ratio (default), memory [EXAMPLES], load [EXAMPLES], all"
        ),
    }
}

fn example_count(text: &str) -> anyhow::Result<usize> {
    text.parse()
        .with_context(|| format!("`{text}` is not a number of examples"))
}

fn run_mode(mode: Mode) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new().context("cannot start the tokio runtime")?;
    driftgate::transport::http::install_crypto_provider();
    match mode {
        Mode::Ratio => runtime.block_on(overhead_benchmark()),
        Mode::Memory(examples) => memory_benchmark(&runtime, examples),
        Mode::Load(examples) => load_benchmark(examples),
        Mode::All => {
            // Memory first: the peak RSS of a process never goes down, so the
            // in-process mocks of the overhead benchmark must not come before it.
            memory_benchmark(&runtime, MEMORY_EXAMPLES)?;
            println!();
            runtime.block_on(overhead_benchmark())
        }
        Mode::ServeMocks(dir) => runtime.block_on(serve_mocks(&dir)),
    }
}

/// A generated benchmark workspace: mocks, config and feature in a temp dir.
struct Workload {
    dir: tempfile::TempDir,
    config: Config,
    feature: PathBuf,
    examples: usize,
}

impl Workload {
    /// Writes the feature (`examples` of the outline `steps`, in `shape`) and
    /// a config whose environments point at `base_urls` (baseline, candidate).
    fn create(
        dir: tempfile::TempDir,
        steps: &str,
        shape: Shape,
        examples: usize,
        base_urls: &Twin<String>,
    ) -> anyhow::Result<Workload> {
        let feature = dir.path().join("bench.feature");
        std::fs::write(&feature, feature_text(steps, shape, examples))
            .with_context(|| format!("cannot write {}", feature.display()))?;
        let config_path = dir.path().join("driftgate.toml");
        let text = config_text(base_urls);
        std::fs::write(&config_path, &text)
            .with_context(|| format!("cannot write {}", config_path.display()))?;
        let config = Config::parse(&text, &config_path)?;
        Ok(Workload {
            dir,
            config,
            feature,
            examples,
        })
    }

    /// One whole driftgate run (parse, preflight, run, judge, write reports),
    /// timed; fails unless every scenario passed without drift.
    async fn run_driftgate(&self, concurrency: usize) -> anyhow::Result<Duration> {
        let reports = tempfile::tempdir_in(self.dir.path())?;
        let opts = RunOptions {
            config: self.config.clone(),
            baseline: ENVIRONMENTS[0].name.into(),
            candidate: ENVIRONMENTS[1].name.into(),
            paths: vec![self.feature.clone()],
            tags: None,
            report_dir: reports.path().to_owned(),
            concurrency: Some(concurrency),
            base_url_overrides: Twin::default(),
            display_root: self.dir.path().to_owned(),
            progress: driftgate::runner::ProgressMode::Quiet,
        };
        let start = Instant::now();
        let outcome = runner::run(opts).await?;
        let elapsed = start.elapsed();
        let report = &outcome.report;
        ensure!(
            report.scenarios.len() == self.examples,
            "driftgate ran {} scenarios, expected {}",
            report.scenarios.len(),
            self.examples
        );
        if let Some(failed) = report
            .scenarios
            .iter()
            .find(|s| s.status == ScenarioStatus::Failed)
        {
            bail!(
                "scenario `{}` failed: {:?}",
                failed.scenario.name,
                failed.message
            );
        }
        ensure!(
            report.drifts.is_empty() && outcome.report_errors.is_empty(),
            "driftgate found {} drifts and {} report errors in identical mocks; first: {:?}",
            report.drifts.len(),
            outcome.report_errors.len(),
            report.drifts.first()
        );
        Ok(elapsed)
    }
}

/// How a workload's scenarios are written.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Shape {
    /// One Scenario Outline with one Examples row per scenario (what QA writes).
    Outline,
    /// The same scenarios written out one by one, as plain Scenarios.
    PlainScenarios,
}

fn feature_text(steps: &str, shape: Shape, examples: usize) -> String {
    let mut text = String::from("Feature: Twin runner benchmark\n\n");
    match shape {
        Shape::Outline => {
            text.push_str(steps);
            text.push_str("\n    Examples:\n      | orderNo | sku | quantity |\n");
            for example in (0..examples).map(Example::nth) {
                text.push_str(&format!(
                    "      | {} | {} | {} |\n",
                    example.order_no, example.sku, example.quantity
                ));
            }
        }
        Shape::PlainScenarios => {
            for example in (0..examples).map(Example::nth) {
                text.push_str(&example.fill(steps));
                text.push('\n');
            }
        }
    }
    text
}

fn config_text(base_urls: &Twin<String>) -> String {
    let mut text = String::from("[run]\ndefault_service = \"erp\"\n");
    for (env, url) in ENVIRONMENTS
        .iter()
        .zip([&base_urls.baseline, &base_urls.candidate])
    {
        text.push_str(&format!(
            "\n[environments.{name}]\nvariables = {{ plant = \"{plant}\" }}\n\
             [environments.{name}.services.erp]\nbase_url = \"{url}\"\n",
            name = env.name,
            plant = env.plant,
        ));
    }
    text
}

/// Writes the bench's mock folder into `dir`.
fn write_mock_dir(dir: &Path) -> anyhow::Result<PathBuf> {
    let mocks = dir.join("mocks");
    std::fs::create_dir_all(&mocks)?;
    std::fs::write(mocks.join("erp.yaml"), ERP_MOCK)?;
    Ok(mocks)
}

/// Starts both mock environments in this process.
async fn start_mocks(mock_dir: &Path) -> anyhow::Result<Twin<MockEnvironment>> {
    let specs = mock::load_dir(mock_dir)?;
    let engine = Arc::new(TemplateEngine::new());
    Ok(Twin::new(
        MockEnvironment::start(&specs, ENVIRONMENTS[0].name, engine.clone()).await?,
        MockEnvironment::start(&specs, ENVIRONMENTS[1].name, engine).await?,
    ))
}

fn erp_url(env: &MockEnvironment) -> anyhow::Result<String> {
    env.url("erp")
        .context("the bench mocks define no `erp` service")
}

// ---------------------------------------------------------------- overhead

/// One way of sending the outline's requests.
#[derive(Debug, Clone, Copy)]
enum Contender {
    /// Hand-written reqwest loop; `lockstep` sends both environments at once.
    Bare { lockstep: bool, concurrency: usize },
    /// A whole driftgate run.
    Driftgate { concurrency: usize },
}

impl Contender {
    /// Every contender, the reference (bare, sequential) first.
    const ALL: [Contender; 5] = [
        Contender::Bare {
            lockstep: false,
            concurrency: 1,
        },
        Contender::Bare {
            lockstep: true,
            concurrency: 1,
        },
        Contender::Bare {
            lockstep: true,
            concurrency: DEFAULT_CONCURRENCY,
        },
        Contender::Driftgate { concurrency: 1 },
        Contender::Driftgate {
            concurrency: DEFAULT_CONCURRENCY,
        },
    ];

    fn label(self) -> String {
        match self {
            Contender::Bare {
                lockstep: false, ..
            } => "bare reqwest, sequential".into(),
            Contender::Bare { concurrency, .. } => {
                format!("bare reqwest, lockstep, concurrency {concurrency}")
            }
            Contender::Driftgate { concurrency } => format!("driftgate, concurrency {concurrency}"),
        }
    }

    /// The bare contender doing the same work with the same parallelism.
    fn matched_bare(self) -> Option<usize> {
        let Contender::Driftgate { concurrency } = self else {
            return None;
        };
        Contender::ALL.iter().position(|c| {
            matches!(c, Contender::Bare { lockstep: true, concurrency: n } if *n == concurrency)
        })
    }

    async fn time(
        self,
        workload: &Workload,
        targets: &Twin<Target<'_>>,
    ) -> anyhow::Result<Duration> {
        match self {
            Contender::Bare {
                lockstep,
                concurrency,
            } => bare_round_trips(targets, RATIO_EXAMPLES, lockstep, concurrency).await,
            Contender::Driftgate { concurrency } => workload.run_driftgate(concurrency).await,
        }
    }
}

/// Where a bare loop sends an environment's requests, and the plant it sends.
#[derive(Debug, Clone, Copy)]
struct Target<'a> {
    base_url: &'a str,
    plant: &'a str,
}

/// Every contender once per round, interleaved; one warm-up round, then [`ROUNDS`].
async fn overhead_benchmark() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mocks = start_mocks(&write_mock_dir(dir.path())?).await?;
    let urls = Twin::new(erp_url(&mocks.baseline)?, erp_url(&mocks.candidate)?);
    let workload = Workload::create(dir, ROUND_TRIP_STEPS, Shape::Outline, RATIO_EXAMPLES, &urls)?;
    let targets = Twin::new(
        Target {
            base_url: &urls.baseline,
            plant: ENVIRONMENTS[0].plant,
        },
        Target {
            base_url: &urls.candidate,
            plant: ENVIRONMENTS[1].plant,
        },
    );
    println!(
        "overhead: {RATIO_EXAMPLES} examples × (POST + GET) × 2 environments = {} requests, \
         median of {ROUNDS} interleaved rounds (after one warm-up round)",
        RATIO_EXAMPLES * 4
    );
    let mut samples: Vec<Vec<Duration>> = vec![Vec::new(); Contender::ALL.len()];
    for round in 0..=ROUNDS {
        for (series, contender) in samples.iter_mut().zip(Contender::ALL) {
            let time = contender.time(&workload, &targets).await?;
            if round > 0 {
                series.push(time);
            }
        }
    }
    print_overhead_table(&samples);
    Ok(())
}

fn print_overhead_table(samples: &[Vec<Duration>]) {
    let medians: Vec<Duration> = samples.iter().map(|s| median(s)).collect();
    let ratio =
        |i: usize, reference: usize| medians[i].as_secs_f64() / medians[reference].as_secs_f64();
    println!(
        "| run                                    |    median |       min |       max \
         | vs bare sequential | vs bare, same parallelism |"
    );
    println!(
        "|----------------------------------------|-----------|-----------|-----------\
         |--------------------|---------------------------|"
    );
    for (i, contender) in Contender::ALL.iter().enumerate() {
        let versus_reference = match contender {
            Contender::Driftgate { .. } => {
                let verdict = if ratio(i, 0) <= RATIO_GOAL {
                    "met"
                } else {
                    "MISSED"
                };
                format!("{:.2}× ({verdict})", ratio(i, 0))
            }
            Contender::Bare { .. } => format!("{:.2}×", ratio(i, 0)),
        };
        let versus_matched = contender
            .matched_bare()
            .map(|m| format!("{:.2}×", ratio(i, m)))
            .unwrap_or_default();
        println!(
            "| {:<38} | {} | {} | {} | {versus_reference:>18} | {versus_matched:>25} |",
            contender.label(),
            ms(medians[i]),
            ms(min(&samples[i])),
            ms(max(&samples[i])),
        );
    }
    println!("goal: driftgate ≤ {RATIO_GOAL}× bare sequential");
}

/// What a hand-written client does for the same outline: per example and per
/// environment, POST the order, check 201, read the id, GET it back, check
/// 200 and two fields. One connection-reusing client; `lockstep` sends both
/// environments at once; `concurrency` examples run at a time.
async fn bare_round_trips(
    targets: &Twin<Target<'_>>,
    examples: usize,
    lockstep: bool,
    concurrency: usize,
) -> anyhow::Result<Duration> {
    let start = Instant::now();
    let client = reqwest::Client::builder().build()?;
    let client = &client;
    futures::stream::iter((0..examples).map(Example::nth))
        .map(|example| async move {
            if lockstep {
                let (b, c) = futures::join!(
                    round_trip(client, &targets.baseline, &example),
                    round_trip(client, &targets.candidate, &example)
                );
                b.and(c)
            } else {
                round_trip(client, &targets.baseline, &example).await?;
                round_trip(client, &targets.candidate, &example).await
            }
        })
        .buffer_unordered(concurrency)
        .try_collect::<()>()
        .await?;
    Ok(start.elapsed())
}

/// POST an order, read its id, GET it back and check it, on one environment.
async fn round_trip(
    client: &reqwest::Client,
    target: &Target<'_>,
    example: &Example,
) -> anyhow::Result<()> {
    let base_url = target.base_url;
    let created = client
        .post(format!("{base_url}/api/orders"))
        .header("content-type", "application/json")
        .body(example.body(target.plant))
        .send()
        .await?;
    ensure!(
        created.status() == 201,
        "POST answered {}",
        created.status()
    );
    let created: Value = serde_json::from_slice(&created.bytes().await?)?;
    let id = created["id"].as_str().context("POST answered no id")?;
    let fetched = client
        .get(format!("{base_url}/api/orders/{id}"))
        .send()
        .await?;
    ensure!(fetched.status() == 200, "GET answered {}", fetched.status());
    let fetched: Value = serde_json::from_slice(&fetched.bytes().await?)?;
    ensure!(
        fetched["id"] == id && fetched["status"] == "CREATED",
        "GET answered {fetched}"
    );
    Ok(())
}

fn median(series: &[Duration]) -> Duration {
    let mut sorted = series.to_vec();
    sorted.sort();
    sorted.get(sorted.len() / 2).copied().unwrap_or_default()
}

fn min(series: &[Duration]) -> Duration {
    series.iter().min().copied().unwrap_or_default()
}

fn max(series: &[Duration]) -> Duration {
    series.iter().max().copied().unwrap_or_default()
}

fn ms(d: Duration) -> String {
    format!("{:>6.1} ms", d.as_secs_f64() * 1000.0)
}

// ------------------------------------------------------------------ memory

/// Runs a 10,000-example outline against mocks served by a child process and
/// reports this process's peak RSS before and after. First, as a control,
/// the same scenarios written as plain Scenarios; the peak is reset between.
fn memory_benchmark(runtime: &tokio::runtime::Runtime, examples: usize) -> anyhow::Result<()> {
    let mock_dir = tempfile::tempdir()?;
    let mut mocks = MockChild::spawn(&write_mock_dir(mock_dir.path())?)?;
    let [plain, outline] = [Shape::PlainScenarios, Shape::Outline].map(|shape| {
        Workload::create(
            tempfile::tempdir()?,
            LOOKUP_STEPS,
            shape,
            examples,
            &mocks.urls,
        )
    });
    let (plain, outline) = (plain?, outline?);
    println!(
        "memory: {examples} examples × GET × 2 environments = {} requests, \
         concurrency {DEFAULT_CONCURRENCY}, mocks in child process {}",
        examples * 2,
        mocks.child.id()
    );
    let before = MemoryStatus::read()?;
    let plain_time = runtime.block_on(plain.run_driftgate(DEFAULT_CONCURRENCY))?;
    let after_plain = MemoryStatus::read()?;
    let reset = reset_peak();
    let before_outline = MemoryStatus::read()?;
    let outline_time = runtime.block_on(outline.run_driftgate(DEFAULT_CONCURRENCY))?;
    let after = MemoryStatus::read()?;
    mocks.stop()?;
    println!(
        "| when                                   | peak RSS (VmHWM) | RSS (VmRSS) |    time |"
    );
    println!(
        "|----------------------------------------|------------------|-------------|---------|"
    );
    print_memory_row("before any run", &before, None);
    print_memory_row(
        &format!("after {examples} plain Scenarios (control)"),
        &after_plain,
        Some(plain_time),
    );
    if reset {
        print_memory_row("peak reset (clear_refs)", &before_outline, None);
    }
    print_memory_row(
        &format!("after the {examples}-example outline"),
        &after,
        Some(outline_time),
    );
    if !reset {
        println!("(/proc/self/clear_refs refused: the outline's peak includes the control's)");
    }
    let verdict = if after.peak_mib <= MEMORY_GOAL_MIB {
        "met"
    } else {
        "MISSED"
    };
    println!(
        "peak RSS of the outline run {:.1} MiB, goal ≤ {MEMORY_GOAL_MIB} MiB: {verdict}",
        after.peak_mib
    );
    Ok(())
}

/// Resets this process's peak RSS (`VmHWM`) to its current RSS; false when
/// the kernel refuses.
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn print_memory_row(label: &str, status: &MemoryStatus, elapsed: Option<Duration>) {
    let time = elapsed
        .map(|d| format!("{:.2} s", d.as_secs_f64()))
        .unwrap_or_default();
    println!(
        "| {label:<38} | {:>12.1} MiB | {:>7.1} MiB | {time:>7} |",
        status.peak_mib, status.current_mib
    );
}

/// Loads (parses, expands, checks) the memory benchmark's features as a
/// run does, without running them: its time and peak RSS, and how much of
/// what stays loaded is spare capacity of the expanded `Examples` tables.
fn load_benchmark(examples: usize) -> anyhow::Result<()> {
    let unused = Twin::new(
        "http://127.0.0.1:1".to_owned(),
        "http://127.0.0.1:1".to_owned(),
    );
    let workload = Workload::create(
        tempfile::tempdir()?,
        LOOKUP_STEPS,
        Shape::Outline,
        examples,
        &unused,
    )?;
    println!("load: features::load of the memory benchmark's outline, {examples} examples");
    let before = MemoryStatus::read()?;
    let start = Instant::now();
    let loaded = runner::features::load(
        std::slice::from_ref(&workload.feature),
        None,
        workload.dir.path(),
    )?;
    let elapsed = start.elapsed();
    let after = MemoryStatus::read()?;
    println!(
        "| when                                   | peak RSS (VmHWM) | RSS (VmRSS) |    time |"
    );
    println!(
        "|----------------------------------------|------------------|-------------|---------|"
    );
    print_memory_row("before features::load", &before, None);
    print_memory_row("after, features held", &after, Some(elapsed));
    let (rows, capacity) = example_table_rows(&loaded.features);
    println!(
        "{} scenarios; their Examples tables hold {rows} rows and have capacity \
         for {capacity} rows ({:.1} MiB of row slots)",
        loaded.scenario_count,
        (capacity * std::mem::size_of::<Vec<String>>()) as f64 / MIB
    );
    drop(loaded);
    let (parse, expand) = parse_then_expand(&workload.feature)?;
    println!(
        "of which (timed again, separately): gherkin parse {:.2} s, cucumber expand_examples {:.2} s",
        parse.as_secs_f64(),
        expand.as_secs_f64()
    );
    Ok(())
}

/// Times the two cucumber calls `features::load` starts with: parsing the
/// file, and expanding its outlines into one scenario per example.
fn parse_then_expand(feature: &Path) -> anyhow::Result<(Duration, Duration)> {
    use cucumber::feature::Ext as _;
    let start = Instant::now();
    let parsed = cucumber::gherkin::Feature::parse_path(feature, Default::default())?;
    let parse = start.elapsed();
    let start = Instant::now();
    let expanded = parsed.expand_examples()?;
    let expand = start.elapsed();
    drop(expanded);
    Ok((parse, expand))
}

/// Rows in use and rows allocated in the `Examples` tables of every scenario.
fn example_table_rows(features: &[cucumber::gherkin::Feature]) -> (usize, usize) {
    features
        .iter()
        .flat_map(|f| {
            f.scenarios
                .iter()
                .chain(f.rules.iter().flat_map(|r| &r.scenarios))
        })
        .flat_map(|s| &s.examples)
        .filter_map(|e| e.table.as_ref())
        .fold((0, 0), |(len, cap), t| {
            (len + t.rows.len(), cap + t.rows.capacity())
        })
}

const MIB: f64 = 1024.0 * 1024.0;

/// `VmHWM` and `VmRSS` of this process, from `/proc/self/status`.
struct MemoryStatus {
    peak_mib: f64,
    current_mib: f64,
}

impl MemoryStatus {
    fn read() -> anyhow::Result<MemoryStatus> {
        let text = std::fs::read_to_string("/proc/self/status")
            .context("cannot read /proc/self/status (the memory benchmark needs Linux)")?;
        Ok(MemoryStatus {
            peak_mib: status_kib(&text, "VmHWM")? * 1024.0 / MIB,
            current_mib: status_kib(&text, "VmRSS")? * 1024.0 / MIB,
        })
    }
}

/// The value of a `Name:   1234 kB` line.
fn status_kib(text: &str, name: &str) -> anyhow::Result<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(':'))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .with_context(|| format!("/proc/self/status has no `{name}` line"))
}

/// This bench binary, re-run as `serve-mocks DIR`, serving both environments.
struct MockChild {
    child: Child,
    /// Closing it tells the child to stop.
    stdin: Option<ChildStdin>,
    urls: Twin<String>,
}

impl MockChild {
    fn spawn(mock_dir: &Path) -> anyhow::Result<MockChild> {
        let exe = std::env::current_exe().context("cannot find this benchmark's executable")?;
        let mut child = Command::new(exe)
            .arg("serve-mocks")
            .arg(mock_dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .context("cannot start the mock server process")?;
        let stdin = child.stdin.take();
        let mut lines = BufReader::new(child.stdout.take().context("child has no stdout")?).lines();
        let mut next_url = || -> anyhow::Result<String> {
            lines
                .next()
                .context("the mock server process ended before printing its URLs")?
                .context("cannot read from the mock server process")
        };
        let urls = Twin::new(next_url()?, next_url()?);
        Ok(MockChild { child, stdin, urls })
    }

    fn stop(&mut self) -> anyhow::Result<()> {
        self.stdin.take();
        let status = self.child.wait()?;
        ensure!(
            status.success(),
            "the mock server process ended with {status}"
        );
        Ok(())
    }
}

impl Drop for MockChild {
    fn drop(&mut self) {
        if self.stdin.is_some() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The child side: prints the baseline's and the candidate's ERP URL, one a
/// line, and serves until its stdin closes (the parent ended or is done).
async fn serve_mocks(mock_dir: &Path) -> anyhow::Result<()> {
    let mocks = start_mocks(mock_dir).await?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", erp_url(&mocks.baseline)?)?;
    writeln!(out, "{}", erp_url(&mocks.candidate)?)?;
    out.flush()?;
    drop(out);
    tokio::task::spawn_blocking(|| {
        let mut sink = Vec::new();
        std::io::stdin().read_to_end(&mut sink)
    })
    .await??;
    drop(mocks);
    Ok(())
}
