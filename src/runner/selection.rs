//! What a run (or its dry run) works on: both environments' configurations,
//! with the `--base-url` overrides applied, and the selected features.
//!
//! ```text
//! driftgate run --baseline production --candidate staging --base-url candidate:erp=http://127.0.0.1:8080
//!   → envs: production, staging (erp → http://127.0.0.1:8080)
//!   → paths: [run] features of driftgate.toml, or the paths given
//!   → features: the scenarios --tags selects
//! ```

use std::path::PathBuf;

use super::features::{self, FeatureSet};
use super::{RunError, RunOptions};
use crate::config::{Environment, Redactor};
use crate::trace::{Side, Twin};

/// The environments and features a run works on.
#[derive(Debug)]
pub struct Selection {
    /// Baseline and candidate configuration, overrides applied.
    pub envs: Twin<Environment>,
    /// The feature files or folders read.
    pub paths: Vec<PathBuf>,
    /// The parsed, filtered features.
    pub features: FeatureSet,
}

/// Resolves both environments, applies the base-URL overrides and loads the
/// features. When `recording`, the baseline stands on both sides (with the
/// baseline's overrides), as a recording run talks to the baseline only.
pub fn select(
    opts: &RunOptions,
    redactor: &Redactor,
    recording: bool,
) -> Result<Selection, RunError> {
    let config = &opts.config;
    let candidate_name = if recording {
        &opts.baseline
    } else {
        &opts.candidate
    };
    let mut envs = Twin::new(
        config.environment(&opts.baseline, redactor)?,
        config.environment(candidate_name, redactor)?,
    );
    for side in Side::BOTH {
        let overrides = if recording {
            &opts.base_url_overrides.baseline
        } else {
            opts.base_url_overrides.get(side)
        };
        for (service, url) in overrides {
            if let Some(svc) = envs.get_mut(side).services.get_mut(service) {
                svc.base_url = url.trim_end_matches('/').to_owned();
            }
        }
    }
    let paths = if opts.paths.is_empty() {
        config
            .run
            .features
            .iter()
            .map(|p| config.resolve_path(p))
            .collect()
    } else {
        opts.paths.clone()
    };
    let features = features::load(&paths, opts.tags.as_deref(), &opts.display_root)?;
    Ok(Selection {
        envs,
        paths,
        features,
    })
}
