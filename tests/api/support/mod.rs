//! A throwaway instance of the real application per test: its own SQLite
//! file, or its own PostgreSQL database when `TEST_BACKEND=postgres`.

pub mod browser;
pub mod cli;
pub mod engine;
pub mod fake_slack;
pub mod process;

use std::sync::atomic::{AtomicUsize, Ordering};

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;
use webhook_admin::server::accounts::{self, Email, OrgSlug, Password};
use webhook_admin::server::browser::sessions::SessionSettings;
use webhook_admin::server::db::{self, Db, Single};
use webhook_admin::server::http::client::TrustedProxies;
use webhook_admin::server::http::site::SiteSettings;
use webhook_admin::server::keys::SigningKey;
use webhook_admin::server::{app, AppState};

pub const GOOD_URL: &str =
    "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX";
pub const HOST: &str = "testserver";

/// A time as the API and the command line write it: UTC, RFC 3339, with
/// milliseconds (`2026-11-27T14:03:07.123Z`).
pub fn is_api_timestamp(value: &Value) -> bool {
    let text = value.as_str().unwrap_or_default();
    let bytes = text.as_bytes();
    bytes.len() == 24
        && bytes[4] == b'-'
        && bytes[10] == b'T'
        && bytes[19] == b'.'
        && bytes[23] == b'Z'
        && text[20..23].bytes().all(|b| b.is_ascii_digit())
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub fn backend() -> Backend {
    match std::env::var("TEST_BACKEND").as_deref() {
        Ok("postgres") => Backend::Postgres,
        Ok("sqlite") | Err(_) => Backend::Sqlite,
        Ok(other) => panic!("TEST_BACKEND must be sqlite or postgres, not {other:?}"),
    }
}

fn postgres_admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// A database that exists for one test and is removed after it.
pub struct ThrowawayDb {
    pub url: String,
    postgres_name: Option<String>,
    sqlite_path: Option<std::path::PathBuf>,
}

impl ThrowawayDb {
    /// A database on the backend this run tests (`TEST_BACKEND`).
    pub async fn new() -> ThrowawayDb {
        ThrowawayDb::on(backend()).await
    }

    pub async fn on(backend: Backend) -> ThrowawayDb {
        let unique = format!(
            "{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .subsec_nanos()
        );
        match backend {
            Backend::Sqlite => {
                let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
                    .join(format!("test_{unique}.db"));
                ThrowawayDb {
                    url: format!("sqlite://{}", path.display()),
                    postgres_name: None,
                    sqlite_path: Some(path),
                }
            }
            Backend::Postgres => {
                let name = format!("wa_test_{unique}");
                let admin = sqlx::PgPool::connect(&postgres_admin_url())
                    .await
                    .expect("PostgreSQL is reachable");
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&admin)
                    .await
                    .unwrap();
                admin.close().await;
                let base = postgres_admin_url();
                let url = format!("{}/{name}", base.rsplit_once('/').unwrap().0);
                ThrowawayDb {
                    url,
                    postgres_name: Some(name),
                    sqlite_path: None,
                }
            }
        }
    }
}

impl Drop for ThrowawayDb {
    fn drop(&mut self) {
        if let Some(path) = &self.sqlite_path {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
        }
        if let Some(name) = self.postgres_name.take() {
            // Drop cannot await: use a runtime of its own on a fresh thread.
            let _ = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                runtime.block_on(async {
                    if let Ok(admin) = sqlx::PgPool::connect(&postgres_admin_url()).await {
                        let _ =
                            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                                .execute(&admin)
                                .await;
                        admin.close().await;
                    }
                });
            })
            .join();
        }
    }
}

