//! The REST layer's one error type and its DRF-shaped responses. Internal
//! failures are logged here and reach the client only as a generic message.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

use crate::server::webhooks::{AccessDenied, ServiceError};
use crate::validation::FieldErrors;

#[derive(Debug)]
pub enum ApiError {
    NotAuthenticated,
    NoCredentials,
    TokenHasSpaces,
    TokenHasInvalidCharacters,
    InvalidToken,
    UserInactive,
    PermissionDenied,
    FeatureDisabled,
    /// A path id that is not an integer.
    NotFound,
    WebhookNotFound,
    InvalidPage,
    Validation(FieldErrors),
    NotADictionary(&'static str),
    JsonParse(String),
    UnsupportedMediaType(String),
    PayloadTooLarge,
    /// The resource's router adds the `Allow` header.
    MethodNotAllowed(String),
    Internal(String),
}

impl From<AccessDenied> for ApiError {
    fn from(denied: AccessDenied) -> Self {
        match denied {
            AccessDenied::Inactive => ApiError::UserInactive,
            AccessDenied::NotSuperuser => ApiError::PermissionDenied,
            AccessDenied::FeatureDisabled => ApiError::FeatureDisabled,
        }
    }
}

impl From<ServiceError> for ApiError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::NotFound => ApiError::WebhookNotFound,
            ServiceError::InvalidPage => ApiError::InvalidPage,
            ServiceError::Database(e) => ApiError::Internal(e.to_string()),
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        ApiError::Internal(error.to_string())
    }
}

fn detail(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "detail": message }))).into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let unauthorized = |message: &str| {
            let mut response = detail(StatusCode::UNAUTHORIZED, message);
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Token"));
            response
        };
        match self {
            ApiError::NotAuthenticated => unauthorized("Authentication credentials were not provided."),
            ApiError::NoCredentials => unauthorized("Invalid token header. No credentials provided."),
            ApiError::TokenHasSpaces => unauthorized("Invalid token header. Token string should not contain spaces."),
            ApiError::TokenHasInvalidCharacters => {
                unauthorized("Invalid token header. Token string should not contain invalid characters.")
            }
            ApiError::InvalidToken => unauthorized("Invalid token."),
            ApiError::UserInactive => unauthorized("User inactive or deleted."),
            ApiError::PermissionDenied => {
                detail(StatusCode::FORBIDDEN, "You do not have permission to perform this action.")
            }
            ApiError::FeatureDisabled => detail(
                StatusCode::FORBIDDEN,
                "The Webhooks feature is not enabled for this organization.",
            ),
            ApiError::NotFound => detail(StatusCode::NOT_FOUND, "Not found."),
            ApiError::WebhookNotFound => detail(StatusCode::NOT_FOUND, "No Webhook matches the given query."),
            ApiError::InvalidPage => detail(StatusCode::NOT_FOUND, "Invalid page."),
            ApiError::Validation(errors) => {
                let body: Map<String, Value> = errors
                    .iter()
                    .map(|(field, messages)| (field.as_str().to_owned(), json!(messages)))
                    .collect();
                (StatusCode::BAD_REQUEST, Json(Value::Object(body))).into_response()
            }
            ApiError::NotADictionary(type_name) => (
                StatusCode::BAD_REQUEST,
                Json(json!({
                    "non_field_errors": [format!("Invalid data. Expected a dictionary, but got {type_name}.")]
                })),
            )
                .into_response(),
            ApiError::JsonParse(reason) => {
                detail(StatusCode::BAD_REQUEST, &format!("JSON parse error - {reason}"))
            }
            ApiError::UnsupportedMediaType(media_type) => detail(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                &format!("Unsupported media type \"{media_type}\" in request."),
            ),
            ApiError::PayloadTooLarge => detail(StatusCode::PAYLOAD_TOO_LARGE, "Request body is too large."),
            ApiError::MethodNotAllowed(method) => detail(
                StatusCode::METHOD_NOT_ALLOWED,
                &format!("Method \"{method}\" not allowed."),
            ),
            ApiError::Internal(cause) => {
                tracing::error!(%cause, "request failed");
                detail(StatusCode::INTERNAL_SERVER_ERROR, "A server error occurred.")
            }
        }
    }
}
