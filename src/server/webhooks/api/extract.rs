//! A webhook resource's request extractors: a webhook body and a webhook
//! id, each rejecting with the contract's error. Handlers list the caller
//! ([`super::caller::WebhookCaller`]) before them, so authentication runs first.

use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request};
use axum::http::request::Parts;

use crate::server::rest::error::ApiError;
use crate::server::rest::json_body::read_webhook_input;
use crate::server::webhooks::python_int;
use crate::server::webhooks::IdempotencyKey;
use crate::shared::validation::WebhookInput;

/// A create or update body, read the way DRF's `JSONParser` reads it: at most
/// 64 KiB, JSON media type, an object; each field as raw input for the
/// shared validation. An empty body is an empty object.
pub struct WebhookBody(pub WebhookInput);

impl<S: Send + Sync> FromRequest<S> for WebhookBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, _state: &S) -> Result<Self, ApiError> {
        let (parts, body) = request.into_parts();
        read_webhook_input(&parts.headers, body)
            .await
            .map(WebhookBody)
    }
}

/// A create's `Idempotency-Key`, if it sent one: 1 to 255 printable ASCII
/// characters, else 400.
pub struct IdempotencyKeyHeader(pub Option<IdempotencyKey>);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKeyHeader {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        match parts.headers.get("idempotency-key") {
            None => Ok(IdempotencyKeyHeader(None)),
            Some(raw) => IdempotencyKey::parse(raw.as_bytes())
                .map(|key| IdempotencyKeyHeader(Some(key)))
                .ok_or(ApiError::InvalidIdempotencyKey),
        }
    }
}

/// The `{id}` of a webhook's path. Not an integer (by Python's `int()`):
/// "Not found."; an integer no id can be matches no webhook.
pub struct WebhookId(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for WebhookId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let path = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::NotFound)?;
        let raw = path
            .iter()
            .find(|(key, _)| *key == "id")
            .map(|(_, value)| value);
        let number = raw.and_then(python_int).ok_or(ApiError::NotFound)?;
        i64::try_from(number)
            .map(WebhookId)
            .map_err(|_| ApiError::WebhookNotFound)
    }
}
