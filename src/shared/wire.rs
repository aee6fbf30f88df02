//! What the server functions hand the browser pages: shaped for display,
//! shared by both sides. The full Slack URL is not here; it is revealed on
//! request (as a [`Secret`]).

use serde::{Deserialize, Serialize};

use super::error::AppError;
use super::forms::Secret;
use super::list_query::ListQuery;

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
    /// The rows' webhooks the delivery engine turned off, holding messages
    /// until someone chooses what becomes of them.
    pub turned_off: Vec<i64>,
    /// The search, filter and order this page was made with.
    pub query: ListQuery,
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

/// A delivery as a webhook's page lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryRow {
    pub id: i64,
    pub event_type: String,
    /// `waiting`, `delivered`, `dead` or `held`.
    pub status: String,
    pub attempts: i64,
    pub created: Timestamp,
    /// Slack's last answer in plain words ("" before the first attempt).
    pub answer: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryList {
    pub count: i64,
    pub page: i64,
    pub num_pages: i64,
    pub rows: Vec<DeliveryRow>,
    /// The filters applied ("": any).
    pub status: String,
    pub event_type: String,
}

/// One request made for a delivery, as its page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttemptRow {
    pub at: Timestamp,
    pub duration_ms: i64,
    pub http_status: Option<i64>,
    /// Slack's answer in plain words.
    pub answer: String,
}

/// A delivery's own page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryDetail {
    pub webhook_id: i64,
    pub webhook_name: String,
    pub webhook_active: bool,
    pub id: i64,
    pub event_type: String,
    pub status: String,
    pub created: Timestamp,
    pub next_attempt: Option<Timestamp>,
    pub attempts: Vec<AttemptRow>,
    /// The message as it is posted, indented.
    pub message: String,
}

/// One hour of an organization's delivery attempts, by what Slack's
/// answer did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HourOfAttempts {
    /// When the hour begins.
    pub start: Timestamp,
    pub delivered: i64,
    /// Failed, or Slack asked to slow down: tried again.
    pub retried: i64,
    /// Refused for good: the message was given up.
    pub dead: i64,
    /// Slack refused the webhook: it was turned off, its messages held.
    pub held: i64,
}

/// The health page's filter, as its address has it (a value that is not
/// one is no filter): a webhook's id, a series (`delivered`, `retried`,
/// `dead`, `held`), an event type, a day (`YYYY-MM-DD`, UTC).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthFilter {
    pub webhook: Option<i64>,
    pub status: String,
    pub event_type: String,
    pub day: String,
}

impl HealthFilter {
    pub fn is_empty(&self) -> bool {
        *self == HealthFilter::default()
    }
}

/// The organization's delivery health page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryHealth {
    /// What it was asked for, as the filter form shows it again.
    pub filter: HealthFilter,
    /// The webhooks the filter offers: id, name.
    pub webhooks: Vec<(i64, String)>,
    /// The day's 24 hours (or the last 24), oldest first.
    pub hours: Vec<HourOfAttempts>,
    /// The webhooks with the most failed attempts in that time: id, name,
    /// failures.
    pub failing: Vec<(i64, String, i64)>,
    /// Deliveries waiting to be sent, and the oldest of them (its webhook's
    /// id and name, and since when).
    pub waiting: i64,
    pub oldest_waiting: Option<(i64, String, Timestamp)>,
}

/// What a webhook's page says about its held deliveries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldDeliveries {
    pub active: bool,
    pub count: i64,
    /// Why (in words) and when the engine turned it off, when that is the
    /// last thing that happened to it.
    pub turned_off: Option<(String, Timestamp)>,
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
    /// The event types it receives, sorted; empty: every type.
    pub subscriptions: Vec<String>,
}
