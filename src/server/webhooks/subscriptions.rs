//! The event types a webhook receives: none listed means every type; else
//! the listed types and prefixes (`project.*`). Read and replaced whole; a
//! replacement that changes the set is a history entry (`subscriptions`).

use super::history::{self, Action};
use super::{ServiceError, Webhook, WebhookScope, LOCK_ROW};
use crate::server::clock::now_millis;
use crate::server::db::{self, params, Db, Single, Tx};
use crate::shared::validation::{Field, FieldName};

/// The webhook's subscriptions, sorted.
pub async fn get(
    db: &Db,
    scope: WebhookScope,
    webhook_id: i64,
) -> Result<Vec<String>, ServiceError> {
    super::get(db, scope, webhook_id).await?;
    let rows: Vec<Single<String>> = db
        .read_all(
            "SELECT pattern FROM webhook_subscriptions WHERE webhook_id = $1 ORDER BY pattern",
            params![webhook_id],
        )
        .await?;
    Ok(rows.into_iter().map(|Single(pattern)| pattern).collect())
}

/// Replaces the webhook's subscriptions with `patterns` (checked by the
/// shared rules); the events posted after this see the new set.
pub async fn replace(
    db: &Db,
    scope: WebhookScope,
    webhook_id: i64,
    patterns: &[String],
) -> Result<(), ServiceError> {
    let now = now_millis();
    db.transaction(async |tx| {
        let webhook: Webhook = tx
            .read_one(LOCK_ROW, params![webhook_id, scope.organization_id()])
            .await?
            .ok_or(ServiceError::NotFound)?;
        if replace_in(tx, webhook_id, patterns).await? {
            let fields = Field::Subscriptions.as_str();
            history::record(tx, scope, &webhook, Action::Updated, fields, now).await?;
        }
        Ok(())
    })
    .await
}

/// Within a transaction that holds the webhook's row: replaces its
/// subscriptions; whether the set changed.
pub(super) async fn replace_in(
    tx: &mut Tx<'_>,
    webhook_id: i64,
    patterns: &[String],
) -> Result<bool, db::Error> {
    let stored: Vec<Single<String>> = tx
        .read_all(
            "SELECT pattern FROM webhook_subscriptions WHERE webhook_id = $1",
            params![webhook_id],
        )
        .await?;
    // Compared as sets, in Rust's order (the databases' collations differ).
    let mut stored: Vec<String> = stored.into_iter().map(|Single(p)| p).collect();
    stored.sort();
    let mut wanted = patterns.to_vec();
    wanted.sort();
    wanted.dedup();
    if stored == wanted {
        return Ok(false);
    }
    tx.execute(
        "DELETE FROM webhook_subscriptions WHERE webhook_id = $1",
        params![webhook_id],
    )
    .await?;
    for pattern in &wanted {
        tx.execute(
            "INSERT INTO webhook_subscriptions (webhook_id, pattern) VALUES ($1, $2)",
            params![webhook_id, pattern.as_str()],
        )
        .await?;
    }
    // Which index finds the webhook when an event comes (delivery/outbox.rs).
    tx.execute(
        "UPDATE webhooks SET has_subscriptions = $2 WHERE id = $1",
        params![webhook_id, !wanted.is_empty()],
    )
    .await?;
    Ok(true)
}
