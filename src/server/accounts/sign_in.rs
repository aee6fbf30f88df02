//! Signing in with an email and a password, throttled. Failures count per
//! email *and client address*, with a delay that grows with each failure (a
//! flood from elsewhere cannot lock an administrator out of their own
//! address), and per address across emails (spraying one password over many
//! accounts). Each attempt is reserved in one transaction before any
//! password is checked, so parallel guesses cannot slip past the count.

use super::passwords::{Busy, MAX_PASSWORD_BYTES};
use super::{Email, Password};
use crate::server::clock::now_millis;
use crate::server::db::{in_transaction, on_pool, read_by_name, Db};

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// Wrong email or password, or a user who may not sign in: one answer
    /// for all, so the form does not reveal which accounts exist.
    #[error("wrong email or password")]
    BadCredentials,
    #[error("too many failed sign-ins; retry in {retry_after_secs} s")]
    TooManyAttempts { retry_after_secs: i64 },
    #[error(transparent)]
    Busy(#[from] Busy),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// Failures for one email from one address before each further attempt
/// waits; the wait starts at [`FIRST_DELAY_MS`] and doubles with each
/// failure, up to [`MAX_DELAY_MS`].
pub const MAX_FAILURES: i64 = 5;
const FIRST_DELAY_MS: i64 = 60_000;
const MAX_DELAY_MS: i64 = 15 * 60_000;
/// Failures older than this are forgotten.
const PAIR_WINDOW_MS: i64 = 60 * 60_000;
/// Failures from one address, whatever the email, within a minute.
pub const MAX_ADDRESS_FAILURES: i64 = 20;
const ADDRESS_WINDOW_MS: i64 = 60_000;

struct Credentials {
    id: i64,
    password_hash: Option<String>,
    is_active: bool,
}

read_by_name!(Credentials {
    id,
    password_hash,
    is_active
});

/// Checks an email and password from a client `address`; returns the user's id.
pub async fn sign_in(
    db: &Db,
    email: &str,
    password: &str,
    address: &str,
) -> Result<i64, SignInError> {
    let parsed = Email::parse(email)
        .ok()
        .filter(|_| password.len() <= MAX_PASSWORD_BYTES)
        .zip(Password::parse(password).ok());
    let Some((email, password)) = parsed else {
        // Malformed: as slow as a real check, and nothing is written.
        Password::generate().matches(None).await?;
        return Err(SignInError::BadCredentials);
    };
    let now = now_millis();
    let attempt = reserve_attempt(db, &email, address, now).await?;

    let user = on_pool!(db, pool => sqlx::query_as::<_, Credentials>(
        "SELECT id, password_hash, is_active FROM users WHERE email = $1",
    )
    .bind(email.as_str())
    .fetch_optional(pool)
    .await?);
    let hash = user.as_ref().and_then(|u| u.password_hash.clone());
    let matches = password.matches(hash).await?;

    match user {
        Some(user) if matches && user.is_active => {
            on_pool!(db, pool => sqlx::query("DELETE FROM login_failures WHERE email = $1 AND address = $2")
                .bind(email.as_str())
                .bind(address)
                .execute(pool)
                .await?
                .rows_affected());
            Ok(user.id)
        }
        _ => {
            // The attempt stays counted; failures past every window go.
            on_pool!(db, pool => sqlx::query("DELETE FROM login_failures WHERE at <= $1 AND id <> $2")
                .bind(now - PAIR_WINDOW_MS)
                .bind(attempt)
                .execute(pool)
                .await?
                .rows_affected());
            Err(SignInError::BadCredentials)
        }
    }
}

/// Counts this attempt as a failure until it succeeds, or refuses it (and
/// records nothing) when its email and address, or its address, must wait.
/// Returns the attempt's row id.
async fn reserve_attempt(
    db: &Db,
    email: &Email,
    address: &str,
    now: i64,
) -> Result<i64, SignInError> {
    let reserved = in_transaction!(db, tx => {
        // The insert comes first: SQLite serializes writers on it, and
        // PostgreSQL on the address's advisory lock (a no-op query on SQLite
        // would not start the write, so it is PostgreSQL's only).
        if matches!(db, Db::Postgres(..)) {
            sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))")
                .bind(address)
                .execute(&mut *tx)
                .await?;
        }
        let attempt = sqlx::query_scalar::<_, i64>(
            "INSERT INTO login_failures (email, address, at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(email.as_str())
        .bind(address)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let (pair_failures, previous_failure) = sqlx::query_as::<_, (i64, Option<i64>)>(
            "SELECT COUNT(*), MAX(CASE WHEN id <> $4 THEN at END) FROM login_failures
             WHERE email = $1 AND address = $2 AND at > $3",
        )
        .bind(email.as_str())
        .bind(address)
        .bind(now - PAIR_WINDOW_MS)
        .bind(attempt)
        .fetch_one(&mut *tx)
        .await?;
        let (address_failures, oldest) = sqlx::query_as::<_, (i64, Option<i64>)>(
            "SELECT COUNT(*), MIN(at) FROM login_failures WHERE address = $1 AND at > $2",
        )
        .bind(address)
        .bind(now - ADDRESS_WINDOW_MS)
        .fetch_one(&mut *tx)
        .await?;
        let wait_ms = pair_wait_ms(pair_failures, previous_failure, now).max(
            if address_failures > MAX_ADDRESS_FAILURES {
                oldest.unwrap_or(now) + ADDRESS_WINDOW_MS - now
            } else {
                0
            },
        );
        if wait_ms > 0 {
            sqlx::query("DELETE FROM login_failures WHERE id = $1")
                .bind(attempt)
                .execute(&mut *tx)
                .await?;
            Err(wait_ms)
        } else {
            Ok(attempt)
        }
    });
    reserved.map_err(|wait_ms| SignInError::TooManyAttempts {
        retry_after_secs: (wait_ms + 999) / 1000,
    })
}

/// How long the attempt that would be failure number `failures` for its
/// email and address must still wait after the `previous` one.
fn pair_wait_ms(failures: i64, previous: Option<i64>, now: i64) -> i64 {
    if failures <= MAX_FAILURES {
        return 0;
    }
    let doublings = u32::try_from(failures - MAX_FAILURES - 1)
        .unwrap_or(u32::MAX)
        .min(20);
    let delay = FIRST_DELAY_MS
        .saturating_mul(1 << doublings)
        .min(MAX_DELAY_MS);
    previous.map_or(0, |at| at + delay - now).max(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delay_grows_with_each_failure_up_to_a_cap() {
        let now = 10_000_000;
        assert_eq!(pair_wait_ms(MAX_FAILURES, Some(now), now), 0);
        assert_eq!(pair_wait_ms(MAX_FAILURES + 1, Some(now), now), 60_000);
        assert_eq!(pair_wait_ms(MAX_FAILURES + 2, Some(now), now), 120_000);
        assert_eq!(
            pair_wait_ms(MAX_FAILURES + 3, Some(now - 30_000), now),
            210_000
        );
        assert_eq!(
            pair_wait_ms(MAX_FAILURES + 40, Some(now), now),
            MAX_DELAY_MS
        );
        assert_eq!(pair_wait_ms(MAX_FAILURES + 1, Some(now - 61_000), now), 0);
    }
}
