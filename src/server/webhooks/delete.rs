//! Deleting one webhook: the row goes, a history entry and the
//! organization's counter follow, in one transaction.

use super::history::{self, Action, RecordValues};
use super::idempotency;
use super::COLUMNS;
use super::{apply, count_change_sql, Change, Precondition, ServiceError, Webhook, WebhookScope};
use crate::server::db::{self, Db, Param, Shareable};

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

/// [`DELETE_SHARED`]'s values.
fn delete_values(scope: WebhookScope, id: i64, now: i64) -> Vec<Param<'static>> {
    vec![
        Param::from(id),
        Param::from(scope.organization_id),
        Param::from(now),
        Param::from(scope.actor_user_id),
        Param::from(scope.via.kind().as_str()),
        Param::from(scope.via.token_id()),
    ]
}

/// Deletes one webhook; answers it as it was.
#[tracing::instrument(level = "debug", skip_all, fields(organization = scope.organization_id, id = id))]
pub async fn delete(
    db: &Db,
    scope: WebhookScope,
    id: i64,
    precondition: &Precondition,
) -> Result<Webhook, ServiceError> {
    if precondition == &Precondition::none() {
        let now = crate::server::clock::now_millis();
        let values = delete_values(scope, id, now);
        if let Some(rows) = db
            .grouped_write::<Option<Webhook>>(&DELETE_SHARED, values)
            .await
        {
            let deleted = rows?
                .into_iter()
                .next()
                .ok_or_else(|| db::Error::decode("the delete returned no row"))?;
            return deleted.ok_or(ServiceError::NotFound);
        }
    }
    apply(db, scope, &[id], Change::Delete, precondition)
        .await?
        .pop()
        .ok_or(ServiceError::NotFound)
}
