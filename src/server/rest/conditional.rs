//! Conditional requests on a resource with versions: `ETag` from its
//! version, `If-Match` on writes (RFC 9110 strong comparison) and
//! `If-None-Match` on reads (weak comparison).

use axum::extract::FromRequestParts;
use axum::http::header::{IF_MATCH, IF_NONE_MATCH};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue};

use super::error::ApiError;

pub fn etag(version: i64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).expect("digits and quotes are a valid header")
}

/// The entity tags of every `name` header, comma-separated lists joined:
/// `(weak, opaque)` pairs, or `None` for `*`.
fn entity_tags(headers: &HeaderMap, name: HeaderName) -> Option<Option<Vec<(bool, String)>>> {
    let mut values = headers.get_all(name).iter().peekable();
    values.peek()?;
    let mut tags = Vec::new();
    for value in values {
        for item in String::from_utf8_lossy(value.as_bytes()).split(',') {
            let item = item.trim();
            if item == "*" {
                return Some(None);
            }
            let (weak, quoted) = match item.strip_prefix("W/") {
                Some(rest) => (true, rest),
                None => (false, item),
            };
            if let Some(opaque) = quoted.strip_prefix('"').and_then(|q| q.strip_suffix('"')) {
                tags.push((weak, opaque.to_owned()));
            }
        }
    }
    Some(Some(tags))
}

/// `If-Match` on a write: absent or `*` applies to any version (the
/// resource must exist either way); otherwise only to a listed strong tag,
/// so a weak or malformed one never matches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IfMatch {
    Any,
    OneOf(Vec<i64>),
}

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        Ok(match entity_tags(&parts.headers, IF_MATCH) {
            None | Some(None) => IfMatch::Any,
            Some(Some(tags)) => IfMatch::OneOf(
                tags.into_iter()
                    .filter(|(weak, _)| !weak)
                    .filter_map(|(_, opaque)| opaque.parse().ok())
                    .collect(),
            ),
        })
    }
}

/// `If-None-Match` on a read: the versions the client has (`None` for `*`,
/// any), if it sent the header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IfNoneMatch(Option<Option<Vec<(bool, String)>>>);

impl IfNoneMatch {
    /// Whether the client's copy is `version` (weak comparison) or it asked
    /// with `*`.
    pub fn has(&self, version: i64) -> bool {
        match &self.0 {
            None => false,
            Some(None) => true,
            Some(Some(tags)) => tags.iter().any(|(_, opaque)| opaque.parse() == Ok(version)),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for IfNoneMatch {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(IfNoneMatch(entity_tags(&parts.headers, IF_NONE_MATCH)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(name: HeaderName, values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for value in values {
            map.append(name.clone(), HeaderValue::from_str(value).unwrap());
        }
        map
    }

    async fn if_match(values: &[&str]) -> IfMatch {
        let (mut parts, ()) = axum::http::Request::new(()).into_parts();
        parts.headers = headers(IF_MATCH, values);
        IfMatch::from_request_parts(&mut parts, &())
            .await
            .ok()
            .unwrap()
    }

    async fn none_match(values: &[&str], version: i64) -> bool {
        let (mut parts, ()) = axum::http::Request::new(()).into_parts();
        parts.headers = headers(IF_NONE_MATCH, values);
        let Ok(tags) = IfNoneMatch::from_request_parts(&mut parts, &()).await;
        tags.has(version)
    }

    #[tokio::test]
    async fn if_match_takes_strong_tags_from_every_header() {
        assert_eq!(if_match(&[]).await, IfMatch::Any);
        assert_eq!(if_match(&["*"]).await, IfMatch::Any);
        assert_eq!(
            if_match(&["\"5\", W/\"6\"", "\"7\""]).await,
            IfMatch::OneOf(vec![5, 7])
        );
        assert_eq!(if_match(&["5", "\"x\""]).await, IfMatch::OneOf(vec![]));
    }

    #[tokio::test]
    async fn if_none_match_compares_weakly() {
        assert!(none_match(&["W/\"9\""], 9).await);
        assert!(none_match(&["\"1\", \"9\""], 9).await);
        assert!(none_match(&["*"], 9).await);
        assert!(!none_match(&["\"8\""], 9).await);
        assert!(!none_match(&[], 9).await);
    }
}
