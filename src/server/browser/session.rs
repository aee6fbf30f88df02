//! The browser's signed-in state, typed. The only code that knows what the
//! session stores and under which keys.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use tower_sessions::Session;

use crate::server::clock::now_millis;
use crate::shared::error::AppError;

const USER_ID: &str = "user_id";
const SIGNED_IN_AT: &str = "signed_in_at";
const REJECTION: &str = "rejection";

/// However active, a sign-in lasts at most this long.
pub const MAX_SIGN_IN_MS: i64 = 7 * 24 * 3600 * 1000;

/// This request's browser session (from tower-sessions' layer).
pub struct AuthSession(Session);

/// The session store failed (a database error underneath).
#[derive(Debug, thiserror::Error)]
#[error("the session store failed")]
pub struct SessionError(#[from] tower_sessions::session::Error);

/// Who a session is signed in as, and since when (ms).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignedIn {
    pub user_id: i64,
    pub at: i64,
}

impl AuthSession {
    /// Who this session is signed in as, if anyone. A sign-in older than
    /// [`MAX_SIGN_IN_MS`] has ended: the session is deleted.
    pub async fn signed_in(&self) -> Result<Option<SignedIn>, SessionError> {
        let Some(user_id) = self.0.get::<i64>(USER_ID).await? else {
            return Ok(None);
        };
        let signed_in_at = self.0.get::<i64>(SIGNED_IN_AT).await?;
        match signed_in_at {
            Some(at) if now_millis() - at <= MAX_SIGN_IN_MS => Ok(Some(SignedIn { user_id, at })),
            _ => {
                self.sign_out().await?;
                Ok(None)
            }
        }
    }

    /// Signs the session in as `user_id`, under a new session id (a session
    /// id known before sign-in is worthless after it: no fixation) and with
    /// nothing the previous user left in it.
    pub async fn sign_in(&self, user_id: i64) -> Result<(), SessionError> {
        self.0.clear().await;
        self.0.cycle_id().await?;
        self.0.insert(SIGNED_IN_AT, now_millis()).await?;
        Ok(self.0.insert(USER_ID, user_id).await?)
    }

    /// Ends the session: its record is deleted and its cookie cleared.
    pub async fn sign_out(&self) -> Result<(), SessionError> {
        Ok(self.0.flush().await?)
    }
}

impl AuthSession {
    /// Keeps why a plain form post to the server function at `path` failed,
    /// for its page to show once.
    pub async fn keep_rejection(&self, path: &str, error: &AppError) -> Result<(), SessionError> {
        Ok(self.0.insert(REJECTION, (path, error)).await?)
    }

    /// The rejection kept for the server function at `path`, removed as it
    /// is read; `None` when there is none (or one for another form).
    pub async fn take_rejection(&self, path: &str) -> Result<Option<AppError>, SessionError> {
        let kept = self.0.get::<(String, AppError)>(REJECTION).await?;
        match kept {
            Some((kept_path, error)) if kept_path == path => {
                self.0.remove_value(REJECTION).await?;
                Ok(Some(error))
            }
            _ => Ok(None),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for AuthSession {
    type Rejection = <Session as FromRequestParts<S>>::Rejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Session::from_request_parts(parts, state)
            .await
            .map(AuthSession)
    }
}
