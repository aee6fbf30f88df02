//! Cross-site request forgery. Session cookies are `SameSite=Strict`; on top
//! of that, every request that can change something (anything but GET, HEAD
//! and OPTIONS) to the browser pages and their server functions must show it
//! comes from this site's own pages. The REST API authenticates with tokens,
//! not cookies, and is not behind this check.

use axum::extract::Request;
use axum::http::header::{ORIGIN, REFERER};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::server::http::request_url::RequestUrl;

pub const REFUSED: &str = "Forbidden: this request did not come from this site's pages.";

/// Refuses a state-changing request that does not prove it came from this
/// site: `Sec-Fetch-Site: same-origin`, or (from a browser that sends no
/// `Sec-Fetch-Site`) an `Origin`, else a `Referer`, on this server's origin.
pub async fn same_origin_only(request: Request, next: Next) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let own = RequestUrl::from_parts(&parts, &parts.uri);
    if !from_origin(&parts.headers, own.origin()) {
        tracing::warn!(path = %parts.uri.path(), "refused a cross-site request");
        return (StatusCode::FORBIDDEN, REFUSED).into_response();
    }
    next.run(Request::from_parts(parts, body)).await
}

fn from_origin(headers: &HeaderMap, own_origin: &str) -> bool {
    let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = header("sec-fetch-site") {
        return site == "same-origin";
    }
    match (header(ORIGIN.as_str()), header(REFERER.as_str())) {
        (Some(origin), _) => origin == own_origin,
        (None, Some(referer)) => origin_of(referer) == Some(own_origin),
        (None, None) => false,
    }
}

/// `scheme://authority` of an absolute URL.
fn origin_of(url: &str) -> Option<&str> {
    let after_scheme = url.find("://")? + 3;
    let end = url[after_scheme..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| after_scheme + i);
    Some(&url[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        map
    }

    const OWN: &str = "http://127.0.0.1:3000";

    #[test]
    fn same_origin_proofs() {
        for ok in [
            headers(&[("sec-fetch-site", "same-origin")]),
            headers(&[("origin", OWN)]),
            headers(&[("referer", "http://127.0.0.1:3000/webhooks/new?x=1")]),
            headers(&[("referer", OWN)]),
        ] {
            assert!(from_origin(&ok, OWN), "{ok:?}");
        }
        for refused in [
            headers(&[]),
            headers(&[("sec-fetch-site", "cross-site"), ("origin", OWN)]),
            headers(&[("sec-fetch-site", "same-site")]),
            headers(&[("sec-fetch-site", "none")]),
            headers(&[("origin", "http://evil.example")]),
            headers(&[("origin", "null")]),
            headers(&[("origin", "http://127.0.0.1:3000.evil.example")]),
            headers(&[("referer", "http://127.0.0.1:3000.evil.example/")]),
            headers(&[
                ("origin", "http://evil.example"),
                ("referer", "http://127.0.0.1:3000/"),
            ]),
        ] {
            assert!(!from_origin(&refused, OWN), "{refused:?}");
        }
    }
}
