//! Steps that build and send HTTP requests, and poll until a condition holds.

use std::time::Duration;

use cucumber::step::Context;
use futures::future::LocalBoxFuture;
use reqwest::Method;
use serde_json::Value;

use super::assertion::error;
use super::declaration::{Action, ArgKind, Args, DURATION, Param, Part, Transport, Writes, param};
use super::fixtures::read_fixture;
use super::polling::{poll_outcome, poll_until};
use super::services::{did_you_mean, write_refusal};
use super::variables::table_pairs;
use super::{METHOD, StepDef, prepare_sides};
use crate::config::Environment;
use crate::trace::{AssertionRecord, HttpExchange, Observation, Side, SideStep, StepOutcome, Twin};
use crate::transport::http::{HttpRequest, request_url};
use crate::transport::method_override::{WriteReason, request_writes};
use crate::world::scenario::{PendingRequest, render_json_on, render_on};
use crate::world::{RunContext, TwinWorld};

/// The `service` argument of an HTTP step.
pub(super) const SERVICE: Param = param(
    "service",
    ArgKind::Service,
    "service from driftgate.toml (optional; default: [run] default_service)",
);

/// The `path` argument of an HTTP step.
pub(super) const PATH: Param = param(
    "path",
    ArgKind::Template,
    "path (a template) resolved against the service's base_url",
);

