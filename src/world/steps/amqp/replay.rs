//! Replay, record and topology steps.
//!
//! ```gherkin
//! When I replay the messages of "replay/orders.jsonl" with routing key "order.*" to exchange "orders"
//!   | field      | template                          |
//!   | message_id | {{ uuid() }}                      |
//!   | $.orderNo  | {{ original }}-R{{ index }}       |
//! ```
//!
//! A rewrite's template sees the original value as `original` and the
//! message's position among the selected ones as `index` (from 0). Targets:
//! `routing_key`, `exchange`, a property name, `header:NAME`, or a body path
//! `$.a.b[0]`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use cucumber::step::Context;
use futures::future::LocalBoxFuture;
use serde_json::Value;

use super::{
    AMQP_SERVICE, SideRender, client, error, observation, on_both, prepare, service_name,
    write_refusal,
};
use crate::trace::{AmqpEvent, AmqpMessage, Body, ReplayCounts, Side, SideStep, StepOutcome};
use crate::transport::amqp::management::fetch_topology;
use crate::transport::amqp::replay::{ReplayWriter, publish_all, read_replay_file};
use crate::transport::amqp::topic_matches;
use crate::world::steps::StepDef;
use crate::world::steps::declaration::{Action, ArgKind, Args, Transport, Writes, param};
use crate::world::steps::fixtures::fixture_path;
use crate::world::steps::variables::table_pairs;
use crate::world::{RunContext, SideState, TwinWorld};

/// The replay step; its rewrite table's templates also see `original` and `index`.
const REPLAY: &str = r#"^I replay the messages of "(?<file>[^"]+)"(?: with routing key "(?<routing_key>[^"]+)")? to exchange "(?<exchange>[^"]*)"(?: on "(?<service>[^"]+)")?$"#;

/// Variables the replay step's rewrite table provides to its own templates.
pub(crate) const REPLAY_TABLE_VARIABLES: &[&str] = &["original", "index"];

pub(super) fn steps() -> Vec<StepDef> {
    vec![
        StepDef {
            pattern: REPLAY,
            summary: "Publishes the messages of a replay file under scenarios/ (those whose routing key matches the pattern) in order, confirmed, to an exchange (\"\" keeps each message's own); an optional table (field | template) rewrites ids. Returned or unconfirmed messages fail the step; counts go to the trace.",
            example: r#"When I replay the messages of "replay/orders.jsonl" with routing key "order.*" to exchange "orders""#,
            params: const {
                &[
                    param(
                        "file",
                        ArgKind::Fixture,
                        "replay file under scenarios/ (JSON Lines)",
                    ),
                    param(
                        "routing_key",
                        ArgKind::Template,
                        "only messages whose routing key matches this pattern",
                    ),
                    param("exchange", ArgKind::Template, "exchange to publish to"),
                    AMQP_SERVICE,
                    param(
                        "table",
                        ArgKind::Table,
                        "field | template rows rewriting each message (optional)",
                    ),
                ]
            },
            action: Action::Send {
                transport: Transport::AmqpReplay,
                writes: Writes::Always("replaying messages"),
            },
            run: replay,
        },
        StepDef {
            pattern: r#"^I record the messages on "(?<listener>[^"]+)" to "(?<file>[^"]+)" for (?<window>\d+(?:\.\d+)? ?(?:ms|s|seconds?))$"#,
            summary: "Writes every message arriving on a listener during the window to a replay file under scenarios/ (a template; it must differ per environment, e.g. with {{ env.name }}).",
            example: r#"When I record the messages on "orderEvents" to "replay/orders-{{ env.name }}.jsonl" for 10 seconds"#,
            params: const {
                &[
                    param("listener", ArgKind::Listener, "listener to record from"),
                    param(
                        "file",
                        ArgKind::Fixture,
                        "replay file to write under scenarios/ (a template)",
                    ),
                    param("window", ArgKind::Duration, "how long: ms, s or seconds"),
                ]
            },
            action: Action::Record,
            run: record,
        },
        StepDef {
            pattern: r#"^I compare the broker topology(?: of "(?<service>[^"]+)")?$"#,
            summary: "Reads the exchanges, queues (durability, type, TTL, dead-letter exchange, max length…) and bindings of the service's vhost through the management API in both environments; differences are topology drift.",
            example: r#"Then I compare the broker topology of "events""#,
            params: const { &[AMQP_SERVICE] },
            action: Action::Send {
                transport: Transport::BrokerTopology,
                writes: Writes::Never,
            },
            run: topology,
        },
    ]
}

/// One rewrite of a replayed message.
#[derive(Debug, Clone)]
struct Rewrite {
    field: String,
    template: String,
}

