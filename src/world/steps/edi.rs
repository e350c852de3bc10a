//! EDI steps: post X12 / EDIFACT documents to an EDI gateway, assert the
//! acknowledgement and element values, capture values.
//!
//! ```gherkin
//! Given the request header "AS2-From" is "{{ env.edi_sender }}"
//! When I post the EDI fixture "edi/purchase-order-850.x12" to "/as2/inbound" on "edi"
//! Then the EDI acknowledgement should be accepted
//! And the EDI response element "AK1[1]/AK102" should be "{{ groupControl }}"
//! And I capture the EDI response element "ISA13" as "ackControl"
//! ```
//!
//! A document is rendered and then checked (envelopes, counts, control
//! references) on both sides before anything is sent: when either side's
//! document is malformed, the step errors on both and nothing is sent.
//! Fixtures are read as bytes in the character set the envelope declares
//! (EDIFACT UNOA … UNOY, see `edi::Charset`) and sent encoded back into it,
//! so an untouched fixture goes out byte for byte. The
//! `content-type` is `application/edi-x12` or `application/edifact` unless a
//! header step set one.

use cucumber::step::Context;
use futures::future::LocalBoxFuture;
use serde_json::Value;

use super::StepDef;
use super::assertion::{assert_on_last, capture_from_last, checked, error, mismatch_message};
use super::declaration::{Action, ArgKind, Args, Transport, Writes, param};
use super::fixtures::read_fixture_bytes;
use super::request::{PATH, RequestTemplate, SERVICE, act, prepare};
use crate::edi::{self, AckStatus, Acknowledgement, Charset, EdiPath, Interchange, Standard};
use crate::matcher::{self, MatchMode};
use crate::trace::{AssertionRecord, Body, HttpResponseRecord, Side, SideStep, Twin};
use crate::transport::http::HttpRequest;
use crate::world::TwinWorld;
use crate::world::scenario::SideCtx;

/// The step posting an EDI fixture: its fixture is read in the character set
/// its envelope declares (`driftgate check` reads it the same way).
const POST_EDI_FIXTURE: &str = r#"^I post the EDI fixture "(?<fixture>[^"]+)" to "(?<path>[^"]*)"(?: on "(?<service>[^"]+)")?$"#;

/// The step posting the EDI document of its docstring (`driftgate check`
/// validates a docstring without template syntax).
const POST_EDI_DOCUMENT: &str =
    r#"^I post an EDI document to "(?<path>[^"]*)"(?: on "(?<service>[^"]+)")?$"#;

pub(super) fn steps() -> Vec<StepDef> {
    vec![
        StepDef {
            pattern: POST_EDI_FIXTURE,
            summary: "Renders an X12/EDIFACT fixture under scenarios/, checks its envelopes and counts, and POSTs it to both environments (nothing is sent if it is malformed).",
            example: r#"When I post the EDI fixture "edi/purchase-order-850.x12" to "/as2/inbound" on "edi""#,
            params: const {
                &[
                    param(
                        "fixture",
                        ArgKind::Fixture,
                        "EDI file under the fixtures folder (a template)",
                    ),
                    PATH,
                    SERVICE,
                ]
            },
            action: Action::Send {
                transport: Transport::EdiPost,
                writes: Writes::Always("posting an EDI document"),
            },
            run: post_fixture,
        },
        StepDef {
            pattern: POST_EDI_DOCUMENT,
            summary: "Like posting an EDI fixture, with the document in the docstring.",
            example: r#"When I post an EDI document to "/as2/inbound""#,
            params: const {
                &[
                    PATH,
                    SERVICE,
                    param(
                        "docstring",
                        ArgKind::Docstring,
                        "the X12 or EDIFACT document (a template)",
                    ),
                ]
            },
            action: Action::Send {
                transport: Transport::EdiPost,
                writes: Writes::Always("posting an EDI document"),
            },
            run: post_docstring,
        },
        StepDef {
            pattern: r"^the EDI acknowledgement should be (?<verdict>accepted|accepted with errors|rejected)$",
            summary: "Reads the response as a 997, 999, TA1 or CONTRL and asserts its verdict; a mismatch lists the error codes and segment positions.",
            example: "Then the EDI acknowledgement should be accepted",
            params: const {
                &[param(
                    "verdict",
                    ArgKind::Choice,
                    "accepted, accepted with errors or rejected",
                )]
            },
            action: Action::Assert,
            run: ack_is,
        },
        StepDef {
            pattern: r#"^the EDI response element "(?<element>[^"]+)" should be (?<expected>.+)$"#,
            summary: "Asserts an element of the EDI response by path (BEG03, PO1[2]/PO102, N1[ST]/N102, BGM+2, DTM[=137]+1:2): a value or a fuzzy marker.",
            example: r#"Then the EDI response element "AK1[1]/AK102" should be "4711""#,
            params: const {
                &[
                    param(
                        "element",
                        ArgKind::EdiPath,
                        "EDI element path, e.g. BEG03, PO1[2]/PO102, N1[ST]/N102, BGM+2",
                    ),
                    param(
                        "expected",
                        ArgKind::Expected,
                        "quoted value or fuzzy marker (a template)",
                    ),
                ]
            },
            action: Action::Assert,
            run: element_is,
        },
        StepDef {
            pattern: r#"^the EDI response should have (?<count>\d+) "(?<segment>[A-Z][A-Z0-9]{1,2})" segments?$"#,
            summary: "Asserts how many segments with a tag the EDI response holds.",
            example: r#"Then the EDI response should have 1 "AK2" segment"#,
            params: const {
                &[
                    param("count", ArgKind::Number, "expected number of segments"),
                    param("segment", ArgKind::Text, "segment tag, e.g. AK2"),
                ]
            },
            action: Action::Assert,
            run: segment_count,
        },
        StepDef {
            pattern: r#"^I capture the EDI response element "(?<element>[^"]+)" as "(?<variable>[^"]+)"$"#,
            summary: "Stores an element of the EDI response in a variable, per environment.",
            example: r#"And I capture the EDI response element "ISA13" as "ackControl""#,
            params: const {
                &[
                    param("element", ArgKind::EdiPath, "EDI element path, e.g. ISA13"),
                    param(
                        "variable",
                        ArgKind::Variable,
                        "name of the variable to store it in",
                    ),
                ]
            },
            action: Action::Capture,
            run: capture_element,
        },
    ]
}

