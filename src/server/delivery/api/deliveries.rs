//! `/api/v2/webhooks/{id}/deliveries/…`: a webhook's deliveries, newest
//! first, one with its attempts, and sending again (one, or all that were
//! given up or held since a time), or discarding the held ones. The same
//! authentication, permissions and 404s as the webhook itself.

use axum::extract::{FromRequestParts, RawPathParams, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, MethodRouter};
use axum::Json;
use serde::Serialize;
use serde_json::value::RawValue;

use crate::server::clock::{format_millis, now_millis, parse_rfc3339};
use crate::server::delivery::deliveries::{self, Attempt, Delivery, DeliveryError, Filter};
use crate::server::delivery::Status;
use crate::server::http::request_url::RequestUrl;
use crate::server::rest::error::{ApiError, ErrorDetail};
use crate::server::webhooks::api::caller::WebhookCaller;
use crate::server::webhooks::api::common::{
    describe, method_not_allowed, page_links, with_allow, IdPath, PageQuery,
};
use crate::server::webhooks::api::extract::WebhookId;
use crate::server::webhooks::{python_int, PageRequest};
use crate::server::AppState;
use crate::shared::validation::event::is_event_type;

pub fn list_routes() -> MethodRouter<AppState> {
    with_allow(
        get(list_deliveries)
            .options(|_: WebhookCaller| async { Json(describe("Delivery List")) })
            .fallback(method_not_allowed),
        "GET, HEAD, OPTIONS",
    )
}

pub fn item_routes() -> MethodRouter<AppState> {
    with_allow(
        get(retrieve_delivery)
            .options(|_: WebhookCaller| async { Json(describe("Delivery Instance")) })
            .fallback(method_not_allowed),
        "GET, HEAD, OPTIONS",
    )
}

/// A `POST`-only action.
pub fn action_routes<H, T>(handler: H, name: &'static str) -> MethodRouter<AppState>
where
    H: axum::handler::Handler<T, AppState>,
    T: 'static,
{
    with_allow(
        post(handler)
            .options(move |_: WebhookCaller| async move { Json(describe(name)) })
            .fallback(method_not_allowed),
        "POST, OPTIONS",
    )
}

impl From<DeliveryError> for ApiError {
    fn from(error: DeliveryError) -> Self {
        match error {
            DeliveryError::Webhook(e) => e.into(),
            DeliveryError::NotFound => ApiError::NotFound,
            DeliveryError::AlreadyWaiting => {
                ApiError::Conflict("This delivery is already waiting to be sent.")
            }
            DeliveryError::WebhookOff => ApiError::Conflict(
                "The webhook is turned off: turn it on, then send its deliveries again.",
            ),
        }
    }
}

/// The `{delivery_id}` of a path, read as the webhook's `{id}` is.
pub struct DeliveryId(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for DeliveryId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let path = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::NotFound)?;
        path.iter()
            .find(|(key, _)| *key == "delivery_id")
            .and_then(|(_, value)| python_int(value))
            .and_then(|number| i64::try_from(number).ok())
            .map(DeliveryId)
            .ok_or(ApiError::NotFound)
    }
}

/// A delivery as the API shows it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DeliveryResource<'a> {
    id: i64,
    event_id: i64,
    #[schema(example = "project.created")]
    event_type: &'a str,
    /// `waiting` (in its webhook's queue), `delivered`, `dead` (given up)
    /// or `held` (its webhook is turned off).
    #[schema(example = "delivered")]
    status: &'a str,
    /// Requests made for it so far.
    attempts: i64,
    /// When it is due to be sent, while it is waiting.
    #[schema(format = DateTime)]
    next_attempt: Option<String>,
    #[schema(format = DateTime)]
    created: String,
    #[schema(format = DateTime)]
    updated: String,
}

fn resource(delivery: &Delivery) -> DeliveryResource<'_> {
    DeliveryResource {
        id: delivery.id,
        event_id: delivery.event_id,
        event_type: &delivery.event_type,
        status: delivery.status.as_str(),
        attempts: delivery.attempts,
        next_attempt: delivery.next_attempt_at.map(format_millis),
        created: format_millis(delivery.created_at),
        updated: format_millis(delivery.updated_at),
    }
}

