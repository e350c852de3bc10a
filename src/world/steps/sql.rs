//! Steps that query SQL Server databases and check what they hold.
//!
//! ```gherkin
//! When I query "erpdb" with parameters "{{ orderNo }}", "{{ env.plant }}" keyed by "OrderNo":
//!   """
//!   SELECT OrderNo, Plant, Status, Total FROM dbo.Orders WHERE OrderNo = @P1 AND Plant = @P2
//!   """
//! Then the query should return 1 row
//! And the query rows should be:
//!   | OrderNo     | Status  | Total    |
//!   | {{ orderNo }} | CREATED | #notnull |
//! And I capture the query column "Total" as "total"
//! ```
//!
//! The statement is never templated: values reach the server only as the
//! `@P1…` parameters (each a template rendered per environment). On a
//! protected environment the statement must pass the read-only guard
//! ([`crate::transport::sql::check_read_only`]) unless the scenario carries an
//! allowed write tag; otherwise it is sent to neither environment.

use std::time::Duration;

use cucumber::step::Context;
use futures::future::LocalBoxFuture;
use serde_json::Value;

use super::assertion::{assert_on_last, capture_from_last, checked, error};
use super::declaration::{
    Action, ArgKind, Args, DURATION, Param, Transport, Writes, param, quoted_values,
};
use super::polling::{poll_outcome, poll_until};
use super::services::did_you_mean;
use super::sql_rows::{ExpectedRows, RowsMode, cell_matches, check_rows};
use super::{StepDef, prepare_sides};
use crate::trace::{AssertionRecord, Observation, Side, SideStep, SqlExchange, StepOutcome, Twin};
use crate::transport::sql::{SqlQuery, check_read_only};
use crate::world::scenario::render_on;
use crate::world::{RunContext, ScenarioState, SideState, TwinWorld};

const PARAMS: &str = r#"(?: with parameters? (?<parameters>(?:"[^"]*"(?:, *)?)+))?"#;
const KEYED: &str = r#"(?: keyed by (?<key>(?:"[^"]+"(?:, *)?)+))?"#;

/// The `service` argument of a SQL step.
pub(super) const SQL_SERVICE: Param = param(
    "service",
    ArgKind::Service,
    "SQL Server service (kind = \"sqlserver\") in both environments",
);

/// The bind parameters of a query.
const PARAMETERS: Param = param(
    "parameters",
    ArgKind::List,
    "quoted, comma-separated templates bound as @P1, @P2, …",
);

/// The statement of a query.
const STATEMENT: Param = param(
    "docstring",
    ArgKind::Docstring,
    "the SQL statement (not a template)",
);

