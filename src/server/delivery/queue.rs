//! A webhook's queue: claimed by one instance at a time with a lease, then
//! stepped one delivery at a time — the oldest waiting delivery is sent
//! when it is due, Slack's pause is over and the webhook's token bucket has
//! a token; otherwise the queue is released with the time it is due again.

use super::{Settings, Status};
use crate::server::db::{self, params, read_by_name, Db, Dialect, Single, Tx};
use crate::server::rate_limit::{Bucket, Token};

/// Takes the leases of up to `$4` due queues no live lease holds.
/// PostgreSQL skips the rows another instance is claiming meanwhile; SQLite
/// claims in a write transaction, one process at a time.
fn claim_sql(dialect: Dialect) -> String {
    let skip_locked = match dialect {
        Dialect::Postgres => "FOR UPDATE SKIP LOCKED",
        Dialect::Sqlite => "",
    };
    format!(
        "UPDATE delivery_queues SET lease_owner = $1, lease_until = $2
         WHERE webhook_id IN (SELECT webhook_id FROM delivery_queues
                              WHERE due_at <= $3 AND lease_until < $3
                              ORDER BY due_at LIMIT $4 {skip_locked})
         RETURNING webhook_id"
    )
}

/// Claims up to `limit` due queues for `owner` until `now + lease`; their
/// webhooks' ids.
pub(super) async fn claim(
    db: &Db,
    owner: &str,
    limit: usize,
    now: i64,
    settings: &Settings,
) -> Result<Vec<i64>, db::Error> {
    let sql = claim_sql(db.dialect());
    let until = now + settings.lease.as_millis() as i64;
    let claimed: Vec<Single<i64>> = db
        .transaction(async |tx| {
            tx.read_all(&sql, params![owner, until, now, limit as i64])
                .await
        })
        .await?;
    Ok(claimed.into_iter().map(|Single(id)| id).collect())
}

/// When the next queue falls due, if any does: a leased one when its
/// lease runs out.
pub(super) async fn next_due(db: &Db) -> Result<Option<i64>, db::Error> {
    Ok(db
        .read_one::<Single<Option<i64>>>(
            "SELECT MIN(CASE WHEN lease_until > due_at THEN lease_until ELSE due_at END)
             FROM delivery_queues WHERE due_at IS NOT NULL",
            &[],
        )
        .await?
        .and_then(|Single(at)| at))
}

/// A claimed queue's webhook and its oldest waiting delivery.
struct QueueHead {
    organization_id: i64,
    name: String,
    url: String,
    active: bool,
    not_before: i64,
    lease_until: i64,
    failing_since: Option<i64>,
    delivery_id: Option<i64>,
    failures: Option<i64>,
    next_attempt_at: Option<i64>,
    message: Option<String>,
}

read_by_name!(QueueHead {
    organization_id,
    name,
    url,
    active,
    not_before,
    lease_until,
    failing_since,
    delivery_id,
    failures,
    next_attempt_at,
    message
});

const HEAD: &str = "SELECT w.organization_id, w.name, w.url, w.active, q.not_before,
            q.lease_until, q.failing_since, d.id AS delivery_id, d.failures, d.next_attempt_at, e.message
     FROM delivery_queues q
     JOIN webhooks w ON w.id = q.webhook_id
     LEFT JOIN deliveries d ON d.id = (SELECT MIN(id) FROM deliveries
                                      WHERE webhook_id = $1 AND status = 'waiting')
     LEFT JOIN events e ON e.id = d.event_id
     WHERE q.webhook_id = $1 AND q.lease_owner = $2";

/// A delivery about to be sent.
#[derive(Clone, Debug)]
pub(super) struct Send {
    pub webhook_id: i64,
    pub organization_id: i64,
    pub webhook_name: String,
    pub url: String,
    pub delivery_id: i64,
    /// Its failed requests so far.
    pub failures: i64,
    /// The webhook has been failing (its queue's `failing_since` is set).
    pub failing: bool,
    pub message: String,
}

