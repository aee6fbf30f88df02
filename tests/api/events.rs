//! `POST /api/v2/events/`: who may post, the shared rules' answers, and the
//! outbox: the event and one waiting delivery per receiving webhook, written
//! together.

use serde_json::json;

use crate::support::fake_slack::FakeSlack;
use crate::support::TestApp;

async fn post(app: &TestApp, token: &str, body: serde_json::Value) -> crate::support::Reply {
    app.request("POST", "/api/v2/events/")
        .token(token)
        .json(&body)
        .send()
        .await
}

#[tokio::test]
async fn an_event_queues_a_delivery_for_each_active_webhook_of_the_organization() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let first = app
        .create(&token, json!({"name": "One", "url": FakeSlack::url("one")}))
        .await;
    let second = app
        .create(&token, json!({"name": "Two", "url": FakeSlack::url("two")}))
        .await;
    app.create(
        &token,
        json!({"name": "Off", "url": FakeSlack::url("off"), "active": false}),
    )
    .await;
    let other_org = app.org("other", true).await;
    let stranger = app.user_token("boss@other.example", &other_org, true).await;
    app.create(
        &stranger,
        json!({"name": "Theirs", "url": FakeSlack::url("theirs")}),
    )
    .await;

    let reply = post(
        &app,
        &token,
        json!({"type": "project.created", "text": "Hello"}),
    )
    .await;
    assert_eq!(reply.status, 202, "{}", reply.text());
    let body = reply.json();
    let id = body["id"].as_i64().unwrap();
    assert_eq!(
        body,
        json!({"id": id, "type": "project.created", "deliveries": 2})
    );
    let queued: Vec<i64> = app
        .column(&format!(
            "SELECT webhook_id FROM deliveries WHERE event_id = {id} AND status = 'waiting' ORDER BY webhook_id"
        ))
        .await;
    assert_eq!(
        queued,
        [
            first["id"].as_i64().unwrap(),
            second["id"].as_i64().unwrap()
        ]
    );
    let message: Vec<String> = app
        .column(&format!("SELECT message FROM events WHERE id = {id}"))
        .await;
    assert_eq!(message, [r#"{"text":"Hello"}"#]);
}

#[tokio::test]
async fn blocks_travel_as_written_and_an_organization_without_webhooks_queues_nothing() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let blocks = json!([{"type": "section", "text": {"type": "mrkdwn", "text": "*Hi*"}}]);
    let reply = post(
        &app,
        &token,
        json!({"type": "a.b", "text": " Hi ", "blocks": blocks}),
    )
    .await;
    assert_eq!(reply.status, 202);
    assert_eq!(reply.json()["deliveries"], 0);
    let message: Vec<String> = app.column("SELECT message FROM events").await;
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&message[0]).unwrap(),
        json!({"text": "Hi", "blocks": blocks})
    );
}

