//! `GET /api/v2/webhooks/{id}/history/` and `GET /api/v2/webhook-events/`:
//! the history of one webhook, and of the whole organization, newest first,
//! paginated like the list.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, MethodRouter};
use axum::Json;
use serde::Serialize;

use super::caller::WebhookCaller;
use super::common::{describe, method_not_allowed, page_links, with_allow, IdPath, PageQuery};
use super::extract::WebhookId;
use crate::server::http::request_url::RequestUrl;
use crate::server::rest::error::{ApiError, ErrorDetail};
use crate::server::webhooks::history::{self, EventResource, HistoryResource, Scope};
use crate::server::webhooks::PageRequest;
use crate::server::AppState;

const ALLOW: &str = "GET, HEAD, OPTIONS";

pub fn webhook_routes() -> MethodRouter<AppState> {
    with_allow(
        get(webhook_history)
            .options(|_: WebhookCaller| async { Json(describe("Webhook History")) })
            .fallback(method_not_allowed),
        ALLOW,
    )
}

pub fn organization_routes() -> MethodRouter<AppState> {
    with_allow(
        get(organization_events)
            .options(|_: WebhookCaller| async { Json(describe("Webhook Event List")) })
            .fallback(method_not_allowed),
        ALLOW,
    )
}

/// One page of a webhook's history, newest first.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = HistoryList)]
pub(crate) struct HistoryBody<'a> {
    /// Entries in this history, on every page.
    count: i64,
    #[schema(format = "uri")]
    next: Option<String>,
    #[schema(format = "uri")]
    previous: Option<String>,
    results: Vec<HistoryResource<'a>>,
}

/// One page of the organization's events, newest first.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = WebhookEventList)]
pub(crate) struct EventsBody<'a> {
    /// Events in the organization, on every page.
    count: i64,
    #[schema(format = "uri")]
    next: Option<String>,
    #[schema(format = "uri")]
    previous: Option<String>,
    results: Vec<EventResource<'a>>,
}

/// Who created, changed, revealed, tested or deleted this webhook, and when.
#[utoipa::path(
    get,
    path = "/api/v2/webhooks/{id}/history/",
    operation_id = "webhookHistory",
    tag = "history",
    params(IdPath, PageQuery),
    responses(
        (status = 200, description = "A page of the webhook's history", body = HistoryBody),
    )
)]
pub async fn webhook_history(
    State(state): State<AppState>,
    WebhookCaller(scope): WebhookCaller,
    WebhookId(id): WebhookId,
    url: RequestUrl,
) -> Result<Response, ApiError> {
    let request = PageRequest::from_query(url.param("page"), url.param("page_size"));
    let page = history::page(&state.db, scope, Scope::Webhook(id), request).await?;
    let (next, previous) = page_links(&url, &page);
    let body = HistoryBody {
        count: page.count,
        next,
        previous,
        results: page.items.iter().map(|e| e.resource()).collect(),
    };
    Ok(Json(body).into_response())
}

/// Everything done to the organization's webhooks, deleted ones included.
#[utoipa::path(
    get,
    path = "/api/v2/webhook-events/",
    operation_id = "listWebhookEvents",
    tag = "history",
    params(PageQuery),
    responses(
        (status = 200, description = "A page of the organization's events", body = EventsBody),
        (status = 404, description = "`Invalid page.`", body = ErrorDetail),
    )
)]
pub async fn organization_events(
    State(state): State<AppState>,
    WebhookCaller(scope): WebhookCaller,
    url: RequestUrl,
) -> Result<Response, ApiError> {
    let request = PageRequest::from_query(url.param("page"), url.param("page_size"));
    let page = history::page(&state.db, scope, Scope::Organization, request).await?;
    let (next, previous) = page_links(&url, &page);
    let body = EventsBody {
        count: page.count,
        next,
        previous,
        results: page.items.iter().map(|e| e.event()).collect(),
    };
    Ok(Json(body).into_response())
}
