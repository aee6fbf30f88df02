//! "Send test message": posts `{"text": …}` to a webhook's Slack URL and
//! reports what Slack answered. At most one per webhook every
//! [`MIN_INTERVAL_MS`], and per organization and overall no more than the
//! [`PER_ORGANIZATION`] and [`OVERALL`] buckets allow, across every instance
//! (a row update and token buckets, in the claim's transaction).

use std::time::Duration;

use serde::Serialize;

use super::{history, Action, ServiceError, Webhook, WebhookScope};
use crate::server::clock::now_millis;
use crate::server::db::{params, read_by_name, Db, Single};
use crate::server::rate_limit::{Bucket, Token};
use crate::server::slack::{self, AnswerKind, Meaning, SlackClient};

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

impl From<AnswerKind> for Delivery {
    fn from(answer: AnswerKind) -> Self {
        Delivery {
            delivered: answer.meaning() == Meaning::Delivered,
            status: answer.status(),
            error: answer.error(),
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
                if let Token::Wait(wait_ms) = bucket.take(tx, key, now).await? {
                    // Returning an error rolls the transaction back: nothing is claimed.
                    let retry_after_secs = Token::whole_seconds(wait_ms);
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
        slack::escape(&webhook.name),
        slack::escape(&sender)
    );
    let message = serde_json::json!({ "text": text }).to_string();
    let answer = slack.post(webhook.url.as_str(), message, TIMEOUT).await;
    Ok(Delivery::from(answer.kind))
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
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(retry_after_secs(1_000, 1_000), 10);
        assert_eq!(retry_after_secs(1_000, 10_500), 1);
        assert_eq!(retry_after_secs(1_000, 2_001), 9);
    }
}