pub(super) fn steps() -> Vec<StepDef> {
    const METHOD_PARAM: Param = param(
        "method",
        ArgKind::Method,
        "GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS",
    );
    const SEND: Action = Action::Send {
        transport: Transport::Http,
        writes: Writes::WhenMethodWrites,
    };
    const POLL: Action = Action::Poll {
        transport: Transport::Http,
        writes: Writes::WhenMethodWrites,
    };
    vec![
        StepDef {
            pattern: r#"^the request header "(?<header>[^"]+)" is "(?<value>[^"]*)"$"#,
            summary: "Adds a header to the next request.",
            example: r#"Given the request header "X-Correlation-Id" is "{{ uuid() }}""#,
            params: const {
                &[
                    param("header", ArgKind::Text, "header name"),
                    param("value", ArgKind::Template, "header value (a template)"),
                ]
            },
            action: Action::Build(Part::Header),
            run: add_header,
        },
        StepDef {
            pattern: r"^the request headers are:$",
            summary: "Adds headers to the next request from a data table (name | value).",
            example: "Given the request headers are:",
            params: const {
                &[param(
                    "table",
                    ArgKind::Table,
                    "name | value rows; values are templates",
                )]
            },
            action: Action::Build(Part::Header),
            run: add_headers,
        },
        StepDef {
            pattern: r#"^the query parameter "(?<name>[^"]+)" is "(?<value>[^"]*)"$"#,
            summary: "Adds a query parameter to the next request.",
            example: r#"Given the query parameter "plant" is "{{ env.plant }}""#,
            params: const {
                &[
                    param("name", ArgKind::Text, "query parameter name"),
                    param("value", ArgKind::Template, "parameter value (a template)"),
                ]
            },
            action: Action::Build(Part::Query),
            run: add_query,
        },
        StepDef {
            pattern: r"^the request body is:$",
            summary: "Sets the body of the next request from the docstring (a template).",
            example: "Given the request body is:",
            params: const {
                &[param(
                    "docstring",
                    ArgKind::Docstring,
                    "the body (a template)",
                )]
            },
            action: Action::Build(Part::Body),
            run: body_from_docstring,
        },
        StepDef {
            pattern: r#"^the request body is the fixture "(?<fixture>[^"]+)"$"#,
            summary: "Sets the body of the next request from a fixture file under scenarios/ (a template).",
            example: r#"Given the request body is the fixture "orders/new-order.json""#,
            params: const {
                &[param(
                    "fixture",
                    ArgKind::Fixture,
                    "file under the fixtures folder ([run] fixtures)",
                )]
            },
            action: Action::Build(Part::Body),
            run: body_from_fixture,
        },
        StepDef {
            pattern: with_method(
                r#"^I send an? (?<method>METHOD) request to "(?<path>[^"]*)"(?: on "(?<service>[^"]+)")?$"#,
            ),
            summary: "Sends a request to both environments; a docstring, if present, is the body.",
            example: r#"When I send a GET request to "/api/orders/{{ orderId }}" on "erp""#,
            params: const {
                &[
                    METHOD_PARAM,
                    PATH,
                    SERVICE,
                    param(
                        "docstring",
                        ArgKind::Docstring,
                        "the body (optional; a template)",
                    ),
                ]
            },
            action: SEND,
            run: send,
        },
        StepDef {
            pattern: with_method(
                r#"^I send an? (?<method>METHOD) request to "(?<path>[^"]*)" with the fixture "(?<fixture>[^"]+)"(?: on "(?<service>[^"]+)")?$"#,
            ),
            summary: "Sends a request whose body is a fixture file under scenarios/ (a template).",
            example: r#"When I send a POST request to "/api/orders" with the fixture "orders/new-order.json""#,
            params: const {
                &[
                    METHOD_PARAM,
                    PATH,
                    param(
                        "fixture",
                        ArgKind::Fixture,
                        "body file under the fixtures folder (a template)",
                    ),
                    SERVICE,
                ]
            },
            action: SEND,
            run: send_fixture,
        },
        StepDef {
            pattern: leak(format!(
                r#"^I poll "(?<path>[^"]*)"(?: on "(?<service>[^"]+)")? until the response field "(?<jsonpath>[^"]+)" is (?<expected>.+) within (?<timeout>{DURATION})$"#
            )),
            summary: "GETs the path until the JSONPath holds the expected value (fuzzy markers allowed), or fails after the timeout.",
            example: r#"Then I poll "/api/orders/{{ orderId }}" until the response field "$.status" is "RELEASED" within 5 seconds"#,
            params: const {
                &[
                    param("path", ArgKind::Template, "path (a template) to GET"),
                    param(
                        "service",
                        ArgKind::Service,
                        "service from driftgate.toml (optional)",
                    ),
                    param(
                        "jsonpath",
                        ArgKind::JsonPath,
                        "JSONPath (RFC 9535) of the field",
                    ),
                    param(
                        "expected",
                        ArgKind::Expected,
                        "JSON literal or fuzzy marker (a template)",
                    ),
                    param(
                        "timeout",
                        ArgKind::Duration,
                        "how long to keep polling: ms, s or seconds",
                    ),
                ]
            },
            action: POLL,
            run: poll_field,
        },
        StepDef {
            pattern: leak(format!(
                r#"^I poll "(?<path>[^"]*)"(?: on "(?<service>[^"]+)")? until the response status is (?<status>\d{{3}}) within (?<timeout>{DURATION})$"#
            )),
            summary: "GETs the path until it answers with the status, or fails after the timeout.",
            example: r#"Then I poll "/health" on "wms" until the response status is 200 within 2 seconds"#,
            params: const {
                &[
                    param("path", ArgKind::Template, "path (a template) to GET"),
                    param(
                        "service",
                        ArgKind::Service,
                        "service from driftgate.toml (optional)",
                    ),
                    param("status", ArgKind::Number, "expected HTTP status code"),
                    param(
                        "timeout",
                        ArgKind::Duration,
                        "how long to keep polling: ms, s or seconds",
                    ),
                ]
            },
            action: POLL,
            run: poll_status,
        },
    ]
}

/// Substitutes the method alternation into a pattern (patterns are built once, at startup).
fn with_method(pattern: &'static str) -> &'static str {
    leak(pattern.replace("METHOD", METHOD))
}

/// Patterns are built once, at startup, and live for the whole run.
fn leak(pattern: String) -> &'static str {
    Box::leak(pattern.into_boxed_str())
}

fn add_header(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let args = Args::of(&ctx);
        let (name, value) = (args.owned("header"), args.owned("value"));
        w.each_side(&ctx, |s| {
            if s.side == Side::Baseline {
                s.pending.headers.push((name.clone(), value.clone()));
            }
            SideStep::default()
        });
    })
}

fn add_headers(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let pairs = table_pairs(&ctx);
        w.each_side(&ctx, |s| match &pairs {
            Ok(pairs) => {
                if s.side == Side::Baseline {
                    s.pending.headers.extend(pairs.iter().cloned());
                }
                SideStep::default()
            }
            Err(message) => error(message.clone()),
        });
    })
}

fn add_query(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let args = Args::of(&ctx);
        let (name, value) = (args.owned("name"), args.owned("value"));
        w.each_side(&ctx, |s| {
            if s.side == Side::Baseline {
                s.pending.query.push((name.clone(), value.clone()));
            }
            SideStep::default()
        });
    })
}

