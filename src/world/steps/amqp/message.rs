//! Assertions on, and captures from, the last message an expectation took.

use cucumber::step::Context;
use futures::future::LocalBoxFuture;
use serde_json::Value;

use super::expect::header;
use crate::matcher::{self, MatchMode};
use crate::trace::{AmqpMessage, AssertionRecord, Body};
use crate::world::TwinWorld;
use crate::world::scenario::SideCtx;
use crate::world::steps::StepDef;
use crate::world::steps::assertion::{assert_on_last, capture_from_last, expected_body, matched};
use crate::world::steps::declaration::{Action, ArgKind, Args, param};
use crate::world::steps::response::{each_matches, query};

pub(super) fn steps() -> Vec<StepDef> {
    vec![
        StepDef {
            pattern: r"^the message body should match:$",
            summary: "Asserts the whole JSON body of the last message against the docstring (exact keys; fuzzy markers allowed).",
            example: "Then the message body should match:",
            params: const {
                &[param(
                    "docstring",
                    ArgKind::Docstring,
                    "the expected JSON body (a template; fuzzy markers allowed)",
                )]
            },
            action: Action::Assert,
            run: body_matches,
        },
        StepDef {
            pattern: r"^the message body should contain:$",
            summary: "Asserts that the JSON body of the last message contains the docstring's fields (fuzzy markers allowed).",
            example: "Then the message body should contain:",
            params: const {
                &[param(
                    "docstring",
                    ArgKind::Docstring,
                    "the JSON fields the body must hold (a template; fuzzy markers allowed)",
                )]
            },
            action: Action::Assert,
            run: body_contains,
        },
        StepDef {
            pattern: r#"^the message field "(?<jsonpath>[^"]+)" should be (?<expected>.+)$"#,
            summary: "Asserts the value at a JSONPath of the last message's body (a JSON literal or a fuzzy marker).",
            example: r#"Then the message field "$.orderNo" should be "{{ orderNo }}""#,
            params: const {
                &[
                    param(
                        "jsonpath",
                        ArgKind::JsonPath,
                        "JSONPath (RFC 9535) into the JSON body",
                    ),
                    param(
                        "expected",
                        ArgKind::Expected,
                        "a JSON literal or a fuzzy marker",
                    ),
                ]
            },
            action: Action::Assert,
            run: field_is,
        },
        StepDef {
            pattern: r#"^each message field "(?<jsonpath>[^"]+)" should be (?<expected>.+)$"#,
            summary: "Asserts every value a JSONPath selects in the last message's body (a wildcard such as `$.lines[*].plant`); a path that selects nothing fails.",
            example: r#"Then each message field "$.lines[*].plant" should be "{{ env.plant }}""#,
            params: const {
                &[
                    param(
                        "jsonpath",
                        ArgKind::JsonPath,
                        "JSONPath (RFC 9535) selecting the values, usually with a wildcard",
                    ),
                    param(
                        "expected",
                        ArgKind::Expected,
                        "a JSON literal or a fuzzy marker each value must match",
                    ),
                ]
            },
            action: Action::Assert,
            run: each_field_is,
        },
        StepDef {
            pattern: r#"^the message header "(?<header>[^"]+)" should be (?<expected>.+)$"#,
            summary: "Asserts an application header of the last message (a JSON literal or a fuzzy marker).",
            example: r#"Then the message header "x-plant" should be "{{ env.plant }}""#,
            params: const {
                &[
                    param("header", ArgKind::Text, "message header name"),
                    param(
                        "expected",
                        ArgKind::Expected,
                        "a JSON literal or a fuzzy marker",
                    ),
                ]
            },
            action: Action::Assert,
            run: header_is,
        },
        StepDef {
            pattern: r#"^the message property "(?<property>[^"]+)" should be (?<expected>.+)$"#,
            summary: "Asserts a property of the last message (message_id, correlation_id, content_type, delivery_mode, type, …).",
            example: r##"Then the message property "content_type" should be "application/json""##,
            params: const {
                &[
                    param(
                        "property",
                        ArgKind::Text,
                        "AMQP property: message_id, correlation_id, content_type, delivery_mode, …",
                    ),
                    param(
                        "expected",
                        ArgKind::Expected,
                        "a JSON literal or a fuzzy marker",
                    ),
                ]
            },
            action: Action::Assert,
            run: property_is,
        },
        StepDef {
            pattern: r#"^the message routing key should be "(?<routing_key>[^"]*)"$"#,
            summary: "Asserts the routing key of the last message.",
            example: r#"Then the message routing key should be "order.created""#,
            params: const {
                &[param(
                    "routing_key",
                    ArgKind::Template,
                    "expected routing key (a template)",
                )]
            },
            action: Action::Assert,
            run: routing_key_is,
        },
        StepDef {
            pattern: r#"^I capture the message field "(?<jsonpath>[^"]+)" as "(?<variable>[^"]+)"$"#,
            summary: "Stores the value at a JSONPath of the last message's body in a variable, per environment.",
            example: r#"And I capture the message field "$.orderId" as "orderId""#,
            params: const {
                &[
                    param(
                        "jsonpath",
                        ArgKind::JsonPath,
                        "JSONPath (RFC 9535) into the JSON body",
                    ),
                    param(
                        "variable",
                        ArgKind::Variable,
                        "variable to store the value in",
                    ),
                ]
            },
            action: Action::Capture,
            run: capture_field,
        },
        StepDef {
            pattern: r#"^I capture the message (?<kind>header|property) "(?<name>[^"]+)" as "(?<variable>[^"]+)"$"#,
            summary: "Stores a header or property of the last message in a variable, per environment.",
            example: r#"And I capture the message property "correlation_id" as "correlationId""#,
            params: const {
                &[
                    param("kind", ArgKind::Choice, "`header` or `property`"),
                    param("name", ArgKind::Text, "header or property name"),
                    param(
                        "variable",
                        ArgKind::Variable,
                        "variable to store the value in",
                    ),
                ]
            },
            action: Action::Capture,
            run: capture_meta,
        },
    ]
}

