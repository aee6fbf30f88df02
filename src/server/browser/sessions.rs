//! Browser sessions in the database, so any instance can serve any request.
//! The table is this schema's own (`sessions`): a record under the SHA-256
//! of its id, its data as JSON and its expiry in ms since the epoch. A session is loaded on every
//! signed-in page, so the load is a [`Db::read_one`] (on SQLite, on the
//! request's own thread).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use tower_sessions::cookie::SameSite;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion};
use tower_sessions::{Expiry, SessionManagerLayer, SessionStore};

use crate::server::browser::cookies::BrowserCookie;
use crate::server::clock::now_millis;
use crate::server::db::{self, params, read_by_name, Db};

/// The sessions of `db` (its table is made by [`Db::migrate`]).
#[derive(Clone, Debug)]
pub struct DbSessionStore {
    db: Db,
    loaded: Arc<LoadedRecords>,
}

impl DbSessionStore {
    pub fn new(db: &Db) -> Self {
        DbSessionStore {
            db: db.clone(),
            loaded: Arc::default(),
        }
    }
}

/// Every request saves its session, to push the idle timeout back; a save
/// that would change nothing but move the expiry forward by less than this
/// is skipped. Without it every page view was a database write.
pub const EXPIRY_RESOLUTION: time::Duration = time::Duration::minutes(1);

/// The records as this process last read or wrote them, by id: what a save
/// is compared with. An entry stays after the save that follows its load:
/// page views of one session at once (a browser's parallel requests) load
/// the same record, and each of their saves is compared with it.
#[derive(Debug, Default)]
struct LoadedRecords(Mutex<HashMap<Id, Record>>);

/// Every session loaded keeps an entry until it is deleted; past this many
/// the map starts again (a few extra writes).
const MAX_LOADED: usize = 10_000;

impl LoadedRecords {
    fn remember(&self, record: &Record) {
        let mut loaded = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if loaded.len() >= MAX_LOADED {
            loaded.clear();
        }
        loaded.insert(record.id, record.clone());
    }

    fn forget(&self, id: &Id) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).remove(id);
    }

    /// True when the database already holds `record` but for an expiry
    /// less than [`EXPIRY_RESOLUTION`] earlier.
    fn holds_nearly(&self, record: &Record) -> bool {
        let loaded = self.0.lock().unwrap_or_else(|e| e.into_inner());
        loaded.get(&record.id).is_some_and(|stored| {
            let moved = record.expiry_date - stored.expiry_date;
            stored.data == record.data && !moved.is_negative() && moved < EXPIRY_RESOLUTION
        })
    }
}

/// A session's row, found by [`stored_id`].
struct StoredSession {
    data: String,
    expires_at: i64,
}

read_by_name!(StoredSession { data, expires_at });

/// What a session is stored under: the SHA-256 of its id. The cookie *is*
/// the id, so a copy of the database (or of a backup) must not hold it.
fn stored_id(id: &Id) -> [u8; 32] {
    Sha256::digest(id.0.to_le_bytes()).into()
}

fn millis(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

fn backend(error: db::Error) -> session_store::Error {
    session_store::Error::Backend(error.to_string())
}

impl DbSessionStore {
    /// Writes `record` under its id: a new row, or (`replace`) over the one
    /// there. False when the id is taken and `replace` is not set.
    async fn write(&self, record: &Record, replace: bool) -> session_store::Result<bool> {
        let data = serde_json::to_string(&record.data)
            .map_err(|e| session_store::Error::Encode(e.to_string()))?;
        let sql = if replace {
            "INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3)
             ON CONFLICT (id) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at"
        } else {
            "INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3)"
        };
        let id = stored_id(&record.id);
        let values = params![&id, data.as_str(), millis(record.expiry_date)];
        match self.db.execute(sql, values).await {
            Ok(_) => Ok(true),
            Err(e) if !replace && e.is_unique_violation() => Ok(false),
            Err(e) => Err(backend(e)),
        }
    }
}

#[async_trait]
impl SessionStore for DbSessionStore {
    /// A new session under a new id: another is drawn while the id is taken.
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        while !self.write(record, false).await? {
            record.id = Id::default();
        }
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        if self.loaded.holds_nearly(record) {
            return Ok(());
        }
        self.write(record, true).await?;
        self.loaded.remember(record);
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let id_bytes = stored_id(id);
        let stored = self
            .db
            .read_one::<StoredSession>(
                "SELECT data, expires_at FROM sessions WHERE id = $1 AND expires_at > $2",
                params![&id_bytes, now_millis()],
            )
            .await
            .map_err(backend)?;
        let Some(stored) = stored else {
            return Ok(None);
        };
        let decode = |e: &dyn std::fmt::Display| session_store::Error::Decode(e.to_string());
        let record = Record {
            id: *id,
            data: serde_json::from_str(&stored.data).map_err(|e| decode(&e))?,
            expiry_date: OffsetDateTime::from_unix_timestamp_nanos(
                i128::from(stored.expires_at) * 1_000_000,
            )
            .map_err(|e| decode(&e))?,
        };
        self.loaded.remember(&record);
        Ok(Some(record))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.loaded.forget(id);
        let id = stored_id(id);
        self.db
            .execute("DELETE FROM sessions WHERE id = $1", params![&id])
            .await
            .map(drop)
            .map_err(backend)
    }
}

#[async_trait]
impl ExpiredDeletion for DbSessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        self.db
            .execute(
                "DELETE FROM sessions WHERE expires_at <= $1",
                params![now_millis()],
            )
            .await
            .map(drop)
            .map_err(backend)
    }
}

/// How browser sessions behave; from [`crate::server::config::Config`].
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

/// HttpOnly, SameSite=Strict, Secure (see [`SessionSettings`]). Every request
/// saves the session, so its idle timeout runs from the last request (to
/// within [`EXPIRY_RESOLUTION`]).
pub fn layer(
    store: DbSessionStore,
    settings: SessionSettings,
) -> SessionManagerLayer<DbSessionStore> {
    let idle = time::Duration::try_from(settings.idle_timeout).unwrap_or(time::Duration::MAX);
    SessionManagerLayer::new(store)
        .with_name(BrowserCookie::Session.name(settings.secure_cookies))
        .with_http_only(true)
        .with_same_site(SameSite::Strict)
        .with_secure(settings.secure_cookies)
        .with_always_save(true)
        .with_expiry(Expiry::OnInactivity(idle))
}
