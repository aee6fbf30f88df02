//! Browser sessions in the database (tower-sessions' sqlx stores), so any
//! instance can serve any request.

use async_trait::async_trait;
use tower_sessions::cookie::SameSite;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::ExpiredDeletion;
use tower_sessions::{session_store, Expiry, SessionManagerLayer, SessionStore};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

use super::db::Db;

/// The store of whichever backend `DATABASE_URL` chose.
#[derive(Clone, Debug)]
pub enum DbSessionStore {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

macro_rules! on_store {
    ($store:expr, $s:ident => $body:expr) => {
        match $store {
            DbSessionStore::Sqlite($s) => $body,
            DbSessionStore::Postgres($s) => $body,
        }
    };
}

impl DbSessionStore {
    /// The store in `db`; its table is made by [`Db::migrate`].
    pub fn new(db: &Db) -> Self {
        match db {
            Db::Sqlite(pool) => DbSessionStore::Sqlite(SqliteStore::new(pool.clone())),
            Db::Postgres(pool) => DbSessionStore::Postgres(PostgresStore::new(pool.clone())),
        }
    }
}

#[async_trait]
impl SessionStore for DbSessionStore {
    // Delegated explicitly: the stores' own `create` handles id collisions.
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        on_store!(self, s => s.create(record).await)
    }
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        on_store!(self, s => s.save(record).await)
    }
    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        on_store!(self, s => s.load(id).await)
    }
    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        on_store!(self, s => s.delete(id).await)
    }
}

#[async_trait]
impl ExpiredDeletion for DbSessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        on_store!(self, s => s.delete_expired().await)
    }
}

impl DbSessionStore {
    /// Removes expired sessions every `period`, for as long as the server
    /// runs; a failed sweep is logged and the next one tries again.
    pub async fn sweep_expired(self, period: std::time::Duration) {
        let mut interval = tokio::time::interval(period);
        loop {
            interval.tick().await;
            if let Err(e) = self.delete_expired().await {
                tracing::warn!(error = %e, "could not delete expired sessions");
            }
        }
    }
}

/// How browser sessions behave; from [`super::config::Config`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionSettings {
    /// `Secure` cookies (see `Config::session_settings`).
    pub secure_cookies: bool,
    /// A session ends after this long without a request.
    pub idle_timeout: std::time::Duration,
}

impl Default for SessionSettings {
    fn default() -> Self {
        SessionSettings {
            secure_cookies: false,
            idle_timeout: std::time::Duration::from_secs(8 * 3600),
        }
    }
}

/// The session cookie's name; `__Host-` (Secure, this host only, path `/`)
/// whenever it is Secure.
pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-webhook_admin_session"
    } else {
        "webhook_admin_session"
    }
}

/// HttpOnly, SameSite=Strict, Secure (see [`SessionSettings`]). Every request
/// saves the session, so its idle timeout runs from the last request.
pub fn layer(
    store: DbSessionStore,
    settings: SessionSettings,
) -> SessionManagerLayer<DbSessionStore> {
    let idle = time::Duration::try_from(settings.idle_timeout).unwrap_or(time::Duration::MAX);
    SessionManagerLayer::new(store)
        .with_name(cookie_name(settings.secure_cookies))
        .with_http_only(true)
        .with_same_site(SameSite::Strict)
        .with_secure(settings.secure_cookies)
        .with_always_save(true)
        .with_expiry(Expiry::OnInactivity(idle))
}
