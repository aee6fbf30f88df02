//! The webhook service: every webhook query and rule, for the REST API, the
//! browser admin and the command line alike. Callers reach it only through a
//! [`WebhookScope`], which proves the permission checks passed and pins
//! every query to one organization.

pub mod api;
mod apply;
pub mod browse;
mod create;
mod delete;
pub mod history;
pub mod idempotency;
mod list;
mod model;
mod pagination;
mod read;
mod scope;
pub mod search_index;
pub mod subscriptions;
pub mod test_message;

pub use apply::{apply, update, Change, Precondition};
pub use create::{create, Created};
pub use delete::delete;
pub use history::{Action, Via};
pub use idempotency::IdempotencyKey;
pub use list::{list, page_for_token, PageAlong};
pub use model::{mask_url, Webhook, WebhookPage, WebhookResource};
use model::{COLUMNS, LOCK_ROW};
pub use pagination::{python_int, read_page, Page, PageRequest};
pub use read::{get, get_for_token, reveal};
use scope::checked_later;
pub use scope::{AccessDenied, Unchecked, WebhookScope};

use super::db::{self, params, Tx};

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// No such webhook in the caller's organization.
    #[error("no such webhook")]
    NotFound,
    /// The page asked for does not exist.
    #[error("no such page")]
    InvalidPage,
    /// The webhook's version is not the one the caller expected.
    #[error("changed since it was read")]
    Changed,
    /// The same `Idempotency-Key` came with another request.
    #[error("idempotency key reused for another request")]
    KeyReused,
    /// A test message was sent moments ago.
    #[error("test message sent too recently")]
    TestTooSoon { retry_after_secs: i64 },
    /// The organization, or everyone together, sent too many test messages.
    #[error("too many test messages")]
    TestsThrottled { retry_after_secs: i64 },
    #[error("database error")]
    Database(#[from] db::Error),
}

/// Keeps the organization's webhook counter in step, inside the change's
/// own transaction.
async fn count_change(tx: &mut Tx<'_>, scope: WebhookScope, by: i64) -> Result<(), db::Error> {
    tx.execute(
        "UPDATE organizations SET webhook_count = webhook_count + $1 WHERE id = $2",
        params![by, scope.organization_id],
    )
    .await
    .map(drop)
}
