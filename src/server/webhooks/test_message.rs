//! "Send test message": posts `{"text": …}` to a webhook's Slack URL and
//! reports what Slack answered. At most one per webhook every
//! [`MIN_INTERVAL_MS`], across every instance (the claim is a row update).

use std::time::Duration;

use serde::Serialize;

use super::{history, Action, ServiceError, Webhook, WebhookScope};
use crate::server::clock::now_millis;
use crate::server::db::{in_transaction, Db};

pub const MIN_INTERVAL_MS: i64 = 10_000;
const TIMEOUT: Duration = Duration::from_secs(5);
/// The longest error text passed on from Slack or the network.
const MAX_ERROR_CHARS: usize = 300;

/// Sends test messages: rustls, no redirects, a 5 s timeout.
#[derive(Clone, Debug)]
pub struct SlackClient {
    http: reqwest::Client,
    /// Test-only: send to this origin instead of the URL's own
    /// (`SLACK_BASE_URL`), keeping the URL's path.
    base_url: Option<String>,
}

impl SlackClient {
    pub fn new(base_url: Option<String>) -> Self {
        // Several clients may be built in one process (tests); the first
        // provider installed wins, which is this same one.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(TIMEOUT)
            .connect_timeout(TIMEOUT)
            .user_agent(concat!("webhook-admin/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("the HTTP client's fixed settings are valid");
        SlackClient {
            http,
            base_url: base_url.map(|b| b.trim_end_matches('/').to_owned()),
        }
    }

    fn target(&self, url: &str) -> String {
        match (&self.base_url, url.split_once("://")) {
            (Some(base), Some((_, rest))) => {
                let path = rest.find('/').map_or("/", |i| &rest[i..]);
                format!("{base}{path}")
            }
            _ => url.to_owned(),
        }
    }

    async fn post(&self, url: &str, text: &str) -> Delivery {
        let body = serde_json::json!({ "text": text }).to_string();
        let sent = self
            .http
            .post(self.target(url))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await;
        match sent {
            Ok(response) => {
                let status = response.status();
                if status.is_success() {
                    return Delivery {
                        delivered: true,
                        status: Some(status.as_u16()),
                        error: None,
                    };
                }
                let answer = response.text().await.unwrap_or_default();
                let reason = if answer.trim().is_empty() {
                    status.canonical_reason().unwrap_or("no answer").to_owned()
                } else {
                    answer
                };
                Delivery {
                    delivered: false,
                    status: Some(status.as_u16()),
                    error: Some(one_line(&reason)),
                }
            }
            // Without the URL: it is a credential.
            Err(error) => Delivery {
                delivered: false,
                status: None,
                error: Some(one_line(&describe(&error.without_url()))),
            },
        }
    }
}

/// The error and its causes, as one sentence.
fn describe(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn one_line(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(MAX_ERROR_CHARS) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    }
}

/// What happened to a test message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Delivery {
    /// Slack accepted it (a 2xx answer).
    pub delivered: bool,
    /// Slack's HTTP status; null when no answer came.
    pub status: Option<u16>,
    /// Slack's answer or the network error, on one line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Claims the webhook's test slot and records `test_sent`, in one
/// transaction; then sends.
pub async fn send(
    db: &Db,
    slack: &SlackClient,
    scope: WebhookScope,
    id: i64,
) -> Result<Delivery, ServiceError> {
    let now = now_millis();
    // A claim more than an interval ahead of `now` is from a clock that
    // has since been set back: it does not hold the slot. (Concurrent
    // requests' clocks differ by far less.)
    let (webhook, sender) = in_transaction!(db, tx => {
        let claimed = sqlx::query_as::<_, Webhook>(
            "UPDATE webhooks SET last_test_at = $3
             WHERE id = $1 AND organization_id = $2
               AND (last_test_at IS NULL OR last_test_at <= $3 - $4 OR last_test_at > $3 + $4)
             RETURNING id, name, url, description, active, created_at, updated_at",
        )
        .bind(id)
        .bind(scope.organization_id)
        .bind(now)
        .bind(MIN_INTERVAL_MS)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(webhook) = claimed else {
            let last: Option<Option<i64>> = sqlx::query_scalar(
                "SELECT last_test_at FROM webhooks WHERE id = $1 AND organization_id = $2",
            )
            .bind(id)
            .bind(scope.organization_id)
            .fetch_optional(&mut *tx)
            .await?;
            return Err(match last {
                None => ServiceError::NotFound,
                Some(last) => ServiceError::TestTooSoon {
                    retry_after_secs: retry_after_secs(last.unwrap_or(now), now),
                },
            });
        };
        history::record(scope, &webhook, Action::TestSent, "", now)
            .execute(&mut *tx)
            .await?;
        let sender: String = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
            .bind(scope.actor_user_id)
            .fetch_one(&mut *tx)
            .await?;
        (webhook, sender)
    });
    let text = format!(
        "Test message from webhook-admin: the webhook “{}” posts to this channel. Sent by {}.",
        webhook.name, sender
    );
    Ok(slack.post(webhook.url.as_str(), &text).await)
}

/// Whole seconds until the next test may be sent (at least 1).
fn retry_after_secs(last: i64, now: i64) -> i64 {
    let wait_ms = (last + MIN_INTERVAL_MS - now).max(0);
    ((wait_ms + 999) / 1000).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_base_url_replaces_only_the_origin() {
        let slack = SlackClient::new(Some("http://127.0.0.1:9/".to_owned()));
        assert_eq!(
            slack.target("https://hooks.slack.com/services/T0/B0/x"),
            "http://127.0.0.1:9/services/T0/B0/x"
        );
        let real = SlackClient::new(None);
        assert_eq!(
            real.target("https://hooks.slack.com/services/T0/B0/x"),
            "https://hooks.slack.com/services/T0/B0/x"
        );
    }

    #[test]
    fn errors_are_one_short_line() {
        assert_eq!(one_line("invalid_token\n  extra "), "invalid_token extra");
        let long = "x".repeat(400);
        assert_eq!(one_line(&long).chars().count(), MAX_ERROR_CHARS + 1);
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(retry_after_secs(1_000, 1_000), 10);
        assert_eq!(retry_after_secs(1_000, 10_500), 1);
        assert_eq!(retry_after_secs(1_000, 2_001), 9);
    }
}
