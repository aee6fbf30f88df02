//! Idempotent create: the first answer to an `Idempotency-Key` is kept for a
//! day, per organization, and a repeat of the same request gets it again.
//! The key is claimed in the create's own transaction, so two requests with
//! one key create one webhook.

use sha2::{Digest, Sha256};

use super::{Created, ServiceError};
use crate::server::db::read_by_name;
use crate::validation::WebhookDraft;

/// How long a key's first answer is kept.
pub(super) const LIFETIME_MS: i64 = 24 * 3600 * 1000;

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
    ] {
        hash.update((part.len() as u64).to_be_bytes());
        hash.update(part.as_bytes());
    }
    hex::encode(hash.finalize())
}

/// Forgets every key older than a day (uses the `created_at` index).
pub(super) const EXPIRE: &str = "DELETE FROM idempotency_keys WHERE created_at < $1";

/// Takes the key for this request; no row changes when it is taken already.
pub(super) const CLAIM: &str = "INSERT INTO idempotency_keys
        (organization_id, idempotency_key, request_hash, webhook_id, response_body, created_at)
     VALUES ($1, $2, $3, 0, '', $4)
     ON CONFLICT DO NOTHING";

pub(super) const SAVE_ANSWER: &str =
    "UPDATE idempotency_keys SET webhook_id = $1, response_body = $2
     WHERE organization_id = $3 AND idempotency_key = $4";

pub(super) const FIRST_ANSWER: &str = "SELECT request_hash, webhook_id, response_body, created_at
     FROM idempotency_keys WHERE organization_id = $1 AND idempotency_key = $2";

pub(super) struct FirstAnswer {
    request_hash: String,
    webhook_id: i64,
    response_body: String,
    /// The create's time, which is also the new webhook's first version.
    created_at: i64,
}

read_by_name!(FirstAnswer {
    request_hash,
    webhook_id,
    response_body,
    created_at
});

impl FirstAnswer {
    pub(super) fn replay(self, fingerprint: &str) -> Result<Created, ServiceError> {
        if self.request_hash != fingerprint {
            return Err(ServiceError::KeyReused);
        }
        Ok(Created {
            id: self.webhook_id,
            version: self.created_at,
            body: self.response_body,
            replayed: true,
        })
    }
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
