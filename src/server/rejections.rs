//! A plain form post (no JavaScript) that fails comes back from leptos as a
//! redirect to its page with the error in the address (`__path`, `__err`).
//! Anyone can write such an address, so pages never read it: this layer
//! moves the error into the session, where only the server writes, and
//! sends the browser to the clean address. The page takes it from there,
//! once (`server_fns::take_rejection`).

use axum::extract::Request;
use axum::http::header::LOCATION;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use leptos::server_fn::error::ServerFnUrlError;

use super::api::links::parse_query;
use super::auth_session::AuthSession;
use crate::error::AppError;

pub async fn keep_in_session(session: AuthSession, request: Request, next: Next) -> Response {
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
        if let Err(e) = session.keep_rejection(&path, &error).await {
            tracing::error!(error = ?e, "could not keep a form's rejection");
        }
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
