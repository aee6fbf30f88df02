//! What the browser pages' server functions share: the app state, the
//! signed-in user from the typed session, the webhook permission checks,
//! the layers' errors as [`AppError`], and display shaping.

use std::fmt::Debug;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::ConnectInfo;

use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

use crate::server::accounts::{
    self, AccountError, SessionUser, SignInError, SignInFrom, TokenInfo,
};
use crate::server::browser::cookies::BrowserCookie;
use crate::server::browser::rejections;
use crate::server::browser::session::{AuthSession, SessionError};
use crate::server::clock::{self, format_display, format_millis};
use crate::server::db;
use crate::server::delivery::deliveries::DeliveryError;
use crate::server::http::client::throttle_key;
use crate::server::webhooks::history::{ActorKind, HistoryEntry};
use crate::server::webhooks::{AccessDenied, Action, ServiceError, Via, Webhook, WebhookScope};
use crate::server::AppState;
use crate::shared::error::AppError;
use crate::shared::wire::{HistoryRow, Timestamp, TokenRow, WebhookRow};

/// The app's state, from the request's context. An error when the request
/// is gone: a page's resource polled after its client went away (the
/// request's reactive owner dropped with the response) finds no context.
pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(request_gone)
}

pub async fn auth_session() -> Result<AuthSession, AppError> {
    if use_context::<Parts>().is_none() {
        return Err(request_gone());
    }
    leptos_axum::extract::<AuthSession>()
        .await
        .map_err(internal)
}

/// Nobody waits for this answer any more: not a failure worth an error log.
fn request_gone() -> AppError {
    tracing::debug!("a page request ended before its server function ran");
    AppError::Server
}

/// Who is signing in, as the throttle counts them: the client's address
/// (the TCP peer's, or behind `TRUSTED_PROXIES` the one they forwarded for;
/// "unknown" when the server was not reached over TCP, as in tests) and the
/// browser's known-device cookie.
pub struct Caller {
    address: String,
    known_device: Option<String>,
}

impl Caller {
    pub fn sign_in_from(&self) -> SignInFrom<'_> {
        SignInFrom {
            address: &self.address,
            known_device: self.known_device.as_deref(),
        }
    }
}

pub async fn caller() -> Result<Caller, AppError> {
    let state = state()?;
    let headers = request_headers();
    let peer = leptos_axum::extract::<ConnectInfo<SocketAddr>>().await;
    Ok(Caller {
        address: peer.map_or_else(
            |_| "unknown".to_owned(),
            |ConnectInfo(peer)| throttle_key(state.proxies.client_ip(peer.ip(), &headers)),
        ),
        known_device: BrowserCookie::KnownDevice
            .read(&headers, state.session_settings.secure_cookies),
    })
}

fn request_headers() -> HeaderMap {
    use_context::<Parts>()
        .map(|parts| parts.headers)
        .unwrap_or_default()
}

/// After a sign-in: the browser keeps `known_device` (its proof of having
/// signed in), and a failed sign-in's message waiting in a cookie goes.
pub fn remember_device(known_device: &str) {
    let (Some(response), Ok(state)) = (use_context::<ResponseOptions>(), state()) else {
        return;
    };
    let secure = state.session_settings.secure_cookies;
    let lifetime = std::time::Duration::from_millis(accounts::KNOWN_FOR_MS.unsigned_abs());
    response.append_header(
        header::SET_COOKIE,
        BrowserCookie::KnownDevice.set(known_device, lifetime, secure),
    );
    response.append_header(header::SET_COOKIE, BrowserCookie::Rejection.clear(secure));
}

/// The failed form's message for the server function at `path` that waits
/// in this browser's cookie, taken: the response removes the cookie.
pub fn take_cookie_rejection(path: &str) -> Option<AppError> {
    let state = state().ok()?;
    let secure = state.session_settings.secure_cookies;
    let error = rejections::from_cookie(&state.keys, &request_headers(), secure, path)?;
    if let Some(response) = use_context::<ResponseOptions>() {
        response.append_header(header::SET_COOKIE, BrowserCookie::Rejection.clear(secure));
    }
    Some(error)
}

