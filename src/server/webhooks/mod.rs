//! The webhook service: every webhook query and rule, for the REST API and
//! the browser admin alike. Callers reach it only through a [`WebhookScope`],
//! which proves the permission checks passed and pins every query to one
//! organization.

pub mod api;
pub mod browse;
mod create;
mod delete;
pub mod history;
pub mod idempotency;
mod list;
mod pagination;
pub mod test_message;

use std::sync::LazyLock;

use serde::Serialize;

pub use create::{create, Created};
pub use delete::delete;
pub use history::{Action, Via};
pub use idempotency::IdempotencyKey;
pub use list::{list, page_for_token, PageAlong};
pub use pagination::{python_int, Page, PageRequest};

use super::accounts::{self, ApiToken, Principal, TokenOwner, TokenPrincipal};
use super::clock::{format_millis, now_millis};
use super::db::{self, params, Db, FromColumns, ReadRow, Tx};
use crate::shared::validation::{Field, SlackUrl, WebhookChanges};

/// Why a principal may not manage webhooks, in the order the checks run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccessDenied {
    Inactive,
    NotSuperuser,
    FeatureDisabled,
}

/// Proof that a caller may manage its organization's webhooks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WebhookScope {
    organization_id: i64,
    actor_user_id: i64,
    /// How the actor reached us, for the history.
    via: Via,
    /// The organization's webhook counter, read with the caller's identity
    /// at the start of this request.
    webhook_count: i64,
}

impl WebhookScope {
    pub fn for_principal(principal: &Principal, via: Via) -> Result<Self, AccessDenied> {
        if !principal.is_active {
            Err(AccessDenied::Inactive)
        } else if !principal.is_superuser {
            Err(AccessDenied::NotSuperuser)
        } else if !principal.webhooks_enabled {
            Err(AccessDenied::FeatureDisabled)
        } else {
            Ok(WebhookScope {
                organization_id: principal.organization_id,
                actor_user_id: principal.user_id,
                via,
                webhook_count: principal.webhook_count,
            })
        }
    }
}

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

/// A stored webhook. Its URL is a credential, redacted in `Debug`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Webhook {
    pub id: i64,
    pub name: String,
    pub url: SlackUrl,
    pub description: String,
    pub active: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Read from `COLUMNS`.
impl FromColumns for Webhook {
    fn read(row: &impl ReadRow) -> Result<Self, db::Error> {
        Ok(Webhook {
            id: row.get("id")?,
            name: row.get("name")?,
            url: SlackUrl::stored(row.get("url")?),
            description: row.get("description")?,
            active: row.get("active")?,
            created_at: row.get("created_at")?,
            updated_at: row.get("updated_at")?,
        })
    }
}

/// A webhook from an outer join: `None` when its id is NULL.
impl FromColumns for Option<Webhook> {
    fn read(row: &impl ReadRow) -> Result<Self, db::Error> {
        match row.get::<Option<i64>>("id")? {
            Some(_) => Webhook::read(row).map(Some),
            None => Ok(None),
        }
    }
}

/// A webhook as the API shows it, fields in the documented order.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = Webhook)]
pub struct WebhookResource<'a> {
    /// Never reused, even after a delete.
    id: i64,
    name: &'a str,
    /// The Slack URL as stored (a credential: keep it secret).
    url: &'a str,
    description: &'a str,
    /// Always `slack`.
    #[schema(pattern = "^slack$")]
    integration_type: &'static str,
    active: bool,
    /// When it was created, UTC with milliseconds.
    #[schema(format = DateTime, example = "2026-11-27T14:03:07.123Z")]
    created: String,
    /// When it was last changed, UTC with milliseconds.
    #[schema(format = DateTime, example = "2026-11-27T14:03:07.123Z")]
    updated: String,
}

impl Webhook {
    /// Changes on every update (`updated` in milliseconds, which every
    /// update moves forward): the API's `ETag`.
    pub fn version(&self) -> i64 {
        self.updated_at
    }

    pub fn masked_url(&self) -> String {
        mask_url(self.url.as_str())
    }

    pub fn resource(&self) -> WebhookResource<'_> {
        WebhookResource {
            id: self.id,
            name: &self.name,
            url: self.url.as_str(),
            description: &self.description,
            integration_type: "slack",
            active: self.active,
            created: format_millis(self.created_at),
            updated: format_millis(self.updated_at),
        }
    }
}

/// One page of an organization's webhooks, ordered by id.
pub type WebhookPage = Page<Webhook>;

