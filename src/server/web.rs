//! What the browser pages' server functions share: the signed-in user from
//! the session, the webhook permission checks, and display shaping.

use leptos::prelude::*;
use tower_sessions::Session;

use super::accounts::{self, SessionUser, TokenInfo};
use super::clock::{format_display, format_millis};
use super::sessions::USER_ID_KEY;
use super::webhooks::{AccessDenied, ServiceError, Webhook, WebhookScope};
use super::AppState;
use crate::views::{AppError, Timestamp, TokenRow, WebhookRow};

/// Logs an internal failure; the page only learns that something failed.
pub fn internal(cause: impl std::fmt::Display) -> AppError {
    tracing::error!(%cause, "page request failed");
    AppError::Server
}

impl From<ServiceError> for AppError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::NotFound | ServiceError::InvalidPage => AppError::NotFound,
            ServiceError::Database(e) => internal(e),
        }
    }
}

impl From<AccessDenied> for AppError {
    fn from(denied: AccessDenied) -> Self {
        match denied {
            AccessDenied::Inactive => AppError::NotSignedIn,
            AccessDenied::NotSuperuser => AppError::NotSuperuser,
            AccessDenied::FeatureDisabled => AppError::FeatureDisabled,
        }
    }
}

pub fn state() -> AppState {
    expect_context::<AppState>()
}

pub async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(internal)
}

/// The active user this request's session belongs to, if any.
pub async fn current_user() -> Result<Option<SessionUser>, AppError> {
    let session = session().await?;
    let Some(user_id) = session.get::<i64>(USER_ID_KEY).await.map_err(internal)? else {
        return Ok(None);
    };
    let user = accounts::session_user(&state().db, user_id)
        .await
        .map_err(internal)?;
    Ok(user.filter(|u| u.principal.is_active))
}

pub async fn signed_in_user() -> Result<SessionUser, AppError> {
    current_user().await?.ok_or(AppError::NotSignedIn)
}

/// The same permission checks as the REST API, for the signed-in user.
pub async fn webhook_scope() -> Result<WebhookScope, AppError> {
    let user = signed_in_user().await?;
    Ok(WebhookScope::for_principal(&user.principal)?)
}

pub fn timestamp(millis: i64) -> Timestamp {
    Timestamp {
        machine: format_millis(millis),
        human: format_display(millis),
    }
}

pub fn webhook_row(webhook: &Webhook) -> WebhookRow {
    WebhookRow {
        id: webhook.id,
        name: webhook.name.clone(),
        masked_url: webhook.masked_url(),
        description: webhook.description.clone(),
        active: webhook.active,
        created: timestamp(webhook.created_at),
        updated: timestamp(webhook.updated_at),
    }
}

pub fn token_row(token: &TokenInfo) -> TokenRow {
    TokenRow {
        id: token.id,
        prefix: token.prefix.clone(),
        created: timestamp(token.created_at),
        last_used: token.last_used_at.map(timestamp),
    }
}

/// Gives a server function's error its HTTP status (a browser without
/// JavaScript is redirected back instead, with the error in the address).
pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    use axum::http::StatusCode;
    if let (Err(error), false) = (&result, wants_html()) {
        set_status(match error {
            AppError::NotSignedIn | AppError::BadCredentials => StatusCode::UNAUTHORIZED,
            AppError::NotSuperuser | AppError::FeatureDisabled => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Invalid(..) => StatusCode::BAD_REQUEST,
            AppError::TooManyAttempts(retry_after_secs) => {
                if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
                    response.insert_header(
                        axum::http::header::RETRY_AFTER,
                        axum::http::HeaderValue::from(*retry_after_secs),
                    );
                }
                StatusCode::TOO_MANY_REQUESTS
            }
            AppError::Server | AppError::ServerFn(_) => StatusCode::INTERNAL_SERVER_ERROR,
        });
    }
    result
}

/// A plain form post (no JavaScript) or a page render: the browser gets a
/// redirect or a page, whose status is not the server function's to set.
fn wants_html() -> bool {
    use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.headers.get(axum::http::header::ACCEPT).cloned())
        .is_some_and(|accept| accept.to_str().is_ok_and(|a| a.contains("text/html")))
}

/// Sets the status of the page being rendered (server-side rendering only).
pub fn set_status(status: axum::http::StatusCode) {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(status);
    }
}
