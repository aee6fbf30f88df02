//! Users: created by the CLI, signed in by the pages, found by email.

use super::{
    AccountError, OrgSlug, Password, Principal, PRINCIPAL_COLUMNS, USERS_AND_ORGANIZATIONS,
};
use crate::server::clock::now_millis;
use crate::server::db::{is_unique_violation, on_pool, Db};

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

pub async fn create_user(
    db: &Db,
    email: &Email,
    org: &OrgSlug,
    superuser: bool,
    password: Option<&Password>,
) -> Result<i64, AccountError> {
    let organization_id = on_pool!(db, pool => sqlx::query_scalar::<_, i64>("SELECT id FROM organizations WHERE slug = $1")
        .bind(org.as_str())
        .fetch_optional(pool)
        .await?)
    .ok_or_else(|| AccountError::UnknownOrganization(org.as_str().to_owned()))?;
    let hash = match password {
        Some(password) => Some(password.hash().await),
        None => None,
    };
    let inserted = on_pool!(db, pool => sqlx::query_scalar::<_, i64>(INSERT_USER)
        .bind(organization_id)
        .bind(email.as_str())
        .bind(superuser)
        .bind(hash)
        .bind(now_millis())
        .fetch_one(pool)
        .await);
    inserted.map_err(|e| {
        if is_unique_violation(&e) {
            AccountError::DuplicateEmail(email.as_str().to_owned())
        } else {
            e.into()
        }
    })
}

pub async fn deactivate_user(db: &Db, email: &Email) -> Result<(), AccountError> {
    let updated = on_pool!(db, pool => sqlx::query("UPDATE users SET is_active = FALSE WHERE email = $1")
        .bind(email.as_str())
        .execute(pool)
        .await?
        .rows_affected());
    if updated == 0 {
        return Err(AccountError::UnknownUser(email.as_str().to_owned()));
    }
    Ok(())
}

/// The id of the user with this email.
pub async fn user_id_by_email(db: &Db, email: &Email) -> Result<i64, AccountError> {
    on_pool!(db, pool => sqlx::query_scalar::<_, i64>("SELECT id FROM users WHERE email = $1")
        .bind(email.as_str())
        .fetch_optional(pool)
        .await?)
    .ok_or_else(|| AccountError::UnknownUser(email.as_str().to_owned()))
}

/// A signed-in browser user, as the pages need them.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct SessionUser {
    #[sqlx(flatten)]
    pub principal: Principal,
    pub email: String,
}

/// The user a session points at; `None` when the user no longer exists.
pub async fn session_user(db: &Db, user_id: i64) -> Result<Option<SessionUser>, sqlx::Error> {
    on_pool!(db, pool => sqlx::query_as::<_, SessionUser>(&format!(
        "SELECT {PRINCIPAL_COLUMNS}, u.email FROM {USERS_AND_ORGANIZATIONS} WHERE u.id = $1"
    ))
    .bind(user_id)
    .fetch_optional(pool)
    .await)
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