/// The URL as lists show it: the host, then for each path part the end of
/// the last one and the first character of the others, never more than half
/// of a part, and at most four characters of the last:
/// `hooks.slack.com/services/T…/B…/••••XXXX`.
pub fn mask_url(url: &str) -> String {
    let Some((host, path)) = url
        .strip_prefix("https://")
        .and_then(|rest| rest.split_once("/services/"))
    else {
        return "••••".to_owned();
    };
    let mut segments = path.trim_end_matches('/').split('/');
    let last = segments
        .next_back()
        .expect("split yields at least one part");
    let mut masked = String::with_capacity(url.len());
    masked.push_str(host);
    masked.push_str("/services/");
    for segment in segments {
        let mut chars = segment.chars();
        if let (Some(first), Some(_)) = (chars.next(), chars.next()) {
            masked.push(first);
        }
        masked.push_str("…/");
    }
    masked.push_str("••••");
    let length = last.chars().count();
    masked.extend(last.chars().skip(length - (length / 2).min(4)));
    masked
}

const COLUMNS: &str = "id, name, url, description, active, created_at, updated_at";

/// Keeps the organization's webhook counter in step, inside the change's
/// own transaction.
async fn count_change(tx: &mut Tx<'_>, scope: WebhookScope, by: i64) -> Result<(), db::Error> {
    static COUNT_CHANGE: LazyLock<String> = LazyLock::new(|| count_change_sql("$1", "$2"));
    tx.execute(&COUNT_CHANGE, params![by, scope.organization_id])
        .await
        .map(drop)
}

/// [`count_change`]'s statement, with SQL expressions for its values.
fn count_change_sql(by: &str, organization_id: &str) -> String {
    format!("UPDATE organizations SET webhook_count = webhook_count + {by} WHERE id = {organization_id}")
}

pub async fn get(db: &Db, scope: WebhookScope, id: i64) -> Result<Webhook, ServiceError> {
    static GET: LazyLock<String> = LazyLock::new(|| {
        format!("SELECT {COLUMNS} FROM webhooks WHERE id = $1 AND organization_id = $2")
    });
    db.read_one(&GET, params![id, scope.organization_id])
        .await?
        .ok_or(ServiceError::NotFound)
}

/// Something read before the permission checks ran (in the token
/// lookup's own query): only a scope of its organization opens it.
pub struct Unchecked<T> {
    organization_id: i64,
    value: T,
}

impl<T> Unchecked<T> {
    pub fn open(self, scope: WebhookScope) -> Result<T, ServiceError> {
        if scope.organization_id != self.organization_id {
            return Err(ServiceError::NotFound);
        }
        Ok(self.value)
    }
}

