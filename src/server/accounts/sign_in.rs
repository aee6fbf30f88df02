//! Signing in with an email and a password, with a throttle on failures.

use super::users::normalise_email;
use super::Password;
use crate::server::clock::now_millis;
use crate::server::db::{on_pool, Db};

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// Wrong email or password, or a user who may not sign in: one answer
    /// for all, so the form does not reveal which accounts exist.
    #[error("wrong email or password")]
    BadCredentials,
    #[error("too many failed sign-ins; retry in {retry_after_secs} s")]
    TooManyAttempts { retry_after_secs: i64 },
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// Failed sign-ins allowed per email within [`FAILURE_WINDOW_MS`].
pub const MAX_FAILURES: i64 = 5;
const FAILURE_WINDOW_MS: i64 = 60_000;

#[derive(sqlx::FromRow)]
struct Credentials {
    id: i64,
    password_hash: Option<String>,
    is_active: bool,
}

/// Checks an email and password; returns the user's id. After
/// [`MAX_FAILURES`] failures for one email within a minute, refuses until
/// the oldest of them is a minute old.
pub async fn sign_in(db: &Db, email: &str, password: &str) -> Result<i64, SignInError> {
    let email = normalise_email(email);
    let now = now_millis();
    let window_start = now - FAILURE_WINDOW_MS;
    let (failures, oldest) = on_pool!(db, pool => sqlx::query_as::<_, (i64, Option<i64>)>(
        "SELECT COUNT(*), MIN(at) FROM login_failures WHERE email = $1 AND at > $2",
    )
    .bind(&email)
    .bind(window_start)
    .fetch_one(pool)
    .await?);
    if failures >= MAX_FAILURES {
        let wait_ms = oldest.unwrap_or(now) + FAILURE_WINDOW_MS - now;
        return Err(SignInError::TooManyAttempts {
            retry_after_secs: (wait_ms + 999) / 1000,
        });
    }

    let user = on_pool!(db, pool => sqlx::query_as::<_, Credentials>(
        "SELECT id, password_hash, is_active FROM users WHERE email = $1",
    )
    .bind(&email)
    .fetch_optional(pool)
    .await?);
    let hash = user.as_ref().and_then(|u| u.password_hash.clone());
    // An empty password never matches a hash, and parses to nothing.
    let matches = match Password::parse(password) {
        Ok(password) => password.matches(hash).await,
        Err(_) => false,
    };

    match user {
        Some(user) if matches && user.is_active => {
            on_pool!(db, pool => sqlx::query("DELETE FROM login_failures WHERE email = $1")
                .bind(&email)
                .execute(pool)
                .await?
                .rows_affected());
            Ok(user.id)
        }
        _ => {
            on_pool!(db, pool => sqlx::query("INSERT INTO login_failures (email, at) VALUES ($1, $2)")
                .bind(&email)
                .bind(now)
                .execute(pool)
                .await?
                .rows_affected());
            // Failures older than the window no longer count: drop them.
            on_pool!(db, pool => sqlx::query("DELETE FROM login_failures WHERE at <= $1")
                .bind(window_start)
                .execute(pool)
                .await?
                .rows_affected());
            Err(SignInError::BadCredentials)
        }
    }
}
