//! Every query is scoped to the caller's organization.

use serde_json::json;

use crate::support::TestApp;

#[tokio::test]
async fn another_organizations_webhook_is_404_and_untouched() {
    let app = TestApp::spawn().await;
    let mine = app.admin_token().await;
    let theirs = app.admin_token().await;
    let their_hook = app.create_named(&theirs, "theirs").await;
    let path = format!("/api/v2/webhooks/{}/", their_hook["id"]);

    app.get(&path, &mine)
        .send()
        .await
        .assert_detail(404, "No Webhook matches the given query.");
    app.request("PATCH", &path)
        .token(&mine)
        .json(&json!({"name": "pwned"}))
        .send()
        .await
        .assert_detail(404, "No Webhook matches the given query.");
    app.request("DELETE", &path)
        .token(&mine)
        .send()
        .await
        .assert_detail(404, "No Webhook matches the given query.");

    assert_eq!(app.get(&path, &theirs).send().await.json(), their_hook);
    let my_list = app.get("/api/v2/webhooks/", &mine).send().await.json();
    assert_eq!(my_list["count"], 0);
    assert_eq!(
        app.get("/api/v2/webhooks/", &theirs).send().await.json()["count"],
        1
    );
}

#[tokio::test]
async fn ids_are_unique_across_organizations() {
    let app = TestApp::spawn().await;
    let a = app.admin_token().await;
    let b = app.admin_token().await;
    let first = app.create_named(&a, "a").await["id"].as_i64().unwrap();
    let second = app.create_named(&b, "b").await["id"].as_i64().unwrap();
    assert_ne!(first, second);
}
