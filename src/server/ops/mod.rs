//! What operators watch: liveness and readiness probes, a request id and one
//! log line per request, and Prometheus metrics (on their own address); and
//! the sweep of what has expired.

mod metrics;
mod sweep;

use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use tokio_util::task::TaskTracker;
use tracing::Instrument;

pub use metrics::{MethodLabel, Metrics};
pub use sweep::{sweep, sweep_forever};

use super::AppState;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// How long the readiness probe waits for the database.
const READINESS_TIMEOUT: Duration = Duration::from_secs(2);

/// `/healthz` and `/readyz`: no authentication, any host (load balancers
/// often probe by address), no session.
pub fn probes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

/// What a probe answers.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[allow(dead_code)] // documents the probes' bodies
pub(crate) struct Probe {
    /// `ok`, `ready` or `unavailable`.
    status: String,
    /// Only when unavailable: `Service temporarily unavailable.`
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
}

/// The process is up and answering; the database is not consulted, so a
/// database outage does not get healthy instances restarted.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "operations",
    security(()),
    responses((status = 200, description = "`{\"status\": \"ok\"}`", body = Probe))
)]
pub(crate) async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

/// Ready when the database answers; 503 otherwise, so a load balancer sends
/// requests elsewhere until it is back.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "operations",
    security(()),
    responses(
        (status = 200, description = "`{\"status\": \"ready\"}`", body = Probe),
        (status = 503, description = "The database cannot be reached", body = Probe),
    )
)]
pub(crate) async fn readyz(State(state): State<AppState>) -> Response {
    if state.db.is_reachable(READINESS_TIMEOUT).await {
        Json(json!({ "status": "ready" })).into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "unavailable", "detail": "Service temporarily unavailable." })),
        )
            .into_response()
    }
}

/// `GET /metrics` in the OpenMetrics text format, for the metrics listener.
pub fn metrics_router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(render_metrics))
        .with_state(state)
}

async fn render_metrics(State(state): State<AppState>) -> Response {
    let now = crate::server::clock::now_millis();
    if let Err(error) = state.metrics.deliveries.refresh(&state.db, now).await {
        // The other metrics still help while the database is away.
        tracing::warn!(error = %crate::server::causes::with_causes(&error), "cannot read the delivery queue");
    }
    (
        [(axum::http::header::CONTENT_TYPE, metrics::CONTENT_TYPE)],
        state.metrics.render(state.db.connections_in_use()),
    )
        .into_response()
}

/// Wraps every route: gives the request an id (the client's `x-request-id`
/// when it is a sane one, else a new one), runs it inside a span carrying
/// that id (so every log line of the request has it), echoes the id on the
/// response, logs one line (method, path without query, status, latency —
/// never a body, token or cookie) and counts it in the metrics. What a
/// client chose is bounded on the way: a method outside the standard set
/// is `OTHER`, a path is cut at [`MAX_LOGGED_PATH`] bytes.
pub async fn observe(
    State(metrics): State<std::sync::Arc<Metrics>>,
    mut request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let id = request
        .headers()
        .get(&REQUEST_ID)
        .filter(|value| is_sane_request_id(value.as_bytes()))
        .cloned()
        .unwrap_or_else(new_request_id);
    request.headers_mut().insert(REQUEST_ID, id.clone());
    let method = MethodLabel::of(request.method());
    let path = clip(request.uri().path(), MAX_LOGGED_PATH).to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("(unmatched)", |p| p.as_str())
        .to_owned();
    let span = tracing::info_span!("request", id = id.to_str().unwrap_or_default());
    let mut response = next.run(request).instrument(span.clone()).await;
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    span.in_scope(|| {
        tracing::info!(
            target: "webhook_admin::http",
            ?method,
            path,
            status,
            latency_ms = elapsed.as_secs_f64() * 1000.0,
            "answered"
        );
    });
    metrics.record(&route, method, status, elapsed);
    response.headers_mut().insert(REQUEST_ID, id);
    response
}

/// A request that may write runs to its end even when its client goes away
/// (a closed connection, a timeout) instead of being dropped at whatever
/// `.await` it had reached. Dropped mid-transaction, a SQLite statement
/// could be left running, its connection's rollback then failed, and the
/// transaction kept the write lock: every later write waited and failed.
/// Reads are safe to drop and stay as they are. `writes` tracks the tasks so
/// a shutdown can wait for those whose connection is already gone.
pub async fn finish_writes(
    State(writes): State<TaskTracker>,
    request: Request,
    next: Next,
) -> Response {
    if request.method().is_safe() {
        return next.run(request).await;
    }
    match writes.spawn(next.run(request).in_current_span()).await {
        Ok(response) => response,
        Err(failed) => {
            tracing::error!(error = %failed, "a request's task failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// The longest path a log line carries (in bytes).
const MAX_LOGGED_PATH: usize = 256;

/// At most `max` bytes of `text`, cut at a character boundary.
fn clip(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Up to 128 characters of letters, digits and `-_.:` — what proxies and
/// tracing systems send; anything else is replaced rather than logged.
fn is_sane_request_id(value: &[u8]) -> bool {
    (1..=128).contains(&value.len())
        && value
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(b))
}

fn new_request_id() -> HeaderValue {
    let bytes: [u8; 16] = rand::random();
    HeaderValue::from_str(&hex::encode(bytes)).expect("hex is a valid header value")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_from_clients_are_kept_only_when_sane() {
        assert!(is_sane_request_id(b"3f2a-9c_01.lb:7"));
        assert!(!is_sane_request_id(b""));
        assert!(!is_sane_request_id(b"has space"));
        assert!(!is_sane_request_id(b"quote\"d"));
        assert!(!is_sane_request_id(&[b'a'; 129]));
        let fresh = new_request_id();
        assert_eq!(fresh.len(), 32);
        assert!(is_sane_request_id(fresh.as_bytes()));
        assert_ne!(fresh, new_request_id());
    }

    #[test]
    fn logged_paths_are_clipped_at_a_character_boundary() {
        assert_eq!(clip("/webhooks", 256), "/webhooks");
        assert_eq!(clip("/abcdef", 4), "/abc");
        assert_eq!(clip("/é", 2), "/");
    }
}
