//! The browser's signed-in state, typed. The only code that knows what the
//! session stores and under which keys.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use tower_sessions::Session;

use super::accounts::ApiToken;

const USER_ID: &str = "user_id";
const FRESH_TOKEN: &str = "fresh_token";

/// This request's browser session (from tower-sessions' layer).
pub struct AuthSession(Session);

/// The session store failed (a database error underneath).
#[derive(Debug, thiserror::Error)]
#[error("session store: {0}")]
pub struct SessionError(#[from] tower_sessions::session::Error);

impl AuthSession {
    /// The user this session is signed in as, if any.
    pub async fn user_id(&self) -> Result<Option<i64>, SessionError> {
        Ok(self.0.get::<i64>(USER_ID).await?)
    }

    /// Signs the session in as `user_id`, under a new session id (a session
    /// id known before sign-in is worthless after it: no fixation) and with
    /// nothing the previous user left in it.
    pub async fn sign_in(&self, user_id: i64) -> Result<(), SessionError> {
        self.0.clear().await;
        self.0.cycle_id().await?;
        Ok(self.0.insert(USER_ID, user_id).await?)
    }

    /// Ends the session: its record is deleted and its cookie cleared.
    pub async fn sign_out(&self) -> Result<(), SessionError> {
        Ok(self.0.flush().await?)
    }

    /// Keeps a new API token until the tokens page shows it, once: that works
    /// the same with and without JavaScript.
    pub async fn show_token_once(&self, token: &ApiToken) -> Result<(), SessionError> {
        Ok(self.0.insert(FRESH_TOKEN, token.as_str()).await?)
    }

    /// The token kept by [`Self::show_token_once`], removed as it is read.
    pub async fn take_fresh_token(&self) -> Result<Option<String>, SessionError> {
        Ok(self.0.remove::<String>(FRESH_TOKEN).await?)
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
