//! Listening and expecting: bind the harness's own queue before the action,
//! then expect a message (by routing key, header and body pattern), no
//! message, or a number of messages within a time window.

use std::time::{Duration, Instant};

use cucumber::step::Context;
use futures::future::LocalBoxFuture;
use serde_json::Value;

use super::{AMQP_SERVICE, client, error, observation, on_both, prepare, service_name};
use crate::matcher::{self, MatchMode};
use crate::trace::{AmqpEvent, AmqpMessage, Body, Side, SideStep, StepOutcome};
use crate::transport::amqp::{ListenerSource, topic_matches};
use crate::world::steps::StepDef;
use crate::world::steps::declaration::{
    Action, ArgKind, Args, Arrival, DURATION, Transport, Writes, param,
};
use crate::world::{RunContext, SideState, TwinWorld};

/// After the expected number of messages arrived, how long to wait for extra ones.
const SETTLE: Duration = Duration::from_millis(300);

pub(super) fn steps() -> Vec<StepDef> {
    vec![
        StepDef {
            pattern: r#"^I listen on exchange "(?<exchange>[^"]+)"(?: on "(?<service>[^"]+)")? with routing key "(?<binding>[^"]*)" as "(?<listener>[^"]+)"$"#,
            summary: "Binds the harness's own exclusive, auto-deleted queue to an exchange (real consumers keep their messages); later steps expect messages on it by name.",
            example: r#"Given I listen on exchange "orders" with routing key "order.*" as "orderEvents""#,
            params: const {
                &[
                    param(
                        "exchange",
                        ArgKind::Template,
                        "exchange the real consumer reads from",
                    ),
                    AMQP_SERVICE,
                    param(
                        "binding",
                        ArgKind::Template,
                        "binding key (topic patterns allowed)",
                    ),
                    param(
                        "listener",
                        ArgKind::Listener,
                        "name later steps use for this listener",
                    ),
                ]
            },
            action: Action::Send {
                transport: Transport::AmqpListen,
                writes: Writes::Never,
            },
            run: listen,
        },
        StepDef {
            pattern: r#"^I take messages from queue "(?<queue>[^"]+)"(?: on "(?<service>[^"]+)")? as "(?<listener>[^"]+)"$"#,
            summary: "Reads a real queue destructively (messages an expectation takes are acknowledged); refused on protected environments.",
            example: r#"Given I take messages from queue "orders.dlq" as "deadLetters""#,
            params: const {
                &[
                    param(
                        "queue",
                        ArgKind::Template,
                        "a real queue, read destructively",
                    ),
                    AMQP_SERVICE,
                    param(
                        "listener",
                        ArgKind::Listener,
                        "name later steps use for this listener",
                    ),
                ]
            },
            action: Action::Send {
                transport: Transport::AmqpTake,
                writes: Writes::TakesMessages,
            },
            run: take_from_queue,
        },
        StepDef {
            pattern: leak(format!(
                r#"^a message(?: with routing key "(?<routing_key>[^"]+)")?(?: with header "(?<header>[^"]+)" (?:=|is) "(?<value>[^"]*)")? should arrive on "(?<listener>[^"]+)" within (?<timeout>{DURATION})$"#
            )),
            summary: "Waits for a message on a listener matching the routing key pattern, header and (docstring, fuzzy, contains) body; it becomes the message later steps assert on.",
            example: r#"Then a message with routing key "order.created" should arrive on "orderEvents" within 5 seconds"#,
            params: const {
                &[
                    param(
                        "routing_key",
                        ArgKind::Template,
                        "routing key pattern the message must have",
                    ),
                    param("header", ArgKind::Text, "header the message must carry"),
                    param("value", ArgKind::Template, "that header's value"),
                    param("listener", ArgKind::Listener, "listener name"),
                    param("timeout", ArgKind::Duration, "timeout: ms, s or seconds"),
                    param(
                        "docstring",
                        ArgKind::Docstring,
                        "the body the message must contain (optional; fuzzy markers allowed)",
                    ),
                ]
            },
            action: Action::Expect(Arrival::One),
            run: expect_one,
        },
        StepDef {
            pattern: leak(format!(
                r#"^no message(?: with routing key "(?<routing_key>[^"]+)")? should arrive on "(?<listener>[^"]+)" within (?<timeout>{DURATION})$"#
            )),
            summary: "Fails if a message matching the routing key pattern arrives on a listener within the window.",
            example: r#"Then no message with routing key "order.rejected" should arrive on "orderEvents" within 1 second"#,
            params: const {
                &[
                    param("routing_key", ArgKind::Template, "routing key pattern"),
                    param("listener", ArgKind::Listener, "listener name"),
                    param(
                        "timeout",
                        ArgKind::Duration,
                        "how long to watch: ms, s or seconds",
                    ),
                ]
            },
            action: Action::Expect(Arrival::None),
            run: expect_none,
        },
        StepDef {
            pattern: leak(format!(
                r#"^(?<count>\d+) messages?(?: with routing key "(?<routing_key>[^"]+)")? should arrive on "(?<listener>[^"]+)" within (?<timeout>{DURATION})(?<in_order> in order)?$"#
            )),
            summary: "Counts the messages matching the routing key pattern arriving on a listener: exactly N (waits the window, or until N plus a short settle time); `in order` makes their order part of the comparison.",
            example: r#"Then 3 messages with routing key "order.*" should arrive on "orderEvents" within 5 seconds in order"#,
            params: const {
                &[
                    param("count", ArgKind::Number, "exact number of messages"),
                    param("routing_key", ArgKind::Template, "routing key pattern"),
                    param("listener", ArgKind::Listener, "listener name"),
                    param("timeout", ArgKind::Duration, "timeout: ms, s or seconds"),
                    param(
                        "in_order",
                        ArgKind::Choice,
                        "` in order`: their order is part of the comparison",
                    ),
                ]
            },
            action: Action::Expect(Arrival::Count),
            run: expect_count,
        },
    ]
}

fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

fn listen(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let args = Args::of(&ctx);
        let (exchange, service, binding, name) = (
            args.text("exchange"),
            args.text("service"),
            args.text("binding"),
            args.text("listener"),
        );
        listen_step(w, &ctx, service, name, |r| {
            Ok(ListenerSource::Exchange {
                exchange: r.render(exchange)?,
                binding: r.render(binding)?,
            })
        })
        .await;
    })
}

fn take_from_queue(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let args = Args::of(&ctx);
        let (queue, service, name) = (
            args.text("queue"),
            args.text("service"),
            args.text("listener"),
        );
        let (run, _) = w.twin_parts();
        let protected = Side::BOTH
            .iter()
            .map(|s| &run.envs.get(*s).env)
            .find(|env| env.protected);
        if let Some(env) = protected {
            let message = format!(
                "refused: reading queue `{queue}` destructively would take messages from real consumers in protected environment `{}`; done in neither environment (listen on its exchange instead)",
                env.name
            );
            w.each_side(&ctx, |_| error(message.clone()));
            return;
        }
        listen_step(w, &ctx, service, name, |r| {
            Ok(ListenerSource::Queue {
                queue: r.render(queue)?,
            })
        })
        .await;
    })
}

async fn listen_step(
    w: &mut TwinWorld,
    ctx: &Context,
    service: &str,
    name: &str,
    source: impl Fn(&super::SideRender<'_>) -> Result<ListenerSource, String>,
) {
    let (run, scenario) = w.twin_parts();
    let prepared = prepare(&run, scenario, None, |r| {
        Ok((service_name(&run, service)?, name.to_owned(), source(r)?))
    });
    let sides = on_both(&run, prepared, &mut scenario.sides, listen_side).await;
    scenario.record(&run, &ctx.step, sides);
}

async fn listen_side(
    run: &RunContext,
    side: Side,
    (service, name, source): (String, String, ListenerSource),
    state: &mut SideState,
) -> SideStep {
    let client = match client(run, side, &service) {
        Ok(c) => c,
        Err(m) => return error(m),
    };
    match client.listen(source.clone()).await {
        Err(e) => error(e.to_string()),
        Ok(listener) => {
            state
                .amqp
                .listeners
                .insert(name.clone(), (service.clone(), listener));
            SideStep {
                observations: vec![observation(
                    &service,
                    AmqpEvent::Listening {
                        listener: name,
                        source: source.to_string(),
                    },
                )],
                ..SideStep::default()
            }
        }
    }
}

/// Which messages an expectation is about.
#[derive(Debug, Clone, Default)]
pub(super) struct MessageFilter {
    routing_key: Option<String>,
    header: Option<(String, Value)>,
    body: Option<Value>,
}

impl MessageFilter {
    fn accepts(&self, message: &AmqpMessage) -> bool {
        if let Some(pattern) = &self.routing_key
            && !topic_matches(pattern, &message.routing_key)
        {
            return false;
        }
        if let Some((name, expected)) = &self.header {
            let actual = header(message, name);
            if !matcher::match_value(expected, actual, MatchMode::Equals).is_empty() {
                return false;
            }
        }
        match (&self.body, &message.body) {
            (None, _) => true,
            (Some(expected), Some(Body::Json(actual))) => {
                matcher::match_value(expected, Some(actual), MatchMode::Contains).is_empty()
            }
            (Some(expected), Some(Body::Text(text))) => matcher::match_value(
                expected,
                Some(&Value::String(text.clone())),
                MatchMode::Equals,
            )
            .is_empty(),
            (Some(_), None) => false,
        }
    }

    fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(k) = &self.routing_key {
            parts.push(format!("routing key `{k}`"));
        }
        if let Some((h, v)) = &self.header {
            parts.push(format!("header `{h}` = {v}"));
        }
        if self.body.is_some() {
            parts.push("the body pattern".to_owned());
        }
        if parts.is_empty() {
            "any message".into()
        } else {
            format!("a message with {}", parts.join(", "))
        }
    }
}

