//! The SQLite backend: this process's one writer ([`writer`]) for every
//! write and transaction, and reader connections ([`readers`]) for reads,
//! all rusqlite connections whose statements run on the caller's thread.

mod checkpoints;
mod readers;
mod statements;
mod wal_index;
mod writer;

use std::path::Path;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::ConnectOptions;

use super::{migrations, ConnectError, Error, FromColumns, Param, Tx};
use checkpoints::Checkpoints;
use readers::Readers;
use wal_index::WalIndex;
pub(super) use writer::Member;
use writer::Writer;

/// How long a write waits for another process's write lock, and a read for
/// a lock that stops readers (both off the runtime's workers).
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Reader connections kept between reads.
const READERS: usize = 8;

/// Rows `ANALYZE` reads of each index: statistics good enough to plan
/// with, in a few milliseconds of the writer's time at any size.
const ANALYSIS_LIMIT: i64 = 1000;

/// The write-ahead log's size left on disk once a checkpoint let it start
/// over: a bulk load's log (~1 GB in `make bench`) would otherwise stay.
const WAL_BYTES_KEPT: i64 = 64 * 1024 * 1024;

/// Prepared statements kept per connection (a list page's SQL differs by
/// page size and number).
const STATEMENTS_KEPT: usize = 100;

pub(super) struct Sqlite {
    writer: Writer,
    readers: Arc<Readers>,
    /// For migrations, which run on a connection of their own (sqlx's migrator).
    options: Box<SqliteConnectOptions>,
    file: std::path::PathBuf,
    in_memory: bool,
    /// Opened by the first [`Sqlite::data_version`] that finds it.
    wal_index: OnceLock<WalIndex>,
    /// Set by [`Sqlite::close`]: every operation after it fails as unavailable.
    closed: AtomicBool,
}

