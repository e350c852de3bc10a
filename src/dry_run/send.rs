//! How a dry run shows each send, one renderer per transport: an HTTP
//! request or EDI post as method, URL, headers and body (for EDI, the
//! document's summary), an AMQP publish as exchange, routing key,
//! properties, headers and body, a SQL query as its statement and
//! parameters, a message expectation as what it waits for.
//!
//! ```text
//! POST https://edi.example.com/as2/inbound
//! content-type: application/edi-x12
//!
//! X12 document, 9 segments: transaction set 850
//!
//! PUBLISH to exchange `orders` with routing key `order.created` on `events`
//! property content_type: application/json
//!
//! {"orderNo": "PO-1"}
//! ```

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use super::{Planner, RequestParts, SidePlan, SideView};
use crate::config::Service;
use crate::edi::Standard;
use crate::lint::walk::MatchedStep;
use crate::trace::Twin;
use crate::transport::http::request_url;
use crate::world::steps::declaration::quoted_values;
use crate::world::steps::{
    Action, Arrival, Outgoing, Transport, amqp_service_name, http_service_name,
};

/// What a step sends, for the write check: the templates as written, the
/// headers of the services it goes to, and the body it names (`fixture_body`
/// holds a fixture's text).
pub(super) fn outgoing<'a>(
    matched: &'a MatchedStep<'_>,
    transport: Transport,
    plan: &'a SidePlan,
    service_headers: Vec<(&'a str, &'a str)>,
    fixture_body: Option<&'a str>,
) -> Outgoing<'a> {
    let arg = |name: &str| matched.arg(name).map(|a| a.value.as_str());
    let own_body = fixture_body.or(matched.step.docstring.as_deref());
    let pending_body = plan.body.as_ref().and_then(|b| b.as_deref().ok());
    let mut headers = service_headers;
    headers.extend(plan.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    Outgoing {
        method: arg("method").unwrap_or(method_of(transport)),
        headers,
        path: arg("path").unwrap_or_default(),
        query: plan
            .query
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect(),
        body: own_body.or(pending_body),
        statement: matched.step.docstring.as_deref(),
    }
}

/// The method a send over `transport` uses when the step names none.
fn method_of(transport: Transport) -> &'static str {
    match transport {
        Transport::EdiPost => "POST",
        _ => "GET",
    }
}

