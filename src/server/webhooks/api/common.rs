//! What the webhook resources share: the `Allow` header every answer
//! carries, OPTIONS' description, 405 after authentication (as DRF), the
//! path and page parameters, and a page's links.

use axum::http::{header, HeaderValue, Method};
use axum::response::Response;
use axum::routing::MethodRouter;
use serde_json::json;

use super::caller::WebhookCaller;
use crate::server::http::request_url::RequestUrl;
use crate::server::rest::error::ApiError;
use crate::server::webhooks::Page;
use crate::server::AppState;

/// Every response of a resource says which methods it offers, as DRF does.
pub fn with_allow(router: MethodRouter<AppState>, allow: &'static str) -> MethodRouter<AppState> {
    router.layer(axum::middleware::map_response(
        move |mut response: Response| async move {
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static(allow));
            response
        },
    ))
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

/// A page's `next` and `previous` absolute URLs, DRF's way: the first page
/// has no `page` parameter.
pub fn page_links<T>(url: &RequestUrl, page: &Page<T>) -> (Option<String>, Option<String>) {
    let next = page
        .has_next()
        .then(|| url.with_page(Some(page.number + 1)));
    let previous = page
        .has_previous()
        .then(|| url.with_page((page.number > 2).then_some(page.number - 1)));
    (next, previous)
}

pub fn describe(name: &str) -> serde_json::Value {
    json!({
        "name": name,
        "description": "",
        "renders": ["application/json"],
        "parses": ["application/json"],
    })
}

pub async fn method_not_allowed(_: WebhookCaller, method: Method) -> ApiError {
    ApiError::MethodNotAllowed(method.to_string())
}
