//! "Send test message": posts `{"text": …}` to a webhook's Slack URL and
//! reports what Slack answered. At most one per webhook every
//! [`MIN_INTERVAL_MS`], and per organization and overall no more than the
//! [`PER_ORGANIZATION`] and [`OVERALL`] buckets allow, across every instance
//! (a row update and token buckets, in the claim's transaction).

use std::time::Duration;

use serde::Serialize;

use super::{history, Action, ServiceError, Webhook, WebhookScope};
use crate::server::causes::with_causes;
use crate::server::clock::now_millis;
use crate::server::db::{params, read_by_name, Db, Single};
use crate::server::rate_limit::{Bucket, Token};
use crate::shared::validation::is_slack_webhook_url;

pub const MIN_INTERVAL_MS: i64 = 10_000;
/// One organization's test messages: 20 at once, then one every 3 s.
pub const PER_ORGANIZATION: Bucket = Bucket {
    name: "test_messages_per_organization",
    capacity: 20.0,
    per_second: 1.0 / 3.0,
};
/// Every organization's together: 100 at once, then 5 a second.
pub const OVERALL: Bucket = Bucket {
    name: "test_messages",
    capacity: 100.0,
    per_second: 5.0,
};
const TIMEOUT: Duration = Duration::from_secs(5);
/// The most of an error answer that is read.
const MAX_ERROR_BODY_BYTES: usize = 4 * 1024;
/// The longest error text passed on from Slack.
const MAX_ERROR_CHARS: usize = 300;

/// Sends test messages: rustls, https only, no redirects, a 5 s timeout.
#[derive(Clone, Debug)]
pub struct SlackClient {
    http: reqwest::Client,
    /// Test-only: send to this origin instead of the URL's own
    /// (`SLACK_BASE_URL`, a loopback address), keeping the URL's path.
    base_url: Option<String>,
}

impl SlackClient {
    pub fn new(base_url: Option<String>) -> Self {
        // Several clients may be built in one process (tests); the first
        // provider installed wins, which is this same one.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .https_only(base_url.is_none())
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

    /// Posts `text` to `url` if it still passes the Slack URL rule (the
    /// rule may have tightened since the URL was stored).
    async fn post(&self, url: &str, text: &str) -> Delivery {
        if !is_slack_webhook_url(url) {
            return Delivery::failed(None, NOT_A_SLACK_URL);
        }
        let body = serde_json::json!({ "text": text }).to_string();
        let sent = self
            .http
            .post(self.target(url))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await;
        match sent {
            Ok(response) if response.status().is_success() => Delivery {
                delivered: true,
                status: Some(response.status().as_u16()),
                error: None,
            },
            Ok(response) => {
                let status = response.status();
                let answer = read_at_most(response, MAX_ERROR_BODY_BYTES).await;
                let answer = String::from_utf8_lossy(&answer);
                let reason = if answer.trim().is_empty() {
                    status.canonical_reason().unwrap_or("no answer")
                } else {
                    &answer
                };
                Delivery::failed(Some(status.as_u16()), &one_line(reason))
            }
            Err(error) => {
                // Without the URL: it is a credential.
                let error = error.without_url();
                tracing::warn!(error = %with_causes(&error), "a test message got no answer");
                Delivery::failed(None, no_answer_reason(&error))
            }
        }
    }
}

const NOT_A_SLACK_URL: &str =
    "the stored URL does not pass the Slack URL rule, so nothing was sent (give the webhook a new URL)";

/// At most `limit` bytes of a response's body.
async fn read_at_most(mut response: reqwest::Response, limit: usize) -> Vec<u8> {
    let mut body = Vec::new();
    while body.len() < limit {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let room = limit - body.len();
                body.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            Ok(None) | Err(_) => break,
        }
    }
    body
}