pub(super) fn steps() -> Vec<StepDef> {
    vec![
        StepDef {
            pattern: leak(format!(r#"^I query "(?<service>[^"]+)"{PARAMS}{KEYED}:$"#)),
            summary: "Runs the docstring's SQL on both environments; parameters bind to @P1, @P2, …; `keyed by` names the columns rows pair by when comparing.",
            example: r#"When I query "erpdb" with parameters "{{ orderNo }}" keyed by "OrderNo":"#,
            params: const {
                &[
                    SQL_SERVICE,
                    PARAMETERS,
                    param(
                        "key",
                        ArgKind::List,
                        "quoted column names that identify a row when comparing",
                    ),
                    STATEMENT,
                ]
            },
            action: Action::Send {
                transport: Transport::SqlQuery,
                writes: Writes::WhenStatementWrites,
            },
            run: query_step,
        },
        StepDef {
            pattern: r"^the query should return (?<rows>\d+) rows?$",
            summary: "Asserts the row count of the last query.",
            example: "Then the query should return 1 row",
            params: const { &[param("rows", ArgKind::Number, "expected number of rows")] },
            action: Action::Assert,
            run: row_count,
        },
        StepDef {
            pattern: r"^the query rows should (?<mode>be|be, in any order|contain):$",
            summary: "Asserts the last query's rows against a data table (header = columns; cells are templates or fuzzy markers).",
            example: "Then the query rows should be, in any order:",
            params: const {
                &[
                    param(
                        "mode",
                        ArgKind::Choice,
                        "`be` (exact, in order), `be, in any order` or `contain`",
                    ),
                    param(
                        "table",
                        ArgKind::Table,
                        "header row of columns, then the expected rows (templates or fuzzy markers)",
                    ),
                ]
            },
            action: Action::Assert,
            run: rows_table,
        },
        StepDef {
            pattern: r#"^I capture the query column "(?<column>[^"]+)"(?: of row (?<row>\d+))? as "(?<variable>[^"]+)"$"#,
            summary: "Captures a cell of the last query (row 1 unless named) into a variable.",
            example: r#"And I capture the query column "Total" of row 1 as "total""#,
            params: const {
                &[
                    param("column", ArgKind::Text, "column name"),
                    param("row", ArgKind::Number, "1-based row number (default 1)"),
                    param(
                        "variable",
                        ArgKind::Variable,
                        "variable to store the cell in",
                    ),
                ]
            },
            action: Action::Capture,
            run: capture_cell,
        },
        StepDef {
            pattern: leak(format!(
                r#"^I poll the query on "(?<service>[^"]+)"{PARAMS} until it returns (?<rows>\d+) rows? within (?<timeout>{DURATION}):$"#
            )),
            summary: "Re-runs the docstring's SQL until it returns that many rows, or fails after the timeout.",
            example: r#"Then I poll the query on "erpdb" with parameters "{{ orderNo }}" until it returns 1 row within 5 seconds:"#,
            params: const {
                &[
                    SQL_SERVICE,
                    PARAMETERS,
                    param("rows", ArgKind::Number, "expected number of rows"),
                    param("timeout", ArgKind::Duration, "timeout: ms, s or seconds"),
                    STATEMENT,
                ]
            },
            action: Action::Poll {
                transport: Transport::SqlQuery,
                writes: Writes::WhenStatementWrites,
            },
            run: poll_count,
        },
        StepDef {
            pattern: leak(format!(
                r#"^I poll the query on "(?<service>[^"]+)"{PARAMS} until the column "(?<column>[^"]+)" is (?<expected>.+) within (?<timeout>{DURATION}):$"#
            )),
            summary: "Re-runs the docstring's SQL until the column of its first row matches (fuzzy markers allowed), or fails after the timeout.",
            example: r#"Then I poll the query on "erpdb" until the column "Status" is "RELEASED" within 10 seconds:"#,
            params: const {
                &[
                    SQL_SERVICE,
                    PARAMETERS,
                    param("column", ArgKind::Text, "column of the first row"),
                    param(
                        "expected",
                        ArgKind::Expected,
                        "a JSON literal or a fuzzy marker",
                    ),
                    param("timeout", ArgKind::Duration, "timeout: ms, s or seconds"),
                    STATEMENT,
                ]
            },
            action: Action::Poll {
                transport: Transport::SqlQuery,
                writes: Writes::WhenStatementWrites,
            },
            run: poll_column,
        },
        StepDef {
            pattern: r"^the query result should be the same in both environments$",
            summary: "Asserts the last query returned the same rows in both environments (after normalisation and ignore rules).",
            example: "Then the query result should be the same in both environments",
            params: &[],
            action: Action::Assert,
            run: same_in_both,
        },
    ]
}

fn leak(pattern: String) -> &'static str {
    Box::leak(pattern.into_boxed_str())
}

/// A query as written in a step: service, statement, parameter templates, key.
pub(super) struct QueryTemplate {
    pub(super) service: String,
    pub(super) statement: Result<String, String>,
    pub(super) parameters: Vec<String>,
    pub(super) key: Vec<String>,
}

impl QueryTemplate {
    fn from_step(ctx: &Context) -> QueryTemplate {
        let args = Args::of(ctx);
        QueryTemplate {
            service: args.owned("service"),
            statement: ctx.step.docstring.clone().ok_or_else(|| {
                format!(
                    "line {}: this step needs a docstring (\"\"\" … \"\"\") holding the SQL",
                    ctx.step.position.line
                )
            }),
            parameters: quoted_values(args.text("parameters")),
            key: args.optional("key").map(quoted_values).unwrap_or_default(),
        }
    }
}

/// Why the query may not be sent to either side, if it may not.
fn refusal(run: &RunContext, scenario: &ScenarioState, template: &QueryTemplate) -> Option<String> {
    let statement = match &template.statement {
        Err(message) => return Some(message.clone()),
        Ok(s) => s,
    };
    for side in Side::BOTH {
        let env = &run.envs.get(side);
        if !env.databases.contains_key(&template.service) {
            let known = env.databases.keys().map(String::as_str);
            let hint = did_you_mean(&template.service, known);
            return Some(format!(
                "unknown database service `{}` in `{}`: define it with kind = \"sqlserver\"{hint}",
                template.service, env.env.name
            ));
        }
        if env.env.allows_writes(&scenario.key.tags) {
            continue;
        }
        if let Err(why) = check_read_only(statement) {
            return Some(format!(
                "refused: only a single SELECT may run on protected environment `{}`, and {why}; sent to neither environment",
                env.env.name
            ));
        }
    }
    None
}

/// The rendered query per side, or the side's finished outcome.
pub(super) fn prepare(
    run: &RunContext,
    scenario: &ScenarioState,
    template: &QueryTemplate,
) -> Twin<Result<SqlQuery, SideStep>> {
    prepare_sides(scenario, refusal(run, scenario, template), |side, state| {
        render_parameters(run, side, state, scenario, template)
    })
}

fn render_parameters(
    run: &RunContext,
    side: Side,
    state: &SideState,
    scenario: &ScenarioState,
    template: &QueryTemplate,
) -> Result<SqlQuery, String> {
    let parameters = template
        .parameters
        .iter()
        .map(|p| render_on(run, side, &state.vars, scenario.generated(), p))
        .collect::<Result<Vec<String>, String>>()?;
    Ok(SqlQuery {
        statement: template.statement.clone().unwrap_or_default(),
        parameters,
    })
}

/// Runs the query on one side through its pool.
pub(super) async fn run_on(
    run: &RunContext,
    side: Side,
    service: &str,
    query: &SqlQuery,
) -> SqlExchange {
    match run.envs.get(side).databases.get(service) {
        Some(client) => client.query(query).await,
        None => SqlExchange {
            service: service.to_owned(),
            statement: query.statement.clone(),
            parameters: Vec::new(),
            columns: Vec::new(),
            rows: Vec::new(),
            key: Vec::new(),
            configuration: None,
            error: Some(format!("database service `{service}` has no client")),
            elapsed_ms: 0.0,
        },
    }
}

/// The recorded outcome of one query on one side.
pub(super) fn query_outcome(
    mut exchange: SqlExchange,
    key: &[String],
    state: &mut SideState,
) -> SideStep {
    exchange.key = key.to_vec();
    let outcome = match &exchange.error {
        Some(message) => StepOutcome::Error {
            message: message.clone(),
        },
        None => StepOutcome::Passed,
    };
    state.last_query = exchange.error.is_none().then(|| exchange.clone());
    SideStep {
        outcome,
        observations: vec![Observation::Sql(exchange)],
        ..SideStep::default()
    }
}

fn query_step(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let template = QueryTemplate::from_step(&ctx);
        let (run, scenario) = w.twin_parts();
        let prepared = prepare(&run, scenario, &template);
        let Twin {
            baseline,
            candidate,
        } = &mut scenario.sides;
        let (b, c) = futures::join!(
            act(&run, Side::Baseline, &template, prepared.baseline, baseline),
            act(
                &run,
                Side::Candidate,
                &template,
                prepared.candidate,
                candidate
            )
        );
        scenario.record(&run, &ctx.step, Twin::new(b, c));
    })
}

