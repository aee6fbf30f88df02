//! Request bodies the way DRF's `JSONParser` sees them: size, media type and
//! syntax first, then each field of a webhook or an event as raw [`Input`]
//! for the shared validation module.

use std::collections::HashMap;

use axum::body::{Body, Bytes};
use axum::http::header::CONTENT_TYPE;
use axum::http::HeaderMap;
use serde_json::value::RawValue;

use super::error::ApiError;
use crate::shared::validation::event::{Block, Blocks, EventInput};
use crate::shared::validation::{Input, WebhookInput};

pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Reads a create or update body. An empty body is an empty object, as in DRF.
pub async fn read_webhook_input(headers: &HeaderMap, body: Body) -> Result<WebhookInput, ApiError> {
    match read_json_bytes(headers, body).await? {
        Some(bytes) => parse_webhook_json(&bytes),
        None => Ok(WebhookInput::default()),
    }
}

/// Reads an event's body (an empty one is an empty object), with the raw
/// `blocks` for the message to carry.
pub async fn read_event_input(
    headers: &HeaderMap,
    body: Body,
) -> Result<(EventInput, Option<Box<RawValue>>), ApiError> {
    match read_json_bytes(headers, body).await? {
        Some(bytes) => parse_event_json(&bytes),
        None => Ok((EventInput::default(), None)),
    }
}

/// A JSON body of at most [`MAX_BODY_BYTES`]; `None` when it is empty.
pub async fn read_json_bytes(headers: &HeaderMap, body: Body) -> Result<Option<Bytes>, ApiError> {
    let bytes = axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|e| {
            let too_large = std::error::Error::source(&e)
                .is_some_and(|source| source.is::<http_body_util::LengthLimitError>());
            if too_large {
                ApiError::PayloadTooLarge
            } else {
                ApiError::JsonParse("the request body could not be read".to_owned())
            }
        })?;
    if bytes.is_empty() {
        return Ok(None);
    }
    let content_type = headers
        .get(CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default();
    if !is_json(&content_type) {
        return Err(ApiError::UnsupportedMediaType(content_type));
    }
    Ok(Some(bytes))
}

fn is_json(content_type: &str) -> bool {
    let media_type = content_type.split(';').next().unwrap_or_default().trim();
    media_type.eq_ignore_ascii_case("application/json")
}

fn parse_error(e: serde_json::Error) -> ApiError {
    ApiError::JsonParse(e.to_string())
}

/// A JSON object's members, each as it was written.
fn json_object(bytes: &[u8]) -> Result<HashMap<String, &RawValue>, ApiError> {
    let document: &RawValue = serde_json::from_slice(bytes).map_err(parse_error)?;
    let text = document.get();
    if !text.starts_with('{') {
        return Err(ApiError::NotADictionary(python_type_name(text)));
    }
    serde_json::from_str(text).map_err(parse_error)
}

pub fn parse_webhook_json(bytes: &[u8]) -> Result<WebhookInput, ApiError> {
    let mut fields = json_object(bytes)?;
    let mut take = |key: &str| fields.remove(key).map_or(Ok(Input::Missing), input_of);
    Ok(WebhookInput {
        name: take("name")?,
        url: take("url")?,
        description: take("description")?,
        active: take("active")?,
    })
}