/// Why no answer came, in a few fixed words; the details go to the log.
fn no_answer_reason(error: &reqwest::Error) -> &'static str {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(cause) = source {
        if cause.downcast_ref::<rustls::Error>().is_some() {
            return "the secure connection failed";
        }
        if cause.to_string().contains("dns error") {
            return "the address could not be looked up";
        }
        source = cause.source();
    }
    if error.is_timeout() {
        "no answer in time"
    } else if error.is_connect() {
        "the connection failed"
    } else {
        "the request failed"
    }
}

fn one_line(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(MAX_ERROR_CHARS) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    }
}

/// Text as Slack shows it literally: `&`, `<` and `>` are its control
/// characters (`<!channel>`, `<https://x|y>`), so they are escaped.
fn slack_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// What happened to a test message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Delivery {
    /// Slack accepted it (a 2xx answer).
    pub delivered: bool,
    /// Slack's HTTP status; null when no answer came.
    pub status: Option<u16>,
    /// Slack's answer (at most 300 characters, on one line), or why no
    /// answer came, in a few fixed words (details in the server's log).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Delivery {
    fn failed(status: Option<u16>, why: &str) -> Self {
        Delivery {
            delivered: false,
            status,
            error: Some(why.to_owned()),
        }
    }
}

/// Claims the webhook's test slot and a token of its organization's and
/// the overall allowance, and records `test_sent`, in one transaction;
/// then sends.
#[tracing::instrument(level = "debug", skip_all, fields(organization = scope.organization_id, id = id))]
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
    let (webhook, Single(sender)) = db
        .transaction(async |tx| {
            let claimed: Option<Webhook> = tx
                .read_one(
                    "UPDATE webhooks SET last_test_at = $3
                     WHERE id = $1 AND organization_id = $2
                       AND (last_test_at IS NULL OR last_test_at <= $3 - $4 OR last_test_at > $3 + $4)
                     RETURNING id, name, url, description, active, created_at, updated_at",
                    params![id, scope.organization_id, now, MIN_INTERVAL_MS],
                )
                .await?;
            let Some(webhook) = claimed else {
                let last: Option<LastTest> = tx
                    .read_one(
                        "SELECT last_test_at FROM webhooks WHERE id = $1 AND organization_id = $2",
                        params![id, scope.organization_id],
                    )
                    .await?;
                return Err(match last {
                    None => ServiceError::NotFound,
                    Some(last) => ServiceError::TestTooSoon {
                        retry_after_secs: retry_after_secs(last.last_test_at.unwrap_or(now), now),
                    },
                });
            };
            for (bucket, key) in [(PER_ORGANIZATION, scope.organization_id), (OVERALL, 0)] {
                if let Token::Wait(retry_after_secs) = bucket.take(tx, key, now).await? {
                    // Returning an error rolls the transaction back: nothing is claimed.
                    return Err(ServiceError::TestsThrottled { retry_after_secs });
                }
            }
            history::record(tx, scope, &webhook, Action::TestSent, "", now).await?;
            let sender: Single<String> = tx
                .returning("SELECT email FROM users WHERE id = $1", params![scope.actor_user_id])
                .await?;
            Ok((webhook, sender))
        })
        .await?;
    let text = format!(
        "Test message from webhook-admin: the webhook “{}” posts to this channel. Sent by {}.",
        slack_escape(&webhook.name),
        slack_escape(&sender)
    );
    Ok(slack.post(webhook.url.as_str(), &text).await)
}

/// When the webhook's last test was sent.
struct LastTest {
    last_test_at: Option<i64>,
}

read_by_name!(LastTest { last_test_at });

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
    fn slacks_control_characters_are_escaped() {
        assert_eq!(
            slack_escape("<!channel> & <https://x.example|y>"),
            "&lt;!channel&gt; &amp; &lt;https://x.example|y&gt;"
        );
        assert_eq!(slack_escape("&amp;"), "&amp;amp;");
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(retry_after_secs(1_000, 1_000), 10);
        assert_eq!(retry_after_secs(1_000, 10_500), 1);
        assert_eq!(retry_after_secs(1_000, 2_001), 9);
    }
}