/// The active user this request's session belongs to, if any. Read once
/// per request where the request provides a [`RequestUser`].
pub async fn current_user() -> Result<Option<SessionUser>, AppError> {
    match use_context::<RequestUser>() {
        Some(once) => once.get_or_load(load_current_user).await,
        None => load_current_user().await,
    }
}

async fn load_current_user() -> Result<Option<SessionUser>, AppError> {
    let session = auth_session().await?;
    let Some(signed_in) = session.signed_in().await? else {
        return Ok(None);
    };
    let user = accounts::session_user(&state()?.db, signed_in.user_id).await?;
    match user {
        // A password change since this sign-in ended it.
        Some(user) if signed_in.at < user.sessions_valid_after => {
            session.sign_out().await?;
            Ok(None)
        }
        user => Ok(user.filter(|u| u.principal.is_active)),
    }
}

/// The signed-in user, once loaded, for the rest of one request: a page
/// asks in its top bar and again in its own data (on `/webhooks`, one
/// database round trip in four).
#[derive(Clone, Default)]
pub struct RequestUser(Arc<tokio::sync::OnceCell<Option<SessionUser>>>);

impl RequestUser {
    async fn get_or_load<F, Fut>(&self, load: F) -> Result<Option<SessionUser>, AppError>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<Option<SessionUser>, AppError>>,
    {
        self.0.get_or_try_init(load).await.cloned()
    }
}

pub async fn signed_in_user() -> Result<SessionUser, AppError> {
    current_user().await?.ok_or(AppError::NotSignedIn)
}

/// The same permission checks as the REST API, for the signed-in user.
pub async fn webhook_scope() -> Result<WebhookScope, AppError> {
    let user = signed_in_user().await?;
    Ok(WebhookScope::for_principal(&user.principal, Via::Browser)?)
}

/// Logs an internal failure with its cause, once; the page only learns
/// that something failed.
fn internal(cause: impl Debug) -> AppError {
    tracing::error!(?cause, "page request failed");
    AppError::Server
}

/// A failed query: the database being away is worth a retry, not a bug.
fn database_failure(error: db::Error) -> AppError {
    if error.is_unavailable() {
        tracing::warn!(?error, "database unavailable");
        AppError::Unavailable
    } else {
        internal(error)
    }
}

impl From<DeliveryError> for AppError {
    fn from(error: DeliveryError) -> Self {
        match error {
            DeliveryError::Webhook(error) => error.into(),
            DeliveryError::NotFound => AppError::NotFound,
            DeliveryError::AlreadyWaiting => AppError::AlreadyWaiting,
            DeliveryError::WebhookOff => AppError::WebhookOff,
        }
    }
}

impl From<ServiceError> for AppError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::NotFound | ServiceError::InvalidPage => AppError::NotFound,
            ServiceError::Changed => AppError::Stale,
            ServiceError::KeyReused => AppError::FormReused,
            ServiceError::TestTooSoon { retry_after_secs } => {
                AppError::TestTooSoon(retry_after_secs)
            }
            ServiceError::TestsThrottled { retry_after_secs } => {
                AppError::TestsThrottled(retry_after_secs)
            }
            ServiceError::Database(e) => database_failure(e),
        }
    }
}

impl From<AccessDenied> for AppError {
    fn from(denied: AccessDenied) -> Self {
        match denied {
            AccessDenied::Inactive => AppError::NotSignedIn,
            // Only a token is limited to events; a browser session never is.
            AccessDenied::NotSuperuser | AccessDenied::EventsOnly => AppError::NotSuperuser,
            AccessDenied::FeatureDisabled => AppError::FeatureDisabled,
        }
    }
}

impl From<SignInError> for AppError {
    fn from(error: SignInError) -> Self {
        match error {
            SignInError::BadCredentials => AppError::BadCredentials,
            SignInError::TooManyAttempts { retry_after_secs } => {
                AppError::TooManyAttempts(retry_after_secs)
            }
            SignInError::Busy(_) => AppError::Busy,
            SignInError::Database(e) => database_failure(e),
        }
    }
}

