//! Publishing: properties and headers for the next message, then a confirmed,
//! mandatory publish of a templated body to both environments.

use cucumber::step::Context;
use futures::future::LocalBoxFuture;

use super::{
    AMQP_SERVICE, SideRender, client, error, observation, on_both, prepare, service_name,
    write_refusal,
};
use crate::trace::{AmqpEvent, AmqpMessage, PublishConfirm, Side, SideStep, StepOutcome};
use crate::world::steps::StepDef;
use crate::world::steps::declaration::{Action, ArgKind, Args, Part, Transport, Writes, param};
use crate::world::steps::fixtures::read_fixture;
use crate::world::steps::variables::table_pairs;
use crate::world::{RunContext, SideState, TwinWorld};

pub(super) fn steps() -> Vec<StepDef> {
    vec![
        StepDef {
            pattern: r"^the message properties are:$",
            summary: "Sets properties of the next published message from a data table (message_id, correlation_id, content_type, delivery_mode, type, app_id, priority, expiration, reply_to, timestamp, user_id); values are templates.",
            example: "Given the message properties are:",
            params: const {
                &[param(
                    "table",
                    ArgKind::Table,
                    "name | value rows; values are templates",
                )]
            },
            action: Action::Build(Part::MessageProperties),
            run: set_properties,
        },
        StepDef {
            pattern: r"^the message headers are:$",
            summary: "Sets application headers of the next published message from a data table (name | value); values are templates.",
            example: "Given the message headers are:",
            params: const {
                &[param(
                    "table",
                    ArgKind::Table,
                    "name | value rows; values are templates",
                )]
            },
            action: Action::Build(Part::MessageHeaders),
            run: set_headers,
        },
        StepDef {
            pattern: r#"^I publish to exchange "(?<exchange>[^"]*)"(?: on "(?<service>[^"]+)")? with routing key "(?<routing_key>[^"]*)"$"#,
            summary: "Publishes the docstring (a template) to an exchange in both environments, mandatory and confirmed: a returned or unconfirmed message fails the step.",
            example: r#"When I publish to exchange "orders" with routing key "order.created""#,
            params: const {
                &[
                    param("exchange", ArgKind::Template, "exchange to publish to"),
                    AMQP_SERVICE,
                    param("routing_key", ArgKind::Template, "routing key (a template)"),
                    param(
                        "docstring",
                        ArgKind::Docstring,
                        "the message body (a template)",
                    ),
                ]
            },
            action: Action::Send {
                transport: Transport::AmqpPublish,
                writes: Writes::Always("publishing a message"),
            },
            run: publish_docstring,
        },
        StepDef {
            pattern: r#"^I publish the fixture "(?<fixture>[^"]+)" to exchange "(?<exchange>[^"]*)"(?: on "(?<service>[^"]+)")? with routing key "(?<routing_key>[^"]*)"$"#,
            summary: "Publishes a fixture file under scenarios/ (a template) to an exchange in both environments, mandatory and confirmed.",
            example: r#"When I publish the fixture "orders/new-order.json" to exchange "orders" on "events" with routing key "order.created""#,
            params: const {
                &[
                    param(
                        "fixture",
                        ArgKind::Fixture,
                        "file under scenarios/ holding the body (a template)",
                    ),
                    param("exchange", ArgKind::Template, "exchange to publish to"),
                    AMQP_SERVICE,
                    param("routing_key", ArgKind::Template, "routing key (a template)"),
                ]
            },
            action: Action::Send {
                transport: Transport::AmqpPublish,
                writes: Writes::Always("publishing a message"),
            },
            run: publish_fixture,
        },
    ]
}

fn set_properties(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let pairs = table_pairs(&ctx).and_then(|pairs| {
            let known = crate::trace::MessageProperties::default();
            for (name, _) in &pairs {
                known.get(name)?;
            }
            Ok(pairs)
        });
        w.each_side(&ctx, |s| match &pairs {
            Ok(pairs) => {
                s.state.amqp.properties.extend(pairs.iter().cloned());
                SideStep::default()
            }
            Err(message) => error(message.clone()),
        });
    })
}

