//! The database seam: SQLite (the embedded default) or PostgreSQL, chosen
//! at run time by `DATABASE_URL`, behind one opaque [`Db`]. Services read
//! and write through a few operations over typed parameters ([`Param`]) and
//! rows read by column name ([`FromColumns`]); no driver type is named
//! outside this module. Each statement is written once, in SQL both
//! backends accept (`$1` placeholders, `RETURNING`, `ON CONFLICT`), or per
//! [`Dialect`] where they must differ.
//!
//! Behind it, by backend:
//! - SQLite has one writer per process ([`sqlite`]'s write queue): every
//!   write and transaction takes its turn there, on a connection of its
//!   own. Reads run on reader connections ([`sqlite`]'s readers) on the
//!   request's own thread without waiting for any lock; a read that meets
//!   one (a crash's recovery, an exclusive lock) is retried on a blocking
//!   thread, so no runtime worker waits on a lock.
//! - PostgreSQL is one pool; reads and single statements on connections
//!   kept warm between requests ([`warm`]).

mod error;
mod migrations;
mod params;
mod postgres;
mod rows;
mod sqlite;
mod transaction;
mod warm;

use std::sync::Arc;
use std::time::Duration;

pub use error::Error;
pub(crate) use params::params;
pub use params::Param;
pub(crate) use rows::read_by_name;
pub use rows::{FromColumns, ReadRow, Single, Value};
pub use transaction::Tx;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://webhook-admin.db";

/// How long a request waits for the database by default: for a
/// connection, the writer's turn, or another process's lock.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// Which SQL a statement that must differ is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// What [`Db::version`] answers: equal twice only if nothing was committed
/// in between.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DataVersion(i64);

/// The database: cheap to clone, shared by every request.
#[derive(Clone)]
pub struct Db(Arc<Backend>);

enum Backend {
    Sqlite(sqlite::Sqlite),
    Postgres(postgres::Postgres),
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Db({:?})", self.dialect())
    }
}