#[tokio::test]
async fn an_invalid_event_is_refused_field_by_field_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let reply = post(
        &app,
        &token,
        json!({"type": "Project Created", "blocks": "x"}),
    )
    .await;
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.json(),
        json!({
            "type": ["Enter a valid event type: 1 to 100 characters of a-z, 0-9, \".\" and \"_\" (for example project.created)."],
            "text": ["This field is required."],
            "blocks": ["Expected a list of items but got type \"str\"."],
        })
    );
    let too_long = "x".repeat(39_990);
    let reply = post(
        &app,
        &token,
        json!({"type": "a", "text": too_long, "blocks": [{"type": "divider"}]}),
    )
    .await;
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.json(),
        json!({"non_field_errors": ["The message may have at most 40000 characters as JSON (it has 40031)."]})
    );
    let reply = post(&app, &token, json!(["a"])).await;
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.json(),
        json!({"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]})
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM events").await, 0);
}

#[tokio::test]
async fn only_super_users_of_an_organization_with_webhooks_on_may_post() {
    let app = TestApp::spawn().await;
    let event = json!({"type": "a", "text": "x"});
    let reply = app
        .request("POST", "/api/v2/events/")
        .json(&event)
        .send()
        .await;
    reply.assert_detail(401, "Authentication credentials were not provided.");
    let org = app.org("plain", true).await;
    let member = app.user_token("member@plain.example", &org, false).await;
    post(&app, &member, event.clone())
        .await
        .assert_detail(403, "You do not have permission to perform this action.");
    let off = app.org("off", false).await;
    let boss = app.user_token("boss@off.example", &off, true).await;
    post(&app, &boss, event).await.assert_detail(
        403,
        "The Webhooks feature is not enabled for this organization.",
    );
    let reply = app
        .request("GET", "/api/v2/events/")
        .token(&app.admin_token().await)
        .send()
        .await;
    reply.assert_detail(405, "Method \"GET\" not allowed.");
    assert_eq!(reply.header("allow"), Some("POST, OPTIONS"));
    assert_eq!(app.count("SELECT COUNT(*) FROM events").await, 0);
}

#[tokio::test]
async fn subscriptions_narrow_what_a_webhook_receives() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let webhook = |name: &'static str, types: &'static [&'static str]| {
        let (app, token) = (&app, &token);
        async move {
            let body = json!({"name": name, "url": FakeSlack::url(name)});
            let id = app.create(token, body).await["id"].as_i64().unwrap();
            let path = format!("/api/v2/webhooks/{id}/subscriptions/");
            let reply = app
                .request("PUT", &path)
                .token(token)
                .json(&json!({ "event_types": types }))
                .send()
                .await;
            assert_eq!(reply.status, 200, "{}", reply.text());
            id
        }
    };
    let everything = webhook("all", &[]).await;
    let projects = webhook("p", &["project.*"]).await;
    let exact = webhook("e", &["user_x.created"]).await;
    // Two patterns that both match: one delivery.
    let both = webhook("b", &["project.*", "project.created"]).await;
    let star = webhook("s", &["*"]).await;
    let off = webhook("off", &[]).await;
    let reply = app
        .request("PATCH", &format!("/api/v2/webhooks/{off}/"))
        .token(&token)
        .json(&json!({"active": false}))
        .send()
        .await;
    assert_eq!(reply.status, 200);
    // Narrowed, then widened again: every type.
    let widened = webhook("w", &["nothing.*"]).await;
    let reply = app
        .request("PUT", &format!("/api/v2/webhooks/{widened}/subscriptions/"))
        .token(&token)
        .json(&json!({"event_types": []}))
        .send()
        .await;
    assert_eq!(reply.status, 200);
    let all = [everything, star, widened];
    for (kind, expected) in [
        ("project.created", vec![projects, both]),
        ("project.a_b.c", vec![projects, both]),
        ("user_x.created", vec![exact]),
        // `_` is no wildcard.
        ("userxx.created", vec![]),
        ("projects.created", vec![]),
        ("p", vec![]),
    ] {
        let reply = post(&app, &token, json!({"type": kind, "text": "x"})).await;
        let id = reply.json()["id"].as_i64().unwrap();
        let receivers: Vec<i64> = app
            .column(&format!(
                "SELECT webhook_id FROM deliveries WHERE event_id = {id} ORDER BY webhook_id"
            ))
            .await;
        let mut expected: Vec<i64> = all.iter().copied().chain(expected).collect();
        expected.sort();
        assert_eq!(receivers, expected, "{kind}");
        assert_eq!(reply.json()["deliveries"], expected.len(), "{kind}");
    }
}

