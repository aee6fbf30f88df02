//! Reading webhooks: one by id, one along with the token lookup, and one
//! with its URL shown to a person (recorded in its history).

use std::sync::LazyLock;

use super::{
    checked_later, history, Action, ServiceError, Unchecked, Webhook, WebhookScope, COLUMNS,
    LOCK_ROW,
};
use crate::server::accounts::{self, ApiToken, TokenPrincipal};
use crate::server::clock::now_millis;
use crate::server::db::{self, params, Db};

#[tracing::instrument(level = "debug", skip_all, fields(organization = scope.organization_id, id = id))]
pub async fn get(db: &Db, scope: WebhookScope, id: i64) -> Result<Webhook, ServiceError> {
    static GET: LazyLock<String> = LazyLock::new(|| {
        format!("SELECT {COLUMNS} FROM webhooks WHERE id = $1 AND organization_id = $2")
    });
    db.read_one(&GET, params![id, scope.organization_id])
        .await?
        .ok_or(ServiceError::NotFound)
}
/// The token lookup and webhook `id` of the owner's organization, in one
/// query: a REST read is one round trip to the database instead of two.
/// `None` when no such token exists.
pub async fn get_for_token(
    db: &Db,
    token: &ApiToken,
    id: i64,
) -> Result<Option<(TokenPrincipal, Unchecked<Option<Webhook>>)>, db::Error> {
    static LOOKUP_AND_GET: LazyLock<String> = LazyLock::new(|| {
        let columns: String = COLUMNS.split(", ").map(|c| format!(", w.{c}")).collect();
        accounts::token_lookup(
            &columns,
            "LEFT JOIN webhooks w ON w.id = $2 AND w.organization_id = u.organization_id",
        )
    });
    let digest = token.digest();
    let found = db.read_one(&LOOKUP_AND_GET, params![digest, id]).await?;
    checked_later(db, found).await
}
/// One webhook with its URL shown to a person: the reveal is recorded.
#[tracing::instrument(level = "debug", skip_all, fields(organization = scope.organization_id, id = id))]
pub async fn reveal(db: &Db, scope: WebhookScope, id: i64) -> Result<Webhook, ServiceError> {
    let now = now_millis();
    db.transaction(async |tx| {
        let webhook: Webhook = tx
            .read_one(LOCK_ROW, params![id, scope.organization_id])
            .await?
            .ok_or(ServiceError::NotFound)?;
        history::record(tx, scope, &webhook, Action::UrlRevealed, "", now).await?;
        Ok(webhook)
    })
    .await
}
