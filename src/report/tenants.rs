//! Drift grouped by tenant, for reports of a run over tenants.
//!
//! ```text
//! tenant acme: 2 scenarios, 2 passed, 0 drifted, 0 failed, 0 drifts
//! tenant globex: 2 scenarios, 1 passed, 1 drifted, 0 failed, 1 drift
//! ```

use std::collections::BTreeMap;

use serde::Serialize;

use crate::judge::{DriftReport, ScenarioOutcome};

/// One tenant's counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TenantSummary {
    /// Scenarios run for the tenant.
    pub scenarios: usize,
    /// Of which passed without drift.
    pub passed: usize,
    /// Of which passed with drift.
    pub drifted: usize,
    /// Of which failed.
    pub failed: usize,
    /// Drifts found in the tenant's scenarios.
    pub drifts: usize,
}

/// Counts per tenant, by tenant name; empty for a run without tenants.
pub fn by_tenant(report: &DriftReport) -> BTreeMap<&str, TenantSummary> {
    let mut out: BTreeMap<&str, TenantSummary> = BTreeMap::new();
    for result in &report.scenarios {
        let Some(tenant) = result.scenario.tenant.as_deref() else {
            continue;
        };
        let summary = out.entry(tenant).or_default();
        summary.scenarios += 1;
        summary.drifts += result.drift_count;
        match result.outcome() {
            ScenarioOutcome::Passed => summary.passed += 1,
            ScenarioOutcome::Drifted => summary.drifted += 1,
            ScenarioOutcome::Failed => summary.failed += 1,
        }
    }
    out
}

/// One summary line per tenant.
pub fn tenant_lines(report: &DriftReport) -> Vec<String> {
    by_tenant(report)
        .into_iter()
        .map(|(tenant, s)| {
            let noun = if s.drifts == 1 { "drift" } else { "drifts" };
            format!(
                "tenant {tenant}: {} scenarios, {} passed, {} drifted, {} failed, {} {noun}",
                s.scenarios, s.passed, s.drifted, s.failed, s.drifts
            )
        })
        .collect()
}

/// A Markdown table of the tenants' counts (for `summary.md`); empty without tenants.
pub fn markdown_table(report: &DriftReport) -> String {
    let tenants = by_tenant(report);
    if tenants.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "\n| Tenant | Scenarios | Passed | Drifted | Failed | Drifts |\n|---|---:|---:|---:|---:|---:|\n",
    );
    for (tenant, s) in tenants {
        out.push_str(&format!(
            "| `{tenant}` | {} | {} | {} | {} | {} |\n",
            s.scenarios, s.passed, s.drifted, s.failed, s.drifts
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_kept_per_tenant() {
        let mut report = super::super::fixture::report();
        assert!(tenant_lines(&report).is_empty(), "no tenants, no lines");
        assert!(markdown_table(&report).is_empty());
        for (i, result) in report.scenarios.iter_mut().enumerate() {
            result.scenario.tenant = Some(if i == 0 { "acme" } else { "globex" }.to_owned());
        }
        let counts = by_tenant(&report);
        assert_eq!(counts.len(), 2);
        assert_eq!(counts["acme"].scenarios, 1);
        assert_eq!(
            counts["globex"].scenarios,
            report.scenarios.len() - 1,
            "{counts:?}"
        );
        let total: usize = counts.values().map(|c| c.drifts).sum();
        assert_eq!(
            total,
            report
                .scenarios
                .iter()
                .map(|s| s.drift_count)
                .sum::<usize>()
        );
        assert!(tenant_lines(&report)[0].starts_with("tenant acme: 1 scenarios"));
        let table = markdown_table(&report);
        assert!(table.contains("| `acme` | 1 |"), "{table}");
        assert_eq!(table.lines().count(), 5, "{table}");
    }
}
