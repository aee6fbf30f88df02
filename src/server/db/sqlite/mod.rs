//! The SQLite backend: this process's one writer ([`writer`]) for every
//! write and transaction, and reader connections ([`readers`]) for reads.

mod readers;
mod writer;

use std::path::Path;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};

use super::{migrations, ConnectError, Error, FromColumns, Param, Tx};
use readers::Readers;
pub use writer::Shareable;
use writer::WriteQueue;

/// How long the writer's statements wait for another process's write lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Reader connections kept between reads.
const READERS: usize = 8;

pub(super) struct Sqlite {
    writer: WriteQueue,
    readers: Arc<Readers>,
    file: std::path::PathBuf,
    /// Set by [`Sqlite::close`]: every operation after it fails as unavailable.
    closed: AtomicBool,
}

impl Sqlite {
    pub(super) async fn connect(url: &str, timeout: Duration) -> Result<Self, ConnectError> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| ConnectError::Connect(e.into()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // In WAL mode NORMAL keeps every committed write through a
            // crash of the process (kill -9); only power loss can cost the
            // last commits, and it saves an fsync per commit.
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true);
        let file = options.get_filename().to_path_buf();
        // Two processes opening a new file at once can both try to switch
        // it to WAL; one would fail with "database is locked".
        let _turn = MigrationLock::take(&file).await?;
        private_file(&file)?;
        let writer = WriteQueue::open(&options, timeout)
            .await
            .map_err(|e| ConnectError::Connect(e.into()))?;
        let readers = Readers::new(file.clone(), is_in_memory(&file), READERS, BUSY_TIMEOUT);
        Ok(Sqlite {
            writer,
            readers,
            file,
            closed: AtomicBool::new(false),
        })
    }

    pub(super) async fn migrate(&self) -> Result<(), ConnectError> {
        let _turn = MigrationLock::take(&self.file).await?;
        let mut turn = self.writer.turn().await.map_err(ConnectError::Connect)?;
        migrations::sqlite()
            .run(turn.connection())
            .await
            .map_err(ConnectError::Migrate)
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

    pub(super) async fn execute(&self, sql: &str, params: &[Param<'_>]) -> Result<u64, Error> {
        self.open()?;
        self.writer.execute(sql, params).await
    }

    /// In this process's write turn, with the write lock taken first
    /// (`BEGIN IMMEDIATE`): a transaction that reads before it writes, or
    /// writes through an FTS5 index, never meets another writer half-way
    /// (which SQLite answers with an immediate "database is locked").
    pub(super) async fn transaction<R, E>(
        &self,
        work: impl AsyncFnOnce(&mut Tx<'_>) -> Result<R, E>,
    ) -> Result<R, E>
    where
        E: From<Error>,
    {
        self.open()?;
        let mut turn = self.writer.turn().await?;
        let tx = sqlx::Connection::begin_with(turn.connection(), "BEGIN IMMEDIATE")
            .await
            .map_err(Error::from)?;
        Tx::sqlite(tx).run(work).await
    }

    pub(super) async fn grouped_write<T: FromColumns>(
        &self,
        kind: &'static Shareable,
        params: Vec<Param<'static>>,
    ) -> Result<Vec<T>, Error> {
        self.open()?;
        let rows = self.writer.shared(kind, params).await?;
        rows.iter().map(T::read).collect()
    }

    pub(super) fn connections_in_use(&self) -> (u32, u32) {
        self.readers.in_use()
    }

    pub(super) async fn close(&self) {
        self.closed.store(true, Ordering::Relaxed);
        self.readers.clear();
    }
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
