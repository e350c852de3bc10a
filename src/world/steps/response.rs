//! Steps that assert on the last response and capture values from it.

use cucumber::step::Context;
use futures::future::LocalBoxFuture;
use serde_json::Value;

use super::StepDef;
use super::assertion::{assert_on_last, capture_from_last, checked, expected_body, matched};
use super::declaration::{Action, ArgKind, Args, param};
use crate::matcher::{self, MatchMode};
use crate::trace::{AssertionRecord, Body, HttpExchange, HttpResponseRecord};
use crate::world::TwinWorld;
use crate::world::scenario::SideCtx;

pub(super) fn steps() -> Vec<StepDef> {
    vec![
        StepDef {
            pattern: r"^the response status should be (?<status>\d{3})$",
            summary: "Asserts the status code of the last response.",
            example: "Then the response status should be 201",
            params: const {
                &[param(
                    "status",
                    ArgKind::Number,
                    "expected HTTP status code",
                )]
            },
            action: Action::Assert,
            run: status_is,
        },
        StepDef {
            pattern: r#"^the response header "(?<header>[^"]+)" should be (?<expected>.+)$"#,
            summary: "Asserts a header of the last response (a value, or a marker such as #present or #regex …).",
            example: r##"Then the response header "Content-Type" should be "#regex application/json.*""##,
            params: const {
                &[
                    param("header", ArgKind::Text, "header name (case-insensitive)"),
                    param(
                        "expected",
                        ArgKind::Expected,
                        "quoted value or fuzzy marker (a template)",
                    ),
                ]
            },
            action: Action::Assert,
            run: header_is,
        },
        StepDef {
            pattern: r#"^the response field "(?<jsonpath>[^"]+)" should be (?<expected>.+)$"#,
            summary: "Asserts the value at a JSONPath: a JSON literal (\"OPEN\", 42, true) or a fuzzy marker (#uuid, #number, ##string …).",
            example: r#"Then the response field "$.status" should be "CREATED""#,
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
                        "JSON literal or fuzzy marker (a template)",
                    ),
                ]
            },
            action: Action::Assert,
            run: field_is,
        },
        StepDef {
            pattern: r#"^each response field "(?<jsonpath>[^"]+)" should be (?<expected>.+)$"#,
            summary: "Asserts every value a JSONPath selects (a wildcard such as `$.items[*].customer`): each must be the JSON literal or match the fuzzy marker; a path that selects nothing fails.",
            example: r#"Then each response field "$.items[*].customer" should be "CUST-1""#,
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
                        "JSON literal or fuzzy marker each value must match (a template)",
                    ),
                ]
            },
            action: Action::Assert,
            run: each_field_is,
        },
        StepDef {
            pattern: r#"^the response field "(?<jsonpath>[^"]+)" should exist$"#,
            summary: "Asserts that the JSONPath matches something.",
            example: r#"Then the response field "$.id" should exist"#,
            params: const {
                &[param(
                    "jsonpath",
                    ArgKind::JsonPath,
                    "JSONPath (RFC 9535) into the JSON body",
                )]
            },
            action: Action::Assert,
            run: field_exists,
        },
        StepDef {
            pattern: r#"^the response field "(?<jsonpath>[^"]+)" should not exist$"#,
            summary: "Asserts that the JSONPath matches nothing.",
            example: r#"Then the response field "$.error" should not exist"#,
            params: const {
                &[param(
                    "jsonpath",
                    ArgKind::JsonPath,
                    "JSONPath (RFC 9535) into the JSON body",
                )]
            },
            action: Action::Assert,
            run: field_absent,
        },
        StepDef {
            pattern: r#"^the response field "(?<jsonpath>[^"]+)" should have (?<count>\d+) elements?$"#,
            summary: "Asserts the length of the array at a JSONPath.",
            example: r#"Then the response field "$.lines" should have 2 elements"#,
            params: const {
                &[
                    param(
                        "jsonpath",
                        ArgKind::JsonPath,
                        "JSONPath (RFC 9535) of an array",
                    ),
                    param("count", ArgKind::Number, "expected number of elements"),
                ]
            },
            action: Action::Assert,
            run: field_length,
        },
        StepDef {
            pattern: r"^the response body should match:$",
            summary: "Asserts the whole JSON body against the docstring (exact keys; fuzzy markers allowed).",
            example: "Then the response body should match:",
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
            pattern: r"^the response body should contain:$",
            summary: "Asserts that the JSON body contains the docstring's fields (extra fields allowed; fuzzy markers allowed).",
            example: "Then the response body should contain:",
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
            pattern: r#"^I capture the response field "(?<jsonpath>[^"]+)" as "(?<variable>[^"]+)"$"#,
            summary: "Stores the value at a JSONPath in a variable, per environment.",
            example: r#"And I capture the response field "$.id" as "orderId""#,
            params: const {
                &[
                    param(
                        "jsonpath",
                        ArgKind::JsonPath,
                        "JSONPath (RFC 9535) of the value",
                    ),
                    param(
                        "variable",
                        ArgKind::Variable,
                        "name of the variable to store it in",
                    ),
                ]
            },
            action: Action::Capture,
            run: capture_field,
        },
        StepDef {
            pattern: r#"^I capture the response header "(?<header>[^"]+)" as "(?<variable>[^"]+)"$"#,
            summary: "Stores a response header in a variable, per environment.",
            example: r#"And I capture the response header "Location" as "orderUrl""#,
            params: const {
                &[
                    param("header", ArgKind::Text, "header name (case-insensitive)"),
                    param(
                        "variable",
                        ArgKind::Variable,
                        "name of the variable to store it in",
                    ),
                ]
            },
            action: Action::Capture,
            run: capture_header,
        },
    ]
}

