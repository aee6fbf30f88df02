//! What a send came to, recorded in the transaction that also picks the
//! queue's next step: the attempt, then by Slack's answer — delivered;
//! paused for its `Retry-After`; retried on the schedule (dead when it runs
//! out); dead at once (a message Slack will never take); or the webhook
//! turned off, its waiting deliveries held and the organization told.

use std::time::Duration;

use rand::Rng;

use super::queue::{hold_waiting, Send};
use super::{outbox, Settings, Status};
use crate::server::clock::format_millis;
use crate::server::db::{self, params, Single, Tx};
use crate::server::slack::{self, Answer, Meaning};
use crate::server::webhooks::history;

/// The event the organization's other webhooks receive when one is turned off.
pub const DEACTIVATED: &str = "webhook.deactivated";

const INSERT_ATTEMPT: &str = "INSERT INTO delivery_attempts
         (delivery_id, at, duration_ms, outcome, http_status, error)
     VALUES ($1, $2, $3, $4, $5, $6)";

/// The attempt's outcome as recorded.
fn outcome_name(meaning: Meaning) -> &'static str {
    match meaning {
        Meaning::Delivered => "delivered",
        Meaning::SlowDown(_) => "rate_limited",
        Meaning::Retry => "failed",
        Meaning::Reject => "rejected",
        Meaning::Gone => "gone",
    }
}

/// Records `answer` to `sent`, made at `now` minus the time it took; true
/// when it turned the webhook off.
pub(super) async fn record(
    tx: &mut Tx<'_>,
    sent: &Send,
    answer: &Answer,
    settings: &Settings,
    now: i64,
) -> Result<bool, db::Error> {
    let meaning = answer.kind.meaning();
    let took_ms = answer.took.as_millis() as i64;
    let failed = !matches!(meaning, Meaning::Delivered | Meaning::SlowDown(_));
    let (status, next_attempt_at) = match meaning {
        Meaning::Delivered => (Status::Delivered, None),
        Meaning::SlowDown(_) | Meaning::Gone => (Status::Waiting, Some(now)),
        Meaning::Reject => (Status::Dead, None),
        Meaning::Retry => match settings.retry_delays.get(sent.failures as usize) {
            Some(delay) => (Status::Waiting, Some(now + jittered_ms(*delay))),
            None => (Status::Dead, None),
        },
    };
    let still_there = tx
        .execute(
            "UPDATE deliveries SET status = $2, next_attempt_at = $3, attempts = attempts + 1,
                 failures = failures + $4, updated_at = $5
             WHERE id = $1",
            params![
                sent.delivery_id,
                status.as_str(),
                next_attempt_at,
                i64::from(failed),
                now
            ],
        )
        .await?;
    if still_there == 0 {
        // Its webhook was deleted while it was in flight: nothing to record.
        return Ok(false);
    }
    tx.execute(
        INSERT_ATTEMPT,
        params![
            sent.delivery_id,
            now - took_ms,
            took_ms,
            outcome_name(meaning),
            answer.kind.status().map(i64::from),
            answer.kind.error()
        ],
    )
    .await?;

    match meaning {
        Meaning::Delivered if sent.failing => {
            tx.execute(
                "UPDATE delivery_queues SET failing_since = NULL WHERE webhook_id = $1",
                params![sent.webhook_id],
            )
            .await?;
        }
        Meaning::Delivered => {}
        Meaning::SlowDown(wait) => {
            tx.execute(
                "UPDATE delivery_queues SET not_before = $2 WHERE webhook_id = $1",
                params![sent.webhook_id, now + wait.as_millis() as i64],
            )
            .await?;
        }
        Meaning::Gone => {
            let reason = answer.kind.error().unwrap_or_default();
            return deactivate(tx, sent, &reason, now).await;
        }
        Meaning::Retry => {
            let Single(since): Single<i64> = tx
                .returning(
                    "UPDATE delivery_queues SET failing_since = COALESCE(failing_since, $2)
                     WHERE webhook_id = $1 RETURNING failing_since",
                    params![sent.webhook_id, now],
                )
                .await?;
            if now - since >= settings.give_up_after.as_millis() as i64 {
                let reason = format!(
                    "no message was delivered since {} (last answer: {})",
                    format_millis(since),
                    answer.kind.error().unwrap_or_default()
                );
                return deactivate(tx, sent, &reason, now).await;
            }
        }
        // A message Slack will never take says nothing about the webhook.
        Meaning::Reject => {}
    }
    Ok(false)
}

/// `delay`, stretched or shrunk by up to a fifth at random.
fn jittered_ms(delay: Duration) -> i64 {
    let ms = delay.as_millis() as f64;
    (ms * rand::rng().random_range(0.8..=1.2)).round() as i64
}

/// Turns the webhook off for `reason`: its waiting deliveries are held, its
/// history says why, and the organization's other active webhooks receive a
/// [`DEACTIVATED`] event; false when it was off already.
async fn deactivate(
    tx: &mut Tx<'_>,
    sent: &Send,
    reason: &str,
    now: i64,
) -> Result<bool, db::Error> {
    let turned_off = tx
        .execute(
            "UPDATE webhooks SET active = FALSE, updated_at = $2 WHERE id = $1 AND active",
            params![sent.webhook_id, now],
        )
        .await?;
    hold_waiting(tx, sent.webhook_id, now).await?;
    tx.execute(
        "UPDATE delivery_queues SET failing_since = NULL WHERE webhook_id = $1",
        params![sent.webhook_id],
    )
    .await?;
    if turned_off == 0 {
        return Ok(false);
    }
    history::record_deactivation(
        tx,
        sent.organization_id,
        sent.webhook_id,
        &sent.webhook_name,
        reason,
        now,
    )
    .await?;
    let text = format!(
        "webhook-admin turned off the webhook “{}”: {}. Its waiting messages are held until \
         someone turns it back on.",
        slack::escape(&sent.webhook_name),
        slack::escape(reason)
    );
    let message = serde_json::json!({ "text": text }).to_string();
    outbox::enqueue(
        tx,
        sent.organization_id,
        DEACTIVATED,
        &message,
        now,
        Some(sent.webhook_id),
    )
    .await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_stays_within_a_fifth() {
        for _ in 0..1_000 {
            let ms = jittered_ms(Duration::from_secs(10));
            assert!((8_000..=12_000).contains(&ms), "{ms}");
        }
        assert_eq!(jittered_ms(Duration::ZERO), 0);
    }
}
