//! The REST API as one namespace: the resources' routers under `/api/`,
//! the OpenAPI 3.1 document of them (derived from the handlers' annotations
//! and the types they read and write; served at `GET /api/v2/openapi.json`
//! and kept in `docs/openapi.json`, a test keeps the two equal), and JSON
//! answers for what no resource serves: 404 `{"detail": "Not found."}` for an
//! unknown path, 405 with `Allow` for a method a path does not take — never
//! a page, nor the pages' same-origin refusal.

use std::sync::LazyLock;

use axum::http::{header, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use utoipa::OpenApi;

use super::delivery::api::events::EventCreate;
use super::rest::error::{ApiError, ErrorDetail, EventValidationErrors, ValidationErrors};
use super::rest::responses::{
    BadEvent, BadRequest, CommonResponses, Forbidden, NotFound, PreconditionFailed,
    TokenAuthentication, TooLarge, Unauthenticated, Unavailable, UnsupportedMediaType,
};
use super::webhooks::api::schemas::{WebhookCreate, WebhookUpdate};
use super::{delivery, ops, webhooks, AppState};

pub const PATH: &str = "/api/v2/openapi.json";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Webhooks API v2",
        description = "Manage an organization's outbound Slack webhook endpoints. \
            Callers are active super users of an organization whose Webhooks feature is on; \
            every operation is scoped to the caller's organization. Paths work with or \
            without their trailing slash. See docs/api.md.",
    ),
    paths(
        webhooks::api::resources::list,
        webhooks::api::resources::create,
        webhooks::api::resources::retrieve,
        webhooks::api::resources::update,
        webhooks::api::resources::delete,
        webhooks::api::test::send_test,
        webhooks::api::history::webhook_history,
        webhooks::api::history::organization_events,
        delivery::api::events::post_event,
        delivery::api::deliveries::list_deliveries,
        delivery::api::deliveries::retrieve_delivery,
        delivery::api::deliveries::redeliver,
        delivery::api::deliveries::redeliver_all,
        delivery::api::deliveries::discard_held,
        delivery::api::subscriptions::get_subscriptions,
        delivery::api::subscriptions::replace_subscriptions,
        ops::healthz,
        ops::readyz,
    ),
    components(
        schemas(
            WebhookCreate,
            WebhookUpdate,
            ErrorDetail,
            ValidationErrors,
            EventCreate,
            EventValidationErrors
        ),
        responses(
            Unauthenticated,
            Forbidden,
            NotFound,
            BadRequest,
            BadEvent,
            TooLarge,
            UnsupportedMediaType,
            PreconditionFailed,
            Unavailable
        ),
    ),
    modifiers(&TokenAuthentication, &CommonResponses),
    security(("Token" = [])),
    tags(
        (name = "webhooks", description = "Slack webhook endpoints of the caller's organization"),
        (name = "history", description = "Who did what to which webhook, and when"),
        (name = "events", description = "Events, and their deliveries to the organization's webhooks"),
        (name = "operations", description = "Probes for load balancers and orchestrators"),
    )
)]
struct ApiDoc;

/// The document, built once.
pub fn document() -> &'static utoipa::openapi::OpenApi {
    static DOCUMENT: LazyLock<utoipa::openapi::OpenApi> = LazyLock::new(ApiDoc::openapi);
    &DOCUMENT
}

/// `GET /api/v2/openapi.json`: no authentication, so clients can be generated.
pub async fn serve() -> Response {
    static JSON: LazyLock<String> = LazyLock::new(|| {
        document()
            .to_pretty_json()
            .expect("the document serialises")
    });
    ([(header::CONTENT_TYPE, "application/json")], JSON.as_str()).into_response()
}

/// Every resource under `/api/`, the document, and the namespace's own
/// answers for unknown paths.
pub fn router() -> Router<AppState> {
    ["/api", "/api/", "/api/{*rest}"].into_iter().fold(
        webhooks::api::router()
            .merge(delivery::api::router())
            .route(PATH, get(serve)),
        |router, path| router.route(path, axum::routing::any(not_found)),
    )
}

/// A method a route does not take: under `/api/` (the pages' server
/// functions are there too) the API's JSON 405, elsewhere a plain one.
pub async fn method_not_allowed(method: Method, uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        ApiError::MethodNotAllowed(method.to_string()).into_response()
    } else {
        StatusCode::METHOD_NOT_ALLOWED.into_response()
    }
}

/// Whatever no resource serves under `/api/`.
async fn not_found() -> ApiError {
    ApiError::NotFound
}
