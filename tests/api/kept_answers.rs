//! A list page asked for again is answered from what was kept while
//! nothing stored changed (SQLite: webhooks/api/list_cache.rs): never after
//! a change, whoever made it, and never to another caller or address.

use std::time::Duration;

use serde_json::Value;
use webhook_admin::server::db::Db;

use crate::support::TestApp;

const LIST: &str = "/api/v2/webhooks/";

async fn names(app: &TestApp, path: &str, token: &str) -> (i64, Vec<String>) {
    let reply = app.get(path, token).send().await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let body = reply.json();
    let names = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["name"].as_str().unwrap().to_owned())
        .collect();
    (body["count"].as_i64().unwrap(), names)
}

#[tokio::test]
async fn a_list_asked_again_answers_what_is_stored_now() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    app.create_named(&token, "first").await;
    let once = app.get(LIST, &token).send().await.text();
    let again = app.get(LIST, &token).send().await.text();
    assert_eq!(again, once);

    // A change through the API.
    app.create_named(&token, "second").await;
    assert_eq!(
        names(&app, LIST, &token).await,
        (2, vec!["first".to_owned(), "second".to_owned()])
    );

    // A change from another connection (as another process would make),
    // which this process's writer never saw.
    let other = Db::connect_with(&app.database.url, Duration::from_secs(5))
        .await
        .unwrap();
    other
        .execute(
            "UPDATE webhooks SET name = 'renamed' WHERE name = 'first'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(
        names(&app, LIST, &token).await,
        (2, vec!["renamed".to_owned(), "second".to_owned()])
    );

    // Another address: its own links.
    let paged = app
        .get("/api/v2/webhooks/?page_size=1", &token)
        .send()
        .await;
    assert_eq!(
        paged.json()["next"],
        Value::from("http://testserver/api/v2/webhooks/?page=2&page_size=1")
    );
    assert_eq!(
        app.get(LIST, &token).send().await.json()["next"],
        Value::Null
    );

    // Another organization's caller at the same address: its own list.
    let org = app.org("other", true).await;
    let stranger = app.user_token("sam@other.test", &org, true).await;
    assert_eq!(names(&app, LIST, &stranger).await, (0, vec![]));

    // The flag switched off elsewhere, then the token revoked.
    names(&app, LIST, &token).await;
    other
        .execute("UPDATE organizations SET webhooks_enabled = FALSE", &[])
        .await
        .unwrap();
    app.get(LIST, &token).send().await.assert_detail(
        403,
        "The Webhooks feature is not enabled for this organization.",
    );
    other
        .execute("UPDATE organizations SET webhooks_enabled = TRUE", &[])
        .await
        .unwrap();
    names(&app, LIST, &token).await;
    other.execute("DELETE FROM api_tokens", &[]).await.unwrap();
    app.get(LIST, &token)
        .send()
        .await
        .assert_detail(401, "Invalid token.");
    other.close().await;
}
