//! `Idempotency-Key` on create: a repeat gets the webhook the first request
//! created and creates nothing; another body with the key is refused; keys
//! are per organization, go with their webhook and expire after a day.

use axum::http::StatusCode;
use serde_json::{json, Value};

use leptos::server_fn::ServerFn;
use webhook_admin::pages::webhooks::bulk::BulkWebhooks;

use crate::support::browser::{admin_signed_in, call};
use crate::support::{TestApp, GOOD_URL};

async fn create_with_key(
    app: &TestApp,
    token: &str,
    key: &str,
    body: &Value,
) -> crate::support::Reply {
    app.request("POST", "/api/v2/webhooks/")
        .token(token)
        .header("idempotency-key", key)
        .json(body)
        .send()
        .await
}

async fn count(app: &TestApp, token: &str) -> i64 {
    app.get("/api/v2/webhooks/", token).send().await.json()["count"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn a_repeated_key_replays_the_first_answer_and_creates_nothing() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let body = json!({"name": "Once", "url": GOOD_URL});
    let first = create_with_key(&app, &token, "order-42", &body).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text());
    assert_eq!(first.header("idempotent-replayed"), None);

    // Same fields, other spacing and order: the same request.
    let again = app
        .request("POST", "/api/v2/webhooks/")
        .token(&token)
        .header("idempotency-key", "order-42")
        .body(
            "application/json",
            format!("{{ \"url\": \"{GOOD_URL}\",   \"name\": \"Once\" }}"),
        )
        .send()
        .await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.body, first.body);
    assert_eq!(again.header("location"), first.header("location"));
    assert_eq!(again.header("etag"), first.header("etag"));
    assert_eq!(again.header("content-type"), Some("application/json"));
    assert_eq!(count(&app, &token).await, 1);

    // The webhook changes meanwhile: a repeat answers it as it is now.
    let id = first.json()["id"].clone();
    let renamed = app
        .request("PATCH", &format!("/api/v2/webhooks/{id}/"))
        .token(&token)
        .json(&json!({"name": "Renamed"}))
        .send()
        .await;
    let later = create_with_key(&app, &token, "order-42", &body).await;
    assert_eq!(later.status, StatusCode::CREATED);
    assert_eq!(later.header("idempotent-replayed"), Some("true"));
    assert_eq!(later.json(), renamed.json());
    assert_eq!(later.header("etag"), renamed.header("etag"));
    assert_eq!(later.header("location"), first.header("location"));
    assert_eq!(count(&app, &token).await, 1);

    create_with_key(
        &app,
        &token,
        "order-42",
        &json!({"name": "Other", "url": GOOD_URL}),
    )
    .await
    .assert_detail(
        422,
        "This Idempotency-Key was used with a different request body.",
    );
    assert_eq!(count(&app, &token).await, 1);

    // Without a key, or with another, a create is a create.
    create_with_key(&app, &token, "order-43", &body).await;
    app.create(&token, body.clone()).await;
    assert_eq!(count(&app, &token).await, 3);
}

#[tokio::test]
async fn keys_must_be_1_to_255_printable_ascii_characters() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let body = json!({"name": "K", "url": GOOD_URL});
    for key in ["", &"k".repeat(256), "tab\there"] {
        create_with_key(&app, &token, key, &body)
            .await
            .assert_detail(
                400,
                "Idempotency-Key must be 1 to 255 printable ASCII characters.",
            );
    }
    assert_eq!(count(&app, &token).await, 0);
    let longest = create_with_key(&app, &token, &"k".repeat(255), &body).await;
    assert_eq!(longest.status, StatusCode::CREATED);
    // An invalid body with a key is not remembered: fixed, it creates.
    let bad = create_with_key(&app, &token, "fix-me", &json!({"name": "K"})).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let fixed = create_with_key(&app, &token, "fix-me", &body).await;
    assert_eq!(fixed.status, StatusCode::CREATED);
    assert_eq!(fixed.header("idempotent-replayed"), None);
}

