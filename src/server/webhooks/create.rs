//! Creating a webhook: the row, its history entry and the organization's
//! counter in one transaction; with an `Idempotency-Key`, once per key.

use std::sync::LazyLock;

use sqlx::{Arguments, FromRow};

use super::history::{self, Action, RecordValues};
use super::idempotency::{self, IdempotencyKey};
use super::{count_change_sql, ServiceError, Webhook, WebhookScope, COLUMNS};
use crate::server::clock::now_millis;
use crate::server::db::{in_transaction, Binder, Db, Shareable};
use crate::validation::WebhookDraft;

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
            .map_err(|e| ServiceError::Database(sqlx::Error::Encode(Box::new(e))))?;
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

/// Binds a create's values for [`CREATE_SHARED`].
fn create_values(scope: WebhookScope, draft: &WebhookDraft, now: i64) -> Binder {
    let (name, url, description) = (
        draft.name.as_str().to_owned(),
        draft.url.as_str().to_owned(),
        draft.description.as_str().to_owned(),
    );
    let active = draft.active;
    Box::new(move |arguments| {
        arguments.add(scope.organization_id)?;
        arguments.add(name.clone())?;
        arguments.add(url.clone())?;
        arguments.add(description.clone())?;
        arguments.add(active)?;
        arguments.add(now)?;
        arguments.add(scope.actor_user_id)?;
        arguments.add(scope.via.kind())?;
        arguments.add(scope.via.token_id())
    })
}

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
    if let (Db::Sqlite(_, writers, ..), None) = (db, key) {
        let rows = writers
            .shared(&CREATE_SHARED, create_values(scope, draft, now))
            .await?;
        let row = rows.first().ok_or(sqlx::Error::RowNotFound)?;
        return Created::new(&Webhook::from_row(row)?, false);
    }
    let fingerprint = idempotency::fingerprint(draft);
    let created = in_transaction!(db, tx => {
        if let Some(key) = key {
            let claimed = sqlx::query(idempotency::CLAIM)
                .bind(scope.organization_id)
                .bind(key.as_str())
                .bind(&fingerprint)
                .bind(now)
                .bind(now - idempotency::LIFETIME_MS)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if claimed == 0 {
                // Someone else's transaction with this key committed first
                // (PostgreSQL waits for it; SQLite runs one at a time).
                let first = sqlx::query_as::<_, idempotency::FirstRequest>(idempotency::FIRST_REQUEST)
                    .bind(scope.organization_id)
                    .bind(key.as_str())
                    .fetch_one(&mut *tx)
                    .await?;
                let created = sqlx::query_as::<_, Webhook>(&CREATED_BEFORE)
                    .bind(first.check(&fingerprint)?)
                    .bind(scope.organization_id)
                    .fetch_one(&mut *tx)
                    .await?;
                return Created::new(&created, true);
            }
        }
        let webhook: Webhook = insert_row(&INSERT_ROW, scope, draft, now)
            .fetch_one(&mut *tx)
            .await?;
        history::record(scope, &webhook, Action::Created, "", now)
            .execute(&mut *tx)
            .await?;
        super::count_change(scope, 1).execute(&mut *tx).await?;
        let created = Created::new(&webhook, false)?;
        if let Some(key) = key {
            sqlx::query(idempotency::SAVE_WEBHOOK)
                .bind(webhook.id)
                .bind(scope.organization_id)
                .bind(key.as_str())
                .execute(&mut *tx)
                .await?;
        }
        created
    });
    Ok(created)
}
