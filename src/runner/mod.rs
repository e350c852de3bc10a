//! A twin run, end to end: load features and environments, check that both
//! environments answer, run every scenario through cucumber on the twin
//! world, whose records go to the trace and to the judge side by side, and
//! take the [`DriftReport`] from the judge.

pub mod bounds;
pub mod broker;
pub mod completeness;
mod error;
pub mod features;
pub mod interrupt;
pub mod learning;
pub mod merge;
pub mod modes;
mod outline_steps;
pub mod preflight;
pub mod progress;
pub mod samples;
pub(crate) mod selection;
pub mod shard;
pub(crate) mod tenants;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Once};
use std::time::{Duration, Instant};

use cucumber::gherkin::{Feature, Rule, Scenario};
use cucumber::{event, parser};
use futures::FutureExt as _;

pub use error::RunError;
pub use features::FeatureErrors;
pub use interrupt::Interrupt;
pub use modes::RunMode;
pub use preflight::Unreachable;
pub use progress::ProgressMode;
pub use samples::Sampling;

use crate::config::{Config, Environment};
use crate::judge::{DriftReport, Incomplete, IncompleteCause, Judge, JudgeSink, Standards};
use crate::secret::Redactor;
use crate::template::TemplateEngine;
use crate::trace::{
    EnvironmentRef, Interruption, RecordSink, RecordSinks, RunEnd, RunHeader, RunPlan, ScenarioKey,
    Side, TRACE_FORMAT, TraceRecord, TraceWriter, Twin,
};
use crate::transport::http::ClientError;
use crate::transport::limit::Limiters;
use crate::world::{EnvRuntime, RunContext, ScenarioState, StepFailure, TwinWorld, steps};

/// What `driftgate run` was asked to do.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The loaded configuration.
    pub config: Config,
    /// Name of the baseline environment.
    pub baseline: String,
    /// Name of the candidate environment.
    pub candidate: String,
    /// Feature files or folders; empty means `[run] features` of the config.
    pub paths: Vec<PathBuf>,
    /// Tag expression selecting scenarios.
    pub tags: Option<String>,
    /// Folder for the trace and the reports.
    pub report_dir: PathBuf,
    /// Scenarios at once; `None` means `[run] concurrency`.
    pub concurrency: Option<usize>,
    /// Per side, service base URLs that replace the configured ones (the demo's mocks).
    pub base_url_overrides: Twin<BTreeMap<String, String>>,
    /// Folder that feature paths are shown relative to (the working directory).
    pub display_root: PathBuf,
    /// Repetitions for timing drift (`--samples`, `--warmup`, `--cold`).
    pub sampling: Sampling,
    /// Progress shown while the scenarios run.
    pub progress: ProgressMode,
    /// The slice of the suite to run (`--shard I/N`); `None` runs every scenario.
    pub shard: Option<shard::Shard>,
    /// Tenants to cover (`--tenant`); empty or `all` means every declared tenant.
    pub tenants: Vec<String>,
    /// Signals that stop the run cleanly (none unless the command listens).
    pub interrupt: Interrupt,
}

impl RunOptions {
    /// Options for comparing `baseline` with `candidate`: the config's feature
    /// paths, every scenario, configured concurrency, no sampling, paths shown
    /// relative to the working directory.
    pub fn new(config: Config, baseline: &str, candidate: &str, report_dir: PathBuf) -> RunOptions {
        RunOptions {
            config,
            baseline: baseline.to_owned(),
            candidate: candidate.to_owned(),
            paths: Vec::new(),
            tags: None,
            report_dir,
            concurrency: None,
            base_url_overrides: Twin::default(),
            display_root: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
            sampling: Sampling::default(),
            progress: ProgressMode::Quiet,
            shard: None,
            tenants: Vec::new(),
            interrupt: Interrupt::default(),
        }
    }
}

/// A finished run.
#[derive(Debug)]
pub struct RunOutcome {
    /// The judged result.
    pub report: DriftReport,
    /// The trace file.
    pub trace_path: PathBuf,
    /// Report files written.
    pub report_files: Vec<PathBuf>,
    /// Report files that could not be written, with why.
    pub report_errors: Vec<String>,
    /// The secrets of this run, for anything printed afterwards.
    pub redactor: Redactor,
}

