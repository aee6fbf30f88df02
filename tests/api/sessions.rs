//! Browser sessions in the database: expired ones are swept, the idle
//! timeout runs from the last request, a sign-in lasts at most seven days,
//! and the cookie is `__Host-` and Secure when it should be.

use std::collections::HashMap;

use axum::http::StatusCode;
use tower_sessions::session::{Id, Record};
use tower_sessions::SessionStore;
use webhook_admin::server::browser::session::MAX_SIGN_IN_MS;
use webhook_admin::server::browser::sessions::{DbSessionStore, SessionSettings};
use webhook_admin::server::http::site::SiteSettings;

use crate::support::browser::{admin_signed_in, page};
use crate::support::{TestApp, ThrowawayDb, HOST};

fn session_id(cookie: &str) -> Id {
    cookie.split_once('=').unwrap().1.parse().unwrap()
}

async fn page_status(app: &TestApp, cookie: &str) -> (StatusCode, Option<String>) {
    let reply = page(app, "/tokens", cookie).await;
    (reply.status, reply.header("location").map(str::to_owned))
}

/// A signed-in session whose stored expiry is `left` from now, as if its
/// last save were that much less than the idle timeout ago.
async fn signed_in_expiring(
    app: &TestApp,
    left: time::Duration,
) -> (String, DbSessionStore, Record) {
    let (_, cookie) = admin_signed_in(app).await;
    let store = DbSessionStore::new(&app.db);
    let mut record = store.load(&session_id(&cookie)).await.unwrap().unwrap();
    record.expiry_date = time::OffsetDateTime::now_utc() + left;
    store.save(&record).await.unwrap();
    let stored = store.load(&record.id).await.unwrap().unwrap();
    (cookie, store, stored)
}

async fn stored_sessions(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) FROM sessions").await
}

fn record_expiring_in(left: time::Duration) -> Record {
    Record {
        id: Id::default(),
        data: HashMap::from([
            ("user_id".to_owned(), serde_json::json!(7)),
            (
                "rejection".to_owned(),
                serde_json::json!(["/api/x", {"a": [1, "é"]}]),
            ),
        ]),
        expiry_date: time::OffsetDateTime::now_utc() + left,
    }
}

#[tokio::test]
async fn the_store_gives_back_what_it_saved_to_the_millisecond() {
    let app = TestApp::spawn().await;
    let store = DbSessionStore::new(&app.db);
    let mut record = record_expiring_in(time::Duration::hours(1));
    store.create(&mut record).await.unwrap();
    let loaded = store.load(&record.id).await.unwrap().unwrap();
    assert_eq!(loaded.id, record.id);
    assert_eq!(loaded.data, record.data);
    let millis = |at: time::OffsetDateTime| at.unix_timestamp_nanos() / 1_000_000;
    assert_eq!(millis(loaded.expiry_date), millis(record.expiry_date));

    // A save replaces the data and the expiry.
    let mut changed = loaded;
    changed.data.remove("rejection");
    changed.expiry_date += time::Duration::hours(2);
    store.save(&changed).await.unwrap();
    let reloaded = store.load(&record.id).await.unwrap().unwrap();
    assert_eq!(reloaded.data, changed.data);
    assert_eq!(millis(reloaded.expiry_date), millis(changed.expiry_date));
    assert_eq!(stored_sessions(&app).await, 1);

    store.delete(&record.id).await.unwrap();
    assert_eq!(store.load(&record.id).await.unwrap(), None);
    assert_eq!(stored_sessions(&app).await, 0);
}

#[tokio::test]
async fn a_new_session_never_takes_a_stored_ones_id() {
    let app = TestApp::spawn().await;
    let store = DbSessionStore::new(&app.db);
    let mut first = record_expiring_in(time::Duration::hours(1));
    store.create(&mut first).await.unwrap();
    let mut second = record_expiring_in(time::Duration::hours(1));
    second.id = first.id;
    second.data.clear();
    store.create(&mut second).await.unwrap();
    assert_ne!(second.id, first.id, "a new id was drawn");
    assert_eq!(
        store.load(&first.id).await.unwrap().unwrap().data,
        first.data
    );
    assert_eq!(
        store.load(&second.id).await.unwrap().unwrap().data,
        second.data
    );
}

#[tokio::test]
async fn an_expired_session_is_not_loaded() {
    let app = TestApp::spawn().await;
    let store = DbSessionStore::new(&app.db);
    let mut record = record_expiring_in(-time::Duration::seconds(1));
    store.create(&mut record).await.unwrap();
    assert_eq!(stored_sessions(&app).await, 1);
    assert_eq!(store.load(&record.id).await.unwrap(), None);
}

#[tokio::test]
async fn every_request_restarts_the_idle_timeout() {
    let app = TestApp::spawn().await;
    // The session has a minute left...
    let (cookie, store, stored) = signed_in_expiring(&app, time::Duration::minutes(1)).await;
    // ...until the next request, which gives it the whole idle timeout again.
    assert_eq!(page_status(&app, &cookie).await.0, StatusCode::OK);
    let record = store.load(&stored.id).await.unwrap().unwrap();
    let left = record.expiry_date - time::OffsetDateTime::now_utc();
    assert!(left > time::Duration::hours(7), "{left}");
}

