//! Conditional requests on a webhook: `ETag` from its version, `If-Match` on
//! writes (RFC 9110 strong comparison) and `If-None-Match` on reads.

use axum::extract::FromRequestParts;
use axum::http::header::{IF_MATCH, IF_NONE_MATCH};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue};

use super::error::ApiError;
use crate::server::webhooks::Precondition;

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

/// `If-Match` as a precondition on a write: absent or `*` applies to any
/// version (the webhook must exist either way); otherwise only to a listed
/// strong tag, so a weak or malformed one never matches.
pub struct IfMatch(pub Precondition);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        Ok(IfMatch(match entity_tags(&parts.headers, IF_MATCH) {
            None | Some(None) => Precondition::none(),
            Some(Some(tags)) => Precondition::one_of(
                tags.into_iter()
                    .filter(|(weak, _)| !weak)
                    .filter_map(|(_, opaque)| opaque.parse().ok())
                    .collect(),
            ),
        }))
    }
}

/// Whether `If-None-Match` lists this version (weak comparison) or is `*`:
/// the client's copy is current.
pub fn none_match(headers: &HeaderMap, version: i64) -> bool {
    match entity_tags(headers, IF_NONE_MATCH) {
        None => false,
        Some(None) => true,
        Some(Some(tags)) => tags.iter().any(|(_, opaque)| opaque.parse() == Ok(version)),
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

    async fn if_match(values: &[&str]) -> Precondition {
        let (mut parts, ()) = axum::http::Request::new(()).into_parts();
        parts.headers = headers(IF_MATCH, values);
        IfMatch::from_request_parts(&mut parts, &())
            .await
            .ok()
            .unwrap()
            .0
    }

    #[tokio::test]
    async fn if_match_takes_strong_tags_from_every_header() {
        assert_eq!(if_match(&[]).await, Precondition::none());
        assert_eq!(if_match(&["*"]).await, Precondition::none());
        assert_eq!(
            if_match(&["\"5\", W/\"6\"", "\"7\""]).await,
            Precondition::one_of(vec![5, 7])
        );
        assert_eq!(
            if_match(&["5", "\"x\""]).await,
            Precondition::one_of(vec![])
        );
    }

    #[test]
    fn if_none_match_compares_weakly() {
        assert!(none_match(&headers(IF_NONE_MATCH, &["W/\"9\""]), 9));
        assert!(none_match(&headers(IF_NONE_MATCH, &["\"1\", \"9\""]), 9));
        assert!(none_match(&headers(IF_NONE_MATCH, &["*"]), 9));
        assert!(!none_match(&headers(IF_NONE_MATCH, &["\"8\""]), 9));
        assert!(!none_match(&HeaderMap::new(), 9));
    }
}
