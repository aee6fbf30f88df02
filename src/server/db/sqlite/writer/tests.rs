use std::str::FromStr;

use sqlx::{Arguments, Row};

use super::*;

/// A queue on a database in memory: it lives as long as the writer's one
/// connection.
async fn queue() -> WriteQueue {
    let options = SqliteConnectOptions::from_str("sqlite::memory:").unwrap();
    let queue = WriteQueue::open(&options, std::time::Duration::from_secs(5))
        .await
        .unwrap();
    let mut turn = queue.turn().await.unwrap();
    sqlx::query("CREATE TABLE t (n INTEGER NOT NULL CHECK (n < 10))")
        .execute(turn.connection())
        .await
        .unwrap();
    drop(turn);
    queue
}

async fn rows(queue: &WriteQueue) -> Vec<i64> {
    let mut turn = queue.turn().await.unwrap();
    sqlx::query_scalar("SELECT n FROM t ORDER BY n")
        .fetch_all(turn.connection())
        .await
        .unwrap()
}

/// Inserts n, returning it, then n + 1.
const INSERT: &str = "BEGIN IMMEDIATE; INSERT INTO t VALUES ($1) RETURNING n;
    INSERT INTO t VALUES ($1 + 1); COMMIT";

fn n(value: i64) -> SqliteArguments<'static> {
    let mut arguments = SqliteArguments::default();
    arguments.add(value).unwrap();
    arguments
}

fn returned(rows: Vec<SqliteRow>) -> Vec<i64> {
    rows.iter().map(|row| row.get(0)).collect()
}

#[tokio::test]
async fn a_whole_transaction_commits_whole() {
    let queue = queue().await;
    let mut turn = queue.turn().await.unwrap();
    let answer = turn.whole_transaction(INSERT, n(1)).await.unwrap();
    assert_eq!(returned(answer), [1]);
    drop(turn);
    assert_eq!(rows(&queue).await, [1, 2]);
}

#[tokio::test]
async fn a_statement_failing_half_way_leaves_nothing_and_the_writer_usable() {
    let queue = queue().await;
    let mut turn = queue.turn().await.unwrap();
    // 9 goes in, then 10 breaks the CHECK.
    let Err(failed) = turn.whole_transaction(INSERT, n(9)).await else {
        panic!("10 breaks the CHECK");
    };
    assert!(
        failed.to_string().contains("CHECK constraint failed"),
        "{failed}"
    );
    let answer = turn.whole_transaction(INSERT, n(3)).await.unwrap();
    assert_eq!(returned(answer), [3]);
    drop(turn);
    assert_eq!(rows(&queue).await, [3, 4]);
}

#[tokio::test]
async fn a_command_abandoned_mid_way_is_rolled_back_or_whole_before_the_next_turn() {
    let queue = queue().await;
    let mut turn = queue.turn().await.unwrap();
    let answered = {
        let command = turn.whole_transaction(INSERT, n(5));
        let mut command = std::pin::pin!(command);
        // Sent, then dropped before its answer: the connection's thread
        // stops at the first row it cannot hand back. (On a busy machine
        // the answer may be there at the first poll already: then it is
        // whole.)
        futures::poll!(command.as_mut()).is_ready()
    };
    assert_eq!(turn.0.unfinished, !answered);
    drop(turn);
    let after = rows(&queue).await;
    if answered {
        assert_eq!(after, [5, 6]);
    } else {
        assert!(after.is_empty() || after == [5, 6], "{after:?}");
    }
    let mut turn = queue.turn().await.unwrap();
    turn.whole_transaction(INSERT, n(7)).await.unwrap();
    drop(turn);
    assert!(rows(&queue).await.ends_with(&[7, 8]));
}

/// Inserts n, returning it, then n + 1: one write of a shareable kind.
static PAIR: Shareable = Shareable {
    statements: |first| {
        format!("INSERT INTO t VALUES (${first}) RETURNING n; INSERT INTO t VALUES (${first} + 1)")
    },
    parameters: 1,
    rows: 1,
};

fn pair(value: i64) -> Vec<Param<'static>> {
    vec![Param::from(value)]
}

#[tokio::test]
async fn writes_waiting_together_share_a_command_and_each_gets_its_rows() {
    let queue = queue().await;
    // Held, so that all four wait and go together.
    let turn = queue.turn().await.unwrap();
    let writes = futures::future::join_all([0, 2, 4, 6].map(|n| queue.shared(&PAIR, pair(n))));
    let released = async {
        tokio::task::yield_now().await;
        drop(turn);
    };
    let (answers, ()) = tokio::join!(writes, released);
    let answers: Vec<Vec<i64>> = answers.into_iter().map(|a| returned(a.unwrap())).collect();
    assert_eq!(answers, [[0], [2], [4], [6]]);
    assert_eq!(rows(&queue).await, [0, 1, 2, 3, 4, 5, 6, 7]);
    assert_eq!(queue.shared_commands(), 1);
}

#[tokio::test]
async fn a_write_failing_a_shared_command_fails_alone() {
    let queue = queue().await;
    let turn = queue.turn().await.unwrap();
    // 9 + 1 breaks the CHECK: the shared command rolls back, then each
    // write runs alone.
    let writes = futures::future::join_all([1, 9, 5].map(|n| queue.shared(&PAIR, pair(n))));
    let released = async {
        tokio::task::yield_now().await;
        drop(turn);
    };
    let (answers, ()) = tokio::join!(writes, released);
    let mut answers = answers.into_iter();
    assert_eq!(returned(answers.next().unwrap().unwrap()), [1]);
    let Some(Err(failed)) = answers.next() else {
        panic!("10 breaks the CHECK");
    };
    let cause = std::error::Error::source(&failed).unwrap().to_string();
    assert!(cause.contains("CHECK constraint failed"), "{cause}");
    assert_eq!(returned(answers.next().unwrap().unwrap()), [5]);
    assert_eq!(rows(&queue).await, [1, 2, 5, 6]);
    // Together, then one write at a time.
    assert_eq!(queue.shared_commands(), 1);
}
