//! DRF's `TokenAuthentication`: the `Authorization: Token <key>` header,
//! with DRF's messages for each way it can be wrong.

use super::error::ApiError;
use crate::server::accounts::ApiToken;

pub fn token_from_header(header: Option<&[u8]>) -> Result<ApiToken, ApiError> {
    let parts: Vec<&[u8]> = header
        .unwrap_or_default()
        .split(|b| b" \t\n\r\x0b\x0c".contains(b))
        .filter(|part| !part.is_empty())
        .collect();
    match parts.as_slice() {
        [keyword, ..] if !keyword.eq_ignore_ascii_case(b"token") => Err(ApiError::NotAuthenticated),
        [] => Err(ApiError::NotAuthenticated),
        [_] => Err(ApiError::NoCredentials),
        [_, key] => {
            let key = std::str::from_utf8(key).map_err(|_| ApiError::TokenHasInvalidCharacters)?;
            let key = key
                .strip_prefix('"')
                .and_then(|k| k.strip_suffix('"'))
                .unwrap_or(key);
            Ok(ApiToken::from_clear(key))
        }
        _ => Err(ApiError::TokenHasSpaces),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(header: &str) -> Result<String, String> {
        token_from_header(Some(header.as_bytes()))
            .map(|t| t.as_str().to_owned())
            .map_err(|e| format!("{e:?}"))
    }

    #[test]
    fn drf_token_header_rules() {
        assert_eq!(
            format!("{:?}", token_from_header(None).unwrap_err()),
            "NotAuthenticated"
        );
        assert_eq!(parse("").unwrap_err(), "NotAuthenticated");
        assert_eq!(parse("Bearer abc").unwrap_err(), "NotAuthenticated");
        assert_eq!(parse("Token").unwrap_err(), "NoCredentials");
        assert_eq!(parse("Token   ").unwrap_err(), "NoCredentials");
        assert_eq!(parse("Token a b").unwrap_err(), "TokenHasSpaces");
        assert_eq!(parse("Token \"a b\"").unwrap_err(), "TokenHasSpaces");
        assert_eq!(parse("Token abc").unwrap(), "abc");
        assert_eq!(parse("tOKEN\tabc ").unwrap(), "abc");
        assert_eq!(parse("Token \"abc\"").unwrap(), "abc");
        assert_eq!(parse("Token \"abc").unwrap(), "\"abc");
        assert_eq!(
            format!(
                "{:?}",
                token_from_header(Some(b"Token \xff\xfe")).unwrap_err()
            ),
            "TokenHasInvalidCharacters"
        );
    }
}