/// Runs the scenarios on both environments and judges the drift.
pub async fn run(opts: RunOptions) -> Result<RunOutcome, RunError> {
    run_in_mode(opts, RunMode::Twin).await
}

/// Runs the scenarios in `mode`: a twin run, a single-environment recording
/// (the baseline environment only), or the same environment on both sides.
pub async fn run_in_mode(opts: RunOptions, mode: RunMode) -> Result<RunOutcome, RunError> {
    install_quiet_step_failures();
    if opts.baseline == opts.candidate && mode == RunMode::Twin {
        return Err(RunError::SameEnvironment(opts.baseline.clone()));
    }
    let recording = matches!(mode, RunMode::Record { .. });
    let started = Instant::now();
    let redactor = Redactor::default();
    let config = &opts.config;
    let selection::Selection {
        base: base_refs,
        envs: tenant_envs,
        paths,
        features: mut feature_set,
    } = selection::select(&opts, &redactor, recording)?;
    let tenant_names: Vec<String> = tenant_envs.iter().filter_map(|(t, _)| t.clone()).collect();
    if feature_set.scenario_count == 0 {
        return Err(RunError::NoScenarios {
            paths: paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            tags: opts.tags.clone(),
        });
    }
    let tenant_count = tenant_names.len().max(1);
    bounds::check_run_size(
        feature_set.scenario_count.saturating_mul(tenant_count),
        &format!(
            "{} scenarios × {tenant_count} tenants",
            feature_set.scenario_count
        ),
    )?;
    tenants::expand(&mut feature_set.features, &tenant_names);
    feature_set.scenario_count *= tenant_count;
    let shard_record = opts.shard.map(|s| shard::select(&mut feature_set, s));
    bounds::check_run_size(
        samples::runs(&feature_set.features, &opts.sampling),
        "scenarios × tenants × repetitions for timing",
    )?;
    let sampled = samples::expand(&mut feature_set.features, &opts.sampling);
    let planned: usize = feature_set
        .features
        .iter()
        .map(cucumber::feature::Ext::count_scenarios)
        .sum();
    let header = RunHeader {
        format: TRACE_FORMAT,
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        started_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        environments: Twin::new(
            base_refs.baseline,
            if recording {
                EnvironmentRef::default()
            } else {
                base_refs.candidate
            },
        ),
        tenants: tenants::header_variables(&tenant_envs, recording),
    };
    let limiters = Limiters::for_environments(
        tenant_envs
            .iter()
            .flat_map(|(_, envs)| [&envs.baseline, &envs.candidate]),
    );
    let runtimes = runtimes(tenant_envs, &limiters, !opts.sampling.cold)?;
    let mut unreachable = Vec::new();
    for (_, envs) in &runtimes {
        for found in preflight::check(envs, Duration::from_secs(5)).await {
            if !unreachable
                .iter()
                .any(|known: &Unreachable| known.to_string() == found.to_string())
            {
                unreachable.push(found);
            }
        }
    }
    if !unreachable.is_empty() {
        return Err(RunError::Unreachable(unreachable));
    }
    let trace_path = mode
        .trace_path()
        .unwrap_or_else(|| opts.report_dir.join("trace.jsonl"));
    let trace = Arc::new(TraceWriter::create(&trace_path, redactor.clone())?);
    let standards = Standards::of(config, modes::today());
    let rule_set = standards.rules.clone();
    let judge = Arc::new(JudgeSink::new(Judge::new(header.clone(), standards)));
    let sinks: Vec<Arc<dyn RecordSink>> = vec![trace, judge.clone()];
    let records = Arc::new(RecordSinks::new(sinks));
    records.append(&TraceRecord::Run(header.clone()))?;
    if let Some(record) = shard_record {
        records.append(&TraceRecord::Shard(record))?;
    }
    records.append(&TraceRecord::Plan(RunPlan { scenarios: planned }))?;
    tracing::info!(
        scenarios = feature_set.scenario_count,
        baseline = %opts.baseline,
        candidate = %opts.candidate,
        "running"
    );
    let contexts = runtimes
        .into_iter()
        .map(|(tenant, envs)| {
            let context = Arc::new(RunContext {
                header: header.clone(),
                envs,
                engine: TemplateEngine::new(),
                records: records.clone(),
                rule_set: rule_set.clone(),
                fixtures: config.resolve_path(&config.run.fixtures),
                default_service: config.default_service(),
                poll_interval: Duration::from_millis(config.run.poll_interval_ms),
                display_root: opts.display_root.clone(),
                redactor: redactor.clone(),
            });
            (tenant, context)
        })
        .collect::<BTreeMap<_, _>>();
    let Some(first) = contexts.values().next().cloned() else {
        return Err(RunError::NoEnvironment);
    };
    let contexts = tenants::TenantContexts::new(first, contexts);
    // Repetitions for timing run one at a time unless asked otherwise, so
    // warm-ups come first and samples do not load each other.
    let default_concurrency = if sampled { 1 } else { config.run.concurrency };
    let concurrency = opts.concurrency.unwrap_or(default_concurrency).max(1);
    let progress =
        progress::ProgressWriter::new(feature_set.scenario_count, opts.progress, judge.clone());
    let absent = recording.then_some(Side::Candidate);
    let stopped = execute(
        feature_set.features,
        Arc::new(feature_set.outline_steps),
        contexts,
        concurrency,
        progress,
        absent,
        &opts.interrupt,
    )
    .await;

    let duration_ms = started.elapsed().as_secs_f64() * 1000.0;
    let end = RunEnd {
        finished_at: crate::trace::timestamp(),
        duration_ms,
        scenarios: planned,
        ran: judge.ended(),
    };
    let incomplete = stopped.map(|stopped| Incomplete {
        ran: end.ran,
        planned: Some(planned),
        cause: IncompleteCause::Signal {
            signal: stopped.signal,
        },
    });
    let last = match stopped {
        None => TraceRecord::End(end),
        Some(stopped) => TraceRecord::Interrupted(Interruption {
            signal: stopped.signal,
            end,
            abandoned: stopped.abandoned,
        }),
    };
    // A failure is kept among the sinks' failures.
    let _ = records.append(&last);
    let trace_errors = records.take_failures();
    let mut report = judge.finish(duration_ms);
    report.limits = limiters.usage();
    report.incomplete = incomplete;
    if recording {
        return Ok(RunOutcome {
            report,
            trace_path,
            report_files: Vec::new(),
            report_errors: trace_errors,
            redactor,
        });
    }
    let (report_files, report_errors) =
        match crate::report::write_all(&report, &opts.report_dir, &redactor) {
            Ok(files) => (files, trace_errors),
            Err(e) => (Vec::new(), [trace_errors, vec![e.to_string()]].concat()),
        };
    Ok(RunOutcome {
        report,
        trace_path,
        report_files,
        report_errors,
        redactor,
    })
}

