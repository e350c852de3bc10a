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

use std::collections::BTreeMap;

use super::features::{self, FeatureSet};
use super::tenants::{self, TenantEnvironments};
use super::{RunError, RunOptions};
use crate::config::Environment;
use crate::secret::Redactor;
use crate::trace::{EnvironmentRef, Side, Twin};

/// The environments and features a run works on.
#[derive(Debug)]
pub struct Selection {
    /// The environments as configured, before any tenant's overrides.
    pub base: Twin<EnvironmentRef>,
    /// Per tenant (one `None` entry without tenants), baseline and candidate
    /// configuration with the tenant's and then the base-URL overrides applied.
    pub envs: Vec<TenantEnvironments>,
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
    let base = Twin::new(
        config.environment(&opts.baseline, redactor)?,
        config.environment(candidate_name, redactor)?,
    );
    let base_refs = Twin::new(env_ref(&base.baseline), env_ref(&base.candidate));
    let mut envs = tenants::environments(config, base, &opts.tenants, redactor)?;
    for (_, twin) in &mut envs {
        apply_base_url_overrides(twin, &opts.base_url_overrides, recording);
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
        base: base_refs,
        envs,
        paths,
        features,
    })
}

/// An environment as a trace records it: its name and variables.
pub(crate) fn env_ref(env: &Environment) -> EnvironmentRef {
    EnvironmentRef {
        name: env.name.clone(),
        variables: env.variables.clone(),
    }
}

/// Points services at the given base URLs (the demo's mocks); in a recording
/// the baseline's overrides apply to both sides, which are the baseline.
fn apply_base_url_overrides(
    envs: &mut Twin<Environment>,
    overrides: &Twin<BTreeMap<String, String>>,
    recording: bool,
) {
    for side in Side::BOTH {
        let overrides = if recording {
            &overrides.baseline
        } else {
            overrides.get(side)
        };
        for (service, url) in overrides {
            if let Some(svc) = envs.get_mut(side).services.get_mut(service) {
                svc.base_url = url.trim_end_matches('/').to_owned();
            }
        }
    }
}
