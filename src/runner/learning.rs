//! `driftgate learn-noise`: records every scenario N times against each
//! environment, a pause between runs, and decides from the recordings what
//! is noise ([`crate::compare::noise::runs`]).
//!
//! ```text
//! driftgate learn-noise --baseline production --candidate staging --runs 3 --spacing 1s -o noise.json
//!   reports/learn-noise/production-run-1.trace.jsonl … production-run-3.trace.jsonl
//!   reports/learn-noise/staging-run-1.trace.jsonl    … staging-run-3.trace.jsonl
//! ```
//!
//! Every run is a fresh run: `{{ uuid() }}`, `{{ random_int() }}` and
//! `{{ now() }}` render anew, so the writes of one run never collide with
//! another's, and the pause lets server timestamps move on.

use std::path::PathBuf;
use std::time::Duration;

use super::modes::{read_run, record};
use super::{RunError, RunOptions};
use crate::compare::noise::runs::{Learning, LearningRun, decide};
use crate::config::noise::{NOISE_FORMAT, NoiseFile};

/// How many runs `learn-noise` makes, and how far apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LearnPlan {
    /// Runs per environment (at least 2).
    pub runs: usize,
    /// Pause between two runs.
    pub spacing: Duration,
}

impl Default for LearnPlan {
    fn default() -> Self {
        LearnPlan {
            runs: 3,
            spacing: Duration::from_secs(1),
        }
    }
}

/// What `learn-noise` learned, and from which recordings.
#[derive(Debug)]
pub struct LearnOutcome {
    /// The noise file, not yet written.
    pub noise: NoiseFile,
    /// The decision behind it, with the scenarios that could not be learned.
    pub learning: Learning,
    /// The recordings, in the order they ran.
    pub traces: Vec<PathBuf>,
}

/// Records `plan.runs` runs of `opts.baseline` and then of `opts.candidate`
/// (once when they are the same environment) into `opts.report_dir`, and
/// learns from them.
pub async fn learn_noise(mut opts: RunOptions, plan: LearnPlan) -> Result<LearnOutcome, RunError> {
    if plan.runs < 2 {
        return Err(RunError::TooFewLearningRuns(plan.runs));
    }
    opts.config.compare.learned.clear();
    let mut environments = vec![(
        opts.baseline.clone(),
        opts.base_url_overrides.baseline.clone(),
    )];
    if opts.candidate != opts.baseline {
        environments.push((
            opts.candidate.clone(),
            opts.base_url_overrides.candidate.clone(),
        ));
    }
    let mut runs = Vec::new();
    let mut traces = Vec::new();
    for (environment, overrides) in &environments {
        for run in 1..=plan.runs {
            if !traces.is_empty() {
                tokio::time::sleep(plan.spacing).await;
            }
            let mut one = opts.clone();
            one.baseline = environment.clone();
            one.base_url_overrides.baseline = overrides.clone();
            let path = opts
                .report_dir
                .join(format!("{environment}-run-{run}.trace.jsonl"));
            record(one, path.clone()).await?;
            runs.push(LearningRun {
                environment: environment.clone(),
                run,
                trace: read_run(&path)?,
            });
            traces.push(path);
        }
    }
    let learning = decide(&runs);
    let noise = NoiseFile {
        format: NOISE_FORMAT,
        environments: environments.into_iter().map(|(name, _)| name).collect(),
        learned_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        runs: Some(plan.runs),
        noise: learning.noise.clone(),
        environment_specific: learning.environment_specific.clone(),
    };
    Ok(LearnOutcome {
        noise,
        learning,
        traces,
    })
}