fn body_from_docstring(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let body = ctx.step.docstring.clone().ok_or_else(|| {
            format!(
                "line {}: this step needs a docstring (\"\"\" … \"\"\") holding the body",
                ctx.step.position.line
            )
        });
        w.each_side(&ctx, |s| match &body {
            Ok(body) => {
                s.pending.body = Some(body.clone());
                SideStep::default()
            }
            Err(message) => error(message.clone()),
        });
    })
}

fn body_from_fixture(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let file = Args::of(&ctx).owned("fixture");
        w.each_side(&ctx, |s| match read_fixture(s.run, &file) {
            Ok(body) => {
                s.pending.body = Some(body);
                SideStep::default()
            }
            Err(message) => error(message),
        });
    })
}

fn send(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let args = Args::of(&ctx);
        let request = RequestTemplate {
            method: args.owned("method"),
            path: args.owned("path"),
            service: args.owned("service"),
            body: ctx.step.docstring.clone().map(Ok),
        };
        exchange_step(w, &ctx, request).await;
    })
}

fn send_fixture(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let run = w.twin_parts().0;
        let args = Args::of(&ctx);
        let request = RequestTemplate {
            method: args.owned("method"),
            path: args.owned("path"),
            service: args.owned("service"),
            body: Some(read_fixture(&run, args.text("fixture"))),
        };
        exchange_step(w, &ctx, request).await;
    })
}

/// A request as written in a step, before rendering.
pub(super) struct RequestTemplate {
    pub(super) method: String,
    pub(super) path: String,
    pub(super) service: String,
    /// The body template, or why it could not be read.
    pub(super) body: Option<Result<String, String>>,
}

/// Sends one request to both environments concurrently and records both exchanges.
async fn exchange_step(w: &mut TwinWorld, ctx: &Context, template: RequestTemplate) {
    let (run, scenario) = w.twin_parts();
    let pending = std::mem::take(&mut scenario.pending);
    let prepared = prepare(&run, scenario, &pending, &template);
    let Twin {
        baseline,
        candidate,
    } = &mut scenario.sides;
    let baseline = act(&run, Side::Baseline, prepared.baseline, baseline);
    let candidate = act(&run, Side::Candidate, prepared.candidate, candidate);
    // Both requests run at once, each in its own task; in timing samples the
    // side whose task starts first alternates, so neither is always second.
    let (b, c) = if scenario.key.sample.is_some_and(|s| s.index % 2 == 0) {
        let (c, b) = futures::join!(candidate, baseline);
        (b, c)
    } else {
        futures::join!(baseline, candidate)
    };
    scenario.record(&run, &ctx.step, Twin::new(b, c));
}

/// Sends a side's prepared request (or keeps its finished outcome) and
/// records the exchange; the response becomes the side's last response.
pub(super) async fn act(
    run: &RunContext,
    side: Side,
    prepared: Result<(String, HttpRequest), SideStep>,
    state: &mut crate::world::SideState,
) -> SideStep {
    let (service, request) = match prepared {
        Err(done) => return done,
        Ok(p) => p,
    };
    let exchange = send_on(run, side, &service, request).await;
    let outcome = match &exchange.error {
        Some(message) => StepOutcome::Error {
            message: message.clone(),
        },
        None => StepOutcome::Passed,
    };
    state.last_response = exchange.response.clone();
    SideStep {
        outcome,
        observations: vec![Observation::Http(exchange)],
        ..SideStep::default()
    }
}

pub(super) async fn send_on(
    run: &RunContext,
    side: Side,
    service: &str,
    request: HttpRequest,
) -> HttpExchange {
    match run.envs.get(side).clients.get(service) {
        Some(client) => client.send(request).await,
        None => unreachable_service(service, request),
    }
}

fn unreachable_service(service: &str, request: HttpRequest) -> HttpExchange {
    HttpExchange {
        service: service.to_owned(),
        request: crate::trace::HttpRequestRecord {
            method: request.method.to_string(),
            url: request.url,
            headers: Vec::new(),
            body: None,
        },
        response: None,
        error: Some(format!("service `{service}` has no client")),
        redirects: Vec::new(),
        timing: Default::default(),
    }
}

