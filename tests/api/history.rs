//! History: every create, change (field names only), delete, URL reveal and
//! test message, with who, how and when; per webhook and per organization.

use axum::http::StatusCode;
use leptos::server_fn::ServerFn;
use serde_json::{json, Value};
use webhook_admin::pages::webhooks::edit::GetWebhook;

use crate::support::browser::{admin_signed_in, call};
use crate::support::{TestApp, GOOD_URL};

const OTHER_URL: &str =
    "https://hooks.slack.com/services/T11111111/B11111111/YYYYYYYYYYYYYYYYYYYYYYYY";

fn summary(body: &Value) -> Vec<(String, Vec<String>)> {
    body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| {
            let fields = entry["fields"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f.as_str().unwrap().to_owned())
                .collect();
            (entry["action"].as_str().unwrap().to_owned(), fields)
        })
        .collect()
}

#[tokio::test]
async fn a_webhooks_history_names_changed_fields_actor_and_way_newest_first() {
    let app = TestApp::spawn().await;
    let (token, cookie) = admin_signed_in(&app).await;
    let created = app.create_named(&token, "Ops").await;
    let id = created["id"].as_i64().unwrap();
    let path = format!("/api/v2/webhooks/{id}/");
    // Only what differs counts: "name" is sent unchanged.
    let reply = app
        .request("PATCH", &path)
        .token(&token)
        .json(&json!({"name": "Ops", "url": OTHER_URL, "active": false}))
        .send()
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    app.request("PATCH", &path)
        .token(&token)
        .json(&json!({}))
        .send()
        .await;
    // The browser reveals the URL.
    let reply = call(
        &app,
        GetWebhook::PATH,
        Some(&cookie),
        &format!("id={id}&reveal=true"),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());

    let reply = app.get(&format!("{path}history/"), &token).send().await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let body = reply.json();
    assert_eq!(body["count"], 4);
    assert_eq!(body["next"], Value::Null);
    assert_eq!(body["previous"], Value::Null);
    assert_eq!(
        summary(&body),
        [
            ("url_revealed".to_owned(), vec![]),
            ("updated".to_owned(), vec![]),
            (
                "updated".to_owned(),
                vec!["url".to_owned(), "active".to_owned()]
            ),
            ("created".to_owned(), vec![]),
        ]
    );
    let results = body["results"].as_array().unwrap();
    let newest = &results[0];
    assert_eq!(newest["actor"], "ann@acme.test");
    assert_eq!(newest["actor_kind"], "browser");
    assert_eq!(newest["token_prefix"], Value::Null);
    let by_token = &results[3];
    assert_eq!(by_token["actor_kind"], "api token");
    assert_eq!(by_token["token_prefix"], token[..8]);
    // The fields in this order.
    let text = reply.text();
    let first = format!(
        r#""results":[{{"id":{},"action":"url_revealed","fields":[],"actor":"ann@acme.test","actor_kind":"browser","token_prefix":null,"at":""#,
        newest["id"]
    );
    assert!(text.contains(&first), "{text}");
    // Millisecond timestamps, ids descending.
    assert_eq!(
        newest["at"].as_str().unwrap().len(),
        "2026-11-27T14:03:07.123Z".len()
    );
    assert!(newest["id"].as_i64() > results[1]["id"].as_i64());
    // Never a value: neither URL appears anywhere.
    assert!(
        !text.contains("XXXXXXXX") && !text.contains("YYYYYYYY"),
        "{text}"
    );
}

