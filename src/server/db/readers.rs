//! SQLite reads on the request's own thread. sqlx runs each SQLite
//! connection on a thread of its own, so every query is a hand-off to that
//! thread and back: for the REST reads, which are one indexed query each,
//! the hand-off cost more than the query (the list's profile: a quarter of
//! the server's samples in the scheduler's wake-ups, a third on sqlx's
//! threads). The hot reads run here instead, on connections of their own,
//! straight on the async worker: in WAL mode a reader never waits for a
//! writer, and such a read takes tens of microseconds.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags};
use sqlx::sqlite::SqliteConnectOptions;

use super::{on_conn, FromColumns};

/// Prepared statements kept per connection (sqlx keeps as many): a list
/// page's SQL differs by page size and number.
const STATEMENTS_KEPT: usize = 100;

/// Read-only connections to one SQLite database, opened when first needed
/// and kept between reads.
pub struct Readers {
    path: PathBuf,
    /// sqlx's in-memory databases are shared-cache URIs (`file:…`).
    in_memory: bool,
    busy_timeout: Duration,
    idle: Mutex<Vec<Connection>>,
    capacity: usize,
}

impl Readers {
    /// Readers of the database `options` open; at most `capacity` idle.
    pub(super) fn new(options: &SqliteConnectOptions, capacity: usize) -> Arc<Self> {
        let path = options.get_filename().to_path_buf();
        Arc::new(Readers {
            in_memory: super::is_in_memory(&path),
            path,
            busy_timeout: super::BUSY_TIMEOUT,
            idle: Mutex::new(Vec::new()),
            capacity,
        })
    }

    /// Runs `read` on an idle connection (or a new one), then keeps the
    /// connection for the next read. Blocks the calling thread for the
    /// query's duration: only for short, indexed reads.
    pub fn read<T>(
        &self,
        read: impl FnOnce(&Connection) -> Result<T, sqlx::Error>,
    ) -> Result<T, sqlx::Error> {
        let taken = self.idle().pop();
        let connection = match taken {
            Some(connection) => connection,
            None => self.open().map_err(read_error)?,
        };
        let result = read(&connection);
        let mut idle = self.idle();
        if idle.len() < self.capacity {
            idle.push(connection);
        }
        result
    }

    fn idle(&self) -> MutexGuard<'_, Vec<Connection>> {
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn open(&self) -> rusqlite::Result<Connection> {
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if self.in_memory {
            flags |= OpenFlags::SQLITE_OPEN_URI
                | OpenFlags::SQLITE_OPEN_MEMORY
                | OpenFlags::SQLITE_OPEN_SHARED_CACHE;
        }
        let connection = Connection::open_with_flags(&self.path, flags)?;
        connection.busy_timeout(self.busy_timeout)?;
        connection.set_prepared_statement_cache_capacity(STATEMENTS_KEPT);
        // Opened read-write (a read-only connection cannot recover a WAL
        // left by a crash) but never writes.
        connection.pragma_update(None, "query_only", true)?;
        Ok(connection)
    }

    #[cfg(test)]
    pub(super) fn idle_count(&self) -> usize {
        self.idle().len()
    }
}

impl std::fmt::Debug for Readers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Readers")
            .field("path", &self.path)
            .field("idle", &self.idle().len())
            .finish()
    }
}

/// A direct read's error as sqlx's, so callers handle both alike: a busy,
/// unreadable or unopenable database is unavailable (503, as
/// [`super::is_unavailable`] says); anything else is an internal error.
pub(crate) fn read_error(error: rusqlite::Error) -> sqlx::Error {
    match &error {
        rusqlite::Error::SqliteFailure(failure, _)
            if matches!(
                failure.code,
                ErrorCode::DatabaseBusy
                    | ErrorCode::DatabaseLocked
                    | ErrorCode::SystemIoFailure
                    | ErrorCode::CannotOpen
            ) =>
        {
            sqlx::Error::Io(std::io::Error::other(error))
        }
        rusqlite::Error::FromSqlConversionFailure(..)
        | rusqlite::Error::InvalidColumnType(..)
        | rusqlite::Error::InvalidColumnName(_)
        | rusqlite::Error::IntegralValueOutOfRange(..) => sqlx::Error::Decode(Box::new(error)),
        _ => sqlx::Error::Protocol(format!("SQLite read: {error}")),
    }
}

