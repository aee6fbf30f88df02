//! SQLite's reads, on connections of their own (rusqlite). sqlx runs each
//! SQLite connection on a thread of its own, so every query would be a
//! hand-off to that thread and back, which for a one-row indexed read costs
//! more than the query (docs/performance.md). A read runs here on the
//! request's own thread instead, without waiting for any lock: in WAL mode a
//! reader never waits for a writer. When it does meet a lock (another
//! process's exclusive lock, or its recovery after a crash), the read runs
//! again on a blocking thread that may wait for it, so no runtime worker —
//! the ones that also answer `/healthz` — ever waits on a lock.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rusqlite::Connection;

use super::super::{Error, FromColumns, Param};
use super::statements::{self, met_a_lock};
use super::{open_flags, STATEMENTS_KEPT};

/// Reader connections to one SQLite database, opened when first needed
/// and kept between reads.
pub(super) struct Readers {
    path: PathBuf,
    /// sqlx's in-memory databases are shared-cache URIs (`file:…`).
    in_memory: bool,
    /// How long a read that met a lock may wait for it, off the workers.
    lock_wait: Duration,
    idle: Mutex<Vec<Kept>>,
    capacity: usize,
    /// Moved by [`Readers::statistics_changed`]. A connection plans with
    /// the planner's statistics it loaded with the schema when it opened,
    /// and SQLite rereads them only when the schema changes: a connection
    /// opened before they changed is closed rather than kept.
    statistics: AtomicU64,
    in_use: AtomicUsize,
}

/// An idle connection, and the statistics it plans with.
struct Kept {
    connection: Connection,
    statistics: u64,
}

/// A read of rows: [`statements::read_one`] or [`statements::read_all`].
type Read<T> = fn(&Connection, &str, &[Param<'_>]) -> Result<T, Error>;

/// Whether a read may wait for a lock (on a blocking thread only).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Wait {
    No,
    Yes,
}

impl Readers {
    pub(super) fn new(
        path: PathBuf,
        in_memory: bool,
        capacity: usize,
        lock_wait: Duration,
    ) -> Arc<Self> {
        Arc::new(Readers {
            path,
            in_memory,
            lock_wait,
            idle: Mutex::new(Vec::new()),
            capacity,
            statistics: AtomicU64::new(0),
            in_use: AtomicUsize::new(0),
        })
    }

    pub(super) async fn read_one<T: FromColumns + Send + 'static>(
        self: &Arc<Self>,
        sql: &str,
        params: &[Param<'_>],
    ) -> Result<Option<T>, Error> {
        self.read(sql, params, statements::read_one).await
    }

    pub(super) async fn read_all<T: FromColumns + Send + 'static>(
        self: &Arc<Self>,
        sql: &str,
        params: &[Param<'_>],
    ) -> Result<Vec<T>, Error> {
        self.read(sql, params, statements::read_all).await
    }

    /// `sql` with `params`, read by `rows`: here without waiting, or when
    /// that met a lock, on a blocking thread that waits for it.
    async fn read<T: Send + 'static>(
        self: &Arc<Self>,
        sql: &str,
        params: &[Param<'_>],
        rows: Read<T>,
    ) -> Result<T, Error> {
        match self.query(Wait::No, sql, params, rows) {
            Err(error) if met_a_lock(&error) => {
                let (readers, sql) = (self.clone(), sql.to_owned());
                let params: Vec<Param<'static>> =
                    params.iter().cloned().map(Param::into_owned).collect();
                tokio::task::spawn_blocking(move || readers.query(Wait::Yes, &sql, &params, rows))
                    .await
                    .map_err(|e| Error::Other(e.into()))?
            }
            done => done,
        }
    }

    fn query<T>(
        &self,
        wait: Wait,
        sql: &str,
        params: &[Param<'_>],
        rows: Read<T>,
    ) -> Result<T, Error> {
        self.with_connection(wait, |connection| rows(connection, sql, params))
    }

    /// Runs `work` on an idle connection (or a new one), then keeps the
    /// connection for the next read.
    fn with_connection<T>(
        &self,
        wait: Wait,
        work: impl FnOnce(&Connection) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let statistics = self.statistics.load(Ordering::Acquire);
        let taken = self.idle().pop();
        let Kept {
            connection,
            statistics,
        } = match taken {
            Some(kept) if kept.statistics == statistics => kept,
            _ => Kept {
                connection: self.open()?,
                statistics,
            },
        };
        self.in_use.fetch_add(1, Ordering::Relaxed);
        let done = if wait == Wait::Yes {
            connection
                .busy_timeout(self.lock_wait)
                .map_err(Error::from)
                .and_then(|()| work(&connection))
                .and_then(|done| Ok(connection.busy_timeout(Duration::ZERO).map(|()| done)?))
        } else {
            work(&connection)
        };
        self.in_use.fetch_sub(1, Ordering::Relaxed);
        let mut idle = self.idle();
        if idle.len() < self.capacity && (wait == Wait::No || done.is_ok()) {
            idle.push(Kept {
                connection,
                statistics,
            });
        }
        done
    }

    /// The planner's statistics changed (this process's `ANALYZE`): the
    /// next reads plan with them, each on a connection opened after.
    pub(super) fn statistics_changed(&self) {
        self.statistics.fetch_add(1, Ordering::AcqRel);
        self.idle().clear();
    }

    fn idle(&self) -> MutexGuard<'_, Vec<Kept>> {
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn open(&self) -> Result<Connection, Error> {
        let connection = Connection::open_with_flags(&self.path, open_flags(self.in_memory))?;
        // No busy handler: a read on a worker never sleeps for a lock.
        connection.busy_timeout(Duration::ZERO)?;
        connection.set_prepared_statement_cache_capacity(STATEMENTS_KEPT);
        // Opened read-write (a read-only connection cannot recover a WAL
        // left by a crash) but never writes.
        connection.pragma_update(None, "query_only", true)?;
        Ok(connection)
    }

    /// Reads running now, and how many connections are kept.
    pub(super) fn in_use(&self) -> (u32, u32) {
        let running = u32::try_from(self.in_use.load(Ordering::Relaxed)).unwrap_or(u32::MAX);
        (running, u32::try_from(self.capacity).unwrap_or(u32::MAX))
    }

    pub(super) fn clear(&self) {
        self.idle().clear();
    }

    #[cfg(test)]
    pub(super) fn idle_count(&self) -> usize {
        self.idle().len()
    }
}