#[tokio::test]
async fn a_webhooks_subscriptions_are_read_and_replaced_whole() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let id = app
        .create(&token, json!({"name": "P", "url": FakeSlack::url("p")}))
        .await["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v2/webhooks/{id}/subscriptions/");
    let reply = app.get(&path, &token).send().await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json(), json!({"event_types": []}));

    let put = |body: serde_json::Value| app.request("PUT", &path).token(&token).json(&body).send();
    let reply = put(json!({"event_types": ["user.created", "project.*", "user.created"]})).await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.json(),
        json!({"event_types": ["project.*", "user.created"]})
    );
    assert_eq!(
        app.get(&path, &token).send().await.json(),
        json!({"event_types": ["project.*", "user.created"]})
    );
    let sent = post(&app, &token, json!({"type": "project.x", "text": "x"})).await;
    assert_eq!(sent.json()["deliveries"], 1);
    let skipped = post(&app, &token, json!({"type": "user.deleted", "text": "x"})).await;
    assert_eq!(skipped.json()["deliveries"], 0);

    put(json!({"event_types": ["ok", "Not OK"]}))
        .await
        .assert_detail(
            400,
            "Item 2: Enter an event type (project.created) or a prefix ending in * (project.*): \
         at most 100 characters of a-z, 0-9, \".\" and \"_\".",
        );
    put(json!({"types": []})).await.assert_detail(
        400,
        "Send {\"event_types\": [...]}: a list of event types and prefixes ending in *.",
    );
    // A refusal changes nothing; an empty list means every type again.
    assert_eq!(
        app.get(&path, &token).send().await.json()["event_types"],
        json!(["project.*", "user.created"])
    );
    assert_eq!(
        put(json!({"event_types": []})).await.json(),
        json!({"event_types": []})
    );
    assert_eq!(
        post(&app, &token, json!({"type": "user.deleted", "text": "x"}))
            .await
            .json()["deliveries"],
        1
    );
    let org = app.org("other", true).await;
    let stranger = app.user_token("boss@other.example", &org, true).await;
    app.get(&path, &stranger)
        .send()
        .await
        .assert_detail(404, "No Webhook matches the given query.");
    app.request("PUT", &path)
        .token(&stranger)
        .json(&json!({"event_types": ["a"]}))
        .send()
        .await
        .assert_detail(404, "No Webhook matches the given query.");
}

#[tokio::test]
async fn an_event_sent_again_with_its_idempotency_key_is_stored_once() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    app.create(&token, json!({"name": "One", "url": FakeSlack::url("one")}))
        .await;
    let send = |key: &str, text: &str| {
        app.request("POST", "/api/v2/events/")
            .token(&token)
            .header("Idempotency-Key", key)
            .json(&json!({"type": "build.failed", "text": text}))
            .send()
    };
    let first = send("build-41", "Build 41 failed").await;
    assert_eq!(first.status, 202);
    assert_eq!(first.header("idempotent-replayed"), None);
    let again = send("build-41", "Build 41 failed").await;
    assert_eq!(again.status, 202);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.json(), first.json());
    send("build-41", "Build 42 failed").await.assert_detail(
        422,
        "This Idempotency-Key was used with a different request body.",
    );
    send("", "x").await.assert_detail(
        400,
        "Idempotency-Key must be 1 to 255 printable ASCII characters.",
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM events").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM deliveries").await, 1);
    // Another key is another event.
    assert_eq!(send("build-42", "Build 42 failed").await.status, 202);
    assert_eq!(app.count("SELECT COUNT(*) FROM events").await, 2);
    // A day later the sweep forgets the key, and the event is new again.
    app.execute("UPDATE event_keys SET created_at = created_at - 86400001 WHERE idempotency_key = 'build-41'")
        .await;
    webhook_admin::server::ops::sweep(&app.state).await;
    let left: Vec<String> = app.column("SELECT idempotency_key FROM event_keys").await;
    assert_eq!(left, ["build-42"]);
    let later = send("build-41", "Build 41 failed").await;
    assert_eq!(later.header("idempotent-replayed"), None);
    assert_eq!(app.count("SELECT COUNT(*) FROM events").await, 3);
}

