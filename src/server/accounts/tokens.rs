//! API tokens: made at random, handed out once, stored as SHA-256 only.
//! Tokens are long random strings, so a fast hash is enough and keeps every
//! API request cheap (argon2 is for passwords).

use std::fmt;
use std::sync::LazyLock;

use rand::RngCore;
use sha2::{Digest, Sha256};

use super::{AccountError, Principal, PRINCIPAL_COLUMNS, USERS_AND_ORGANIZATIONS};
use crate::server::clock::now_millis;
use crate::server::db::{self, params, read_by_name, Db, FromColumns, ReadRow};

/// An API token in clear; its `Debug` is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiToken(String);

impl fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiToken(<redacted>)")
    }
}

impl ApiToken {
    /// 160 random bits as 40 lower-case hex digits, like DRF's tokens.
    pub(super) fn generate() -> Self {
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
    pub(super) fn prefix(&self) -> &str {
        &self.0[..8.min(self.0.len())]
    }
}

/// What a token may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// Everything its user may.
    Full,
    /// Only post events (`POST /api/v2/events/`): for a service that
    /// produces them, which has no business reading webhook URLs.
    Events,
}

impl TokenKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::Full => "full",
            TokenKind::Events => "events",
        }
    }

    fn parse(text: &str) -> Result<Self, db::Error> {
        match text {
            "full" => Ok(TokenKind::Full),
            "events" => Ok(TokenKind::Events),
            other => Err(db::Error::decode(format!("unknown token kind {other:?}"))),
        }
    }
}

/// Written once; the first start reuses it in its own transaction.
pub(super) const INSERT_TOKEN: &str =
    "INSERT INTO api_tokens (user_id, token_hash, prefix, created_at, kind)
     VALUES ($1, $2, $3, $4, $5)";

/// Makes a new token of `kind` for the user and returns it in clear, the
/// only time it is ever available.
#[tracing::instrument(level = "debug", skip_all, fields(user_id = user_id))]
pub async fn create_token(
    db: &Db,
    user_id: i64,
    kind: TokenKind,
) -> Result<ApiToken, AccountError> {
    let token = ApiToken::generate();
    let values = params![
        user_id,
        token.digest(),
        token.prefix(),
        now_millis(),
        kind.as_str()
    ];
    db.execute(INSERT_TOKEN, values).await?;
    Ok(token)
}

/// Revokes one of the user's own tokens, by its id.
#[tracing::instrument(level = "debug", skip_all, fields(user_id = user_id, token_id = token_id))]
pub async fn revoke_token_of_user(
    db: &Db,
    user_id: i64,
    token_id: i64,
) -> Result<(), AccountError> {
    let deleted = db
        .execute(
            "DELETE FROM api_tokens WHERE id = $1 AND user_id = $2",
            params![token_id, user_id],
        )
        .await?;
    one_revoked(deleted)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn revoke_token(db: &Db, token: &ApiToken) -> Result<(), AccountError> {
    let deleted = db
        .execute(
            "DELETE FROM api_tokens WHERE token_hash = $1",
            params![token.digest()],
        )
        .await?;
    one_revoked(deleted)
}

fn one_revoked(deleted: u64) -> Result<(), AccountError> {
    match deleted {
        0 => Err(AccountError::UnknownToken),
        _ => Ok(()),
    }
}

/// What may be shown of a token after its creation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenInfo {
    pub id: i64,
    pub prefix: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    /// `full` or `events`.
    pub kind: String,
}

read_by_name!(TokenInfo {
    id,
    prefix,
    created_at,
    last_used_at,
    kind
});

/// A user's tokens, oldest first.
pub async fn tokens_of(db: &Db, user_id: i64) -> Result<Vec<TokenInfo>, AccountError> {
    Ok(db
        .read_all(
            "SELECT id, prefix, created_at, last_used_at, kind FROM api_tokens
             WHERE user_id = $1 ORDER BY id",
            params![user_id],
        )
        .await?)
}

