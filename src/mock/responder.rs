//! Answers a matched request by rendering the route's response templates.
//!
//! The request is visible to templates as `request`:
//!
//! ```text
//! POST /api/orders?dryRun=true  {"orderNo": "PO-1"}
//!   request.method    "POST"
//!   request.path      "/api/orders"
//!   request.segments  ["api", "orders"]
//!   request.query     {"dryRun": "true"}
//!   request.headers   {"content-type": "application/json", …}   (lower-case names)
//!   request.json      {"orderNo": "PO-1"}                       (none unless the body is JSON)
//!   request.body      "{\"orderNo\": \"PO-1\"}"
//!   request.edi       {"ISA13": "000004711", "GS06": "4711", …}  (none unless the body is EDI;
//!                                                               see `edi::template_context`)
//! ```
//!
//! A template that fails to render yields a `500` whose text body explains
//! which service, route and template failed; the mock never panics.

use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value, json};
use wiremock::http::{HeaderName, HeaderValue};
use wiremock::{Request, Respond, ResponseTemplate};

use super::spec::ResponseSpec;
use crate::template::TemplateEngine;

/// Renders one route's response, for one environment, at request time.
#[derive(Debug)]
pub(super) struct TemplateResponder {
    engine: Arc<TemplateEngine>,
    service: String,
    route: String,
    response: ResponseSpec,
}

impl TemplateResponder {
    /// A responder for `route` of `service` answering with `response`.
    pub(super) fn new(
        engine: Arc<TemplateEngine>,
        service: &str,
        route: &str,
        response: ResponseSpec,
    ) -> Self {
        TemplateResponder {
            engine,
            service: service.to_owned(),
            route: route.to_owned(),
            response,
        }
    }

    fn render(&self, ctx: &minijinja::Value) -> Result<ResponseTemplate, String> {
        let mut template = ResponseTemplate::new(self.response.status);
        for (name, value) in &self.response.headers {
            let header = HeaderName::from_str(name)
                .map_err(|_| format!("`{name}` is not a valid header name"))?;
            let rendered = self
                .engine
                .render_value(value, ctx.clone())
                .map_err(|e| format!("cannot render header `{name}`: {e}"))?;
            let value = HeaderValue::from_str(&rendered).map_err(|_| {
                format!("header `{name}` rendered to an invalid value `{rendered}`")
            })?;
            template = template.insert_header(header, value);
        }
        let body = self
            .engine
            .render_value(&self.response.body, ctx.clone())
            .map_err(|e| format!("cannot render the response body: {e}"))?;
        Ok(template.set_body_bytes(body.into_bytes()))
    }

    fn explain_failure(&self, message: &str) -> ResponseTemplate {
        let text = format!(
            "driftgate mock: service `{}`, route `{}`: {message}\n",
            self.service, self.route
        );
        ResponseTemplate::new(500)
            .insert_header(
                HeaderName::from_static("content-type"),
                HeaderValue::from_static("text/plain; charset=utf-8"),
            )
            .set_body_bytes(text.into_bytes())
    }
}

impl Respond for TemplateResponder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let ctx = minijinja::Value::from(minijinja::value::Serde(json!({
            "request": request_context(request)
        })));
        let template = self
            .render(&ctx)
            .unwrap_or_else(|message| self.explain_failure(&message));
        match self.response.delay_ms {
            Some(ms) => template.set_delay(Duration::from_millis(ms)),
            None => template,
        }
    }
}

/// The `request` object templates see.
fn request_context(request: &Request) -> Value {
    let path = request.url.path();
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let mut query = Map::new();
    for (name, value) in request.url.query_pairs() {
        query
            .entry(name.into_owned())
            .or_insert_with(|| Value::String(value.into_owned()));
    }
    json!({
        "method": request.method.as_str(),
        "path": path,
        "segments": segments,
        "query": query,
        "headers": header_map(request),
        "json": serde_json::from_slice::<Value>(&request.body).unwrap_or(Value::Null),
        "body": String::from_utf8_lossy(&request.body),
        "edi": crate::edi::template_context(
            &crate::edi::decode_non_utf8(&request.body)
                .unwrap_or_else(|| String::from_utf8_lossy(&request.body).into_owned())
        ),
    })
}

/// Request headers by lower-case name; repeated headers are joined with `, `.
fn header_map(request: &Request) -> BTreeMap<String, String> {
    let mut headers: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in &request.headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        headers
            .entry(name.as_str().to_ascii_lowercase())
            .and_modify(|v| {
                v.push_str(", ");
                v.push_str(&value);
            })
            .or_insert(value);
    }
    headers
}
