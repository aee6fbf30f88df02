//! Organizations and their feature flags.

use super::AccountError;
use crate::server::clock::now_millis;
use crate::server::db::{is_unique_violation, on_pool, read_by_name, Db};

/// An organization slug: 1–50 of `[a-z0-9-]`, not starting with `-`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrgSlug(String);

impl OrgSlug {
    pub fn parse(raw: &str) -> Result<Self, AccountError> {
        let valid = (1..=50).contains(&raw.len())
            && !raw.starts_with('-')
            && raw
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if valid {
            Ok(OrgSlug(raw.to_owned()))
        } else {
            Err(AccountError::InvalidSlug(raw.to_owned()))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

pub async fn create_organization(
    db: &Db,
    slug: &OrgSlug,
    webhooks_enabled: bool,
) -> Result<i64, AccountError> {
    let inserted = on_pool!(db, pool => sqlx::query_scalar::<_, i64>(
        "INSERT INTO organizations (slug, webhooks_enabled, created_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(slug.as_str())
    .bind(webhooks_enabled)
    .bind(now_millis())
    .fetch_one(pool)
    .await);
    inserted.map_err(|e| {
        if is_unique_violation(&e) {
            AccountError::DuplicateSlug(slug.as_str().to_owned())
        } else {
            e.into()
        }
    })
}

pub async fn set_webhooks_flag(db: &Db, slug: &OrgSlug, enabled: bool) -> Result<(), AccountError> {
    let result = on_pool!(db, pool => sqlx::query("UPDATE organizations SET webhooks_enabled = $1 WHERE slug = $2")
        .bind(enabled)
        .bind(slug.as_str())
        .execute(pool)
        .await?
        .rows_affected());
    if result == 0 {
        return Err(AccountError::UnknownOrganization(slug.as_str().to_owned()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        for ok in ["default", "acme-corp", "a", "9lives"] {
            assert!(OrgSlug::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "-x", "Acme", "a b", "a_b", &"a".repeat(51)] {
            assert!(OrgSlug::parse(bad).is_err(), "{bad}");
        }
    }
}

/// The id of the organization with this slug.
pub(super) async fn organization_id(db: &Db, slug: &OrgSlug) -> Result<i64, AccountError> {
    on_pool!(db, pool => sqlx::query_scalar::<_, i64>("SELECT id FROM organizations WHERE slug = $1")
        .bind(slug.as_str())
        .fetch_optional(pool)
        .await?)
    .ok_or_else(|| AccountError::UnknownOrganization(slug.as_str().to_owned()))
}

/// An organization as `org list` shows it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct OrganizationListing {
    pub slug: String,
    pub webhooks_enabled: bool,
    pub users: i64,
    pub webhooks: i64,
    pub created_at: i64,
}

read_by_name!(OrganizationListing {
    slug,
    webhooks_enabled,
    users,
    webhooks,
    created_at
});

/// Every organization, by slug, with how many users and webhooks it has.
pub async fn list_organizations(db: &Db) -> Result<Vec<OrganizationListing>, AccountError> {
    Ok(
        on_pool!(db, pool => sqlx::query_as::<_, OrganizationListing>(
        "SELECT o.slug, o.webhooks_enabled, o.created_at,
                (SELECT COUNT(*) FROM users u WHERE u.organization_id = o.id) AS users,
                (SELECT COUNT(*) FROM webhooks w WHERE w.organization_id = o.id) AS webhooks
         FROM organizations o ORDER BY o.slug",
    )
    .fetch_all(pool)
    .await?),
    )
}

/// Gives an organization a new slug (nothing refers to slugs but people).
pub async fn rename_organization(
    db: &Db,
    from: &OrgSlug,
    to: &OrgSlug,
) -> Result<(), AccountError> {
    let renamed = on_pool!(db, pool => sqlx::query("UPDATE organizations SET slug = $1 WHERE slug = $2")
        .bind(to.as_str())
        .bind(from.as_str())
        .execute(pool)
        .await
        .map(|done| done.rows_affected()));
    match renamed {
        Ok(0) => Err(AccountError::UnknownOrganization(from.as_str().to_owned())),
        Ok(_) => Ok(()),
        Err(e) if is_unique_violation(&e) => {
            Err(AccountError::DuplicateSlug(to.as_str().to_owned()))
        }
        Err(e) => Err(e.into()),
    }
}
