//! The webhook service: every webhook query and rule, for the REST API and
//! the browser admin alike. Callers reach it only through a [`WebhookScope`],
//! which proves the permission checks passed and pins every query to one
//! organization.

pub mod api;
mod pagination;

use serde::Serialize;

pub use pagination::{python_int, PageRequest};

use super::accounts::Principal;
use super::clock::{format_millis, now_millis};
use super::db::{in_transaction, on_pool, Db};
use crate::validation::{SlackUrl, WebhookChanges, WebhookDraft};

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
    /// The organization's webhook counter, read with the caller's identity
    /// at the start of this request.
    webhook_count: i64,
}

impl WebhookScope {
    pub fn for_principal(principal: &Principal) -> Result<Self, AccessDenied> {
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
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// A stored webhook. Its URL is a credential, redacted in `Debug`.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Webhook {
    pub id: i64,
    pub name: String,
    pub url: SlackUrl,
    pub description: String,
    pub active: bool,
    pub created_at: i64,
    pub updated_at: i64,
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
#[derive(Debug)]
pub struct WebhookPage {
    pub count: i64,
    pub number: i64,
    pub num_pages: i64,
    pub size: i64,
    pub items: Vec<Webhook>,
}

impl WebhookPage {
    pub fn has_next(&self) -> bool {
        self.number < self.num_pages
    }
    pub fn has_previous(&self) -> bool {
        self.number > 1
    }
}

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
    let segments: Vec<Vec<char>> = path
        .trim_end_matches('/')
        .split('/')
        .map(|segment| segment.chars().collect())
        .collect();
    let (last, leading) = segments
        .split_last()
        .expect("split yields at least one part");
    let mut masked = format!("{host}/services/");
    for segment in leading {
        masked.extend(&segment[..(segment.len() / 2).min(1)]);
        masked.push_str("…/");
    }
    masked.push_str("••••");
    masked.extend(&last[last.len() - (last.len() / 2).min(4)..]);
    masked
}

const COLUMNS: &str = "id, name, url, description, active, created_at, updated_at";

/// One page, in id order. The count is the organization's counter (kept by
/// create and delete), read with the caller's identity; a page in the
/// second half of the list is read from the end backwards, so the last page
/// costs what the first does.
pub async fn list(
    db: &Db,
    scope: WebhookScope,
    request: PageRequest,
) -> Result<WebhookPage, ServiceError> {
    let count = scope.webhook_count;
    let (number, num_pages) = request.resolve(count).ok_or(ServiceError::InvalidPage)?;
    let size = request.size();
    let offset = (number - 1) * size;
    let rows = size.min(count - offset).max(0);
    let from_the_end = offset > count / 2;
    // The organization as a range, ordered as the (organization_id, id)
    // index is: with `organization_id = $1` PostgreSQL's planner may walk the
    // primary key in id order and filter, reading every other organization's
    // rows first (35 ms for a page of 100,000 behind 200,000 others).
    let (order, skip) = if from_the_end {
        ("organization_id DESC, id DESC", count - offset - rows)
    } else {
        ("organization_id, id", offset)
    };
    let limit = if from_the_end { rows } else { size };
    let packed: String = match db {
        Db::Sqlite(pool) => {
            sqlx::query_scalar(&format!(
                "SELECT json_group_array(json_array({COLUMNS}) ORDER BY id)
             FROM (SELECT {COLUMNS} FROM webhooks WHERE organization_id >= $1 AND organization_id <= $1
                   ORDER BY {order} LIMIT $2 OFFSET $3)"
            ))
            .bind(scope.organization_id)
            .bind(limit)
            .bind(skip)
            .fetch_one(pool)
            .await?
        }
        Db::Postgres(pool) => {
            sqlx::query_scalar(&format!(
                "SELECT COALESCE(json_agg(json_build_array({COLUMNS}) ORDER BY id), '[]')::text
             FROM (SELECT {COLUMNS} FROM webhooks WHERE organization_id >= $1 AND organization_id <= $1
                   ORDER BY {order} LIMIT $2 OFFSET $3) page"
            ))
            .bind(scope.organization_id)
            .bind(limit)
            .bind(skip)
            .fetch_one(pool)
            .await?
        }
    };
    let items = unpack(&packed)?;
    Ok(WebhookPage {
        count,
        number,
        num_pages,
        size,
        items,
    })
}

/// A page's webhooks arrive as one JSON array (the one query written per
/// dialect: `json_group_array` / `json_agg`): one value to hand over instead
/// of a row per webhook, which sqlx's SQLite driver passes between threads
/// one at a time.
#[derive(serde::Deserialize)]
struct PackedWebhook(i64, String, SlackUrl, String, StoredBool, i64, i64);

/// SQLite's JSON has 0/1 for a boolean column; PostgreSQL's true/false.
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum StoredBool {
    Bool(bool),
    Number(i64),
}

fn unpack(packed: &str) -> Result<Vec<Webhook>, ServiceError> {
    let rows: Vec<PackedWebhook> = serde_json::from_str(packed)
        .map_err(|e| ServiceError::Database(sqlx::Error::Decode(Box::new(e))))?;
    Ok(rows
        .into_iter()
        .map(
            |PackedWebhook(id, name, url, description, active, created_at, updated_at)| Webhook {
                id,
                name,
                url,
                description,
                active: match active {
                    StoredBool::Bool(b) => b,
                    StoredBool::Number(n) => n != 0,
                },
                created_at,
                updated_at,
            },
        )
        .collect())
}

/// Keeps the organization's webhook counter in step, inside the change's
/// own transaction.
fn count_change<'q, DB>(
    scope: WebhookScope,
    by: i64,
) -> sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments<'q>>
where
    DB: sqlx::Database,
    i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    sqlx::query("UPDATE organizations SET webhook_count = webhook_count + $1 WHERE id = $2")
        .bind(by)
        .bind(scope.organization_id)
}

