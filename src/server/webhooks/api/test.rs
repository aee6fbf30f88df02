//! `POST /api/v2/webhooks/{id}/test/`: sends a test message to the webhook's
//! Slack URL and reports what Slack answered.

use axum::extract::State;
use axum::routing::{post, MethodRouter};
use axum::Json;

use super::{describe, method_not_allowed, with_allow, IdPath};
use crate::server::api::auth::WebhookCaller;
use crate::server::api::error::{ApiError, ErrorDetail};
use crate::server::api::extract::WebhookId;
use crate::server::api::openapi::{Forbidden, NotFound, Unauthenticated, Unavailable};
use crate::server::webhooks::test_message::{self, Delivery};
use crate::server::AppState;

pub(super) fn routes() -> MethodRouter<AppState> {
    with_allow(
        post(send_test)
            .options(|_: WebhookCaller| async { Json(describe("Webhook Test")) })
            .fallback(method_not_allowed),
        "POST, OPTIONS",
    )
}

/// Send a test message to the webhook's Slack URL (no body needed). The
/// answer is 200 whether or not Slack took it: `delivered` says which.
#[utoipa::path(
    post,
    path = "/api/v2/webhooks/{id}/test/",
    operation_id = "testWebhook",
    tag = "webhooks",
    params(IdPath),
    responses(
        (status = 200, description = "What Slack answered (within 5 s)", body = Delivery),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 429, description = "One test per webhook every 10 seconds", body = ErrorDetail,
            headers(("Retry-After" = u32, description = "Seconds until the next test may be sent"))),
        (status = 503, response = Unavailable),
    )
)]
pub(crate) async fn send_test(
    State(state): State<AppState>,
    WebhookCaller(scope): WebhookCaller,
    WebhookId(id): WebhookId,
) -> Result<Json<Delivery>, ApiError> {
    Ok(Json(
        test_message::send(&state.db, &state.slack, scope, id).await?,
    ))
}