/// What a check on one side concluded: an assertion record, or an error (cannot check at all).
type Check = Result<AssertionRecord, String>;

/// Runs a check against each side's last response.
fn assert_step(
    w: &mut TwinWorld,
    ctx: &Context,
    check: impl Fn(&SideCtx<'_>, &HttpResponseRecord) -> Check,
) {
    assert_on_last(
        w,
        ctx,
        |state| state.last_response.as_ref(),
        "no response to check: send a request in an earlier step",
        check,
    );
}

fn status_is(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let args = Args::of(&ctx);
        let expected: u16 = args.text("status").parse().unwrap_or(0);
        assert_step(w, &ctx, |_, response| {
            let passed = response.status == expected;
            Ok(AssertionRecord {
                description: format!("status == {expected}"),
                passed,
                path: Some("status".into()),
                actual: Some(Value::from(response.status)),
                message: (!passed).then(|| {
                    format!(
                        "expected status {expected}, got {}{}",
                        response.status,
                        body_excerpt(response.body.as_ref())
                    )
                }),
            })
        });
    })
}

fn header_is(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let args = Args::of(&ctx);
        let (name, expected) = (args.owned("header"), args.owned("expected"));
        assert_step(w, &ctx, |s, response| {
            let expected = matcher::parse_expected(&s.render(&expected)?);
            let actual = response.header(&name).map(|v| Value::String(v.to_owned()));
            let path = format!("header:{}", name.to_lowercase());
            let mismatches =
                matcher::match_at(&path, &expected, actual.as_ref(), MatchMode::Equals);
            Ok(matched(
                format!("header {name} == {expected}"),
                &path,
                actual,
                &mismatches,
            ))
        });
    })
}

fn field_is(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let args = Args::of(&ctx);
        let (path, expected) = (args.owned("jsonpath"), args.owned("expected"));
        assert_step(w, &ctx, |s, response| {
            let expected = matcher::parse_expected(&s.render_json(&expected)?);
            let mut record = field_check(
                response,
                &path,
                &expected,
                MatchMode::Equals,
                format!("{path} == {expected}"),
            )?;
            let selected_many = record.actual.as_ref().is_some_and(Value::is_array)
                && !expected.is_array()
                && (path.contains("[*]") || path.contains(".."));
            if let (false, true, Some(message)) =
                (record.passed, selected_many, &mut record.message)
            {
                message.push_str(&format!(
                    " (the path selects several values; `each response field \"{path}\" should be …` checks every one)"
                ));
            }
            Ok(record)
        });
    })
}

