//! Safe concurrent edits: `ETag` on retrieve and writes, `If-Match` on
//! PATCH and DELETE (412, nothing changed), `If-None-Match` on GET (304).

use axum::http::StatusCode;
use serde_json::json;

use crate::support::TestApp;

const STALE: &str = "This webhook was changed since you loaded it. Reload it and try again.";

#[tokio::test]
async fn every_write_moves_the_etag_and_retrieve_answers_it() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let reply = app
        .request("POST", "/api/v2/webhooks/")
        .token(&token)
        .json(&json!({"name": "Tagged", "url": crate::support::GOOD_URL}))
        .send()
        .await;
    let created_tag = reply.header("etag").unwrap().to_owned();
    let path = format!("/api/v2/webhooks/{}/", reply.json()["id"]);
    let read = app.get(&path, &token).send().await;
    assert_eq!(read.header("etag"), Some(created_tag.as_str()));
    assert!(created_tag.starts_with('"') && created_tag.ends_with('"'));

    let patched = app
        .request("PATCH", &path)
        .token(&token)
        .json(&json!({"description": "x"}))
        .send()
        .await;
    let patched_tag = patched.header("etag").unwrap().to_owned();
    assert_ne!(patched_tag, created_tag);
    // Even an empty change is a new version.
    let again = app
        .request("PATCH", &path)
        .token(&token)
        .json(&json!({}))
        .send()
        .await;
    assert_ne!(again.header("etag").unwrap(), patched_tag);
    assert_eq!(
        app.get(&path, &token).send().await.header("etag"),
        again.header("etag")
    );
}

#[tokio::test]
async fn a_stale_if_match_changes_nothing() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let created = app.create_named(&token, "Shared").await;
    let path = format!("/api/v2/webhooks/{}/", created["id"]);
    let loaded = app.get(&path, &token).send().await;
    let tag = loaded.header("etag").unwrap().to_owned();

    // A colleague saves first.
    let theirs = app
        .request("PATCH", &path)
        .token(&token)
        .header("if-match", &tag)
        .json(&json!({"name": "Theirs"}))
        .send()
        .await;
    assert_eq!(theirs.status, StatusCode::OK);

    // My save from the same version is refused, and so is my delete.
    app.request("PATCH", &path)
        .token(&token)
        .header("if-match", &tag)
        .json(&json!({"description": "mine"}))
        .send()
        .await
        .assert_detail(412, STALE);
    app.request("DELETE", &path)
        .token(&token)
        .header("if-match", &tag)
        .send()
        .await
        .assert_detail(412, STALE);
    // A weak tag never matches a write; neither does garbage.
    let current = theirs.header("etag").unwrap().to_owned();
    for header in [format!("W/{current}"), "banana".to_owned()] {
        app.request("PATCH", &path)
            .token(&token)
            .header("if-match", &header)
            .json(&json!({"description": "mine"}))
            .send()
            .await
            .assert_detail(412, STALE);
    }
    let stored = app.get(&path, &token).send().await.json();
    assert_eq!(stored["name"], "Theirs");
    assert_eq!(stored["description"], "");

    // The current version, one of a list, or `*` goes through.
    let list = format!("\"1\", {current}");
    let reply = app
        .request("PATCH", &path)
        .token(&token)
        .header("if-match", &list)
        .json(&json!({"description": "mine"}))
        .send()
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let patched = reply.header("etag").unwrap().to_owned();
    let reply = app
        .request("DELETE", &path)
        .token(&token)
        .header("if-match", "*")
        .send()
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    // The version that was deleted.
    assert_eq!(reply.header("etag"), Some(patched.as_str()));
    assert!(reply.body.is_empty());
    // Gone: 404 comes before any precondition.
    app.request("PATCH", &path)
        .token(&token)
        .header("if-match", &current)
        .json(&json!({}))
        .send()
        .await
        .assert_detail(404, "No Webhook matches the given query.");
}

#[tokio::test]
async fn if_none_match_with_the_current_version_is_304() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let created = app.create_named(&token, "Cached").await;
    let path = format!("/api/v2/webhooks/{}/", created["id"]);
    let tag = app
        .get(&path, &token)
        .send()
        .await
        .header("etag")
        .unwrap()
        .to_owned();

    let reply = app
        .get(&path, &token)
        .header("if-none-match", &tag)
        .send()
        .await;
    assert_eq!(reply.status, StatusCode::NOT_MODIFIED);
    assert!(reply.body.is_empty());
    assert_eq!(reply.header("etag"), Some(tag.as_str()));
    let weak = app
        .get(&path, &token)
        .header("if-none-match", &format!("W/{tag}"))
        .send()
        .await;
    assert_eq!(weak.status, StatusCode::NOT_MODIFIED);

    app.request("PATCH", &path)
        .token(&token)
        .json(&json!({"active": false}))
        .send()
        .await;
    let reply = app
        .get(&path, &token)
        .header("if-none-match", &tag)
        .send()
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json()["active"], false);
    // Authentication still comes first.
    app.request("GET", &path)
        .header("if-none-match", &tag)
        .send()
        .await
        .assert_detail(401, "Authentication credentials were not provided.");
}
