//! What a built-in step declares about itself: its named, typed arguments
//! and the one action it performs. The runtime reads the arguments by name
//! ([`Args`]), `--dry-run` prints the action and `driftgate check` lints it,
//! all from the same declaration.
//!
//! ```text
//! ^I send an? (?<method>GET|…) request to "(?<path>[^"]*)"(?: on "(?<service>[^"]+)")?$
//!   method: HTTP method · path: template · service: service name (optional)
//!   action: send over HTTP, writing when the method (or an override) writes
//! ```

use std::time::Duration;

use cucumber::step::Context;
use reqwest::Method;
use serde::Serialize;

use crate::transport::method_override::request_writes;
use crate::transport::sql::check_read_only;

/// What kind of value an argument holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ArgKind {
    /// Literal text, used as written.
    Text,
    /// A template rendered per environment (`{{ orderNo }}`).
    Template,
    /// A service name from `driftgate.toml`.
    Service,
    /// An HTTP method.
    Method,
    /// A JSONPath (RFC 9535).
    JsonPath,
    /// A file under the fixtures folder.
    Fixture,
    /// The name of a variable the step sets.
    Variable,
    /// The name of a listener an earlier step opened.
    Listener,
    /// An amount and a unit: `500 ms`, `1.5 s`, `2 seconds`.
    Duration,
    /// A whole number.
    Number,
    /// An expected value: a JSON literal or a fuzzy marker (a template).
    Expected,
    /// An EDI element path (`BEG03`, `PO1[2]/PO102`).
    EdiPath,
    /// A list of quoted values.
    List,
    /// One of a fixed set of words.
    Choice,
    /// The step's data table.
    Table,
    /// The step's docstring.
    Docstring,
}

impl ArgKind {
    /// The kind as the step reference shows it.
    pub fn label(self) -> &'static str {
        match self {
            ArgKind::Text => "text",
            ArgKind::Template => "template",
            ArgKind::Service => "service name",
            ArgKind::Method => "HTTP method",
            ArgKind::JsonPath => "JSONPath",
            ArgKind::Fixture => "fixture path",
            ArgKind::Variable => "variable name",
            ArgKind::Listener => "listener name",
            ArgKind::Duration => "duration",
            ArgKind::Number => "number",
            ArgKind::Expected => "expected value",
            ArgKind::EdiPath => "EDI path",
            ArgKind::List => "list",
            ArgKind::Choice => "choice",
            ArgKind::Table => "table",
            ArgKind::Docstring => "docstring",
        }
    }

    /// Whether the argument is a named group of the step's pattern (a table
    /// and a docstring come with the step instead).
    pub fn is_in_text(self) -> bool {
        !matches!(self, ArgKind::Table | ArgKind::Docstring)
    }
}

/// One argument of a step: its name (the pattern's group name), kind and meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param {
    /// Name of the pattern's capture group (`method`, `path`, …).
    pub name: &'static str,
    /// What kind of value it holds.
    pub kind: ArgKind,
    /// What it means, in one line.
    pub meaning: &'static str,
}

/// A parameter declaration (`param("path", ArgKind::Template, "path to GET")`).
pub const fn param(name: &'static str, kind: ArgKind, meaning: &'static str) -> Param {
    Param {
        name,
        kind,
        meaning,
    }
}

/// What a step does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Acts once on a service (the `service` argument, or the default one)
    /// over a transport.
    Send {
        /// How it reaches the service.
        transport: Transport,
        /// Whether that is a write a protected environment refuses.
        writes: Writes,
    },
    /// Repeats a send until its condition holds or the `timeout` passes.
    Poll {
        /// How it reaches the service.
        transport: Transport,
        /// Whether that is a write a protected environment refuses.
        writes: Writes,
    },
    /// Builds part of the next HTTP request or published message.
    Build(Part),
    /// Sets variables: `variable` to `value`, or each `name | value` row of the table.
    SetVariable,
    /// Captures a value of the last response, message or query as `variable`.
    Capture,
    /// Checks what the last response, message or query held.
    Assert,
    /// Waits on a `listener` for messages and checks what arrives.
    Expect(Arrival),
    /// Writes what arrives on a `listener` during a window to a replay file.
    Record,
    /// Declares how the run is judged (ignored paths, a latency budget).
    Declare,
}

impl Action {
    /// The transport and write rule of a step that acts on a service.
    pub fn transport(self) -> Option<(Transport, Writes)> {
        match self {
            Action::Send { transport, writes } | Action::Poll { transport, writes } => {
                Some((transport, writes))
            }
            _ => None,
        }
    }
}

/// What a message expectation waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival {
    /// One message (with a routing key, a header, a body), within the `timeout`.
    One,
    /// No message, for the `timeout`.
    None,
    /// Exactly `count` messages within the `timeout`.
    Count,
}

