//! A webhook as stored, and as the API shows it.

use serde::Serialize;

use super::Page;
use crate::server::clock::format_millis;
use crate::server::db::{self, FromColumns, ReadRow};
use crate::shared::validation::SlackUrl;

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
pub(super) const COLUMNS: &str = "id, name, url, description, active, created_at, updated_at";

/// Locks one of the organization's webhooks for the rest of the transaction
/// (a write that changes nothing, so SQLite takes its write lock first) and
/// reads it as it was.
pub(super) const LOCK_ROW: &str = "UPDATE webhooks SET updated_at = updated_at
     WHERE id = $1 AND organization_id = $2
     RETURNING id, name, url, description, active, created_at, updated_at";

#[cfg(test)]
mod tests {
    use super::*;

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