fn replay(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let args = Args::of(&ctx);
        let (file, pattern, exchange, service) = (
            args.text("file"),
            args.text("routing_key"),
            args.text("exchange"),
            args.text("service"),
        );
        let rewrites: Result<Vec<Rewrite>, String> = match ctx.step.table {
            None => Ok(Vec::new()),
            Some(_) => table_pairs(&ctx).map(|pairs| {
                pairs
                    .into_iter()
                    .filter(|(f, t)| {
                        !(f.eq_ignore_ascii_case("field") && t.eq_ignore_ascii_case("template"))
                    })
                    .map(|(field, template)| Rewrite { field, template })
                    .collect()
            }),
        };
        let (run, scenario) = w.twin_parts();
        let refusal = write_refusal(&run, scenario, "replaying messages");
        let prepared = prepare(&run, scenario, refusal, |r| {
            let service = service_name(&run, service)?;
            let path = fixture_path(&run, &r.render(file)?)?;
            let captured = read_replay_file(&path)?;
            let pattern = r.render(pattern)?;
            let exchange = r.render(exchange)?;
            let selected: Vec<&AmqpMessage> = captured
                .iter()
                .filter(|m| pattern.is_empty() || topic_matches(&pattern, &m.routing_key))
                .collect();
            let rewrites = rewrites.as_ref().map_err(Clone::clone)?;
            let mut messages = Vec::new();
            for (index, original) in selected.into_iter().enumerate() {
                let mut message = original.clone();
                if !exchange.is_empty() {
                    message.exchange = exchange.clone();
                }
                for rewrite in rewrites {
                    apply(r, &mut message, rewrite, index)?;
                }
                messages.push(message);
            }
            Ok(ReplayPlan {
                service,
                file: file.to_owned(),
                captured: captured.len(),
                messages,
            })
        });
        let sides = on_both(&run, prepared, &mut scenario.sides, replay_side).await;
        scenario.record(&run, &ctx.step, sides);
    })
}

/// The messages of one side's replay, rewritten and ready.
struct ReplayPlan {
    service: String,
    file: String,
    captured: usize,
    messages: Vec<AmqpMessage>,
}

/// Applies one rewrite; the template sees `original` and `index`.
fn apply(
    r: &SideRender<'_>,
    message: &mut AmqpMessage,
    rewrite: &Rewrite,
    index: usize,
) -> Result<(), String> {
    let field = rewrite.field.as_str();
    let original = current(message, field)?;
    let extra = BTreeMap::from([
        ("original".to_owned(), original.unwrap_or(Value::Null)),
        ("index".to_owned(), Value::from(index)),
    ]);
    let value = r.render_with(&rewrite.template, &extra)?;
    match field {
        "routing_key" => message.routing_key = value,
        "exchange" => message.exchange = value,
        f if f.starts_with("header:") => {
            message.headers.insert(
                f["header:".len()..].to_owned(),
                crate::matcher::parse_expected(&value),
            );
        }
        f if f.starts_with('$') => {
            let pointer = json_pointer(f)?;
            let Some(Body::Json(body)) = &mut message.body else {
                return Err(format!(
                    "cannot rewrite `{f}`: the message body is not JSON"
                ));
            };
            let slot = body.pointer_mut(&pointer).ok_or_else(|| {
                format!("cannot rewrite `{f}`: the message body has no such field")
            })?;
            *slot = match slot {
                Value::String(_) => Value::String(value),
                _ => crate::matcher::parse_expected(&value),
            };
        }
        f => message.properties.set(f, value)?,
    }
    Ok(())
}

/// The value a rewrite replaces.
fn current(message: &AmqpMessage, field: &str) -> Result<Option<Value>, String> {
    Ok(match field {
        "routing_key" => Some(Value::String(message.routing_key.clone())),
        "exchange" => Some(Value::String(message.exchange.clone())),
        f if f.starts_with("header:") => message.headers.get(&f["header:".len()..]).cloned(),
        f if f.starts_with('$') => match &message.body {
            Some(Body::Json(body)) => body.pointer(&json_pointer(f)?).cloned(),
            _ => None,
        },
        f => message.properties.get(f)?.map(Value::String),
    })
}

/// `$.a.b[0]` → `/a/b/0`.
fn json_pointer(path: &str) -> Result<String, String> {
    let rest = path.strip_prefix('$').unwrap_or(path);
    let mut pointer = String::new();
    for part in rest.split('.').filter(|p| !p.is_empty()) {
        let (name, indexes) = part.split_once('[').map_or((part, ""), |(n, i)| (n, i));
        if !name.is_empty() {
            pointer.push('/');
            pointer.push_str(&name.replace('~', "~0").replace('/', "~1"));
        }
        for index in indexes.split('[').filter(|i| !i.is_empty()) {
            let index = index.trim_end_matches(']');
            if index.parse::<usize>().is_err() {
                return Err(format!(
                    "cannot rewrite `{path}`: only `$.a.b[0]` style paths can be rewritten"
                ));
            }
            pointer.push('/');
            pointer.push_str(index);
        }
    }
    Ok(pointer)
}

