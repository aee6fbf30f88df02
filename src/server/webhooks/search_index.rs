//! SQLite's search index (FTS5, trigrams of name and description), brought
//! up to date after the writes rather than in them. A write's trigger notes
//! the webhook whose entry may be out of date, with what the index holds for
//! it (`webhooks_search_pending`, migration 16); [`catch_up`] brings the
//! noted entries up to date, a batch per transaction. The search reads the
//! index only for webhooks not noted and the rows of the others
//! ([`super::browse`]), so a match is never missed or invented meanwhile.
//! PostgreSQL's trigram indexes need none of this.
//!
//! The indexer also keeps the query planner's statistics up to date
//! ([`Db::refresh_statistics`]): a search's plan depends on them, and the
//! notes it indexes are how the server learns that the webhooks changed.

use std::time::{Duration, Instant};

use crate::server::db::{self, params, Db, Dialect, Single};

/// Noted webhooks indexed per transaction: a batch holds the writer a few
/// milliseconds at most.
const BATCH: i64 = 100;

/// How often the indexer looks for noted webhooks.
const PERIOD: Duration = Duration::from_millis(100);

/// The indexer's pause between batches of a backlog: another process's
/// writer (a command, another server) polls for the write lock in SQLite's
/// busy handler and would seldom find it free between batches run back to
/// back.
const PAUSE: Duration = Duration::from_millis(5);

/// Webhooks changed (indexed) after which the planner's statistics are
/// refreshed: a bulk load, or steady growth.
const STATISTICS_AFTER_CHANGES: u64 = 10_000;

/// The longest the statistics go unrefreshed: other tables (deliveries,
/// events) grow without a note.
const STATISTICS_AT_MOST_EVERY: Duration = Duration::from_secs(60 * 60);

/// Brings the index up to date now and then, for as long as the server
/// runs (SQLite only), and the planner's statistics once at the start and
/// then after enough changes or time. A failed round is logged; the next
/// tries again.
pub async fn index_forever(db: Db) {
    if db.dialect() != Dialect::Sqlite {
        return;
    }
    let mut interval = tokio::time::interval(PERIOD);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut statistics: Option<Instant> = None;
    let mut changes = 0;
    loop {
        interval.tick().await;
        match catch_up(&db, PAUSE).await {
            Ok(indexed) => changes += indexed,
            Err(error) => {
                tracing::warn!(%error, "could not bring the search index up to date");
            }
        }
        let due = statistics.is_none_or(|at| at.elapsed() >= STATISTICS_AT_MOST_EVERY)
            || changes >= STATISTICS_AFTER_CHANGES;
        if due {
            match db.refresh_statistics().await {
                Ok(()) => (statistics, changes) = (Some(Instant::now()), 0),
                Err(error) => tracing::warn!(%error, "could not refresh the planner's statistics"),
            }
        }
    }
}

/// Indexes every webhook noted, a batch per transaction with `pause`
/// between them; how many. Takes no write turn when nothing is noted.
pub async fn catch_up(db: &Db, pause: Duration) -> Result<u64, db::Error> {
    if db.dialect() != Dialect::Sqlite {
        return Ok(0);
    }
    let mut indexed = 0;
    loop {
        let noted = db
            .read_one::<Single<bool>>("SELECT EXISTS (SELECT 1 FROM webhooks_search_pending)", &[])
            .await?;
        if !noted.is_some_and(|Single(noted)| noted) {
            return Ok(indexed);
        }
        if indexed > 0 {
            tokio::time::sleep(pause).await;
        }
        indexed += index_batch(db).await?;
    }
}

/// The first [`BATCH`] noted webhooks: their old entries out, their rows'
/// values in, their notes gone.
async fn index_batch(db: &Db) -> Result<u64, db::Error> {
    db.transaction(async |tx| {
        let last: Option<Single<Option<i64>>> = tx
            .read_one(
                "SELECT MAX(webhook_id) FROM (SELECT webhook_id FROM webhooks_search_pending
                 ORDER BY webhook_id LIMIT $1)",
                params![BATCH],
            )
            .await?;
        let Some(Single(Some(last))) = last else {
            return Ok(0);
        };
        tx.execute(
            "INSERT INTO webhooks_search (webhooks_search, rowid, name, description)
             SELECT 'delete', webhook_id, name, description FROM webhooks_search_pending
             WHERE webhook_id <= $1 AND indexed",
            params![last],
        )
        .await?;
        // CROSS JOIN keeps the notes the outer loop: SQLite would otherwise
        // carry `webhook_id <= $1` over to the webhooks and walk every one
        // below the batch's last id, each batch reading more as ids grow.
        tx.execute(
            "INSERT INTO webhooks_search (rowid, name, description)
             SELECT w.id, w.name, w.description
             FROM webhooks_search_pending p CROSS JOIN webhooks w ON w.id = p.webhook_id
             WHERE p.webhook_id <= $1",
            params![last],
        )
        .await?;
        tx.execute(
            "DELETE FROM webhooks_search_pending WHERE webhook_id <= $1",
            params![last],
        )
        .await
    })
    .await
}