/// Runs a prepared query on one side and records it.
async fn act(
    run: &RunContext,
    side: Side,
    template: &QueryTemplate,
    prepared: Result<SqlQuery, SideStep>,
    state: &mut SideState,
) -> SideStep {
    match prepared {
        Err(done) => done,
        Ok(query) => {
            let exchange = run_on(run, side, &template.service, &query).await;
            query_outcome(exchange, &template.key, state)
        }
    }
}

/// Runs an assertion on each side's last query result.
pub(super) fn assert_query(
    w: &mut TwinWorld,
    ctx: &Context,
    description: &str,
    check: impl Fn(&crate::world::scenario::SideCtx<'_>, &SqlExchange) -> Result<(), String>,
) {
    assert_on_last(
        w,
        ctx,
        |state| state.last_query.as_ref(),
        "no query result to check: run `I query \"SERVICE\":` in an earlier step",
        |s, result| {
            let failure = check(s, result).err();
            Ok(checked(description.to_owned(), None, None, failure))
        },
    );
}

fn row_count(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let args = Args::of(&ctx);
        let expected: usize = args.text("rows").parse().unwrap_or(usize::MAX);
        assert_query(
            w,
            &ctx,
            &format!("query returns {expected} rows"),
            |_, result| {
                if result.rows.len() == expected {
                    Ok(())
                } else {
                    Err(format!(
                        "expected {expected} rows, got {}",
                        result.rows.len()
                    ))
                }
            },
        );
    })
}