/// One request made for a delivery.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AttemptResource<'a> {
    #[schema(format = DateTime)]
    at: String,
    duration_ms: i64,
    /// `delivered`, `rate_limited` (Slack's 429; not a failure), `failed`
    /// (retried), `rejected` (a message Slack will never take) or `gone`
    /// (the webhook was turned off).
    #[schema(example = "failed")]
    outcome: &'a str,
    /// Slack's HTTP status; null when no answer came.
    http_status: Option<i64>,
    /// Slack's answer (on one line, at most 300 characters), or why no
    /// answer came; null for a success.
    #[schema(example = "channel_is_archived")]
    error: Option<&'a str>,
}

/// A delivery with its message and attempts.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DeliveryDetail<'a> {
    #[serde(flatten)]
    delivery: DeliveryResource<'a>,
    /// The message as it is posted to Slack.
    #[schema(value_type = Object)]
    message: &'a RawValue,
    /// Oldest first.
    attempt_log: Vec<AttemptResource<'a>>,
}

/// One page of deliveries, newest first.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = DeliveryList)]
pub struct DeliveryListBody<'a> {
    /// Deliveries that match, on every page.
    count: i64,
    #[schema(format = "uri")]
    next: Option<String>,
    #[schema(format = "uri")]
    previous: Option<String>,
    results: Vec<DeliveryResource<'a>>,
}

/// `?status=&event_type=`.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documents the query; the handler reads it
pub struct DeliveryFilter {
    /// Only deliveries in this state: `waiting`, `delivered`, `dead` or `held`.
    #[param(pattern = "^(waiting|delivered|dead|held)$")]
    status: Option<String>,
    /// Only deliveries of events of this type.
    event_type: Option<String>,
}

/// `?status=&since=` of a bulk redelivery.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documents the query; the handler reads it
pub struct RedeliverQuery {
    /// `dead` or `held`.
    #[param(pattern = "^(dead|held)$")]
    status: String,
    /// Only deliveries created at or after this time (RFC 3339); all of them without it.
    #[param(format = DateTime)]
    since: Option<String>,
}

fn status_param(url: &RequestUrl, allowed: &[Status]) -> Result<Option<Status>, ApiError> {
    let Some(raw) = url.param("status").filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    Status::parse(raw)
        .filter(|status| allowed.contains(status))
        .map(Some)
        .ok_or_else(|| {
            let names: Vec<&str> = allowed.iter().map(|s| s.as_str()).collect();
            ApiError::BadRequest(format!(
                "status must be one of: {} (got {raw:?}).",
                names.join(", ")
            ))
        })
}

/// A webhook's deliveries, newest first.
#[utoipa::path(
    get,
    path = "/api/v2/webhooks/{id}/deliveries/",
    operation_id = "listDeliveries",
    tag = "events",
    params(IdPath, DeliveryFilter, PageQuery),
    responses(
        (status = 200, description = "A page of the webhook's deliveries", body = DeliveryListBody),
        (status = 400, description = "An unknown `status`, or an `event_type` that is not one", body = ErrorDetail),
    )
)]
pub async fn list_deliveries(
    State(state): State<AppState>,
    WebhookCaller(scope): WebhookCaller,
    WebhookId(id): WebhookId,
    url: RequestUrl,
) -> Result<Response, ApiError> {
    let filter = Filter {
        status: status_param(&url, &Status::ALL)?,
        event_type: match url.param("event_type").filter(|t| !t.is_empty()) {
            None => None,
            Some(kind) if is_event_type(kind) => Some(kind.to_owned()),
            Some(kind) => {
                return Err(ApiError::BadRequest(format!(
                    "event_type must be an event type: a-z, 0-9, \".\" and \"_\" (got {kind:?})."
                )))
            }
        },
    };
    let request = PageRequest::from_query(url.param("page"), url.param("page_size"));
    let page = deliveries::page(&state.db, scope, id, &filter, request).await?;
    let (next, previous) = page_links(&url, &page);
    let body = DeliveryListBody {
        count: page.count,
        next,
        previous,
        results: page.items.iter().map(resource).collect(),
    };
    Ok(Json(body).into_response())
}