impl Sqlite {
    pub(super) async fn connect(url: &str, timeout: Duration) -> Result<Self, ConnectError> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| ConnectError::Connect(e.into()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true);
        let file = options.get_filename().to_path_buf();
        let in_memory = is_in_memory(&file);
        // Two processes opening a new file at once can both try to switch
        // it to WAL; one would fail with "database is locked".
        let _turn = MigrationLock::take(&file).await?;
        private_file(&file)?;
        let connection = tokio::task::spawn_blocking({
            let file = file.clone();
            move || open_writer(&file, in_memory)
        })
        .await
        .map_err(|e| ConnectError::Connect(Error::Other(e.into())))?
        .map_err(ConnectError::Connect)?;
        let checkpoints = (!in_memory).then(|| Checkpoints::new(file.clone()));
        let writer = Writer::new(connection, timeout, BUSY_TIMEOUT, checkpoints);
        let readers = Readers::new(file.clone(), in_memory, READERS, BUSY_TIMEOUT);
        Ok(Sqlite {
            writer,
            readers,
            options: Box::new(options),
            file,
            in_memory,
            wal_index: OnceLock::new(),
            closed: AtomicBool::new(false),
        })
    }

    /// On a connection of its own, in this process's write turn (so no
    /// transaction of ours is open meanwhile) and behind the migration lock.
    pub(super) async fn migrate(&self) -> Result<(), ConnectError> {
        let _turn = MigrationLock::take(&self.file).await?;
        let _writer = self
            .writer
            .turn_alone()
            .await
            .map_err(ConnectError::Connect)?;
        let connect = |e: sqlx::Error| ConnectError::Connect(e.into());
        let mut connection = self.options.connect().await.map_err(connect)?;
        let migrated = migrations::sqlite().run(&mut connection).await;
        let _ = sqlx::Connection::close(connection).await;
        migrated.map_err(ConnectError::Migrate)
    }

    fn open(&self) -> Result<(), Error> {
        if self.closed.load(Ordering::Relaxed) {
            return Err(Error::Unavailable("the database is closed".into()));
        }
        Ok(())
    }

    pub(super) async fn read_one<T: FromColumns + Send + 'static>(
        &self,
        sql: &str,
        params: &[Param<'_>],
    ) -> Result<Option<T>, Error> {
        self.open()?;
        self.readers.read_one(sql, params).await
    }

    pub(super) async fn read_all<T: FromColumns + Send + 'static>(
        &self,
        sql: &str,
        params: &[Param<'_>],
    ) -> Result<Vec<T>, Error> {
        self.open()?;
        self.readers.read_all(sql, params).await
    }

    /// A number that moves whenever any connection commits, this
    /// process's writer or another process ([`wal_index`]). `None` when it
    /// cannot be read at once, and for an in-memory database (connections
    /// sharing one cache do not see each other's commits in it).
    pub(super) fn data_version(&self) -> Option<i64> {
        self.open().ok()?;
        if self.in_memory {
            return None;
        }
        let index = match self.wal_index.get() {
            Some(index) => index,
            None => {
                // Another read may have opened it meanwhile: either is kept.
                let _ = self.wal_index.set(WalIndex::open(&self.file)?);
                self.wal_index.get()?
            }
        };
        index.version()
    }

    pub(super) async fn execute(&self, sql: &str, params: &[Param<'_>]) -> Result<u64, Error> {
        self.transaction(async |tx| tx.execute(sql, params).await)
            .await
    }

    /// `ANALYZE` on the writer (each index sampled, [`ANALYSIS_LIMIT`]),
    /// then readers that plan with what it found.
    pub(super) async fn refresh_statistics(&self) -> Result<(), Error> {
        self.execute("ANALYZE", &[]).await?;
        self.readers.statistics_changed();
        Ok(())
    }

    /// In this process's write turn, in the transaction open there (begun
    /// with the write lock taken: `BEGIN IMMEDIATE`), which it may share
    /// with the transactions waiting for their turn (group commit). Ends
    /// when that transaction has committed.
    pub(super) async fn transaction<R, E>(
        &self,
        work: impl AsyncFnOnce(&mut Tx<'_>) -> Result<R, E>,
    ) -> Result<R, E>
    where
        E: From<Error>,
    {
        self.open()?;
        let mut member = self.writer.join().await?;
        let outcome = {
            let mut tx = Tx::sqlite(&mut member);
            work(&mut tx).await
        };
        match outcome {
            Ok(done) => {
                member.commit().await?;
                Ok(done)
            }
            Err(failed) => {
                member.roll_back();
                Err(failed)
            }
        }
    }

    pub(super) fn connections_in_use(&self) -> (u32, u32) {
        self.readers.in_use()
    }

    pub(super) async fn close(&self) {
        self.closed.store(true, Ordering::Relaxed);
        self.readers.clear();
    }
}

/// The writer's connection: WAL (in WAL mode `synchronous = NORMAL` keeps
/// every committed write through a crash of the process, kill -9; only a
/// power loss can cost the last commits, and it saves an fsync per
/// commit) whose log shrinks back after a bulk load, foreign keys on,
/// `ANALYZE` sampled, no busy handler (a statement on a worker never
/// sleeps for a lock), and no checkpoints as it commits ([`checkpoints`]).
fn open_writer(database: &Path, in_memory: bool) -> Result<Connection, Error> {
    let connection = Connection::open_with_flags(database, open_flags(in_memory))?;
    connection.set_prepared_statement_cache_capacity(STATEMENTS_KEPT);
    if !in_memory {
        // Switching a new file to WAL may wait for another process.
        connection.busy_timeout(BUSY_TIMEOUT)?;
        connection.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
        connection.pragma_update(None, "wal_autocheckpoint", 0)?;
        connection.pragma_update(None, "journal_size_limit", WAL_BYTES_KEPT)?;
    }
    connection.pragma_update(None, "synchronous", "NORMAL")?;
    connection.pragma_update(None, "foreign_keys", true)?;
    connection.pragma_update(None, "analysis_limit", ANALYSIS_LIMIT)?;
    connection.busy_timeout(Duration::ZERO)?;
    Ok(connection)
}

/// How this server opens a database: read-write, created if missing (the
/// readers' opens find it), one thread per connection at a time; sqlx's
/// in-memory databases are shared-cache URIs (`file:…`).
fn open_flags(in_memory: bool) -> OpenFlags {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if in_memory {
        flags |= OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_MEMORY
            | OpenFlags::SQLITE_OPEN_SHARED_CACHE;
    }
    flags
}

/// True for a SQLite database without a file: `sqlite::memory:` (which sqlx
/// names as a shared-cache URI, `file:sqlx-in-memory-…`) or an empty name.
fn is_in_memory(database: &Path) -> bool {
    let name = database.as_os_str();
    name.is_empty() || name == ":memory:" || name.to_string_lossy().starts_with("file:")
}

/// Creates a missing SQLite file readable by its owner only (0600), before
/// SQLite opens it: SQLite gives its `-wal` and `-shm` files the database
/// file's mode. A file that others can read already is left as it is, with
/// a warning (the operator may have chosen that).
fn private_file(database: &Path) -> Result<(), ConnectError> {
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

/// An exclusive lock on `<database file>.lock`, held until dropped, for the
/// steps that must not overlap between processes: opening a new database
/// (switching it to WAL) and migrating. A separate file: locking the
/// database file itself would interfere with SQLite's own locks on it.
struct MigrationLock(Option<std::fs::File>);

impl MigrationLock {
    async fn take(database: &Path) -> Result<Self, ConnectError> {
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
        .map_err(|e| ConnectError::Lock(std::io::Error::other(e)))?
        .map_err(ConnectError::Lock)?;
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

#[cfg(test)]
mod tests;
