//! On the server: each error's one HTTP status, and setting it (with
//! `Retry-After` where a wait is known) on a failed server function's
//! response.

use axum::http::{header, HeaderValue};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

use super::AppError;

impl AppError {
    pub fn status(&self) -> axum::http::StatusCode {
        use axum::http::StatusCode;
        match self {
            AppError::NotSignedIn | AppError::BadCredentials => StatusCode::UNAUTHORIZED,
            AppError::NotSuperuser | AppError::FeatureDisabled => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Invalid(..)
            | AppError::WrongPassword
            | AppError::WeakPassword
            | AppError::PasswordsDiffer => StatusCode::BAD_REQUEST,
            AppError::Stale => StatusCode::PRECONDITION_FAILED,
            AppError::FormReused => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::AlreadyWaiting | AppError::WebhookOff => StatusCode::CONFLICT,
            AppError::TooManyAttempts(_)
            | AppError::TestTooSoon(_)
            | AppError::TestsThrottled(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::TestNotDelivered(_) => StatusCode::BAD_GATEWAY,
            AppError::Busy | AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Server | AppError::ServerFn(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// Gives a failed server function's response its error's status (called as
/// the error is encoded). A plain form post (no JavaScript) is redirected
/// back instead, with the error in the address: that status is leptos'.
pub(super) fn set_response_status(error: &AppError) {
    if wants_html() {
        return;
    }
    let Some(response) = use_context::<ResponseOptions>() else {
        return;
    };
    response.set_status(error.status());
    match error {
        AppError::TooManyAttempts(retry_after_secs)
        | AppError::TestTooSoon(retry_after_secs)
        | AppError::TestsThrottled(retry_after_secs) => {
            response.insert_header(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
        }
        AppError::Busy | AppError::Unavailable => {
            response.insert_header(header::RETRY_AFTER, HeaderValue::from(1))
        }
        _ => {}
    }
}

/// A plain form post or a page render: the browser gets a redirect or a page.
fn wants_html() -> bool {
    use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.headers.get(header::ACCEPT).cloned())
        .is_some_and(|accept| accept.to_str().is_ok_and(|a| a.contains("text/html")))
}
