//! HTTP exchange comparison: status, the configured response headers and
//! the bodies of the exchanges a step made on each side, paired by order.
//!
//! ```text
//! (orderId captured from $.id on each side)
//! baseline  POST https://erp.example/api/orders     → 201 {"id": "4711-abc", "state": "NEW"}
//! candidate POST https://erp-stg.example/api/orders → 500 {"id": "9822-xyz"}
//! ──▶ status         POST /api/orders           201 → 500
//!     missing_field  POST /api/orders  $.state  "NEW" → –
//! ```
//!
//! A polling step (`I poll …`) is judged by its last exchange on each side.

use serde_json::Value;

use super::finding::{Finding, Site};
use super::generated::{Recognised, Recognizer};
use super::json_diff::type_name;
use super::rules::{Applicable, HeaderRule, RuleSet, scope_of};
use super::walk::{Difference, diff_recognising};
use super::{Drift, Normalizer};
use crate::drift_class::DriftClass;
use crate::trace::{
    Body, HttpExchange, HttpRequestRecord, HttpResponseRecord, Side, SideStep, StepRecord, Twin,
};

/// Whether a step polls until a condition holds (`I poll …`), so only its
/// last exchange on each side is meaningful.
pub fn is_polling_step(text: &str) -> bool {
    const PREFIX: &str = "i poll";
    text.get(..PREFIX.len())
        .is_some_and(|start| start.eq_ignore_ascii_case(PREFIX))
}

/// Every drift in the HTTP exchanges of a step whose sides both acted.
pub(super) fn compare_exchanges(
    step: &StepRecord,
    rules: &RuleSet,
    normalizer: &Normalizer,
    generated: Recognizer,
    site: &Site<'_>,
) -> Vec<(Drift, Option<String>)> {
    let polling = is_polling_step(&step.text);
    let exchanges = Twin::new(
        exchanges(&step.sides.baseline, polling),
        exchanges(&step.sides.candidate, polling),
    );
    let mut drifts = Vec::new();
    if exchanges.baseline.len() != exchanges.candidate.len() {
        drifts.push(site.placed(count_finding(&exchanges)));
    }
    for (baseline, candidate) in exchanges.baseline.iter().zip(&exchanges.candidate) {
        let request = request_line(&baseline.request, normalizer);
        let exchange_site = site.exchange(&baseline.service, request);
        let path = url_path(&baseline.request.url);
        let scope = scope_of(
            &step.scenario,
            &baseline.service,
            &baseline.request.method,
            &path,
        );
        let judge = ExchangeJudge {
            rules: rules.applicable(&scope),
            normalizer,
            edi: &rules.edi,
            generated,
        };
        let pair = Twin::new(*baseline, *candidate);
        drifts.extend(
            judge
                .compare(pair)
                .into_iter()
                .map(|finding| exchange_site.placed(finding)),
        );
    }
    drifts
}

/// The exchanges of a side that are compared: all of them, or for a polling
/// step only the last (the attempts before it are waiting, not behaviour).
pub(crate) fn exchanges(side: &SideStep, polling: bool) -> Vec<&HttpExchange> {
    let mut all = side.http_exchanges();
    if polling {
        all.next_back().into_iter().collect()
    } else {
        all.collect()
    }
}

fn count_finding(exchanges: &Twin<Vec<&HttpExchange>>) -> Finding {
    let (b, c) = (exchanges.baseline.len(), exchanges.candidate.len());
    Finding {
        class: DriftClass::ExchangeCount,
        path: None,
        baseline: Some(Value::from(b)),
        candidate: Some(Value::from(c)),
        message: format!("{b} HTTP exchanges in baseline, {c} in candidate"),
        suppressed_by: None,
    }
}

/// `METHOD /path?query` of a request, normalised with the baseline's values.
fn request_line(request: &HttpRequestRecord, normalizer: &Normalizer) -> String {
    let target = request_target(&request.url);
    format!(
        "{} {}",
        request.method,
        normalizer.normalize_text(Side::Baseline, &target)
    )
}

/// The path of a URL, without scheme, host, query and fragment.
pub(crate) fn url_path(url: &str) -> String {
    let target = request_target(url);
    target.split('?').next().unwrap_or_default().to_owned()
}

/// The path and query of a URL, without scheme, host and fragment.
fn request_target(url: &str) -> String {
    let url = url.split_once('#').map_or(url, |(before, _)| before);
    let Some((_, after_scheme)) = url.split_once("://") else {
        return url.to_owned();
    };
    match after_scheme.find(['/', '?']) {
        Some(at) if after_scheme[at..].starts_with('/') => after_scheme[at..].to_owned(),
        Some(at) => format!("/{}", &after_scheme[at..]),
        None => String::from("/"),
    }
}

