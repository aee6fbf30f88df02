//! PostgreSQL connections kept warm between requests, out of sqlx's pool.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use sqlx::pool::PoolConnection;
use sqlx::{Database, Pool};
use tokio::sync::Notify;

/// A connection idle in [`Warm`] longer than this goes back to sqlx's pool,
/// which checks it, instead of being handed out again unchecked (the pool's
/// own rule for PostgreSQL: a connection idle a second is pinged first).
const WARM_FOR: Duration = Duration::from_secs(1);

/// Read connections kept between requests, out of sqlx's pool. The pool
/// sends every connection it takes back a ping (a round trip to SQLite's
/// connection thread, or to PostgreSQL; not configurable) before anyone may
/// use it again: for a read request, one round trip in three. A connection
/// whose queries all completed goes here instead, and the next request
/// takes it as it is. One that did not (an error, or a request cancelled
/// mid-query) goes back through the pool and its check. Holds at most half
/// the pool, so code that takes connections from the pool itself always
/// finds the other half.
///
/// A request that finds none here and waits for the pool is also woken
/// when one is kept here ([`Warm::take_or_acquire`]): the pool does not
/// see connections kept here, and its waiters stalled while other requests
/// took them in turn, some until the acquire timeout (docs/performance.md).
pub struct Warm<DB: Database> {
    idle: Mutex<Vec<(PoolConnection<DB>, Instant)>>,
    capacity: usize,
    kept: Notify,
}

impl<DB: Database> Warm<DB> {
    pub(super) fn new(pool_size: u32) -> Arc<Self> {
        Arc::new(Warm {
            idle: Mutex::new(Vec::new()),
            capacity: (pool_size / 2) as usize,
            kept: Notify::new(),
        })
    }

    /// A warm connection, else the first of: one from the pool, or one
    /// kept here meanwhile.
    pub(super) async fn take_or_acquire(
        &self,
        pool: &Pool<DB>,
    ) -> Result<PoolConnection<DB>, sqlx::Error> {
        loop {
            if let Some(connection) = self.take() {
                return Ok(connection);
            }
            let kept = self.kept.notified();
            tokio::pin!(kept);
            // Registered before looking again: a keep from now on wakes it.
            kept.as_mut().enable();
            if let Some(connection) = self.take() {
                return Ok(connection);
            }
            // Below its size the pool opens a connection for this request:
            // left to finish (cancelled, it was opened for nothing).
            if pool.size() < pool.options().get_max_connections() {
                return pool.acquire().await;
            }
            tokio::select! {
                acquired = pool.acquire() => return acquired,
                () = kept => {}
            }
        }
    }

    fn idle(&self) -> std::sync::MutexGuard<'_, Vec<(PoolConnection<DB>, Instant)>> {
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The connection used last, unless it has been idle too long; then
    /// every connection here goes back to the pool.
    pub(super) fn take(&self) -> Option<PoolConnection<DB>> {
        let mut idle = self.idle();
        let (connection, since) = idle.pop()?;
        if since.elapsed() < WARM_FOR {
            return Some(connection);
        }
        let cold = std::mem::take(&mut *idle);
        drop(idle);
        drop((connection, cold));
        None
    }

    fn keep(&self, connection: PoolConnection<DB>) {
        let mut idle = self.idle();
        if idle.len() < self.capacity {
            idle.push((connection, Instant::now()));
            drop(idle);
            self.kept.notify_one();
        } else {
            drop(idle);
            drop(connection);
        }
    }

    pub(super) fn len(&self) -> usize {
        self.idle().len()
    }

    /// Hands every connection back to the pool (before it closes).
    pub(super) fn clear(&self) {
        let all = std::mem::take(&mut *self.idle());
        drop(all);
    }
}

impl<DB: Database> std::fmt::Debug for Warm<DB> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Warm")
            .field("idle", &self.len())
            .field("capacity", &self.capacity)
            .finish()
    }
}

impl<DB: Database> Drop for Warm<DB> {
    fn drop(&mut self) {
        // A pooled connection goes back in a task of its own; without a
        // runtime to run it, close the connections here instead.
        if tokio::runtime::Handle::try_current().is_err() {
            for (connection, _) in self.idle().drain(..) {
                drop(connection.leak());
            }
        }
    }
}

/// One connection taken for a statement: back to its [`Warm`] when the
/// statement completed, else (an error, or a request cancelled mid-query)
/// back through the pool and its check.
pub(super) struct WarmConn<DB: Database> {
    held: Option<(PoolConnection<DB>, Arc<Warm<DB>>)>,
    /// False while a statement runs: set back by [`WarmConn::settle`].
    settled: bool,
}

