//! Changing webhooks: edits, deletes and bulk actions, all through
//! [`apply`], each webhook's row locked, its version checked against the
//! caller's precondition, and one history entry each.

use super::{
    count_change, history, idempotency, subscriptions, Action, ServiceError, Webhook, WebhookScope,
    LOCK_ROW,
};
use crate::server::clock::now_millis;
use crate::server::db::{params, Db};
use crate::shared::validation::{Field, FieldName, WebhookChanges};

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
#[tracing::instrument(level = "debug", skip_all, fields(organization = scope.organization_id, id = id))]
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
#[tracing::instrument(level = "debug", skip_all, fields(organization = scope.organization_id, ids = ids.len()))]
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
                    let mut fields = changed_fields(&before, &after);
                    if let Some(patterns) = &changes.subscriptions {
                        if subscriptions::replace_in(tx, id, patterns).await? {
                            fields.push(Field::Subscriptions.as_str());
                        }
                    }
                    let fields = fields.join(",");
                    history::record(tx, scope, &after, Action::Updated, &fields, now).await?;
                    after
                }
                Change::Delete => {
                    tx.execute(DELETE_ROW, params![id, scope.organization_id])
                        .await?;
                    history::record(tx, scope, &before, Action::Deleted, "", now).await?;
                    count_change(tx, scope, -1).await?;
                    tx.execute(
                        idempotency::FORGET_WEBHOOK,
                        params![id, scope.organization_id],
                    )
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
