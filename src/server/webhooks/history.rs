//! The history of every webhook: who created, changed (which fields, never
//! the values), deleted, revealed or tested it, how they reached us, and
//! when. Each entry is written in the transaction of the change it records.

use serde::Serialize;

use super::{read_page, PageRequest, ServiceError, Webhook, WebhookScope};
use crate::server::clock::format_millis;
use crate::server::db::{self, params, Db, FromColumns, ReadRow, Tx};
use crate::server::webhooks::Page;

/// How the actor reached us.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    /// A signed-in browser session.
    Browser,
    /// An API token, by its row id (its prefix goes into the history).
    ApiToken { token_id: i64 },
    /// The admin command line, acting as a user.
    Cli,
}

/// How an actor reached us, as the history records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActorKind {
    Browser,
    ApiToken,
    Cli,
    /// The delivery engine, acting on Slack's answers.
    Delivery,
}

impl ActorKind {
    const ALL: [ActorKind; 4] = [
        ActorKind::Browser,
        ActorKind::ApiToken,
        ActorKind::Cli,
        ActorKind::Delivery,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::Browser => "browser",
            ActorKind::ApiToken => "api token",
            ActorKind::Cli => "cli",
            ActorKind::Delivery => "delivery",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == text)
    }
}

impl Via {
    pub(super) fn kind(self) -> ActorKind {
        match self {
            Via::Browser => ActorKind::Browser,
            Via::ApiToken { .. } => ActorKind::ApiToken,
            Via::Cli => ActorKind::Cli,
        }
    }

    pub(super) fn token_id(self) -> Option<i64> {
        match self {
            Via::Browser | Via::Cli => None,
            Via::ApiToken { token_id } => Some(token_id),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Created,
    Updated,
    Deleted,
    UrlRevealed,
    TestSent,
    /// The delivery engine turned the webhook off.
    Deactivated,
}

impl Action {
    const ALL: [Action; 6] = [
        Action::Created,
        Action::Updated,
        Action::Deleted,
        Action::UrlRevealed,
        Action::TestSent,
        Action::Deactivated,
    ];

    fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|action| action.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Created => "created",
            Action::Updated => "updated",
            Action::Deleted => "deleted",
            Action::UrlRevealed => "url_revealed",
            Action::TestSent => "test_sent",
            Action::Deactivated => "deactivated",
        }
    }
}

/// Records `action` on `webhook` (as it is after the change, or as it was
/// before a delete) inside the change's own transaction: the change and its
/// record commit together or not at all. The actor's email and token prefix
/// are copied as they are now.
pub(super) async fn record(
    tx: &mut Tx<'_>,
    scope: WebhookScope,
    webhook: &Webhook,
    action: Action,
    fields: &str,
    at: i64,
) -> Result<(), db::Error> {
    let values = params![
        scope.organization_id,
        webhook.id,
        webhook.name.as_str(),
        scope.actor_user_id,
        scope.via.kind().as_str(),
        scope.via.token_id(),
        action.as_str(),
        fields,
        at
    ];
    tx.execute(RECORD, values).await.map(drop)
}

/// Records that the delivery engine turned a webhook off, and why.
pub(crate) async fn record_deactivation(
    tx: &mut Tx<'_>,
    organization_id: i64,
    webhook_id: i64,
    webhook_name: &str,
    reason: &str,
    at: i64,
) -> Result<(), db::Error> {
    tx.execute(
        "INSERT INTO webhook_audit (organization_id, webhook_id, webhook_name, actor_user_id,
             actor_email, actor_kind, token_prefix, action, fields, at, reason)
         VALUES ($1, $2, $3, NULL, '', $4, NULL, $5, '', $6, $7)",
        params![
            organization_id,
            webhook_id,
            webhook_name,
            ActorKind::Delivery.as_str(),
            Action::Deactivated.as_str(),
            at,
            reason
        ],
    )
    .await
    .map(drop)
}

/// A history entry: organization, webhook, its name, the actor and their
/// kind, the token, the action, the fields, when. The actor's email and the
/// token's prefix are copied as they are now.
const RECORD: &str = "INSERT INTO webhook_audit (organization_id, webhook_id, webhook_name,
         actor_user_id, actor_email, actor_kind, token_prefix, action, fields, at)
     VALUES ($1, $2, $3, $4, (SELECT email FROM users WHERE id = $4), $5,
             (SELECT prefix FROM api_tokens WHERE id = $6), $7, $8, $9)";

/// One recorded action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryEntry {
    pub id: i64,
    pub webhook_id: i64,
    /// The webhook's name at the time.
    pub webhook_name: String,
    pub action: Action,
    /// Changed field names, comma-separated (empty but for updates).
    pub fields: String,
    pub actor_email: String,
    /// `None` for entries recorded before actor kinds were.
    pub actor_kind: Option<ActorKind>,
    pub token_prefix: Option<String>,
    pub at: i64,
    /// Why the delivery engine turned the webhook off (Slack's answer).
    pub reason: Option<String>,
}