impl<DB: Database> WarmConn<DB> {
    pub(super) async fn take(warm: &Arc<Warm<DB>>, pool: &Pool<DB>) -> Result<Self, sqlx::Error> {
        let connection = warm.take_or_acquire(pool).await?;
        Ok(WarmConn {
            held: Some((connection, warm.clone())),
            settled: true,
        })
    }

    /// The connection, for one statement; [`WarmConn::settle`] once it completed.
    pub(super) fn connection(&mut self) -> &mut DB::Connection {
        self.settled = false;
        &mut self.held.as_mut().expect("held until dropped").0
    }

    pub(super) fn settle(&mut self) {
        self.settled = true;
    }
}

impl<DB: Database> Drop for WarmConn<DB> {
    fn drop(&mut self) {
        if let (true, Some((connection, warm))) = (self.settled, self.held.take()) {
            warm.keep(connection);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use sqlx::sqlite::{SqlitePool, SqlitePoolOptions};
    use sqlx::Sqlite;

    use super::*;

    /// A pool of 8 connections to a database in memory, and its warm ones.
    async fn pool() -> (SqlitePool, Arc<Warm<Sqlite>>) {
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect("sqlite::memory:")
            .await
            .unwrap();
        (pool, Warm::new(8))
    }

    async fn select_one(conn: &mut WarmConn<Sqlite>) -> Result<i64, sqlx::Error> {
        let one = sqlx::query_scalar("SELECT 1")
            .fetch_one(conn.connection())
            .await?;
        conn.settle();
        Ok(one)
    }

    /// All of the pool's 8 connections, each used once.
    async fn every_connection(
        pool: &SqlitePool,
        warm: &Arc<Warm<Sqlite>>,
    ) -> Vec<WarmConn<Sqlite>> {
        let mut held = Vec::new();
        for _ in 0..8 {
            let mut conn = WarmConn::take(warm, pool).await.unwrap();
            select_one(&mut conn).await.unwrap();
            held.push(conn);
        }
        held
    }

    #[tokio::test]
    async fn a_connection_whose_queries_completed_is_kept_for_the_next_request() {
        let (pool, warm) = pool().await;
        let mut conn = WarmConn::take(&warm, &pool).await.unwrap();
        assert_eq!(select_one(&mut conn).await.unwrap(), 1);
        drop(conn);
        assert_eq!(warm.len(), 1);
        let mut conn = WarmConn::take(&warm, &pool).await.unwrap();
        assert_eq!(warm.len(), 0);
        assert_eq!(select_one(&mut conn).await.unwrap(), 1);
    }

    #[tokio::test]
    async fn a_connection_whose_query_failed_goes_back_to_the_pool() {
        let (pool, warm) = pool().await;
        let mut conn = WarmConn::take(&warm, &pool).await.unwrap();
        let failed = sqlx::query_scalar::<_, i64>("SELECT * FROM nowhere")
            .fetch_one(conn.connection())
            .await;
        assert!(failed.is_err());
        drop(conn);
        assert_eq!(warm.len(), 0);
    }

    #[tokio::test]
    async fn a_connection_dropped_mid_query_goes_back_to_the_pool() {
        let (pool, warm) = pool().await;
        let mut conn = WarmConn::take(&warm, &pool).await.unwrap();
        let slow = sqlx::query_scalar::<_, i64>(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000000)
             SELECT count(*) FROM n",
        )
        .fetch_one(conn.connection());
        assert!(tokio::time::timeout(Duration::from_millis(20), slow)
            .await
            .is_err());
        drop(conn);
        assert_eq!(warm.len(), 0);
    }

    #[tokio::test]
    async fn at_most_half_the_pool_is_kept() {
        let (pool, warm) = pool().await;
        let held = every_connection(&pool, &warm).await;
        drop(held);
        assert_eq!(warm.len(), 4);
    }

    #[tokio::test]
    async fn a_request_waiting_for_the_pool_gets_a_connection_kept_warm() {
        let (pool, warm) = pool().await;
        let mut held = every_connection(&pool, &warm).await;
        // The pool is empty: this request waits.
        let waiting = tokio::spawn({
            let (pool, warm) = (pool.clone(), warm.clone());
            async move { WarmConn::take(&warm, &pool).await.map(|_| ()) }
        });
        tokio::task::yield_now().await;
        // One connection is kept warm, none goes back to the pool.
        held.pop();
        assert!(warm.len() <= 1);
        let answered = tokio::time::timeout(Duration::from_secs(2), waiting).await;
        assert!(
            matches!(answered, Ok(Ok(Ok(())))),
            "the waiting request got nothing"
        );
    }
}
