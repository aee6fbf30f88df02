//! `POST /api/v2/webhooks/{id}/test/`: sends a test message to the webhook's
//! Slack URL and reports what Slack answered.

use axum::extract::State;
use axum::routing::{post, MethodRouter};
use axum::Json;

use super::caller::WebhookCaller;
use super::common::{describe, method_not_allowed, with_allow, IdPath};
use super::extract::WebhookId;
use crate::server::rest::error::{ApiError, ErrorDetail};
use crate::server::webhooks::test_message::{self, Delivery};
use crate::server::AppState;

pub fn routes() -> MethodRouter<AppState> {
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
        (status = 429, description = "Too many tests: one per webhook every 10 seconds, and \
            an organization's and everyone's allowance (see docs/api.md)", body = ErrorDetail,
            headers(("Retry-After" = u32, description = "Seconds until the next test may be sent"))),
    )
)]
pub async fn send_test(
    State(state): State<AppState>,
    WebhookCaller(scope): WebhookCaller,
    WebhookId(id): WebhookId,
) -> Result<Json<Delivery>, ApiError> {
    Ok(Json(
        test_message::send(&state.db, &state.slack, scope, id).await?,
    ))
}