impl FromColumns for HistoryEntry {
    fn read(row: &impl ReadRow) -> Result<Self, db::Error> {
        let action: String = row.get("action")?;
        let actor_kind: Option<String> = row.get("actor_kind")?;
        let unknown =
            |what: &str, text: &str| db::Error::decode(format!("unknown {what} {text:?}"));
        Ok(HistoryEntry {
            id: row.get("id")?,
            webhook_id: row.get("webhook_id")?,
            webhook_name: row.get("webhook_name")?,
            action: Action::parse(&action).ok_or_else(|| unknown("action", &action))?,
            fields: row.get("fields")?,
            actor_email: row.get("actor_email")?,
            actor_kind: actor_kind
                .map(|kind| ActorKind::parse(&kind).ok_or_else(|| unknown("actor kind", &kind)))
                .transpose()?,
            token_prefix: row.get("token_prefix")?,
            at: row.get("at")?,
            reason: row.get("reason")?,
        })
    }
}

/// A history entry as the API shows it.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = HistoryEntry)]
pub struct HistoryResource<'a> {
    id: i64,
    /// `created`, `updated`, `deleted`, `url_revealed`, `test_sent` or
    /// `deactivated` (by the delivery engine).
    #[schema(example = "updated")]
    action: &'a str,
    /// The fields an update changed (never their values), `subscriptions`
    /// when its event types did; empty otherwise.
    #[schema(example = json!(["name", "active"]))]
    fields: Vec<&'a str>,
    /// The acting user's email at the time; empty for the delivery engine.
    #[schema(example = "admin@example.com")]
    actor: &'a str,
    /// `browser`, `api token`, `cli` or `delivery`; null for entries older
    /// than this field.
    #[schema(example = "api token")]
    actor_kind: Option<&'a str>,
    /// The first characters of the API token used, when one was.
    token_prefix: Option<&'a str>,
    /// When, UTC with milliseconds.
    #[schema(format = DateTime, example = "2026-11-27T14:03:07.123Z")]
    at: String,
    /// Why the delivery engine turned the webhook off: Slack's answer.
    /// Only on `deactivated` entries.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "channel_is_archived")]
    reason: Option<&'a str>,
}

/// An organization's event: a history entry and its webhook.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = WebhookEvent)]
pub struct EventResource<'a> {
    /// The webhook's id (it may have been deleted since).
    webhook_id: i64,
    /// The webhook's name when this happened.
    webhook_name: &'a str,
    #[serde(flatten)]
    entry: HistoryResource<'a>,
}

impl HistoryEntry {
    pub fn resource(&self) -> HistoryResource<'_> {
        HistoryResource {
            id: self.id,
            action: self.action.as_str(),
            fields: self.field_names().collect(),
            actor: &self.actor_email,
            actor_kind: self.actor_kind.map(ActorKind::as_str),
            token_prefix: self.token_prefix.as_deref(),
            at: format_millis(self.at),
            reason: self.reason.as_deref(),
        }
    }

    pub fn event(&self) -> EventResource<'_> {
        EventResource {
            webhook_id: self.webhook_id,
            webhook_name: &self.webhook_name,
            entry: self.resource(),
        }
    }

    pub fn field_names(&self) -> impl Iterator<Item = &str> {
        self.fields.split(',').filter(|f| !f.is_empty())
    }
}

const HISTORY_COLUMNS: &str = "id, webhook_id, webhook_name, action, fields, actor_email,
     actor_kind, token_prefix, at, reason";

/// Which history to read.
#[derive(Clone, Copy, Debug)]
pub enum Scope {
    /// One webhook's (it must still exist).
    Webhook(i64),
    /// The whole organization's, deleted webhooks included.
    Organization,
}

/// One page of history, newest first.
#[tracing::instrument(level = "debug", skip_all, fields(organization = scope.organization_id))]
pub async fn page(
    db: &Db,
    scope: WebhookScope,
    of: Scope,
    request: PageRequest,
) -> Result<Page<HistoryEntry>, ServiceError> {
    // Each filter matches an index: (webhook_id, id) or (organization_id, id).
    let (filter, webhook_id) = match of {
        Scope::Webhook(id) => {
            super::get(db, scope, id).await?;
            ("webhook_id = $2 AND organization_id = $1", id)
        }
        Scope::Organization => ("organization_id = $1 AND $2 = $2", 0),
    };
    read_page(
        db,
        request,
        &format!("SELECT COUNT(*) FROM webhook_audit WHERE {filter}"),
        &format!("SELECT {HISTORY_COLUMNS} FROM webhook_audit WHERE {filter} ORDER BY id DESC"),
        params![scope.organization_id, webhook_id],
    )
    .await
}