impl Planner<'_> {
    /// The HTTP service a step goes to in `env`, if it is an HTTP send.
    pub(super) fn service_of<'e>(
        &self,
        matched: &MatchedStep<'_>,
        transport: Transport,
        env: &'e crate::config::Environment,
    ) -> Option<&'e Service> {
        if !matches!(transport, Transport::Http | Transport::EdiPost) {
            return None;
        }
        let named = matched.arg("service").map_or("", |a| a.value.as_str());
        let name = if named.is_empty() {
            self.default_service.clone()?
        } else {
            named.to_owned()
        };
        env.services.get(&name)
    }

    /// The fixture text a send names, read as a run reads it.
    pub(super) fn fixture_of(
        &self,
        matched: &MatchedStep<'_>,
        transport: Transport,
    ) -> Option<Result<String, String>> {
        let file = &matched.arg("fixture")?.value;
        Some(match transport {
            Transport::EdiPost => self.edi_fixture(file),
            _ => self.fixture(file),
        })
    }

    fn edi_fixture(&self, file: &str) -> Result<String, String> {
        let path = crate::config::folder::inside(&self.fixtures, std::path::Path::new(file))
            .map_err(|e| format!("refused fixture: {e}"))?;
        let bytes = std::fs::read(&path)
            .map_err(|e| format!("cannot read fixture {}: {e}", path.display()))?;
        crate::edi::decode(&bytes)
            .map(|d| d.text)
            .map_err(|e| format!("cannot read EDI fixture {}: {e}", path.display()))
    }

    /// What a send does on one side, as text; the parts built for it are used up.
    pub(super) fn send(
        &self,
        matched: &MatchedStep<'_>,
        transport: Transport,
        view: &SideView<'_>,
        plan: &mut SidePlan,
    ) -> String {
        let parts = plan.take_request_parts(transport);
        let plan = &*plan;
        let shown = match transport {
            Transport::Http | Transport::EdiPost => {
                self.http(matched, transport, view, plan, parts)
            }
            Transport::AmqpPublish => self.publish(matched, view, plan, parts),
            Transport::AmqpReplay => self.replay(matched, view, plan),
            Transport::AmqpListen => self.amqp_service(matched).and_then(|service| {
                Ok(format!(
                    "LISTEN on exchange `{}` with binding `{}` on `{service}`, as listener `{}`\n",
                    self.render(view, plan, &arg(matched, "exchange"))?,
                    self.render(view, plan, &arg(matched, "binding"))?,
                    arg(matched, "listener")
                ))
            }),
            Transport::AmqpTake => self.amqp_service(matched).and_then(|service| {
                Ok(format!(
                    "TAKE messages from queue `{}` on `{service}`, as listener `{}`\n",
                    self.render(view, plan, &arg(matched, "queue"))?,
                    arg(matched, "listener")
                ))
            }),
            Transport::BrokerTopology => self.amqp_service(matched).map(|service| {
                format!("READ TOPOLOGY of `{service}` (exchanges, queues, bindings) through the management API\n")
            }),
            Transport::SqlQuery => self.query(matched, view, plan),
            Transport::DatabaseConfiguration => self.database(matched, view).map(|service| {
                let tables = quoted_values(&arg(matched, "tables"));
                let tables = if tables.is_empty() {
                    String::new()
                } else {
                    format!(", tables {}", tables.join(", "))
                };
                format!("READ DATABASE CONFIGURATION of `{service}` (server and database settings{tables})\n")
            }),
        };
        let mut text = shown.unwrap_or_else(|e| format!("not sent: {e}\n"));
        if let (Action::Poll { .. }, Some(timeout)) = (matched.def.action, matched.arg("timeout")) {
            text.push_str(&format!(
                "repeated until the step's condition holds, for at most {}\n",
                timeout.value
            ));
        }
        text
    }

    fn http(
        &self,
        matched: &MatchedStep<'_>,
        transport: Transport,
        view: &SideView<'_>,
        plan: &SidePlan,
        parts: RequestParts,
    ) -> Result<String, String> {
        let named = arg(matched, "service");
        let name = http_service_name(
            self.default_service.as_deref(),
            Twin::new(&self.envs.baseline, &self.envs.candidate),
            &named,
        )?;
        let service = &view.env.services[&name];
        let method = matched
            .arg("method")
            .map_or(method_of(transport), |a| a.value.as_str());
        let render = |t: &str| self.render(view, plan, t);
        let query = parts
            .query
            .iter()
            .map(|(k, v)| Ok((render(k)?, render(v)?)))
            .collect::<Result<Vec<_>, String>>()?;
        let url = request_url(&service.base_url, &render(&arg(matched, "path"))?, &query)?;
        let mut text = format!("{method} {}\n", with_placeholders(&url));
        let body = match self.fixture_of(matched, transport) {
            Some(fixture) => Some(fixture),
            None => matched.step.docstring.clone().map(Ok).or(parts.body),
        };
        let body = body
            .map(|b| b.and_then(|t| self.render_body(view, plan, &t)))
            .transpose()?;
        let mut headers = Vec::new();
        for (k, v) in service.headers.iter().chain(&parts.headers) {
            headers.push((k.clone(), render(v)?));
        }
        let summary = match (transport, &body) {
            (Transport::EdiPost, Some(document)) => {
                let (standard, summary) = edi_summary(document)?;
                default_content_type(&mut headers, standard.media_type());
                Some(summary)
            }
            (_, Some(body)) if looks_like_json(body) => {
                default_content_type(&mut headers, "application/json");
                None
            }
            _ => None,
        };
        for (k, v) in headers {
            text.push_str(&format!("{k}: {v}\n"));
        }
        if let Some(shown) = summary.or(body) {
            text.push('\n');
            text.push_str(shown.trim_end());
            text.push('\n');
        }
        Ok(text)
    }

    fn publish(
        &self,
        matched: &MatchedStep<'_>,
        view: &SideView<'_>,
        plan: &SidePlan,
        parts: RequestParts,
    ) -> Result<String, String> {
        let service = self.amqp_service(matched)?;
        let render = |t: &str| self.render(view, plan, t);
        let template = match self.fixture_of(matched, Transport::AmqpPublish) {
            Some(fixture) => fixture?,
            None => matched.step.docstring.clone().unwrap_or_default(),
        };
        let body = self.render_body(view, plan, &template)?;
        let mut text = format!(
            "PUBLISH to exchange `{}` with routing key `{}` on `{service}`\n",
            render(&arg(matched, "exchange"))?,
            render(&arg(matched, "routing_key"))?
        );
        let mut properties = Vec::new();
        for (k, v) in &parts.properties {
            properties.push((k.clone(), render(v)?));
        }
        if looks_like_json(&body) {
            default_content_type(&mut properties, "application/json");
        }
        for (k, v) in properties {
            text.push_str(&format!("property {}: {v}\n", k.replace('-', "_")));
        }
        for (k, v) in &parts.headers {
            text.push_str(&format!("header {k}: {}\n", render(v)?));
        }
        text.push('\n');
        text.push_str(body.trim_end());
        text.push('\n');
        Ok(text)
    }

    fn replay(
        &self,
        matched: &MatchedStep<'_>,
        view: &SideView<'_>,
        plan: &SidePlan,
    ) -> Result<String, String> {
        let service = self.amqp_service(matched)?;
        let render = |t: &str| self.render(view, plan, t);
        let exchange = render(&arg(matched, "exchange"))?;
        let exchange = if exchange.is_empty() {
            "each message's own exchange".to_owned()
        } else {
            format!("exchange `{exchange}`")
        };
        let selected = match render(&arg(matched, "routing_key"))? {
            key if key.is_empty() => String::new(),
            key => format!(" with routing key `{key}`"),
        };
        let mut text = format!(
            "REPLAY the messages of `{}`{selected} to {exchange} on `{service}`\n",
            render(&arg(matched, "file"))?
        );
        for (field, template) in super::table_rows(matched) {
            text.push_str(&format!("rewrite {field}: {template}\n"));
        }
        Ok(text)
    }

    fn query(
        &self,
        matched: &MatchedStep<'_>,
        view: &SideView<'_>,
        plan: &SidePlan,
    ) -> Result<String, String> {
        let service = self.database(matched, view)?;
        let statement = matched
            .step
            .docstring
            .as_deref()
            .ok_or("this step needs a docstring holding the SQL")?;
        let mut parameters = Vec::new();
        for (i, template) in quoted_values(&arg(matched, "parameters"))
            .iter()
            .enumerate()
        {
            parameters.push(format!(
                "@P{} = {}",
                i + 1,
                self.render(view, plan, template)?
            ));
        }
        let with = if parameters.is_empty() {
            String::new()
        } else {
            format!(" with {}", parameters.join(", "))
        };
        let mut text = format!("QUERY `{service}`{with}\n");
        for line in statement.trim().lines() {
            text.push_str(&format!("  {line}\n"));
        }
        Ok(text)
    }

    /// The AMQP service of a step, as a run resolves it.
    fn amqp_service(&self, matched: &MatchedStep<'_>) -> Result<String, String> {
        amqp_service_name(
            &self.envs.baseline,
            &self.envs.candidate,
            &arg(matched, "service"),
        )
    }

    /// The SQL Server service a step names, when `view`'s environment defines it.
    fn database(&self, matched: &MatchedStep<'_>, view: &SideView<'_>) -> Result<String, String> {
        let service = arg(matched, "service");
        if view.env.databases.contains_key(&service) {
            Ok(service)
        } else {
            Err(format!(
                "unknown database service `{service}` in `{}`: define it with kind = \"sqlserver\"",
                view.env.name
            ))
        }
    }

    /// What a message expectation waits for on one side.
    pub(super) fn expectation(
        &self,
        matched: &MatchedStep<'_>,
        arrival: Arrival,
        view: &SideView<'_>,
        plan: &SidePlan,
    ) -> String {
        let render = |t: &str| self.render(view, plan, t);
        let shown = (|| -> Result<String, String> {
            let listener = arg(matched, "listener");
            let timeout = arg(matched, "timeout");
            let mut text = match arrival {
                Arrival::One => format!("EXPECT a message on `{listener}` within {timeout}"),
                Arrival::None => format!("EXPECT no message on `{listener}` for {timeout}"),
                Arrival::Count => format!(
                    "EXPECT {} message(s) on `{listener}` within {timeout}",
                    arg(matched, "count")
                ),
            };
            let mut conditions = Vec::new();
            if let Some(key) = matched.arg("routing_key") {
                conditions.push(format!("routing key `{}`", render(&key.value)?));
            }
            if let (Some(header), Some(value)) = (matched.arg("header"), matched.arg("value")) {
                conditions.push(format!(
                    "header `{}` = `{}`",
                    header.value,
                    render(&value.value)?
                ));
            }
            if matched.arg("in_order").is_some() {
                conditions.push("in order".to_owned());
            }
            if !conditions.is_empty() {
                text.push_str(&format!(": {}", conditions.join(", ")));
            }
            text.push('\n');
            if let Some(body) = &matched.step.docstring {
                text.push_str("with a body containing:\n");
                text.push_str(self.render_body(view, plan, body)?.trim_end());
                text.push('\n');
            }
            Ok(text)
        })();
        shown.unwrap_or_else(|e| format!("not checked: {e}\n"))
    }
}

