//! Security headers. Every response: `nosniff`, `Referrer-Policy`, a
//! Content-Security-Policy (pages get one with the nonce leptos put on their
//! inline scripts), `Cache-Control: no-store` on
//! everything built per request (pages, server function and API answers;
//! static assets stay cacheable), and HSTS when the public URL is https.

use axum::body::Body;
use axum::extract::Request;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY,
    STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower::ServiceBuilder;
use tower_http::set_header::SetResponseHeaderLayer;

/// What every policy shares: nothing from elsewhere, no framing, no `<base>`,
/// forms post only here.
const POLICY_BASE: &str =
    "default-src 'self'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// A page's policy: scripts from this origin or inline with the nonce, and
/// WebAssembly for the islands.
fn page_policy_for(nonce: &str) -> String {
    format!("{POLICY_BASE}; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'")
}

/// The largest page read whole to find its nonce; pages are a few KiB.
const MAX_PAGE_BYTES: usize = 4 * 1024 * 1024;

/// Gives an HTML page the policy with the nonce its scripts carry. leptos
/// puts a fresh nonce on the inline scripts of every render; the policy is
/// taken from the page itself, so it always names the nonce the browser sees.
/// (Pages render whole before sending, `SsrMode::Async`: nothing streams.)
pub async fn page_policy(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let is_html = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !is_html {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(page) = axum::body::to_bytes(body, MAX_PAGE_BYTES).await else {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            "the page could not be rendered",
        )
            .into_response();
    };
    if let Some(policy) =
        nonce_in(&page).and_then(|n| HeaderValue::from_str(&page_policy_for(n)).ok())
    {
        parts.headers.insert(CONTENT_SECURITY_POLICY, policy);
    }
    Response::from_parts(parts, Body::from(page))
}

/// The first `nonce="…"` of a page.
fn nonce_in(page: &[u8]) -> Option<&str> {
    const MARK: &[u8] = b"nonce=\"";
    let start = page.windows(MARK.len()).position(|w| w == MARK)? + MARK.len();
    let len = page[start..].iter().position(|&b| b == b'"')?;
    std::str::from_utf8(&page[start..start + len])
        .ok()
        .filter(|n| {
            !n.is_empty()
                && n.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+/=_-".contains(&b))
        })
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
    app.layer(axum::middleware::from_fn(page_policy))
        .layer(headers)
}

#[cfg(test)]
mod tests {
    use super::nonce_in;

    #[test]
    fn the_nonce_is_read_from_the_page() {
        let page =
            br#"<head><link rel="modulepreload"><script type="module" nonce="ab+C_d-9">x</script>"#;
        assert_eq!(nonce_in(page), Some("ab+C_d-9"));
        assert_eq!(nonce_in(b"<p>no scripts</p>"), None);
        assert_eq!(nonce_in(br#"<script nonce="a b">"#), None);
        assert_eq!(nonce_in(br#"<script nonce="">"#), None);
    }
}
