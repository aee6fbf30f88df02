//! A webhook's deliveries as people and clients see them: a page of them
//! newest first, one with its attempts and message, and sending again what
//! was given up or held (or discarding what is held). Every call names the
//! webhook, which must be in the caller's organization.

use std::collections::HashMap;

use super::{outbox, Status};
use crate::server::db::{self, params, read_by_name, Db, FromColumns, ReadRow, Single, Tx};
use crate::server::webhooks::{self, read_page, Page, PageRequest, ServiceError, WebhookScope};

/// One delivery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    pub id: i64,
    pub event_id: i64,
    pub event_type: String,
    pub status: Status,
    pub attempts: i64,
    pub next_attempt_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl FromColumns for Delivery {
    fn read(row: &impl ReadRow) -> Result<Self, db::Error> {
        let status: String = row.get("status")?;
        Ok(Delivery {
            id: row.get("id")?,
            event_id: row.get("event_id")?,
            event_type: row.get("event_type")?,
            status: Status::parse(&status)
                .ok_or_else(|| db::Error::decode(format!("unknown delivery status {status:?}")))?,
            attempts: row.get("attempts")?,
            next_attempt_at: row.get("next_attempt_at")?,
            created_at: row.get("created_at")?,
            updated_at: row.get("updated_at")?,
        })
    }
}

const COLUMNS: &str =
    "id, event_id, event_type, status, attempts, next_attempt_at, created_at, updated_at";

/// One request made for a delivery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempt {
    pub at: i64,
    pub duration_ms: i64,
    /// `delivered`, `rate_limited`, `failed`, `rejected` or `gone`.
    pub outcome: String,
    pub http_status: Option<i64>,
    pub error: Option<String>,
}

read_by_name!(Attempt {
    at,
    duration_ms,
    outcome,
    http_status,
    error
});

/// Which deliveries a page shows (`None`: any).
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub status: Option<Status>,
    pub event_type: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    /// No such webhook in the organization, no such page, or the database.
    #[error(transparent)]
    Webhook(#[from] ServiceError),
    #[error("no such delivery")]
    NotFound,
    /// Redelivering what is already waiting to be sent.
    #[error("the delivery is already waiting")]
    AlreadyWaiting,
    /// Sending to a webhook that is turned off.
    #[error("the webhook is turned off")]
    WebhookOff,
}

impl From<db::Error> for DeliveryError {
    fn from(error: db::Error) -> Self {
        DeliveryError::Webhook(ServiceError::Database(error))
    }
}

/// A page of the webhook's deliveries, newest first.
#[tracing::instrument(level = "debug", skip_all, fields(webhook_id))]
pub async fn page(
    db: &Db,
    scope: WebhookScope,
    webhook_id: i64,
    filter: &Filter,
    request: PageRequest,
) -> Result<Page<Delivery>, DeliveryError> {
    webhooks::get(db, scope, webhook_id).await?;
    let status = filter.status.map_or("", Status::as_str);
    let event_type = filter.event_type.as_deref().unwrap_or("");
    let matching = "webhook_id = $1 AND ($2 = '' OR status = $2) AND ($3 = '' OR event_type = $3)";
    Ok(read_page(
        db,
        request,
        &format!("SELECT COUNT(*) FROM deliveries WHERE {matching}"),
        &format!("SELECT {COLUMNS} FROM deliveries WHERE {matching} ORDER BY id DESC"),
        params![webhook_id, status, event_type],
    )
    .await?)
}

/// One delivery, the message it carries (JSON), and its attempts, oldest first.
pub async fn get(
    db: &Db,
    scope: WebhookScope,
    webhook_id: i64,
    id: i64,
) -> Result<(Delivery, String, Vec<Attempt>), DeliveryError> {
    webhooks::get(db, scope, webhook_id).await?;
    let delivery: Delivery = db
        .read_one(
            &format!("SELECT {COLUMNS} FROM deliveries WHERE id = $1 AND webhook_id = $2"),
            params![id, webhook_id],
        )
        .await?
        .ok_or(DeliveryError::NotFound)?;
    let Single(message): Single<String> = db
        .read_one(
            "SELECT message FROM events WHERE id = $1",
            params![delivery.event_id],
        )
        .await?
        .ok_or(DeliveryError::NotFound)?;
    let attempts = db
        .read_all(
            "SELECT at, duration_ms, outcome, http_status, error FROM delivery_attempts
             WHERE delivery_id = $1 ORDER BY id",
            params![id],
        )
        .await?;
    Ok((delivery, message, attempts))
}

struct LastAttempt {
    delivery_id: i64,
    at: i64,
    duration_ms: i64,
    outcome: String,
    http_status: Option<i64>,
    error: Option<String>,
}

read_by_name!(LastAttempt {
    delivery_id,
    at,
    duration_ms,
    outcome,
    http_status,
    error
});

