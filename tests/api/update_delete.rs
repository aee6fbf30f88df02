//! Retrieve, PATCH and DELETE of one webhook.

use serde_json::{json, Value};

use crate::support::{TestApp, GOOD_URL};

const OTHER_URL: &str = "https://hooks.slack-gov.com/services/T1/B1/YYYY";

async fn one(app: &TestApp) -> (String, Value, String) {
    let token = app.admin_token().await;
    let created = app
        .create(
            &token,
            json!({"name": "Eng", "url": GOOD_URL, "description": "first", "active": true}),
        )
        .await;
    let path = format!("/api/v2/webhooks/{}/", created["id"]);
    (token, created, path)
}

#[tokio::test]
async fn retrieve_and_its_404s() {
    let app = TestApp::spawn().await;
    let (token, created, path) = one(&app).await;
    let reply = app.get(&path, &token).send().await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json(), created);
    assert_eq!(
        reply.header("allow"),
        Some("GET, PATCH, DELETE, HEAD, OPTIONS")
    );

    let no_slash = app.get(path.trim_end_matches('/'), &token).send().await;
    assert_eq!(no_slash.json(), created);

    let missing = created["id"].as_i64().unwrap() + 1000;
    app.get(&format!("/api/v2/webhooks/{missing}/"), &token)
        .send()
        .await
        .assert_detail(404, "No Webhook matches the given query.");
    for id in ["-1", "0", "99999999999999999999999"] {
        app.get(&format!("/api/v2/webhooks/{id}/"), &token)
            .send()
            .await
            .assert_detail(404, "No Webhook matches the given query.");
    }
    for id in ["abc", "1.5", "1e3", "%20"] {
        app.get(&format!("/api/v2/webhooks/{id}/"), &token)
            .send()
            .await
            .assert_detail(404, "Not found.");
    }
}

#[tokio::test]
async fn patch_changes_only_the_fields_sent() {
    let app = TestApp::spawn().await;
    let (token, created, path) = one(&app).await;
    let reply = app
        .request("PATCH", &path)
        .token(&token)
        .json(&json!({"description": "  second  "}))
        .send()
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let patched = reply.json();
    assert_eq!(patched["description"], "second");
    for unchanged in ["id", "name", "url", "active", "created", "integration_type"] {
        assert_eq!(patched[unchanged], created[unchanged], "{unchanged}");
    }
    assert!(patched["updated"].as_str() > created["updated"].as_str());

    let all = app
        .request("PATCH", path.trim_end_matches('/'))
        .token(&token)
        .json(&json!({"name": "Ops", "url": OTHER_URL, "active": "false", "integration_type": "x", "id": 1}))
        .send()
        .await
        .json();
    assert_eq!(
        (
            all["id"].clone(),
            all["name"].clone(),
            all["url"].clone(),
            all["active"].clone(),
            all["description"].clone(),
            all["integration_type"].clone()
        ),
        (
            created["id"].clone(),
            json!("Ops"),
            json!(OTHER_URL),
            json!(false),
            json!("second"),
            json!("slack")
        )
    );
    assert_eq!(app.get(&path, &token).send().await.json(), all);
}

#[tokio::test]
async fn empty_patch_is_a_no_op_that_touches_updated() {
    let app = TestApp::spawn().await;
    let (token, created, path) = one(&app).await;
    let first = app
        .request("PATCH", &path)
        .token(&token)
        .json(&json!({}))
        .send()
        .await;
    assert_eq!(first.status, 200);
    let second = app.request("PATCH", &path).token(&token).send().await;
    assert_eq!(second.status, 200);
    let (first, second) = (first.json(), second.json());
    for field in ["name", "url", "description", "active", "created"] {
        assert_eq!(second[field], created[field], "{field}");
    }
    assert!(first["updated"].as_str() > created["updated"].as_str());
    assert!(second["updated"].as_str() > first["updated"].as_str());
}

#[tokio::test]
async fn invalid_patch_changes_nothing() {
    let app = TestApp::spawn().await;
    let (token, created, path) = one(&app).await;
    let reply = app
        .request("PATCH", &path)
        .token(&token)
        .json(&json!({"name": "", "url": "https://example.com/x", "description": "fine", "active": null}))
        .send()
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.json(),
        json!({
            "name": ["This field may not be blank."],
            "url": ["Enter a valid Slack webhook URL (https://hooks.slack.com/services/... or https://hooks.slack-gov.com/services/...)."],
            "active": ["This field may not be null."]
        })
    );
    for body in ["[1]", "{bad", "null"] {
        let reply = app
            .request("PATCH", &path)
            .token(&token)
            .body("application/json", body)
            .send()
            .await;
        assert_eq!(reply.status, 400, "{body}");
    }
    let reply = app
        .request("PATCH", &path)
        .token(&token)
        .body("text/plain", "x")
        .send()
        .await;
    assert_eq!(reply.status, 415);
    assert_eq!(app.get(&path, &token).send().await.json(), created);
}

