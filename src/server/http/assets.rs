//! The built site (JS, WASM, CSS and `public/`) inside the release binary,
//! so `webhook-admin serve` needs nothing beside it. `make release` builds
//! with the `embed-site` feature after cargo-leptos has built the site.
//!
//! Files of `pkg/` are served under `/pkg/<version>/`, where the version is
//! a hash of their contents: a new build gets new addresses, so browsers may
//! keep them forever (`immutable`). Precompressed `.br`/`.gz` variants are
//! sent to clients that accept them. Without the feature (debug builds,
//! tests) this router is empty and leptos serves `target/site` from disk.

use std::borrow::Cow;
use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use sha2::{Digest, Sha256};

#[cfg(feature = "embed-site")]
#[derive(rust_embed::Embed)]
#[folder = "target/site"]
struct Embedded;

/// One embedded file's bytes, or `None`.
fn file(path: &str) -> Option<Cow<'static, [u8]>> {
    #[cfg(feature = "embed-site")]
    {
        <Embedded as rust_embed::Embed>::get(path).map(|file| file.data)
    }
    #[cfg(not(feature = "embed-site"))]
    {
        let _ = path;
        None
    }
}

/// Every embedded file's path, sorted.
fn paths() -> Vec<String> {
    #[cfg(feature = "embed-site")]
    {
        let mut paths: Vec<String> = <Embedded as rust_embed::Embed>::iter()
            .map(|p| p.into_owned())
            .collect();
        paths.sort();
        paths
    }
    #[cfg(not(feature = "embed-site"))]
    {
        Vec::new()
    }
}

/// The hash of `pkg/`'s contents, when the site is embedded.
pub fn version() -> Option<&'static str> {
    static VERSION: LazyLock<Option<String>> = LazyLock::new(|| {
        let mut hash = Sha256::new();
        let mut any = false;
        for path in paths().iter().filter(|p| p.starts_with("pkg/")) {
            any = true;
            hash.update(path.as_bytes());
            hash.update(file(path).unwrap_or_default());
        }
        any.then(|| hex::encode(&hash.finalize()[..8]))
    });
    VERSION.as_deref()
}

/// `/pkg/<version>/…` and the other embedded files (`/favicon.svg`), or
/// nothing when the site is not embedded.
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    let Some(version) = version() else {
        return Router::new();
    };
    let mut router = Router::new().route(
        &format!("/pkg/{version}/{{*file}}"),
        get(|Path(file): Path<String>, headers: HeaderMap| async move {
            serve(&format!("pkg/{file}"), &headers, IMMUTABLE)
        }),
    );
    for path in paths() {
        let public = !path.starts_with("pkg/") && !path.ends_with(".br") && !path.ends_with(".gz");
        if public {
            router = router.route(
                &format!("/{path}"),
                get(move |headers: HeaderMap| async move { serve(&path, &headers, AN_HOUR) }),
            );
        }
    }
    router
}

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const AN_HOUR: &str = "public, max-age=3600";

fn serve(path: &str, headers: &HeaderMap, cache_control: &'static str) -> Response {
    let Some(content_type) = content_type(path) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let accepts = |coding: &str| {
        headers
            .get_all(header::ACCEPT_ENCODING)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|offer| offer.split(';').next().unwrap_or_default().trim() == coding)
    };
    let compressed = [("br", ".br"), ("gzip", ".gz")]
        .into_iter()
        .filter(|(coding, _)| accepts(coding))
        .find_map(|(coding, suffix)| file(&format!("{path}{suffix}")).map(|data| (coding, data)));
    let (encoding, body) = match compressed {
        Some((coding, data)) => (Some(coding), data),
        None => match file(path) {
            Some(data) => (None, data),
            None => return StatusCode::NOT_FOUND.into_response(),
        },
    };
    let mut response = (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static(cache_control),
            ),
            (header::VARY, HeaderValue::from_static("accept-encoding")),
        ],
        body,
    )
        .into_response();
    if let Some(coding) = encoding {
        response
            .headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding));
    }
    response
}

/// The media type of the kinds of file the site has; others are not served.
fn content_type(path: &str) -> Option<&'static str> {
    let extension = path.rsplit_once('.')?.1;
    Some(match extension {
        "js" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        "json" => "application/json",
        _ => return None,
    })
}