/// A delivery, the message it carries and every request made for it.
#[utoipa::path(
    get,
    path = "/api/v2/webhooks/{id}/deliveries/{delivery_id}/",
    operation_id = "retrieveDelivery",
    tag = "events",
    params(IdPath, ("delivery_id" = i64, Path, description = "The delivery's id")),
    responses(
        (status = 200, description = "The delivery", body = DeliveryDetail),
    )
)]
pub async fn retrieve_delivery(
    State(state): State<AppState>,
    WebhookCaller(scope): WebhookCaller,
    WebhookId(id): WebhookId,
    DeliveryId(delivery_id): DeliveryId,
) -> Result<Response, ApiError> {
    let (delivery, message, attempts) = deliveries::get(&state.db, scope, id, delivery_id).await?;
    let message = RawValue::from_string(message)
        .map_err(|e| ApiError::Database(crate::server::db::Error::Other(Box::new(e))))?;
    let body = DeliveryDetail {
        delivery: resource(&delivery),
        message: &message,
        attempt_log: attempts.iter().map(attempt_resource).collect(),
    };
    Ok(Json(body).into_response())
}

fn attempt_resource(attempt: &Attempt) -> AttemptResource<'_> {
    AttemptResource {
        at: format_millis(attempt.at),
        duration_ms: attempt.duration_ms,
        outcome: &attempt.outcome,
        http_status: attempt.http_status,
        error: attempt.error.as_deref(),
    }
}

/// Send a delivery again: one that was delivered, given up or held goes
/// back in its webhook's queue, in its event's place.
#[utoipa::path(
    post,
    path = "/api/v2/webhooks/{id}/deliveries/{delivery_id}/redeliver/",
    operation_id = "redeliverDelivery",
    tag = "events",
    params(IdPath, ("delivery_id" = i64, Path, description = "The delivery's id")),
    responses(
        (status = 202, description = "Queued again", body = DeliveryResource),
        (status = 409, description = "Already waiting, or the webhook is turned off", body = ErrorDetail),
    )
)]
pub async fn redeliver(
    State(state): State<AppState>,
    WebhookCaller(scope): WebhookCaller,
    WebhookId(id): WebhookId,
    DeliveryId(delivery_id): DeliveryId,
) -> Result<Response, ApiError> {
    let delivery = deliveries::redeliver(&state.db, scope, id, delivery_id, now_millis()).await?;
    state.delivery_wake.now();
    Ok((StatusCode::ACCEPTED, Json(resource(&delivery))).into_response())
}

/// How many deliveries a bulk action changed.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Changed {
    changed: u64,
}

/// Send again every dead or held delivery of the webhook (created since a
/// time, if given), in their events' order, paced like any other.
#[utoipa::path(
    post,
    path = "/api/v2/webhooks/{id}/deliveries/redeliver/",
    operation_id = "redeliverDeliveries",
    tag = "events",
    params(IdPath, RedeliverQuery),
    responses(
        (status = 202, description = "How many were queued again", body = Changed),
        (status = 400, description = "`status` missing or not dead/held, or a bad `since`", body = ErrorDetail),
        (status = 409, description = "The webhook is turned off", body = ErrorDetail),
    )
)]
pub async fn redeliver_all(
    State(state): State<AppState>,
    WebhookCaller(scope): WebhookCaller,
    WebhookId(id): WebhookId,
    url: RequestUrl,
) -> Result<Response, ApiError> {
    let status = status_param(&url, &[Status::Dead, Status::Held])?
        .ok_or_else(|| ApiError::BadRequest("status is required: dead or held.".to_owned()))?;
    let since = match url.param("since").filter(|s| !s.is_empty()) {
        None => i64::MIN,
        Some(raw) => parse_rfc3339(raw).ok_or_else(|| {
            ApiError::BadRequest(format!(
                "since must be a time such as 2026-11-27T14:03:07Z (got {raw:?})."
            ))
        })?,
    };
    let changed =
        deliveries::redeliver_all(&state.db, scope, id, status, since, now_millis()).await?;
    if changed > 0 {
        state.delivery_wake.now();
    }
    Ok((StatusCode::ACCEPTED, Json(Changed { changed })).into_response())
}

/// Give up every held delivery of the webhook (they become dead).
#[utoipa::path(
    post,
    path = "/api/v2/webhooks/{id}/deliveries/discard/",
    operation_id = "discardHeldDeliveries",
    tag = "events",
    params(IdPath),
    responses(
        (status = 200, description = "How many were given up", body = Changed),
    )
)]
pub async fn discard_held(
    State(state): State<AppState>,
    WebhookCaller(scope): WebhookCaller,
    WebhookId(id): WebhookId,
) -> Result<Json<Changed>, ApiError> {
    let changed = deliveries::discard_held(&state.db, scope, id, now_millis()).await?;
    Ok(Json(Changed { changed }))
}
