//! Token buckets in the database: what a bucket allows over time, counted
//! with explicit clocks, on both backends.

use webhook_admin::server::db::Db;
use webhook_admin::server::rate_limit::Bucket;

use crate::support::TestApp;

const BUCKET: Bucket = Bucket {
    name: "test",
    capacity: 3.0,
    per_second: 2.0,
};

/// Takes a token of bucket `key` at `now`: `Ok`, or `Err(retry after, s)`.
async fn take(db: &Db, key: i64, now: i64) -> Result<(), i64> {
    macro_rules! take_on {
        ($pool:expr) => {{
            let taken = BUCKET.take(key, now).fetch_optional($pool).await.unwrap();
            match taken {
                Some(_) => Ok(()),
                None => {
                    let level = BUCKET.level(key).fetch_one($pool).await.unwrap();
                    Err(BUCKET.retry_after_secs(level, now))
                }
            }
        }};
    }
    match db {
        Db::Sqlite(pool, ..) => take_on!(pool),
        Db::Postgres(pool, _) => take_on!(pool),
    }
}

#[tokio::test]
async fn a_bucket_gives_its_capacity_at_once_then_its_rate() {
    let app = TestApp::spawn().await;
    let db = &app.db;
    let t = 1_000_000;
    for _ in 0..3 {
        assert_eq!(take(db, 1, t).await, Ok(()));
    }
    assert_eq!(take(db, 1, t).await, Err(1));
    assert_eq!(take(db, 1, t + 499).await, Err(1));
    assert_eq!(take(db, 1, t + 500).await, Ok(()));
    assert_eq!(take(db, 1, t + 500).await, Err(1));
    // Another key has its own bucket.
    assert_eq!(take(db, 2, t).await, Ok(()));
    // A long pause refills it to its capacity, no more.
    for _ in 0..3 {
        assert_eq!(take(db, 1, t + 3_600_000).await, Ok(()));
    }
    assert_eq!(take(db, 1, t + 3_600_000).await, Err(1));
    // A refusal takes nothing.
    assert_eq!(take(db, 1, t + 3_600_500).await, Ok(()));
}