/// Compares one pair of exchanges (and, for `messages`, one pair of bodies).
pub(super) struct ExchangeJudge<'a> {
    pub(super) rules: Applicable<'a>,
    pub(super) normalizer: &'a Normalizer,
    pub(super) edi: &'a super::edi::EdiRules,
    pub(super) generated: Recognizer,
}

impl ExchangeJudge<'_> {
    fn compare(&self, pair: Twin<&HttpExchange>) -> Vec<Finding> {
        let mut findings = self.compare_edi_requests(&pair);
        findings.extend(self.compare_outcomes(pair));
        findings
    }

    /// EDI request bodies, segment by segment (other request bodies are inputs, not compared).
    fn compare_edi_requests(&self, pair: &Twin<&HttpExchange>) -> Vec<Finding> {
        match (&pair.baseline.request.body, &pair.candidate.request.body) {
            (Some(Body::Text(b)), Some(Body::Text(c))) => super::edi::compare_texts(
                Twin::new(b.as_str(), c.as_str()),
                super::edi::Part::Request,
                self.edi,
                self.normalizer,
            )
            .unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    fn compare_outcomes(&self, pair: Twin<&HttpExchange>) -> Vec<Finding> {
        match (&pair.baseline.response, &pair.candidate.response) {
            (Some(b), Some(c)) => self.compare_responses(Twin::new(b, c)),
            (Some(_), None) => vec![self.transport_error(Side::Candidate, pair.candidate)],
            (None, Some(_)) => vec![self.transport_error(Side::Baseline, pair.baseline)],
            (None, None) => Vec::new(),
        }
    }

    fn transport_error(&self, side: Side, exchange: &HttpExchange) -> Finding {
        let error = exchange.error.as_deref().unwrap_or("no response");
        let message = self.normalizer.normalize_text(side, error);
        let value = Value::String(message.clone());
        let (baseline, candidate) = match side {
            Side::Baseline => (Some(value), None),
            Side::Candidate => (None, Some(value)),
        };
        Finding {
            class: DriftClass::ErrorOneSide,
            path: None,
            baseline,
            candidate,
            message: format!("request failed in {side} only: {message}"),
            suppressed_by: None,
        }
    }

    fn compare_responses(&self, pair: Twin<&HttpResponseRecord>) -> Vec<Finding> {
        let mut findings = Vec::new();
        let (b, c) = (pair.baseline.status, pair.candidate.status);
        if b != c {
            findings.push(Finding {
                class: DriftClass::Status,
                path: None,
                baseline: Some(Value::from(b)),
                candidate: Some(Value::from(c)),
                message: format!("status {b} in baseline, {c} in candidate"),
                suppressed_by: None,
            });
        }
        for header in self.rules.headers([pair.baseline, pair.candidate]) {
            findings.extend(self.compare_header(&header, &pair));
        }
        findings.extend(self.compare_bodies(Twin::new(
            pair.baseline.body.as_ref(),
            pair.candidate.body.as_ref(),
        )));
        findings
    }

    fn compare_header(
        &self,
        header: &HeaderRule,
        pair: &Twin<&HttpResponseRecord>,
    ) -> Option<Finding> {
        let name = header.name.as_str();
        let raw = Twin::new(pair.baseline.header(name), pair.candidate.header(name));
        let (b, c) = match (raw.baseline, raw.candidate) {
            (Some(b), Some(c)) => {
                let both = self.normalizer.normalize_texts(Twin::new(b, c));
                (Some(both.baseline), Some(both.candidate))
            }
            (b, c) => (
                b.map(|v| self.normalizer.normalize_text(Side::Baseline, v)),
                c.map(|v| self.normalizer.normalize_text(Side::Candidate, v)),
            ),
        };
        if b == c {
            return None;
        }
        let recognised = match (&b, &c) {
            (Some(b), Some(c)) => self.generated.texts(b, c),
            _ => None,
        };
        let message = match (&b, &c, recognised) {
            (Some(_), None, _) => format!("header `{name}` is in baseline only"),
            (None, Some(_), _) => format!("header `{name}` is in candidate only"),
            (_, _, Some(Recognised::FormatChange)) => format!("header `{name}` changed format"),
            _ => format!("header `{name}` differs"),
        };
        let generated = match recognised {
            Some(Recognised::Same(reason)) => Some(reason.to_owned()),
            _ => None,
        };
        let noise = header
            .noise
            .clone()
            .filter(|_| b.is_some() && c.is_some())
            .or(generated);
        Some(Finding {
            class: DriftClass::Header,
            path: Some(format!("header:{name}")),
            baseline: b.map(Value::String),
            candidate: c.map(Value::String),
            message,
            suppressed_by: header.ignored_by.clone().or(noise),
        })
    }

    pub(super) fn compare_bodies(&self, pair: Twin<Option<&Body>>) -> Vec<Finding> {
        match (non_empty(pair.baseline), non_empty(pair.candidate)) {
            (None, None) => Vec::new(),
            (Some(Body::Json(b)), Some(Body::Json(c))) => self.compare_json(Twin::new(b, c)),
            (Some(Body::Text(b)), Some(Body::Text(c))) => {
                let edi = super::edi::compare_texts(
                    Twin::new(b.as_str(), c.as_str()),
                    super::edi::Part::Response,
                    self.edi,
                    self.normalizer,
                );
                if let Some(findings) = edi {
                    return findings;
                }
                let both = self
                    .normalizer
                    .normalize_texts(Twin::new(b.as_str(), c.as_str()));
                let (b, c) = (both.baseline, both.candidate);
                (b != c)
                    .then(|| body_finding("text bodies differ", Some(b.into()), Some(c.into())))
                    .into_iter()
                    .collect()
            }
            (b, c) => vec![body_finding(
                &format!(
                    "body is {} in baseline, {} in candidate",
                    body_kind(b),
                    body_kind(c)
                ),
                b.map(|body| self.body_value(Side::Baseline, body)),
                c.map(|body| self.body_value(Side::Candidate, body)),
            )],
        }
    }

    fn compare_json(&self, pair: Twin<&Value>) -> Vec<Finding> {
        let tree = self.rules.tree(pair.baseline, pair.candidate);
        let normalized = self.normalizer.normalize_pair(pair);
        diff_recognising(
            &normalized.baseline,
            &normalized.candidate,
            &tree,
            self.generated,
        )
        .into_iter()
        .map(json_finding)
        .collect()
    }

    fn body_value(&self, side: Side, body: &Body) -> Value {
        match body {
            Body::Json(value) => self.normalizer.normalize_value(side, value),
            Body::Text(text) => Value::String(self.normalizer.normalize_text(side, text)),
        }
    }
}

/// A body, unless it is empty text (an empty body is no body).
fn non_empty(body: Option<&Body>) -> Option<&Body> {
    body.filter(|body| !matches!(body, Body::Text(text) if text.is_empty()))
}

fn body_kind(body: Option<&Body>) -> &'static str {
    match body {
        Some(Body::Json(_)) => "JSON",
        Some(Body::Text(_)) => "text",
        None => "absent",
    }
}

