//! Events in: an event, one waiting delivery per active webhook of its
//! organization that subscribes to its type, and each such webhook's queue
//! marked due — all in the caller's transaction (a transactional outbox), so
//! an event is queued exactly when it is stored.

use crate::server::db::{self, params, Db, Single, Tx};

/// What an event became.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Queued {
    pub event_id: i64,
    /// Deliveries queued for it: one per webhook that receives it.
    pub deliveries: u64,
}

const INSERT_EVENT: &str = "INSERT INTO events (organization_id, type, message, created_at)
     VALUES ($1, $2, $3, $4) RETURNING id";

/// A delivery for each of the organization's (`$1`) active webhooks, but
/// `$5`, that receives the event `$2` of type `$3`, waiting from `$4`: one
/// without subscriptions receives every type; a subscription is the type or
/// a prefix of it and `*`. Only the receivers are read — those taking every
/// type through their index, the others from the type's own patterns (the
/// type, and each of its prefixes with `*`) — however many webhooks the
/// organization has.
const INSERT_DELIVERIES: &str = "WITH RECURSIVE cut (n) AS (
         SELECT 0 UNION ALL SELECT n + 1 FROM cut WHERE n < length(CAST($3 AS TEXT))),
     receiving (webhook_id) AS (
         SELECT id FROM webhooks
         WHERE organization_id = $1 AND active AND NOT has_subscriptions
         UNION
         -- CROSS JOIN: SQLite goes from the patterns to their webhooks.
         SELECT s.webhook_id FROM webhook_subscriptions s
         CROSS JOIN webhooks w
         WHERE w.id = s.webhook_id AND w.organization_id = $1 AND w.active
           AND s.pattern IN (SELECT CAST($3 AS TEXT)
                             UNION ALL SELECT substr(CAST($3 AS TEXT), 1, n) || '*' FROM cut))
     INSERT INTO deliveries
         (organization_id, webhook_id, event_id, event_type, status, attempts, failures,
          next_attempt_at, created_at, updated_at)
     SELECT CAST($1 AS BIGINT), webhook_id, CAST($2 AS BIGINT), CAST($3 AS TEXT),
            'waiting', 0, 0, CAST($4 AS BIGINT), CAST($4 AS BIGINT), CAST($4 AS BIGINT)
     FROM receiving WHERE webhook_id <> $5
     ORDER BY webhook_id";

/// Each receiving webhook's queue (of the event `$1`) is due at `$2`,
/// unless it already waits for something earlier in it (a retry, a pause):
/// new deliveries go behind.
const MARK_QUEUES_DUE: &str = "INSERT INTO delivery_queues (webhook_id, due_at)
     SELECT webhook_id, CAST($2 AS BIGINT) FROM deliveries WHERE event_id = $1
     ON CONFLICT (webhook_id) DO UPDATE
     SET due_at = COALESCE(delivery_queues.due_at, excluded.due_at)";

/// Stores an event and queues its deliveries in a transaction of its own.
pub async fn enqueue_alone(
    db: &Db,
    organization_id: i64,
    kind: &str,
    message: &str,
    now: i64,
) -> Result<Queued, db::Error> {
    db.transaction(async |tx| enqueue(tx, organization_id, kind, message, now, None).await)
        .await
}

/// Stores an event of `kind` carrying `message` (the JSON body to post) for
/// `organization_id` and queues its deliveries, but none to `except`.
pub async fn enqueue(
    tx: &mut Tx<'_>,
    organization_id: i64,
    kind: &str,
    message: &str,
    now: i64,
    except: Option<i64>,
) -> Result<Queued, db::Error> {
    let Single(event_id): Single<i64> = tx
        .returning(INSERT_EVENT, params![organization_id, kind, message, now])
        .await?;
    let deliveries = tx
        .execute(
            INSERT_DELIVERIES,
            params![organization_id, event_id, kind, now, except.unwrap_or(0)],
        )
        .await?;
    if deliveries > 0 {
        tx.execute(MARK_QUEUES_DUE, params![event_id, now]).await?;
        tx.notify(super::CHANNEL).await?;
    }
    Ok(Queued {
        event_id,
        deliveries,
    })
}

/// The webhook's queue is due now (a redelivery goes before later events).
pub(super) async fn mark_due_now(
    tx: &mut Tx<'_>,
    webhook_id: i64,
    now: i64,
) -> Result<(), db::Error> {
    tx.execute(
        "INSERT INTO delivery_queues (webhook_id, due_at) VALUES ($1, $2)
         ON CONFLICT (webhook_id) DO UPDATE
         SET due_at = CASE WHEN delivery_queues.due_at IS NULL OR delivery_queues.due_at > $2
                           THEN $2 ELSE delivery_queues.due_at END",
        params![webhook_id, now],
    )
    .await?;
    tx.notify(super::CHANNEL).await
}