/// How a step reaches a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// An HTTP request (`method`, `path`, a body from `fixture` or the docstring).
    Http,
    /// An EDI document POSTed over HTTP (`path`, from `fixture` or the docstring).
    EdiPost,
    /// An AMQP publish (`exchange`, `routing_key`, a body from `fixture` or the docstring).
    AmqpPublish,
    /// The messages of a replay `file` published again to an `exchange`.
    AmqpReplay,
    /// The harness's own queue bound to an `exchange` as a `listener`.
    AmqpListen,
    /// A real `queue`, read destructively as a `listener`.
    AmqpTake,
    /// The broker's exchanges, queues and bindings, through the management API.
    BrokerTopology,
    /// The docstring's SQL with `parameters`.
    SqlQuery,
    /// Server, database and table settings, read with fixed queries.
    DatabaseConfiguration,
}

/// Whether a send writes, which a protected environment refuses unless a
/// scenario tag allows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writes {
    /// It only reads.
    Never,
    /// It always writes (a publish, a replay, an EDI post); what it does, in words.
    Always(&'static str),
    /// It writes when its HTTP method is not GET, HEAD or OPTIONS, or when a
    /// method override (header, `_method` parameter) names a write.
    WhenMethodWrites,
    /// It writes unless its SQL passes the read-only guard.
    WhenStatementWrites,
    /// It takes messages from a real queue: refused on a protected
    /// environment whatever the tags.
    TakesMessages,
}

/// What a step sends, as far as deciding whether it writes needs: the
/// templates as written (a write check never depends on rendered values).
#[derive(Debug, Default)]
pub struct Outgoing<'a> {
    /// The HTTP method.
    pub method: &'a str,
    /// Every header the request carries: the service's and those set for it.
    pub headers: Vec<(&'a str, &'a str)>,
    /// The path.
    pub path: &'a str,
    /// Query parameters set for it.
    pub query: Vec<(&'a str, &'a str)>,
    /// The body.
    pub body: Option<&'a str>,
    /// The SQL statement.
    pub statement: Option<&'a str>,
}

impl Writes {
    /// What the step would write, in words (`DELETE`, `GET with
    /// `_method=delete``, `publishing a message`), or none when it only
    /// reads: decided by each transport's own check, the one a run makes (the
    /// HTTP method and override check, the SQL read-only guard).
    pub fn what(self, outgoing: &Outgoing<'_>) -> Option<String> {
        match self {
            Writes::Never => None,
            Writes::Always(what) => Some(what.to_owned()),
            Writes::WhenMethodWrites => {
                let method = outgoing.method.parse::<Method>().ok()?;
                request_writes(
                    &method,
                    outgoing.headers.iter().copied(),
                    outgoing.path,
                    outgoing.query.iter().copied(),
                    outgoing.body,
                )
                .map(|reason| reason.describe(&method))
            }
            Writes::WhenStatementWrites => check_read_only(outgoing.statement?)
                .err()
                .map(|why| format!("a SQL statement that is not a single read ({why})")),
            Writes::TakesMessages => Some("taking messages from a real queue".to_owned()),
        }
    }

    /// Whether an environment refuses the write: a protected one does,
    /// unless `tags_allow` (a scenario tag is among its `allow_write_tags`);
    /// taking messages it refuses whatever the tags.
    pub fn refused(self, protected: bool, tags_allow: bool) -> bool {
        match self {
            Writes::TakesMessages => protected,
            _ => protected && !tags_allow,
        }
    }

    /// How a scenario may do this on environment `name` anyway, for a refusal's help.
    pub fn how_to_allow(self, name: &str, allow_write_tags: &[String]) -> String {
        match self {
            Writes::TakesMessages => {
                "no tag allows it; listen on the queue's exchange instead".to_owned()
            }
            _ if allow_write_tags.is_empty() => format!(
                "no tag allows writes to `{name}`; run this scenario against unprotected environments only"
            ),
            _ => format!(
                "tag the scenario with one of: {} (allow_write_tags of `{name}`)",
                allow_write_tags.join(", ")
            ),
        }
    }
}

/// The part of the next request or message a step builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// An HTTP header: `header` = `value`, or each row of the table.
    Header,
    /// A query parameter `name` = `value`, URL-encoded when sent.
    Query,
    /// The request body: the `fixture`, or the docstring.
    Body,
    /// Properties of the next published message (table).
    MessageProperties,
    /// Application headers of the next published message (table).
    MessageHeaders,
}

/// The arguments a step was given, read by the names its pattern declares.
pub struct Args<'c> {
    matches: &'c [(Option<String>, String)],
}

impl<'c> Args<'c> {
    /// The arguments of the step being run.
    pub fn of(ctx: &'c Context) -> Args<'c> {
        Args {
            matches: &ctx.matches,
        }
    }

    /// The text of argument `name` ("" when an optional argument was left out).
    pub fn text(&self, name: &str) -> &'c str {
        let found = self
            .matches
            .iter()
            .find(|(n, _)| n.as_deref() == Some(name));
        debug_assert!(
            found.is_some(),
            "the step's pattern has no argument `{name}`"
        );
        found.map(|(_, v)| v.as_str()).unwrap_or_default()
    }