fn post_fixture(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let args = Args::of(&ctx);
        let run = w.twin_parts().0;
        let template = RequestTemplate {
            method: "POST".into(),
            path: args.owned("path"),
            service: args.owned("service"),
            body: Some(read_edi_fixture(&run, args.text("fixture"))),
        };
        post_step(w, &ctx, template).await;
    })
}

/// An EDI fixture as text, decoded with the character set its envelope declares.
pub(crate) fn read_edi_fixture(
    run: &crate::world::RunContext,
    file: &str,
) -> Result<String, String> {
    let bytes = read_fixture_bytes(run, file)?;
    edi::decode(&bytes).map(|d| d.text).map_err(|e| {
        format!(
            "cannot read EDI fixture {}: {e}",
            run.fixtures.join(file).display()
        )
    })
}

fn post_docstring(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let args = Args::of(&ctx);
        let line = ctx.step.position.line;
        let body = ctx.step.docstring.clone().ok_or_else(|| {
            format!("line {line}: this step needs a docstring (\"\"\" … \"\"\") holding the EDI document")
        });
        let template = RequestTemplate {
            method: "POST".into(),
            path: args.owned("path"),
            service: args.owned("service"),
            body: Some(body),
        };
        post_step(w, &ctx, template).await;
    })
}

/// A side's request, ready to send, or its finished outcome.
type Prepared = Result<(String, HttpRequest), SideStep>;

/// Renders, checks and sends the document on both sides concurrently.
async fn post_step(w: &mut TwinWorld, ctx: &Context, template: RequestTemplate) {
    let (run, scenario) = w.twin_parts();
    let pending = std::mem::take(&mut scenario.pending);
    let prepared = check_documents(prepare(&run, scenario, &pending, &template));
    let Twin {
        baseline,
        candidate,
    } = &mut scenario.sides;
    let (b, c) = futures::join!(
        act(&run, Side::Baseline, prepared.baseline, baseline),
        act(&run, Side::Candidate, prepared.candidate, candidate)
    );
    scenario.record(&run, &ctx.step, Twin::new(b, c));
}

/// Parses each rendered document; if either is malformed, neither side sends.
fn check_documents(mut prepared: Twin<Prepared>) -> Twin<Prepared> {
    let mut problems = Vec::new();
    for side in Side::BOTH {
        if let Ok((_, request)) = prepared.get_mut(side) {
            match document_check(request) {
                Ok(standard) => set_content_type(request, standard),
                Err(message) => problems.push(format!("{side}: {message}")),
            }
        }
    }
    if problems.is_empty() {
        return prepared;
    }
    let message = format!(
        "the EDI document is malformed, so it was sent to neither environment: {}",
        problems.join("; ")
    );
    for side in Side::BOTH {
        if prepared.get(side).is_ok() {
            *prepared.get_mut(side) = Err(error(message.clone()));
        }
    }
    prepared
}

/// Checks the rendered document and, when its envelope declares a character
/// set other than UTF-8, encodes it into that set for the wire.
fn document_check(request: &mut HttpRequest) -> Result<Standard, String> {
    let body = request.body.as_deref().unwrap_or_default();
    let standard = edi::parse(body).map_err(|e| e.to_string())?.standard;
    let charset = Charset::declared(body.as_bytes()).map_err(|e| e.to_string())?;
    if charset != Charset::UTF8 {
        request.body_bytes = Some(charset.encode(body).map_err(|e| e.to_string())?);
    }
    Ok(standard)
}

