//! `POST /api/v2/events/`: an event in, its deliveries queued in the same
//! transaction (see [`crate::server::delivery::outbox`]); 202 with how many.

use axum::extract::{FromRequest, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{post, MethodRouter};
use axum::Json;
use serde::Serialize;
use serde_json::value::RawValue;

use crate::server::clock::now_millis;
use crate::server::delivery::ingest::{self, PostError};
use crate::server::rest::error::ApiError;
use crate::server::rest::json_body::read_event_input;
use crate::server::rest::responses::{BadEvent, TooLarge, UnsupportedMediaType};
use crate::server::webhooks::api::caller::EventPoster;
use crate::server::webhooks::api::common::{describe, with_allow};
use crate::server::webhooks::api::extract::IdempotencyKeyHeader;
use crate::server::AppState;
use crate::shared::validation::event::{EventInput, BLOCKS_MAX, MESSAGE_MAX_CHARS, TYPE_MAX_CHARS};

pub fn routes() -> MethodRouter<AppState> {
    with_allow(
        post(post_event)
            .options(|_: EventPoster| async { Json(describe("Event List")) })
            .fallback(async |_: EventPoster, method: axum::http::Method| {
                ApiError::MethodNotAllowed(method.to_string())
            }),
        "POST, OPTIONS",
    )
}

/// An event's body: the shared rules' input and the raw `blocks`.
pub struct EventBody(EventInput, Option<Box<RawValue>>);

impl<S: Send + Sync> FromRequest<S> for EventBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, _state: &S) -> Result<Self, ApiError> {
        let (parts, body) = request.into_parts();
        let (input, blocks) = read_event_input(&parts.headers, body).await?;
        Ok(EventBody(input, blocks))
    }
}

/// The `Idempotency-Key` request header of an event.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)] // documents the header; `post_event` reads it
pub struct EventKeyHeader {
    /// 1-255 printable ASCII characters, unique per event: a repeat within
    /// 24 hours with the same event stores nothing and answers the event
    /// the first request stored (send it again safely when unsure whether
    /// a post went through).
    #[param(
        rename = "Idempotency-Key",
        min_length = 1,
        max_length = 255,
        pattern = "^[ -~]{1,255}$"
    )]
    idempotency_key: Option<String>,
}

/// An event to deliver.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // documents the body; `EventBody` reads it
pub struct EventCreate {
    /// A dotted name such as `project.created`: 1-100 characters of
    /// `a-z 0-9 . _`. Webhooks subscribe to types (all of them by default).
    #[schema(
        pattern = "^[a-z0-9._]{1,100}$",
        max_length = 100,
        example = "project.created"
    )]
    r#type: String,
    /// The message's text: what Slack shows, and its notification and
    /// fallback text when there are blocks.
    #[schema(
        min_length = 1,
        max_length = 40000,
        example = "Project *Apollo* was created"
    )]
    text: String,
    /// Slack Block Kit blocks (at most 50; a section's text at most 3,000
    /// characters), sent as given. The whole message, as JSON, may have at
    /// most 40,000 characters.
    #[schema(max_items = 50)]
    blocks: Option<Vec<serde_json::Map<String, serde_json::Value>>>,
}

/// What became of an event.
#[derive(Serialize, utoipa::ToSchema)]
pub struct EventAccepted {
    /// The event's id.
    id: i64,
    #[serde(rename = "type")]
    #[schema(example = "project.created")]
    kind: String,
    /// Deliveries queued: one per active webhook that receives the type.
    deliveries: u64,
}

/// Post an event (a super user's token, or an events token of an active
/// user: see docs/api.md): it is stored and a delivery queued for each of the
/// organization's active webhooks that receives its type, in one
/// transaction. Deliveries then go out in the background, in order per
/// webhook.
#[utoipa::path(
    post,
    path = "/api/v2/events/",
    operation_id = "postEvent",
    tag = "events",
    params(EventKeyHeader),
    request_body = EventCreate,
    responses(
        (status = 202, description = "Stored, its deliveries queued. A repeated \
            `Idempotency-Key` with the same event stores nothing and answers the first \
            request's event, with `Idempotent-Replayed: true`.", body = EventAccepted,
            headers(("Idempotent-Replayed" = String, description = "`true` on a replayed answer"))),
        (status = 422, description = "The `Idempotency-Key` came with another event", body = crate::server::rest::error::ErrorDetail),
        (status = 400, response = BadEvent),
        (status = 413, response = TooLarge),
        (status = 415, response = UnsupportedMediaType),
    )
)]
pub async fn post_event(
    State(state): State<AppState>,
    EventPoster(organization_id): EventPoster,
    IdempotencyKeyHeader(key): IdempotencyKeyHeader,
    EventBody(input, blocks): EventBody,
) -> Result<Response, ApiError> {
    let (draft, message) =
        ingest::prepare(&input, blocks.as_deref()).map_err(ApiError::InvalidEvent)?;
    let posted = ingest::post(
        &state.db,
        organization_id,
        &draft.kind,
        &message,
        key.as_ref(),
        now_millis(),
    )
    .await
    .map_err(|error| match error {
        PostError::KeyReused => ApiError::IdempotencyKeyReused,
        PostError::Database(e) => e.into(),
    })?;
    let queued = posted.queued;
    if queued.deliveries > 0 && !posted.replayed {
        state.delivery_wake.now();
    }
    let body = EventAccepted {
        id: queued.event_id,
        kind: draft.kind,
        deliveries: queued.deliveries,
    };
    let mut response = (StatusCode::ACCEPTED, Json(body)).into_response();
    if posted.replayed {
        response.headers_mut().insert(
            HeaderName::from_static("idempotent-replayed"),
            HeaderValue::from_static("true"),
        );
    }
    Ok(response)
}

// The schema's limits written above are the shared rules' own.
const _: () = assert!(TYPE_MAX_CHARS == 100 && BLOCKS_MAX == 50 && MESSAGE_MAX_CHARS == 40_000);
