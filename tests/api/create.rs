//! `POST /api/v2/webhooks/`: the resource, defaults, every validation message
//! and every way a body can be wrong. A rejected request stores nothing.

use serde_json::{json, Value};

use crate::support::{is_api_timestamp, TestApp, GOOD_URL};

const LIST: &str = "/api/v2/webhooks/";

async fn stored_count(app: &TestApp, token: &str) -> i64 {
    app.get(LIST, token).send().await.json()["count"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn created_with_every_field() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let reply = app
        .request("POST", LIST)
        .token(&token)
        .json(&json!({
            "name": "Engineering Slack Webhook",
            "url": GOOD_URL,
            "description": "Posts project events to #eng-webhooks",
            "active": false
        }))
        .send()
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    let body = reply.json();
    let id = body["id"].as_i64().unwrap();
    assert_eq!(
        reply.header("location"),
        Some(format!("http://testserver/api/v2/webhooks/{id}/").as_str())
    );
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert!(is_api_timestamp(&body["created"]), "{body}");
    assert_eq!(body["created"], body["updated"]);
    assert_eq!(
        body,
        json!({
            "id": id,
            "name": "Engineering Slack Webhook",
            "url": GOOD_URL,
            "description": "Posts project events to #eng-webhooks",
            "integration_type": "slack",
            "active": false,
            "created": body["created"],
            "updated": body["updated"],
        })
    );
    // Keys come in the documented order.
    let text = reply.text();
    let positions: Vec<usize> = [
        "id",
        "name",
        "url",
        "description",
        "integration_type",
        "active",
        "created",
        "updated",
    ]
    .iter()
    .map(|key| text.find(&format!("\"{key}\":")).unwrap())
    .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");

    let fetched = app
        .get(&format!("/api/v2/webhooks/{id}/"), &token)
        .send()
        .await;
    assert_eq!(fetched.json(), body);
}

#[tokio::test]
async fn defaults_trimming_and_ignored_keys() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let body = app
        .create(
            &token,
            json!({
                "name": "  Eng  ",
                "url": format!(" {GOOD_URL}\n"),
                "id": 999,
                "integration_type": "teams",
                "created": "2000-01-01T00:00:00.000Z",
                "colour": "blue"
            }),
        )
        .await;
    assert_ne!(body["id"], 999);
    assert_eq!(body["name"], "Eng");
    assert_eq!(body["url"], GOOD_URL);
    assert_eq!(body["description"], "");
    assert_eq!(body["active"], true);
    assert_eq!(body["integration_type"], "slack");
    assert_ne!(body["created"], "2000-01-01T00:00:00.000Z");
}

#[tokio::test]
async fn numbers_are_strings_and_boolean_forms_are_accepted() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let body = app
        .create(
            &token,
            json!({"name": 42, "url": GOOD_URL, "description": 1.5, "active": "no"}),
        )
        .await;
    assert_eq!(
        (
            body["name"].clone(),
            body["description"].clone(),
            body["active"].clone()
        ),
        (json!("42"), json!("1.5"), json!(false))
    );
    for (value, expected) in [
        (json!("TRUE"), true),
        (json!("off"), false),
        (json!(1), true),
        (json!(0), false),
        (json!("y"), true),
    ] {
        let body = app
            .create(
                &token,
                json!({"name": "n", "url": GOOD_URL, "active": value}),
            )
            .await;
        assert_eq!(body["active"], expected, "{value}");
    }
}

async fn assert_rejected(app: &TestApp, token: &str, body: Value, expected: Value) {
    let before = stored_count(app, token).await;
    let reply = app
        .request("POST", LIST)
        .token(token)
        .json(&body)
        .send()
        .await;
    assert_eq!(reply.status, 400, "{body}: {}", reply.text());
    assert_eq!(reply.json(), expected, "{body}");
    assert_eq!(
        stored_count(app, token).await,
        before,
        "{body} stored something"
    );
}