impl From<AccountError> for AppError {
    fn from(error: AccountError) -> Self {
        internal(error)
    }
}

impl From<SessionError> for AppError {
    fn from(error: SessionError) -> Self {
        internal(error)
    }
}

impl From<db::Error> for AppError {
    fn from(error: db::Error) -> Self {
        database_failure(error)
    }
}

/// Sets the status of the page being rendered (server-side rendering only).
pub fn set_status(status: axum::http::StatusCode) {
    if let Some(response) = use_context::<ResponseOptions>() {
        response.set_status(status);
    }
}

pub fn timestamp(millis: i64) -> Timestamp {
    let machine = format_millis(millis);
    let human = clock::display_of(&machine).unwrap_or_else(|| format_display(millis));
    Timestamp { machine, human }
}

pub fn webhook_row(webhook: &Webhook) -> WebhookRow {
    WebhookRow {
        id: webhook.id,
        version: webhook.version(),
        name: webhook.name.clone(),
        masked_url: webhook.masked_url(),
        description: webhook.description.clone(),
        active: webhook.active,
        created: timestamp(webhook.created_at),
        updated: timestamp(webhook.updated_at),
    }
}

pub fn history_row(entry: &HistoryEntry) -> HistoryRow {
    let fields: Vec<&str> = entry.field_names().collect();
    let what = match entry.action {
        Action::Created => "Created".to_owned(),
        Action::Updated if fields.is_empty() => "Saved without changes".to_owned(),
        Action::Updated => format!("Changed {}", fields.join(", ")),
        Action::Deleted => "Deleted".to_owned(),
        Action::UrlRevealed => "Revealed the URL".to_owned(),
        Action::TestSent => "Sent a test message".to_owned(),
        Action::Deactivated => format!(
            "Turned off: Slack answered {}",
            entry.reason.as_deref().unwrap_or("that it is gone")
        ),
    };
    let via = match (entry.actor_kind, entry.token_prefix.as_deref()) {
        (Some(ActorKind::ApiToken), Some(prefix)) => format!("API token {prefix}…"),
        (Some(ActorKind::ApiToken), None) => "API token".to_owned(),
        (Some(kind), _) => kind.as_str().to_owned(),
        (None, _) => String::new(),
    };
    HistoryRow {
        id: entry.id,
        webhook_id: entry.webhook_id,
        webhook_name: entry.webhook_name.clone(),
        what,
        actor: match entry.actor_kind {
            Some(ActorKind::Delivery) => "webhook-admin".to_owned(),
            _ => entry.actor_email.clone(),
        },
        via,
        at: timestamp(entry.at),
    }
}

/// 128 random bits as 32 hex digits.
pub fn random_key() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub fn token_row(token: &TokenInfo) -> TokenRow {
    TokenRow {
        id: token.id,
        prefix: token.prefix.clone(),
        created: timestamp(token.created_at),
        last_used: token.last_used_at.map(timestamp),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::{current_user, state, RequestUser};
    use crate::shared::error::AppError;

    /// A page's resource polled after its request ended (the client went
    /// away) runs without the request's context: it fails, it does not panic.
    #[tokio::test]
    async fn a_server_function_whose_request_is_gone_fails_without_a_panic() {
        assert_eq!(state().err(), Some(AppError::Server));
        assert_eq!(current_user().await, Err(AppError::Server));
    }

    #[tokio::test]
    async fn a_request_loads_its_user_once_and_a_failure_not_at_all() {
        let loads = AtomicUsize::new(0);
        let once = RequestUser::default();
        let failing = once
            .get_or_load(|| async {
                loads.fetch_add(1, Ordering::SeqCst);
                Err(AppError::Unavailable)
            })
            .await;
        assert_eq!(failing, Err(AppError::Unavailable));
        for _ in 0..3 {
            let user = once
                .get_or_load(|| async {
                    loads.fetch_add(1, Ordering::SeqCst);
                    Ok(None)
                })
                .await;
            assert_eq!(user, Ok(None));
        }
        // The failure, then one load for the three asks after it.
        assert_eq!(loads.load(Ordering::SeqCst), 2);
    }
}