pub struct TestApp {
    pub db: Db,
    pub state: AppState,
    router: Router,
    // Last, so the pool is dropped before the database is.
    pub database: ThrowawayDb,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        TestApp::over(ThrowawayDb::new().await).await
    }

    /// The application over a database that already exists.
    pub async fn over(database: ThrowawayDb) -> TestApp {
        let site = SiteSettings {
            public_origin: None,
            allowed_hosts: vec![HOST.to_owned()],
        };
        TestApp::with_site(database, site).await
    }

    /// The application with these site settings (public URL, allowed hosts).
    pub async fn with_site(database: ThrowawayDb, site: SiteSettings) -> TestApp {
        TestApp::with_settings(database, site, SessionSettings::default()).await
    }

    pub async fn with_settings(
        database: ThrowawayDb,
        site: SiteSettings,
        sessions: SessionSettings,
    ) -> TestApp {
        let db = Db::connect(&database.url)
            .await
            .expect("throwaway database opens");
        TestApp::on(db, database, site, sessions).await
    }

    /// The application over an open pool (`database` is what it points at).
    pub async fn on(
        db: Db,
        database: ThrowawayDb,
        site: SiteSettings,
        sessions: SessionSettings,
    ) -> TestApp {
        db.migrate().await.expect("migrations run");
        let leptos_options = leptos::prelude::get_configuration(Some("Cargo.toml"))
            .unwrap()
            .leptos_options;
        let keys = SigningKey::load_or_create(&db)
            .await
            .expect("the key loads");
        let state = AppState::new(db.clone(), keys, leptos_options, sessions, site);
        let router = app(state.clone());
        TestApp {
            db,
            state,
            router,
            database,
        }
    }

    /// The same application, its test messages sent to `base_url` (a fake Slack).
    pub fn with_slack_base_url(mut self, base_url: &str) -> TestApp {
        self.state = self.state.with_slack_base_url(Some(base_url.to_owned()));
        self.router = app(self.state.clone());
        self
    }

    /// A number the database answers `sql` with (`SELECT COUNT(*) …`).
    pub async fn count(&self, sql: &str) -> i64 {
        let Some(Single(n)) = self.db.read_one(sql, &[]).await.unwrap() else {
            panic!("no row for {sql}");
        };
        n
    }

    /// Runs a statement that returns nothing.
    pub async fn execute(&self, sql: &str) {
        self.db.execute(sql, &[]).await.unwrap();
    }

    /// Every value of the one column `sql` selects.
    pub async fn column<T: db::Value + Send + 'static>(&self, sql: &str) -> Vec<T> {
        let rows: Vec<Single<T>> = self.db.read_all(sql, &[]).await.unwrap();
        rows.into_iter().map(|Single(value)| value).collect()
    }

    /// The same application, believing these proxies' `X-Forwarded-For`.
    pub fn with_trusted_proxies(mut self, proxies: TrustedProxies) -> TestApp {
        self.state = self.state.with_trusted_proxies(proxies);
        self.router = app(self.state.clone());
        self
    }

    /// An organization; returns its slug.
    pub async fn org(&self, slug: &str, webhooks_enabled: bool) -> OrgSlug {
        let slug = OrgSlug::parse(slug).unwrap();
        accounts::create_organization(&self.db, &slug, webhooks_enabled)
            .await
            .unwrap();
        slug
    }

    /// A user of `org` with a fresh token; returns the token.
    pub async fn user_token(&self, email: &str, org: &OrgSlug, superuser: bool) -> String {
        let email = Email::parse(email).unwrap();
        let user_id = accounts::create_user(
            &self.db,
            &email,
            org,
            superuser,
            Some(&Password::parse("pw").unwrap()),
        )
        .await
        .unwrap();
        accounts::create_token(&self.db, user_id, accounts::TokenKind::Full)
            .await
            .unwrap()
            .as_str()
            .to_owned()
    }

    /// A super user of a fresh organization with Webhooks on.
    pub async fn admin_token(&self) -> String {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let org = self.org(&format!("org-{n}"), true).await;
        self.user_token(&format!("admin{n}@example.com"), &org, true)
            .await
    }

    pub fn request(&self, method: &str, path: &str) -> RequestBuilder<'_> {
        RequestBuilder {
            app: self,
            builder: Request::builder()
                .method(Method::from_bytes(method.as_bytes()).unwrap())
                .uri(path),
            body: Vec::new(),
        }
    }

    pub fn get(&self, path: &str, token: &str) -> RequestBuilder<'_> {
        self.request("GET", path).token(token)
    }

    /// Creates a webhook through the API and returns its JSON.
    pub async fn create(&self, token: &str, body: Value) -> Value {
        let reply = self
            .request("POST", "/api/v2/webhooks/")
            .token(token)
            .json(&body)
            .send()
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
        reply.json()
    }

    pub async fn create_named(&self, token: &str, name: &str) -> Value {
        self.create(token, serde_json::json!({"name": name, "url": GOOD_URL}))
            .await
    }
}

pub struct RequestBuilder<'a> {
    app: &'a TestApp,
    builder: axum::http::request::Builder,
    body: Vec<u8>,
}

impl RequestBuilder<'_> {
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.builder = self.builder.header(name, value);
        self
    }

    /// As if sent over TCP from `peer` (`ip:port`).
    pub fn peer(mut self, peer: &str) -> Self {
        let peer: std::net::SocketAddr = peer.parse().unwrap();
        self.builder = self.builder.extension(axum::extract::ConnectInfo(peer));
        self
    }

    pub fn token(self, token: &str) -> Self {
        self.header("authorization", &format!("Token {token}"))
    }

    pub fn json(self, body: &Value) -> Self {
        self.body("application/json", serde_json::to_vec(body).unwrap())
    }

    pub fn body(mut self, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self.header("content-type", content_type)
    }

    /// Sends the request, to `Host: testserver` unless it names another.
    pub async fn send(mut self) -> Reply {
        let has_host = self
            .builder
            .headers_ref()
            .is_some_and(|headers| headers.contains_key("host"));
        if !has_host {
            self.builder = self.builder.header("host", HOST);
        }
        let request = self.builder.body(Body::from(self.body)).unwrap();
        let response = self.app.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        Reply {
            status,
            headers,
            body,
        }
    }
}

#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }

    /// The whole `Set-Cookie` value for the cookie whose name ends with
    /// `name` (so `webhook_admin_session` finds `__Host-…` too).
    pub fn set_cookie(&self, name: &str) -> Option<&str> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap())
            .find(|v| v.split('=').next().is_some_and(|n| n.ends_with(name)))
    }

    /// Asserts a 429 whose `Retry-After` is within `seconds`; returns it.
    #[track_caller]
    pub fn assert_throttled(&self, seconds: std::ops::RangeInclusive<i64>) -> i64 {
        assert_eq!(self.status.as_u16(), 429, "{}", self.text());
        let retry_after: i64 = self.header("retry-after").unwrap().parse().unwrap();
        assert!(seconds.contains(&retry_after), "Retry-After: {retry_after}");
        retry_after
    }

    /// Asserts the status and a `{"detail": ...}` body.
    #[track_caller]
    pub fn assert_detail(&self, status: u16, detail: &str) {
        assert_eq!(self.status.as_u16(), status, "{}", self.text());
        assert_eq!(self.json(), serde_json::json!({ "detail": detail }));
    }
}
