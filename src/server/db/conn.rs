//! One connection held for a request's reads, and the warm connections it
//! comes from.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use sqlx::pool::PoolConnection;
use sqlx::postgres::PgConnection;
use sqlx::sqlite::SqliteConnection;
use sqlx::Pool;
use sqlx::{Database, Postgres, Sqlite};
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
/// took them in turn (PostgreSQL, 32 clients on 16 connections: p99s of
/// 0.2–1.3 s, and a few 503s when a wait reached the acquire timeout).
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

enum Held {
    Sqlite(PoolConnection<Sqlite>, Arc<Warm<Sqlite>>),
    Postgres(PoolConnection<Postgres>, Arc<Warm<Postgres>>),
}

/// One connection, held for a request's reads (on PostgreSQL, the token
/// lookup of [`super::Db::read_one`] and what it reads next). Never held
/// while waiting for another connection: the pool could run dry. Dropped, it goes back to [`Warm`]
/// when its last query completed.
pub struct Conn {
    held: Option<Held>,
    /// False while a query runs: set back by [`on_conn!`] once it completed.
    settled: bool,
}

/// The connection [`Conn::lend`] lends, by backend.
pub enum Lent<'c> {
    Sqlite(&'c mut SqliteConnection),
    Postgres(&'c mut PgConnection),
}

impl Conn {
    pub(super) fn sqlite(connection: PoolConnection<Sqlite>, warm: Arc<Warm<Sqlite>>) -> Self {
        Conn {
            held: Some(Held::Sqlite(connection, warm)),
            settled: true,
        }
    }

    pub(super) fn postgres(
        connection: PoolConnection<Postgres>,
        warm: Arc<Warm<Postgres>>,
    ) -> Self {
        Conn {
            held: Some(Held::Postgres(connection, warm)),
            settled: true,
        }
    }

    /// The connection, for one query; [`Conn::settle`] once it completed.
    /// Use [`on_conn!`], which does both.
    pub fn lend(&mut self) -> Lent<'_> {
        self.settled = false;
        match self.held.as_mut().expect("held until dropped") {
            Held::Sqlite(connection, _) => Lent::Sqlite(connection),
            Held::Postgres(connection, _) => Lent::Postgres(connection),
        }
    }

    pub fn settle(&mut self) {
        self.settled = true;
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        if !self.settled {
            return; // dropped with `held`: back to the pool, checked
        }
        match self.held.take() {
            Some(Held::Sqlite(connection, warm)) => warm.keep(connection),
            Some(Held::Postgres(connection, warm)) => warm.keep(connection),
            None => {}
        }
    }
}

/// Runs one query on whichever connection a [`Conn`] holds, marking the
/// connection settled once the query completed (a `?` inside returns
/// before that). One expression for both backends, `$c` bound to the
/// concrete connection (an executor), as [`on_pool!`] does; or one per
/// backend, when the SQL differs.
macro_rules! on_conn {
    ($conn:expr, $c:ident => $body:expr) => {
        $crate::server::db::on_conn!($conn, Sqlite($c) => $body, Postgres($c) => $body)
    };
    ($conn:expr, Sqlite($s:ident) => $sqlite:expr, Postgres($p:ident) => $postgres:expr) => {{
        let conn: &mut $crate::server::db::Conn = $conn;
        let result = match conn.lend() {
            $crate::server::db::Lent::Sqlite($s) => $sqlite,
            $crate::server::db::Lent::Postgres($p) => $postgres,
        };
        conn.settle();
        result
    }};
}
pub(crate) use on_conn;

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::super::Db;
    use super::*;

    /// A database in a file of its own (an in-memory one would still take
    /// the migration lock file, beside it in the working directory).
    async fn sqlite() -> (Db, Arc<Warm<Sqlite>>) {
        let dir = std::env::temp_dir().join(format!("warm-{}", rand::random::<u64>()));
        std::fs::create_dir_all(&dir).unwrap();
        let db = Db::connect(&format!("sqlite://{}/test.db", dir.display()))
            .await
            .unwrap();
        let Db::Sqlite(_, _, warm, _) = &db else {
            unreachable!()
        };
        let warm = warm.clone();
        (db, warm)
    }

    async fn select_one(conn: &mut Conn) -> Result<i64, sqlx::Error> {
        Ok(on_conn!(conn, c => sqlx::query_scalar("SELECT 1").fetch_one(c).await?))
    }

    /// All of the pool's 8 connections, each used once.
    async fn every_connection(db: &Db) -> Vec<Conn> {
        let mut held = Vec::new();
        for _ in 0..8 {
            let mut conn = db.conn().await.unwrap();
            select_one(&mut conn).await.unwrap();
            held.push(conn);
        }
        held
    }

    #[tokio::test]
    async fn a_connection_whose_queries_completed_is_kept_for_the_next_request() {
        let (db, warm) = sqlite().await;
        let mut conn = db.conn().await.unwrap();
        assert_eq!(select_one(&mut conn).await.unwrap(), 1);
        drop(conn);
        assert_eq!(warm.len(), 1);
        let mut conn = db.conn().await.unwrap();
        assert_eq!(warm.len(), 0);
        assert_eq!(select_one(&mut conn).await.unwrap(), 1);
    }

    #[tokio::test]
    async fn a_connection_whose_query_failed_goes_back_to_the_pool() {
        let (db, warm) = sqlite().await;
        let mut conn = db.conn().await.unwrap();
        let failed: Result<i64, sqlx::Error> = async {
            Ok(
                on_conn!(&mut conn, c => sqlx::query_scalar("SELECT * FROM nowhere")
                .fetch_one(c)
                .await?),
            )
        }
        .await;
        assert!(failed.is_err());
        drop(conn);
        assert_eq!(warm.len(), 0);
    }

    #[tokio::test]
    async fn a_connection_dropped_mid_query_goes_back_to_the_pool() {
        let (db, warm) = sqlite().await;
        let mut conn = db.conn().await.unwrap();
        let slow = async {
            on_conn!(&mut conn, c => sqlx::query_scalar::<_, i64>(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000000)
                 SELECT count(*) FROM n",
            )
            .fetch_one(c)
            .await)
        };
        assert!(tokio::time::timeout(Duration::from_millis(20), slow)
            .await
            .is_err());
        drop(conn);
        assert_eq!(warm.len(), 0);
    }

    #[tokio::test]
    async fn at_most_half_the_pool_is_kept() {
        let (db, warm) = sqlite().await;
        let held = every_connection(&db).await;
        drop(held);
        assert_eq!(warm.len(), 4);
    }

    #[tokio::test]
    async fn a_request_waiting_for_the_pool_gets_a_connection_kept_warm() {
        let (db, warm) = sqlite().await;
        let mut held = every_connection(&db).await;
        // The pool is empty: this request waits.
        let waiting = tokio::spawn({
            let db = db.clone();
            async move { db.conn().await.map(|_| ()) }
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
