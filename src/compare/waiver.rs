//! Matching a waiver ([`WaiverSpec`], written in `driftgate.toml` or a
//! waivers file) against a drift: a waiver matches when every matcher it has
//! matches, wildcards allowed.

use super::Drift;
use crate::config::waiver::WaiverSpec;
use crate::pattern::wildcard::wildcard_match;

impl WaiverSpec {
    /// Whether every matcher of the waiver matches `drift`.
    pub fn matches(&self, drift: &Drift) -> bool {
        let field = |pattern: &Option<String>, value: Option<&str>| {
            pattern
                .as_deref()
                .is_none_or(|p| value.is_some_and(|v| wildcard_match(p, v)))
        };
        field(&self.feature, Some(&drift.scenario.feature))
            && field(&self.scenario, Some(&drift.scenario.name))
            && field(&self.step, Some(&drift.step.text))
            && field(&self.service, drift.service.as_deref())
            && field(&self.path, drift.path.as_deref())
            && field(&self.class, Some(drift.class.as_str()))
    }
}
