//! What the server hands the browser pages: shaped for display, shared by
//! both sides. The full Slack URL is not here; it is revealed on request.

use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookRow {
    pub id: i64,
    /// Changes on every save (the API's `ETag`).
    pub version: i64,
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
    /// The search, filter and order this page was made with.
    pub query: ListQuery,
}

/// Which webhooks the browser list shows and in what order: kept in the
/// address (`/webhooks?q=&status=&sort=&dir=`) and in every link the list
/// makes. The REST list ignores all of this (the contract has none of it).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListQuery {
    /// Part of the name or description, any case; trimmed, at most 100 characters.
    pub search: String,
    /// `Some(true)`: active ones only; `Some(false)`: inactive ones only.
    pub active: Option<bool>,
    pub sort: SortKey,
    pub descending: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SortKey {
    /// The API's order: by id, oldest first.
    #[default]
    Id,
    Name,
    Created,
    Updated,
}

impl SortKey {
    pub const COLUMNS: [SortKey; 3] = [SortKey::Name, SortKey::Created, SortKey::Updated];

    pub fn code(self) -> &'static str {
        match self {
            SortKey::Id => "",
            SortKey::Name => "name",
            SortKey::Created => "created",
            SortKey::Updated => "updated",
        }
    }
}

impl ListQuery {
    pub const MAX_SEARCH_CHARS: usize = 100;

    /// From the address's raw values; anything unknown is the default, and
    /// control characters are no part of a search (a NUL would reach the
    /// database's text search).
    pub fn from_params(
        search: Option<&str>,
        status: Option<&str>,
        sort: Option<&str>,
        dir: Option<&str>,
    ) -> Self {
        let search: String = search
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_control())
            .collect::<String>()
            .trim()
            .chars()
            .take(Self::MAX_SEARCH_CHARS)
            .collect();
        let active = match status {
            Some("active") => Some(true),
            Some("inactive") => Some(false),
            _ => None,
        };
        let sort = [SortKey::Name, SortKey::Created, SortKey::Updated]
            .into_iter()
            .find(|key| Some(key.code()) == sort)
            .unwrap_or_default();
        ListQuery {
            search: search.trim().to_owned(),
            active,
            sort,
            descending: dir == Some("desc"),
        }
    }

    pub fn status_code(&self) -> &'static str {
        match self.active {
            None => "",
            Some(true) => "active",
            Some(false) => "inactive",
        }
    }

    /// The list's address with this query and `page`/`page_size`; only
    /// values that differ from the defaults appear.
    pub fn href(&self, page: i64, page_size: i64) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if !self.search.is_empty() {
            pairs.push(("q", self.search.clone()));
        }
        if self.active.is_some() {
            pairs.push(("status", self.status_code().to_owned()));
        }
        if self.sort != SortKey::Id {
            pairs.push(("sort", self.sort.code().to_owned()));
        }
        if self.descending {
            pairs.push(("dir", "desc".to_owned()));
        }
        if page != 1 {
            pairs.push(("page", page.to_string()));
        }
        if page_size != DEFAULT_PAGE_SIZE {
            pairs.push(("page_size", page_size.to_string()));
        }
        let query: Vec<String> = pairs
            .iter()
            .map(|(key, value)| format!("{key}={}", quote_plus(value)))
            .collect();
        if query.is_empty() {
            "/webhooks".to_owned()
        } else {
            format!("/webhooks?{}", query.join("&"))
        }
    }

    /// Ordered by `key`: the other direction when it already is, else ascending.
    pub fn sorted_by(&self, key: SortKey) -> ListQuery {
        ListQuery {
            sort: key,
            descending: self.sort == key && !self.descending,
            ..self.clone()
        }
    }

    pub fn is_filtered(&self) -> bool {
        !self.search.is_empty() || self.active.is_some()
    }
}

