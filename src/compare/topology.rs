//! Broker topology parity: the exchanges, queues and bindings each
//! environment's vhost declares, compared by (normalised) name.
//!
//! ```text
//! baseline  queue "erp.orders" {"durable": true, "arguments": {"x-message-ttl": 60000, "x-dead-letter-exchange": "dlx"}}
//! candidate queue "erp.orders" {"durable": true, "arguments": {"x-message-ttl": 30000}}
//! ──▶ topology  queue erp.orders $.arguments.x-message-ttl            60000 → 30000
//!     topology  queue erp.orders $.arguments.x-dead-letter-exchange   "dlx" → –
//! ```

use std::collections::BTreeMap;

use serde_json::Value;

use super::finding::{Finding, Site};
use super::{Drift, IgnoreSet, Normalizer, diff_json};
use crate::drift_class::DriftClass;
use crate::trace::{AmqpEvent, BrokerTopology, Side, Twin};

/// Topology drift of the `I compare the broker topology` events of a step, paired by order.
pub(super) fn compare_topologies(
    events: &Twin<Vec<(&str, &AmqpEvent)>>,
    normalizer: &Normalizer,
    site: &Site<'_>,
) -> Vec<Drift> {
    let topologies = |side: Side| -> Vec<(&str, &BrokerTopology)> {
        events
            .get(side)
            .iter()
            .filter_map(|(service, e)| match e {
                AmqpEvent::Topology { topology } => Some((*service, topology)),
                _ => None,
            })
            .collect()
    };
    let mut drifts = Vec::new();
    for (b, c) in topologies(Side::Baseline)
        .into_iter()
        .zip(topologies(Side::Candidate))
    {
        let at = site.exchange(b.0, format!("topology of vhost {}", b.1.vhost));
        drifts.extend(
            topology_findings(Twin::new(b.1, c.1), normalizer)
                .into_iter()
                .map(|f| at.drift(f)),
        );
    }
    drifts
}

/// Every difference between two topologies.
fn topology_findings(pair: Twin<&BrokerTopology>, normalizer: &Normalizer) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (kind, pick) in [
        (
            "exchange",
            (|t: &BrokerTopology| &t.exchanges) as fn(&BrokerTopology) -> &BTreeMap<String, Value>,
        ),
        ("queue", |t| &t.queues),
        ("binding", |t| &t.bindings),
    ] {
        let by_name = |side: Side| -> BTreeMap<String, Value> {
            pick(pair.get(side))
                .iter()
                .map(|(name, spec)| {
                    (
                        normalizer.normalize_text(side, name),
                        normalizer.normalize_value(side, spec),
                    )
                })
                .collect()
        };
        let (b, c) = (by_name(Side::Baseline), by_name(Side::Candidate));
        let mut names: Vec<&String> = b.keys().collect();
        names.extend(c.keys().filter(|k| !b.contains_key(*k)));
        names.sort();
        for name in names {
            findings.extend(object_findings(kind, name, b.get(name), c.get(name)));
        }
    }
    findings
}

fn object_findings(kind: &str, name: &str, b: Option<&Value>, c: Option<&Value>) -> Vec<Finding> {
    match (b, c) {
        (Some(b), Some(c)) => diff_json(b, c, &IgnoreSet::default())
            .into_iter()
            .map(|d| Finding {
                suppressed_by: None,
                class: DriftClass::Topology,
                message: format!(
                    "{kind} `{name}`: {} is {} in baseline, {} in candidate",
                    d.path.trim_start_matches("$."),
                    shown(d.baseline.as_ref()),
                    shown(d.candidate.as_ref())
                ),
                path: Some(format!("{kind}:{name} {}", d.path)),
                baseline: d.baseline,
                candidate: d.candidate,
            })
            .collect(),
        (b, c) => {
            let side = if b.is_some() { "baseline" } else { "candidate" };
            vec![Finding {
                suppressed_by: None,
                class: DriftClass::Topology,
                path: Some(format!("{kind}:{name}")),
                baseline: b.cloned(),
                candidate: c.cloned(),
                message: format!("{kind} `{name}` is declared in {side} only"),
            }]
        }
    }
}

fn shown(value: Option<&Value>) -> String {
    value.map_or_else(|| "absent".to_owned(), Value::to_string)
}
