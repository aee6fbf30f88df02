//! The event types a webhook receives, edited on its form: checked by the
//! shared rules, saved with the form's other changes in one transaction,
//! and what arrives in Slack narrowed accordingly.

use leptos::server_fn::ServerFn;
use webhook_admin::pages::webhooks::edit::UpdateWebhook;
use webhook_admin::pages::webhooks::new::CreateWebhook;
use webhook_admin::shared::validation::subscription::INVALID_SUBSCRIPTION;

use crate::support::browser::{call, page, plain_form_post};
use crate::support::engine::{signed_in, texts, Setup};
use crate::support::fake_slack::FakeSlack;

/// The edit form as loaded for the webhook `hook` ("Hook {script}", no
/// description, active, `loaded` in its "Event types" box), sent with
/// `typed` in that box and `name` as its name.
async fn edit_form(s: &Setup, hook: i64, name: &str, loaded: &str, typed: &str) -> String {
    let reply = s
        .app
        .get(&format!("/api/v2/webhooks/{hook}/"), &s.token)
        .send()
        .await;
    let version = reply.header("etag").unwrap().trim_matches('"').to_owned();
    let original_name = reply.json()["name"].as_str().unwrap().to_owned();
    let encode = |text: &str| {
        text.replace('*', "%2A")
            .replace('\n', "%0A")
            .replace(' ', "+")
    };
    format!(
        "id={hook}&name={}&url=&description=&active=true&subscriptions={}\
         &original_name={}&original_description=&original_active=true\
         &original_version={version}&original_subscriptions={}",
        encode(name),
        encode(typed),
        encode(&original_name),
        encode(loaded),
    )
}

async fn subscriptions(s: &Setup, hook: i64) -> serde_json::Value {
    let reply = s
        .app
        .get(&format!("/api/v2/webhooks/{hook}/subscriptions/"), &s.token)
        .send()
        .await;
    reply.json()["event_types"].clone()
}

