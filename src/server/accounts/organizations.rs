//! Organizations and their feature flags.

use super::AccountError;
use crate::server::clock::now_millis;
use crate::server::db::{params, read_by_name, Db, Single};

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

#[tracing::instrument(level = "debug", skip_all)]
pub async fn create_organization(
    db: &Db,
    slug: &OrgSlug,
    webhooks_enabled: bool,
) -> Result<i64, AccountError> {
    let inserted = db
        .transaction(async |tx| {
            tx.returning::<Single<i64>>(
                "INSERT INTO organizations (slug, webhooks_enabled, created_at) VALUES ($1, $2, $3) RETURNING id",
                params![slug.as_str(), webhooks_enabled, now_millis()],
            )
            .await
        })
        .await;
    match inserted {
        Ok(Single(id)) => Ok(id),
        Err(e) if e.is_unique_violation() => {
            Err(AccountError::DuplicateSlug(slug.as_str().to_owned()))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn set_webhooks_flag(db: &Db, slug: &OrgSlug, enabled: bool) -> Result<(), AccountError> {
    let result = db
        .execute(
            "UPDATE organizations SET webhooks_enabled = $1 WHERE slug = $2",
            params![enabled, slug.as_str()],
        )
        .await?;
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
    db.read_one::<Single<i64>>(
        "SELECT id FROM organizations WHERE slug = $1",
        params![slug.as_str()],
    )
    .await?
    .map(|Single(id)| id)
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
    Ok(db
        .read_all(
            "SELECT o.slug, o.webhooks_enabled, o.created_at,
                    (SELECT COUNT(*) FROM users u WHERE u.organization_id = o.id) AS users,
                    (SELECT COUNT(*) FROM webhooks w WHERE w.organization_id = o.id) AS webhooks
             FROM organizations o ORDER BY o.slug",
            &[],
        )
        .await?)
}

/// Gives an organization a new slug (nothing refers to slugs but people).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn rename_organization(
    db: &Db,
    from: &OrgSlug,
    to: &OrgSlug,
) -> Result<(), AccountError> {
    let renamed = db
        .execute(
            "UPDATE organizations SET slug = $1 WHERE slug = $2",
            params![to.as_str(), from.as_str()],
        )
        .await;
    match renamed {
        Ok(0) => Err(AccountError::UnknownOrganization(from.as_str().to_owned())),
        Ok(_) => Ok(()),
        Err(e) if e.is_unique_violation() => {
            Err(AccountError::DuplicateSlug(to.as_str().to_owned()))
        }
        Err(e) => Err(e.into()),
    }
}
