//! `/api/v2/webhooks/{id}/subscriptions/`: the event types a webhook
//! receives, read (`GET`) and replaced whole (`PUT`).

use axum::extract::{Request, State};
use axum::routing::{get, MethodRouter};
use axum::Json;
use serde::{Deserialize, Serialize};

use crate::server::rest::error::ApiError;
use crate::server::rest::json_body::read_json_bytes;
use crate::server::rest::responses::{TooLarge, UnsupportedMediaType};
use crate::server::webhooks::api::caller::WebhookCaller;
use crate::server::webhooks::api::common::{describe, method_not_allowed, with_allow, IdPath};
use crate::server::webhooks::api::extract::WebhookId;
use crate::server::webhooks::subscriptions;
use crate::server::AppState;
use crate::shared::validation::subscription::validate_subscriptions;

pub fn routes() -> MethodRouter<AppState> {
    with_allow(
        get(get_subscriptions)
            .put(replace_subscriptions)
            .options(|_: WebhookCaller| async { Json(describe("Webhook Subscriptions")) })
            .fallback(method_not_allowed),
        "GET, PUT, HEAD, OPTIONS",
    )
}

/// The event types a webhook receives.
#[derive(Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Subscriptions {
    /// Event types (`project.created`) and prefixes ending in `*`
    /// (`project.*`), at most 50; empty: every type.
    #[schema(example = json!(["project.*", "user.created"]), max_items = 50)]
    event_types: Vec<String>,
}

/// Which event types the webhook receives.
#[utoipa::path(
    get,
    path = "/api/v2/webhooks/{id}/subscriptions/",
    operation_id = "webhookSubscriptions",
    tag = "events",
    params(IdPath),
    responses((status = 200, description = "The webhook's subscriptions", body = Subscriptions))
)]
pub async fn get_subscriptions(
    State(state): State<AppState>,
    WebhookCaller(scope): WebhookCaller,
    WebhookId(id): WebhookId,
) -> Result<Json<Subscriptions>, ApiError> {
    let event_types = subscriptions::get(&state.db, scope, id).await?;
    Ok(Json(Subscriptions { event_types }))
}

/// Replace the event types the webhook receives (an empty list: every type).
#[utoipa::path(
    put,
    path = "/api/v2/webhooks/{id}/subscriptions/",
    operation_id = "replaceWebhookSubscriptions",
    tag = "events",
    params(IdPath),
    request_body = Subscriptions,
    responses(
        (status = 200, description = "The subscriptions as stored: sorted, without repeats", body = Subscriptions),
        (status = 400, description = "Not an object with `event_types`, or a pattern breaks the rule", body = crate::server::rest::error::ErrorDetail),
        (status = 413, response = TooLarge),
        (status = 415, response = UnsupportedMediaType),
    )
)]
pub async fn replace_subscriptions(
    State(state): State<AppState>,
    WebhookCaller(scope): WebhookCaller,
    WebhookId(id): WebhookId,
    request: Request,
) -> Result<Json<Subscriptions>, ApiError> {
    let (parts, body) = request.into_parts();
    let bytes = read_json_bytes(&parts.headers, body)
        .await?
        .unwrap_or_default();
    let wanted: Subscriptions = serde_json::from_slice(&bytes).map_err(|_| {
        ApiError::BadRequest(
            "Send {\"event_types\": [...]}: a list of event types and prefixes ending in *."
                .to_owned(),
        )
    })?;
    let event_types = validate_subscriptions(&wanted.event_types)
        .map_err(|problems| ApiError::BadRequest(problems.join(" ")))?;
    subscriptions::replace(&state.db, scope, id, &event_types).await?;
    Ok(Json(Subscriptions { event_types }))
}
