//! Posting an event: the outbox write, once per `Idempotency-Key`. A key is
//! claimed in the event's own transaction, so two requests with one key
//! store one event; a repeat with the same request answers that event, a
//! repeat with another is refused. Keys are kept a day.

use serde::Serialize;
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};

use super::outbox::{self, Queued};
use crate::server::db::{self, params, read_by_name, Db, Single};
use crate::server::webhooks::idempotency::{IdempotencyKey, LIFETIME_MS};
use crate::shared::validation::event::{validate_event, EventDraft, EventField, EventInput};
use crate::shared::validation::FieldErrors;

/// What became of a posted event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Posted {
    pub queued: Queued,
    /// A repeat of a key's first request: nothing new was stored.
    pub replayed: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum PostError {
    #[error("idempotency key reused for another event")]
    KeyReused,
    #[error("database error")]
    Database(#[from] db::Error),
}

/// The message as it is posted to each webhook.
#[derive(Serialize)]
struct Message<'a> {
    text: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    blocks: Option<&'a RawValue>,
}

/// An event as it arrived (the REST API's body, or the command line's),
/// checked by the shared rules: its type and text, and the message to post
/// (JSON, the blocks as given).
pub fn prepare(
    input: &EventInput,
    blocks: Option<&RawValue>,
) -> Result<(EventDraft, String), FieldErrors<EventField>> {
    let draft = validate_event(input)?;
    let message = Message {
        text: &draft.text,
        blocks,
    };
    // Text and JSON already parsed: nothing here can fail to serialize.
    let message = serde_json::to_string(&message).expect("a message serializes");
    Ok((draft, message))
}

/// Takes the key (one past its day is taken over); no row changes when it
/// is held already.
const CLAIM: &str = "INSERT INTO event_keys
        (organization_id, idempotency_key, request_hash, event_id, created_at)
     VALUES ($1, $2, $3, 0, $4)
     ON CONFLICT (organization_id, idempotency_key) DO UPDATE
     SET request_hash = excluded.request_hash, event_id = 0, created_at = excluded.created_at
     WHERE event_keys.created_at < $5";

struct FirstRequest {
    request_hash: String,
    event_id: i64,
}

read_by_name!(FirstRequest {
    request_hash,
    event_id
});

/// What identifies an event's request: its type and its message as sent.
fn fingerprint(kind: &str, message: &str) -> String {
    let mut hash = Sha256::new();
    for part in [kind, message] {
        hash.update((part.len() as u64).to_be_bytes());
        hash.update(part.as_bytes());
    }
    hex::encode(hash.finalize())
}

/// Stores the event of `kind` carrying `message` and queues its
/// deliveries, or, for a key's repeat, answers the first request's event.
pub async fn post(
    db: &Db,
    organization_id: i64,
    kind: &str,
    message: &str,
    key: Option<&IdempotencyKey>,
    now: i64,
) -> Result<Posted, PostError> {
    let Some(key) = key else {
        let queued = outbox::enqueue_alone(db, organization_id, kind, message, now).await?;
        return Ok(Posted {
            queued,
            replayed: false,
        });
    };
    let hash = fingerprint(kind, message);
    db.transaction(async |tx| {
        let values = params![
            organization_id,
            key.as_str(),
            hash.as_str(),
            now,
            now - LIFETIME_MS
        ];
        if tx.execute(CLAIM, values).await? == 0 {
            let first: FirstRequest = tx
                .returning(
                    "SELECT request_hash, event_id FROM event_keys
                     WHERE organization_id = $1 AND idempotency_key = $2",
                    params![organization_id, key.as_str()],
                )
                .await?;
            if first.request_hash != hash {
                return Err(PostError::KeyReused);
            }
            let Single(deliveries): Single<i64> = tx
                .returning(
                    "SELECT COUNT(*) FROM deliveries WHERE event_id = $1",
                    params![first.event_id],
                )
                .await?;
            let queued = Queued {
                event_id: first.event_id,
                deliveries: deliveries as u64,
            };
            return Ok(Posted {
                queued,
                replayed: true,
            });
        }
        let queued = outbox::enqueue(tx, organization_id, kind, message, now, None).await?;
        tx.execute(
            "UPDATE event_keys SET event_id = $3 WHERE organization_id = $1 AND idempotency_key = $2",
            params![organization_id, key.as_str(), queued.event_id],
        )
        .await?;
        Ok(Posted {
            queued,
            replayed: false,
        })
    })
    .await
}

/// Forgets the keys past their day (the periodic sweep).
pub async fn expire_keys(db: &Db, now: i64) -> Result<u64, db::Error> {
    db.execute(
        "DELETE FROM event_keys WHERE created_at < $1",
        params![now - LIFETIME_MS],
    )
    .await
}
