//! Browser sessions in the database (tower-sessions' sqlx stores), so any
//! instance can serve any request.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use tower_sessions::cookie::SameSite;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::ExpiredDeletion;
use tower_sessions::{session_store, Expiry, SessionManagerLayer, SessionStore};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

use super::db::Db;

/// The store of whichever backend `DATABASE_URL` chose.
#[derive(Clone, Debug)]
pub struct DbSessionStore {
    backend: Backend,
    loaded: Arc<LoadedRecords>,
}

#[derive(Clone, Debug)]
enum Backend {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

macro_rules! on_store {
    ($store:expr, $s:ident => $body:expr) => {
        match &$store.backend {
            Backend::Sqlite($s) => $body,
            Backend::Postgres($s) => $body,
        }
    };
}

impl DbSessionStore {
    /// The store in `db`; its table is made by [`Db::migrate`].
    pub fn new(db: &Db) -> Self {
        let backend = match db {
            Db::Sqlite(pool, ..) => Backend::Sqlite(SqliteStore::new(pool.clone())),
            Db::Postgres(pool, _) => Backend::Postgres(PostgresStore::new(pool.clone())),
        };
        DbSessionStore {
            backend,
            loaded: Arc::default(),
        }
    }
}

/// Every request saves its session, to push the idle timeout back; a save
/// that would change nothing but move the expiry forward by less than this
/// is skipped. Without it every page view was a database write (2,345
/// signed-in pages/s on SQLite, 969 on PostgreSQL).
pub const EXPIRY_RESOLUTION: time::Duration = time::Duration::minutes(1);

/// The records as this process last read or wrote them, by id: what a save
/// is compared with. Entries are taken by the save that follows the load.
#[derive(Debug, Default)]
struct LoadedRecords(Mutex<HashMap<Id, Record>>);

/// Requests that load a session and then fail before saving it leave an
/// entry behind; past this many, the map starts again (a few extra writes).
const MAX_LOADED: usize = 10_000;

impl LoadedRecords {
    fn remember(&self, record: &Record) {
        let mut loaded = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if loaded.len() >= MAX_LOADED {
            loaded.clear();
        }
        loaded.insert(record.id, record.clone());
    }

    fn forget(&self, id: &Id) -> Option<Record> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).remove(id)
    }

    /// True when the database already holds `record` but for an expiry
    /// less than [`EXPIRY_RESOLUTION`] earlier.
    fn holds_nearly(&self, record: &Record) -> bool {
        self.forget(&record.id).is_some_and(|stored| {
            let moved = record.expiry_date - stored.expiry_date;
            stored.data == record.data && !moved.is_negative() && moved < EXPIRY_RESOLUTION
        })
    }
}

#[async_trait]
impl SessionStore for DbSessionStore {
    // Delegated explicitly: the stores' own `create` handles id collisions.
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        on_store!(self, s => s.create(record).await)
    }
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        if self.loaded.holds_nearly(record) {
            return Ok(());
        }
        on_store!(self, s => s.save(record).await)
    }
    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let record = on_store!(self, s => s.load(id).await)?;
        if let Some(record) = &record {
            self.loaded.remember(record);
        }
        Ok(record)
    }
    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.loaded.forget(id);
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
/// saves the session, so its idle timeout runs from the last request (to
/// within [`EXPIRY_RESOLUTION`]).
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