/// Why the database could not be opened or brought up to date.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("DATABASE_URL must start with sqlite:// or postgres:// (got {scheme:?})")]
    UnsupportedUrl { scheme: String },
    #[error("cannot open the database")]
    Connect(#[source] Error),
    #[error("cannot migrate the database")]
    Migrate(#[source] sqlx::migrate::MigrateError),
    #[error("cannot lock the database for migrating")]
    Lock(#[source] std::io::Error),
    #[error("cannot create the database file")]
    File(#[source] std::io::Error),
}

impl Db {
    /// Opens the database named by `url` (a missing SQLite file is
    /// created, readable by its owner only).
    pub async fn connect(url: &str) -> Result<Db, ConnectError> {
        Db::connect_with(url, DEFAULT_TIMEOUT).await
    }

    /// [`Db::connect`], waiting at most `timeout` for the database before
    /// an operation fails as [`Error::Unavailable`] (and the request
    /// answers 503): when it is away, requests fail fast instead of piling up.
    pub async fn connect_with(url: &str, timeout: Duration) -> Result<Db, ConnectError> {
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite(sqlite::Sqlite::connect(url, timeout).await?)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres(postgres::Postgres::connect(url, timeout).await?)
        } else {
            return Err(ConnectError::UnsupportedUrl {
                scheme: url.split(':').next().unwrap_or_default().to_owned(),
            });
        };
        Ok(Db(Arc::new(backend)))
    }

    /// Brings the schema up to date. Safe to run from several processes at
    /// once: they take turns, behind a lock file beside a SQLite database
    /// or an advisory lock in PostgreSQL.
    pub async fn migrate(&self) -> Result<(), ConnectError> {
        match &*self.0 {
            Backend::Sqlite(sqlite) => sqlite.migrate().await,
            Backend::Postgres(postgres) => postgres.migrate().await,
        }
    }

    pub fn dialect(&self) -> Dialect {
        match &*self.0 {
            Backend::Sqlite(_) => Dialect::Sqlite,
            Backend::Postgres(_) => Dialect::Postgres,
        }
    }

    /// The version of everything stored, where reading it costs next to
    /// nothing: on SQLite a number that moves with every commit by any
    /// connection, this process's or another's. `None` on PostgreSQL, or
    /// when it cannot be read at once: then nothing may be taken as
    /// unchanged.
    pub fn version(&self) -> Option<DataVersion> {
        match &*self.0 {
            Backend::Sqlite(sqlite) => sqlite.data_version().map(DataVersion),
            Backend::Postgres(_) => None,
        }
    }

    /// Brings the query planner's statistics up to date with the rows, so
    /// that a query's plan fits the data as it is now (on SQLite a search's
    /// plan depends on them). SQLite's `ANALYZE`, after which this
    /// process's reads plan with what it found; PostgreSQL's autovacuum
    /// keeps its own.
    pub async fn refresh_statistics(&self) -> Result<(), Error> {
        match &*self.0 {
            Backend::Sqlite(sqlite) => sqlite.refresh_statistics().await,
            Backend::Postgres(_) => Ok(()),
        }
    }

    /// The first row `sql` reads, if any.
    pub async fn read_one<T: FromColumns + Send + 'static>(
        &self,
        sql: &str,
        params: &[Param<'_>],
    ) -> Result<Option<T>, Error> {
        match &*self.0 {
            Backend::Sqlite(sqlite) => sqlite.read_one(sql, params).await,
            Backend::Postgres(postgres) => postgres.read_one(sql, params).await,
        }
    }

    /// Every row `sql` reads.
    pub async fn read_all<T: FromColumns + Send + 'static>(
        &self,
        sql: &str,
        params: &[Param<'_>],
    ) -> Result<Vec<T>, Error> {
        match &*self.0 {
            Backend::Sqlite(sqlite) => sqlite.read_all(sql, params).await,
            Backend::Postgres(postgres) => postgres.read_all(sql, params).await,
        }
    }

    /// Runs one writing statement on its own; the rows it changed.
    pub async fn execute(&self, sql: &str, params: &[Param<'_>]) -> Result<u64, Error> {
        match &*self.0 {
            Backend::Sqlite(sqlite) => sqlite.execute(sql, params).await,
            Backend::Postgres(postgres) => postgres.execute(sql, params).await,
        }
    }

    /// Runs `work` in one transaction: committed when it returns `Ok`,
    /// rolled back when it returns `Err` (or fails to finish). On SQLite it
    /// takes the process's write turn and the write lock first (`BEGIN
    /// IMMEDIATE`), so it never meets another writer half-way.
    pub async fn transaction<R, E>(
        &self,
        work: impl AsyncFnOnce(&mut Tx<'_>) -> Result<R, E>,
    ) -> Result<R, E>
    where
        E: From<Error>,
    {
        match &*self.0 {
            Backend::Sqlite(sqlite) => sqlite.transaction(work).await,
            Backend::Postgres(postgres) => postgres.transaction(work).await,
        }
    }

    /// PostgreSQL: a listener for what transactions [`Tx::notify`] on
    /// `channel` once they commit, from any instance. `None` on SQLite,
    /// whose other processes are not told (they poll).
    pub async fn listen(&self, channel: &str) -> Result<Option<Listener>, Error> {
        match &*self.0 {
            Backend::Sqlite(_) => Ok(None),
            Backend::Postgres(postgres) => Ok(Some(Listener(postgres.listen(channel).await?))),
        }
    }

    /// True when a trivial query answers within `timeout` (the readiness probe).
    pub async fn is_reachable(&self, timeout: Duration) -> bool {
        let ping = self.read_one::<Single<i64>>("SELECT CAST(1 AS BIGINT)", &[]);
        matches!(tokio::time::timeout(timeout, ping).await, Ok(Ok(_)))
    }

    /// Connections in use now, and how many there may be.
    pub fn connections_in_use(&self) -> (u32, u32) {
        match &*self.0 {
            Backend::Sqlite(sqlite) => sqlite.connections_in_use(),
            Backend::Postgres(postgres) => postgres.connections_in_use(),
        }
    }

    pub async fn close(&self) {
        match &*self.0 {
            Backend::Sqlite(sqlite) => sqlite.close().await,
            Backend::Postgres(postgres) => postgres.close().await,
        }
    }
}

/// Notifications on one channel (see [`Db::listen`]).
pub struct Listener(sqlx::postgres::PgListener);

impl Listener {
    /// Waits for the next notification (a lost connection is made again).
    pub async fn recv(&mut self) -> Result<(), Error> {
        self.0.recv().await?;
        Ok(())
    }
}

/// This application's PostgreSQL advisory lock for migrations.
const MIGRATION_LOCK_KEY: i64 = 0x7765_6268_6f6f_6b73; // "webhooks"
