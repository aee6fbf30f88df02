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
use crate::server::api::error::ApiError;
use crate::server::api::extract::{WebhookBody, WebhookId};
use crate::server::api::links::RequestUrl;
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

#[derive(Serialize)]
struct ListBody<'a> {
    count: i64,
    next: Option<String>,
    previous: Option<String>,
    results: Vec<WebhookResource<'a>>,
}

async fn list(
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

async fn retrieve(
    State(state): State<AppState>,
    WebhookCaller(scope): WebhookCaller,
    WebhookId(id): WebhookId,
) -> Result<Response, ApiError> {
    let webhook = service::get(&state.db, scope, id).await?;
    Ok(Json(webhook.resource()).into_response())
}

async fn create(
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

async fn update(
    State(state): State<AppState>,
    WebhookCaller(scope): WebhookCaller,
    WebhookId(id): WebhookId,
    WebhookBody(input): WebhookBody,
) -> Result<Response, ApiError> {
    let changes = validate_changes(&input).map_err(ApiError::Validation)?;
    let webhook = service::update(&state.db, scope, id, &changes).await?;
    Ok(Json(webhook.resource()).into_response())
}

async fn delete(
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
