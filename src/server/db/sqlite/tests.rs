use std::time::Duration;

use super::super::{params, Db, Error, ReadRow, Single};
use super::*;

/// Two numbers read by column name.
#[derive(Debug, PartialEq)]
struct Pair {
    a: i64,
    b: Option<i64>,
}

impl FromColumns for Pair {
    fn read(row: &impl ReadRow) -> Result<Self, Error> {
        Ok(Pair {
            a: row.get("a")?,
            b: row.get("b")?,
        })
    }
}

/// A database in a file of its own, and the file.
async fn sqlite() -> (Db, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("sqlite-{}", rand::random::<u64>()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("test.db");
    let db = Db::connect(&format!("sqlite://{}", file.display()))
        .await
        .unwrap();
    db.execute("CREATE TABLE t (a INTEGER, b INTEGER)", &[])
        .await
        .unwrap();
    (db, file)
}

fn readers(db: &Db) -> &Arc<Readers> {
    match &*db.0 {
        super::super::Backend::Sqlite(sqlite) => &sqlite.readers,
        super::super::Backend::Postgres(_) => unreachable!(),
    }
}

#[tokio::test]
async fn parameters_bind_by_their_number_wherever_they_appear() {
    let (db, _) = sqlite().await;
    let pair: Option<Pair> = db
        .read_one("SELECT $2 AS b, $1 AS a", params![1_i64, 2_i64])
        .await
        .unwrap();
    assert_eq!(pair, Some(Pair { a: 1, b: Some(2) }));
    let bytes: Option<Pair> = db
        .read_one(
            "SELECT length($1) AS a, $2 AS b",
            params![&[0u8, 1, 2], None::<i64>],
        )
        .await
        .unwrap();
    assert_eq!(bytes, Some(Pair { a: 3, b: None }));
}

#[tokio::test]
async fn each_read_sees_every_commit_before_it() {
    let (db, _) = sqlite().await;
    let one = params![1_i64];
    let read = || db.read_one::<Pair>("SELECT a, b FROM t WHERE a = $1", one);
    assert_eq!(read().await.unwrap(), None);
    db.execute("INSERT INTO t VALUES (1, 10)", &[])
        .await
        .unwrap();
    assert_eq!(read().await.unwrap(), Some(Pair { a: 1, b: Some(10) }));
    db.transaction(async |tx| tx.execute("UPDATE t SET b = 11", &[]).await)
        .await
        .unwrap();
    assert_eq!(read().await.unwrap(), Some(Pair { a: 1, b: Some(11) }));
    let all: Vec<Single<i64>> = db.read_all("SELECT b FROM t", &[]).await.unwrap();
    assert_eq!(all, [Single(11)]);
}

#[tokio::test]
async fn a_failed_transaction_leaves_nothing() {
    let (db, _) = sqlite().await;
    let failed: Result<(), Error> = db
        .transaction(async |tx| {
            tx.execute("INSERT INTO t VALUES (1, 1)", &[]).await?;
            tx.execute("INSERT INTO nowhere VALUES (1)", &[]).await?;
            Ok(())
        })
        .await;
    assert!(matches!(failed, Err(Error::Other(_))), "{failed:?}");
    let count = db.read_one::<Single<i64>>("SELECT COUNT(*) FROM t", &[]);
    assert_eq!(count.await.unwrap(), Some(Single(0)));
}

#[tokio::test]
async fn a_connection_is_kept_after_a_read_and_after_a_failed_one() {
    let (db, _) = sqlite().await;
    let readers = readers(&db);
    assert_eq!(readers.idle_count(), 0);
    let missing = db.read_one::<Pair>("SELECT a, b FROM nowhere", &[]);
    assert!(matches!(missing.await, Err(Error::Other(_))));
    assert_eq!(readers.idle_count(), 1);
    let one: Option<Pair> = db.read_one("SELECT 1 AS a, 2 AS b", &[]).await.unwrap();
    assert_eq!(one, Some(Pair { a: 1, b: Some(2) }));
    assert_eq!(readers.idle_count(), 1);
}

#[tokio::test]
async fn a_reader_never_writes() {
    let (db, _) = sqlite().await;
    let written = db.read_one::<Pair>("INSERT INTO t VALUES (1, 1) RETURNING a, b", &[]);
    assert!(written.await.is_err());
    let count = db.read_one::<Single<i64>>("SELECT COUNT(*) FROM t", &[]);
    assert_eq!(count.await.unwrap(), Some(Single(0)));
}

#[tokio::test]
async fn a_column_of_another_type_is_an_error_not_a_panic() {
    let (db, _) = sqlite().await;
    let wrong = db.read_one::<Pair>("SELECT 'x' AS a, NULL AS b", &[]).await;
    assert!(matches!(wrong, Err(Error::Decode(_))), "{wrong:?}");
}

#[tokio::test]
async fn a_unique_value_taken_is_its_own_error() {
    let (db, _) = sqlite().await;
    db.execute("CREATE UNIQUE INDEX t_a ON t (a)", &[])
        .await
        .unwrap();
    db.execute("INSERT INTO t VALUES (1, 1)", &[])
        .await
        .unwrap();
    let again = db.execute("INSERT INTO t VALUES (1, 2)", &[]).await;
    assert!(matches!(again, Err(Error::UniqueViolation(_))), "{again:?}");
}

/// A lock that stops readers too (here another connection's exclusive
/// lock on a rollback-journal database; on this server's WAL databases, a
/// crash's recovery): the read waits for it off the runtime's only worker,
/// which meanwhile goes on with other work.
#[tokio::test(flavor = "current_thread")]
async fn a_read_that_meets_a_lock_waits_for_it_off_the_worker() {
    let dir = std::env::temp_dir().join(format!("locked-{}", rand::random::<u64>()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("test.db");
    let locker = rusqlite::Connection::open(&file).unwrap();
    locker
        .execute_batch(
            "PRAGMA journal_mode = DELETE; CREATE TABLE t (a INTEGER, b INTEGER);
             INSERT INTO t VALUES (1, 1); BEGIN EXCLUSIVE; UPDATE t SET b = 2;",
        )
        .unwrap();
    let readers = Readers::new(file, false, 2, Duration::from_secs(10));
    let (released, release) = tokio::sync::oneshot::channel::<()>();
    let holder = std::thread::spawn(move || {
        // Until the test says so: then commit, which releases the lock.
        let _ = release.blocking_recv();
        locker.execute_batch("COMMIT").unwrap();
    });
    let read = tokio::spawn({
        let readers = readers.clone();
        async move { readers.read_one::<Pair>("SELECT a, b FROM t", &[]).await }
    });
    // The only worker is free while the read waits: this task runs.
    let ticks = async {
        for _ in 0..3 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(5), ticks)
        .await
        .expect("the worker was held by the waiting read");
    assert!(!read.is_finished(), "the read did not wait for the lock");
    released.send(()).unwrap();
    let read = read.await.unwrap().unwrap();
    assert_eq!(read, Some(Pair { a: 1, b: Some(2) }));
    holder.join().unwrap();
}

#[tokio::test]
async fn an_in_memory_database_is_read_by_its_readers_too() {
    let db = Db::connect("sqlite::memory:").await.unwrap();
    db.execute("CREATE TABLE t (a INTEGER, b INTEGER)", &[])
        .await
        .unwrap();
    db.execute("INSERT INTO t VALUES (7, NULL)", &[])
        .await
        .unwrap();
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

/// One step of a query plan (`EXPLAIN QUERY PLAN`).
struct Step {
    detail: String,
}

impl FromColumns for Step {
    fn read(row: &impl ReadRow) -> Result<Self, Error> {
        Ok(Step {
            detail: row.get("detail")?,
        })
    }
}

/// How the readers plan a query both of `t`'s indexes could serve.
async fn planned(db: &Db) -> Vec<String> {
    let steps: Vec<Step> = db
        .read_all(
            "EXPLAIN QUERY PLAN SELECT a, b FROM t WHERE a = 1 AND b = 1",
            &[],
        )
        .await
        .unwrap();
    steps.into_iter().map(|step| step.detail).collect()
}

#[tokio::test]
async fn reads_plan_with_the_statistics_refreshed_after_their_connection_opened() {
    let (db, _) = sqlite().await;
    for sql in [
        "CREATE INDEX t_a ON t (a)",
        "CREATE INDEX t_b ON t (b)",
        // `a` tells the rows apart, `b` does not.
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
         INSERT INTO t SELECT i, 0 FROM n",
    ] {
        db.execute(sql, &[]).await.unwrap();
    }
    db.refresh_statistics().await.unwrap();
    assert_eq!(planned(&db).await, ["SEARCH t USING INDEX t_a (a=?)"]);
    assert_eq!(readers(&db).idle_count(), 1);
    // Now `b` does, and `a` does not.
    db.execute("UPDATE t SET b = a, a = 0", &[]).await.unwrap();
    db.refresh_statistics().await.unwrap();
    assert_eq!(planned(&db).await, ["SEARCH t USING INDEX t_b (b=?)"]);
}

#[tokio::test]
async fn the_data_version_moves_with_every_commit_from_any_connection_and_only_then() {
    let (db, file) = sqlite().await;
    db.execute("INSERT INTO t VALUES (1, 1)", &[])
        .await
        .unwrap();
    let before = db.version().expect("a database in a file has a version");
    let _: Vec<Pair> = db.read_all("SELECT a, b FROM t", &[]).await.unwrap();
    assert_eq!(db.version(), Some(before), "a read is no commit");
    db.execute("UPDATE t SET b = 2", &[]).await.unwrap();
    let written = db.version().unwrap();
    assert_ne!(written, before, "this process's writer committed");
    let other = rusqlite::Connection::open(&file).unwrap();
    other.execute("UPDATE t SET b = 3", []).unwrap();
    assert_ne!(db.version(), Some(written), "another connection committed");
}