/// A value bound to a `$n` parameter of [`Db::read_one`]'s SQL.
#[derive(Clone, Copy, Debug)]
pub enum Param<'a> {
    Bytes(&'a [u8]),
    Int(i64),
}

impl super::Db {
    /// The first row of a short, indexed read (`params` bound to `$1`,
    /// `$2`, … in order): on SQLite on a [`Readers`] connection, on the
    /// calling thread; on PostgreSQL on a warm connection.
    pub async fn read_one<T: FromColumns>(
        &self,
        sql: &str,
        params: &[Param<'_>],
    ) -> Result<Option<T>, sqlx::Error> {
        match self {
            super::Db::Sqlite(.., readers) => readers.read(|connection| {
                let mut statement = connection.prepare_cached(sql).map_err(read_error)?;
                for (number, param) in params.iter().enumerate() {
                    let index = statement
                        .parameter_index(&format!("${}", number + 1))
                        .map_err(read_error)?
                        .ok_or_else(|| {
                            sqlx::Error::Protocol(format!("no parameter ${}", number + 1))
                        })?;
                    match *param {
                        Param::Bytes(bytes) => statement.raw_bind_parameter(index, bytes),
                        Param::Int(int) => statement.raw_bind_parameter(index, int),
                    }
                    .map_err(read_error)?;
                }
                let mut rows = statement.raw_query();
                rows.next().map_err(read_error)?.map(T::read).transpose()
            }),
            super::Db::Postgres(..) => {
                let mut conn = self.conn().await?;
                Ok(on_conn!(&mut conn, c => {
                    let mut query = sqlx::query(sql);
                    for param in params {
                        query = match *param {
                            Param::Bytes(bytes) => query.bind(bytes),
                            Param::Int(int) => query.bind(int),
                        };
                    }
                    query.fetch_optional(c).await?.map(|row| T::read(&row)).transpose()?
                }))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{is_unavailable, Db};
    use super::*;

    /// Two numbers read by column name.
    #[derive(Debug, PartialEq)]
    struct Pair {
        a: i64,
        b: Option<i64>,
    }

    impl FromColumns for Pair {
        fn read(row: &impl super::super::ReadRow) -> Result<Self, sqlx::Error> {
            Ok(Pair {
                a: row.get("a")?,
                b: row.get("b")?,
            })
        }
    }

    async fn sqlite() -> (Db, Arc<Readers>) {
        let dir = std::env::temp_dir().join(format!("readers-{}", rand::random::<u64>()));
        std::fs::create_dir_all(&dir).unwrap();
        let db = Db::connect(&format!("sqlite://{}/test.db", dir.display()))
            .await
            .unwrap();
        let Db::Sqlite(.., readers) = &db else {
            unreachable!()
        };
        let readers = readers.clone();
        (db, readers)
    }

    async fn execute(db: &Db, sql: &str) {
        let Db::Sqlite(pool, ..) = db else {
            unreachable!()
        };
        sqlx::query(sql).execute(pool).await.unwrap();
    }

    #[tokio::test]
    async fn parameters_bind_by_their_number_wherever_they_appear() {
        let (db, _) = sqlite().await;
        let pair: Option<Pair> = db
            .read_one("SELECT $2 AS b, $1 AS a", &[Param::Int(1), Param::Int(2)])
            .await
            .unwrap();
        assert_eq!(pair, Some(Pair { a: 1, b: Some(2) }));
        let bytes: Option<Pair> = db
            .read_one(
                "SELECT length($1) AS a, NULL AS b",
                &[Param::Bytes(&[0, 1, 2])],
            )
            .await
            .unwrap();
        assert_eq!(bytes, Some(Pair { a: 3, b: None }));
    }

    #[tokio::test]
    async fn each_read_sees_every_commit_before_it() {
        let (db, _) = sqlite().await;
        execute(&db, "CREATE TABLE t (a INTEGER, b INTEGER)").await;
        let read = || db.read_one::<Pair>("SELECT a, b FROM t WHERE a = $1", &[Param::Int(1)]);
        assert_eq!(read().await.unwrap(), None);
        execute(&db, "INSERT INTO t VALUES (1, 10)").await;
        assert_eq!(read().await.unwrap(), Some(Pair { a: 1, b: Some(10) }));
        execute(&db, "UPDATE t SET b = 11").await;
        assert_eq!(read().await.unwrap(), Some(Pair { a: 1, b: Some(11) }));
    }

    #[tokio::test]
    async fn a_connection_is_kept_after_a_read_and_after_a_failed_one() {
        let (db, readers) = sqlite().await;
        assert_eq!(readers.idle_count(), 0);
        let missing = db
            .read_one::<Pair>("SELECT a, b FROM nowhere", &[])
            .await
            .unwrap_err();
        assert!(!is_unavailable(&missing), "{missing:?}");
        assert_eq!(readers.idle_count(), 1);
        let one: Option<Pair> = db.read_one("SELECT 1 AS a, 2 AS b", &[]).await.unwrap();
        assert_eq!(one, Some(Pair { a: 1, b: Some(2) }));
        assert_eq!(readers.idle_count(), 1);
    }

    #[tokio::test]
    async fn a_reader_never_writes() {
        let (db, readers) = sqlite().await;
        let written = readers.read(|c| {
            c.execute_batch("CREATE TABLE t (a INTEGER)")
                .map_err(read_error)
        });
        assert!(written.is_err());
        let Db::Sqlite(pool, ..) = &db else {
            unreachable!()
        };
        let tables: i64 = sqlx::query_scalar("SELECT count(*) FROM sqlite_master WHERE name = 't'")
            .fetch_one(pool)
            .await
            .unwrap();
        assert_eq!(tables, 0);
    }

    #[tokio::test]
    async fn a_column_of_another_type_is_an_error_not_a_panic() {
        let (db, _) = sqlite().await;
        let wrong = db
            .read_one::<Pair>("SELECT 'x' AS a, NULL AS b", &[])
            .await
            .unwrap_err();
        assert!(matches!(wrong, sqlx::Error::Decode(_)), "{wrong:?}");
    }

    #[test]
    fn a_busy_or_unreadable_database_is_unavailable_and_other_failures_are_not() {
        let failure = |code: i32| {
            read_error(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(code),
                None,
            ))
        };
        for code in [
            rusqlite::ffi::SQLITE_BUSY,
            rusqlite::ffi::SQLITE_LOCKED,
            rusqlite::ffi::SQLITE_IOERR,
            rusqlite::ffi::SQLITE_CANTOPEN,
        ] {
            assert!(is_unavailable(&failure(code)), "code {code}");
        }
        for code in [rusqlite::ffi::SQLITE_ERROR, rusqlite::ffi::SQLITE_CORRUPT] {
            assert!(!is_unavailable(&failure(code)), "code {code}");
        }
    }

    #[tokio::test]
    async fn an_in_memory_database_is_read_by_its_readers_too() {
        let db = Db::connect("sqlite::memory:").await.unwrap();
        execute(&db, "CREATE TABLE t (a INTEGER, b INTEGER)").await;
        execute(&db, "INSERT INTO t VALUES (7, NULL)").await;
        let pair: Option<Pair> = db.read_one("SELECT a, b FROM t", &[]).await.unwrap();
        assert_eq!(pair, Some(Pair { a: 7, b: None }));
        // Nor does it leave a migration lock file behind.
        let lock_files = std::fs::read_dir(".")
            .unwrap()
            .filter(|entry| {
                let name = entry.as_ref().unwrap().file_name();
                name.to_string_lossy().starts_with("file:sqlx-in-memory")
            })
            .count();
        assert_eq!(lock_files, 0);
    }
}
