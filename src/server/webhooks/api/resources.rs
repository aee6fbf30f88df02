//! `/api/v2/webhooks/` and `/api/v2/webhooks/{id}/`: thin handlers over the
//! webhook service. Each authenticates first (the extractor), then parses,
//! then calls in. Beyond the documented contract (additions a DRF-era client
//! never notices): `ETag`, `If-Match`, `If-None-Match` and `Idempotency-Key`.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use super::caller::{ListAsking, WebhookCaller, WebhookInPath, WebhookLister};
use super::common::{describe, page_links, IdPath, PageQuery};
use super::extract::{IdempotencyKeyHeader, WebhookBody, WebhookId};
use super::schemas::{WebhookCreate, WebhookUpdate};
use crate::server::http::request_url::RequestUrl;
use crate::server::rest::conditional::{etag, IfMatch, IfNoneMatch};
use crate::server::rest::error::{ApiError, ErrorDetail};
use crate::server::rest::responses::{
    BadRequest, PreconditionFailed, TooLarge, UnsupportedMediaType,
};
use crate::server::webhooks::{self as service, WebhookResource};
use crate::server::AppState;
use crate::shared::validation::{validate_changes, validate_new};

/// One page of webhooks, ordered by id.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = WebhookList)]
pub struct ListBody<'a> {
    /// Webhooks in the organization, on every page.
    count: i64,
    /// The next page's absolute URL, or null on the last page.
    #[schema(format = "uri")]
    next: Option<String>,
    /// The previous page's absolute URL (no `page` for the first), or null.
    #[schema(format = "uri")]
    previous: Option<String>,
    results: Vec<WebhookResource<'a>>,
}

/// List the organization's webhooks, a page at a time.
#[utoipa::path(
    get,
    path = "/api/v2/webhooks/",
    operation_id = "listWebhooks",
    tag = "webhooks",
    params(PageQuery),
    responses(
        (status = 200, description = "A page of webhooks", body = ListBody),
        (status = 404, description = "`Invalid page.`", body = ErrorDetail),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    lister: WebhookLister,
) -> Result<Response, ApiError> {
    let ListAsking {
        scope,
        url,
        request,
        page,
        keep,
    } = match lister {
        WebhookLister::Kept(answer) => return Ok(json_bytes(answer)),
        WebhookLister::Asking(asking) => *asking,
    };
    let page = service::list(&state.db, scope, request, page).await?;
    let (next, previous) = page_links(&url, &page);
    let body = ListBody {
        count: page.count,
        next,
        previous,
        results: page.items.iter().map(|w| w.resource()).collect(),
    };
    // Strings and numbers only: writing them cannot fail.
    let answer = Bytes::from(serde_json::to_vec(&body).expect("a list body serializes"));
    if let Some(keep) = keep {
        state.list_cache.keep(keep, answer.clone());
    }
    Ok(json_bytes(answer))
}

/// A JSON body already written, with the header `Json` gives one.
fn json_bytes(body: Bytes) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

/// One webhook.
#[utoipa::path(
    get,
    path = "/api/v2/webhooks/{id}/",
    operation_id = "retrieveWebhook",
    tag = "webhooks",
    params(IdPath),
    responses(
        (status = 200, description = "The webhook", body = WebhookResource,
            headers(("ETag" = String, description = "The webhook's version"))),
        (status = 304, description = "`If-None-Match` names the current version"),
    )
)]
pub async fn retrieve(
    WebhookInPath(webhook): WebhookInPath,
    client_has: IfNoneMatch,
) -> Result<Response, ApiError> {
    let tag = [(header::ETAG, etag(webhook.version()))];
    if client_has.has(webhook.version()) {
        return Ok((StatusCode::NOT_MODIFIED, tag).into_response());
    }
    Ok((tag, Json(webhook.resource())).into_response())
}

