//! Which host names this server answers to, and the origin its links use.
//! As Django's `ALLOWED_HOSTS`: a request for any other `Host` is refused
//! before anything else looks at it, so a forged `Host` cannot end up in a
//! pagination link or a `Location`.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::HOST;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;

/// Where the server is reached and by which names.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SiteSettings {
    /// `scheme://host[:port]` of `PUBLIC_URL`: every link and `Location` uses it.
    pub public_origin: Option<String>,
    /// Host names (no port) requests may carry: `example.com`, `.example.com`
    /// (the domain and its subdomains) or `*` (any).
    pub allowed_hosts: Vec<String>,
}

/// The origin links of this request are built on: the public URL's, else
/// the scheme and `Host` the client used. Set by [`allowed_hosts_only`].
#[derive(Clone, Debug)]
pub struct SiteOrigin(pub String);

impl SiteSettings {
    /// Whether a `Host` header value names this server.
    pub fn allows(&self, host_header: &str) -> bool {
        let Some(host) = host_name(host_header) else {
            return false;
        };
        self.allowed_hosts.iter().any(|pattern| {
            pattern == "*"
                || pattern == &host
                || pattern
                    .strip_prefix('.')
                    .is_some_and(|domain| host == domain || host.ends_with(pattern.as_str()))
        })
    }
}

/// The host name of a `Host` value, lower case, without its port; `None`
/// when it is not a plausible host (as Django's `split_domain_port`).
fn host_name(header: &str) -> Option<String> {
    let header = header.to_ascii_lowercase();
    let (host, port) = if header.starts_with('[') {
        let end = header.find(']')?;
        (&header[..=end], &header[end + 1..])
    } else {
        match header.rsplit_once(':') {
            Some((host, _)) => (host, header.get(host.len()..).unwrap_or_default()),
            None => (header.as_str(), ""),
        }
    };
    let port_ok = port.is_empty()
        || port
            .strip_prefix(':')
            .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    let host = host.strip_suffix('.').unwrap_or(host);
    let host_ok = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.:[]_".contains(&b));
    (port_ok && host_ok).then(|| host.to_owned())
}

/// Refuses a request whose `Host` is not allowed (400, as Django), and
/// gives the others their [`SiteOrigin`].
pub async fn allowed_hosts_only(
    State(site): State<Arc<SiteSettings>>,
    mut request: Request,
    next: Next,
) -> Response {
    let host = host_of(request.headers(), request.uri());
    if !host.as_deref().is_some_and(|host| site.allows(host)) {
        return (
            StatusCode::BAD_REQUEST,
            Json(serde_json::json!({ "detail": "Bad Request" })),
        )
            .into_response();
    }
    let origin = site
        .public_origin
        .clone()
        .unwrap_or_else(|| request_origin(request.headers(), request.uri()));
    request.extensions_mut().insert(SiteOrigin(origin));
    next.run(request).await
}

/// The one `Host` header (two are refused), else the URI's authority.
fn host_of(headers: &HeaderMap, uri: &Uri) -> Option<String> {
    let mut hosts = headers.get_all(HOST).iter();
    match (hosts.next(), hosts.next()) {
        (Some(host), None) => host.to_str().ok().map(str::to_owned),
        (None, _) => uri.authority().map(|a| a.to_string()),
        (Some(_), Some(_)) => None,
    }
}

/// `scheme://host` as the client reached this server: the scheme from
/// `X-Forwarded-Proto` (a TLS-terminating proxy) or the URI, the host from
/// `Host` or the URI.
pub fn request_origin(headers: &HeaderMap, uri: &Uri) -> String {
    let scheme = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(',')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
        .filter(|v| v == "http" || v == "https")
        .or_else(|| uri.scheme_str().map(str::to_owned))
        .unwrap_or_else(|| "http".to_owned());
    let host = host_of(headers, uri).unwrap_or_else(|| "localhost".to_owned());
    format!("{scheme}://{host}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(hosts: &[&str]) -> SiteSettings {
        SiteSettings {
            public_origin: None,
            allowed_hosts: hosts.iter().map(|h| h.to_string()).collect(),
        }
    }

    #[test]
    fn hosts_match_like_django() {
        let site = site(&["localhost", "127.0.0.1", "[::1]", ".example.com"]);
        for ok in [
            "localhost",
            "LOCALHOST:3000",
            "127.0.0.1:8000",
            "[::1]:3000",
            "example.com",
            "api.example.com",
            "example.com.",
        ] {
            assert!(site.allows(ok), "{ok}");
        }
        for refused in [
            "evil.example",
            "localhost.evil.example",
            "notexample.com",
            "localhost:abc",
            "localhost:",
            "",
            "local host",
            "localhost/x",
            "[::1",
        ] {
            assert!(!site.allows(refused), "{refused}");
        }
        assert!(super::tests::site(&["*"]).allows("anything.test:1"));
    }
}