fn each_field_is(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let args = Args::of(&ctx);
        let (path, expected) = (args.owned("jsonpath"), args.owned("expected"));
        assert_step(w, &ctx, |s, response| {
            let expected = matcher::parse_expected(&s.render_json(&expected)?);
            matcher::validate_expected_at(&path, &expected).map_err(|e| e.to_string())?;
            let description = format!("each {path} == {expected}");
            match json_body(response) {
                Ok(body) => each_matches(&path, body, &expected, description),
                Err(message) => Ok(checked(
                    description,
                    Some(path.clone()),
                    None,
                    Some(message),
                )),
            }
        });
    })
}

/// Checks every value `path` selects in `body` against `expected`, each
/// mismatch at the value's own path (`$.items[1].customer`); a path that
/// selects nothing fails.
pub(super) fn each_matches(
    path: &str,
    body: &Value,
    expected: &Value,
    description: String,
) -> Check {
    let jp = serde_json_path::JsonPath::parse(path)
        .map_err(|e| format!("invalid JSONPath `{path}`: {e}"))?;
    let nodes = jp.query_located(body);
    if nodes.is_empty() {
        let message = format!("`{path}` selects nothing; `each` needs at least one value");
        return Ok(checked(
            description,
            Some(path.to_owned()),
            None,
            Some(message),
        ));
    }
    let mut mismatches = Vec::new();
    for node in nodes.iter() {
        let at = node.location().iter().fold("$".to_owned(), |at, element| {
            match (element.as_name(), element.as_index()) {
                (Some(key), _) => matcher::push_key(&at, key),
                (None, Some(index)) => matcher::push_index(&at, index),
                (None, None) => at,
            }
        });
        mismatches.extend(matcher::match_at(
            &at,
            expected,
            Some(node.node()),
            MatchMode::Equals,
        ));
    }
    let actual = Value::Array(nodes.iter().map(|n| n.node().clone()).collect());
    Ok(matched(description, path, Some(actual), &mismatches))
}

fn field_check(
    response: &HttpResponseRecord,
    path: &str,
    expected: &Value,
    mode: MatchMode,
    description: String,
) -> Check {
    let body = match json_body(response) {
        Ok(body) => body,
        Err(message) => {
            return Ok(checked(
                description,
                Some(path.to_owned()),
                None,
                Some(message),
            ));
        }
    };
    let actual = query(path, body)?;
    let mismatches = matcher::match_at(path, expected, actual.as_ref(), mode);
    Ok(matched(description, path, actual, &mismatches))
}

fn field_exists(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move { marker_step(w, &ctx, "#present", "exists") })
}

fn field_absent(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move { marker_step(w, &ctx, "#notpresent", "does not exist") })
}

/// Checks the step's JSONPath against a fixed fuzzy marker, described as
/// `{path} {what}`.
fn marker_step(w: &mut TwinWorld, ctx: &Context, marker: &str, what: &str) {
    let path = Args::of(ctx).owned("jsonpath");
    assert_step(w, ctx, |_, response| {
        field_check(
            response,
            &path,
            &Value::from(marker),
            MatchMode::Equals,
            format!("{path} {what}"),
        )
    });
}

fn field_length(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let args = Args::of(&ctx);
        let n = args.owned("count");
        marker_step(w, &ctx, &format!("#[{n}]"), &format!("has {n} elements"));
    })
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
    assert_step(w, ctx, |s, response| {
        let expected = expected_body(s, docstring.as_deref(), line)?;
        let description = match mode {
            MatchMode::Equals => "body matches the docstring",
            MatchMode::Contains => "body contains the docstring",
        };
        field_check(response, "$", &expected, mode, description.into())
    });
}