fn set_content_type(request: &mut HttpRequest, standard: Standard) {
    if request
        .headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
    {
        return;
    }
    request
        .headers
        .push(("content-type".into(), standard.media_type().into()));
}

/// The last response's body as a checked interchange, or why it is none.
fn response_edi(response: &HttpResponseRecord) -> Result<Interchange, String> {
    let text = match &response.body {
        Some(Body::Text(text)) => text,
        Some(Body::Json(_)) => {
            return Err(format!(
                "the response (status {}) is JSON, not EDI",
                response.status
            ));
        }
        None => {
            return Err(format!(
                "the response (status {}) has no body",
                response.status
            ));
        }
    };
    edi::parse(text).map_err(|e| {
        format!(
            "the response (status {}) is not a valid EDI interchange: {e}",
            response.status
        )
    })
}

fn parse_path(text: &str) -> Result<EdiPath, String> {
    text.parse::<EdiPath>().map_err(|e| e.to_string())
}

/// Runs an EDI check against each side's last response, recording an assertion.
fn assert_edi(
    w: &mut TwinWorld,
    ctx: &Context,
    check: impl Fn(&SideCtx<'_>, &HttpResponseRecord) -> Result<AssertionRecord, String>,
) {
    assert_on_last(
        w,
        ctx,
        |state| state.last_response.as_ref(),
        "no response to check: post an EDI document in an earlier step",
        check,
    );
}

/// An EDI assertion at `path` that held unless there is a `failure`.
fn record(
    description: String,
    path: &str,
    actual: Option<Value>,
    failure: Option<String>,
) -> AssertionRecord {
    checked(description, Some(path.to_owned()), actual, failure)
}

fn ack_is(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let args = Args::of(&ctx);
        let expected = AckStatus::from_words(args.text("verdict")).unwrap_or(AckStatus::Accepted);
        let description = format!("EDI acknowledgement is {}", expected.as_str());
        assert_edi(w, &ctx, |_, response| {
            let ack = match response_edi(response)
                .and_then(|ix| Acknowledgement::read(&ix).map_err(|e| e.to_string()))
            {
                Ok(ack) => ack,
                Err(message) => {
                    return Ok(record(
                        description.clone(),
                        "edi:acknowledgement",
                        None,
                        Some(message),
                    ));
                }
            };
            let failure = (ack.status != expected).then(|| {
                format!(
                    "expected {}, the acknowledgement says {ack}",
                    expected.as_str()
                )
            });
            Ok(record(
                description.clone(),
                "edi:acknowledgement",
                Some(Value::String(ack.status.as_str().to_owned())),
                failure,
            ))
        });
    })
}

fn element_is(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let args = Args::of(&ctx);
        let (path_text, expected) = (args.owned("element"), args.owned("expected"));
        assert_edi(w, &ctx, |s, response| {
            let path = parse_path(&path_text)?;
            let expected = matcher::parse_expected(&s.render(&expected)?);
            let description = format!("EDI {path} == {expected}");
            let ix = match response_edi(response) {
                Ok(ix) => ix,
                Err(message) => return Ok(record(description, &path_text, None, Some(message))),
            };
            let actual = path.value(&ix).map(Value::String);
            let mismatches = matcher::match_at(
                &path.to_string(),
                &expected,
                actual.as_ref(),
                MatchMode::Equals,
            );
            Ok(record(
                description,
                &path.to_string(),
                actual,
                mismatch_message(&mismatches),
            ))
        });
    })
}

fn segment_count(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let args = Args::of(&ctx);
        let expected: usize = args.text("count").parse().unwrap_or(0);
        let tag = args.owned("segment");
        assert_edi(w, &ctx, |_, response| {
            let description = format!("EDI response has {expected} {tag} segments");
            let ix = match response_edi(response) {
                Ok(ix) => ix,
                Err(message) => return Ok(record(description, &tag, None, Some(message))),
            };
            let actual = ix.segments.iter().filter(|s| s.tag == tag).count();
            let failure = (actual != expected)
                .then(|| format!("expected {expected} {tag} segments, found {actual}"));
            Ok(record(
                description,
                &tag,
                Some(Value::from(actual)),
                failure,
            ))
        });
    })
}

fn capture_element(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let args = Args::of(&ctx);
        let (path_text, name) = (args.owned("element"), args.owned("variable"));
        capture_from_last(
            w,
            &ctx,
            |state| state.last_response.as_ref(),
            "no response to capture from: post an EDI document in an earlier step",
            &name,
            |response| {
                let path = parse_path(&path_text)?;
                let ix = response_edi(response)?;
                let value = path.value(&ix).ok_or_else(|| {
                    format!("cannot capture `{name}`: `{path}` is not in the EDI response")
                })?;
                Ok(Value::String(value.trim_end().to_owned()))
            },
        );
    })
}