async fn replay_side(
    run: &RunContext,
    side: Side,
    plan: ReplayPlan,
    _state: &mut SideState,
) -> SideStep {
    let client = match client(run, side, &plan.service) {
        Ok(c) => c,
        Err(m) => return error(m),
    };
    let (partial, failure) = publish_all(client, &plan.messages).await;
    let counts = ReplayCounts {
        captured: plan.captured,
        ..partial
    };
    let outcome = match failure {
        Some(e) => StepOutcome::Error {
            message: format!("{e} ({})", describe(&counts)),
        },
        None if counts.returned + counts.nacked > 0 => StepOutcome::Failed {
            message: format!(
                "not every replayed message was routed and confirmed: {}",
                describe(&counts)
            ),
        },
        None => StepOutcome::Passed,
    };
    SideStep {
        outcome,
        observations: vec![observation(
            &plan.service,
            AmqpEvent::Replayed {
                file: plan.file,
                counts,
            },
        )],
        ..SideStep::default()
    }
}

fn describe(c: &ReplayCounts) -> String {
    format!(
        "captured {}, selected {}, replayed {}, confirmed {}, returned {}, nacked {}",
        c.captured, c.selected, c.replayed, c.confirmed, c.returned, c.nacked
    )
}

fn record(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let args = Args::of(&ctx);
        let (listener, file) = (args.text("listener"), args.text("file"));
        let window = args.duration("window");
        let (run, scenario) = w.twin_parts();
        let mut prepared = prepare(&run, scenario, None, |r| {
            if !r.state().amqp.listeners.contains_key(listener) {
                return Err(format!("no listener `{listener}` in this scenario"));
            }
            Ok(RecordPlan {
                listener: listener.to_owned(),
                file: r.render(file)?,
                path: fixture_path(&run, &r.render(file)?)?,
                window,
            })
        });
        if let (Ok(b), Ok(c)) = (&prepared.baseline, &prepared.candidate)
            && b.path == c.path
        {
            let message = format!(
                "both environments would record to `{}`: put {{{{ env.name }}}} in the file name",
                b.file
            );
            prepared = crate::trace::Twin::new(Err(error(message.clone())), Err(error(message)));
        }
        let sides = on_both(&run, prepared, &mut scenario.sides, record_side).await;
        scenario.record(&run, &ctx.step, sides);
    })
}

/// Where one side records.
struct RecordPlan {
    listener: String,
    file: String,
    path: PathBuf,
    window: std::time::Duration,
}

async fn record_side(
    _run: &RunContext,
    _side: Side,
    plan: RecordPlan,
    state: &mut SideState,
) -> SideStep {
    let Some((service, listener)) = state.amqp.listeners.get_mut(&plan.listener) else {
        return error(format!("no listener `{}`", plan.listener));
    };
    let deadline = Instant::now() + plan.window;
    let messages = match listener
        .collect(&|_| true, deadline, None, plan.window)
        .await
    {
        Ok(messages) => messages,
        Err(e) => return error(e.to_string()),
    };
    let written = ReplayWriter::create(&plan.path).and_then(|mut writer| {
        let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        for message in &messages {
            let mut line = message.clone();
            line.received_at.get_or_insert_with(|| at.clone());
            writer.append(&line)?;
        }
        Ok(messages.len())
    });
    match written {
        Err(e) => error(e),
        Ok(count) => SideStep {
            observations: vec![observation(
                service,
                AmqpEvent::Recorded {
                    file: plan.file,
                    count,
                },
            )],
            ..SideStep::default()
        },
    }
}

fn topology(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let args = Args::of(&ctx);
        let service = args.text("service");
        let (run, scenario) = w.twin_parts();
        let prepared = prepare(&run, scenario, None, |_| service_name(&run, service));
        let sides = on_both(&run, prepared, &mut scenario.sides, topology_side).await;
        scenario.record(&run, &ctx.step, sides);
    })
}

async fn topology_side(
    run: &RunContext,
    side: Side,
    service: String,
    _state: &mut SideState,
) -> SideStep {
    let client = match client(run, side, &service) {
        Ok(c) => c,
        Err(m) => return error(m),
    };
    match fetch_topology(client.config()).await {
        Err(e) => error(format!(
            "cannot read the broker topology of `{service}` in environment `{}`: {e}",
            run.envs.get(side).env.name
        )),
        Ok(topology) => SideStep {
            observations: vec![observation(&service, AmqpEvent::Topology { topology })],
            ..SideStep::default()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_paths_become_json_pointers() {
        let cases = [
            ("$.orderNo", Ok("/orderNo")),
            ("$.lines[0].sku", Ok("/lines/0/sku")),
            ("$.a/b", Ok("/a~1b")),
            ("$.lines[x]", Err(())),
        ];
        for (path, expected) in cases {
            assert_eq!(
                json_pointer(path).map_err(drop),
                expected.map(str::to_owned),
                "{path}"
            );
        }
    }
}
