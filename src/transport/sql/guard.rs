//! The read-only check a statement passes before it is sent to a protected
//! environment: an allowlist over what a real T-SQL parser (`sqlparser`'s
//! SQL Server dialect) makes of the statement.
//!
//! A statement is allowed only when the parser reads it, whole, as exactly
//! one query — `SELECT …` or `WITH … SELECT …`, unions of them, subqueries
//! anywhere — with no `INTO`, no locking clause and no rowset function that
//! runs text on another server (`OPENROWSET`, `OPENQUERY`,
//! `OPENDATASOURCE`). Everything else is refused before it is sent: other
//! statements, several statements, and anything the parser cannot classify
//! (`NEXT VALUE FOR`, `EXEC`, `DISABLE TRIGGER`, `WRITETEXT`, `RECEIVE`,
//! `CHECKPOINT`, `SETUSER`, …). Refusing a read the parser does not know is
//! the safe side; the error says where the statement stopped being a query.
//!
//! The guard reads the text as SQL Server does: a bare carriage return ends
//! a `--` comment there, so it ends one here too, and control characters
//! SQL Server might read differently are refused.
//!
//! ```text
//! "SELECT * FROM dbo.Orders WITH (NOLOCK) WHERE OrderNo = @P1" → Ok
//! "WITH t AS (SELECT 1 AS n) SELECT n FROM t"                   → Ok
//! "SELECT * INTO #copy FROM dbo.Orders"                         → Err("… `INTO` at line 1, column 10")
//! "SELECT 1 -- x\rDELETE FROM dbo.Orders"                       → Err("… DELETE at Line: 2, Column: 1")
//! ```

use std::ops::ControlFlow;

use sqlparser::ast::{ObjectName, Query, SetExpr, Spanned, Statement, TableFactor, Visit, Visitor};
use sqlparser::dialect::MsSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::Location;

/// Rowset functions that run their text on another server or data source.
const REMOTE_ROWSETS: &[&str] = &["OPENROWSET", "OPENQUERY", "OPENDATASOURCE"];

/// How deep the parser may nest (parentheses, subqueries) before it refuses:
/// far beyond a hand-written read, and well within a worker thread's stack.
const MAX_NESTING: usize = 32;

/// Whether the statement is a single read; the error says what was found and where.
pub fn check_read_only(statement: &str) -> Result<(), String> {
    let text = as_sql_server_reads_it(statement)?;
    let statements = Parser::new(&MsSqlDialect {})
        .with_recursion_limit(MAX_NESTING)
        .try_with_sql(&text)
        .and_then(|mut parser| parser.parse_statements())
        .map_err(|e| {
            let message = e.to_string();
            let message = message
                .strip_prefix("sql parser error: ")
                .unwrap_or(&message);
            format!("the SQL parser cannot read it as a query: {message}")
        })?;
    let query = match statements.as_slice() {
        [] => return Err("it is empty".into()),
        [Statement::Query(query)] => query,
        [other] => {
            return Err(format!(
                "it is {}, not a query (SELECT or WITH … SELECT), {}",
                kind(other),
                at(other.span().start)
            ));
        }
        [_, second, ..] => {
            return Err(format!(
                "it holds {} statements, the second {}",
                statements.len(),
                at(second.span().start)
            ));
        }
    };
    match query.visit(&mut ReadOnly) {
        ControlFlow::Continue(()) => Ok(()),
        ControlFlow::Break(why) => Err(why),
    }
}

/// The statement with every bare carriage return made a line feed (SQL
/// Server ends a `--` comment at either), or why it cannot be judged.
fn as_sql_server_reads_it(statement: &str) -> Result<String, String> {
    let mut text = String::with_capacity(statement.len());
    let mut chars = statement.chars().peekable();
    let (mut line, mut column) = (1, 1);
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() != Some(&'\n') => text.push('\n'),
            '\t' | '\n' | '\r' => text.push(c),
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') => {
                return Err(format!(
                    "it holds the control character U+{:04X} at line {line}, column {column}",
                    u32::from(c)
                ));
            }
            c => text.push(c),
        }
        if text.ends_with('\n') {
            (line, column) = (line + 1, 1);
        } else {
            column += 1;
        }
    }
    Ok(text)
}

/// `a DELETE statement`, `an INSERT statement`: the statement's first word.
fn kind(statement: &Statement) -> String {
    let text = statement.to_string();
    let word = text
        .split_whitespace()
        .next()
        .unwrap_or("another")
        .to_ascii_uppercase();
    let article = if word.starts_with(['A', 'E', 'I', 'O', 'U']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {word} statement")
}

/// `at line 2, column 5`.
fn at(location: Location) -> String {
    format!("at line {}, column {}", location.line, location.column)
}

/// Walks a parsed query and stops at the first part that is not a plain read.
struct ReadOnly;

impl Visitor for ReadOnly {
    type Break = String;

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<String> {
        if let Some(lock) = query.locks.first() {
            return ControlFlow::Break(format!(
                "it takes a lock for writing (`{lock}`), {}",
                at(query.span().start)
            ));
        }
        read_only_body(&query.body)
    }

    fn pre_visit_relation(&mut self, relation: &ObjectName) -> ControlFlow<String> {
        let name = relation.to_string();
        let last = name.rsplit('.').next().unwrap_or(&name);
        if REMOTE_ROWSETS.iter().any(|r| r.eq_ignore_ascii_case(last)) {
            return ControlFlow::Break(format!(
                "it reads through `{last}`, which runs text on another server, {}",
                at(relation.span().start)
            ));
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_table_factor(&mut self, factor: &TableFactor) -> ControlFlow<String> {
        if let TableFactor::Function { name, .. } = factor {
            return self.pre_visit_relation(name);
        }
        ControlFlow::Continue(())
    }
}

/// A query body is a `SELECT` without `INTO`, a nested query, or a set
/// operation (`UNION`, `EXCEPT`, `INTERSECT`) of those.
fn read_only_body(body: &SetExpr) -> ControlFlow<String> {
    match body {
        SetExpr::Select(select) => match &select.into {
            Some(into) => ControlFlow::Break(format!(
                "it writes its rows somewhere (`{into}`), {}",
                at(select.span().start)
            )),
            None => ControlFlow::Continue(()),
        },
        SetExpr::Query(_) => ControlFlow::Continue(()),
        SetExpr::SetOperation { left, right, .. } => {
            read_only_body(left)?;
            read_only_body(right)
        }
        other => ControlFlow::Break(format!(
            "its body is not a SELECT: `{}`, {}",
            first_words(&other.to_string()),
            at(other.span().start)
        )),
    }
}

/// The first few words of a statement, for a message.
fn first_words(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().take(4).collect();
    words.join(" ")
}

#[cfg(test)]
mod tests;