#[tokio::test]
async fn patch_of_a_missing_webhook() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let reply = app
        .request("PATCH", "/api/v2/webhooks/4242/")
        .token(&token)
        .json(&json!({"name": "x"}))
        .send()
        .await;
    reply.assert_detail(404, "No Webhook matches the given query.");
    let reply = app
        .request("PATCH", "/api/v2/webhooks/x/")
        .token(&token)
        .json(&json!({"name": "x"}))
        .send()
        .await;
    reply.assert_detail(404, "Not found.");
}

#[tokio::test]
async fn delete_then_delete_again() {
    let app = TestApp::spawn().await;
    let (token, _, path) = one(&app).await;
    let reply = app.request("DELETE", &path).token(&token).send().await;
    assert_eq!(reply.status, 204);
    assert!(reply.body.is_empty());
    app.get(&path, &token)
        .send()
        .await
        .assert_detail(404, "No Webhook matches the given query.");
    app.request("DELETE", &path)
        .token(&token)
        .send()
        .await
        .assert_detail(404, "No Webhook matches the given query.");
    assert_eq!(
        app.get("/api/v2/webhooks/", &token).send().await.json()["count"],
        0
    );
}

#[tokio::test]
async fn concurrent_patches_of_different_fields_all_land() {
    let app = TestApp::spawn().await;
    let (token, _, path) = one(&app).await;
    let name = app
        .request("PATCH", &path)
        .token(&token)
        .json(&json!({"name": "Renamed"}))
        .send();
    let description = app
        .request("PATCH", &path)
        .token(&token)
        .json(&json!({"description": "Described"}))
        .send();
    let active = app
        .request("PATCH", &path)
        .token(&token)
        .json(&json!({"active": false}))
        .send();
    let (a, b, c) = tokio::join!(name, description, active);
    assert_eq!(
        (a.status.as_u16(), b.status.as_u16(), c.status.as_u16()),
        (200, 200, 200)
    );
    let stored = app.get(&path, &token).send().await.json();
    assert_eq!(
        (
            stored["name"].clone(),
            stored["description"].clone(),
            stored["active"].clone()
        ),
        (json!("Renamed"), json!("Described"), json!(false))
    );
}

#[tokio::test]
async fn concurrent_creates_all_get_distinct_ids() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let creates = (0..20).map(|i| {
        app.request("POST", "/api/v2/webhooks/")
            .token(&token)
            .json(&json!({"name": format!("hook {i}"), "url": GOOD_URL}))
            .send()
    });
    let replies = futures::future::join_all(creates).await;
    let mut ids: Vec<i64> = replies
        .iter()
        .map(|r| {
            assert_eq!(r.status, 201, "{}", r.text());
            r.json()["id"].as_i64().unwrap()
        })
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 20);
    assert_eq!(
        app.get("/api/v2/webhooks/", &token).send().await.json()["count"],
        20
    );
}

#[tokio::test]
async fn concurrent_deletes_each_get_their_own_answer() {
    // On SQLite these share transactions (group commit): each answer must
    // still be its own, and every delete recorded once.
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let mut ids = Vec::new();
    for i in 0..6 {
        ids.push(
            app.create_named(&token, &format!("hook {i}")).await["id"]
                .as_i64()
                .unwrap(),
        );
    }
    let other = app.admin_token().await;
    let theirs = app.create_named(&other, "theirs").await["id"]
        .as_i64()
        .unwrap();
    let mut targets = ids.clone();
    targets.extend([ids[0], theirs, theirs + 1000]);
    let deletes = targets.iter().map(|id| {
        app.request("DELETE", &format!("/api/v2/webhooks/{id}/"))
            .token(&token)
            .send()
    });
    let replies = futures::future::join_all(deletes).await;
    let statuses: Vec<u16> = replies.iter().map(|r| r.status.as_u16()).collect();
    let mut twice = [statuses[0], statuses[6]];
    twice.sort_unstable();
    assert_eq!(twice, [204, 404], "{statuses:?}");
    assert_eq!(&statuses[1..6], &[204; 5], "{statuses:?}");
    for reply in replies.iter().filter(|r| r.status == 404) {
        reply.assert_detail(404, "No Webhook matches the given query.");
    }
    assert_eq!(&statuses[7..], &[404, 404]);
    assert_eq!(
        app.get("/api/v2/webhooks/", &token).send().await.json()["count"],
        0
    );
    let events = app
        .get("/api/v2/webhook-events/", &token)
        .send()
        .await
        .json();
    let mut deleted: Vec<(i64, String)> = events["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "deleted")
        .map(|e| {
            let name = e["webhook_name"].as_str().unwrap().to_owned();
            (e["webhook_id"].as_i64().unwrap(), name)
        })
        .collect();
    deleted.sort_unstable();
    let expected: Vec<(i64, String)> = (0..6).map(|i| (ids[i], format!("hook {i}"))).collect();
    assert_eq!(deleted, expected);
    // Another organization's webhook is out of reach: still there, counted.
    assert_eq!(
        app.get(&format!("/api/v2/webhooks/{theirs}/"), &other)
            .send()
            .await
            .status,
        200
    );
    assert_eq!(
        app.get("/api/v2/webhooks/", &other).send().await.json()["count"],
        1
    );
}