#[tokio::test]
async fn an_events_token_posts_events_and_does_nothing_else() {
    use crate::support::cli::{cli, ok};

    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let webhook = app
        .create(&admin, json!({"name": "One", "url": FakeSlack::url("one")}))
        .await;
    // A service's user: not a super user, in the admin's organization.
    let org: Vec<String> = app
        .column("SELECT slug FROM organizations WHERE webhooks_enabled ORDER BY id DESC")
        .await;
    ok(&cli(
        &app.database,
        &["user", "create", "builds@service.test", "--org", &org[0]],
    ));
    let token = ok(&cli(
        &app.database,
        &["token", "create", "builds@service.test", "--events-only"],
    ))
    .trim()
    .to_owned();
    let listed = ok(&cli(
        &app.database,
        &["token", "list", "builds@service.test", "--json"],
    ));
    let listed: serde_json::Value = serde_json::from_str(&listed).unwrap();
    assert_eq!(listed[0]["kind"], "events");

    let reply = post(&app, &token, json!({"type": "build.failed", "text": "x"})).await;
    assert_eq!(reply.status, 202, "{}", reply.text());
    assert_eq!(reply.json()["deliveries"], 1);
    let id = webhook["id"].as_i64().unwrap();
    for (method, path) in [
        ("GET", "/api/v2/webhooks/".to_owned()),
        ("POST", "/api/v2/webhooks/".to_owned()),
        ("GET", format!("/api/v2/webhooks/{id}/")),
        ("DELETE", format!("/api/v2/webhooks/{id}/")),
        ("GET", format!("/api/v2/webhooks/{id}/deliveries/")),
        ("PUT", format!("/api/v2/webhooks/{id}/subscriptions/")),
        ("POST", format!("/api/v2/webhooks/{id}/test/")),
        ("GET", "/api/v2/webhook-events/".to_owned()),
    ] {
        app.request(method, &path)
            .token(&token)
            .send()
            .await
            .assert_detail(403, "This token may only post events.");
    }
    // Its user's organization must have Webhooks on, and the user be active.
    app.execute("UPDATE organizations SET webhooks_enabled = FALSE")
        .await;
    post(&app, &token, json!({"type": "a", "text": "x"}))
        .await
        .assert_detail(
            403,
            "The Webhooks feature is not enabled for this organization.",
        );
    app.execute("UPDATE organizations SET webhooks_enabled = TRUE")
        .await;
    app.execute("UPDATE users SET is_active = FALSE WHERE email = 'builds@service.test'")
        .await;
    post(&app, &token, json!({"type": "a", "text": "x"}))
        .await
        .assert_detail(401, "User inactive or deleted.");
    assert_eq!(app.count("SELECT COUNT(*) FROM events").await, 1);
}

/// Events posted at once share their transactions on SQLite (group
/// commit): each still gets its own event and its own deliveries.
#[tokio::test]
async fn events_posted_at_once_each_get_their_own_event_and_deliveries() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let all = app
        .create(&token, json!({"name": "All", "url": FakeSlack::url("all")}))
        .await["id"]
        .as_i64()
        .unwrap();
    let narrow = app
        .create(&token, json!({"name": "A", "url": FakeSlack::url("a")}))
        .await["id"]
        .as_i64()
        .unwrap();
    let reply = app
        .request("PUT", &format!("/api/v2/webhooks/{narrow}/subscriptions/"))
        .token(&token)
        .json(&json!({"event_types": ["a.*"]}))
        .send()
        .await;
    assert_eq!(reply.status, 200);
    let kinds: Vec<&str> = (0..40)
        .map(|n| if n % 2 == 0 { "a.x" } else { "b.x" })
        .collect();
    let replies = futures::future::join_all(kinds.iter().enumerate().map(|(n, kind)| {
        post(
            &app,
            &token,
            json!({"type": kind, "text": format!("event {n}")}),
        )
    }))
    .await;
    let mut ids = Vec::new();
    for (n, (reply, kind)) in replies.iter().zip(&kinds).enumerate() {
        let body = reply.json();
        assert_eq!(reply.status, 202, "{body}");
        assert_eq!(body["type"], *kind);
        let id = body["id"].as_i64().unwrap();
        let expected = if *kind == "a.x" {
            vec![all, narrow]
        } else {
            vec![all]
        };
        assert_eq!(body["deliveries"], expected.len(), "event {n}");
        let receivers: Vec<i64> = app
            .column(&format!(
                "SELECT webhook_id FROM deliveries WHERE event_id = {id} ORDER BY webhook_id"
            ))
            .await;
        assert_eq!(receivers, expected, "event {n}");
        let stored: Vec<String> = app
            .column(&format!("SELECT message FROM events WHERE id = {id}"))
            .await;
        assert_eq!(stored, [json!({"text": format!("event {n}")}).to_string()]);
        ids.push(id);
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), kinds.len());
    assert_eq!(app.count("SELECT COUNT(*) FROM events").await, 40);
}
