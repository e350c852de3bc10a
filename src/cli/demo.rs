//! `driftgate demo`: the sample suites against built-in mock production and
//! staging environments (and their ERP databases and broker when those can
//! start), judged and reported like a real run.
//!
//! ```text
//! driftgate demo: mock production and staging ERP, WMS and EDI gateway from ./mocks, suites from ./features
//!
//! pysqlbridge (the SQL Server test server behind the demo's ERP databases) is not installed:
//! installing pysqlbridge 2.1.3 into /home/qa/driftgate/.venv-tds (once; `--no-setup` skips this) …
//! ERP databases: pysqlbridge serving ./mocks/db
//! skipped: scenarios tagged @requires-amqp: no message broker: connection refused
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use driftgate::config::Config;
use driftgate::mock::{self, MockEnvironment};
use driftgate::report::terminal::TerminalOptions;
use driftgate::runner::{self, ProgressMode, RunOptions, broker};
use driftgate::template::TemplateEngine;
use driftgate::trace::{Side, Twin};

use super::output;
use super::run::SamplingArgs;

/// `driftgate demo`.
#[derive(Debug, clap::Args)]
pub(crate) struct DemoArgs {
    /// Folder for the trace and reports.
    #[arg(short, long, default_value = "driftgate-reports/demo")]
    reports: PathBuf,
    /// Do not install the demo databases' TDS server (pysqlbridge) when it
    /// is missing; the database scenarios are then skipped.
    #[arg(long)]
    no_setup: bool,
    #[command(flatten)]
    sampling: SamplingArgs,
}

/// Tag of demo scenarios that need a message broker; skipped, with the reason, when none answers.
const REQUIRES_AMQP: &str = "@requires-amqp";

/// Runs the demo suites against the mocks; returns the exit code.
pub(crate) async fn demo(args: DemoArgs, color: bool) -> anyhow::Result<u8> {
    let root = demo_root();
    let config = match Config::load(&root.join("mocks/demo.toml")) {
        Ok(config) => config,
        Err(e) => return Ok(output::usage_error(&e)),
    };
    let specs = mock::load_dir(&root.join("mocks"))?;
    let engine = Arc::new(TemplateEngine::new());
    let (baseline, candidate) = ("production", "staging");
    let mocks = Twin::new(
        MockEnvironment::start(&specs, baseline, engine.clone()).await?,
        MockEnvironment::start(&specs, candidate, engine).await?,
    );
    let mut overrides = Twin::<BTreeMap<String, String>>::default();
    for side in Side::BOTH {
        for (service, url) in mocks.get(side).services() {
            overrides.get_mut(side).insert(service.to_owned(), url);
        }
    }
    println!(
        "driftgate demo: mock production and staging ERP, WMS and EDI gateway from {}, suites from {}\n",
        root.join("mocks").display(),
        root.join("features").display()
    );
    let mut config = config;
    let (_databases, database_filter) =
        demo_databases(&root, &mut config, [baseline, candidate], !args.no_setup);
    let broker_filter = match broker::brokers_reachable(&config, &[baseline, candidate]).await {
        Ok(()) => None,
        Err(reason) => {
            println!("skipped: scenarios tagged {REQUIRES_AMQP}: no message broker: {reason}");
            for env in config.environments.values_mut() {
                env.services.retain(|_, svc| svc.amqp_url.is_none());
            }
            Some(format!("not {REQUIRES_AMQP}"))
        }
    };
    println!();
    let filters: Vec<String> = [database_filter, broker_filter]
        .into_iter()
        .flatten()
        .collect();
    let tags = (!filters.is_empty()).then(|| filters.join(" and "));
    let opts = RunOptions {
        config,
        baseline: baseline.into(),
        candidate: candidate.into(),
        paths: Vec::new(),
        tags,
        report_dir: args.reports,
        concurrency: None,
        base_url_overrides: overrides,
        display_root: std::fs::canonicalize(&root).unwrap_or(root),
        sampling: args.sampling.sampling(),
        progress: ProgressMode::Auto,
        shard: None,
        tenants: Vec::new(),
        interrupt: Default::default(),
    };
    let view = TerminalOptions {
        color,
        show_suppressed: false,
    };
    Ok(output::run_outcome(
        runner::run(opts).await,
        view,
        &Default::default(),
    ))
}

/// The folder holding the demo's mocks and features: the working directory
/// when it has them, otherwise the source tree this binary was built from.
fn demo_root() -> PathBuf {
    let cwd = PathBuf::from(".");
    if cwd.join("mocks/demo.toml").is_file() {
        cwd
    } else {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
    }
}

/// Starts the demo's ERP databases (installing their server first when
/// `setup` allows) and points the `erpdb` services at them; when they cannot
/// start, the `@database` scenarios are left out (the tag filter returned)
/// and the reason, with what to run, is printed.
fn demo_databases(
    root: &Path,
    config: &mut Config,
    environments: [&str; 2],
    setup: bool,
) -> (Vec<mock::DemoDatabase>, Option<String>) {
    let skipped = |reason: &dyn std::fmt::Display| {
        println!("ERP database scenarios (@database) skipped: {reason}");
        (Vec::new(), Some("not @database".to_owned()))
    };
    let executable =
        match mock::tds_setup::ensure_pysqlbridge(root, setup, |line| println!("{line}")) {
            Ok(executable) => executable,
            Err(e) => return skipped(&e),
        };
    let mut started = Vec::new();
    for env in environments {
        match mock::DemoDatabase::start(&executable, &root.join("mocks/db").join(env)) {
            Ok(db) => {
                if let Some(service) = config
                    .environments
                    .get_mut(env)
                    .and_then(|e| e.services.get_mut("erpdb"))
                {
                    service.connection =
                        Some(driftgate::config::SecretSource::Text(db.connection()));
                }
                started.push(db);
            }
            Err(reason) => return skipped(&reason),
        }
    }
    println!(
        "ERP databases: pysqlbridge serving {}",
        root.join("mocks/db").display()
    );
    (started, None)
}
