//! `/api/v2/webhooks/`: thin axum handlers over the webhook service. Each
//! one authenticates first (the extractor), then parses, then calls in.
//! Beyond the documented contract (additions a DRF-era client never
//! notices): `ETag`/`If-Match`/`If-None-Match`, `Idempotency-Key`, the
//! history and events feeds ([`history`]) and test messages ([`test`]).

pub(crate) mod history;
pub(crate) mod test;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, MethodRouter};
use axum::{Json, Router};
use serde::Serialize;
use serde_json::json;

use super::{Page, WebhookResource};
use crate::server::api::auth::{WebhookCaller, WebhookInPath, WebhookLister};
use crate::server::api::conditional::{etag, none_match, IfMatch};
use crate::server::api::error::{ApiError, ErrorDetail};
use crate::server::api::extract::{WebhookBody, WebhookId};
use crate::server::api::links::RequestUrl;
use crate::server::api::openapi;
use crate::server::api::openapi::{
    BadRequest, Forbidden, NotFound, PreconditionFailed, TooLarge, Unauthenticated, Unavailable,
    UnsupportedMediaType, WebhookCreate, WebhookUpdate,
};
use crate::server::webhooks as service;
use crate::server::AppState;
use crate::shared::validation::{validate_changes, validate_new};

const LIST_ALLOW: &str = "GET, POST, HEAD, OPTIONS";
const ITEM_ALLOW: &str = "GET, PATCH, DELETE, HEAD, OPTIONS";

pub fn router() -> Router<AppState> {
    let list = with_allow(
        get(list)
            .post(create)
            .options(options_list)
            .fallback(method_not_allowed),
        LIST_ALLOW,
    );
    let item = with_allow(
        get(retrieve)
            .patch(update)
            .delete(delete)
            .options(options_item)
            .fallback(method_not_allowed),
        ITEM_ALLOW,
    );
    // The same paths without the trailing slash are served identically.
    let routes = [
        ("/api/v2/webhooks/", list),
        ("/api/v2/webhooks/{id}/", item),
        ("/api/v2/webhooks/{id}/history/", history::webhook_routes()),
        ("/api/v2/webhook-events/", history::organization_routes()),
        ("/api/v2/webhooks/{id}/test/", test::routes()),
    ];
    routes.into_iter().fold(
        Router::new().route(openapi::PATH, get(openapi::serve)),
        |router, (path, methods)| {
            router
                .route(path, methods.clone())
                .route(path.trim_end_matches('/'), methods)
        },
    )
}

/// Every response of a resource says which methods it offers, as DRF does.
pub(super) fn with_allow(
    router: MethodRouter<AppState>,
    allow: &'static str,
) -> MethodRouter<AppState> {
    router.layer(axum::middleware::map_response(
        move |mut response: Response| async move {
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static(allow));
            response
        },
    ))
}

/// One page of webhooks, ordered by id.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = WebhookList)]
pub(crate) struct ListBody<'a> {
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

/// `?page=&page_size=`, read the way DRF reads them (Python's `int()`).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documents the query; `PageRequest` reads it
pub(crate) struct PageQuery {
    /// The page, from 1 (or `last`). Past the last page: 404 "Invalid page.".
    #[param(minimum = 1)]
    page: Option<i64>,
    /// Webhooks per page: 25 by default, at most 100 (larger asks get 100).
    #[param(minimum = 1)]
    page_size: Option<i64>,
}

/// The `{id}` of a webhook's path.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)] // documents the path; `WebhookId` reads it
pub(crate) struct IdPath {
    /// The webhook's id; not an integer: 404 "Not found.".
    id: i64,
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
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, description = "`Invalid page.`", body = ErrorDetail),
        (status = 503, response = Unavailable),
    )
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    WebhookLister {
        scope,
        url,
        request,
        page,
    }: WebhookLister,
) -> Result<Response, ApiError> {
    let page = service::list(&state.db, scope, request, page).await?;
    let (next, previous) = page_links(&url, &page);
    let body = ListBody {
        count: page.count,
        next,
        previous,
        results: page.items.iter().map(|w| w.resource()).collect(),
    };
    Ok(Json(body).into_response())
}

/// A page's `next` and `previous` absolute URLs, DRF's way: the first page
/// has no `page` parameter.
pub(super) fn page_links<T>(url: &RequestUrl, page: &Page<T>) -> (Option<String>, Option<String>) {
    let next = page
        .has_next()
        .then(|| url.with_page(Some(page.number + 1)));
    let previous = page
        .has_previous()
        .then(|| url.with_page((page.number > 2).then_some(page.number - 1)));
    (next, previous)
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
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
pub(crate) async fn retrieve(
    WebhookInPath(webhook): WebhookInPath,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let tag = [(header::ETAG, etag(webhook.version()))];
    if none_match(&headers, webhook.version()) {
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
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 413, response = TooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, description = "The `Idempotency-Key` came with another body", body = ErrorDetail),
        (status = 503, response = Unavailable),
    )
)]
pub(crate) async fn create(
    State(state): State<AppState>,
    WebhookCaller(scope): WebhookCaller,
    url: RequestUrl,
    headers: HeaderMap,
    WebhookBody(input): WebhookBody,
) -> Result<Response, ApiError> {
    let key = match headers.get(IDEMPOTENCY_KEY) {
        None => None,
        Some(raw) => Some(
            service::IdempotencyKey::parse(raw.as_bytes())
                .ok_or(ApiError::InvalidIdempotencyKey)?,
        ),
    };
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

const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
const IDEMPOTENT_REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

/// The `Idempotency-Key` request header.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)] // documents the header; `create` reads it
pub(crate) struct IdempotencyHeader {
    /// 1-255 printable ASCII characters, unique per intended webhook. A
    /// repeat within 24 hours with the same body returns the first answer.
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
pub(crate) struct IfMatchHeader {
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
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 412, response = PreconditionFailed),
        (status = 413, response = TooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 503, response = Unavailable),
    )
)]
pub(crate) async fn update(
    State(state): State<AppState>,
    WebhookCaller(scope): WebhookCaller,
    WebhookId(id): WebhookId,
    IfMatch(precondition): IfMatch,
    WebhookBody(input): WebhookBody,
) -> Result<Response, ApiError> {
    let changes = validate_changes(&input).map_err(ApiError::Validation)?;
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
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 412, response = PreconditionFailed),
        (status = 503, response = Unavailable),
    )
)]
pub(crate) async fn delete(
    State(state): State<AppState>,
    WebhookCaller(scope): WebhookCaller,
    WebhookId(id): WebhookId,
    IfMatch(precondition): IfMatch,
) -> Result<Response, ApiError> {
    let deleted = service::delete(&state.db, scope, id, &precondition).await?;
    // The version that was deleted, as every write answers with its ETag.
    Ok((
        StatusCode::NO_CONTENT,
        [(header::ETAG, etag(deleted.version()))],
    )
        .into_response())
}

async fn options_list(_: WebhookCaller) -> Json<serde_json::Value> {
    Json(describe("Webhook List"))
}

async fn options_item(_: WebhookCaller) -> Json<serde_json::Value> {
    Json(describe("Webhook Instance"))
}

pub(super) fn describe(name: &str) -> serde_json::Value {
    json!({
        "name": name,
        "description": "",
        "renders": ["application/json"],
        "parses": ["application/json"],
    })
}

pub(super) async fn method_not_allowed(_: WebhookCaller, method: Method) -> ApiError {
    ApiError::MethodNotAllowed(method.to_string())
}
