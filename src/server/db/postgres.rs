//! The PostgreSQL backend: one pool; single statements run on connections
//! kept warm between requests ([`super::warm`]), transactions on pooled ones.

use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::Connection;

use super::params::bind_all;
use super::warm::{Warm, WarmConn};
use super::{migrations, ConnectError, Error, FromColumns, Param, Tx, MIGRATION_LOCK_KEY};

/// A connection idle this long is pinged before it is used.
const CHECK_IDLE_AFTER: Duration = Duration::from_secs(1);

pub(super) struct Postgres {
    pool: PgPool,
    warm: Arc<Warm<sqlx::Postgres>>,
}

impl Postgres {
    pub(super) async fn connect(url: &str, timeout: Duration) -> Result<Self, ConnectError> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(timeout)
            // sqlx pings each connection as it goes back to the pool; a
            // ping before each use too would be one more round trip per
            // query. Only a connection idle for a while (the server may
            // have gone away meanwhile) is checked before it is used.
            .test_before_acquire(false)
            .before_acquire(|connection, meta| {
                Box::pin(async move {
                    if meta.idle_for >= CHECK_IDLE_AFTER {
                        connection.ping().await?;
                    }
                    Ok(true)
                })
            })
            .connect(url)
            .await
            .map_err(|e| ConnectError::Connect(e.into()))?;
        let warm = Warm::new(pool.options().get_max_connections());
        Ok(Postgres { pool, warm })
    }

    /// Behind an advisory lock: instances starting together take turns.
    pub(super) async fn migrate(&self) -> Result<(), ConnectError> {
        // Advisory locks belong to a connection: take, use and release this
        // one on the same connection.
        let connect = |e: sqlx::Error| ConnectError::Connect(e.into());
        let mut connection = self.pool.acquire().await.map_err(connect)?;
        let lock = |sql| sqlx::query(sql).bind(MIGRATION_LOCK_KEY);
        lock("SELECT pg_advisory_lock($1)")
            .execute(&mut *connection)
            .await
            .map_err(connect)?;
        let migrated = migrations::postgres().run(&mut *connection).await;
        lock("SELECT pg_advisory_unlock($1)")
            .execute(&mut *connection)
            .await
            .map_err(connect)?;
        migrated.map_err(ConnectError::Migrate)
    }

    pub(super) async fn read_one<T: FromColumns>(
        &self,
        sql: &str,
        params: &[Param<'_>],
    ) -> Result<Option<T>, Error> {
        let mut conn = WarmConn::take(&self.warm, &self.pool).await?;
        let row = bind_all(sqlx::query(sql), params)
            .fetch_optional(conn.connection())
            .await?;
        conn.settle();
        row.map(|row| T::read(&row)).transpose()
    }

    pub(super) async fn read_all<T: FromColumns>(
        &self,
        sql: &str,
        params: &[Param<'_>],
    ) -> Result<Vec<T>, Error> {
        let mut conn = WarmConn::take(&self.warm, &self.pool).await?;
        let rows = bind_all(sqlx::query(sql), params)
            .fetch_all(conn.connection())
            .await?;
        conn.settle();
        rows.iter().map(T::read).collect()
    }

    pub(super) async fn execute(&self, sql: &str, params: &[Param<'_>]) -> Result<u64, Error> {
        let mut conn = WarmConn::take(&self.warm, &self.pool).await?;
        let done = bind_all(sqlx::query(sql), params)
            .execute(conn.connection())
            .await?;
        conn.settle();
        Ok(done.rows_affected())
    }

    pub(super) async fn transaction<R, E>(
        &self,
        work: impl AsyncFnOnce(&mut Tx<'_>) -> Result<R, E>,
    ) -> Result<R, E>
    where
        E: From<Error>,
    {
        let tx = self.pool.begin().await.map_err(Error::from)?;
        Tx::run_postgres(tx, work).await
    }

    /// A connection of its own, listening on `channel`.
    pub(super) async fn listen(&self, channel: &str) -> Result<sqlx::postgres::PgListener, Error> {
        let mut listener = sqlx::postgres::PgListener::connect_with(&self.pool).await?;
        listener.listen(channel).await?;
        Ok(listener)
    }

    /// Connections handed out now, and the pool's size.
    pub(super) fn connections_in_use(&self) -> (u32, u32) {
        let size = self.pool.size();
        let idle = u32::try_from(self.pool.num_idle() + self.warm.len()).unwrap_or(size);
        (
            size.saturating_sub(idle),
            self.pool.options().get_max_connections(),
        )
    }

    pub(super) async fn close(&self) {
        self.warm.clear();
        self.pool.close().await;
    }
}
