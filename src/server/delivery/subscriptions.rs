//! The event types a webhook receives: none listed means every type; else
//! the listed types and prefixes (`project.*`). Read and replaced whole.

use crate::server::db::Db;
use crate::server::db::{params, Single};
use crate::server::webhooks::{self, ServiceError, WebhookScope};

/// The webhook's subscriptions, sorted.
pub async fn get(
    db: &Db,
    scope: WebhookScope,
    webhook_id: i64,
) -> Result<Vec<String>, ServiceError> {
    webhooks::get(db, scope, webhook_id).await?;
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
    db.transaction(async |tx| {
        let found: Option<Single<i64>> = tx
            .read_one(
                "SELECT id FROM webhooks WHERE id = $1 AND organization_id = $2",
                params![webhook_id, scope.organization_id()],
            )
            .await?;
        found.ok_or(ServiceError::NotFound)?;
        tx.execute(
            "DELETE FROM webhook_subscriptions WHERE webhook_id = $1",
            params![webhook_id],
        )
        .await?;
        for pattern in patterns {
            tx.execute(
                "INSERT INTO webhook_subscriptions (webhook_id, pattern) VALUES ($1, $2)",
                params![webhook_id, pattern.as_str()],
            )
            .await?;
        }
        // Which index finds the webhook when an event comes (outbox.rs).
        tx.execute(
            "UPDATE webhooks SET has_subscriptions = $2 WHERE id = $1",
            params![webhook_id, !patterns.is_empty()],
        )
        .await?;
        Ok(())
    })
    .await
}