/// A header, case-insensitively.
pub(super) fn header<'a>(message: &'a AmqpMessage, name: &str) -> Option<&'a Value> {
    message
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

/// An expectation ready to run on one side.
struct Expectation {
    service: String,
    listener: String,
    filter: MessageFilter,
    window: Duration,
}

fn expectation(
    r: &super::SideRender<'_>,
    listener: &str,
    routing_key: &str,
    header: Option<(&str, &str)>,
    body: Option<&str>,
    window: Duration,
) -> Result<Expectation, String> {
    let Some((service, _)) = r.state().amqp.listeners.get(listener) else {
        let known: Vec<&str> = r
            .state()
            .amqp
            .listeners
            .keys()
            .map(String::as_str)
            .collect();
        return Err(format!(
            "no listener `{listener}` in this scenario (listening: {}); start one with `I listen on exchange \"…\" with routing key \"…\" as \"{listener}\"` before the action",
            if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            }
        ));
    };
    let filter = MessageFilter {
        routing_key: (!routing_key.is_empty())
            .then(|| r.render(routing_key))
            .transpose()?,
        header: header
            .map(|(n, v)| {
                r.render(v)
                    .map(|v| (n.to_owned(), matcher::parse_expected(&v)))
            })
            .transpose()?,
        body: body
            .map(|b| {
                let text = r.render_json(b)?;
                let value = matcher::parse_expected(&text);
                matcher::validate_expected(&value).map_err(|e| e.to_string())?;
                Ok::<_, String>(value)
            })
            .transpose()?,
    };
    Ok(Expectation {
        service: service.clone(),
        listener: listener.to_owned(),
        filter,
        window,
    })
}

fn expect_one(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let args = Args::of(&ctx);
        let (routing_key, header_name, header_value, listener) = (
            args.text("routing_key"),
            args.text("header"),
            args.text("value"),
            args.text("listener"),
        );
        let window = args.duration("timeout");
        let body = ctx.step.docstring.clone();
        let (run, scenario) = w.twin_parts();
        let prepared = prepare(&run, scenario, None, |r| {
            let header = (!header_name.is_empty()).then_some((header_name, header_value));
            expectation(r, listener, routing_key, header, body.as_deref(), window)
        });
        let sides = on_both(&run, prepared, &mut scenario.sides, one_side).await;
        scenario.record(&run, &ctx.step, sides);
    })
}