/// Runs a check against each side's last message.
fn assert_step(
    w: &mut TwinWorld,
    ctx: &Context,
    check: impl Fn(&SideCtx<'_>, &AmqpMessage) -> Result<AssertionRecord, String>,
) {
    assert_on_last(
        w,
        ctx,
        |state| state.amqp.last_message.as_ref(),
        "no message to check: expect one first (`a message … should arrive on \"…\" within …`)",
        check,
    );
}

/// Checks `actual` at `path` against the rendered expected text.
fn check_value(
    s: &SideCtx<'_>,
    path: &str,
    expected: &str,
    actual: Option<Value>,
    description: String,
) -> Result<AssertionRecord, String> {
    let expected = matcher::parse_expected(&s.render_json(expected)?);
    matcher::validate_expected_at(path, &expected).map_err(|e| e.to_string())?;
    let mismatches = matcher::match_at(path, &expected, actual.as_ref(), MatchMode::Equals);
    Ok(matched(
        format!("{description} == {expected}"),
        path,
        actual,
        &mismatches,
    ))
}

/// The JSON body of a message, or why there is none.
fn json_body(message: &AmqpMessage) -> Result<&Value, String> {
    match &message.body {
        Some(Body::Json(v)) => Ok(v),
        Some(Body::Text(t)) => Err(format!(
            "the message body is not JSON: {:?}",
            t.chars().take(80).collect::<String>()
        )),
        None => Err("the message has no body".into()),
    }
}

fn body_matches(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move { body_step(w, &ctx, MatchMode::Equals) })
}

fn body_contains(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move { body_step(w, &ctx, MatchMode::Contains) })
}

