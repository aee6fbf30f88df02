//! Deleting one webhook: the row goes, a history entry and the
//! organization's counter follow, in one transaction.

use super::{apply, Change, Precondition, ServiceError, Webhook, WebhookScope};
use crate::server::db::Db;

/// Deletes one webhook; answers it as it was.
#[tracing::instrument(level = "debug", skip_all, fields(organization = scope.organization_id, id = id))]
pub async fn delete(
    db: &Db,
    scope: WebhookScope,
    id: i64,
    precondition: &Precondition,
) -> Result<Webhook, ServiceError> {
    apply(db, scope, &[id], Change::Delete, precondition)
        .await?
        .pop()
        .ok_or(ServiceError::NotFound)
}
