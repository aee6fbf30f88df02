//! What the server hands the browser pages: shaped for display, shared by
//! both sides. The full Slack URL is not here; it is revealed on request.

use serde::{Deserialize, Serialize};

use crate::validation::FieldErrors;

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
    pub fresh_token: Option<String>,
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
    pub full_url: Option<String>,
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

/// What an edit form started from (hidden fields `original_*`), so the
/// server can tell which fields the user changed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Loaded {
    pub original_name: String,
    pub original_description: String,
    /// `"true"` or `"false"`.
    pub original_active: String,
}

/// The error of every server function the pages call.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Please sign in to continue.")]
    NotSignedIn,
    #[error("You need super user rights to manage webhooks.")]
    NotSuperuser,
    #[error("The Webhooks feature is not enabled for your organization.")]
    FeatureDisabled,
    #[error("Not found.")]
    NotFound,
    #[error("Please correct the highlighted fields.")]
    Invalid(FieldErrors, FormEcho),
    #[error("Wrong email or password.")]
    BadCredentials,
    #[error("Too many failed sign-in attempts. Try again in {0} seconds.")]
    TooManyAttempts(i64),
    #[error("Something went wrong on our side. Please try again.")]
    Server,
    #[error("The server could not be reached: {0}")]
    ServerFn(leptos::server_fn::error::ServerFnErrorErr),
}

impl leptos::server_fn::error::FromServerFnError for AppError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        AppError::ServerFn(value)
    }
}
