//! The drift-engine part of configuration loading: validates
//! `[[compare.rules]]` and `[[waivers]]`, and loads the files they point to
//! (`[compare] noise`, `[policy] waivers_file`), naming the failing key.
//!
//! ```text
//! invalid config driftgate.toml: `compare.rules[1].tolerance[0]`: give `absolute` and/or `relative`, each a number ≥ 0
//! invalid config driftgate.toml: `compare.noise`: noise file noise.json: No such file or directory (os error 2)
//! ```

use super::{Config, ConfigError};
use crate::compare::noise::NoiseFile;
use crate::compare::waiver::WaiversFile;

/// Validates the rules and waivers and loads the noise and waivers files.
pub(super) fn complete(config: &mut Config) -> Result<(), ConfigError> {
    let invalid = |key: String, message: String| ConfigError::Invalid {
        path: config.path.clone(),
        key,
        message,
    };
    for (i, rule) in config.compare.rules.iter().enumerate() {
        rule.validate()
            .map_err(|e| invalid(format!("compare.rules[{i}].{}", e.key), e.message))?;
    }
    for (i, waiver) in config.waivers.iter().enumerate() {
        waiver
            .validate()
            .map_err(|(key, message)| invalid(format!("waivers[{i}].{key}"), message))?;
    }
    if let Some(noise) = &config.compare.noise {
        let file = NoiseFile::load(&config.resolve_path(noise))
            .map_err(|e| invalid("compare.noise".into(), e.to_string()))?;
        config.compare.learned.extend(file.noise);
    }
    if let Some(waivers) = &config.policy.waivers_file {
        let file = WaiversFile::load(&config.resolve_path(waivers))
            .map_err(|e| invalid("policy.waivers_file".into(), e.to_string()))?;
        config.waivers.extend(file.waivers);
    }
    Ok(())
}