/// The step's argument `name`, "" when it gave none.
fn arg(matched: &MatchedStep<'_>, name: &str) -> String {
    matched
        .arg(name)
        .map(|a| a.value.clone())
        .unwrap_or_default()
}

/// Adds `content-type: value` unless one is set.
fn default_content_type(headers: &mut Vec<(String, String)>, value: &str) {
    let named = |k: &String| {
        let k = k.to_ascii_lowercase().replace('_', "-");
        k == "content-type"
    };
    if !headers.iter().any(|(k, _)| named(k)) {
        headers.push(("content-type".into(), value.into()));
    }
}

fn looks_like_json(body: &str) -> bool {
    let t = body.trim_start();
    (t.starts_with('{') || t.starts_with('[')) && serde_json::from_str::<Value>(body).is_ok()
}

/// `X12 document, 9 segments: transaction set 850`, or why a run would
/// refuse to send the document.
fn edi_summary(document: &str) -> Result<(Standard, String), String> {
    let interchange = crate::edi::parse(document).map_err(|e| {
        format!("the EDI document is malformed, so a run sends it to neither environment: {e}")
    })?;
    let (tag, element, what) = match interchange.standard {
        Standard::X12 => ("ST", 1, "transaction set"),
        Standard::Edifact => ("UNH", 2, "message"),
    };
    let kinds: Vec<&str> = interchange
        .segments
        .iter()
        .filter(|s| s.tag == tag)
        .filter_map(|s| s.element(element)?.component(1))
        .collect();
    let summary = format!(
        "{} document, {} segments: {what} {}",
        interchange.standard.as_str(),
        interchange.segments.len(),
        kinds.join(", ")
    );
    Ok((interchange.standard, summary))
}

/// The URL with `<captured:NAME>` placeholders shown as written, not percent-encoded.
fn with_placeholders(url: &str) -> String {
    static ENCODED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"%3Ccaptured(?::|%3A)([A-Za-z0-9_.\-]+)%3E").unwrap_or_else(|e| panic!("{e}"))
    });
    ENCODED.replace_all(url, "<captured:$1>").into_owned()
}