fn body_step(w: &mut TwinWorld, ctx: &Context, mode: MatchMode) {
    let docstring = ctx.step.docstring.clone();
    let line = ctx.step.position.line;
    assert_step(w, ctx, |s, message| {
        let expected = expected_body(s, docstring.as_deref(), line)?;
        let description = match mode {
            MatchMode::Equals => "message body matches the docstring",
            MatchMode::Contains => "message body contains the docstring",
        };
        let actual = json_body(message)?;
        let mismatches = matcher::match_value(&expected, Some(actual), mode);
        Ok(matched(
            description.into(),
            "$",
            Some(actual.clone()),
            &mismatches,
        ))
    });
}

fn field_is(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let args = Args::of(&ctx);
        let (path, expected) = (args.owned("jsonpath"), args.owned("expected"));
        assert_step(w, &ctx, |s, message| {
            let actual = query(&path, json_body(message)?)?;
            check_value(s, &path, &expected, actual, format!("message {path}"))
        });
    })
}

fn each_field_is(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let args = Args::of(&ctx);
        let (path, expected) = (args.owned("jsonpath"), args.owned("expected"));
        assert_step(w, &ctx, |s, message| {
            let expected = matcher::parse_expected(&s.render_json(&expected)?);
            matcher::validate_expected_at(&path, &expected).map_err(|e| e.to_string())?;
            let description = format!("each message {path} == {expected}");
            each_matches(&path, json_body(message)?, &expected, description)
        });
    })
}

fn header_is(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let args = Args::of(&ctx);
        let (name, expected) = (args.owned("header"), args.owned("expected"));
        assert_step(w, &ctx, |s, message| {
            let actual = header(message, &name).cloned();
            check_value(
                s,
                &format!("header:{name}"),
                &expected,
                actual,
                format!("message header {name}"),
            )
        });
    })
}

fn property_is(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let args = Args::of(&ctx);
        let (name, expected) = (args.owned("property"), args.owned("expected"));
        assert_step(w, &ctx, |s, message| {
            let actual = property(message, &name)?;
            check_value(
                s,
                &format!("property:{name}"),
                &expected,
                actual,
                format!("message property {name}"),
            )
        });
    })
}

/// A property as JSON: numbers for delivery_mode, priority and timestamp, strings otherwise.
fn property(message: &AmqpMessage, name: &str) -> Result<Option<Value>, String> {
    Ok(message.properties.get(name)?.map(|text| match name {
        "delivery_mode" | "priority" | "timestamp" => matcher::parse_expected(&text),
        _ => Value::String(text),
    }))
}

fn routing_key_is(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let args = Args::of(&ctx);
        let expected = args.owned("routing_key");
        assert_step(w, &ctx, |s, message| {
            let expected = s.render(&expected)?;
            let actual = Value::String(message.routing_key.clone());
            let mismatches = matcher::match_at(
                "routing_key",
                &Value::String(expected.clone()),
                Some(&actual),
                MatchMode::Equals,
            );
            Ok(matched(
                format!("routing key == {expected}"),
                "routing_key",
                Some(actual),
                &mismatches,
            ))
        });
    })
}

fn capture_field(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let args = Args::of(&ctx);
        let (path, name) = (args.owned("jsonpath"), args.owned("variable"));
        capture_step(w, &ctx, &name, |message| {
            query(&path, json_body(message)?)?.ok_or_else(|| {
                format!("cannot capture `{name}`: `{path}` matches nothing in the message")
            })
        });
    })
}

fn capture_meta(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let args = Args::of(&ctx);
        let (kind, field, name) = (
            args.owned("kind"),
            args.owned("name"),
            args.owned("variable"),
        );
        capture_step(w, &ctx, &name, |message| {
            let value = if kind == "header" {
                header(message, &field).cloned()
            } else {
                property(message, &field)?
            };
            value.ok_or_else(|| {
                format!("cannot capture `{name}`: the message has no {kind} `{field}`")
            })
        });
    })
}

fn capture_step(
    w: &mut TwinWorld,
    ctx: &Context,
    name: &str,
    take: impl Fn(&AmqpMessage) -> Result<Value, String>,
) {
    capture_from_last(
        w,
        ctx,
        |state| state.amqp.last_message.as_ref(),
        "no message to capture from: expect one first",
        name,
        take,
    );
}
