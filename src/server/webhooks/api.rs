//! `/api/v2/webhooks/`: thin axum handlers over the webhook service. Each
//! one authenticates first (the extractor), then parses, then calls in.

use axum::extract::State;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, MethodRouter};
use axum::{Json, Router};
use serde::Serialize;
use serde_json::json;

use super::{PageRequest, WebhookResource};
use crate::server::api::auth::WebhookCaller;
use crate::server::api::error::{ApiError, ErrorDetail};
use crate::server::api::extract::{WebhookBody, WebhookId};
use crate::server::api::links::RequestUrl;
use crate::server::api::openapi;
use crate::server::api::openapi::{
    BadRequest, Forbidden, NotFound, TooLarge, Unauthenticated, Unavailable, UnsupportedMediaType,
    WebhookCreate, WebhookUpdate,
};
use crate::server::webhooks as service;
use crate::server::AppState;
use crate::validation::{validate_changes, validate_new};

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
    Router::new()
        .route(openapi::PATH, get(openapi::serve))
        .route("/api/v2/webhooks/", list.clone())
        .route("/api/v2/webhooks", list)
        .route("/api/v2/webhooks/{id}/", item.clone())
        .route("/api/v2/webhooks/{id}", item)
}

/// Every response of a resource says which methods it offers, as DRF does.
fn with_allow(router: MethodRouter<AppState>, allow: &'static str) -> MethodRouter<AppState> {
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
    WebhookCaller(scope): WebhookCaller,
    url: RequestUrl,
) -> Result<Response, ApiError> {
    let request = PageRequest::from_query(url.param("page"), url.param("page_size"));
    let page = service::list(&state.db, scope, request).await?;
    let body = ListBody {
        count: page.count,
        next: page
            .has_next()
            .then(|| url.with_page(Some(page.number + 1))),
        previous: page
            .has_previous()
            .then(|| url.with_page((page.number > 2).then_some(page.number - 1))),
        results: page.items.iter().map(|w| w.resource()).collect(),
    };
    Ok(Json(body).into_response())
}

/// One webhook.
#[utoipa::path(
    get,
    path = "/api/v2/webhooks/{id}/",
    operation_id = "retrieveWebhook",
    tag = "webhooks",
    params(IdPath),
    responses(
        (status = 200, description = "The webhook", body = WebhookResource),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
pub(crate) async fn retrieve(
    State(state): State<AppState>,
    WebhookCaller(scope): WebhookCaller,
    WebhookId(id): WebhookId,
) -> Result<Response, ApiError> {
    let webhook = service::get(&state.db, scope, id).await?;
    Ok(Json(webhook.resource()).into_response())
}

/// Create a webhook.
#[utoipa::path(
    post,
    path = "/api/v2/webhooks/",
    operation_id = "createWebhook",
    tag = "webhooks",
    request_body = WebhookCreate,
    responses(
        (status = 201, description = "Created; `Location` is its address", body = WebhookResource,
            headers(("Location" = String, description = "The new webhook's absolute URL"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 413, response = TooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 503, response = Unavailable),
    )
)]
pub(crate) async fn create(
    State(state): State<AppState>,
    WebhookCaller(scope): WebhookCaller,
    url: RequestUrl,
    WebhookBody(input): WebhookBody,
) -> Result<Response, ApiError> {
    let draft = validate_new(&input).map_err(ApiError::Validation)?;
    let webhook = service::create(&state.db, scope, &draft).await?;
    let location = url.absolute(&format!("/api/v2/webhooks/{}/", webhook.id));
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(webhook.resource()),
    )
        .into_response())
}

/// Change some fields of a webhook (PATCH only; there is no PUT).
#[utoipa::path(
    patch,
    path = "/api/v2/webhooks/{id}/",
    operation_id = "updateWebhook",
    tag = "webhooks",
    params(IdPath),
    request_body = WebhookUpdate,
    responses(
        (status = 200, description = "The changed webhook", body = WebhookResource),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 413, response = TooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 503, response = Unavailable),
    )
)]
pub(crate) async fn update(
    State(state): State<AppState>,
    WebhookCaller(scope): WebhookCaller,
    WebhookId(id): WebhookId,
    WebhookBody(input): WebhookBody,
) -> Result<Response, ApiError> {
    let changes = validate_changes(&input).map_err(ApiError::Validation)?;
    let webhook = service::update(&state.db, scope, id, &changes).await?;
    Ok(Json(webhook.resource()).into_response())
}

/// Delete a webhook.
#[utoipa::path(
    delete,
    path = "/api/v2/webhooks/{id}/",
    operation_id = "deleteWebhook",
    tag = "webhooks",
    params(IdPath),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
pub(crate) async fn delete(
    State(state): State<AppState>,
    WebhookCaller(scope): WebhookCaller,
    WebhookId(id): WebhookId,
) -> Result<StatusCode, ApiError> {
    service::delete(&state.db, scope, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn options_list(_: WebhookCaller) -> Json<serde_json::Value> {
    Json(describe("Webhook List"))
}

async fn options_item(_: WebhookCaller) -> Json<serde_json::Value> {
    Json(describe("Webhook Instance"))
}

fn describe(name: &str) -> serde_json::Value {
    json!({
        "name": name,
        "description": "",
        "renders": ["application/json"],
        "parses": ["application/json"],
    })
}

async fn method_not_allowed(_: WebhookCaller, method: Method) -> ApiError {
    ApiError::MethodNotAllowed(method.to_string())
}
