//! The database: SQLite (embedded default) or PostgreSQL, chosen at run time
//! by `DATABASE_URL`. Every query is written once, in SQL both backends
//! accept, and run through [`on_pool!`].

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Connection, Postgres, Sqlite};

mod conn;
mod migrations;
mod readers;
mod rows;
mod writer;
pub(crate) use conn::on_conn;
pub use conn::{Conn, Lent, Warm};
pub use readers::{Param, Readers};
pub(crate) use rows::{from_row_by_read, read_by_name};
pub use rows::{FromColumns, ReadRow, Value};
pub use writer::{Binder, Shareable, WriteQueue, WriterTurn};

pub const DEFAULT_DATABASE_URL: &str = "sqlite://webhook-admin.db";

/// A PostgreSQL connection idle this long is pinged before it is used.
const CHECK_IDLE_AFTER: Duration = Duration::from_secs(1);

/// How long a SQLite statement waits for another connection's lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a query waits for a free connection by default.
pub const DEFAULT_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool, WriteQueue, Arc<Warm<Sqlite>>, Arc<Readers>),
    Postgres(PgPool, Arc<Warm<Postgres>>),
}

/// Runs one expression against whichever pool `db` holds; `$pool` is bound
/// to the concrete pool, so the same query text serves both backends.
macro_rules! on_pool {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::server::db::Db::Sqlite($pool, ..) => $body,
            $crate::server::db::Db::Postgres($pool, _) => $body,
        }
    };
}
pub(crate) use on_pool;

/// Runs a block inside one transaction on whichever backend `db` holds.
/// SQLite's starts with `BEGIN IMMEDIATE`: it takes the write lock first
/// (waiting up to the busy timeout), so a transaction that reads before it
/// writes, or writes through an FTS5 index, never meets another writer
/// half-way (which SQLite answers with an immediate "database is locked").
macro_rules! in_transaction {
    ($db:expr, $tx:ident => $body:block) => {
        match $db {
            $crate::server::db::Db::Sqlite(_, writers, ..) => {
                let mut writer = writers.turn().await?;
                let mut $tx =
                    sqlx::Connection::begin_with(writer.connection(), "BEGIN IMMEDIATE").await?;
                let result = $body;
                $tx.commit().await?;
                result
            }
            $crate::server::db::Db::Postgres(pool, _) => {
                let mut $tx = pool.begin().await?;
                let result = $body;
                $tx.commit().await?;
                result
            }
        }
    };
}
pub(crate) use in_transaction;

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("DATABASE_URL must start with sqlite:// or postgres:// (got {scheme:?})")]
    UnsupportedUrl { scheme: String },
    #[error("cannot open the database: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("cannot migrate the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("cannot lock the database for migrating: {0}")]
    Lock(#[from] std::io::Error),
    #[error("cannot create the database file: {0}")]
    File(#[source] std::io::Error),
}

impl Db {
    /// Opens the database named by `url`, creating a SQLite file if needed.
    pub async fn connect(url: &str) -> Result<Db, ConnectError> {
        Db::connect_with(url, DEFAULT_ACQUIRE_TIMEOUT).await
    }

    /// [`Db::connect`], waiting at most `acquire_timeout` for a connection
    /// before a query fails (and the request answers 503): when the
    /// database is away, requests fail fast instead of piling up.
    pub async fn connect_with(url: &str, acquire_timeout: Duration) -> Result<Db, ConnectError> {
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)
                .map_err(ConnectError::Connect)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // In WAL mode NORMAL keeps every committed write through a
                // crash of the process (kill -9); only power loss can cost
                // the last commits, and it saves an fsync per commit.
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(BUSY_TIMEOUT)
                .foreign_keys(true);
            // Two processes opening a new file at once can both try to switch
            // it to WAL; one would fail with "database is locked".
            let _turn = MigrationLock::take(options.get_filename()).await?;
            private_file(options.get_filename())?;
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                // A connection to a local file does not go stale, and the
                // check is a round trip to the connection's thread: one
                // more thread hand-off per query (measured: GET one +10%).
                .test_before_acquire(false)
                .acquire_timeout(acquire_timeout)
                .connect_with(options.clone())
                .await
                .map_err(ConnectError::Connect)?;
            let writer = WriteQueue::open(&options)
                .await
                .map_err(ConnectError::Connect)?;
            let warm = Warm::new(pool.options().get_max_connections());
            let readers = Readers::new(&options, pool.options().get_max_connections() as usize);
            Ok(Db::Sqlite(pool, writer, warm, readers))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(acquire_timeout)
                // sqlx pings each connection as it goes back to the pool; a
                // ping before each use too was one more round trip per query
                // (without it, GET one: +35%, list: +15% here).
                // Only a connection idle for a while (the server may have
                // gone away meanwhile) is checked before it is used.
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
                .map_err(ConnectError::Connect)?;
            let warm = Warm::new(pool.options().get_max_connections());
            Ok(Db::Postgres(pool, warm))
        } else {
            Err(ConnectError::UnsupportedUrl {
                scheme: url.split(':').next().unwrap_or_default().to_owned(),
            })
        }
    }

    /// Brings the schema up to date. Safe to run from several processes at
    /// once: they take turns, behind a lock file beside a SQLite database
    /// or an advisory lock in PostgreSQL.
    pub async fn migrate(&self) -> Result<(), ConnectError> {
        match self {
            Db::Sqlite(pool, ..) => {
                let _turn = MigrationLock::take(pool.connect_options().get_filename()).await?;
                migrations::sqlite().run(pool).await?;
                Ok(())
            }
            Db::Postgres(pool, _) => {
                // Advisory locks belong to a connection: take, use and
                // release this one on the same connection.
                let mut connection = pool.acquire().await.map_err(ConnectError::Connect)?;
                let lock = |sql| sqlx::query(sql).bind(MIGRATION_LOCK_KEY);
                lock("SELECT pg_advisory_lock($1)")
                    .execute(&mut *connection)
                    .await
                    .map_err(ConnectError::Connect)?;
                let migrated = migrations::postgres().run(&mut *connection).await;
                lock("SELECT pg_advisory_unlock($1)")
                    .execute(&mut *connection)
                    .await
                    .map_err(ConnectError::Connect)?;
                Ok(migrated?)
            }
        }
    }

    /// True when a trivial query answers within `timeout` (the readiness probe).
    pub async fn is_reachable(&self, timeout: Duration) -> bool {
        let ping =
            async { on_pool!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(drop)) };
        matches!(tokio::time::timeout(timeout, ping).await, Ok(Ok(_)))
    }

    /// Connections handed out now, and the pool's size.
    pub fn connections_in_use(&self) -> (u32, u32) {
        let warm = match self {
            Db::Sqlite(_, _, warm, _) => warm.len(),
            Db::Postgres(_, warm) => warm.len(),
        };
        on_pool!(self, pool => {
            let size = pool.size();
            let idle = u32::try_from(pool.num_idle() + warm).unwrap_or(size);
            (size.saturating_sub(idle), pool.options().get_max_connections())
        })
    }

    /// A connection for a request's reads: a warm one, or one from the pool.
    pub async fn conn(&self) -> Result<Conn, sqlx::Error> {
        Ok(match self {
            Db::Sqlite(pool, _, warm, _) => {
                let connection = warm.take_or_acquire(pool).await?;
                Conn::sqlite(connection, warm.clone())
            }
            Db::Postgres(pool, warm) => {
                let connection = warm.take_or_acquire(pool).await?;
                Conn::postgres(connection, warm.clone())
            }
        })
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(_, _, warm, _) => warm.clear(),
            Db::Postgres(_, warm) => warm.clear(),
        }
        on_pool!(self, pool => pool.close().await)
    }
}

