//! Organizations, users, API tokens and passwords: who may call, and on
//! whose behalf. Every account query lives in this module; the CLI, the REST
//! API and the pages only call in.

mod bootstrap;
mod known_device;
mod organizations;
mod passwords;
mod sign_in;
mod tokens;
mod users;

use crate::server::db::read_by_name;
pub use bootstrap::{bootstrap, FirstAdmin, DEFAULT_ORGANIZATION, FIRST_ADMIN_EMAIL};
pub use known_device::{cookie_for as known_device_cookie, KNOWN_FOR_MS};
pub use organizations::{
    create_organization, list_organizations, rename_organization, set_webhooks_flag, OrgSlug,
    OrganizationListing,
};
pub use passwords::{hold_every_password_core, Busy, Password, MAX_PASSWORD_BYTES};
pub use sign_in::{
    forget_old_failures, sign_in, Accepted, SignInError, SignInFrom, MAX_ACCOUNT_FAILURES,
    MAX_ADDRESS_FAILURES, MAX_FAILURES,
};
pub use tokens::{
    create_token, principal_for_token, record_use, revoke_token, revoke_token_of_user, tokens_of,
    ApiToken, TokenInfo, TokenKind, TokenPrincipal,
};
pub(crate) use tokens::{token_lookup, token_lookup_scalar, token_used, TokenOwner};

pub use users::{
    create_user, list_users, session_user, set_password, set_user_active, user_id_by_email,
    ApiTokens, Email, SessionUser, UserListing,
};

/// A mistake in an account command, or the database failing under it.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("invalid organization slug {0:?}: use 1-50 lowercase letters, digits and hyphens, starting with a letter or digit")]
    InvalidSlug(String),
    #[error("invalid email address {0:?}")]
    InvalidEmail(String),
    #[error("the password must not be empty")]
    EmptyPassword,
    #[error("the password must have 12 to 1024 characters")]
    WeakPassword,
    #[error("organization {0:?} already exists")]
    DuplicateSlug(String),
    #[error("a user with email {0:?} already exists")]
    DuplicateEmail(String),
    #[error("no organization {0:?}")]
    UnknownOrganization(String),
    #[error("no user with email {0:?}")]
    UnknownUser(String),
    #[error("no such token (already revoked?)")]
    UnknownToken,
    #[error("database error")]
    Database(#[from] crate::server::db::Error),
}

/// Who a token or a session acts for, with what the permission checks need.
/// Read with [`PRINCIPAL_COLUMNS`] from [`USERS_AND_ORGANIZATIONS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Principal {
    pub user_id: i64,
    pub organization_id: i64,
    pub is_active: bool,
    pub is_superuser: bool,
    pub webhooks_enabled: bool,
    /// The organization's webhooks when this was read: a list page needs
    /// no query of its own for its count.
    pub webhook_count: i64,
}

read_by_name!(Principal {
    user_id,
    organization_id,
    is_active,
    is_superuser,
    webhooks_enabled,
    webhook_count,
});

const PRINCIPAL_COLUMNS: &str = "u.id AS user_id, u.organization_id, u.is_active, u.is_superuser,
     o.webhooks_enabled, o.webhook_count";
const USERS_AND_ORGANIZATIONS: &str = "users u JOIN organizations o ON o.id = u.organization_id";