/// An event's fields for the shared rules, and its raw `blocks` (absent
/// when null or missing).
pub fn parse_event_json(bytes: &[u8]) -> Result<(EventInput, Option<Box<RawValue>>), ApiError> {
    let mut fields = json_object(bytes)?;
    let kind = fields.remove("type").map_or(Ok(Input::Missing), input_of)?;
    let text = fields.remove("text").map_or(Ok(Input::Missing), input_of)?;
    let (blocks, raw_blocks) = match fields.remove("blocks") {
        None => (Blocks::Missing, None),
        Some(raw) if raw.get() == "null" => (Blocks::Null, None),
        Some(raw) => (blocks_of(raw)?, Some(raw)),
    };
    // The message as it would be sent: the text as given, the blocks as written.
    let text_json = match &text {
        Input::Text(t) | Input::Number(t) => serde_json::to_string(t).map_err(parse_error)?,
        _ => String::new(),
    };
    let message_chars = text_json.chars().count()
        + raw_blocks.map_or(0, |raw| raw.get().chars().count() + r#","blocks":"#.len())
        + r#"{"text":}"#.len();
    let input = EventInput {
        kind,
        text,
        blocks,
        message_chars,
    };
    Ok((input, raw_blocks.map(RawValue::to_owned)))
}
/// What the shared rules look at in `blocks`.
fn blocks_of(raw: &RawValue) -> Result<Blocks, ApiError> {
    let text = raw.get();
    if !text.starts_with('[') {
        return Ok(Blocks::NotAList(python_type_name(text)));
    }
    let list: Vec<serde_json::Value> = serde_json::from_str(text).map_err(parse_error)?;
    Ok(Blocks::List(
        list.iter()
            .map(|block| {
                let kind = block.get("type").and_then(|k| k.as_str());
                let section_text = block.pointer("/text/text").and_then(|t| t.as_str());
                Block {
                    kind: kind.filter(|_| block.is_object()).map(str::to_owned),
                    text_chars: section_text.map_or(0, |t| t.chars().count()),
                }
            })
            .collect(),
    ))
}

fn input_of(raw: &RawValue) -> Result<Input, ApiError> {
    let text = raw.get();
    Ok(match text.as_bytes().first() {
        Some(b'n') => Input::Null,
        Some(b't') => Input::Bool(true),
        Some(b'f') => Input::Bool(false),
        Some(b'"') => Input::Text(serde_json::from_str(text).map_err(parse_error)?),
        Some(b'{' | b'[') => Input::Structured,
        _ => Input::Number(python_number_text(text)),
    })
}

/// The name Python gives the type of a JSON value that is not an object.
fn python_type_name(json: &str) -> &'static str {
    match json.as_bytes().first() {
        Some(b'[') => "list",
        Some(b'{') => "dict",
        Some(b'"') => "str",
        Some(b't' | b'f') => "bool",
        Some(b'n') => "NoneType",
        _ if is_float_literal(json) => "float",
        _ => "int",
    }
}

fn is_float_literal(number: &str) -> bool {
    number.contains(['.', 'e', 'E'])
}

/// `str()` of the number Python's `json` module would make of this literal:
/// integers keep every digit, floats use Python's shortest repr.
fn python_number_text(literal: &str) -> String {
    if !is_float_literal(literal) {
        let digits = literal.trim_start_matches('-');
        return if digits.bytes().all(|b| b == b'0') {
            "0".to_owned()
        } else {
            literal.to_owned()
        };
    }
    match literal.parse::<f64>() {
        Ok(x) if x.is_infinite() => if x > 0.0 { "inf" } else { "-inf" }.to_owned(),
        Ok(x) => python_float_repr(x),
        Err(_) => literal.to_owned(),
    }
}