/// What a claimed queue does next.
pub(super) enum Next {
    Send(Send),
    /// Released (or no longer this instance's).
    Released,
    /// Released until the webhook's pace allows another send.
    Paced,
}

/// The step after the last: the head is sent if it may be now, else the
/// queue is released, due again when it may be.
pub(super) async fn next(
    tx: &mut Tx<'_>,
    webhook_id: i64,
    owner: &str,
    now: i64,
    settings: &Settings,
) -> Result<Next, db::Error> {
    let Some(head) = tx
        .read_one::<QueueHead>(HEAD, params![webhook_id, owner])
        .await?
    else {
        // Its webhook was deleted, or another instance took the queue over.
        return Ok(Next::Released);
    };
    let (Some(delivery_id), Some(message)) = (head.delivery_id, head.message) else {
        return release(tx, webhook_id, owner, None).await;
    };
    if !head.active {
        hold_waiting(tx, webhook_id, now).await?;
        return release(tx, webhook_id, owner, None).await;
    }
    let due = head.next_attempt_at.unwrap_or(now).max(head.not_before);
    if due > now {
        return release(tx, webhook_id, owner, Some(due)).await;
    }
    let pacing = Bucket {
        name: "deliveries",
        capacity: settings.burst,
        per_second: settings.rate_per_second,
    };
    if let Token::Wait(wait_ms) = pacing.take(tx, webhook_id, now).await? {
        release(tx, webhook_id, owner, Some(now + wait_ms)).await?;
        return Ok(Next::Paced);
    }
    // Renewed once less is left than halfway from a send's timeout to a
    // whole lease: a send and its record always end within the lease, and
    // a long queue renews it once in so many sends, not at each.
    let renew_below = (settings.lease + settings.timeout).as_millis() as i64 / 2;
    if head.lease_until - now < renew_below {
        let until = now + settings.lease.as_millis() as i64;
        let renewed = tx
            .execute(
                "UPDATE delivery_queues SET lease_until = $3 WHERE webhook_id = $1 AND lease_owner = $2",
                params![webhook_id, owner, until],
            )
            .await?;
        if renewed == 0 {
            return Ok(Next::Released);
        }
    }
    Ok(Next::Send(Send {
        webhook_id,
        organization_id: head.organization_id,
        webhook_name: head.name,
        url: head.url,
        delivery_id,
        failures: head.failures.unwrap_or(0),
        failing: head.failing_since.is_some(),
        message,
    }))
}

/// Gives the queue up, due at once (a stopping instance hands it over).
pub(super) async fn release_now(
    tx: &mut Tx<'_>,
    webhook_id: i64,
    owner: &str,
    now: i64,
) -> Result<Next, db::Error> {
    release(tx, webhook_id, owner, Some(now)).await
}

/// Gives the queue up, due again at `due_at` (`None`: when a delivery is
/// queued).
async fn release(
    tx: &mut Tx<'_>,
    webhook_id: i64,
    owner: &str,
    due_at: Option<i64>,
) -> Result<Next, db::Error> {
    tx.execute(
        "UPDATE delivery_queues SET due_at = $3, lease_owner = NULL, lease_until = 0
         WHERE webhook_id = $1 AND lease_owner = $2",
        params![webhook_id, owner, due_at],
    )
    .await?;
    Ok(Next::Released)
}

/// Every waiting delivery of a webhook that was turned off is held.
pub(super) async fn hold_waiting(
    tx: &mut Tx<'_>,
    webhook_id: i64,
    now: i64,
) -> Result<u64, db::Error> {
    tx.execute(
        "UPDATE deliveries SET status = $3, next_attempt_at = NULL, updated_at = $2
         WHERE webhook_id = $1 AND status = $4",
        params![
            webhook_id,
            now,
            Status::Held.as_str(),
            Status::Waiting.as_str()
        ],
    )
    .await
}
