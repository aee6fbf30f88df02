//! The REST layer's one error type and its DRF-shaped responses. Internal
//! failures are logged here and reach the client only as a generic message.

use crate::server::db;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use crate::shared::validation::event::EventField;
use crate::shared::validation::{Field, FieldErrors};

/// An invalid event: each failing field with its messages;
/// `non_field_errors` when the body is not a JSON object or the whole
/// message is too long.
#[derive(Default, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)] // additionalProperties: false
pub struct EventValidationErrors {
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    blocks: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    non_field_errors: Option<Vec<String>>,
}

impl From<&FieldErrors<EventField>> for EventValidationErrors {
    fn from(errors: &FieldErrors<EventField>) -> Self {
        let mut body = EventValidationErrors::default();
        for (field, messages) in errors.iter() {
            let slot = match field {
                EventField::Type => &mut body.kind,
                EventField::Text => &mut body.text,
                EventField::Blocks => &mut body.blocks,
                EventField::NonFieldErrors => &mut body.non_field_errors,
            };
            *slot = Some(messages.to_vec());
        }
        body
    }
}

/// `{"detail": "…"}`: the body of every error but an invalid field.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)] // additionalProperties: false, so it is told apart from field errors
pub struct ErrorDetail {
    #[schema(example = "Authentication credentials were not provided.")]
    detail: String,
}

/// An invalid body: each failing field with its messages, or
/// `non_field_errors` when the body is not a JSON object.
#[derive(Default, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)] // additionalProperties: false
pub struct ValidationErrors {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    active: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    non_field_errors: Option<Vec<String>>,
}

impl From<&FieldErrors> for ValidationErrors {
    fn from(errors: &FieldErrors) -> Self {
        let mut body = ValidationErrors::default();
        for (field, messages) in errors.iter() {
            let slot = match field {
                Field::Name => &mut body.name,
                Field::Url => &mut body.url,
                Field::Description => &mut body.description,
                Field::Active => &mut body.active,
                // The admin's edit form's field; the webhook's REST rules never report it.
                Field::Subscriptions => continue,
            };
            *slot = Some(messages.to_vec());
        }
        body
    }
}

/// Every way a REST request can fail, with the contract's message for each.
/// Causes stay attached as sources; they are logged once, here, and never
/// sent to the client.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("Authentication credentials were not provided.")]
    NotAuthenticated,
    #[error("Invalid token header. No credentials provided.")]
    NoCredentials,
    #[error("Invalid token header. Token string should not contain spaces.")]
    TokenHasSpaces,
    #[error("Invalid token header. Token string should not contain invalid characters.")]
    TokenHasInvalidCharacters,
    #[error("Invalid token.")]
    InvalidToken,
    #[error("User inactive or deleted.")]
    UserInactive,
    #[error("You do not have permission to perform this action.")]
    PermissionDenied,
    #[error("The Webhooks feature is not enabled for this organization.")]
    FeatureDisabled,
    #[error("This token may only post events.")]
    EventsOnlyToken,
    /// A path id that is not an integer.
    #[error("Not found.")]
    NotFound,
    #[error("No Webhook matches the given query.")]
    WebhookNotFound,
    #[error("Invalid page.")]
    InvalidPage,
    /// `If-Match` names a version that is no longer current.
    #[error("This webhook was changed since you loaded it. Reload it and try again.")]
    PreconditionFailed,
    #[error("Idempotency-Key must be 1 to 255 printable ASCII characters.")]
    InvalidIdempotencyKey,
    #[error("This Idempotency-Key was used with a different request body.")]
    IdempotencyKeyReused,
    /// DRF's throttle message; the response has `Retry-After`.
    #[error("Request was throttled. Expected available in {0} seconds.")]
    Throttled(i64),
    /// A request the server will not act on (the message says why).
    #[error("{0}")]
    BadRequest(String),
    /// The resource is not in a state the request can apply to.
    #[error("{0}")]
    Conflict(&'static str),
    #[error("Invalid input: {0}")]
    Validation(FieldErrors),
    #[error("Invalid event: {0}")]
    InvalidEvent(FieldErrors<EventField>),
    #[error("Invalid data. Expected a dictionary, but got {0}.")]
    NotADictionary(&'static str),
    #[error("JSON parse error - {0}")]
    JsonParse(String),
    #[error("Unsupported media type \"{0}\" in request.")]
    UnsupportedMediaType(String),
    #[error("Request body is too large.")]
    PayloadTooLarge,
    /// The resource's router adds the `Allow` header.
    #[error("Method \"{0}\" not allowed.")]
    MethodNotAllowed(String),
    /// The database cannot be reached; the client may retry.
    #[error("Service temporarily unavailable.")]
    Unavailable(#[source] db::Error),
    #[error("A server error occurred.")]
    Database(#[source] db::Error),
}

impl From<db::Error> for ApiError {
    fn from(error: db::Error) -> Self {
        if error.is_unavailable() {
            ApiError::Unavailable(error)
        } else {
            ApiError::Database(error)
        }
    }
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::NotAuthenticated
            | ApiError::NoCredentials
            | ApiError::TokenHasSpaces
            | ApiError::TokenHasInvalidCharacters
            | ApiError::InvalidToken
            | ApiError::UserInactive => StatusCode::UNAUTHORIZED,
            ApiError::PermissionDenied | ApiError::FeatureDisabled | ApiError::EventsOnlyToken => {
                StatusCode::FORBIDDEN
            }
            ApiError::NotFound | ApiError::WebhookNotFound | ApiError::InvalidPage => {
                StatusCode::NOT_FOUND
            }
            ApiError::Validation(_)
            | ApiError::InvalidEvent(_)
            | ApiError::BadRequest(_)
            | ApiError::NotADictionary(_)
            | ApiError::JsonParse(_)
            | ApiError::InvalidIdempotencyKey => StatusCode::BAD_REQUEST,
            ApiError::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Database(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let detail = || ErrorDetail {
            detail: self.to_string(),
        };
        let mut response = match &self {
            ApiError::Validation(errors) => {
                (status, Json(ValidationErrors::from(errors))).into_response()
            }
            ApiError::InvalidEvent(errors) => {
                (status, Json(EventValidationErrors::from(errors))).into_response()
            }
            ApiError::NotADictionary(_) => {
                let body = ValidationErrors {
                    non_field_errors: Some(vec![self.to_string()]),
                    ..ValidationErrors::default()
                };
                (status, Json(body)).into_response()
            }
            ApiError::Database(_) => {
                tracing::error!(error = ?self, "request failed");
                (status, Json(detail())).into_response()
            }
            ApiError::Unavailable(_) => {
                tracing::warn!(error = ?self, "database unavailable");
                (status, Json(detail())).into_response()
            }
            _ => (status, Json(detail())).into_response(),
        };
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        if let ApiError::Throttled(retry_after_secs) = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Token"));
        }
        response
    }
}