/// Python's `repr(float)`: shortest round-trip digits, positional when the
/// decimal exponent is in -4..16, else scientific with a signed two-digit
/// exponent (`1e+16`, `1.5e-07`).
fn python_float_repr(x: f64) -> String {
    let scientific = format!("{:e}", x.abs());
    let (mantissa, exponent) = scientific
        .split_once('e')
        .expect("{:e} always has an exponent");
    let exponent: i32 = exponent.parse().expect("{:e} prints an integer exponent");
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let sign = if x.is_sign_negative() { "-" } else { "" };
    if (-4..16).contains(&exponent) {
        let point = exponent + 1;
        let text = if point <= 0 {
            format!("0.{}{}", "0".repeat((-point) as usize), digits)
        } else if point as usize >= digits.len() {
            format!("{}{}.0", digits, "0".repeat(point as usize - digits.len()))
        } else {
            let (whole, fraction) = digits.split_at(point as usize);
            format!("{whole}.{fraction}")
        };
        format!("{sign}{text}")
    } else {
        let exponent_sign = if exponent < 0 { '-' } else { '+' };
        format!("{sign}{mantissa}e{exponent_sign}{:02}", exponent.abs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_number_texts() {
        for (literal, python) in [
            ("42", "42"),
            ("-7", "-7"),
            ("-0", "0"),
            (
                "123456789012345678901234567890",
                "123456789012345678901234567890",
            ),
            ("1.0", "1.0"),
            ("1.5", "1.5"),
            ("-0.0", "-0.0"),
            ("1e5", "100000.0"),
            ("0.0001", "0.0001"),
            ("1e-5", "1e-05"),
            ("1.5e-7", "1.5e-07"),
            ("1e15", "1000000000000000.0"),
            ("1e16", "1e+16"),
            ("1.2345e20", "1.2345e+20"),
            ("123.456", "123.456"),
            ("0.1", "0.1"),
            ("1e400", "inf"),
            ("-1e400", "-inf"),
        ] {
            assert_eq!(python_number_text(literal), python, "{literal}");
        }
    }

    #[test]
    fn non_objects_are_named_like_python() {
        for (body, name) in [
            ("[1]", "list"),
            ("\"x\"", "str"),
            ("3", "int"),
            ("3.5", "float"),
            ("true", "bool"),
            ("null", "NoneType"),
        ] {
            match parse_webhook_json(body.as_bytes()) {
                Err(ApiError::NotADictionary(got)) => assert_eq!(got, name, "{body}"),
                other => panic!("{body}: {other:?}"),
            }
        }
    }

    #[test]
    fn fields_become_raw_inputs() {
        let input = parse_webhook_json(br#" {"name": 5, "url": null, "active": "yes", "description": [1], "name": "last wins", "id": 9} "#).unwrap();
        assert_eq!(input.name, Input::text("last wins"));
        assert_eq!(input.url, Input::Null);
        assert_eq!(input.active, Input::text("yes"));
        assert_eq!(input.description, Input::Structured);
    }

    #[test]
    fn syntax_errors_are_parse_errors() {
        for body in [
            "{",
            "{\"name\": }",
            "nope",
            "{\"a\":1} x",
            "NaN",
            "{\"name\": \"\\ud800\"}",
        ] {
            assert!(
                matches!(
                    parse_webhook_json(body.as_bytes()),
                    Err(ApiError::JsonParse(_))
                ),
                "{body}"
            );
        }
        assert!(matches!(
            parse_webhook_json(b"{\"name\": \"\xff\"}"),
            Err(ApiError::JsonParse(_))
        ));
    }

    #[test]
    fn media_types() {
        assert!(is_json("application/json"));
        assert!(is_json("Application/JSON; charset=utf-8"));
        assert!(!is_json("text/plain"));
        assert!(!is_json(""));
        assert!(!is_json("application/jsonx"));
    }

    mod generated {
        use proptest::prelude::*;
        use serde_json::{json, Value};

        use super::*;
        use crate::shared::validation::{validate_changes, validate_new};

        /// Any JSON value, nested a few levels.
        fn any_json() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::Bool),
                any::<i64>().prop_map(|n| json!(n)),
                any::<f64>()
                    .prop_filter("finite", |f| f.is_finite())
                    .prop_map(|f| json!(f)),
                ".{0,40}".prop_map(Value::String),
            ];
            leaf.prop_recursive(3, 24, 6, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                    prop::collection::btree_map(
                        prop_oneof![
                            Just("name".to_owned()),
                            Just("url".to_owned()),
                            Just("description".to_owned()),
                            Just("active".to_owned()),
                            "[a-z]{1,6}",
                        ],
                        inner,
                        0..5,
                    )
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
                ]
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2_000))]

            /// No byte string makes the reader (or the validation after it) panic.
            #[test]
            fn any_bytes_are_read_or_refused(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
                if let Ok(input) = parse_webhook_json(&bytes) {
                    let _ = validate_new(&input);
                    let _ = validate_changes(&input);
                }
            }

            /// Any JSON document gets a verdict: an object's fields come through
            /// as what they were; anything else is "not a dictionary".
            #[test]
            fn any_json_gets_a_verdict(document in any_json()) {
                let bytes = serde_json::to_vec(&document).unwrap();
                match (&document, parse_webhook_json(&bytes)) {
                    (Value::Object(fields), Ok(input)) => {
                        for (key, got) in [
                            ("name", &input.name),
                            ("url", &input.url),
                            ("description", &input.description),
                            ("active", &input.active),
                        ] {
                            let expected = match fields.get(key) {
                                None => Input::Missing,
                                Some(Value::Null) => Input::Null,
                                Some(Value::Bool(b)) => Input::Bool(*b),
                                Some(Value::String(text)) => Input::Text(text.clone()),
                                Some(Value::Array(_) | Value::Object(_)) => Input::Structured,
                                Some(Value::Number(_)) => {
                                    prop_assert!(matches!(got, Input::Number(_)), "{key}: {got:?}");
                                    continue;
                                }
                            };
                            prop_assert_eq!(got, &expected, "{}", key);
                        }
                        let _ = validate_new(&input);
                        let _ = validate_changes(&input);
                    }
                    (Value::Object(_), Err(e)) => prop_assert!(false, "an object refused: {e:?}"),
                    (_, Err(ApiError::NotADictionary(_))) => {}
                    (_, other) => prop_assert!(false, "{document}: {other:?}"),
                }
            }
        }
    }
}
