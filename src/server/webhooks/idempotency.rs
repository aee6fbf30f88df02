//! Idempotent create: an `Idempotency-Key` is kept for a day, per
//! organization, with the webhook it created, and a repeat of the same
//! request gets that webhook again (as it is now). The key is claimed in the
//! create's own transaction, so two requests with one key create one
//! webhook. A key holds the webhook's id, never its URL, and goes with the
//! webhook; the sweep removes keys past their day.

use sha2::{Digest, Sha256};

use super::ServiceError;
use crate::server::db::{self, params, read_by_name, Db};
use crate::shared::validation::WebhookDraft;

/// How long a key's first answer is kept.
pub const LIFETIME_MS: i64 = 24 * 3600 * 1000;

/// 1 to 255 printable ASCII characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub const MAX_LEN: usize = 255;

    pub fn parse(raw: &[u8]) -> Option<Self> {
        let printable = raw.iter().all(|b| (0x20..=0x7e).contains(b));
        (printable && (1..=Self::MAX_LEN).contains(&raw.len()))
            .then(|| IdempotencyKey(String::from_utf8_lossy(raw).into_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What identifies a create request: its validated fields (so the same
/// webhook sent with other spacing or key order is the same request).
pub(super) fn fingerprint(draft: &WebhookDraft) -> String {
    let mut hash = Sha256::new();
    for part in [
        draft.name.as_str(),
        draft.url.as_str(),
        draft.description.as_str(),
        if draft.active { "1" } else { "0" },
    ]
    .into_iter()
    // Only the admin's form sends event types: a REST create's hash is
    // what it always was.
    .chain(draft.subscriptions.iter().map(String::as_str))
    {
        hash.update((part.len() as u64).to_be_bytes());
        hash.update(part.as_bytes());
    }
    hex::encode(hash.finalize())
}

/// Forgets every key created before `$1` (the sweep; uses the `created_at`
/// index).
const EXPIRE: &str = "DELETE FROM idempotency_keys WHERE created_at < $1";

/// Takes the key for this request (`$5`: keys created before it have
/// expired and are taken over); no row changes when it is held already.
pub(super) const CLAIM: &str = "INSERT INTO idempotency_keys
        (organization_id, idempotency_key, request_hash, webhook_id, created_at)
     VALUES ($1, $2, $3, 0, $4)
     ON CONFLICT (organization_id, idempotency_key) DO UPDATE
     SET request_hash = excluded.request_hash, webhook_id = 0, created_at = excluded.created_at
     WHERE idempotency_keys.created_at < $5";

pub(super) const SAVE_WEBHOOK: &str = "UPDATE idempotency_keys SET webhook_id = $1
     WHERE organization_id = $2 AND idempotency_key = $3";

pub(super) const FIRST_REQUEST: &str = "SELECT request_hash, webhook_id
     FROM idempotency_keys WHERE organization_id = $1 AND idempotency_key = $2";

/// What a held key remembers of the request that took it.
pub(super) struct FirstRequest {
    request_hash: String,
    pub(super) webhook_id: i64,
}

read_by_name!(FirstRequest {
    request_hash,
    webhook_id
});

impl FirstRequest {
    /// The webhook to answer a repeat with, or why not.
    pub(super) fn check(&self, fingerprint: &str) -> Result<i64, ServiceError> {
        if self.request_hash != fingerprint {
            return Err(ServiceError::KeyReused);
        }
        Ok(self.webhook_id)
    }
}

/// Forgets the keys that created the webhook `$1` of the organization
/// `$2`, when it is deleted.
pub(super) const FORGET_WEBHOOK: &str =
    "DELETE FROM idempotency_keys WHERE organization_id = $2 AND webhook_id = $1";

/// Forgets the keys past their day (the periodic sweep).
pub async fn expire(db: &Db, now: i64) -> Result<u64, db::Error> {
    db.execute(EXPIRE, params![now - LIFETIME_MS]).await
}

#[cfg(test)]
mod tests {
    use super::IdempotencyKey;

    #[test]
    fn keys_are_1_to_255_printable_ascii_characters() {
        assert!(IdempotencyKey::parse(b"a").is_some());
        assert!(IdempotencyKey::parse(b" ~!x-42 ").is_some());
        assert!(IdempotencyKey::parse(&[b'k'; 255]).is_some());
        assert!(IdempotencyKey::parse(&[b'k'; 256]).is_none());
        assert!(IdempotencyKey::parse(b"").is_none());
        assert!(IdempotencyKey::parse(b"tab\there").is_none());
        assert!(IdempotencyKey::parse("caf\u{e9}".as_bytes()).is_none());
    }
}
