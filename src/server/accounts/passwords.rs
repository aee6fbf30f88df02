//! Passwords: argon2 hashes, computed and checked on tokio's blocking pool
//! (argon2 is slow on purpose and must not hold up the async workers), and
//! never inside an open transaction.

use std::fmt;
use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::distr::{Alphanumeric, SampleString};
use rand::RngCore;

use super::AccountError;

/// A password as typed; never empty. Stored only as an argon2 hash.
#[derive(Clone)]
pub struct Password(String);

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

impl Password {
    pub fn parse(raw: &str) -> Result<Self, AccountError> {
        if raw.is_empty() {
            Err(AccountError::EmptyPassword)
        } else {
            Ok(Password(raw.to_owned()))
        }
    }

    /// A random password for the first administrator.
    pub fn generate() -> Self {
        Password(Alphanumeric.sample_string(&mut rand::rng(), 20))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The argon2 hash to store.
    pub(super) async fn hash(&self) -> String {
        let password = self.0.clone();
        off_the_workers(move || hash_now(&password)).await
    }

    /// Whether this password matches `hash`; with no hash (an unknown user,
    /// a user without a password) it is checked against a dummy one, so every
    /// answer takes as long.
    pub(super) async fn matches(&self, hash: Option<String>) -> bool {
        let password = self.0.clone();
        off_the_workers(move || {
            let hash = hash.as_deref().unwrap_or_else(|| unknown_user_hash());
            PasswordHash::new(hash).is_ok_and(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
        })
        .await
    }
}

async fn off_the_workers<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    match tokio::task::spawn_blocking(work).await {
        Ok(value) => value,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

fn hash_now(password: &str) -> String {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).expect("16 bytes is a valid salt length");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters accepts any password")
        .to_string()
}

fn unknown_user_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| hash_now(Password::generate().as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_matches_its_password_only() {
        let password = Password::parse("correct horse").unwrap();
        let hash = password.hash().await;
        assert!(password.matches(Some(hash.clone())).await);
        assert!(
            !Password::parse("wrong horse")
                .unwrap()
                .matches(Some(hash))
                .await
        );
        assert!(!password.matches(None).await);
        assert!(!password.matches(Some("not a hash".to_owned())).await);
    }

    #[test]
    fn passwords_never_show_in_debug_output() {
        assert_eq!(
            format!("{:?}", Password::parse("s3cret").unwrap()),
            "Password(<redacted>)"
        );
    }
}