fn rows_table(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let args = Args::of(&ctx);
        let mode = RowsMode::from_words(args.text("mode"));
        let table = ctx.step.table.clone();
        let line = ctx.step.position.line;
        assert_query(
            w,
            &ctx,
            &format!("query rows {}", args.text("mode")),
            |s, result| {
                let table = table
                .as_ref()
                .filter(|t| !t.rows.is_empty())
                .ok_or_else(|| format!("line {line}: this step needs a data table whose first row names the columns"))?;
                let mut rows = Vec::new();
                for row in &table.rows[1..] {
                    rows.push(
                        row.iter()
                            .map(|cell| s.render(cell))
                            .collect::<Result<Vec<_>, _>>()?,
                    );
                }
                let expected = ExpectedRows {
                    columns: table.rows[0].clone(),
                    rows,
                };
                check_rows(result, &expected, mode)
            },
        );
    })
}

fn capture_cell(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let args = Args::of(&ctx);
        let column = args.owned("column");
        let row: usize = args.text("row").parse().unwrap_or(1);
        let name = args.owned("variable");
        capture_from_last(
            w,
            &ctx,
            |state| state.last_query.as_ref(),
            "no query result to capture from: run `I query \"SERVICE\":` in an earlier step",
            &name,
            |result| {
                cell(result, &column, row)
                    .map_err(|message| format!("cannot capture `{name}`: {message}"))
            },
        );
    })
}

/// The value in a column of a 1-based row.
fn cell(result: &SqlExchange, column: &str, row: usize) -> Result<Value, String> {
    let index = result
        .columns
        .iter()
        .position(|c| c.name.eq_ignore_ascii_case(column))
        .ok_or_else(|| format!("the result has no column `{column}`"))?;
    result
        .rows
        .get(row.wrapping_sub(1))
        .and_then(|r| r.get(index).cloned())
        .ok_or_else(|| format!("the result has {} rows, not a row {row}", result.rows.len()))
}

/// What a polling query waits for.
enum PollCondition {
    /// This many rows.
    Rows(usize),
    /// The column of the first row matches the (rendered) expected text.
    Column { column: String, expected: String },
}

fn poll_count(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let args = Args::of(&ctx);
        let condition = PollCondition::Rows(args.text("rows").parse().unwrap_or(usize::MAX));
        let timeout = args.duration("timeout");
        poll_step(w, &ctx, condition, timeout).await;
    })
}

fn poll_column(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let args = Args::of(&ctx);
        let expected = args.text("expected").trim();
        let expected = expected
            .strip_prefix('"')
            .and_then(|e| e.strip_suffix('"'))
            .unwrap_or(expected);
        let condition = PollCondition::Column {
            column: args.owned("column"),
            expected: expected.to_owned(),
        };
        let timeout = args.duration("timeout");
        poll_step(w, &ctx, condition, timeout).await;
    })
}

async fn poll_step(w: &mut TwinWorld, ctx: &Context, condition: PollCondition, timeout: Duration) {
    let template = QueryTemplate::from_step(ctx);
    let (run, scenario) = w.twin_parts();
    let prepared = prepare(&run, scenario, &template);
    let expected = Twin::new(
        render_expected(&run, scenario, Side::Baseline, &condition),
        render_expected(&run, scenario, Side::Candidate, &condition),
    );
    let Twin {
        baseline,
        candidate,
    } = &mut scenario.sides;
    let service = template.service.as_str();
    let (b, c) = futures::join!(
        poll_side(
            &run,
            (Side::Baseline, service),
            prepared.baseline,
            (&condition, expected.baseline),
            timeout,
            baseline
        ),
        poll_side(
            &run,
            (Side::Candidate, service),
            prepared.candidate,
            (&condition, expected.candidate),
            timeout,
            candidate
        )
    );
    scenario.record(&run, &ctx.step, Twin::new(b, c));
}