    /// Argument `name`, or none when the step's pattern has no such group.
    pub fn optional(&self, name: &str) -> Option<&'c str> {
        self.matches
            .iter()
            .find(|(n, _)| n.as_deref() == Some(name))
            .map(|(_, v)| v.as_str())
    }

    /// Argument `name` as an owned string.
    pub fn owned(&self, name: &str) -> String {
        self.text(name).to_owned()
    }

    /// A duration argument (`5 seconds`); an unreadable one is none.
    pub fn duration(&self, name: &str) -> Duration {
        let (amount, unit) = split_duration(self.text(name));
        super::polling::duration(amount, unit)
    }
}

/// The quoted values of a list argument: `"a", "b"` → `a`, `b`.
pub fn quoted_values(text: &str) -> Vec<String> {
    text.split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

/// `1.5 s` → (`1.5`, `s`): the amount and the unit of a duration argument.
pub fn split_duration(text: &str) -> (&str, &str) {
    let at = text
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(text.len());
    (&text[..at], text[at..].trim_start())
}

/// The pattern of a duration argument's value, for a named group
/// (`(?<timeout>…)`) that [`Args::duration`] reads.
pub const DURATION: &str = r"\d+(?:\.\d+)? ?(?:ms|s|seconds?)";

#[cfg(test)]
mod tests {
    use super::super::{StepDef, catalogue};
    use super::*;

    fn has(step: &StepDef, name: &str, kind: ArgKind) -> bool {
        step.param(name).is_some_and(|p| p.kind == kind)
    }

    #[test]
    fn every_step_that_can_write_says_so() {
        for step in catalogue() {
            let writes = step.action.transport().map(|(_, w)| w);
            if step.param("method").is_some() {
                assert_eq!(writes, Some(Writes::WhenMethodWrites), "{}", step.pattern);
            }
            let Some((transport, writes)) = step.action.transport() else {
                continue;
            };
            let expected = match transport {
                Transport::Http => matches!(writes, Writes::WhenMethodWrites),
                Transport::EdiPost | Transport::AmqpPublish | Transport::AmqpReplay => {
                    matches!(writes, Writes::Always(_))
                }
                Transport::SqlQuery => matches!(writes, Writes::WhenStatementWrites),
                Transport::AmqpTake => matches!(writes, Writes::TakesMessages),
                Transport::AmqpListen
                | Transport::BrokerTopology
                | Transport::DatabaseConfiguration => writes == Writes::Never,
            };
            assert!(
                expected,
                "`{}` declares {writes:?} over {transport:?}",
                step.pattern
            );
            assert!(
                has(step, "service", ArgKind::Service),
                "`{}` acts on a service but does not name it",
                step.pattern
            );
        }
    }

    #[test]
    fn every_step_has_the_arguments_its_action_reads() {
        for step in catalogue() {
            let table = has(step, "table", ArgKind::Table);
            let docstring = has(step, "docstring", ArgKind::Docstring);
            let ok = match step.action {
                Action::Build(Part::Header) => {
                    table || (step.param("header").is_some() && step.param("value").is_some())
                }
                Action::Build(Part::Query) => {
                    step.param("name").is_some() && step.param("value").is_some()
                }
                Action::Build(Part::Body) => has(step, "fixture", ArgKind::Fixture) || docstring,
                Action::Build(Part::MessageProperties | Part::MessageHeaders) => table,
                Action::SetVariable => {
                    table
                        || (has(step, "variable", ArgKind::Variable)
                            && step.param("value").is_some())
                }
                Action::Capture => has(step, "variable", ArgKind::Variable),
                Action::Expect(_) | Action::Record => {
                    has(step, "listener", ArgKind::Listener)
                        && step.params.iter().any(|p| p.kind == ArgKind::Duration)
                }
                Action::Poll { .. } => has(step, "timeout", ArgKind::Duration),
                Action::Send {
                    transport: Transport::SqlQuery,
                    ..
                } => docstring,
                Action::Send { .. } | Action::Assert | Action::Declare => true,
            };
            assert!(
                ok,
                "`{}` lacks an argument its {:?} reads",
                step.pattern, step.action
            );
        }
    }

    #[test]
    fn a_duration_splits_into_amount_and_unit() {
        assert_eq!(split_duration("500 ms"), ("500", "ms"));
        assert_eq!(split_duration("1.5s"), ("1.5", "s"));
        assert_eq!(split_duration("2 seconds"), ("2", "seconds"));
        assert_eq!(split_duration(""), ("", ""));
        assert_eq!(quoted_values(r#""a", "b c""#), ["a", "b c"]);
        assert_eq!(quoted_values(r#""", "x""#), ["", "x"]);
        assert!(quoted_values("").is_empty());
    }
}
