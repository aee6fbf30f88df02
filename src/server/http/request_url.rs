//! Absolute URLs built from the request, with DRF's query-string handling:
//! every parameter kept, keys sorted, values encoded like Python's `urlencode`.

use axum::http::request::Parts;
use axum::http::Uri;

use crate::server::http::site::{request_origin, SiteOrigin};
use crate::shared::list_query::quote_plus;

/// Where a request was sent, as far as the client could see it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RequestUrl {
    origin: String,
    path: String,
    query: Vec<(String, String)>,
}

impl RequestUrl {
    /// The origin from [`SiteOrigin`] (the public URL, or the allowed `Host`
    /// the client used), the path as requested.
    pub fn from_parts(parts: &Parts, original: &Uri) -> Self {
        let origin = match parts.extensions.get::<SiteOrigin>() {
            Some(SiteOrigin(origin)) => origin.clone(),
            None => request_origin(&parts.headers, original),
        };
        RequestUrl {
            origin,
            path: original.path().to_owned(),
            query: parse_query(original.query().unwrap_or_default()),
        }
    }

    /// The last value given for `key`, as Django's `QueryDict.get` returns it.
    pub fn param(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// This URL with `page` set to `page`, or removed when `page` is `None`.
    pub fn with_page(&self, page: Option<i64>) -> String {
        let mut query: Vec<(&str, String)> = self
            .query
            .iter()
            .filter(|(k, _)| k != "page")
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect();
        if let Some(page) = page {
            query.push(("page", page.to_string()));
        }
        // A stable sort keeps repeated keys' values in their original order.
        query.sort_by(|a, b| a.0.cmp(b.0));
        let encoded: Vec<String> = query
            .iter()
            .map(|(k, v)| format!("{}={}", quote_plus(k), quote_plus(v)))
            .collect();
        if encoded.is_empty() {
            format!("{}{}", self.origin, self.path)
        } else {
            format!("{}{}?{}", self.origin, self.path, encoded.join("&"))
        }
    }

    /// `scheme://host[:port]` as the client reached this server.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// An absolute URL for another path on this origin.
    pub fn absolute(&self, path: &str) -> String {
        format!("{}{}", self.origin, path)
    }
}

/// Python's `parse_qsl(query, keep_blank_values=True)`.
pub fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (unquote_plus(key), unquote_plus(value))
        })
        .collect()
}

/// `+` is a space; `%XX` is a byte; anything else stays as it is. Bytes
/// that are not UTF-8 become U+FFFD, as Python decodes them.
fn unquote_plus(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => match bytes
                .get(i + 1..i + 3)
                .and_then(|pair| hex_pair(pair[0], pair[1]))
            {
                Some(decoded) => {
                    out.push(decoded);
                    i += 2;
                }
                None => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_pair(high: u8, low: u8) -> Option<u8> {
    let digit = |b: u8| (b as char).to_digit(16);
    Some((digit(high)? * 16 + digit(low)?) as u8)
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for RequestUrl {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let original = parts
            .extensions
            .get::<axum::extract::OriginalUri>()
            .map_or_else(|| parts.uri.clone(), |o| o.0.clone());
        Ok(RequestUrl::from_parts(parts, &original))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn url(target: &str) -> RequestUrl {
        let request = Request::get(target)
            .header("host", "api.test:8000")
            .body(())
            .unwrap();
        let (parts, ()) = request.into_parts();
        RequestUrl::from_parts(&parts, &parts.uri)
    }

    #[test]
    fn links_keep_sorted_parameters() {
        let u = url("/api/v2/webhooks/?page_size=2&name=a+b&page=2&active=true");
        assert_eq!(
            u.with_page(Some(3)),
            "http://api.test:8000/api/v2/webhooks/?active=true&name=a+b&page=3&page_size=2"
        );
        assert_eq!(
            u.with_page(None),
            "http://api.test:8000/api/v2/webhooks/?active=true&name=a+b&page_size=2"
        );
        assert_eq!(
            url("/api/v2/webhooks?page=2").with_page(None),
            "http://api.test:8000/api/v2/webhooks"
        );
    }

    #[test]
    fn python_quoting() {
        let u = url("/x?z=%E2%9C%93&b=%zz&a&c=1&c=0&d=%2B~");
        assert_eq!(
            u.with_page(Some(2)),
            "http://api.test:8000/x?a=&b=%25zz&c=1&c=0&d=%2B~&page=2&z=%E2%9C%93"
        );
        assert_eq!(u.param("c"), Some("0"));
        assert_eq!(u.param("a"), Some(""));
        assert_eq!(u.param("page"), None);
    }

    #[test]
    fn forwarded_scheme() {
        let request = Request::get("/x")
            .header("host", "h")
            .header("x-forwarded-proto", "https")
            .body(())
            .unwrap();
        let (parts, ()) = request.into_parts();
        assert_eq!(
            RequestUrl::from_parts(&parts, &parts.uri).absolute("/y"),
            "https://h/y"
        );
    }
}