/// Renders the request for each side, or the side's finished outcome when it
/// cannot be sent (skipped side, bad template, unknown service, protected write).
pub(super) fn prepare(
    run: &RunContext,
    scenario: &crate::world::ScenarioState,
    pending: &PendingRequest,
    template: &RequestTemplate,
) -> Twin<Result<(String, HttpRequest), SideStep>> {
    prepare_sides(
        scenario,
        refusal(run, scenario, pending, template),
        |side, state| render_request(run, side, &state.vars, scenario, pending, template),
    )
}

/// Why the request may not be sent at all (to either side), if it may not.
fn refusal(
    run: &RunContext,
    scenario: &crate::world::ScenarioState,
    pending: &PendingRequest,
    template: &RequestTemplate,
) -> Option<String> {
    let method = template.method.parse::<Method>().ok()?;
    let service = service_name(run, &template.service).ok()?;
    let service_headers = Side::BOTH
        .iter()
        .flat_map(|side| &run.envs.get(*side).env.services[&service].headers);
    let headers = service_headers.chain(&pending.headers);
    let body = match &template.body {
        Some(Ok(body)) => Some(body.as_str()),
        _ => pending.body.as_deref(),
    };
    let what = match request_writes(
        &method,
        headers.map(|(k, v)| (k.as_str(), v.as_str())),
        &template.path,
        pending.query.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        body,
    )? {
        WriteReason::Method => format!("{method} to `{service}`"),
        WriteReason::Override(found) => format!("{method} to `{service}` with {found}"),
    };
    write_refusal(run, scenario, &what, "sent to neither environment")
}

/// The service a step names, or the default one.
fn service_name(run: &RunContext, named: &str) -> Result<String, String> {
    http_service_name(
        run.default_service.as_deref(),
        Twin::new(&run.envs.baseline.env, &run.envs.candidate.env),
        named,
    )
}

/// The HTTP service a step names, or `default`; it must exist in both environments.
pub(crate) fn http_service_name(
    default: Option<&str>,
    envs: Twin<&Environment>,
    named: &str,
) -> Result<String, String> {
    let name = if named.is_empty() {
        default.map(str::to_owned).ok_or_else(|| {
            "no service named and no default: add `on \"SERVICE\"` or set [run] default_service"
                .to_owned()
        })?
    } else {
        named.to_owned()
    };
    let known = &envs.baseline.services;
    if known.contains_key(&name) && envs.candidate.services.contains_key(&name) {
        return Ok(name);
    }
    let suggestion = did_you_mean(&name, known.keys().map(String::as_str));
    Err(format!(
        "unknown service `{name}`: it must be defined in both `{}` and `{}`{suggestion}",
        envs.baseline.name, envs.candidate.name
    ))
}

fn render_request(
    run: &RunContext,
    side: Side,
    vars: &std::collections::BTreeMap<String, Value>,
    scenario: &crate::world::ScenarioState,
    pending: &PendingRequest,
    template: &RequestTemplate,
) -> Result<(String, HttpRequest), String> {
    let render = |t: &str| render_on(run, side, vars, scenario.generated(), t);
    let service_name = service_name(run, &template.service)?;
    let method = template
        .method
        .parse::<Method>()
        .map_err(|e| format!("bad method `{}`: {e}", template.method))?;
    let service = &run.envs.get(side).env.services[&service_name];
    let query = pending
        .query
        .iter()
        .map(|(k, v)| Ok((render(k)?, render(v)?)))
        .collect::<Result<Vec<_>, String>>()?;
    let url = request_url(&service.base_url, &render(&template.path)?, &query)?;
    let mut headers = Vec::new();
    for (k, v) in service.headers.iter().chain(&pending.headers) {
        headers.push((k.clone(), render(v)?));
    }
    let body_template = match &template.body {
        Some(Err(message)) => return Err(message.clone()),
        Some(Ok(t)) => Some(t.as_str()),
        None => pending.body.as_deref(),
    };
    let body = body_template
        .map(|t| render_json_on(run, side, vars, scenario.generated(), t))
        .transpose()?;
    if body.as_deref().is_some_and(looks_like_json)
        && !headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
    {
        headers.push(("content-type".into(), "application/json".into()));
    }
    Ok((
        service_name,
        HttpRequest {
            method,
            url,
            headers,
            body,
            body_bytes: None,
        },
    ))
}

fn looks_like_json(body: &str) -> bool {
    let t = body.trim_start();
    (t.starts_with('{') || t.starts_with('[')) && serde_json::from_str::<Value>(body).is_ok()
}