/// Python's `quote_plus` (as the API's page links use it, and fine for any
/// address): letters, digits and `_.-~` stay; space is `+`; every other byte
/// of the UTF-8 text is `%XX`.
pub fn quote_plus(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'.' | b'-' | b'~' => {
                out.push(byte as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// One entry of a webhook's history or the organization's activity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryRow {
    pub id: i64,
    pub webhook_id: i64,
    /// The webhook's name at the time.
    pub webhook_name: String,
    /// What happened, as a sentence ("Changed name, active").
    pub what: String,
    pub actor: String,
    /// How: "browser", "API token 1a2b3c4d…", or "" when not recorded.
    pub via: String,
    pub at: Timestamp,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryList {
    pub count: i64,
    pub page: i64,
    pub num_pages: i64,
    pub rows: Vec<HistoryRow>,
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
    /// The webhook's version when the form was loaded.
    #[serde(deserialize_with = "number_or_text")]
    pub original_version: i64,
}

/// As `bool_or_text`, for a number.
fn number_or_text<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum NumberOrText {
        Number(i64),
        Text(String),
    }
    match NumberOrText::deserialize(deserializer)? {
        NumberOrText::Number(value) => Ok(value),
        NumberOrText::Text(text) => text.parse().map_err(serde::de::Error::custom),
    }
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
    pub fn hidden_fields(&self) -> [(&'static str, String); 4] {
        [
            ("original_name", self.original_name.clone()),
            ("original_description", self.original_description.clone()),
            ("original_active", self.original_active.to_string()),
            ("original_version", self.original_version.to_string()),
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
    /// On the webhook's own page: Slack took the test message.
    TestDelivered,
    /// After a bulk action, with how many webhooks it changed.
    Activated,
    Deactivated,
    DeletedMany,
    /// A bulk action with no row selected.
    NothingSelected,
}

impl Notice {
    const ALL: [Notice; 8] = [
        Notice::Created,
        Notice::Saved,
        Notice::Deleted,
        Notice::TestDelivered,
        Notice::Activated,
        Notice::Deactivated,
        Notice::DeletedMany,
        Notice::NothingSelected,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Notice::Created => "created",
            Notice::Saved => "saved",
            Notice::Deleted => "deleted",
            Notice::TestDelivered => "tested",
            Notice::Activated => "activated",
            Notice::Deactivated => "deactivated",
            Notice::DeletedMany => "deleted_many",
            Notice::NothingSelected => "none_selected",
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
            Notice::TestDelivered => "Test message delivered: Slack accepted it.",
            Notice::Activated => "Webhooks activated.",
            Notice::Deactivated => "Webhooks deactivated.",
            Notice::DeletedMany => "Webhooks deleted.",
            Notice::NothingSelected => "Select one or more webhooks first.",
        }
    }

    /// The message for a bulk action that changed `count` webhooks.
    pub fn counted(self, count: i64) -> String {
        let noun = if count == 1 { "webhook" } else { "webhooks" };
        match self {
            Notice::Activated => format!("{count} {noun} activated."),
            Notice::Deactivated => format!("{count} {noun} deactivated."),
            Notice::DeletedMany => format!("{count} {noun} deleted."),
            other => other.message().to_owned(),
        }
    }

    /// A webhook's page showing this notice.
    pub fn webhook_href(self, id: i64) -> String {
        format!("/webhooks/{id}?notice={}", self.code())
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
            assert_eq!(
                notice.webhook_href(7),
                notice.list_href().replace("/webhooks?", "/webhooks/7?")
            );
            let href = notice.list_href();
            let code = href.strip_prefix("/webhooks?notice=").unwrap();
            assert_eq!(Notice::from_code(code), Some(notice));
        }
        assert_eq!(Notice::from_code("<script>"), None);
    }

    #[test]
    fn list_queries_round_trip_through_the_address() {
        let query = ListQuery::from_params(
            Some("  Ops & alerts ü "),
            Some("inactive"),
            Some("name"),
            Some("desc"),
        );
        assert_eq!(query.search, "Ops & alerts ü");
        assert_eq!(query.active, Some(false));
        assert_eq!(
            query.href(2, 50),
            "/webhooks?q=Ops+%26+alerts+%C3%BC&status=inactive&sort=name&dir=desc&page=2&page_size=50"
        );
        assert_eq!(ListQuery::default().href(1, DEFAULT_PAGE_SIZE), "/webhooks");
        let junk = ListQuery::from_params(None, Some("maybe"), Some("url"), Some("up"));
        assert_eq!(junk, ListQuery::default());
        let long = "x".repeat(300);
        assert_eq!(
            ListQuery::from_params(Some(&long), None, None, None)
                .search
                .len(),
            ListQuery::MAX_SEARCH_CHARS
        );
    }

    #[test]
    fn sorting_by_the_same_column_again_reverses_it() {
        let by_name = ListQuery::default().sorted_by(SortKey::Name);
        assert_eq!((by_name.sort, by_name.descending), (SortKey::Name, false));
        let reversed = by_name.sorted_by(SortKey::Name);
        assert!(reversed.descending);
        assert!(!reversed.sorted_by(SortKey::Created).descending);
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