#[tokio::test]
async fn keys_belong_to_one_organization() {
    let app = TestApp::spawn().await;
    let ann = app.admin_token().await;
    let bob = app.admin_token().await;
    let body = json!({"name": "Mine", "url": GOOD_URL});
    let a = create_with_key(&app, &ann, "shared-key", &body)
        .await
        .json();
    let b = create_with_key(&app, &bob, "shared-key", &body).await;
    assert_eq!(b.header("idempotent-replayed"), None);
    assert_ne!(b.json()["id"], a["id"]);
    assert_eq!(count(&app, &bob).await, 1);
}

#[tokio::test]
async fn a_key_older_than_a_day_is_forgotten() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let body = json!({"name": "Daily", "url": GOOD_URL});
    let first = create_with_key(&app, &token, "nightly", &body).await.json();
    age_keys(&app).await;
    let second = create_with_key(&app, &token, "nightly", &body).await;
    assert_eq!(second.status, StatusCode::CREATED);
    assert_eq!(second.header("idempotent-replayed"), None);
    assert_ne!(second.json()["id"], first["id"]);
}

/// Makes every key a day and a second older.
async fn age_keys(app: &TestApp) {
    let day_and_a_bit = 24 * 3600 * 1000 + 1000;
    app.execute(&format!(
        "UPDATE idempotency_keys SET created_at = created_at - {day_and_a_bit}"
    ))
    .await;
}

const KEYS: &str = "SELECT COUNT(*) FROM idempotency_keys";

#[tokio::test]
async fn the_sweep_removes_keys_past_their_day() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let body = json!({"name": "Daily", "url": GOOD_URL});
    create_with_key(&app, &token, "old", &body).await;
    age_keys(&app).await;
    create_with_key(&app, &token, "fresh", &body).await;
    assert_eq!(app.count(KEYS).await, 2);
    webhook_admin::server::ops::sweep(&app.state).await;
    let left: Vec<String> = app
        .column("SELECT idempotency_key FROM idempotency_keys")
        .await;
    assert_eq!(left, ["fresh"]);
}

#[tokio::test]
async fn a_key_goes_with_its_webhook() {
    let app = TestApp::spawn().await;
    let (token, cookie) = admin_signed_in(&app).await;
    let body = json!({"name": "Short-lived", "url": GOOD_URL});
    for (key, how) in [("one", "DELETE"), ("two", "If-Match"), ("three", "bulk")] {
        let created = create_with_key(&app, &token, key, &body).await;
        let id = created.json()["id"].as_i64().unwrap();
        let path = format!("/api/v2/webhooks/{id}/");
        match how {
            "DELETE" => {
                let reply = app.request("DELETE", &path).token(&token).send().await;
                assert_eq!(reply.status, StatusCode::NO_CONTENT);
            }
            "If-Match" => {
                let etag = created.header("etag").unwrap().to_owned();
                let reply = app
                    .request("DELETE", &path)
                    .token(&token)
                    .header("if-match", &etag)
                    .send()
                    .await;
                assert_eq!(reply.status, StatusCode::NO_CONTENT);
            }
            _ => {
                let body = format!("action=delete_confirmed&ids[0]={id}&back=%2Fwebhooks");
                let reply = call(&app, BulkWebhooks::PATH, Some(&cookie), &body).await;
                assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
            }
        }
        assert_eq!(app.count(KEYS).await, 0, "{how}");
        // The key is free again: the same request creates anew.
        let again = create_with_key(&app, &token, key, &body).await;
        assert_eq!(again.header("idempotent-replayed"), None);
        assert_ne!(again.json()["id"], id);
        let id = again.json()["id"].as_i64().unwrap();
        app.request("DELETE", &format!("/api/v2/webhooks/{id}/"))
            .token(&token)
            .send()
            .await;
    }
}

#[tokio::test]
async fn concurrent_requests_with_one_key_create_one_webhook() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let body = json!({"name": "Raced", "url": GOOD_URL});
    let replies =
        futures::future::join_all((0..12).map(|_| create_with_key(&app, &token, "race", &body)))
            .await;
    let ids: std::collections::BTreeSet<String> = replies
        .iter()
        .map(|reply| {
            assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
            reply.json()["id"].to_string()
        })
        .collect();
    assert_eq!(ids.len(), 1);
    let replayed = replies
        .iter()
        .filter(|r| r.header("idempotent-replayed") == Some("true"))
        .count();
    assert_eq!(replayed, 11);
    assert_eq!(count(&app, &token).await, 1);
}