/// The clients of every tenant's environments, each request behind its
/// environment's limiter.
fn runtimes(
    tenant_envs: Vec<tenants::TenantEnvironments>,
    limiters: &Limiters,
    reuse: bool,
) -> Result<Vec<tenants::TenantRuntime>, ClientError> {
    tenant_envs
        .into_iter()
        .map(|(tenant, envs)| {
            let runtime = |env: Environment| {
                let limiter = limiters.get(&env.name);
                EnvRuntime::with_connections(env, reuse).map(|r| r.limited(limiter))
            };
            Ok((
                tenant,
                Twin::new(runtime(envs.baseline)?, runtime(envs.candidate)?),
            ))
        })
        .collect()
}

/// Runs the features through cucumber on the twin world, until every
/// scenario ran or a signal stopped the run (then: how).
async fn execute(
    features: Vec<Feature>,
    outline_steps: Arc<outline_steps::OutlineSteps>,
    contexts: tenants::TenantContexts,
    concurrency: usize,
    progress: progress::ProgressWriter,
    absent: Option<Side>,
    interrupt: &Interrupt,
) -> Option<interrupt::Stopped> {
    let starting = interrupt.clone();
    let finishing = interrupt.clone();
    let mut runner = cucumber::runner::Basic::default()
        .max_concurrent_scenarios(concurrency)
        .before(move |feature, rule, scenario, world: &mut TwinWorld| {
            if !starting.scenario_may_start() {
                // After a signal a scenario never starts: it waits here
                // until the run stops, and records nothing.
                return futures::future::pending().boxed_local();
            }
            let key = scenario_key(feature, rule, scenario);
            let context = contexts.for_scenario(&key);
            let outline = outline_steps.of_scenario(&key.feature, scenario);
            let state = match absent {
                Some(side) => ScenarioState::recording(key, side),
                None => ScenarioState::new(key),
            }
            .with_outline_steps(outline);
            world.begin(context, state);
            async {}.boxed_local()
        })
        .after(move |_, _, _, finished, world: Option<&mut TwinWorld>| {
            if let Some(world) = world {
                world.finish(failure_message(finished));
            }
            finishing.scenario_finished();
            async {}.boxed_local()
        });
    for (def, regex) in steps::catalogue().iter().zip(steps::patterns()) {
        runner = runner
            .given(regex.clone(), def.run)
            .when(regex.clone(), def.run)
            .then(regex.clone(), def.run);
    }
    let opts = cucumber::cli::Opts::<
        cucumber::cli::Empty,
        cucumber::runner::basic::Cli,
        cucumber::cli::Empty,
    >::default();
    let run = cucumber::Cucumber::<TwinWorld, _, (), _, _, cucumber::cli::Empty>::custom(
        Preparsed(features),
        runner,
        progress,
    )
    .with_cli(opts)
    .run(());
    tokio::select! {
        _ = run => None,
        stopped = interrupt.stopped() => Some(stopped),
    }
}

