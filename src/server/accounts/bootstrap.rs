//! The first start: an organization and its super user on an empty database.

use super::tokens::INSERT_TOKEN;
use super::users::INSERT_USER;
use super::{AccountError, ApiToken, Email, Password};
use crate::server::clock::now_millis;
use crate::server::db::{in_transaction, is_unique_violation, on_pool, Db};

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
pub async fn bootstrap(db: &Db) -> Result<Option<FirstAdmin>, AccountError> {
    let has_users = on_pool!(db, pool => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM (SELECT 1 FROM users LIMIT 1) AS any_user")
        .fetch_one(pool)
        .await?);
    if has_users > 0 {
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
    let created: Result<(), sqlx::Error> = async {
        in_transaction!(db, tx => {
            let org_id = sqlx::query_scalar::<_, i64>(
                "INSERT INTO organizations (slug, webhooks_enabled, created_at) VALUES ($1, TRUE, $2)
                 ON CONFLICT (slug) DO UPDATE SET slug = excluded.slug RETURNING id",
            )
            .bind(DEFAULT_ORGANIZATION)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            let user_id = sqlx::query_scalar::<_, i64>(INSERT_USER)
                .bind(org_id)
                .bind(admin.email.as_str())
                .bind(true)
                .bind(&password_hash)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
            sqlx::query(INSERT_TOKEN)
                .bind(user_id)
                .bind(admin.token.digest())
                .bind(admin.token.prefix())
                .bind(now)
                .execute(&mut *tx)
                .await?;
        });
        Ok(())
    }
    .await;
    match created {
        Ok(()) => Ok(Some(admin)),
        Err(e) if is_unique_violation(&e) => Ok(None),
        Err(e) => Err(e.into()),
    }
}