#[tokio::test]
async fn a_sign_in_ends_after_seven_days_however_active() {
    let app = TestApp::spawn().await;
    let org = app.org("acme", true).await;
    app.user_token("ann@acme.test", &org, true).await;
    let user_id = webhook_admin::server::accounts::user_id_by_email(
        &app.db,
        &webhook_admin::server::accounts::Email::parse("ann@acme.test").unwrap(),
    )
    .await
    .unwrap();
    let store = DbSessionStore::new(&app.db);
    let now = time::OffsetDateTime::now_utc();
    let session = |signed_in_ago_ms: i64| {
        let signed_in_at = now.unix_timestamp() * 1000 - signed_in_ago_ms;
        Record {
            id: Id::default(),
            data: HashMap::from([
                ("user_id".to_owned(), serde_json::json!(user_id)),
                ("signed_in_at".to_owned(), serde_json::json!(signed_in_at)),
            ]),
            expiry_date: now + time::Duration::hours(1),
        }
    };
    let mut recent = session(3_600_000);
    let mut old = session(MAX_SIGN_IN_MS + 60_000);
    store.create(&mut recent).await.unwrap();
    store.create(&mut old).await.unwrap();

    let cookie = |record: &Record| format!("webhook_admin_session={}", record.id);
    assert_eq!(page_status(&app, &cookie(&recent)).await.0, StatusCode::OK);
    assert_eq!(
        page_status(&app, &cookie(&old)).await,
        (StatusCode::FOUND, Some("/login".to_owned()))
    );
    assert!(store.load(&old.id).await.unwrap().is_none(), "deleted");
}

#[tokio::test]
async fn secure_cookies_are_host_only() {
    let site = SiteSettings {
        public_origin: None,
        allowed_hosts: vec![HOST.to_owned()],
    };
    let sessions = SessionSettings {
        secure_cookies: true,
        ..SessionSettings::default()
    };
    let app = TestApp::with_settings(ThrowawayDb::new().await, site, sessions).await;
    let org = app.org("acme", true).await;
    app.user_token("ann@acme.test", &org, true).await;
    let reply = crate::support::browser::call(
        &app,
        <webhook_admin::pages::login::Login as leptos::server_fn::ServerFn>::PATH,
        None,
        "email=ann@acme.test&password=pw",
    )
    .await;
    let set_cookie = reply.set_cookie("webhook_admin_session").unwrap();
    assert!(
        set_cookie.starts_with("__Host-webhook_admin_session="),
        "{set_cookie}"
    );
    for attribute in ["Secure", "HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(
            set_cookie.contains(attribute),
            "{set_cookie} lacks {attribute}"
        );
    }
    assert!(!set_cookie.contains("Domain"), "{set_cookie}");
}

#[tokio::test]
async fn expired_sessions_are_swept_and_live_ones_kept() {
    use tower_sessions::session_store::ExpiredDeletion;

    let app = TestApp::spawn().await;
    let store = DbSessionStore::new(&app.db);
    let now = time::OffsetDateTime::now_utc();
    let mut expired = Record {
        id: Id::default(),
        data: HashMap::new(),
        expiry_date: now - time::Duration::hours(1),
    };
    let mut live = Record {
        id: Id::default(),
        data: HashMap::new(),
        expiry_date: now + time::Duration::hours(1),
    };
    store.create(&mut expired).await.unwrap();
    store.create(&mut live).await.unwrap();

    let stored = || stored_sessions(&app);
    assert_eq!(stored().await, 2);

    store.delete_expired().await.unwrap();
    assert_eq!(stored().await, 1);
    assert_eq!(
        store.load(&live.id).await.unwrap().map(|r| r.id),
        Some(live.id)
    );
}

#[tokio::test]
async fn a_page_view_soon_after_the_last_save_writes_nothing() {
    let app = TestApp::spawn().await;
    // Saved half a minute ago, as far as the expiry tells...
    let idle = time::Duration::try_from(SessionSettings::default().idle_timeout).unwrap();
    let (cookie, store, stored) =
        signed_in_expiring(&app, idle - time::Duration::seconds(30)).await;
    // ...so a page view would move it by less than the resolution: the
    // stored record is left as it was.
    assert_eq!(page_status(&app, &cookie).await.0, StatusCode::OK);
    let after = store.load(&stored.id).await.unwrap().unwrap();
    assert_eq!(after.expiry_date, stored.expiry_date);
    assert_eq!(after.data, stored.data);
}

#[tokio::test]
async fn the_database_holds_a_digest_of_each_session_id_never_the_id() {
    use sha2::{Digest, Sha256};
    let app = TestApp::spawn().await;
    let (_, cookie) = admin_signed_in(&app).await;
    let value = cookie.split_once('=').unwrap().1;
    let id = session_id(&cookie).0.to_le_bytes();
    let stored: Vec<Vec<u8>> = app.column("SELECT id FROM sessions").await;
    assert_eq!(stored, vec![Sha256::digest(id).to_vec()]);
    let data: Vec<String> = app.column("SELECT data FROM sessions").await;
    assert!(!data.concat().contains(value));
    // The session still signs its browser in.
    assert_eq!(page_status(&app, &cookie).await.0, StatusCode::OK);
}

#[tokio::test]
async fn page_views_of_one_session_at_once_write_nothing_soon_after_its_save() {
    let app = TestApp::spawn().await;
    let idle = time::Duration::try_from(SessionSettings::default().idle_timeout).unwrap();
    let (_, store, stored) = signed_in_expiring(&app, idle - time::Duration::seconds(30)).await;
    // Two requests load the session before either saves it.
    let first = store.load(&stored.id).await.unwrap().unwrap();
    let second = store.load(&stored.id).await.unwrap().unwrap();
    for mut record in [first, second] {
        record.expiry_date += time::Duration::seconds(10);
        store.save(&record).await.unwrap();
    }
    let after = store.load(&stored.id).await.unwrap().unwrap();
    assert_eq!(after.expiry_date, stored.expiry_date);
}