/// True for a SQLite database without a file: `sqlite::memory:` (which sqlx
/// names as a shared-cache URI, `file:sqlx-in-memory-…`) or an empty name.
fn is_in_memory(database: &std::path::Path) -> bool {
    let name = database.as_os_str();
    name.is_empty() || name == ":memory:" || name.to_string_lossy().starts_with("file:")
}

/// Creates a missing SQLite file readable by its owner only (0600), before
/// SQLite opens it: SQLite gives its `-wal` and `-shm` files the database
/// file's mode. A file that others can read already is left as it is, with
/// a warning (the operator may have chosen that).
fn private_file(database: &std::path::Path) -> Result<(), ConnectError> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    if is_in_memory(database) {
        return Ok(());
    }
    let created = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(database);
    match created {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let mode = std::fs::metadata(database)
                .map_err(ConnectError::File)?
                .permissions()
                .mode();
            if mode & 0o077 != 0 {
                tracing::warn!(
                    file = %database.display(),
                    mode = format!("{:o}", mode & 0o777),
                    "the database file is readable by other users: it holds every Slack URL (chmod 600)"
                );
            }
            Ok(())
        }
        Err(e) => Err(ConnectError::File(e)),
    }
}

/// This application's PostgreSQL advisory lock for migrations.
const MIGRATION_LOCK_KEY: i64 = 0x7765_6268_6f6f_6b73; // "webhooks"

/// An exclusive lock on `<database file>.lock`, held until dropped, for the
/// steps that must not overlap between processes: opening a new database
/// (switching it to WAL) and migrating. A separate file: locking the
/// database file itself would interfere with SQLite's own locks on it.
struct MigrationLock(Option<std::fs::File>);

impl MigrationLock {
    async fn take(database: &std::path::Path) -> Result<Self, ConnectError> {
        if is_in_memory(database) {
            return Ok(MigrationLock(None));
        }
        let mut path = database.as_os_str().to_owned();
        path.push(".lock");
        let file = tokio::task::spawn_blocking(move || {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(path)?;
            file.lock()?;
            Ok::<_, std::io::Error>(file)
        })
        .await
        .map_err(std::io::Error::other)??;
        Ok(MigrationLock(Some(file)))
    }
}

impl Drop for MigrationLock {
    fn drop(&mut self) {
        if let Some(file) = &self.0 {
            let _ = file.unlock();
        }
    }
}

/// True when a write failed because a UNIQUE constraint already holds the value.
pub fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(e) if e.is_unique_violation())
}

/// True when a query failed because the database could not be reached or
/// is going away (network, pool, server shutting down, file unreadable),
/// not because of the query: the client may retry later (503).
pub fn is_unavailable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(e) => {
            let code = e.code().unwrap_or_default();
            if e.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
                // Busy (5), I/O error (10), cannot open (14), with their
                // extended codes (the low byte is the primary code).
                code.parse::<i32>()
                    .is_ok_and(|n| matches!(n & 0xff, 5 | 10 | 14))
            } else {
                // PostgreSQL: connection exceptions (08…), out of resources
                // (53…), shutting down or not yet accepting (57P…).
                ["08", "53", "57P"]
                    .iter()
                    .any(|prefix| code.starts_with(prefix))
            }
        }
        _ => false,
    }
}
