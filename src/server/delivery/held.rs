//! A webhook's held deliveries — kept while it is turned off — and why the
//! engine turned it off: what its page says, and the choice it offers (turn
//! it back on and send them, or turn it back on and discard them).

use super::deliveries::{self, DeliveryError};
use super::Status;
use crate::server::db::{params, read_by_name, Db, Param, Single};
use crate::server::webhooks::{self, Change, Precondition, ServiceError, WebhookScope};
use crate::shared::validation::WebhookChanges;

/// What the webhook's page tells about its held deliveries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Held {
    pub active: bool,
    /// Deliveries waiting for someone's choice.
    pub count: i64,
    /// Why and when the engine turned the webhook off, while no one has
    /// turned it on or off since (a new URL keeps it).
    pub turned_off: Option<(String, i64)>,
}

struct HeldRow {
    active: bool,
    count: i64,
    reason: Option<String>,
    at: Option<i64>,
}

read_by_name!(HeldRow {
    active,
    count,
    reason,
    at
});

/// The webhook's held deliveries, and why it was turned off (`None`: it is
/// not the organization's).
pub async fn of(
    db: &Db,
    scope: WebhookScope,
    webhook_id: i64,
) -> Result<Option<Held>, ServiceError> {
    let row: Option<HeldRow> = db
        .read_one(
            "SELECT w.active,
                    (SELECT COUNT(*) FROM deliveries WHERE webhook_id = w.id AND status = 'held')
                        AS count,
                    h.reason, h.at
             FROM webhooks w
             LEFT JOIN webhook_audit h
                 ON h.id = (SELECT MAX(id) FROM webhook_audit
                            WHERE webhook_id = w.id AND action = 'deactivated')
                AND NOT w.active
                AND NOT EXISTS (SELECT 1 FROM webhook_audit u
                                WHERE u.webhook_id = w.id AND u.id > h.id
                                  AND u.action = 'updated'
                                  AND ',' || u.fields || ',' LIKE '%,active,%')
             WHERE w.id = $1 AND w.organization_id = $2",
            params![webhook_id, scope.organization_id()],
        )
        .await?;
    Ok(row.map(|row| Held {
        active: row.active,
        count: row.count,
        turned_off: row.reason.zip(row.at),
    }))
}

/// Which of these webhooks, off, hold deliveries: the ones the engine
/// turned off and someone has yet to choose for (what the list marks).
/// Asks nothing for none.
pub async fn turned_off_among(
    db: &Db,
    scope: WebhookScope,
    inactive: &[i64],
) -> Result<Vec<i64>, ServiceError> {
    if inactive.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (2..inactive.len() + 2).map(|n| format!("${n}")).collect();
    let mut values = vec![Param::from(scope.organization_id())];
    values.extend(inactive.iter().map(|&id| Param::from(id)));
    let rows: Vec<Single<i64>> = db
        .read_all(
            &format!(
                "SELECT DISTINCT webhook_id FROM deliveries
                 WHERE status = 'held' AND organization_id = $1 AND webhook_id IN ({})",
                placeholders.join(", ")
            ),
            &values,
        )
        .await?;
    Ok(rows.into_iter().map(|Single(id)| id).collect())
}

/// What to do with the held deliveries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Choice {
    Send,
    Discard,
}

/// Turns the webhook on (when it is off; the history records who), then
/// sends its held deliveries again, in order, or gives them up; how many.
pub async fn release(
    db: &Db,
    scope: WebhookScope,
    webhook_id: i64,
    choice: Choice,
    now: i64,
) -> Result<u64, DeliveryError> {
    let active = WebhookChanges {
        active: Some(true),
        ..WebhookChanges::default()
    };
    let webhook = webhooks::get(db, scope, webhook_id).await?;
    if !webhook.active {
        webhooks::apply(
            db,
            scope,
            &[webhook_id],
            Change::Edit(&active),
            &Precondition::none(),
        )
        .await?;
    }
    match choice {
        Choice::Send => {
            deliveries::redeliver_all(db, scope, webhook_id, Status::Held, 0, now).await
        }
        Choice::Discard => deliveries::discard_held(db, scope, webhook_id, now).await,
    }
}
