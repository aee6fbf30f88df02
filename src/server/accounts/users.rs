//! Users: created by the CLI, signed in by the pages, found by email.

use super::{
    AccountError, OrgSlug, Password, Principal, PRINCIPAL_COLUMNS, USERS_AND_ORGANIZATIONS,
};
use std::sync::LazyLock;

use crate::server::clock::now_millis;
use crate::server::db::{self, params, read_by_name, Db, FromColumns, ReadRow, Single};

/// An email address, trimmed and lower-cased so lookups ignore case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, AccountError> {
        let email = normalise_email(raw);
        let valid = match email.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.is_empty()
                    && !domain.contains('@')
                    && email.len() <= 254
                    && !email.chars().any(|c| c.is_whitespace() || c.is_control())
            }
            None => false,
        };
        if valid {
            Ok(Email(email))
        } else {
            Err(AccountError::InvalidEmail(raw.to_owned()))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How every email is compared: trimmed, lower case.
pub(super) fn normalise_email(raw: &str) -> String {
    raw.trim().to_lowercase()
}

/// Written once; the first start reuses it in its own transaction.
pub(super) const INSERT_USER: &str =
    "INSERT INTO users (organization_id, email, is_superuser, is_active, password_hash, created_at)
     VALUES ($1, $2, $3, TRUE, $4, $5) RETURNING id";

#[tracing::instrument(level = "debug", skip_all)]
pub async fn create_user(
    db: &Db,
    email: &Email,
    org: &OrgSlug,
    superuser: bool,
    password: Option<&Password>,
) -> Result<i64, AccountError> {
    let organization_id = super::organizations::organization_id(db, org).await?;
    let hash = match password {
        Some(password) => Some(password.hash().await),
        None => None,
    };
    let values = params![
        organization_id,
        email.as_str(),
        superuser,
        hash,
        now_millis()
    ];
    let inserted = db
        .transaction(async |tx| tx.returning::<Single<i64>>(INSERT_USER, values).await)
        .await;
    match inserted {
        Ok(Single(id)) => Ok(id),
        Err(e) if e.is_unique_violation() => {
            Err(AccountError::DuplicateEmail(email.as_str().to_owned()))
        }
        Err(e) => Err(e.into()),
    }
}

/// Lets a user in again (`true`) or shuts them out (`false`): a deactivated
/// user's tokens and sessions stop working.
#[tracing::instrument(level = "debug", skip_all, fields(active = active))]
pub async fn set_user_active(db: &Db, email: &Email, active: bool) -> Result<(), AccountError> {
    let updated = db
        .execute(
            "UPDATE users SET is_active = $1 WHERE email = $2",
            params![active, email.as_str()],
        )
        .await?;
    if updated == 0 {
        return Err(AccountError::UnknownUser(email.as_str().to_owned()));
    }
    Ok(())
}

/// What a new password does to the user's API tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApiTokens {
    Keep,
    /// Every token stops working: one minted with a stolen password does
    /// not outlive its reset.
    Revoke,
}

/// Gives a user a new password and ends every browser session they signed
/// in before now (and, if asked, revokes their API tokens), in one
/// transaction. Returns that moment: a session signed in from it on is valid.
#[tracing::instrument(level = "debug", skip_all, fields(user_id = user_id))]
pub async fn set_password(
    db: &Db,
    user_id: i64,
    password: &Password,
    tokens: ApiTokens,
) -> Result<i64, AccountError> {
    let hash = password.hash().await;
    let now = now_millis();
    db.transaction(async |tx| {
        tx.execute(
            "UPDATE users SET password_hash = $1, sessions_valid_after = $2 WHERE id = $3",
            params![hash.as_str(), now, user_id],
        )
        .await?;
        if tokens == ApiTokens::Revoke {
            tx.execute(
                "DELETE FROM api_tokens WHERE user_id = $1",
                params![user_id],
            )
            .await?;
        }
        Ok::<_, db::Error>(())
    })
    .await?;
    Ok(now)
}

/// A user as `user list` shows them.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct UserListing {
    pub email: String,
    pub organization: String,
    pub is_superuser: bool,
    pub is_active: bool,
    pub has_password: bool,
    pub created_at: i64,
}

read_by_name!(UserListing {
    email,
    organization,
    is_superuser,
    is_active,
    has_password,
    created_at,
});

/// Every user, or an organization's, by email.
pub async fn list_users(db: &Db, org: Option<&OrgSlug>) -> Result<Vec<UserListing>, AccountError> {
    if let Some(org) = org {
        super::organizations::organization_id(db, org).await?;
    }
    Ok(db
        .read_all(
            "SELECT u.email, o.slug AS organization, u.is_superuser, u.is_active,
                    u.password_hash IS NOT NULL AS has_password, u.created_at
             FROM users u JOIN organizations o ON o.id = u.organization_id
             WHERE $1 IS NULL OR o.slug = $1
             ORDER BY u.email",
            params![org.map(OrgSlug::as_str)],
        )
        .await?)
}

/// The id of the user with this email.
pub async fn user_id_by_email(db: &Db, email: &Email) -> Result<i64, AccountError> {
    db.read_one::<Single<i64>>(
        "SELECT id FROM users WHERE email = $1",
        params![email.as_str()],
    )
    .await?
    .map(|Single(id)| id)
    .ok_or_else(|| AccountError::UnknownUser(email.as_str().to_owned()))
}

/// A signed-in browser user, as the pages need them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionUser {
    pub principal: Principal,
    pub email: String,
    /// Sessions signed in before this (ms) have ended.
    pub sessions_valid_after: i64,
}

impl FromColumns for SessionUser {
    fn read(row: &impl ReadRow) -> Result<Self, db::Error> {
        Ok(SessionUser {
            principal: Principal::read(row)?,
            email: row.get("email")?,
            sessions_valid_after: row.get("sessions_valid_after")?,
        })
    }
}

/// The user a session points at; `None` when the user no longer exists.
/// Read on every signed-in page.
pub async fn session_user(db: &Db, user_id: i64) -> Result<Option<SessionUser>, db::Error> {
    static SESSION_USER: LazyLock<String> = LazyLock::new(|| {
        format!(
            "SELECT {PRINCIPAL_COLUMNS}, u.email, u.sessions_valid_after
             FROM {USERS_AND_ORGANIZATIONS} WHERE u.id = $1"
        )
    });
    db.read_one(&SESSION_USER, params![user_id]).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised() {
        assert_eq!(
            Email::parse(" Ann@Example.COM ").unwrap().as_str(),
            "ann@example.com"
        );
        for bad in ["", "ann", "@x", "ann@", "a@b@c", "a b@c"] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }
}
