//! Events in: an event, one waiting delivery per active webhook of its
//! organization that subscribes to its type, and each such webhook's queue
//! marked due — all in the caller's transaction (a transactional outbox), so
//! an event is queued exactly when it is stored.

use std::sync::LazyLock;

use crate::server::db::{self, params, read_by_name, Db, Param, Shareable, Single, Tx};

/// What an event became.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Queued {
    pub event_id: i64,
    /// Deliveries queued for it: one per webhook that receives it.
    pub deliveries: u64,
}

const INSERT_EVENT: &str = "INSERT INTO events (organization_id, type, message, created_at)
     VALUES ($1, $2, $3, $4) RETURNING id";

/// A delivery for each of the organization's active webhooks, but
/// `except`, that receives type `kind`: one without subscriptions receives
/// every type; a subscription is the type or a prefix of it and `*`. Only
/// the receivers are read — those taking every type through their index,
/// the others from the type's own patterns (the type, and each of its
/// prefixes with `*`) — however many webhooks the organization has. The
/// arguments are the values' SQL (placeholders, or an expression).
fn insert_deliveries_sql(
    organization: &str,
    event: &str,
    kind: &str,
    now: &str,
    except: &str,
) -> String {
    let kind = format!("CAST({kind} AS TEXT)");
    let now = format!("CAST({now} AS BIGINT)");
    format!(
        "WITH RECURSIVE cut (n) AS (
             SELECT 0 UNION ALL SELECT n + 1 FROM cut WHERE n < length({kind})),
         receiving (webhook_id) AS (
             SELECT id FROM webhooks
             WHERE organization_id = {organization} AND active AND NOT has_subscriptions
             UNION
             -- CROSS JOIN: SQLite goes from the patterns to their webhooks.
             SELECT s.webhook_id FROM webhook_subscriptions s
             CROSS JOIN webhooks w
             WHERE w.id = s.webhook_id AND w.organization_id = {organization} AND w.active
               AND s.pattern IN (SELECT {kind} UNION ALL SELECT substr({kind}, 1, n) || '*' FROM cut))
         INSERT INTO deliveries
             (organization_id, webhook_id, event_id, event_type, status, attempts, failures,
              next_attempt_at, created_at, updated_at)
         SELECT CAST({organization} AS BIGINT), webhook_id, CAST({event} AS BIGINT), {kind},
                'waiting', 0, 0, {now}, {now}, {now}
         FROM receiving WHERE webhook_id <> {except}
         ORDER BY webhook_id"
    )
}

/// Each receiving webhook's queue is due now, unless it already waits for
/// something earlier in it (a retry, a pause): new deliveries go behind.
fn mark_queues_due_sql(event: &str, now: &str) -> String {
    format!(
        "INSERT INTO delivery_queues (webhook_id, due_at)
         SELECT webhook_id, CAST({now} AS BIGINT) FROM deliveries WHERE event_id = {event}
         ON CONFLICT (webhook_id) DO UPDATE
         SET due_at = COALESCE(delivery_queues.due_at, excluded.due_at)"
    )
}

static INSERT_DELIVERIES: LazyLock<String> =
    LazyLock::new(|| insert_deliveries_sql("$1", "$2", "$3", "$4", "$5"));
static MARK_QUEUES_DUE: LazyLock<String> = LazyLock::new(|| mark_queues_due_sql("$1", "$2"));

/// SQLite: an event without a key is a write that shares its transaction,
/// and its one command to the writer's thread, with the other events
/// waiting, as creates do ([`Db::grouped_write`]). Its values: organization,
/// type, message, now; it returns a [`Queued`].
static ENQUEUE_SHARED: Shareable = Shareable {
    statements: |first| {
        let p = |k: usize| format!("${}", first + k);
        // The event just inserted: ids only grow (AUTOINCREMENT).
        let event = "(SELECT MAX(id) FROM events)";
        format!(
            "INSERT INTO events (organization_id, type, message, created_at)
             VALUES ({}, {}, {}, {});
             {};
             {};
             SELECT id AS event_id,
                    (SELECT COUNT(*) FROM deliveries WHERE event_id = events.id) AS deliveries
             FROM events WHERE id = {event}",
            p(0),
            p(1),
            p(2),
            p(3),
            insert_deliveries_sql(&p(0), event, &p(1), &p(3), "0"),
            mark_queues_due_sql(event, &p(3)),
        )
    },
    parameters: 4,
    rows: 1,
};

struct QueuedRow {
    event_id: i64,
    deliveries: i64,
}

read_by_name!(QueuedRow {
    event_id,
    deliveries
});

/// Stores an event and queues its deliveries in a transaction of its own:
/// on SQLite one shared with the other events waiting.
pub async fn enqueue_alone(
    db: &Db,
    organization_id: i64,
    kind: &str,
    message: &str,
    now: i64,
) -> Result<Queued, db::Error> {
    let values = [
        Param::from(organization_id),
        Param::from(kind),
        Param::from(message),
        Param::from(now),
    ]
    .into_iter()
    .map(Param::into_owned)
    .collect();
    if let Some(rows) = db.grouped_write::<QueuedRow>(&ENQUEUE_SHARED, values).await {
        let row = rows?
            .into_iter()
            .next()
            .ok_or_else(|| db::Error::decode("the event's write returned no row"))?;
        return Ok(Queued {
            event_id: row.event_id,
            deliveries: row.deliveries as u64,
        });
    }
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
            &INSERT_DELIVERIES,
            params![organization_id, event_id, kind, now, except.unwrap_or(0)],
        )
        .await?;
    if deliveries > 0 {
        tx.execute(&MARK_QUEUES_DUE, params![event_id, now]).await?;
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