/// The latest attempt of each delivery of a page of the webhook's (those
/// with none are missing): one read, over the webhook's deliveries between
/// the page's first and last.
pub async fn last_attempts(
    db: &Db,
    webhook_id: i64,
    deliveries: &[Delivery],
) -> Result<HashMap<i64, Attempt>, db::Error> {
    let (Some(low), Some(high)) = (
        deliveries.iter().map(|d| d.id).min(),
        deliveries.iter().map(|d| d.id).max(),
    ) else {
        return Ok(HashMap::new());
    };
    let rows: Vec<LastAttempt> = db
        .read_all(
            "SELECT a.delivery_id, a.at, a.duration_ms, a.outcome, a.http_status, a.error
             FROM deliveries d JOIN delivery_attempts a ON a.delivery_id = d.id
             WHERE d.webhook_id = $1 AND d.id BETWEEN $2 AND $3
             ORDER BY a.delivery_id, a.id",
            params![webhook_id, low, high],
        )
        .await?;
    // In order: the last of each delivery's stays.
    Ok(rows
        .into_iter()
        .map(|row| {
            let attempt = Attempt {
                at: row.at,
                duration_ms: row.duration_ms,
                outcome: row.outcome,
                http_status: row.http_status,
                error: row.error,
            };
            (row.delivery_id, attempt)
        })
        .collect())
}

/// Puts a delivery that is not waiting back in its webhook's queue, where
/// its place is its event's: before the deliveries of later events.
pub async fn redeliver(
    db: &Db,
    scope: WebhookScope,
    webhook_id: i64,
    id: i64,
    now: i64,
) -> Result<Delivery, DeliveryError> {
    db.transaction(async |tx| {
        active_webhook(tx, scope, webhook_id).await?;
        let requeued: Option<Delivery> = tx
            .read_one(
                &format!(
                    "UPDATE deliveries SET status = $3, failures = 0, next_attempt_at = $4,
                         updated_at = $4
                     WHERE id = $1 AND webhook_id = $2 AND status <> $3 RETURNING {COLUMNS}"
                ),
                params![id, webhook_id, Status::Waiting.as_str(), now],
            )
            .await?;
        let Some(delivery) = requeued else {
            let exists: Option<Single<i64>> = tx
                .read_one(
                    "SELECT id FROM deliveries WHERE id = $1 AND webhook_id = $2",
                    params![id, webhook_id],
                )
                .await?;
            return Err(match exists {
                Some(_) => DeliveryError::AlreadyWaiting,
                None => DeliveryError::NotFound,
            });
        };
        outbox::mark_due_now(tx, webhook_id, now).await?;
        Ok(delivery)
    })
    .await
}

/// Puts every delivery of the webhook in `status` (dead or held) created
/// since `since` (ms) back in its queue; how many.
pub async fn redeliver_all(
    db: &Db,
    scope: WebhookScope,
    webhook_id: i64,
    status: Status,
    since: i64,
    now: i64,
) -> Result<u64, DeliveryError> {
    db.transaction(async |tx| {
        active_webhook(tx, scope, webhook_id).await?;
        let requeued = tx
            .execute(
                "UPDATE deliveries SET status = $3, failures = 0, next_attempt_at = $5,
                     updated_at = $5
                 WHERE webhook_id = $1 AND status = $2 AND created_at >= $4",
                params![
                    webhook_id,
                    status.as_str(),
                    Status::Waiting.as_str(),
                    since,
                    now
                ],
            )
            .await?;
        if requeued > 0 {
            outbox::mark_due_now(tx, webhook_id, now).await?;
        }
        Ok(requeued)
    })
    .await
}

/// Gives up every held delivery of the webhook (they become dead); how many.
pub async fn discard_held(
    db: &Db,
    scope: WebhookScope,
    webhook_id: i64,
    now: i64,
) -> Result<u64, DeliveryError> {
    webhooks::get(db, scope, webhook_id).await?;
    Ok(db
        .execute(
            "UPDATE deliveries SET status = $3, updated_at = $4
             WHERE webhook_id = $1 AND status = $2",
            params![
                webhook_id,
                Status::Held.as_str(),
                Status::Dead.as_str(),
                now
            ],
        )
        .await?)
}

/// The webhook, in the caller's organization and turned on.
async fn active_webhook(
    tx: &mut Tx<'_>,
    scope: WebhookScope,
    webhook_id: i64,
) -> Result<(), DeliveryError> {
    let active: Option<Single<bool>> = tx
        .read_one(
            "SELECT active FROM webhooks WHERE id = $1 AND organization_id = $2",
            params![webhook_id, scope.organization_id()],
        )
        .await?;
    match active {
        None => Err(ServiceError::NotFound.into()),
        Some(Single(false)) => Err(DeliveryError::WebhookOff),
        Some(Single(true)) => Ok(()),
    }
}
