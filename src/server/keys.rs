//! The server's secret key for what it hands browsers to bring back (signed
//! cookies): made once per database by the first instance to start, read by
//! every other, so any instance verifies what another signed. HMAC-SHA256,
//! each use under a purpose of its own so one kind of value can never pass
//! for another.

use std::fmt;

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

use super::clock::now_millis;
use super::db::{self, params, Db, Single};

/// What a signature is for; part of what is signed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// A failed form's message, for the next page (`rejections`).
    Rejection,
    /// A browser that has signed in as a user before (`known_device`).
    KnownDevice,
}

impl Purpose {
    fn label(self) -> &'static [u8] {
        match self {
            Purpose::Rejection => b"rejection",
            Purpose::KnownDevice => b"known-device",
        }
    }
}

#[derive(Clone)]
pub struct SigningKey([u8; 32]);

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningKey(<redacted>)")
    }
}

const NAME: &str = "cookies";

impl SigningKey {
    /// The database's key, made now if it has none yet (the first instance
    /// to get here wins; the others read its key).
    pub async fn load_or_create(db: &Db) -> Result<SigningKey, db::Error> {
        let mut fresh = [0u8; 32];
        rand::rng().fill_bytes(&mut fresh);
        db.execute(
            "INSERT INTO server_keys (name, secret, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO NOTHING",
            params![NAME, hex::encode(fresh), now_millis()],
        )
        .await?;
        let stored = db
            .read_one::<Single<String>>(
                "SELECT secret FROM server_keys WHERE name = $1",
                params![NAME],
            )
            .await?
            .ok_or_else(|| db::Error::decode(format!("no server key {NAME:?}")))?;
        let mut key = [0u8; 32];
        hex::decode_to_slice(stored.0.trim(), &mut key)
            .map_err(|e| db::Error::decode(format!("server key {NAME:?}: {e}")))?;
        Ok(SigningKey(key))
    }

    /// A key of its own, for tests of what signs and verifies.
    pub fn random() -> SigningKey {
        let mut key = [0u8; 32];
        rand::rng().fill_bytes(&mut key);
        SigningKey(key)
    }

    fn mac(&self, purpose: Purpose, parts: &[&[u8]]) -> Hmac<Sha256> {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes a key of any length");
        for part in std::iter::once(purpose.label()).chain(parts.iter().copied()) {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        mac
    }

    /// The signature of `parts` for `purpose`, as 64 hex digits.
    pub fn sign(&self, purpose: Purpose, parts: &[&[u8]]) -> String {
        hex::encode(self.mac(purpose, parts).finalize().into_bytes())
    }

    /// Whether `signature` is this key's for `parts` and `purpose`
    /// (compared in constant time).
    pub fn verify(&self, purpose: Purpose, parts: &[&[u8]], signature: &str) -> bool {
        let mut expected = [0u8; 32];
        hex::decode_to_slice(signature, &mut expected).is_ok()
            && self.mac(purpose, parts).verify_slice(&expected).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_holds_only_for_its_key_purpose_and_parts() {
        let key = SigningKey::random();
        let signature = key.sign(Purpose::Rejection, &[b"a", b"bc"]);
        assert_eq!(signature.len(), 64);
        assert!(key.verify(Purpose::Rejection, &[b"a", b"bc"], &signature));
        assert!(!key.verify(Purpose::KnownDevice, &[b"a", b"bc"], &signature));
        // Parts are length-prefixed: moving a byte across them changes it.
        assert!(!key.verify(Purpose::Rejection, &[b"ab", b"c"], &signature));
        assert!(!SigningKey::random().verify(Purpose::Rejection, &[b"a", b"bc"], &signature));
        assert!(!key.verify(Purpose::Rejection, &[b"a", b"bc"], "not hex"));
        assert!(!key.verify(Purpose::Rejection, &[b"a", b"bc"], &signature[..62]));
        assert_eq!(format!("{key:?}"), "SigningKey(<redacted>)");
    }
}