/// What a polling step waits for.
enum PollCondition {
    /// A JSONPath holds the expected value (fuzzy markers allowed).
    Field { path: String, expected: String },
    /// The response has this status.
    Status(u16),
}

fn poll_field(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let args = Args::of(&ctx);
        let condition = PollCondition::Field {
            path: args.owned("jsonpath"),
            expected: args.owned("expected"),
        };
        let timeout = args.duration("timeout");
        poll_step(w, &ctx, condition, timeout).await;
    })
}

fn poll_status(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let args = Args::of(&ctx);
        let condition = PollCondition::Status(args.text("status").parse().unwrap_or(0));
        let timeout = args.duration("timeout");
        poll_step(w, &ctx, condition, timeout).await;
    })
}

/// GETs a path on both sides concurrently until the condition holds or time runs out.
async fn poll_step(w: &mut TwinWorld, ctx: &Context, condition: PollCondition, timeout: Duration) {
    let (run, scenario) = w.twin_parts();
    let pending = std::mem::take(&mut scenario.pending);
    let args = Args::of(ctx);
    let template = RequestTemplate {
        method: "GET".into(),
        path: args.owned("path"),
        service: args.owned("service"),
        body: None,
    };
    let prepared = prepare(&run, scenario, &pending, &template);
    let expected = expected_values(&run, scenario, &condition);
    let Twin {
        baseline,
        candidate,
    } = &mut scenario.sides;
    let (b, c) = futures::join!(
        poll_side(
            &run,
            Side::Baseline,
            prepared.baseline,
            &condition,
            expected.baseline,
            timeout,
            baseline
        ),
        poll_side(
            &run,
            Side::Candidate,
            prepared.candidate,
            &condition,
            expected.candidate,
            timeout,
            candidate
        ),
    );
    scenario.record(&run, &ctx.step, Twin::new(b, c));
}

/// The expected value of a field condition rendered per side.
fn expected_values(
    run: &RunContext,
    scenario: &crate::world::ScenarioState,
    condition: &PollCondition,
) -> Twin<Result<Value, String>> {
    let mut out = Twin::new(Ok(Value::Null), Ok(Value::Null));
    if let PollCondition::Field { expected, .. } = condition {
        for side in Side::BOTH {
            *out.get_mut(side) = render_json_on(
                run,
                side,
                &scenario.sides.get(side).vars,
                scenario.generated(),
                expected,
            )
            .map(|t| crate::matcher::parse_expected(&t));
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
async fn poll_side(
    run: &RunContext,
    side: Side,
    prepared: Result<(String, HttpRequest), SideStep>,
    condition: &PollCondition,
    expected: Result<Value, String>,
    timeout: Duration,
    state: &mut crate::world::SideState,
) -> SideStep {
    let (service, request) = match prepared {
        Err(done) => return done,
        Ok(p) => p,
    };
    let expected = match expected {
        Err(message) => return error(message),
        Ok(v) => v,
    };
    let polled = poll_until(run.poll_interval, timeout, || {
        let (request, expected) = (request.clone(), &expected);
        let service = service.as_str();
        async move {
            let exchange = send_on(run, side, service, request).await;
            let verdict =
                super::response::check_poll(condition_view(condition), expected, &exchange);
            (exchange, verdict)
        }
    })
    .await;
    let (exchange, failure) = (polled.last, polled.failure);
    state.last_response = exchange.response.clone();
    let assertion = AssertionRecord {
        description: format!("poll until {}", describe(condition)),
        passed: failure.is_none(),
        path: match condition {
            PollCondition::Field { path, .. } => Some(path.clone()),
            PollCondition::Status(_) => Some("status".into()),
        },
        actual: None,
        message: failure.clone(),
    };
    SideStep {
        outcome: poll_outcome(exchange.error.as_ref(), failure.as_ref()),
        observations: vec![
            Observation::Http(exchange),
            Observation::Assertion(assertion),
        ],
        ..SideStep::default()
    }
}

fn describe(condition: &PollCondition) -> String {
    match condition {
        PollCondition::Field { path, expected } => format!("{path} is {expected}"),
        PollCondition::Status(s) => format!("status is {s}"),
    }
}

fn condition_view(condition: &PollCondition) -> super::response::PollCheck<'_> {
    match condition {
        PollCondition::Field { path, .. } => super::response::PollCheck::Field(path),
        PollCondition::Status(s) => super::response::PollCheck::Status(*s),
    }
}
