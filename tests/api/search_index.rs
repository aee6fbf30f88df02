//! SQLite's search index is brought up to date after the writes: a search
//! finds the same webhooks whether the index has caught up with them or
//! not (on PostgreSQL the same tests check the trigram indexes' search).

use std::time::Duration;

use axum::http::StatusCode;
use leptos::server_fn::ServerFn;
use serde_json::json;
use webhook_admin::pages::webhooks::list::ListWebhooks;
use webhook_admin::server::webhooks::search_index;

use crate::support::browser::{admin_signed_in, call};
use crate::support::{Backend, TestApp, ThrowawayDb, GOOD_URL};

async fn found(app: &TestApp, cookie: &str, term: &str) -> Vec<String> {
    let reply = call(app, ListWebhooks::PATH, Some(cookie), &format!("q={term}")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let rows = reply.json()["rows"].as_array().unwrap().clone();
    rows.iter()
        .map(|row| row["name"].as_str().unwrap().to_owned())
        .collect()
}

/// What each term finds now, then again once the index has caught up.
async fn finds_before_and_after_catching_up(
    app: &TestApp,
    cookie: &str,
    expected: &[(&str, &[&str])],
) {
    for caught_up in [false, true] {
        if caught_up {
            search_index::catch_up(&app.db, Duration::ZERO)
                .await
                .unwrap();
        }
        for (term, names) in expected {
            assert_eq!(
                found(app, cookie, term).await,
                *names,
                "{term:?}, caught up: {caught_up}"
            );
        }
    }
}

#[tokio::test]
async fn a_search_finds_each_change_before_and_after_the_index_catches_up() {
    let app = TestApp::spawn().await;
    let (token, cookie) = admin_signed_in(&app).await;
    let created = |name: &str, description: &str| json!({"name": name, "url": GOOD_URL, "description": description});
    let ops = app.create(&token, created("Ops alerts", "pager")).await["id"].clone();
    let billing = app
        .create(&token, created("billing", "Invoices for OPS"))
        .await["id"]
        .clone();
    finds_before_and_after_catching_up(
        &app,
        &cookie,
        &[
            ("ops", &["Ops alerts", "billing"]),
            ("pager", &["Ops alerts"]),
        ],
    )
    .await;

    // Renamed: found by its new name only, though the index still holds the old.
    let renamed = app
        .request("PATCH", &format!("/api/v2/webhooks/{ops}/"))
        .token(&token)
        .json(&json!({"name": "Night shift"}))
        .send()
        .await;
    assert_eq!(renamed.status, StatusCode::OK);
    // Deleted: found no more.
    let deleted = app
        .request("DELETE", &format!("/api/v2/webhooks/{billing}/"))
        .token(&token)
        .send()
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    // Created after the index caught up.
    app.create(&token, created("Ops again", "")).await;
    finds_before_and_after_catching_up(
        &app,
        &cookie,
        &[
            ("ops", &["Ops again"]),
            ("night", &["Night shift"]),
            ("pager", &["Night shift"]),
            ("invoices", &[]),
        ],
    )
    .await;
}

#[tokio::test]
async fn once_caught_up_the_index_holds_exactly_the_webhooks() {
    let app = TestApp::over(ThrowawayDb::on(Backend::Sqlite).await).await;
    let token = app.admin_token().await;
    let mut ids = Vec::new();
    for n in 0..450 {
        let body = json!({"name": format!("hook {n}"), "url": GOOD_URL});
        ids.push(app.create(&token, body).await["id"].as_i64().unwrap());
    }
    for id in ids.iter().step_by(3) {
        let path = format!("/api/v2/webhooks/{id}/");
        let deleted = app.request("DELETE", &path).token(&token).send().await;
        assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    }
    for id in ids.iter().skip(1).step_by(3) {
        let path = format!("/api/v2/webhooks/{id}/");
        let body = json!({"description": "changed"});
        let patched = app
            .request("PATCH", &path)
            .token(&token)
            .json(&body)
            .send()
            .await;
        assert_eq!(patched.status, StatusCode::OK);
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM webhooks_search_pending")
            .await,
        450
    );
    // Several batches.
    assert_eq!(
        search_index::catch_up(&app.db, Duration::ZERO)
            .await
            .unwrap(),
        450
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM webhooks_search_pending")
            .await,
        0
    );
    assert_eq!(
        search_index::catch_up(&app.db, Duration::ZERO)
            .await
            .unwrap(),
        0
    );
    app.execute("INSERT INTO webhooks_search (webhooks_search) VALUES ('integrity-check')")
        .await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM webhooks_search WHERE webhooks_search MATCH '\"changed\"'")
            .await,
        150
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM webhooks").await, 300);
}
