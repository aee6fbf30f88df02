//! A plain form post (no JavaScript) that fails comes back from leptos as a
//! redirect to its page with the error in the address (`__path`, `__err`).
//! Anyone can write such an address, so pages never read it: this layer
//! moves the error where only the server writes and sends the browser to the
//! clean address. The page takes it from there, once
//! (`pages::common::take_rejection`). A signed-in browser's error goes into its
//! session; any other's (a failed sign-in) into a short-lived signed cookie,
//! so a stranger's failed posts never store anything.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use leptos::server_fn::error::ServerFnUrlError;

use crate::server::browser::cookies::BrowserCookie;
use crate::server::browser::session::AuthSession;
use crate::server::clock::now_millis;
use crate::server::http::request_url::parse_query;
use crate::server::keys::{Purpose, SigningKey};
use crate::server::AppState;
use crate::shared::error::AppError;

/// How long a rejection waits in a cookie for its page.
const COOKIE_LIFETIME: Duration = Duration::from_secs(60);
/// A rejection too big for a cookie (browsers keep ~4 KiB) is dropped.
const MAX_COOKIE_BYTES: usize = 3_500;

pub async fn keep_for_next_page(
    State(state): State<AppState>,
    session: AuthSession,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    if !response.status().is_redirection() {
        return response;
    }
    let Some(location) = response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
    else {
        return response;
    };
    let mut clean = location.clone();
    if let Some((path, error)) = rejection_in(&location) {
        keep(&state, &session, &path, &error, response.headers_mut()).await;
        ServerFnUrlError::<AppError>::strip_error_info(&mut clean);
    }
    // Stripping leptos' parameters can leave an empty query (`/tokens?`).
    if clean.ends_with('?') {
        clean.pop();
    }
    if clean != location {
        if let Ok(clean) = HeaderValue::from_str(&clean) {
            response.headers_mut().insert(LOCATION, clean);
        }
    }
    response
}

/// Keeps `error` for the page of the server function at `path`: in the
/// session when the browser is signed in, else in a cookie on `response`.
async fn keep(
    state: &AppState,
    session: &AuthSession,
    path: &str,
    error: &AppError,
    response: &mut HeaderMap,
) {
    let kept = match session.signed_in().await {
        Ok(Some(_)) => session.keep_rejection(path, error).await,
        Ok(None) => {
            let secure = state.session_settings.secure_cookies;
            if let Some(value) = sealed(&state.keys, path, error, now_millis()) {
                let cookie = BrowserCookie::Rejection.set(&value, COOKIE_LIFETIME, secure);
                response.append(SET_COOKIE, cookie);
            }
            Ok(())
        }
        Err(e) => Err(e),
    };
    if let Err(e) = kept {
        tracing::error!(error = ?e, "could not keep a form's rejection");
    }
}

/// The rejection kept in `headers`' cookie for the server function at
/// `path`, if it is one this server signed and still fresh.
pub fn from_cookie(
    keys: &SigningKey,
    headers: &HeaderMap,
    secure: bool,
    path: &str,
) -> Option<AppError> {
    let value = BrowserCookie::Rejection.read(headers, secure)?;
    let (kept_path, error) = unsealed(keys, &value, now_millis())?;
    (kept_path == path).then_some(error)
}

/// `path` and `error`, signed and good for [`COOKIE_LIFETIME`] from `now`:
/// `<base64url of the JSON>.<signature>`. `None` when too big for a cookie.
fn sealed(keys: &SigningKey, path: &str, error: &AppError, now: i64) -> Option<String> {
    let expires = now + i64::try_from(COOKIE_LIFETIME.as_millis()).unwrap_or(i64::MAX);
    let json = serde_json::to_vec(&(path, error, expires)).ok()?;
    let payload = URL_SAFE_NO_PAD.encode(json);
    let signature = keys.sign(Purpose::Rejection, &[payload.as_bytes()]);
    let value = format!("{payload}.{signature}");
    (value.len() <= MAX_COOKIE_BYTES).then_some(value)
}

fn unsealed(keys: &SigningKey, value: &str, now: i64) -> Option<(String, AppError)> {
    let (payload, signature) = value.rsplit_once('.')?;
    if !keys.verify(Purpose::Rejection, &[payload.as_bytes()], signature) {
        return None;
    }
    let json = URL_SAFE_NO_PAD.decode(payload).ok()?;
    let (path, error, expires): (String, AppError, i64) = serde_json::from_slice(&json).ok()?;
    (expires > now).then_some((path, error))
}

/// The server function path and error a redirect's address carries.
fn rejection_in(location: &str) -> Option<(String, AppError)> {
    let query = location.split_once('?')?.1;
    let query = query.split('#').next().unwrap_or_default();
    let pairs = parse_query(query);
    let value = |key: &str| pairs.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v);
    let path = value("__path")?.clone();
    let error = ServerFnUrlError::<AppError>::decode_err(value("__err")?);
    Some((path, error))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_rejection_opens_only_with_its_key_and_while_fresh() {
        let keys = SigningKey::random();
        let now = 1_000_000;
        let error = AppError::TooManyAttempts(42);
        let value = sealed(&keys, "/api/login", &error, now).unwrap();
        assert_eq!(
            unsealed(&keys, &value, now + 59_999),
            Some(("/api/login".to_owned(), error.clone()))
        );
        assert_eq!(unsealed(&keys, &value, now + 60_000), None);
        assert_eq!(unsealed(&SigningKey::random(), &value, now), None);
        // Another message under the same signature.
        let (_, signature) = value.rsplit_once('.').unwrap();
        let forged = URL_SAFE_NO_PAD.encode(
            serde_json::to_vec(&("/api/login", AppError::BadCredentials, now + 50_000)).unwrap(),
        );
        assert_eq!(unsealed(&keys, &format!("{forged}.{signature}"), now), None);
        assert_eq!(unsealed(&keys, "nonsense", now), None);
    }

    #[test]
    fn a_rejection_too_big_for_a_cookie_is_not_sealed() {
        let keys = SigningKey::random();
        let big = AppError::TestNotDelivered("x".repeat(MAX_COOKIE_BYTES));
        assert_eq!(sealed(&keys, "/api/x", &big, 0), None);
    }
}
