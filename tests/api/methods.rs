//! Methods the API does not offer, OPTIONS and HEAD.

use serde_json::json;

use crate::support::TestApp;

#[tokio::test]
async fn put_and_other_methods_are_405_with_allow() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let id = app.create_named(&token, "a").await["id"].clone();
    let item = format!("/api/v2/webhooks/{id}/");
    for (method, path, allow) in [
        ("PUT", item.as_str(), "GET, PATCH, DELETE, HEAD, OPTIONS"),
        ("POST", item.as_str(), "GET, PATCH, DELETE, HEAD, OPTIONS"),
        ("TRACE", item.as_str(), "GET, PATCH, DELETE, HEAD, OPTIONS"),
        ("PUT", "/api/v2/webhooks/", "GET, POST, HEAD, OPTIONS"),
        ("PATCH", "/api/v2/webhooks/", "GET, POST, HEAD, OPTIONS"),
        ("DELETE", "/api/v2/webhooks", "GET, POST, HEAD, OPTIONS"),
    ] {
        let reply = app
            .request(method, path)
            .token(&token)
            .json(&json!({"name": "changed"}))
            .send()
            .await;
        reply.assert_detail(405, &format!("Method \"{method}\" not allowed."));
        assert_eq!(reply.header("allow"), Some(allow), "{method} {path}");
    }
    assert_eq!(app.get(&item, &token).send().await.json()["name"], "a");
}

#[tokio::test]
async fn options_lists_the_methods() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    for (path, allow, name) in [
        (
            "/api/v2/webhooks/",
            "GET, POST, HEAD, OPTIONS",
            "Webhook List",
        ),
        (
            "/api/v2/webhooks/1/",
            "GET, PATCH, DELETE, HEAD, OPTIONS",
            "Webhook Instance",
        ),
    ] {
        let reply = app.request("OPTIONS", path).token(&token).send().await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.header("allow"), Some(allow));
        assert_eq!(reply.json()["name"], name);
    }
}

#[tokio::test]
async fn head_of_an_item() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let id = app.create_named(&token, "a").await["id"].clone();
    let reply = app
        .request("HEAD", &format!("/api/v2/webhooks/{id}"))
        .token(&token)
        .send()
        .await;
    assert_eq!(reply.status, 200);
    assert!(reply.body.is_empty());
    let reply = app
        .request("HEAD", "/api/v2/webhooks/999999/")
        .token(&token)
        .send()
        .await;
    assert_eq!(reply.status, 404);
    assert!(reply.body.is_empty());
}

/// Under `/api/` everything answers as an API: an unknown path is a JSON
/// 404 whatever the method (never a page, nor the pages' same-origin
/// refusal), a method a server function does not take a JSON 405.
#[tokio::test]
async fn unknown_paths_and_methods_under_api_answer_json() {
    use leptos::server_fn::ServerFn;
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    for (method, path) in [
        ("GET", "/api/v2/nothing/"),
        ("POST", "/api/v2/nothing/"),
        ("DELETE", "/api/v2/webhooks/1/nothing/"),
        ("GET", "/api/v3/webhooks/"),
        ("PUT", "/api/"),
    ] {
        let reply = app
            .request(method, path)
            .token(&token)
            .json(&json!({}))
            .send()
            .await;
        reply.assert_detail(404, "Not found.");
        assert_eq!(
            reply.header("content-type"),
            Some("application/json"),
            "{method} {path}"
        );
    }
    let login = webhook_admin::pages::login::Login::PATH;
    let reply = app.request("GET", login).send().await;
    reply.assert_detail(405, "Method \"GET\" not allowed.");
    assert_eq!(reply.header("allow"), Some("POST"));
}