/// Identity of a scenario as recorded in traces.
fn scenario_key(feature: &Feature, rule: Option<&Rule>, scenario: &Scenario) -> ScenarioKey {
    let mut scenario_tags = scenario.tags.clone();
    let sample = samples::take_marker(&mut scenario_tags);
    let tenant = tenants::take_marker(&mut scenario_tags);
    let tags = feature
        .tags
        .iter()
        .chain(rule.iter().flat_map(|r| &r.tags))
        .chain(&scenario_tags)
        .map(|t| format!("@{}", t.trim_start_matches('@')))
        .collect();
    ScenarioKey {
        feature: feature
            .path
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
        feature_name: feature.name.clone(),
        rule: rule.map(|r| r.name.clone()),
        name: scenario.name.clone(),
        line: scenario.position.line,
        tags,
        sample,
        tenant,
    }
}

/// Why cucumber says a scenario ended badly, if it did.
fn failure_message(finished: &event::ScenarioFinished) -> Option<String> {
    match finished {
        event::ScenarioFinished::StepPassed | event::ScenarioFinished::StepSkipped => None,
        event::ScenarioFinished::BeforeHookFailed(info) => {
            Some(format!("before hook failed: {}", panic_text(info)))
        }
        event::ScenarioFinished::StepFailed(_, _, event::StepError::Panic(info)) => {
            Some(panic_text(info))
        }
        event::ScenarioFinished::StepFailed(_, _, other) => Some(other.to_string()),
    }
}

fn panic_text(info: &event::Info) -> String {
    if let Some(f) = info.downcast_ref::<StepFailure>() {
        f.0.clone()
    } else if let Some(s) = info.downcast_ref::<&str>() {
        format!("internal error: {s}")
    } else if let Some(s) = info.downcast_ref::<String>() {
        format!("internal error: {s}")
    } else {
        "internal error".into()
    }
}

/// Step failures unwind with a [`StepFailure`] payload; keep them off stderr
/// (they are reported in the drift report) while real panics still print.
fn install_quiet_step_failures() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if info.payload().downcast_ref::<StepFailure>().is_none() {
                previous(info);
            }
        }));
    });
}

/// Hands cucumber the features already parsed and checked by [`features::load`].
struct Preparsed(Vec<Feature>);

impl cucumber::Parser<()> for Preparsed {
    type Cli = cucumber::cli::Empty;
    type Output = futures::stream::Iter<std::vec::IntoIter<parser::Result<Feature>>>;

    fn parse(self, _input: (), _cli: Self::Cli) -> Self::Output {
        futures::stream::iter(self.0.into_iter().map(Ok).collect::<Vec<_>>())
    }
}