/// Records the token's use; what rode along stays closed until a scope opens it.
async fn checked_later<T>(
    db: &Db,
    found: Option<(TokenOwner, T)>,
) -> Result<Option<(TokenPrincipal, Unchecked<T>)>, db::Error> {
    let Some((owner, value)) = found else {
        return Ok(None);
    };
    let caller = accounts::token_used(db, owner).await?;
    let organization_id = caller.principal.organization_id;
    Ok(Some((
        caller,
        Unchecked {
            organization_id,
            value,
        },
    )))
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

/// Locks one of the organization's webhooks for the rest of the transaction
/// (a write that changes nothing, so SQLite takes its write lock first) and
/// reads it as it was.
const LOCK_ROW: &str = "UPDATE webhooks SET updated_at = updated_at
     WHERE id = $1 AND organization_id = $2
     RETURNING id, name, url, description, active, created_at, updated_at";

/// Sets only the fields present. `updated` (the version) always moves
/// forward, even for an empty change or two edits within one millisecond.
const EDIT_ROW: &str = "UPDATE webhooks SET
        name = COALESCE($3, name),
        url = COALESCE($4, url),
        description = COALESCE($5, description),
        active = COALESCE($6, active),
        updated_at = CASE WHEN updated_at < $7 THEN $7 ELSE updated_at + 1 END
     WHERE id = $1 AND organization_id = $2
     RETURNING id, name, url, description, active, created_at, updated_at";

const DELETE_ROW: &str = "DELETE FROM webhooks WHERE id = $1 AND organization_id = $2";

/// A change to apply to one or more webhooks.
#[derive(Clone, Copy, Debug)]
pub enum Change<'a> {
    Edit(&'a WebhookChanges),
    Delete,
}

/// Applies only the fields present, so concurrent edits of different
/// fields never undo each other. With a precondition, a webhook changed
/// since the caller read it is left alone.
pub async fn update(
    db: &Db,
    scope: WebhookScope,
    id: i64,
    changes: &WebhookChanges,
    precondition: &Precondition,
) -> Result<Webhook, ServiceError> {
    apply(db, scope, &[id], Change::Edit(changes), precondition)
        .await?
        .pop()
        .ok_or(ServiceError::NotFound)
}

/// Applies `change` to each of `ids` that is one of the organization's
/// webhooks, in one transaction, with one history entry per webhook.
/// Answers the webhooks changed (as they are now; deleted ones as they
/// were), in the order of `ids`.
pub async fn apply(
    db: &Db,
    scope: WebhookScope,
    ids: &[i64],
    change: Change<'_>,
    precondition: &Precondition,
) -> Result<Vec<Webhook>, ServiceError> {
    let now = now_millis();
    db.transaction(async |tx| {
        let mut changed = Vec::with_capacity(ids.len());
        for &id in ids {
            let Some(before) = tx
                .read_one::<Webhook>(LOCK_ROW, params![id, scope.organization_id])
                .await?
            else {
                continue;
            };
            precondition.check(before.version())?;
            let after = match change {
                Change::Edit(changes) => {
                    let after: Webhook = tx
                        .returning(
                            EDIT_ROW,
                            params![
                                id,
                                scope.organization_id,
                                changes.name.as_ref().map(|v| v.as_str()),
                                changes.url.as_ref().map(|v| v.as_str()),
                                changes.description.as_ref().map(|v| v.as_str()),
                                changes.active,
                                now
                            ],
                        )
                        .await?;
                    let fields = changed_fields(&before, &after).join(",");
                    history::record(tx, scope, &after, Action::Updated, &fields, now).await?;
                    after
                }
                Change::Delete => {
                    tx.execute(DELETE_ROW, params![id, scope.organization_id])
                        .await?;
                    history::record(tx, scope, &before, Action::Deleted, "", now).await?;
                    count_change(tx, scope, -1).await?;
                    tx.execute(&FORGET_KEYS, params![id, scope.organization_id])
                        .await?;
                    before
                }
            };
            changed.push(after);
        }
        Ok(changed)
    })
    .await
}

/// A deleted webhook's idempotency keys go with it.
static FORGET_KEYS: LazyLock<String> =
    LazyLock::new(|| idempotency::forget_webhook_sql("$1", "$2"));

/// The names of the fields whose values differ, in the API's field order.
fn changed_fields(before: &Webhook, after: &Webhook) -> Vec<&'static str> {
    [
        (before.name != after.name, Field::Name),
        (before.url != after.url, Field::Url),
        (before.description != after.description, Field::Description),
        (before.active != after.active, Field::Active),
    ]
    .into_iter()
    .filter(|(changed, _)| *changed)
    .map(|(_, field)| field.as_str())
    .collect()
}

/// The versions a change may apply to (`If-Match`): any, or one of a list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Precondition(Option<Vec<i64>>);

impl Precondition {
    /// No condition: the change applies to whatever is stored.
    pub fn none() -> Self {
        Precondition(None)
    }

    /// Applies only to one of these versions (an empty list: to none).
    pub fn one_of(versions: Vec<i64>) -> Self {
        Precondition(Some(versions))
    }

    fn check(&self, current: i64) -> Result<(), ServiceError> {
        match &self.0 {
            Some(versions) if !versions.contains(&current) => Err(ServiceError::Changed),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope_of(organization_id: i64) -> WebhookScope {
        WebhookScope {
            organization_id,
            actor_user_id: 1,
            via: Via::Cli,
            webhook_count: 0,
        }
    }

    #[test]
    fn only_a_scope_of_its_organization_opens_an_unchecked_webhook() {
        let webhook = Webhook {
            id: 7,
            name: "a".to_owned(),
            url: SlackUrl::parse(
                "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
            )
            .unwrap(),
            description: String::new(),
            active: true,
            created_at: 0,
            updated_at: 0,
        };
        let unchecked = |value| Unchecked {
            organization_id: 3,
            value,
        };
        assert!(matches!(
            unchecked(webhook.clone()).open(scope_of(4)),
            Err(ServiceError::NotFound)
        ));
        assert_eq!(
            unchecked(webhook.clone()).open(scope_of(3)).unwrap(),
            webhook
        );
    }

    #[test]
    fn masked_urls_keep_only_initials_and_the_last_four() {
        assert_eq!(
            mask_url(
                "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXabcd"
            ),
            "hooks.slack.com/services/T…/B…/••••abcd"
        );
    }

    #[test]
    fn short_parts_show_at_most_half() {
        assert_eq!(
            mask_url("https://hooks.slack-gov.com/services/Tx/"),
            "hooks.slack-gov.com/services/••••x"
        );
        assert_eq!(
            mask_url("https://hooks.slack.com/services/a/bcdefgh"),
            "hooks.slack.com/services/…/••••fgh"
        );
        assert_eq!(
            mask_url("https://hooks.slack.com/services/T0/B/x"),
            "hooks.slack.com/services/T…/…/••••"
        );
        assert_eq!(mask_url("https://example.com/x"), "••••");
    }
}
