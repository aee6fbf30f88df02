use std::path::PathBuf;

use super::super::super::{params, Single};
use super::*;

/// A writer on a database file of its own, with a table whose CHECK a
/// test can break.
fn writer() -> (Writer, PathBuf) {
    let dir = std::env::temp_dir().join(format!("writer-{}", rand::random::<u64>()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("test.db");
    let connection = super::super::open_writer(&file, false).unwrap();
    connection
        .execute_batch("CREATE TABLE t (n INTEGER NOT NULL CHECK (n < 10))")
        .unwrap();
    let writer = Writer::new(
        connection,
        Duration::from_secs(5),
        Duration::from_secs(5),
        None,
    );
    (writer, file)
}

/// What another connection sees: only what was committed.
fn committed(file: &PathBuf) -> Vec<i64> {
    let other = Connection::open(file).unwrap();
    let mut statement = other.prepare("SELECT n FROM t ORDER BY n").unwrap();
    let rows = statement.query_map([], |row| row.get(0)).unwrap();
    rows.map(Result::unwrap).collect()
}

/// One transaction: inserts n and n + 1, answers n as the statement returned it.
async fn pair(writer: &Writer, n: i64) -> Result<i64, Error> {
    let mut member = writer.join().await?;
    let inserted =
        member.read_one::<Single<i64>>("INSERT INTO t VALUES ($1) RETURNING n", params![n]);
    let outcome = inserted.and_then(|found| {
        member.execute("INSERT INTO t VALUES ($1 + 1)", params![n])?;
        Ok(found.map(|Single(n)| n))
    });
    match outcome {
        Ok(found) => {
            member.commit().await?;
            Ok(found.expect("a row"))
        }
        Err(failed) => {
            member.roll_back();
            Err(failed)
        }
    }
}

#[tokio::test]
async fn a_transaction_alone_commits_at_once() {
    let (writer, file) = writer();
    assert_eq!(pair(&writer, 1).await.unwrap(), 1);
    assert_eq!(committed(&file), [1, 2]);
    assert_eq!(writer.commits().await, 1);
}

#[tokio::test]
async fn transactions_waiting_together_share_one_commit_and_each_gets_its_rows() {
    let (writer, file) = writer();
    // Held, so that all four wait and go together.
    let held = writer.turn().await.unwrap();
    let writes = futures::future::join_all([0, 2, 4, 6].map(|n| pair(&writer, n)));
    let released = async {
        while writer.waiting.load(Ordering::SeqCst) < 4 {
            tokio::task::yield_now().await;
        }
        drop(held);
    };
    let (answers, ()) = tokio::join!(writes, released);
    let answers: Vec<i64> = answers.into_iter().map(Result::unwrap).collect();
    assert_eq!(answers, [0, 2, 4, 6]);
    assert_eq!(committed(&file), [0, 1, 2, 3, 4, 5, 6, 7]);
    assert_eq!(writer.commits().await, 1);
}

#[tokio::test]
async fn a_transaction_failing_in_a_group_is_rolled_back_alone() {
    let (writer, file) = writer();
    let held = writer.turn().await.unwrap();
    // 9 + 1 breaks the CHECK: that transaction's first row goes with it.
    let writes = futures::future::join_all([1, 9, 5].map(|n| pair(&writer, n)));
    let released = async {
        while writer.waiting.load(Ordering::SeqCst) < 3 {
            tokio::task::yield_now().await;
        }
        drop(held);
    };
    let (answers, ()) = tokio::join!(writes, released);
    let mut answers = answers.into_iter();
    assert_eq!(answers.next().unwrap().unwrap(), 1);
    let failed = answers.next().unwrap().unwrap_err();
    let cause = std::error::Error::source(&failed).unwrap().to_string();
    assert!(cause.contains("CHECK constraint failed"), "{cause}");
    assert_eq!(answers.next().unwrap().unwrap(), 5);
    assert_eq!(committed(&file), [1, 2, 5, 6]);
    assert_eq!(writer.commits().await, 1);
}

#[tokio::test]
async fn a_member_dropped_mid_way_leaves_nothing_and_the_others_commit() {
    let (writer, file) = writer();
    let mut member = writer.join().await.unwrap();
    member.execute("INSERT INTO t VALUES (3)", &[]).unwrap();
    // Its request went away before it finished.
    drop(member);
    assert_eq!(pair(&writer, 7).await.unwrap(), 7);
    assert_eq!(committed(&file), [7, 8]);
}

#[tokio::test]
async fn a_group_left_open_is_committed_by_the_one_in_line_behind_it() {
    let (writer, file) = writer();
    let first = writer.join().await.unwrap();
    // Someone waits for a turn, then gives up before getting it: the
    // first member leaves the transaction open for nobody.
    let waiter = tokio::spawn({
        let writer = writer.clone();
        async move { writer.turn().await.map(drop) }
    });
    while writer.waiting.load(Ordering::SeqCst) < 1 {
        tokio::task::yield_now().await;
    }
    let mut first = first;
    first.execute("INSERT INTO t VALUES (4)", &[]).unwrap();
    let committing = tokio::spawn(async move { first.commit().await });
    waiter.await.unwrap().unwrap();
    committing.await.unwrap().unwrap();
    assert_eq!(committed(&file), [4]);
}

/// On the runtime's only worker: it must stay free while the write waits.
#[tokio::test(flavor = "current_thread")]
async fn another_process_holding_the_write_lock_makes_a_transaction_wait_off_the_worker() {
    let (writer, file) = writer();
    let other = Connection::open(&file).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let write = tokio::spawn({
        let writer = writer.clone();
        async move { pair(&writer, 2).await }
    });
    // The worker is free meanwhile: this task goes on.
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(!write.is_finished(), "the write did not wait for the lock");
    other.execute_batch("COMMIT").unwrap();
    assert_eq!(write.await.unwrap().unwrap(), 2);
    assert_eq!(committed(&file), [2, 3]);
}
