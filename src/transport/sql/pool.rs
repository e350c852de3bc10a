//! The connection pool of one database service in one environment
//! (deadpool's managed pool with a tiberius connection manager).
//!
//! ```text
//! checkout(pool) ─▶ idle connection, or a new one (connect + login within connect_timeout)
//! drop(conn)     ─▶ back to the pool for the next query
//! discard(conn)  ─▶ closed and forgotten (it broke or timed out mid-query)
//! ```

use std::time::Duration;

use deadpool::managed::{self, Metrics, Object, PoolError, RecycleResult};

use super::connection::{self, TdsClient};

/// Opens tiberius connections for the pool.
pub(super) struct TdsManager {
    config: tiberius::Config,
    connect_timeout: Duration,
}

impl TdsManager {
    /// A manager opening connections with `config`.
    pub(super) fn new(config: tiberius::Config, connect_timeout: Duration) -> TdsManager {
        TdsManager {
            config,
            connect_timeout,
        }
    }
}

impl managed::Manager for TdsManager {
    type Type = TdsClient;
    type Error = String;

    async fn create(&self) -> Result<TdsClient, String> {
        connection::connect(self.config.clone(), self.connect_timeout).await
    }

    async fn recycle(&self, _client: &mut TdsClient, _: &Metrics) -> RecycleResult<String> {
        // A connection that failed was discarded, never returned; one that is
        // idle but was closed by the server fails its next query, which
        // discards it and reports the failure.
        Ok(())
    }
}

/// A pool of connections to one service.
pub(super) type Pool = managed::Pool<TdsManager>;

/// A checked-out connection.
pub(super) type Pooled = Object<TdsManager>;

/// Builds a pool holding at most `size` connections.
pub(super) fn build(manager: TdsManager, size: usize) -> Result<Pool, String> {
    managed::Pool::builder(manager)
        .max_size(size)
        .build()
        .map_err(|e| format!("cannot build the connection pool: {e}"))
}

/// A connection from the pool, opening one if none is idle; waits at most
/// `timeout` (for a free slot and for the connection).
pub(super) async fn checkout(pool: &Pool, timeout: Duration) -> Result<Pooled, String> {
    match tokio::time::timeout(timeout, pool.get()).await {
        Ok(Ok(conn)) => Ok(conn),
        Ok(Err(PoolError::Backend(message))) => Err(message),
        Ok(Err(other)) => Err(format!("no connection available: {other}")),
        Err(_) => Err(format!(
            "no connection available within {timeout:?} (connect_timeout_ms)"
        )),
    }
}

/// Removes a broken connection from the pool and closes it.
pub(super) fn discard(conn: Pooled) {
    drop(Object::take(conn));
}