pub async fn get(db: &Db, scope: WebhookScope, id: i64) -> Result<Webhook, ServiceError> {
    on_pool!(db, pool => sqlx::query_as::<_, Webhook>(&format!(
        "SELECT {COLUMNS} FROM webhooks WHERE id = $1 AND organization_id = $2"
    ))
    .bind(id)
    .bind(scope.organization_id)
    .fetch_optional(pool)
    .await?)
    .ok_or(ServiceError::NotFound)
}

pub async fn create(
    db: &Db,
    scope: WebhookScope,
    draft: &WebhookDraft,
) -> Result<Webhook, ServiceError> {
    let now = now_millis();
    let webhook = in_transaction!(db, tx => {
        let webhook = sqlx::query_as::<_, Webhook>(&format!(
            "INSERT INTO webhooks (organization_id, name, url, description, active, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING {COLUMNS}"
        ))
        .bind(scope.organization_id)
        .bind(draft.name.as_str())
        .bind(draft.url.as_str())
        .bind(draft.description.as_str())
        .bind(draft.active)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        audit_entry(scope, webhook.id, "created", "name,url,description,active", now)
            .execute(&mut *tx)
            .await?;
        count_change(scope, 1).execute(&mut *tx).await?;
        webhook
    });
    Ok(webhook)
}

/// Applies only the fields present, in one statement, so concurrent edits of
/// different fields never undo each other. `updated` always moves forward,
/// even for an empty change or two edits within one millisecond.
pub async fn update(
    db: &Db,
    scope: WebhookScope,
    id: i64,
    changes: &WebhookChanges,
) -> Result<Webhook, ServiceError> {
    let now = now_millis();
    let fields = changes.field_names().join(",");
    let webhook = in_transaction!(db, tx => {
        let webhook = sqlx::query_as::<_, Webhook>(&format!(
            "UPDATE webhooks SET
                name = COALESCE($3, name),
                url = COALESCE($4, url),
                description = COALESCE($5, description),
                active = COALESCE($6, active),
                updated_at = CASE WHEN updated_at < $7 THEN $7 ELSE updated_at + 1 END
             WHERE id = $1 AND organization_id = $2
             RETURNING {COLUMNS}"
        ))
        .bind(id)
        .bind(scope.organization_id)
        .bind(changes.name.as_ref().map(|v| v.as_str()))
        .bind(changes.url.as_ref().map(|v| v.as_str()))
        .bind(changes.description.as_ref().map(|v| v.as_str()))
        .bind(changes.active)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(webhook) = &webhook {
            audit_entry(scope, webhook.id, "updated", &fields, now)
                .execute(&mut *tx)
                .await?;
        }
        webhook
    });
    webhook.ok_or(ServiceError::NotFound)
}

pub async fn delete(db: &Db, scope: WebhookScope, id: i64) -> Result<(), ServiceError> {
    let now = now_millis();
    let deleted = in_transaction!(db, tx => {
        let deleted = sqlx::query("DELETE FROM webhooks WHERE id = $1 AND organization_id = $2")
            .bind(id)
            .bind(scope.organization_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if deleted > 0 {
            audit_entry(scope, id, "deleted", "", now)
                .execute(&mut *tx)
                .await?;
            count_change(scope, -1).execute(&mut *tx).await?;
        }
        deleted
    });
    if deleted == 0 {
        return Err(ServiceError::NotFound);
    }
    Ok(())
}

/// The audit-trail entry for a change, to execute inside the change's own
/// transaction: the change and its record commit together or not at all.
fn audit_entry<'q, DB>(
    scope: WebhookScope,
    webhook_id: i64,
    action: &'q str,
    fields: &'q str,
    at: i64,
) -> sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments<'q>>
where
    DB: sqlx::Database,
    i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    sqlx::query(
        "INSERT INTO webhook_audit (organization_id, webhook_id, actor_user_id, action, fields, at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(scope.organization_id)
    .bind(webhook_id)
    .bind(scope.actor_user_id)
    .bind(action)
    .bind(fields)
    .bind(at)
}

/// One entry of the audit trail.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditEntry {
    pub webhook_id: i64,
    pub actor_user_id: Option<i64>,
    pub action: String,
    pub fields: String,
    pub at: i64,
}

/// The organization's audit trail, oldest first.
pub async fn audit_trail(db: &Db, scope: WebhookScope) -> Result<Vec<AuditEntry>, ServiceError> {
    Ok(on_pool!(db, pool => sqlx::query_as::<_, AuditEntry>(
        "SELECT webhook_id, actor_user_id, action, fields, at FROM webhook_audit
         WHERE organization_id = $1 ORDER BY id",
    )
    .bind(scope.organization_id)
    .fetch_all(pool)
    .await?))
}

#[cfg(test)]
mod tests {
    use super::mask_url;

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
