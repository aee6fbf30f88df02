//! Organizations, users and API tokens: who may call, and on whose behalf.
//! Every account query lives here; the CLI and the API only call in.

use std::fmt;

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::distr::{Alphanumeric, SampleString};
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::clock::now_millis;
use super::db::{in_transaction, is_unique_violation, on_pool, Db};

#[derive(Debug)]
pub enum AccountError {
    InvalidSlug(String),
    InvalidEmail(String),
    EmptyPassword,
    DuplicateSlug(String),
    DuplicateEmail(String),
    UnknownOrganization(String),
    UnknownUser(String),
    UnknownToken,
    Database(sqlx::Error),
}

impl fmt::Display for AccountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AccountError::InvalidSlug(slug) => write!(
                f,
                "invalid organization slug {slug:?}: use 1-50 lowercase letters, digits and hyphens, starting with a letter or digit"
            ),
            AccountError::InvalidEmail(email) => write!(f, "invalid email address {email:?}"),
            AccountError::EmptyPassword => f.write_str("the password must not be empty"),
            AccountError::DuplicateSlug(slug) => write!(f, "organization {slug:?} already exists"),
            AccountError::DuplicateEmail(email) => write!(f, "a user with email {email:?} already exists"),
            AccountError::UnknownOrganization(slug) => write!(f, "no organization {slug:?}"),
            AccountError::UnknownUser(email) => write!(f, "no user with email {email:?}"),
            AccountError::UnknownToken => f.write_str("no such token (already revoked?)"),
            AccountError::Database(e) => write!(f, "database error: {e}"),
        }
    }
}

impl std::error::Error for AccountError {}

impl From<sqlx::Error> for AccountError {
    fn from(e: sqlx::Error) -> Self {
        AccountError::Database(e)
    }
}

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

/// An email address, trimmed and lower-cased so lookups ignore case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, AccountError> {
        let email = raw.trim().to_lowercase();
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

/// A password as typed; never empty. Stored only as an argon2 hash.
pub struct Password(String);

impl Password {
    pub fn parse(raw: &str) -> Result<Self, AccountError> {
        if raw.is_empty() {
            Err(AccountError::EmptyPassword)
        } else {
            Ok(Password(raw.to_owned()))
        }
    }

    fn hash(&self) -> String {
        let mut salt = [0u8; 16];
        rand::rng().fill_bytes(&mut salt);
        let salt = SaltString::encode_b64(&salt).expect("16 bytes is a valid salt length");
        Argon2::default()
            .hash_password(self.0.as_bytes(), &salt)
            .expect("argon2 with default parameters accepts any password")
            .to_string()
    }

    /// A random password for the first administrator.
    pub fn generate() -> Self {
        Password(Alphanumeric.sample_string(&mut rand::rng(), 20))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An API token in clear, as handed to its owner once. Only its SHA-256 is
/// stored: tokens are long random strings, so a fast hash is enough and keeps
/// every API request cheap (argon2 is for passwords).
#[derive(Clone, PartialEq, Eq)]
pub struct ApiToken(String);

impl fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiToken(<redacted>)")
    }
}

impl ApiToken {
    /// 160 random bits as 40 lower-case hex digits, like DRF's tokens.
    fn generate() -> Self {
        let mut bytes = [0u8; 20];
        rand::rng().fill_bytes(&mut bytes);
        ApiToken(hex::encode(bytes))
    }

