//! Creating a webhook: the row, its history entry, the organization's
//! counter (and the new-webhook form's event types) in one transaction; with
//! an `Idempotency-Key`, once per key.

use std::sync::LazyLock;

use super::history::{self, Action};
use super::idempotency::{self, IdempotencyKey};
use super::subscriptions;
use super::{count_change, ServiceError, Webhook, WebhookScope, COLUMNS};
use crate::server::clock::now_millis;
use crate::server::db::{self, params, Db, Param};
use crate::shared::validation::WebhookDraft;

/// A create's answer: the webhook as the API shows it (the JSON body); for
/// a repeated `Idempotency-Key`, the webhook the first request created, as
/// it is now.
#[derive(Debug)]
pub struct Created {
    pub id: i64,
    pub version: i64,
    pub body: String,
    pub replayed: bool,
}

impl Created {
    fn new(webhook: &Webhook, replayed: bool) -> Result<Self, ServiceError> {
        let body = serde_json::to_string(&webhook.resource())
            .map_err(|e| ServiceError::Database(db::Error::Other(Box::new(e))))?;
        Ok(Created {
            id: webhook.id,
            version: webhook.version(),
            body,
            replayed,
        })
    }
}

/// The organization's webhook `$1` (`$2`), for a repeated key's answer.
static CREATED_BEFORE: LazyLock<String> = LazyLock::new(|| {
    format!("SELECT {COLUMNS} FROM webhooks WHERE id = $1 AND organization_id = $2")
});

/// The new row: organization, name, URL, description, active, now.
static INSERT_ROW: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO webhooks (organization_id, name, url, description, active, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING {COLUMNS}"
    )
});

/// [`INSERT_ROW`]'s values.
fn row_values(scope: WebhookScope, draft: &WebhookDraft, now: i64) -> [Param<'_>; 6] {
    [
        Param::from(scope.organization_id),
        Param::from(draft.name.as_str()),
        Param::from(draft.url.as_str()),
        Param::from(draft.description.as_str()),
        Param::from(draft.active),
        Param::from(now),
    ]
}

#[tracing::instrument(level = "debug", skip_all, fields(organization = scope.organization_id, keyed = key.is_some()))]
pub async fn create(
    db: &Db,
    scope: WebhookScope,
    draft: &WebhookDraft,
    key: Option<&IdempotencyKey>,
) -> Result<Created, ServiceError> {
    let now = now_millis();
    let fingerprint = idempotency::fingerprint(draft);
    db.transaction(async |tx| {
        if let Some(key) = key {
            let claimed = tx
                .execute(
                    idempotency::CLAIM,
                    params![
                        scope.organization_id,
                        key.as_str(),
                        fingerprint.as_str(),
                        now,
                        now - idempotency::LIFETIME_MS
                    ],
                )
                .await?;
            if claimed == 0 {
                // Someone else's transaction with this key committed first
                // (PostgreSQL waits for it; SQLite runs one at a time).
                let first: idempotency::FirstRequest = tx
                    .returning(
                        idempotency::FIRST_REQUEST,
                        params![scope.organization_id, key.as_str()],
                    )
                    .await?;
                let id = first.check(&fingerprint)?;
                let created: Webhook = tx
                    .returning(&CREATED_BEFORE, params![id, scope.organization_id])
                    .await?;
                return Created::new(&created, true);
            }
        }
        let webhook: Webhook = tx
            .returning(&INSERT_ROW, &row_values(scope, draft, now))
            .await?;
        history::record(tx, scope, &webhook, Action::Created, "", now).await?;
        count_change(tx, scope, 1).await?;
        if !draft.subscriptions.is_empty() {
            subscriptions::replace_in(tx, webhook.id, &draft.subscriptions).await?;
        }
        if let Some(key) = key {
            tx.execute(
                idempotency::SAVE_WEBHOOK,
                params![webhook.id, scope.organization_id, key.as_str()],
            )
            .await?;
        }
        Created::new(&webhook, false)
    })
    .await
}