/// A token's row and its owner, as [`token_lookup`]'s query reads them.
pub(crate) struct TokenOwner {
    token_id: i64,
    last_used_at: Option<i64>,
    kind: TokenKind,
    principal: Principal,
}

impl FromColumns for TokenOwner {
    fn read(row: &impl ReadRow) -> Result<Self, db::Error> {
        let kind: String = row.get("token_kind")?;
        Ok(TokenOwner {
            token_id: row.get("token_id")?,
            last_used_at: row.get("last_used_at")?,
            kind: TokenKind::parse(&kind)?,
            principal: Principal::read(row)?,
        })
    }
}

/// `last_used_at` is only rewritten when it is older than this, so a busy
/// client does not turn every read into a write.
const LAST_USED_RESOLUTION_MS: i64 = 60_000;

/// Who a token acts for, and which token it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TokenPrincipal {
    pub principal: Principal,
    pub token_id: i64,
    pub kind: TokenKind,
}

/// The token lookup (`$1`: the token's digest), with `columns` and `joins`
/// added for a read that rides along in the same query: one round trip
/// instead of two for a request that authenticates and then reads. Joins
/// reach the caller's organization as `u.organization_id`; their
/// parameters start at `$2`; their columns must not reuse the owner's names.
pub(crate) fn token_lookup(columns: &str, joins: &str) -> String {
    format!(
        "SELECT t.id AS token_id, t.last_used_at, t.kind AS token_kind, {PRINCIPAL_COLUMNS}{columns}
         FROM {} {joins} WHERE t.token_hash = $1",
        token_owner()
    )
}

/// One column of the token lookup's row (`$1`: the digest) as a scalar
/// subquery, for where a query takes no column of an outer one (SQLite's
/// LIMIT and OFFSET).
pub(crate) fn token_lookup_scalar(column: &str) -> String {
    format!(
        "(SELECT {column} FROM {} WHERE t.token_hash = $1)",
        token_owner()
    )
}

/// A token with its owner (`t`, `u`) and the owner's organization (`o`).
fn token_owner() -> String {
    format!("{USERS_AND_ORGANIZATIONS} JOIN api_tokens t ON t.user_id = u.id")
}

/// Finds the owner of a token; `None` when no such token exists.
pub async fn principal_for_token(
    db: &Db,
    token: &ApiToken,
) -> Result<Option<TokenPrincipal>, db::Error> {
    static LOOKUP: LazyLock<String> = LazyLock::new(|| token_lookup("", ""));
    let owner = db
        .read_one::<TokenOwner>(&LOOKUP, params![token.digest()])
        .await?;
    match owner {
        Some(owner) => Ok(Some(token_used(db, owner).await?)),
        None => Ok(None),
    }
}

/// Notes that a token found by [`token_lookup`] was used (at most once a
/// minute), and gives who it acts for.
pub(crate) async fn token_used(db: &Db, owner: TokenOwner) -> Result<TokenPrincipal, db::Error> {
    let now = now_millis();
    if owner
        .last_used_at
        .is_none_or(|at| now - at >= LAST_USED_RESOLUTION_MS)
    {
        record_use(db, owner.token_id, now).await?;
    }
    Ok(TokenPrincipal {
        principal: owner.principal,
        token_id: owner.token_id,
        kind: owner.kind,
    })
}

/// Writes a token's last use unless another request wrote it within the
/// last minute; true when this one did. Concurrent requests with a fresh
/// token all read the old time: the condition, checked again under the row
/// lock, lets only the first write, so the others wait for one commit, not
/// for each other's in turn (a client's first burst stalled behind as many
/// updates of the same row; docs/performance.md).
pub async fn record_use(db: &Db, token_id: i64, now: i64) -> Result<bool, db::Error> {
    let written = db
        .execute(
            "UPDATE api_tokens SET last_used_at = $1
             WHERE id = $2 AND (last_used_at IS NULL OR last_used_at <= $3)",
            params![now, token_id, now - LAST_USED_RESOLUTION_MS],
        )
        .await?;
    Ok(written == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

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
