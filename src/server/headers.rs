//! Security headers. Every response: `nosniff`, `Referrer-Policy`, a
//! Content-Security-Policy (pages get one with their render's nonce, which
//! leptos puts on its own inline scripts), `Cache-Control: no-store` on
//! everything built per request (pages, server function and API answers;
//! static assets stay cacheable), and HSTS when the public URL is https.

use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY,
    STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::HeaderValue;
use axum::response::Response;
use axum::Router;
use tower::ServiceBuilder;
use tower_http::set_header::SetResponseHeaderLayer;

/// What every policy shares: nothing from elsewhere, no framing, no `<base>`,
/// forms post only here.
const POLICY_BASE: &str =
    "default-src 'self'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// A page's policy: scripts from this origin or inline with the nonce, and
/// WebAssembly for the islands.
pub fn page_policy(nonce: &str) -> String {
    format!("{POLICY_BASE}; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'")
}

/// Sets a page's policy on the response being rendered (server only).
pub fn set_page_policy() {
    use leptos::prelude::use_context;
    let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    if let Ok(value) = HeaderValue::from_str(&page_policy(&nonce)) {
        response.insert_header(CONTENT_SECURITY_POLICY, value);
    }
}

/// Answers built for one request (HTML pages, JSON) must not be stored: they
/// can hold a revealed URL, a new token, or someone's list of webhooks.
fn no_store_when_dynamic(response: &Response) -> Option<HeaderValue> {
    let content_type = response.headers().get(CONTENT_TYPE)?.to_str().ok()?;
    let dynamic =
        content_type.starts_with("text/html") || content_type.starts_with("application/json");
    dynamic.then_some(HeaderValue::from_static("no-store"))
}

pub fn layer(app: Router, https: bool) -> Router {
    let headers = ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(
            X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            CONTENT_SECURITY_POLICY,
            HeaderValue::from_str(&format!("{POLICY_BASE}; script-src 'self'"))
                .expect("the policy is a valid header value"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            CACHE_CONTROL,
            no_store_when_dynamic,
        ))
        .layer(tower::util::option_layer(https.then(|| {
            SetResponseHeaderLayer::overriding(
                STRICT_TRANSPORT_SECURITY,
                HeaderValue::from_static("max-age=63072000; includeSubDomains"),
            )
        })));
    app.layer(headers)
}