fn body_finding(message: &str, baseline: Option<Value>, candidate: Option<Value>) -> Finding {
    Finding {
        class: DriftClass::Body,
        path: None,
        baseline,
        candidate,
        message: message.to_owned(),
        suppressed_by: None,
    }
}

fn json_finding(difference: Difference) -> Finding {
    let path = &difference.path;
    let message = match (&difference.baseline, &difference.candidate) {
        (Some(_), None) => format!("{path} is missing in candidate"),
        (None, Some(_)) => format!("{path} is in candidate only"),
        (Some(b), Some(c)) => match difference.class {
            DriftClass::ArrayLength => {
                format!("{path} has {b} elements in baseline, {c} in candidate")
            }
            DriftClass::TypeChange => format!(
                "{path} is {} in baseline, {} in candidate",
                type_name(b),
                type_name(c)
            ),
            DriftClass::Order => format!("{path} has the same elements in another order"),
            DriftClass::FormatChange => format!(
                "{path} is {} text in baseline, {} text in candidate",
                format_of(b),
                format_of(c)
            ),
            _ => format!("{path} is {b} in baseline, {c} in candidate"),
        },
        (None, None) => format!("{path} differs"),
    };
    Finding {
        class: difference.class,
        path: Some(difference.path),
        baseline: difference.baseline,
        candidate: difference.candidate,
        message,
        suppressed_by: difference.suppressed_by,
    }
}

fn format_of(value: &Value) -> &'static str {
    value
        .as_str()
        .map_or("non-string", super::value_rules::string_format)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polling_steps_are_recognised_by_their_text() {
        let cases = [
            ("I poll \"/api/orders/1\" until $.state is \"DONE\"", true),
            ("i POLL the shipment status", true),
            ("I poll", true),
            ("I send a GET request to \"/api/poll\"", false),
            ("I pol", false),
            ("", false),
        ];
        for (text, expected) in cases {
            assert_eq!(is_polling_step(text), expected, "{text}");
        }
    }

    #[test]
    fn request_target_keeps_path_and_query_only() {
        let cases = [
            (
                "https://erp.example:8443/api/orders?plant=P100#top",
                "/api/orders?plant=P100",
            ),
            ("http://erp.example", "/"),
            ("http://erp.example?x=1", "/?x=1"),
            ("/api/orders", "/api/orders"),
        ];
        for (url, expected) in cases {
            assert_eq!(request_target(url), expected, "{url}");
        }
    }
}
