//! The first start: an organization and its super user on an empty database.

use super::tokens::{TokenKind, INSERT_TOKEN};
use super::users::INSERT_USER;
use super::{AccountError, ApiToken, Email, Password};
use crate::server::clock::now_millis;
use crate::server::db::{params, Db, Single};

/// The first administrator, made on the first start of an empty database.
pub struct FirstAdmin {
    pub email: Email,
    pub password: Password,
    pub token: ApiToken,
}

pub const DEFAULT_ORGANIZATION: &str = "default";
pub const FIRST_ADMIN_EMAIL: &str = "admin@localhost";

/// On a database without users, creates organization `default` (Webhooks on)
/// and super user `admin@localhost` with a random password and a token, all
/// in one transaction. Returns `None` when there were users already, also when
/// another instance won the race to do it.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn bootstrap(db: &Db) -> Result<Option<FirstAdmin>, AccountError> {
    let any_user = db
        .read_one::<Single<i64>>("SELECT id FROM users LIMIT 1", &[])
        .await?;
    if any_user.is_some() {
        return Ok(None);
    }
    let admin = FirstAdmin {
        email: Email::parse(FIRST_ADMIN_EMAIL)?,
        password: Password::generate(),
        token: ApiToken::generate(),
    };
    // Hashed before the transaction opens: SQLite's write lock is not held
    // while argon2 runs.
    let password_hash = admin.password.hash().await;
    let now = now_millis();
    let created = db
        .transaction(async |tx| {
            let Single(org_id) = tx
                .returning::<Single<i64>>(
                    "INSERT INTO organizations (slug, webhooks_enabled, created_at) VALUES ($1, TRUE, $2)
                     ON CONFLICT (slug) DO UPDATE SET slug = excluded.slug RETURNING id",
                    params![DEFAULT_ORGANIZATION, now],
                )
                .await?;
            let Single(user_id) = tx
                .returning::<Single<i64>>(
                    INSERT_USER,
                    params![org_id, admin.email.as_str(), true, password_hash.as_str(), now],
                )
                .await?;
            let digest = admin.token.digest();
            tx.execute(
                INSERT_TOKEN,
                params![
                    user_id,
                    digest.as_slice(),
                    admin.token.prefix(),
                    now,
                    TokenKind::Full.as_str()
                ],
            )
            .await
        })
        .await;
    match created {
        Ok(_) => Ok(Some(admin)),
        Err(e) if e.is_unique_violation() => Ok(None),
        Err(e) => Err(e.into()),
    }
}