#[tokio::test]
async fn the_form_narrows_what_a_webhook_receives() {
    let (s, cookie) = signed_in().await;
    let hook = s.webhook("narrow").await;
    let path = format!("/webhooks/{hook}");
    let html = page(&s.app, &path, &cookie).await.text();
    assert!(
        html.contains(r#"<textarea id="subscriptions" name="subscriptions""#),
        "{html}"
    );
    assert!(html.contains("Empty: every event type."), "{html}");

    let body = edit_form(&s, hook, "Hook narrow", "", "project.*\ntask.done").await;
    let reply = call(&s.app, UpdateWebhook::PATH, Some(&cookie), &body).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(
        subscriptions(&s, hook).await,
        serde_json::json!(["project.*", "task.done"])
    );
    let history = s.history(hook).await;
    assert_eq!(history[0]["fields"], serde_json::json!(["subscriptions"]));
    let html = page(&s.app, &path, &cookie).await.text();
    assert!(
        html.contains("project.*\ntask.done</textarea>"),
        "the box shows them, one a line: {html}"
    );
    assert!(html.contains("Changed subscriptions"), "{html}");

    s.event("project.created", "in").await;
    s.event("task.created", "out").await;
    s.event("task.done", "in too").await;
    s.deliver().await;
    assert_eq!(texts(&s.slack.arrivals_of("narrow")), ["in", "in too"]);

    // The same set written another way is no change; emptied, every type.
    let body = edit_form(
        &s,
        hook,
        "Renamed",
        "project.*\ntask.done",
        "task.done, project.*",
    )
    .await;
    let reply = call(&s.app, UpdateWebhook::PATH, Some(&cookie), &body).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(
        s.history(hook).await[0]["fields"],
        serde_json::json!(["name"])
    );
    let body = edit_form(&s, hook, "Renamed", "project.*\ntask.done", "").await;
    call(&s.app, UpdateWebhook::PATH, Some(&cookie), &body).await;
    assert_eq!(subscriptions(&s, hook).await, serde_json::json!([]));
    s.event("task.created", "everything").await;
    s.deliver().await;
    assert_eq!(
        texts(&s.slack.arrivals_of("narrow")),
        ["in", "in too", "everything"]
    );
}

#[tokio::test]
async fn a_form_with_a_bad_event_type_saves_nothing_and_says_which() {
    let (s, cookie) = signed_in().await;
    let hook = s.webhook("bad").await;
    let body = edit_form(&s, hook, "New name", "", "project.*\nProject Created").await;
    let reply = call(&s.app, UpdateWebhook::PATH, Some(&cookie), &body).await;
    assert_eq!(reply.status, 400, "{}", reply.text());
    assert_eq!(
        reply.json()["Invalid"][0],
        serde_json::json!([[
            "subscriptions",
            [
                format!("Item 2: {INVALID_SUBSCRIPTION}"),
                format!("Item 3: {INVALID_SUBSCRIPTION}")
            ]
        ]])
    );
    assert_eq!(subscriptions(&s, hook).await, serde_json::json!([]));
    let stored = s
        .app
        .get(&format!("/api/v2/webhooks/{hook}/"), &s.token)
        .send()
        .await;
    assert_eq!(
        stored.json()["name"],
        "Hook bad",
        "the name is not saved either"
    );

    // Without JavaScript: the page again, the box as typed, the error on it.
    let path = format!("/webhooks/{hook}");
    let page_url = format!("http://testserver{path}");
    let reply = plain_form_post(&s.app, UpdateWebhook::PATH, &page_url, &cookie, &body).await;
    assert_eq!(reply.status, 302);
    let html = page(&s.app, &path, &cookie).await.text();
    assert!(
        html.contains("project.*\nProject Created</textarea>"),
        "{html}"
    );
    let error = format!(
        r#"id="subscriptions-error" class="error">Item 2: {0} Item 3: {0}<"#,
        INVALID_SUBSCRIPTION
    );
    assert!(html.contains(&error), "{html}");
}

#[tokio::test]
async fn a_new_webhook_takes_its_event_types_from_the_form_once() {
    let (s, cookie) = signed_in().await;
    let html = page(&s.app, "/webhooks/new", &cookie).await.text();
    assert!(
        html.contains(r#"<textarea id="subscriptions" name="subscriptions""#),
        "{html}"
    );
    let url = FakeSlack::url("new")
        .replace(':', "%3A")
        .replace('/', "%2F");
    let form = |typed: &str, key: &str| {
        format!(
            "name=New&url={url}&description=&active=true&subscriptions={}&form_key={key}",
            typed.replace('*', "%2A").replace('\n', "%0A")
        )
    };
    let count =
        || async { s.app.get("/api/v2/webhooks/", &s.token).send().await.json()["count"].clone() };

    // A bad one: nothing is created, the box's error says which.
    let reply = call(
        &s.app,
        CreateWebhook::PATH,
        Some(&cookie),
        &form("task.*\nTask", &"a".repeat(32)),
    )
    .await;
    assert_eq!(reply.status, 400, "{}", reply.text());
    assert_eq!(
        reply.json()["Invalid"][0],
        serde_json::json!([["subscriptions", [format!("Item 2: {INVALID_SUBSCRIPTION}")]]])
    );
    assert_eq!(count().await, 0);

    // Sent twice with one form's key: one webhook, its event types, one history entry.
    let body = form("task.*\nproject.created", &"b".repeat(32));
    for _ in 0..2 {
        let reply = call(&s.app, CreateWebhook::PATH, Some(&cookie), &body).await;
        assert_eq!(reply.status, 200, "{}", reply.text());
    }
    assert_eq!(count().await, 1);
    let hook = s.app.column::<i64>("SELECT id FROM webhooks").await[0];
    assert_eq!(
        subscriptions(&s, hook).await,
        serde_json::json!(["project.created", "task.*"])
    );
    let history = s.history(hook).await;
    assert_eq!(history.len(), 1);
    assert_eq!(history[0]["action"], "created");
    // The same key with other event types is another request: refused.
    let reply = call(
        &s.app,
        CreateWebhook::PATH,
        Some(&cookie),
        &form("task.*", &"b".repeat(32)),
    )
    .await;
    assert_eq!(reply.status, 422, "{}", reply.text());

    s.event("task.done", "in").await;
    s.event("user.created", "out").await;
    s.deliver().await;
    assert_eq!(texts(&s.slack.arrivals_of("new")), ["in"]);
}
