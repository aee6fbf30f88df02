//! Token buckets in the database: what a bucket allows over time, counted
//! with explicit clocks, on both backends.

use webhook_admin::server::db::Db;
use webhook_admin::server::rate_limit::{Bucket, Token};

use crate::support::TestApp;

const BUCKET: Bucket = Bucket {
    name: "test",
    capacity: 3.0,
    per_second: 2.0,
};

/// Takes a token of bucket `key` at `now`, in a transaction of its own.
async fn take(db: &Db, key: i64, now: i64) -> Token {
    db.transaction(async |tx| BUCKET.take(tx, key, now).await)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_bucket_gives_its_capacity_at_once_then_its_rate() {
    let app = TestApp::spawn().await;
    let db = &app.db;
    let t = 1_000_000;
    for _ in 0..3 {
        assert_eq!(take(db, 1, t).await, Token::Taken);
    }
    // Empty: the next token comes in half a second (2 a second).
    assert_eq!(take(db, 1, t).await, Token::Wait(500));
    assert_eq!(take(db, 1, t + 499).await, Token::Wait(1));
    assert_eq!(take(db, 1, t + 500).await, Token::Taken);
    assert_eq!(take(db, 1, t + 500).await, Token::Wait(500));
    // Another key has its own bucket.
    assert_eq!(take(db, 2, t).await, Token::Taken);
    // A long pause refills it to its capacity, no more.
    for _ in 0..3 {
        assert_eq!(take(db, 1, t + 3_600_000).await, Token::Taken);
    }
    assert_eq!(take(db, 1, t + 3_600_000).await, Token::Wait(500));
    // A refusal takes nothing.
    assert_eq!(take(db, 1, t + 3_600_500).await, Token::Taken);
}