    pub fn from_clear(token: &str) -> Self {
        ApiToken(token.to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn digest(&self) -> Vec<u8> {
        Sha256::digest(self.0.as_bytes()).to_vec()
    }

    /// What may be shown of a token later on, to tell tokens apart.
    fn prefix(&self) -> &str {
        &self.0[..8.min(self.0.len())]
    }
}

// Each insert is written once; the first start reuses them in its transaction.
const INSERT_USER: &str =
    "INSERT INTO users (organization_id, email, is_superuser, is_active, password_hash, created_at)
     VALUES ($1, $2, $3, TRUE, $4, $5) RETURNING id";
const INSERT_TOKEN: &str =
    "INSERT INTO api_tokens (user_id, token_hash, prefix, created_at) VALUES ($1, $2, $3, $4)";

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
    let hash = password.map(Password::hash);
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

/// Makes a new token for the user and returns it in clear, the only time it
/// is ever available.
pub async fn create_token(db: &Db, user_id: i64) -> Result<ApiToken, AccountError> {
    let token = ApiToken::generate();
    on_pool!(db, pool => sqlx::query(INSERT_TOKEN)
    .bind(user_id)
    .bind(token.digest())
    .bind(token.prefix())
    .bind(now_millis())
    .execute(pool)
    .await?
    .rows_affected());
    Ok(token)
}

/// Revokes one of the user's own tokens, by its id.
pub async fn revoke_token_of_user(
    db: &Db,
    user_id: i64,
    token_id: i64,
) -> Result<(), AccountError> {
    let deleted = on_pool!(db, pool => sqlx::query("DELETE FROM api_tokens WHERE id = $1 AND user_id = $2")
        .bind(token_id)
        .bind(user_id)
        .execute(pool)
        .await?
        .rows_affected());
    if deleted == 0 {
        return Err(AccountError::UnknownToken);
    }
    Ok(())
}

pub async fn revoke_token(db: &Db, token: &ApiToken) -> Result<(), AccountError> {
    let deleted = on_pool!(db, pool => sqlx::query("DELETE FROM api_tokens WHERE token_hash = $1")
        .bind(token.digest())
        .execute(pool)
        .await?
        .rows_affected());
    if deleted == 0 {
        return Err(AccountError::UnknownToken);
    }
    Ok(())
}

/// What may be shown of a token after its creation.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct TokenInfo {
    pub id: i64,
    pub prefix: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// A user's tokens, oldest first.
pub async fn tokens_of(db: &Db, user_id: i64) -> Result<Vec<TokenInfo>, AccountError> {
    Ok(on_pool!(db, pool => sqlx::query_as::<_, TokenInfo>(
        "SELECT id, prefix, created_at, last_used_at FROM api_tokens WHERE user_id = $1 ORDER BY id",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await?))
}

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
            .bind(admin.password.hash())
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

/// Who a valid token belongs to, with what the permission checks need.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Principal {
    pub user_id: i64,
    pub organization_id: i64,
    pub is_active: bool,
    pub is_superuser: bool,
    pub webhooks_enabled: bool,
}

#[derive(sqlx::FromRow)]
struct TokenOwner {
    token_id: i64,
    last_used_at: Option<i64>,
    user_id: i64,
    organization_id: i64,
    is_active: bool,
    is_superuser: bool,
    webhooks_enabled: bool,
}

/// `last_used_at` is only rewritten when it is older than this, so a busy
/// client does not turn every read into a write.
const LAST_USED_RESOLUTION_MS: i64 = 60_000;

/// Finds the owner of a token; `None` when no such token exists.
pub async fn principal_for_token(
    db: &Db,
    token: &ApiToken,
) -> Result<Option<Principal>, sqlx::Error> {
    let owner = on_pool!(db, pool => sqlx::query_as::<_, TokenOwner>(
        "SELECT t.id AS token_id, t.last_used_at, u.id AS user_id, u.organization_id,
                u.is_active, u.is_superuser, o.webhooks_enabled
         FROM api_tokens t
         JOIN users u ON u.id = t.user_id
         JOIN organizations o ON o.id = u.organization_id
         WHERE t.token_hash = $1",
    )
    .bind(token.digest())
    .fetch_optional(pool)
    .await?);
    let Some(owner) = owner else {
        return Ok(None);
    };
    let now = now_millis();
    if owner
        .last_used_at
        .is_none_or(|at| now - at >= LAST_USED_RESOLUTION_MS)
    {
        on_pool!(db, pool => sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(now)
            .bind(owner.token_id)
            .execute(pool)
            .await?
            .rows_affected());
    }
    Ok(Some(Principal {
        user_id: owner.user_id,
        organization_id: owner.organization_id,
        is_active: owner.is_active,
        is_superuser: owner.is_superuser,
        webhooks_enabled: owner.webhooks_enabled,
    }))
}

/// A signed-in browser user, as the pages need them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionUser {
    pub principal: Principal,
    pub email: String,
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    organization_id: i64,
    is_active: bool,
    is_superuser: bool,
    webhooks_enabled: bool,
    email: String,
}

/// The user a session points at; `None` when the user no longer exists.
pub async fn session_user(db: &Db, user_id: i64) -> Result<Option<SessionUser>, sqlx::Error> {
    let row = on_pool!(db, pool => sqlx::query_as::<_, UserRow>(
        "SELECT u.id, u.organization_id, u.is_active, u.is_superuser, o.webhooks_enabled, u.email
         FROM users u JOIN organizations o ON o.id = u.organization_id
         WHERE u.id = $1",
    )
    .bind(user_id)
    .fetch_optional(pool)
    .await?);
    Ok(row.map(|row| SessionUser {
        principal: Principal {
            user_id: row.id,
            organization_id: row.organization_id,
            is_active: row.is_active,
            is_superuser: row.is_superuser,
            webhooks_enabled: row.webhooks_enabled,
        },
        email: row.email,
    }))
}

#[derive(Debug)]
pub enum SignInError {
    /// Wrong email or password, or a user who may not sign in: one answer
    /// for all, so the form does not reveal which accounts exist.
    BadCredentials,
    TooManyAttempts {
        retry_after_secs: i64,
    },
    Database(sqlx::Error),
}

impl From<sqlx::Error> for SignInError {
    fn from(e: sqlx::Error) -> Self {
        SignInError::Database(e)
    }
}

/// Failed sign-ins allowed per email within [`FAILURE_WINDOW_MS`].
pub const MAX_FAILURES: i64 = 5;
pub const FAILURE_WINDOW_MS: i64 = 60_000;

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
    let email = email.trim().to_lowercase();
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
    let hash = user
        .as_ref()
        .and_then(|u| u.password_hash.clone())
        .unwrap_or_else(|| unknown_user_hash().to_owned());
    let password = password.to_owned();
    // argon2 is slow on purpose: keep it off the async workers.
    let matches = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .unwrap_or(false);

    match user {
        Some(user) if matches && user.is_active && user.password_hash.is_some() => {
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

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A real hash to check unknown emails against, so they take as long as
/// known ones.
fn unknown_user_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| Password::generate().hash())
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

    #[test]
    fn tokens_are_40_hex_digits_and_hash_stably() {
        let token = ApiToken::generate();
        assert_eq!(token.as_str().len(), 40);
        assert!(token.as_str().bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(
            token.digest(),
            ApiToken::from_clear(token.as_str()).digest()
        );
        assert_ne!(token.digest(), ApiToken::generate().digest());
    }
}
