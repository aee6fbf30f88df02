//! Signing in with an email and a password, throttled. Failures count per
//! email *and client address*, with a delay that grows with each failure (a
//! flood from elsewhere cannot lock an administrator out of their own
//! address); per address across emails (spraying one password over many
//! accounts); and per email across addresses (a botnet guessing slowly).
//! A browser the user has signed in with before ([`known_device`]) is held
//! up by neither email count, so nobody else's guesses lock the user out.
//! Each attempt is reserved in one transaction before any password is
//! checked, so parallel guesses cannot slip past the count. Input no
//! account can match is refused without hashing, and still counted against
//! its address.
//!
//! [`known_device`]: super::known_device

use super::known_device::{self, Holder};
use super::passwords::{Busy, MAX_PASSWORD_BYTES};
use super::{Email, Password};
use crate::server::clock::now_millis;
use crate::server::db::{self, params, read_by_name, Db, Dialect, Single};
use crate::server::keys::SigningKey;

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
    #[error("database error")]
    Database(#[from] db::Error),
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
/// Failures for one email, from any address, within an hour.
pub const MAX_ACCOUNT_FAILURES: i64 = 50;
const ACCOUNT_WINDOW_MS: i64 = 60 * 60_000;

/// Where a sign-in comes from.
#[derive(Clone, Copy, Debug)]
pub struct SignInFrom<'a> {
    /// The client as the throttle counts it (`client::throttle_key`).
    pub address: &'a str,
    /// The browser's known-device cookie, if it sent one.
    pub known_device: Option<&'a str>,
}

/// A sign-in that worked: the user, and the known-device cookie value for
/// the browser to keep.
#[derive(Debug)]
pub struct Accepted {
    pub user_id: i64,
    pub known_device: String,
}

struct Credentials {
    id: i64,
    password_hash: Option<String>,
    is_active: bool,
    sessions_valid_after: i64,
}

read_by_name!(Credentials {
    id,
    password_hash,
    is_active,
    sessions_valid_after
});

impl Credentials {
    fn holder(&self) -> Holder {
        Holder {
            user_id: self.id,
            sessions_valid_after: self.sessions_valid_after,
        }
    }
}

/// Checks an email and password.
#[tracing::instrument(level = "debug", skip_all, fields(address = from.address))]
pub async fn sign_in(
    db: &Db,
    key: &SigningKey,
    email: &str,
    password: &str,
    from: SignInFrom<'_>,
) -> Result<Accepted, SignInError> {
    let now = now_millis();
    let parsed = Email::parse(email)
        .ok()
        .filter(|_| password.len() <= MAX_PASSWORD_BYTES)
        .zip(Password::parse(password).ok());
    let Some((email, password)) = parsed else {
        reserve_attempt(db, None, from.address, false, now).await?;
        return Err(SignInError::BadCredentials);
    };

    let user = db
        .read_one::<Credentials>(
            "SELECT id, password_hash, is_active, sessions_valid_after FROM users WHERE email = $1",
            params![email.as_str()],
        )
        .await?;
    let known = user
        .as_ref()
        .zip(from.known_device)
        .is_some_and(|(user, cookie)| known_device::vouches_for(key, cookie, user.holder(), now));
    reserve_attempt(db, Some(&email), from.address, known, now).await?;
    let hash = user.as_ref().and_then(|u| u.password_hash.clone());
    let matches = password.matches(hash).await?;

    match user {
        Some(user) if matches && user.is_active => {
            db.execute(
                "DELETE FROM login_failures WHERE email = $1 AND address = $2",
                params![email.as_str(), from.address],
            )
            .await?;
            Ok(Accepted {
                user_id: user.id,
                known_device: known_device::vouch(key, user.holder(), now),
            })
        }
        _ => {
            // The attempt stays counted; failures past every window go.
            forget_old_failures(db, now).await?;
            Err(SignInError::BadCredentials)
        }
    }
}

/// Forgets the failures that no window counts any more.
pub async fn forget_old_failures(db: &Db, now: i64) -> Result<u64, db::Error> {
    let oldest_counted = now - PAIR_WINDOW_MS.max(ACCOUNT_WINDOW_MS).max(ADDRESS_WINDOW_MS);
    db.execute(
        "DELETE FROM login_failures WHERE at <= $1",
        params![oldest_counted],
    )
    .await
}