fn capture_field(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let args = Args::of(&ctx);
        let (path, name) = (args.owned("jsonpath"), args.owned("variable"));
        capture_step(w, &ctx, &name, |response| {
            let body = json_body(response)?;
            query(&path, body)?.ok_or_else(|| {
                format!("cannot capture `{name}`: `{path}` matches nothing in the response")
            })
        });
    })
}

fn capture_header(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let args = Args::of(&ctx);
        let (header, name) = (args.owned("header"), args.owned("variable"));
        capture_step(w, &ctx, &name, |response| {
            response
                .header(&header)
                .map(|v| Value::String(v.to_owned()))
                .ok_or_else(|| {
                    format!("cannot capture `{name}`: the response has no header `{header}`")
                })
        });
    })
}

fn capture_step(
    w: &mut TwinWorld,
    ctx: &Context,
    name: &str,
    take: impl Fn(&HttpResponseRecord) -> Result<Value, String>,
) {
    capture_from_last(
        w,
        ctx,
        |state| state.last_response.as_ref(),
        "no response to capture from: send a request in an earlier step",
        name,
        take,
    );
}

/// The JSON body, or why there is none.
fn json_body(response: &HttpResponseRecord) -> Result<&Value, String> {
    match &response.body {
        Some(Body::Json(v)) => Ok(v),
        Some(Body::Text(t)) => Err(format!(
            "the response body is not JSON (status {}, {}): {}",
            response.status,
            response.header("content-type").unwrap_or("no content-type"),
            excerpt(t)
        )),
        None => Err(format!(
            "the response (status {}) has no body",
            response.status
        )),
    }
}

/// Evaluates a JSONPath: nothing → None, one node → it, several → an array of them.
pub(crate) fn query(path: &str, body: &Value) -> Result<Option<Value>, String> {
    let jp = serde_json_path::JsonPath::parse(path)
        .map_err(|e| format!("invalid JSONPath `{path}`: {e}"))?;
    let nodes = jp.query(body).all();
    Ok(match nodes.as_slice() {
        [] => None,
        [one] => Some((*one).clone()),
        many => Some(Value::Array(many.iter().map(|v| (*v).clone()).collect())),
    })
}

fn excerpt(text: &str) -> String {
    let t: String = text.chars().take(80).collect();
    if t.len() < text.len() {
        format!("{t:?}…")
    } else {
        format!("{t:?}")
    }
}

fn body_excerpt(body: Option<&Body>) -> String {
    match body {
        None => String::new(),
        Some(Body::Json(v)) => format!(" (body: {})", excerpt(&v.to_string())),
        Some(Body::Text(t)) => format!(" (body: {})", excerpt(t)),
    }
}

/// What a polling step checks, borrowed from its condition.
pub(super) enum PollCheck<'a> {
    /// A JSONPath against the expected value.
    Field(&'a str),
    /// The status code.
    Status(u16),
}

/// Whether one polling attempt met the condition; the error says what was seen instead.
pub(super) fn check_poll(
    check: PollCheck<'_>,
    expected: &Value,
    exchange: &HttpExchange,
) -> Result<(), String> {
    let response = match (&exchange.response, &exchange.error) {
        (Some(r), _) => r,
        (None, e) => return Err(e.clone().unwrap_or_else(|| "no response".into())),
    };
    match check {
        PollCheck::Status(s) if response.status == s => Ok(()),
        PollCheck::Status(_) => Err(format!("last status was {}", response.status)),
        PollCheck::Field(path) => {
            let body = json_body(response)?;
            let actual = query(path, body)?;
            let mismatches = matcher::match_at(path, expected, actual.as_ref(), MatchMode::Equals);
            match mismatches.first() {
                None => Ok(()),
                Some(m) => Err(format!("last seen: {m}")),
            }
        }
    }
}
