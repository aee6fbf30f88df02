//! Deleting one webhook: the row goes, a history entry and the
//! organization's counter follow, in one transaction.

use sqlx::{Arguments, FromRow, Row};

use super::history::{self, Action, RecordValues};
use super::idempotency;
use super::COLUMNS;
use super::{apply, count_change_sql, Change, Precondition, ServiceError, Webhook, WebhookScope};
use crate::server::db::{Binder, Db, Shareable};

/// SQLite, without `If-Match`: a delete shares its transaction, and its one
/// command to the writer's thread, with the other writes of its kind
/// waiting, as creates do ([`crate::server::db::WriteQueue::shared`]).
/// Values: the id, the organization, now, the actor, the actor's kind and
/// the token id. Its one row is the webhook as it was, or NULLs when the
/// organization has no such webhook (then nothing is written).
static DELETE_SHARED: Shareable = Shareable {
    statements: |first| {
        let p = |k: usize| format!("${}", first + k);
        let (id, organization) = (p(0), p(1));
        let here = format!("id = {id} AND organization_id = {organization}");
        let record = history::record_sql(&RecordValues {
            organization_id: &organization,
            webhook_id: "id",
            webhook_name: "name",
            actor_user_id: &p(3),
            actor_kind: &p(4),
            token_id: &p(5),
            action: &format!("'{}'", Action::Deleted.as_str()),
            fields: "''",
            at: &p(2),
            from: &format!("FROM webhooks WHERE {here}"),
        });
        let count = count_change_sql(
            &format!("-(SELECT COUNT(*) FROM webhooks WHERE {here})"),
            &organization,
        );
        let keys = idempotency::forget_webhook_sql(&id, &organization);
        format!(
            "SELECT {COLUMNS} FROM (SELECT 1) LEFT JOIN webhooks ON {here};
             {record}; {count}; {keys}; DELETE FROM webhooks WHERE {here}"
        )
    },
    parameters: 6,
    rows: 1,
};

/// Binds a delete's values for [`DELETE_SHARED`].
fn delete_values(scope: WebhookScope, id: i64, now: i64) -> Binder {
    Box::new(move |arguments| {
        arguments.add(id)?;
        arguments.add(scope.organization_id)?;
        arguments.add(now)?;
        arguments.add(scope.actor_user_id)?;
        arguments.add(scope.via.kind())?;
        arguments.add(scope.via.token_id())
    })
}

/// Deletes one webhook; answers it as it was.
pub async fn delete(
    db: &Db,
    scope: WebhookScope,
    id: i64,
    precondition: &Precondition,
) -> Result<Webhook, ServiceError> {
    if let (Db::Sqlite(_, writers, ..), Precondition(None)) = (db, precondition) {
        let now = crate::server::clock::now_millis();
        let rows = writers
            .shared(&DELETE_SHARED, delete_values(scope, id, now))
            .await?;
        let row = rows.first().ok_or(sqlx::Error::RowNotFound)?;
        if row.try_get::<Option<i64>, _>("id")?.is_none() {
            return Err(ServiceError::NotFound);
        }
        return Ok(Webhook::from_row(row)?);
    }
    apply(db, scope, &[id], Change::Delete, precondition)
        .await?
        .pop()
        .ok_or(ServiceError::NotFound)
}