fn set_headers(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let pairs = table_pairs(&ctx);
        w.each_side(&ctx, |s| match &pairs {
            Ok(pairs) => {
                s.state.amqp.headers.extend(pairs.iter().cloned());
                SideStep::default()
            }
            Err(message) => error(message.clone()),
        });
    })
}

fn publish_docstring(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let args = Args::of(&ctx);
        let target = Target {
            exchange: args.owned("exchange"),
            service: args.owned("service"),
            routing_key: args.owned("routing_key"),
            body: Ok(ctx.step.docstring.clone().unwrap_or_default()),
        };
        publish_step(w, &ctx, target).await;
    })
}

fn publish_fixture(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let args = Args::of(&ctx);
        let run = w.twin_parts().0;
        let target = Target {
            body: read_fixture(&run, args.text("fixture")),
            exchange: args.owned("exchange"),
            service: args.owned("service"),
            routing_key: args.owned("routing_key"),
        };
        publish_step(w, &ctx, target).await;
    })
}

/// A publish as written in a step, before rendering.
struct Target {
    exchange: String,
    service: String,
    routing_key: String,
    /// Body template, or why it could not be read.
    body: Result<String, String>,
}

async fn publish_step(w: &mut TwinWorld, ctx: &Context, target: Target) {
    let (run, scenario) = w.twin_parts();
    let mut pending = Vec::new();
    for side in Side::BOTH {
        let amqp = &mut scenario.sides.get_mut(side).amqp;
        pending.push((
            std::mem::take(&mut amqp.properties),
            std::mem::take(&mut amqp.headers),
        ));
    }
    let (properties, headers) = pending.swap_remove(0);
    let refusal = write_refusal(&run, scenario, "publishing a message");
    let prepared = prepare(&run, scenario, refusal, |r| {
        let service = service_name(&run, &target.service)?;
        let message = render_message(r, &target, &properties, &headers)?;
        Ok((service, message))
    });
    let sides = on_both(&run, prepared, &mut scenario.sides, publish_side).await;
    scenario.record(&run, &ctx.step, sides);
}

/// The message for one side: routing key, properties, headers and body rendered.
fn render_message(
    r: &SideRender<'_>,
    target: &Target,
    properties: &[(String, String)],
    headers: &[(String, String)],
) -> Result<AmqpMessage, String> {
    let mut message = AmqpMessage {
        exchange: r.render(&target.exchange)?,
        routing_key: r.render(&target.routing_key)?,
        ..AmqpMessage::default()
    };
    for (name, template) in properties {
        message.properties.set(name, r.render(template)?)?;
    }
    for (name, template) in headers {
        let value = crate::matcher::parse_expected(&r.render(template)?);
        message.headers.insert(name.clone(), value);
    }
    let body = r.render_json(target.body.as_ref().map_err(Clone::clone)?)?;
    message.set_payload(body.as_bytes());
    if message.properties.content_type.is_none()
        && matches!(message.body, Some(crate::trace::Body::Json(_)))
    {
        message.properties.content_type = Some("application/json".into());
    }
    Ok(message)
}

async fn publish_side(
    run: &RunContext,
    side: Side,
    (service, message): (String, AmqpMessage),
    _state: &mut SideState,
) -> SideStep {
    let client = match client(run, side, &service) {
        Ok(c) => c,
        Err(m) => return error(m),
    };
    match client.publish(&message).await {
        Err(e) => error(e.to_string()),
        Ok(confirm) => {
            let outcome = match confirm {
                PublishConfirm::Confirmed => StepOutcome::Passed,
                PublishConfirm::Returned => StepOutcome::Failed {
                    message: format!(
                        "the broker returned the message as unroutable: no queue is bound to exchange `{}` for routing key `{}`",
                        message.exchange, message.routing_key
                    ),
                },
                PublishConfirm::Nacked => StepOutcome::Failed {
                    message: format!(
                        "the broker did not accept the message for exchange `{}` (nack)",
                        message.exchange
                    ),
                },
            };
            SideStep {
                outcome,
                observations: vec![observation(
                    &service,
                    AmqpEvent::Published { message, confirm },
                )],
                ..SideStep::default()
            }
        }
    }
}