#[tokio::test]
async fn history_pages_like_the_list_and_follows_retrieves_rules() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let id = app.create_named(&token, "Paged").await["id"]
        .as_i64()
        .unwrap();
    for n in 0..4 {
        app.request("PATCH", &format!("/api/v2/webhooks/{id}/"))
            .token(&token)
            .json(&json!({"description": format!("v{n}")}))
            .send()
            .await;
    }
    let reply = app
        .get(
            &format!("/api/v2/webhooks/{id}/history/?page_size=2&page=2"),
            &token,
        )
        .send()
        .await;
    let body = reply.json();
    assert_eq!(body["count"], 5);
    assert_eq!(
        body["next"],
        format!("http://testserver/api/v2/webhooks/{id}/history/?page=3&page_size=2")
    );
    assert_eq!(
        body["previous"],
        format!("http://testserver/api/v2/webhooks/{id}/history/?page_size=2")
    );
    assert_eq!(body["results"].as_array().unwrap().len(), 2);
    app.get(&format!("/api/v2/webhooks/{id}/history/?page=9"), &token)
        .send()
        .await
        .assert_detail(404, "Invalid page.");
    // The same doors as retrieve.
    app.request("GET", &format!("/api/v2/webhooks/{id}/history/"))
        .send()
        .await
        .assert_detail(401, "Authentication credentials were not provided.");
    let stranger = app.admin_token().await;
    app.get(&format!("/api/v2/webhooks/{id}/history"), &stranger)
        .send()
        .await
        .assert_detail(404, "No Webhook matches the given query.");
    let org = app.org("plain", true).await;
    let plain = app.user_token("plain@example.com", &org, false).await;
    app.get(&format!("/api/v2/webhooks/{id}/history/"), &plain)
        .send()
        .await
        .assert_detail(403, "You do not have permission to perform this action.");
    app.get("/api/v2/webhooks/abc/history/", &token)
        .send()
        .await
        .assert_detail(404, "Not found.");
    // Gone with its webhook.
    app.request("DELETE", &format!("/api/v2/webhooks/{id}/"))
        .token(&token)
        .send()
        .await;
    app.get(&format!("/api/v2/webhooks/{id}/history/"), &token)
        .send()
        .await
        .assert_detail(404, "No Webhook matches the given query.");
    let reply = app
        .request("POST", &format!("/api/v2/webhooks/{id}/history/"))
        .token(&token)
        .send()
        .await;
    reply.assert_detail(405, "Method \"POST\" not allowed.");
    assert_eq!(reply.header("allow"), Some("GET, HEAD, OPTIONS"));
}

#[tokio::test]
async fn the_organizations_events_keep_deleted_webhooks_under_their_names_then() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let other = app.admin_token().await;
    app.create_named(&other, "Someone else's").await;
    let kept = app.create_named(&token, "Kept").await["id"]
        .as_i64()
        .unwrap();
    let gone = app.create_named(&token, "Old name").await["id"]
        .as_i64()
        .unwrap();
    app.request("PATCH", &format!("/api/v2/webhooks/{gone}/"))
        .token(&token)
        .json(&json!({"name": "New name"}))
        .send()
        .await;
    app.request("DELETE", &format!("/api/v2/webhooks/{gone}/"))
        .token(&token)
        .send()
        .await;

    let body = app
        .get("/api/v2/webhook-events/", &token)
        .send()
        .await
        .json();
    assert_eq!(body["count"], 4);
    let events: Vec<(i64, String, String, Vec<String>)> = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["webhook_id"].as_i64().unwrap(),
                e["webhook_name"].as_str().unwrap().to_owned(),
                e["action"].as_str().unwrap().to_owned(),
                e["fields"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| f.as_str().unwrap().to_owned())
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        events,
        [
            (gone, "New name".into(), "deleted".into(), vec![]),
            (
                gone,
                "New name".into(),
                "updated".into(),
                vec!["name".to_owned()]
            ),
            (gone, "Old name".into(), "created".into(), vec![]),
            (kept, "Kept".into(), "created".into(), vec![]),
        ]
    );
    let reply = app.get("/api/v2/webhook-events", &token).send().await;
    assert_eq!(reply.json()["count"], 4);
    app.request("GET", "/api/v2/webhook-events/")
        .token("nope")
        .send()
        .await
        .assert_detail(401, "Invalid token.");
}

#[tokio::test]
async fn a_refused_change_is_neither_applied_nor_recorded() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let id = app.create_named(&token, "Atomic").await["id"]
        .as_i64()
        .unwrap();
    // An invalid change is neither applied nor recorded.
    let reply = app
        .request("PATCH", &format!("/api/v2/webhooks/{id}/"))
        .token(&token)
        .json(&json!({"url": "http://example.com"}))
        .send()
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let body = app
        .get(&format!("/api/v2/webhooks/{id}/history/"), &token)
        .send()
        .await
        .json();
    assert_eq!(summary(&body), [("created".to_owned(), vec![])]);
    assert_eq!(
        app.get(&format!("/api/v2/webhooks/{id}/"), &token)
            .send()
            .await
            .json()["url"],
        GOOD_URL
    );
}
