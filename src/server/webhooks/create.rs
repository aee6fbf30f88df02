//! Creating a webhook: the row, its history entry and the organization's
//! counter in one transaction; with an `Idempotency-Key`, once per key.

use std::sync::LazyLock;

use super::history::{self, Action, RecordValues};
use super::idempotency::{self, IdempotencyKey};
use super::{count_change_sql, ServiceError, Webhook, WebhookScope, COLUMNS};
use crate::server::clock::now_millis;
use crate::server::db::{in_transaction, Db};
use crate::validation::WebhookDraft;

/// A create's answer: the webhook as the API shows it (the JSON body), or,
/// for a repeated `Idempotency-Key`, the first answer again.
#[derive(Debug)]
pub struct Created {
    pub id: i64,
    pub version: i64,
    pub body: String,
    pub replayed: bool,
}

impl Created {
    fn new(webhook: &Webhook) -> Result<Self, ServiceError> {
        let body = serde_json::to_string(&webhook.resource())
            .map_err(|e| ServiceError::Database(sqlx::Error::Encode(Box::new(e))))?;
        Ok(Created {
            id: webhook.id,
            version: webhook.version(),
            body,
            replayed: false,
        })
    }
}

/// The new row: `$1` organization, `$2` name, `$3` URL, `$4` description,
/// `$5` active, `$6` now.
static INSERT_ROW: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO webhooks (organization_id, name, url, description, active, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING {COLUMNS}"
    )
});

/// SQLite: a whole create as one command to the writer's connection (see
/// [`crate::server::db::WriterTurn::whole_transaction`]): [`INSERT_ROW`]'s
/// values, then `$7` actor, `$8` actor kind, `$9` token id.
static CREATE_AT_ONCE: LazyLock<String> = LazyLock::new(|| {
    let record = history::record_sql(&RecordValues {
        organization_id: "$1",
        // The row just inserted (a trigger's inserts do not change it).
        webhook_id: "last_insert_rowid()",
        webhook_name: "$2",
        actor_user_id: "$7",
        actor_kind: "$8",
        token_id: "$9",
        action: &format!("'{}'", Action::Created.as_str()),
        fields: "''",
        at: "$6",
    });
    format!(
        "BEGIN IMMEDIATE; {}; {record}; {}; COMMIT",
        *INSERT_ROW,
        count_change_sql("1", "$1")
    )
});

fn insert_row<'q, DB, O>(
    sql: &'q str,
    scope: WebhookScope,
    draft: &'q WebhookDraft,
    now: i64,
) -> sqlx::query::QueryAs<'q, DB, O, <DB as sqlx::Database>::Arguments<'q>>
where
    DB: sqlx::Database,
    O: for<'r> sqlx::FromRow<'r, DB::Row>,
    i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    bool: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    sqlx::query_as(sql)
        .bind(scope.organization_id)
        .bind(draft.name.as_str())
        .bind(draft.url.as_str())
        .bind(draft.description.as_str())
        .bind(draft.active)
        .bind(now)
}

pub async fn create(
    db: &Db,
    scope: WebhookScope,
    draft: &WebhookDraft,
    key: Option<&IdempotencyKey>,
) -> Result<Created, ServiceError> {
    let now = now_millis();
    if let (Db::Sqlite(_, writers, _), None) = (db, key) {
        let mut writer = writers.turn().await?;
        let command = insert_row(&CREATE_AT_ONCE, scope, draft, now)
            .bind(scope.actor_user_id)
            .bind(scope.via.kind())
            .bind(scope.via.token_id());
        let webhook: Webhook = writer
            .whole_transaction(command)
            .await?
            .pop()
            .ok_or(sqlx::Error::RowNotFound)?;
        return Created::new(&webhook);
    }
    let fingerprint = idempotency::fingerprint(draft);
    let created = in_transaction!(db, tx => {
        if let Some(key) = key {
            sqlx::query(idempotency::EXPIRE)
                .bind(now - idempotency::LIFETIME_MS)
                .execute(&mut *tx)
                .await?;
            let claimed = sqlx::query(idempotency::CLAIM)
                .bind(scope.organization_id)
                .bind(key.as_str())
                .bind(&fingerprint)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if claimed == 0 {
                // Someone else's transaction with this key committed first
                // (PostgreSQL waits for it; SQLite runs one at a time).
                let first = sqlx::query_as::<_, idempotency::FirstAnswer>(idempotency::FIRST_ANSWER)
                    .bind(scope.organization_id)
                    .bind(key.as_str())
                    .fetch_one(&mut *tx)
                    .await?;
                return first.replay(&fingerprint);
            }
        }
        let webhook: Webhook = insert_row(&INSERT_ROW, scope, draft, now)
            .fetch_one(&mut *tx)
            .await?;
        history::record(scope, &webhook, Action::Created, "", now)
            .execute(&mut *tx)
            .await?;
        super::count_change(scope, 1).execute(&mut *tx).await?;
        let created = Created::new(&webhook)?;
        if let Some(key) = key {
            sqlx::query(idempotency::SAVE_ANSWER)
                .bind(webhook.id)
                .bind(&created.body)
                .bind(scope.organization_id)
                .bind(key.as_str())
                .execute(&mut *tx)
                .await?;
        }
        created
    });
    Ok(created)
}