async fn one_side(
    _run: &RunContext,
    _side: Side,
    e: Expectation,
    state: &mut SideState,
) -> SideStep {
    let Some((_, listener)) = state.amqp.listeners.get_mut(&e.listener) else {
        return error(format!("no listener `{}`", e.listener));
    };
    let deadline = Instant::now() + e.window;
    let filter = e.filter.clone();
    match listener.take(&|m| filter.accepts(m), deadline).await {
        Err(err) => error(err.to_string()),
        Ok(None) => SideStep {
            outcome: StepOutcome::Failed {
                message: format!(
                    "{} did not arrive on `{}` within {:?}",
                    e.filter.describe(),
                    e.listener,
                    e.window
                ),
            },
            ..SideStep::default()
        },
        Ok(Some(message)) => {
            state.amqp.last_message = Some(message.clone());
            SideStep {
                observations: vec![observation(
                    &e.service,
                    AmqpEvent::Received {
                        listener: e.listener,
                        message,
                    },
                )],
                ..SideStep::default()
            }
        }
    }
}

fn expect_none(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let args = Args::of(&ctx);
        let (routing_key, listener) = (args.text("routing_key"), args.text("listener"));
        let window = args.duration("timeout");
        count_step(w, &ctx, listener, routing_key, window, Count::None).await;
    })
}

fn expect_count(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let args = Args::of(&ctx);
        let n: usize = args.text("count").parse().unwrap_or(0);
        let (routing_key, listener) = (args.text("routing_key"), args.text("listener"));
        let window = args.duration("timeout");
        let ordered = !args.text("in_order").is_empty();
        count_step(
            w,
            &ctx,
            listener,
            routing_key,
            window,
            Count::Exactly { n, ordered },
        )
        .await;
    })
}

/// What a counting step expects.
#[derive(Debug, Clone, Copy)]
enum Count {
    None,
    Exactly { n: usize, ordered: bool },
}

async fn count_step(
    w: &mut TwinWorld,
    ctx: &Context,
    listener: &str,
    routing_key: &str,
    window: Duration,
    count: Count,
) {
    let (run, scenario) = w.twin_parts();
    let prepared = prepare(&run, scenario, None, |r| {
        Ok((
            expectation(r, listener, routing_key, None, None, window)?,
            count,
        ))
    });
    let sides = on_both(&run, prepared, &mut scenario.sides, count_side).await;
    scenario.record(&run, &ctx.step, sides);
}

async fn count_side(
    _run: &RunContext,
    _side: Side,
    (e, count): (Expectation, Count),
    state: &mut SideState,
) -> SideStep {
    let Some((_, listener)) = state.amqp.listeners.get_mut(&e.listener) else {
        return error(format!("no listener `{}`", e.listener));
    };
    let deadline = Instant::now() + e.window;
    let (enough, expected, ordered) = match count {
        Count::None => (None, 0, false),
        Count::Exactly { n, ordered } => (Some(n), n, ordered),
    };
    let filter = e.filter.clone();
    let messages = match listener
        .collect(&|m| filter.accepts(m), deadline, enough, SETTLE)
        .await
    {
        Ok(messages) => messages,
        Err(err) => return error(err.to_string()),
    };
    let got = messages.len();
    let outcome = if got == expected {
        StepOutcome::Passed
    } else {
        let what = e.filter.describe();
        StepOutcome::Failed {
            message: match count {
                Count::None => format!(
                    "{got} unexpected message(s) ({what}) arrived on `{}` within {:?}, first with routing key `{}`",
                    e.listener,
                    e.window,
                    messages
                        .first()
                        .map(|m| m.routing_key.as_str())
                        .unwrap_or_default()
                ),
                Count::Exactly { .. } => format!(
                    "expected {expected} message(s) ({what}) on `{}` within {:?}, {got} arrived",
                    e.listener, e.window
                ),
            },
        }
    };
    if let Some(last) = messages.last() {
        state.amqp.last_message = Some(last.clone());
    }
    SideStep {
        outcome,
        observations: vec![observation(
            &e.service,
            AmqpEvent::Collected {
                listener: e.listener,
                expected: match count {
                    Count::None => "none".into(),
                    Count::Exactly { n, ordered: true } => format!("{n} in order"),
                    Count::Exactly { n, .. } => n.to_string(),
                },
                ordered,
                messages,
            },
        )],
        ..SideStep::default()
    }
}
