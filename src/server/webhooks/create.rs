//! Creating a webhook: the row, its history entry, the organization's
//! counter (and the new-webhook form's event types) in one transaction; with
//! an `Idempotency-Key`, once per key.

use std::sync::LazyLock;

use super::history::{self, Action, RecordValues};
use super::idempotency::{self, IdempotencyKey};
use super::subscriptions;
use super::{count_change, count_change_sql, ServiceError, Webhook, WebhookScope, COLUMNS};
use crate::server::clock::now_millis;
use crate::server::db::{self, params, Db, Param, Shareable};
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

/// The new row's statement, its values' placeholders numbered from
/// `first`: organization, name, URL, description, active, now.
fn insert_row_sql(first: usize) -> String {
    let p = |k: usize| format!("${}", first + k);
    format!(
        "INSERT INTO webhooks (organization_id, name, url, description, active, created_at, updated_at)
         VALUES ({}, {}, {}, {}, {}, {now}, {now}) RETURNING {COLUMNS}",
        p(0),
        p(1),
        p(2),
        p(3),
        p(4),
        now = p(5)
    )
}

static INSERT_ROW: LazyLock<String> = LazyLock::new(|| insert_row_sql(1));

/// SQLite: a create is a write that shares its transaction, and its one
/// command to the writer's thread, with the other creates waiting (see
/// [`crate::server::db::WriteQueue::shared`]). [`insert_row_sql`]'s six values, then the
/// actor, the actor's kind and the token id.
static CREATE_SHARED: Shareable = Shareable {
    statements: |first| {
        let p = |k: usize| format!("${}", first + k);
        let record = history::record_sql(&RecordValues {
            organization_id: &p(0),
            // The row just inserted (a trigger's inserts do not change it).
            webhook_id: "last_insert_rowid()",
            webhook_name: &p(1),
            actor_user_id: &p(6),
            actor_kind: &p(7),
            token_id: &p(8),
            action: &format!("'{}'", Action::Created.as_str()),
            fields: "''",
            at: &p(5),
            from: "",
        });
        format!(
            "{}; {record}; {}",
            insert_row_sql(first),
            count_change_sql("1", &p(0))
        )
    },
    parameters: 9,
    rows: 1,
};

/// [`insert_row_sql`]'s values.
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

/// [`CREATE_SHARED`]'s values.
fn create_values(scope: WebhookScope, draft: &WebhookDraft, now: i64) -> Vec<Param<'static>> {
    row_values(scope, draft, now)
        .into_iter()
        .chain([
            Param::from(scope.actor_user_id),
            Param::from(scope.via.kind().as_str()),
            Param::from(scope.via.token_id()),
        ])
        .map(Param::into_owned)
        .collect()
}

#[tracing::instrument(level = "debug", skip_all, fields(organization = scope.organization_id, keyed = key.is_some()))]
pub async fn create(
    db: &Db,
    scope: WebhookScope,
    draft: &WebhookDraft,
    key: Option<&IdempotencyKey>,
) -> Result<Created, ServiceError> {
    let now = now_millis();
    if key.is_none() && draft.subscriptions.is_empty() {
        let values = create_values(scope, draft, now);
        if let Some(rows) = db.grouped_write::<Webhook>(&CREATE_SHARED, values).await {
            let webhook = rows?
                .into_iter()
                .next()
                .ok_or_else(|| db::Error::decode("the create returned no row"))?;
            return Created::new(&webhook, false);
        }
    }
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
