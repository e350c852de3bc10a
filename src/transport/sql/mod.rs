//! SQL Server transport (tiberius over TCP): one connection pool per
//! environment and service, parameterised queries, results as JSON.
//!
//! ```text
//! SqlClient("erpdb" on "staging", pool of 4)
//!   .query("SELECT OrderNo, Total FROM dbo.Orders WHERE OrderNo = @P1", ["PO-20931"])
//!   ─▶ SqlExchange { columns: [OrderNo nvarchar, Total decimal],
//!                    rows: [["PO-20931", "1325.00"]], elapsed_ms: 3.1 }
//! ```
//!
//! Values are always bound as parameters (`@P1…`, sent as nvarchar; the server
//! converts them where a column has another type), never spliced into the
//! text. A connection that fails mid-query (closed, timed out, protocol
//! error) is dropped from the pool rather than returned to it, so the next
//! query opens a fresh one: a restarted server is usable by the next step.
//! Server errors (a bad column name) keep the connection. Messages name the
//! environment and service, never the connection string; the trace writer
//! and every report pass them through the run's redactor as well.

mod connection;
pub mod guard;
mod pool;
pub mod types;

use std::time::{Duration, Instant};

use serde_json::Value;
use tiberius::{Column, Query, Row};

use crate::config::DatabaseService;
use crate::trace::{SqlColumn, SqlExchange};
use connection::TdsClient;
use pool::{Pool, TdsManager};

pub use guard::check_read_only;

/// A database client could not be built for a service.
#[derive(Debug, thiserror::Error)]
#[error("cannot set up SQL Server service `{service}` in `{environment}`: {message}")]
pub struct SqlSetupError {
    /// The environment.
    pub environment: String,
    /// The service.
    pub service: String,
    /// Why.
    pub message: String,
}

/// The pooled SQL Server client of one service in one environment.
#[derive(Clone)]
pub struct SqlClient {
    environment: String,
    service: String,
    pool: Pool,
    connect_timeout: Duration,
    query_timeout: Duration,
    limiter: Option<std::sync::Arc<crate::transport::limit::RequestLimiter>>,
}

impl std::fmt::Debug for SqlClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlClient")
            .field("environment", &self.environment)
            .field("service", &self.service)
            .finish_non_exhaustive()
    }
}

/// A query to run: the statement and its `@P1…` values.
#[derive(Debug, Clone, PartialEq)]
pub struct SqlQuery {
    /// Statement text with `@P1`, `@P2`, … placeholders.
    pub statement: String,
    /// The values bound to the placeholders, in order.
    pub parameters: Vec<String>,
}

impl SqlClient {
    /// A client for `service` in `environment`; connects lazily, on first use.
    pub fn new(
        environment: &str,
        service: &str,
        settings: &DatabaseService,
    ) -> Result<SqlClient, SqlSetupError> {
        let fail = |message: String| SqlSetupError {
            environment: environment.to_owned(),
            service: service.to_owned(),
            message,
        };
        // TLS through the same rustls provider (ring) as the HTTP transport.
        crate::transport::http::install_crypto_provider();
        let config = connection::settings(&settings.connection).map_err(fail)?;
        let manager = TdsManager::new(config, settings.connect_timeout);
        let pool = pool::build(manager, settings.pool_size).map_err(fail)?;
        Ok(SqlClient {
            environment: environment.to_owned(),
            service: service.to_owned(),
            pool,
            connect_timeout: settings.connect_timeout,
            query_timeout: settings.query_timeout,
            limiter: None,
        })
    }

    /// Makes every query wait for a permit of `limiter` before it runs.
    pub fn set_limiter(
        &mut self,
        limiter: std::sync::Arc<crate::transport::limit::RequestLimiter>,
    ) {
        self.limiter = Some(limiter);
    }

    /// The service name.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// Runs a query and records it; a failure is in the exchange's `error`.
    pub async fn query(&self, query: &SqlQuery) -> SqlExchange {
        let _permit = crate::transport::limit::permit(self.limiter.as_ref()).await;
        let started = Instant::now();
        let result = self.run(query).await;
        let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
        let mut exchange = SqlExchange {
            service: self.service.clone(),
            statement: query.statement.clone(),
            parameters: query
                .parameters
                .iter()
                .map(|p| Value::String(p.clone()))
                .collect(),
            columns: Vec::new(),
            rows: Vec::new(),
            key: Vec::new(),
            configuration: None,
            error: None,
            elapsed_ms,
        };
        match result {
            Ok((columns, rows)) => {
                exchange.columns = columns;
                exchange.rows = rows;
            }
            Err(message) => {
                exchange.error = Some(format!(
                    "SQL Server service `{}` in `{}`: {message}",
                    self.service, self.environment
                ));
            }
        }
        exchange
    }

    async fn run(&self, query: &SqlQuery) -> Result<(Vec<SqlColumn>, Vec<Vec<Value>>), String> {
        let mut client = pool::checkout(&self.pool, self.connect_timeout).await?;
        let outcome = tokio::time::timeout(self.query_timeout, fetch(&mut client, query)).await;
        match outcome {
            Ok(Ok(raw)) => to_result(raw),
            Ok(Err(Fetch::Server(message))) => Err(message),
            Ok(Err(Fetch::Connection(message))) => {
                pool::discard(client);
                Err(format!("the connection failed during the query: {message}"))
            }
            Err(_) => {
                pool::discard(client);
                Err(format!(
                    "the query did not finish within {:?} (timeout_ms)",
                    self.query_timeout
                ))
            }
        }
    }
}

/// Why a query brought no result.
enum Fetch {
    /// The server refused the statement; the connection is fine.
    Server(String),
    /// The connection broke; it must not be reused.
    Connection(String),
}

async fn fetch(client: &mut TdsClient, query: &SqlQuery) -> Result<(Vec<Column>, Vec<Row>), Fetch> {
    let mut sql = Query::new(query.statement.as_str());
    for parameter in &query.parameters {
        sql.bind(parameter.as_str());
    }
    let mut stream = sql.query(client).await.map_err(classify)?;
    let columns = stream
        .columns()
        .await
        .map_err(classify)?
        .map(<[Column]>::to_vec)
        .unwrap_or_default();
    let rows = stream.into_first_result().await.map_err(classify)?;
    Ok((columns, rows))
}

fn classify(error: tiberius::error::Error) -> Fetch {
    match error {
        tiberius::error::Error::Server(token) => Fetch::Server(format!(
            "the server refused the statement: {} (error {})",
            token.message(),
            token.code()
        )),
        other => Fetch::Connection(other.to_string()),
    }
}

/// Maps the raw result to named columns and JSON rows.
fn to_result(
    (columns, rows): (Vec<Column>, Vec<Row>),
) -> Result<(Vec<SqlColumn>, Vec<Vec<Value>>), String> {
    let described: Vec<SqlColumn> = columns
        .iter()
        .map(|c| SqlColumn {
            name: c.name().to_owned(),
            sql_type: types::type_name(c.column_type()).to_owned(),
        })
        .collect();
    if let Some(column) = columns
        .iter()
        .find(|c| !types::is_mappable(c.column_type()))
    {
        return Err(types::unmapped(column.name(), column.column_type()));
    }
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let cells = row
            .cells()
            .map(|(column, data)| types::to_json(column.name(), column.column_type(), data))
            .collect::<Result<Vec<Value>, String>>()?;
        out.push(cells);
    }
    Ok((described, out))
}