fn render_expected(
    run: &RunContext,
    scenario: &ScenarioState,
    side: Side,
    condition: &PollCondition,
) -> Result<String, String> {
    match condition {
        PollCondition::Rows(n) => Ok(n.to_string()),
        PollCondition::Column { expected, .. } => render_on(
            run,
            side,
            &scenario.sides.get(side).vars,
            scenario.generated(),
            expected,
        ),
    }
}

fn verdict(condition: &PollCondition, expected: &str, result: &SqlExchange) -> Result<(), String> {
    if let Some(message) = &result.error {
        return Err(message.clone());
    }
    match condition {
        PollCondition::Rows(n) if result.rows.len() == *n => Ok(()),
        PollCondition::Rows(n) => Err(format!("{} rows, not {n}", result.rows.len())),
        PollCondition::Column { column, .. } => {
            let value = cell(result, column, 1)?;
            cell_matches(expected, &value).map_err(|why| format!("column `{column}`: {why}"))
        }
    }
}

async fn poll_side(
    run: &RunContext,
    (side, service): (Side, &str),
    prepared: Result<SqlQuery, SideStep>,
    (condition, expected): (&PollCondition, Result<String, String>),
    timeout: Duration,
    state: &mut SideState,
) -> SideStep {
    let query = match prepared {
        Err(done) => return done,
        Ok(q) => q,
    };
    let expected = match expected {
        Err(message) => return error(message),
        Ok(e) => e,
    };
    let (query, expected) = (&query, expected.as_str());
    let polled = poll_until(run.poll_interval, timeout, move || async move {
        let exchange = run_on(run, side, service, query).await;
        let held = verdict(condition, expected, &exchange);
        (exchange, held)
    })
    .await;
    let (exchange, failure) = (polled.last, polled.failure);
    let transport_error = exchange.error.clone();
    let mut step = query_outcome(exchange, &[], state);
    step.outcome = poll_outcome(transport_error.as_ref(), failure.as_ref());
    step.observations
        .push(Observation::Assertion(AssertionRecord {
            description: "poll the query until its condition holds".into(),
            passed: failure.is_none(),
            path: None,
            actual: None,
            message: failure,
        }));
    step
}

fn same_in_both(w: &mut TwinWorld, ctx: Context) -> LocalBoxFuture<'_, ()> {
    Box::pin(async move {
        let (run, scenario) = w.twin_parts();
        let differences = match (&scenario.sides.baseline.last_query, &scenario.sides.candidate.last_query) {
            (Some(b), Some(c)) => {
                let captures = Twin::new(scenario.sides.baseline.vars.clone(), scenario.sides.candidate.vars.clone());
                let normalizer = crate::compare::Normalizer::new(&run.header.environments_for(scenario.key.tenant.as_deref()), &captures);
                Ok(crate::compare::describe_differences(Twin::new(b, c), run.rule_set.ignore_paths(), &normalizer))
            }
            _ => Err("no query result in both environments to compare: run `I query \"SERVICE\":` in an earlier step".to_owned()),
        };
        w.each_side(&ctx, |s| match &differences {
            Err(message) => error(message.clone()),
            Ok(found) => {
                // The baseline is the reference: the candidate is the side that differs.
                let message = (s.side == Side::Candidate && !found.is_empty())
                    .then(|| format!("differs from baseline: {}", found.join("; ")));
                SideStep {
                    outcome: message
                        .clone()
                        .map_or(StepOutcome::Passed, |m| StepOutcome::Failed { message: m }),
                    observations: vec![Observation::Assertion(AssertionRecord {
                        description: "query result same in both environments".into(),
                        passed: message.is_none(),
                        path: None,
                        actual: None,
                        message,
                    })],
                    ..SideStep::default()
                }
            }
        });
    })
}