/// Counts this attempt as a failure until it succeeds, or refuses it (and
/// records nothing) when its address, or (unless `known`, from a browser
/// the user signed in with before) its email, must wait. Input no account
/// can match (`email` is `None`) counts against its address only.
async fn reserve_attempt(
    db: &Db,
    email: Option<&Email>,
    address: &str,
    known: bool,
    now: i64,
) -> Result<(), SignInError> {
    let email = email.map_or("", Email::as_str);
    let dialect = db.dialect();
    let reserved = db
        .transaction(async |tx| {
            // The insert comes first: SQLite serializes writers on it, and
            // PostgreSQL on advisory locks of the address and then the
            // email, each in a key space of its own (so two attempts never
            // wait on each other in opposite orders). A no-op query on
            // SQLite would not start the write, so the locks are
            // PostgreSQL's only.
            if dialect == Dialect::Postgres {
                tx.execute(
                    "SELECT pg_advisory_xact_lock(1, hashtext($1)), pg_advisory_xact_lock(2, hashtext($2))",
                    params![address, email],
                )
                .await?;
            }
            let Single(attempt) = tx
                .returning::<Single<i64>>(
                    "INSERT INTO login_failures (email, address, at) VALUES ($1, $2, $3) RETURNING id",
                    params![email, address, now],
                )
                .await?;
            let Window { failures, oldest } = tx
                .returning(
                    "SELECT COUNT(*) AS failures, MIN(at) AS oldest FROM login_failures
                     WHERE address = $1 AND at > $2",
                    params![address, now - ADDRESS_WINDOW_MS],
                )
                .await?;
            let mut wait_ms =
                over_limit_ms(failures, MAX_ADDRESS_FAILURES, oldest, ADDRESS_WINDOW_MS, now);
            if !email.is_empty() && !known {
                let pair: Window = tx
                    .returning(
                        "SELECT COUNT(*) AS failures, MAX(CASE WHEN id <> $4 THEN at END) AS oldest
                         FROM login_failures WHERE email = $1 AND address = $2 AND at > $3",
                        params![email, address, now - PAIR_WINDOW_MS, attempt],
                    )
                    .await?;
                let account: Window = tx
                    .returning(
                        "SELECT COUNT(*) AS failures, MIN(at) AS oldest FROM login_failures
                         WHERE email = $1 AND at > $2",
                        params![email, now - ACCOUNT_WINDOW_MS],
                    )
                    .await?;
                wait_ms = wait_ms
                    .max(pair_wait_ms(pair.failures, pair.oldest, now))
                    .max(over_limit_ms(
                        account.failures,
                        MAX_ACCOUNT_FAILURES,
                        account.oldest,
                        ACCOUNT_WINDOW_MS,
                        now,
                    ));
            }
            if wait_ms > 0 {
                tx.execute("DELETE FROM login_failures WHERE id = $1", params![attempt])
                    .await?;
            }
            Ok::<_, db::Error>(wait_ms)
        })
        .await?;
    if reserved == 0 {
        return Ok(());
    }
    Err(SignInError::TooManyAttempts {
        retry_after_secs: (reserved + 999) / 1000,
    })
}

/// Failures counted in one window, and a time among them (the oldest; for
/// the email and address, the latest before this attempt).
struct Window {
    failures: i64,
    oldest: Option<i64>,
}

read_by_name!(Window { failures, oldest });
/// How long until a window holding `failures` (this attempt among them)
/// has room again, when more than `max` fall within it; 0 when they don't.
fn over_limit_ms(failures: i64, max: i64, oldest: Option<i64>, window_ms: i64, now: i64) -> i64 {
    if failures > max {
        (oldest.unwrap_or(now) + window_ms - now).max(1)
    } else {
        0
    }
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

    #[test]
    fn a_window_over_its_limit_waits_until_its_oldest_failure_leaves() {
        let now = 10_000_000;
        assert_eq!(over_limit_ms(20, 20, Some(now - 30_000), 60_000, now), 0);
        assert_eq!(
            over_limit_ms(21, 20, Some(now - 30_000), 60_000, now),
            30_000
        );
        assert_eq!(
            over_limit_ms(51, 50, Some(now - 3_599_000), 3_600_000, now),
            1_000
        );
        assert_eq!(over_limit_ms(21, 20, None, 60_000, now), 60_000);
    }
}