/// Create a webhook.
#[utoipa::path(
    post,
    path = "/api/v2/webhooks/",
    operation_id = "createWebhook",
    tag = "webhooks",
    params(IdempotencyHeader),
    request_body = WebhookCreate,
    responses(
        (status = 201, description = "Created; `Location` is its address. A repeated \
            `Idempotency-Key` with the same body creates nothing and answers the webhook \
            the first request created, as it is now (the first answer, unless it changed \
            since), with `Idempotent-Replayed: true`.", body = WebhookResource,
            headers(
                ("Location" = String, description = "The new webhook's absolute URL"),
                ("ETag" = String, description = "The webhook's version"),
                ("Idempotent-Replayed" = String, description = "`true` on a replayed answer"),
            )),
        (status = 400, response = BadRequest),
        (status = 413, response = TooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, description = "The `Idempotency-Key` came with another body", body = ErrorDetail),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    WebhookCaller(scope): WebhookCaller,
    url: RequestUrl,
    IdempotencyKeyHeader(key): IdempotencyKeyHeader,
    WebhookBody(input): WebhookBody,
) -> Result<Response, ApiError> {
    let draft = validate_new(&input).map_err(ApiError::Validation)?;
    let created = service::create(&state.db, scope, &draft, key.as_ref()).await?;
    let location = url.absolute(&format!("/api/v2/webhooks/{}/", created.id));
    let mut response = (
        StatusCode::CREATED,
        [
            (header::LOCATION, location),
            (header::CONTENT_TYPE, "application/json".to_owned()),
        ],
        created.body,
    )
        .into_response();
    let headers = response.headers_mut();
    headers.insert(header::ETAG, etag(created.version));
    if created.replayed {
        headers.insert(IDEMPOTENT_REPLAYED, HeaderValue::from_static("true"));
    }
    Ok(response)
}

const IDEMPOTENT_REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

/// The `Idempotency-Key` request header.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)] // documents the header; `create` reads it
pub struct IdempotencyHeader {
    /// 1-255 printable ASCII characters, unique per intended webhook. A
    /// repeat within 24 hours with the same body creates nothing and answers
    /// the webhook the first request created.
    #[param(
        rename = "Idempotency-Key",
        min_length = 1,
        max_length = 255,
        pattern = "^[ -~]{1,255}$"
    )]
    idempotency_key: Option<String>,
}

/// The `If-Match` request header of a write.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)] // documents the header; `IfMatch` reads it
pub struct IfMatchHeader {
    /// An `ETag` from a read: the write applies only to that version
    /// (412 otherwise). Without it, writes apply to any version.
    #[param(rename = "If-Match", example = "\"1764252187123\"")]
    if_match: Option<String>,
}

/// Change some fields of a webhook (PATCH only; there is no PUT).
#[utoipa::path(
    patch,
    path = "/api/v2/webhooks/{id}/",
    operation_id = "updateWebhook",
    tag = "webhooks",
    params(IdPath, IfMatchHeader),
    request_body = WebhookUpdate,
    responses(
        (status = 200, description = "The changed webhook", body = WebhookResource,
            headers(("ETag" = String, description = "The webhook's new version"))),
        (status = 400, response = BadRequest),
        (status = 412, response = PreconditionFailed),
        (status = 413, response = TooLarge),
        (status = 415, response = UnsupportedMediaType),
    )
)]
pub async fn update(
    State(state): State<AppState>,
    WebhookCaller(scope): WebhookCaller,
    WebhookId(id): WebhookId,
    if_match: IfMatch,
    WebhookBody(input): WebhookBody,
) -> Result<Response, ApiError> {
    let changes = validate_changes(&input).map_err(ApiError::Validation)?;
    let precondition = if_match.into();
    let webhook = service::update(&state.db, scope, id, &changes, &precondition).await?;
    Ok((
        [(header::ETAG, etag(webhook.version()))],
        Json(webhook.resource()),
    )
        .into_response())
}

/// Delete a webhook.
#[utoipa::path(
    delete,
    path = "/api/v2/webhooks/{id}/",
    operation_id = "deleteWebhook",
    tag = "webhooks",
    params(IdPath, IfMatchHeader),
    responses(
        (status = 204, description = "Deleted",
            headers(("ETag" = String, description = "The version that was deleted"))),
        (status = 412, response = PreconditionFailed),
    )
)]
pub async fn delete(
    State(state): State<AppState>,
    WebhookCaller(scope): WebhookCaller,
    WebhookId(id): WebhookId,
    if_match: IfMatch,
) -> Result<Response, ApiError> {
    let deleted = service::delete(&state.db, scope, id, &if_match.into()).await?;
    // The version that was deleted, as every write answers with its ETag.
    Ok((
        StatusCode::NO_CONTENT,
        [(header::ETAG, etag(deleted.version()))],
    )
        .into_response())
}

pub async fn options_list(_: WebhookCaller) -> Json<serde_json::Value> {
    Json(describe("Webhook List"))
}

pub async fn options_item(_: WebhookCaller) -> Json<serde_json::Value> {
    Json(describe("Webhook Instance"))
}