#[tokio::test]
async fn validation_messages() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let invalid_url = "Enter a valid Slack webhook URL (https://hooks.slack.com/services/... or https://hooks.slack-gov.com/services/...).";
    let cases = [
        (
            json!({}),
            json!({"name": ["This field is required."], "url": ["This field is required."]}),
        ),
        (
            json!({"description": "d"}),
            json!({"name": ["This field is required."], "url": ["This field is required."]}),
        ),
        (
            json!({"name": null, "url": null, "description": null, "active": null}),
            json!({
                "name": ["This field may not be null."],
                "url": ["This field may not be null."],
                "description": ["This field may not be null."],
                "active": ["This field may not be null."]
            }),
        ),
        (
            json!({"name": "", "url": "   "}),
            json!({"name": ["This field may not be blank."], "url": ["This field may not be blank."]}),
        ),
        (
            json!({"name": "x".repeat(141), "url": GOOD_URL, "description": "d".repeat(1025)}),
            json!({
                "name": ["Ensure this field has no more than 140 characters."],
                "description": ["Ensure this field has no more than 1024 characters."]
            }),
        ),
        (
            json!({"name": "n", "url": format!("https://hooks.slack.com/services/{}", "a".repeat(2048))}),
            json!({"url": ["Ensure this field has no more than 2048 characters."]}),
        ),
        (
            json!({"name": true, "url": [GOOD_URL], "description": {"a": 1}}),
            json!({"name": ["Not a valid string."], "url": ["Not a valid string."], "description": ["Not a valid string."]}),
        ),
        (
            json!({"name": "n", "url": GOOD_URL, "active": "maybe"}),
            json!({"active": ["Must be a valid boolean."]}),
        ),
        (
            json!({"name": "n", "url": GOOD_URL, "active": 2}),
            json!({"active": ["Must be a valid boolean."]}),
        ),
        (
            json!({"name": "n", "url": GOOD_URL, "active": []}),
            json!({"active": ["Must be a valid boolean."]}),
        ),
        (
            json!({"name": "n", "url": "http://hooks.slack.com/services/T0/B0/x"}),
            json!({"url": [invalid_url]}),
        ),
        (
            json!({"name": "n", "url": "https://hooks.slack.com@evil.example/services/T0"}),
            json!({"url": [invalid_url]}),
        ),
        (
            json!({"name": "n", "url": "https://hooks.slack.com/services/T0/B0/x?q=1"}),
            json!({"url": [invalid_url]}),
        ),
        (
            json!({"name": "n", "url": 12345}),
            json!({"url": [invalid_url]}),
        ),
        (
            json!({"name": "a\u{0}b", "url": GOOD_URL}),
            json!({"name": ["Null characters are not allowed."]}),
        ),
    ];
    for (body, expected) in cases {
        assert_rejected(&app, &token, body, expected).await;
    }
}

#[tokio::test]
async fn lengths_are_counted_in_characters() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let name = "é".repeat(140);
    let body = app
        .create(&token, json!({"name": name, "url": GOOD_URL}))
        .await;
    assert_eq!(body["name"], name);
}

#[tokio::test]
async fn bodies_that_are_not_objects() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    for (body, type_name) in [
        ("[]", "list"),
        ("\"x\"", "str"),
        ("7", "int"),
        ("7.5", "float"),
        ("true", "bool"),
        ("null", "NoneType"),
    ] {
        let reply = app
            .request("POST", LIST)
            .token(&token)
            .body("application/json", body)
            .send()
            .await;
        assert_eq!(reply.status, 400, "{body}");
        assert_eq!(
            reply.json(),
            json!({"non_field_errors": [format!("Invalid data. Expected a dictionary, but got {type_name}.")]})
        );
    }
    assert_eq!(stored_count(&app, &token).await, 0);
}

#[tokio::test]
async fn malformed_json() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    for body in ["{", "{\"name\": \"x\",}", "nonsense", "{\"name\": NaN}"] {
        let reply = app
            .request("POST", LIST)
            .token(&token)
            .body("application/json", body)
            .send()
            .await;
        assert_eq!(reply.status, 400, "{body}");
        let detail = reply.json()["detail"].as_str().unwrap().to_owned();
        assert!(detail.starts_with("JSON parse error - "), "{detail}");
        assert!(detail.len() > "JSON parse error - ".len());
    }
    assert_eq!(stored_count(&app, &token).await, 0);
}

#[tokio::test]
async fn media_type_and_size() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let reply = app
        .request("POST", LIST)
        .token(&token)
        .body("text/plain", "name=x")
        .send()
        .await;
    reply.assert_detail(415, "Unsupported media type \"text/plain\" in request.");
    let reply = app
        .request("POST", LIST)
        .token(&token)
        .body("application/x-www-form-urlencoded; charset=utf-8", "name=x")
        .send()
        .await;
    reply.assert_detail(
        415,
        "Unsupported media type \"application/x-www-form-urlencoded; charset=utf-8\" in request.",
    );
    let reply = app
        .request("POST", LIST)
        .token(&token)
        .body(
            "application/json; charset=utf-8",
            json!({"name": "n", "url": GOOD_URL}).to_string(),
        )
        .send()
        .await;
    assert_eq!(reply.status, 201);

    let huge =
        json!({"name": "n", "url": GOOD_URL, "description": "d".repeat(70 * 1024)}).to_string();
    let reply = app
        .request("POST", LIST)
        .token(&token)
        .body("application/json", huge)
        .send()
        .await;
    reply.assert_detail(413, "Request body is too large.");
    assert_eq!(stored_count(&app, &token).await, 1);
}

#[tokio::test]
async fn an_empty_body_is_an_empty_object() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let reply = app.request("POST", LIST).token(&token).send().await;
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.json(),
        json!({"name": ["This field is required."], "url": ["This field is required."]})
    );
}

#[tokio::test]
async fn ids_are_never_reused() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let first = app.create_named(&token, "a").await["id"].as_i64().unwrap();
    let second = app.create_named(&token, "b").await["id"].as_i64().unwrap();
    for id in [first, second] {
        let reply = app
            .request("DELETE", &format!("/api/v2/webhooks/{id}/"))
            .token(&token)
            .send()
            .await;
        assert_eq!(reply.status, 204);
    }
    let third = app.create_named(&token, "c").await["id"].as_i64().unwrap();
    assert!(third > second, "{third} <= {second}");
}
