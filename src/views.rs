//! What the server hands the browser pages: shaped for display, shared by
//! both sides. The full Slack URL is not here; it is revealed on request.

use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookRow {
    pub id: i64,
    pub name: String,
    pub masked_url: String,
    pub description: String,
    pub active: bool,
    pub created: Timestamp,
    pub updated: Timestamp,
}

/// A moment as RFC 3339 (for `datetime=`) and as people read it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timestamp {
    pub machine: String,
    pub human: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookList {
    pub count: i64,
    pub page: i64,
    pub num_pages: i64,
    pub page_size: i64,
    pub rows: Vec<WebhookRow>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRow {
    pub id: i64,
    pub prefix: String,
    pub created: Timestamp,
    pub last_used: Option<Timestamp>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tokens {
    pub tokens: Vec<TokenRow>,
    /// A token created just now, shown this once.
    pub fresh_token: Option<Secret>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Me {
    pub email: String,
    /// Why this user may not manage webhooks; `None` when they may.
    pub webhooks_denied: Option<AppError>,
}

/// One webhook for its edit page; the full URL only when asked for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookDetail {
    pub webhook: WebhookRow,
    pub full_url: Option<Secret>,
}

/// A credential on its way between the server and the one page that shows or
/// sends it (a webhook's URL, a new API token, a password): its `Debug` is
/// redacted, so it stays out of logs.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// What a rejected webhook form had, to fill it in again after a reload
/// (forms without JavaScript). The URL is left out: it is a secret and would
/// travel in the page address.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormEcho {
    pub name: String,
    pub description: String,
    pub active: bool,
}

impl FormEcho {
    pub fn new(name: &str, description: &str, active: bool) -> Self {
        FormEcho {
            name: name.to_owned(),
            description: description.to_owned(),
            active,
        }
    }
}

/// What an edit form started from (its hidden `original_*` fields), so the
/// server can tell which fields the user changed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormOriginals {
    pub original_name: String,
    pub original_description: String,
    #[serde(deserialize_with = "bool_or_text")]
    pub original_active: bool,
}

/// A form field arrives as text (`"true"`), and flattened fields do not get
/// the form decoder's own text-to-bool step: take either.
fn bool_or_text<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum BoolOrText {
        Bool(bool),
        Text(String),
    }
    match BoolOrText::deserialize(deserializer)? {
        BoolOrText::Bool(value) => Ok(value),
        BoolOrText::Text(text) => text.parse().map_err(serde::de::Error::custom),
    }
}

impl FormOriginals {
    /// The hidden inputs that carry these values, named as the fields above.
    pub fn hidden_fields(&self) -> [(&'static str, String); 3] {
        [
            ("original_name", self.original_name.clone()),
            ("original_description", self.original_description.clone()),
            ("original_active", self.original_active.to_string()),
        ]
    }
}

/// What the webhook list says after a change; it travels in the list's
/// address (`/webhooks?notice=created`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notice {
    Created,
    Saved,
    Deleted,
}

impl Notice {
    const ALL: [Notice; 3] = [Notice::Created, Notice::Saved, Notice::Deleted];

    fn code(self) -> &'static str {
        match self {
            Notice::Created => "created",
            Notice::Saved => "saved",
            Notice::Deleted => "deleted",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Notice::ALL.into_iter().find(|notice| notice.code() == code)
    }

    pub fn message(self) -> &'static str {
        match self {
            Notice::Created => "Webhook created.",
            Notice::Saved => "Changes saved.",
            Notice::Deleted => "Webhook deleted.",
        }
    }

    /// The webhook list showing this notice.
    pub fn list_href(self) -> String {
        format!("/webhooks?notice={}", self.code())
    }
}

/// Page sizes: the API's default and maximum, and the browser list's choices.
pub const DEFAULT_PAGE_SIZE: i64 = 25;
pub const MAX_PAGE_SIZE: i64 = 100;
pub const PAGE_SIZES: [i64; 4] = [10, DEFAULT_PAGE_SIZE, 50, MAX_PAGE_SIZE];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_round_trip_through_the_address() {
        for notice in Notice::ALL {
            let href = notice.list_href();
            let code = href.strip_prefix("/webhooks?notice=").unwrap();
            assert_eq!(Notice::from_code(code), Some(notice));
        }
        assert_eq!(Notice::from_code("<script>"), None);
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        let detail = format!(
            "{:?}",
            Some(Secret("https://hooks.slack.com/services/T/B/x".into()))
        );
        assert_eq!(detail, "Some(Secret(<redacted>))");
    }

    #[test]
    fn page_sizes_include_the_default_and_stop_at_the_maximum() {
        assert!(PAGE_SIZES.contains(&DEFAULT_PAGE_SIZE));
        assert_eq!(PAGE_SIZES.iter().max(), Some(&MAX_PAGE_SIZE));
    }
}
