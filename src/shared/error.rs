//! The browser admin's one error type, shared by the server functions and the
//! pages that show their failures. Each variant has one HTTP status
//! ([`AppError::status`]); the server sets it on a failed server function's
//! response when the error is encoded, and on a page that shows the error.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

use super::forms::FormEcho;
use super::validation::FieldErrors;

#[cfg(feature = "ssr")]
mod ssr;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Please sign in to continue.")]
    NotSignedIn,
    #[error("You need super user rights to manage webhooks.")]
    NotSuperuser,
    #[error("The Webhooks feature is not enabled for your organization.")]
    FeatureDisabled,
    #[error("Not found.")]
    NotFound,
    /// Someone else saved the webhook after this form was loaded.
    #[error("This webhook was changed since you loaded it. Reload it and try again.")]
    Stale,
    /// A create form sent again with other values (after going back).
    #[error("This form was already used to create a webhook. Open a new form to create another.")]
    FormReused,
    #[error("A test message was sent moments ago. Try again in {0} seconds.")]
    TestTooSoon(i64),
    /// Your organization, or everyone together, sent many test messages.
    #[error("Many test messages were sent just now. Try again in {0} seconds.")]
    TestsThrottled(i64),
    /// Slack (or the network) refused the test message; why, on one line.
    #[error("The test message was not delivered. {0}")]
    TestNotDelivered(String),
    #[error("Please correct the highlighted fields.")]
    Invalid(FieldErrors, FormEcho),
    #[error("This delivery is already waiting to be sent.")]
    AlreadyWaiting,
    #[error("Turn the webhook on first: its messages are held while it is off.")]
    WebhookOff,
    #[error("Wrong email or password.")]
    BadCredentials,
    #[error("Your current password is not right.")]
    WrongPassword,
    #[error("The new password must have 12 to 1024 characters.")]
    WeakPassword,
    #[error("The two new passwords differ.")]
    PasswordsDiffer,
    #[error("Too many failed sign-in attempts. Try again in {0} seconds.")]
    TooManyAttempts(i64),
    #[error("The server is busy. Please try again in a moment.")]
    Busy,
    /// The database cannot be reached right now.
    #[error("The service is temporarily unavailable. Please try again in a moment.")]
    Unavailable,
    /// An internal failure; its cause was logged on the server.
    #[error("Something went wrong on our side. Please try again.")]
    Server,
    #[error("The server could not be reached: {0}")]
    ServerFn(ServerFnErrorErr),
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::ServerFn(value)
    }

    /// Encodes a failed server function's error for its response; on the
    /// server this is also where the response gets the error's status.
    #[cfg(feature = "ssr")]
    fn ser(&self) -> leptos::server_fn::Bytes {
        use leptos::server_fn::Encodes;
        ssr::set_response_status(self);
        JsonEncoding::encode(self).unwrap_or_else(|e| {
            let fallback = AppError::ServerFn(ServerFnErrorErr::Serialization(e.to_string()));
            JsonEncoding::encode(&fallback).unwrap_or_default()
        })
    }
}
