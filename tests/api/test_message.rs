//! "Send test message" against a fake Slack (`SLACK_BASE_URL`): what Slack
//! answers comes back as `delivered`/`status`/`error`; one test per webhook
//! every 10 s; redirects are not followed.

use std::sync::{Arc, Mutex};

use futures::StreamExt;

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use leptos::server_fn::ServerFn;
use serde_json::{json, Value};
use webhook_admin::pages::webhooks::edit::SendTestMessage;

use crate::support::browser::{admin_signed_in, call};
use crate::support::TestApp;

/// What the fake Slack received: path and JSON body.
type Received = Arc<Mutex<Vec<(String, Value)>>>;

/// A Slack stand-in on a free port: `/services/ok/…` accepts, `/services/gone/…`
/// answers 404 `no_service`, `/services/moved/…` redirects to `/services/ok/x`.
async fn fake_slack() -> (String, Received) {
    let received = Received::default();
    let app = axum::Router::new()
        .fallback(answer)
        .with_state(received.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, received)
}

/// Bytes of the long answer that were sent.
static LONG_ANSWER_SENT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
/// The long answer's size: far more than a client should read.
const LONG_ANSWER_BYTES: usize = 64 << 20;

/// A 500 whose body goes on for [`LONG_ANSWER_BYTES`], counting what is sent.
fn long_answer() -> Response {
    use std::sync::atomic::Ordering;
    let chunk = axum::body::Bytes::from(vec![b'x'; 64 << 10]);
    let chunks = futures::stream::iter(0..LONG_ANSWER_BYTES / chunk.len()).map(move |_| {
        LONG_ANSWER_SENT.fetch_add(chunk.len(), Ordering::SeqCst);
        Ok::<_, std::io::Error>(chunk.clone())
    });
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        axum::body::Body::from_stream(chunks),
    )
        .into_response()
}

async fn answer(State(received): State<Received>, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    let body = request.into_body().collect().await.unwrap().to_bytes();
    let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
    received.lock().unwrap().push((path.clone(), body));
    if path.starts_with("/services/ok/") {
        "ok".into_response()
    } else if path.starts_with("/services/long/") {
        long_answer()
    } else if path.starts_with("/services/moved/") {
        (StatusCode::FOUND, [(header::LOCATION, "/services/ok/x")]).into_response()
    } else {
        (StatusCode::NOT_FOUND, "no_service\n").into_response()
    }
}

fn slack_url(kind: &str) -> String {
    format!("https://hooks.slack.com/services/{kind}/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX")
}

async fn webhook(app: &TestApp, token: &str, kind: &str) -> i64 {
    app.create(
        token,
        json!({"name": format!("Alerts {kind}"), "url": slack_url(kind)}),
    )
    .await["id"]
        .as_i64()
        .unwrap()
}

async fn send_test(app: &TestApp, token: &str, id: i64) -> crate::support::Reply {
    app.request("POST", &format!("/api/v2/webhooks/{id}/test/"))
        .token(token)
        .send()
        .await
}

#[tokio::test]
async fn a_delivered_test_names_the_webhook_and_sender_and_is_recorded() {
    let (base, received) = fake_slack().await;
    let app = TestApp::spawn().await.with_slack_base_url(&base);
    let org = app.org("acme", true).await;
    let token = app.user_token("ann@acme.test", &org, true).await;
    let id = webhook(&app, &token, "ok").await;

    let reply = send_test(&app, &token, id).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert_eq!(reply.json(), json!({"delivered": true, "status": 200}));
    let received = received.lock().unwrap().clone();
    assert_eq!(received.len(), 1);
    let (path, body) = &received[0];
    assert_eq!(path, "/services/ok/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX");
    let text = body["text"].as_str().unwrap();
    assert!(
        text.contains("“Alerts ok”") && text.contains("ann@acme.test"),
        "{text}"
    );
    assert!(
        !text.contains("hooks.slack.com") && !text.contains("XXXX"),
        "{text}"
    );
    assert_eq!(body.as_object().unwrap().len(), 1);

    let history = app
        .get(&format!("/api/v2/webhooks/{id}/history/"), &token)
        .send()
        .await
        .json();
    assert_eq!(history["results"][0]["action"], "test_sent");
    assert_eq!(history["results"][0]["actor_kind"], "api token");
}

#[tokio::test]
async fn slacks_refusal_a_redirect_and_no_answer_are_not_deliveries() {
    let (base, received) = fake_slack().await;
    let app = TestApp::spawn().await.with_slack_base_url(&base);
    let token = app.admin_token().await;

    let gone = webhook(&app, &token, "gone").await;
    assert_eq!(
        send_test(&app, &token, gone).await.json(),
        json!({"delivered": false, "status": 404, "error": "no_service"})
    );
    let moved = webhook(&app, &token, "moved").await;
    let reply = send_test(&app, &token, moved).await.json();
    assert_eq!(reply["delivered"], false);
    assert_eq!(reply["status"], 302);
    // Not followed: the redirect's target never got a message.
    assert!(received
        .lock()
        .unwrap()
        .iter()
        .all(|(path, _)| !path.starts_with("/services/ok/")));

    // Nothing listens here.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let nowhere = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let app = app.with_slack_base_url(&nowhere);
    let id = webhook(&app, &token, "ok").await;
    let reply = send_test(&app, &token, id).await;
    assert_eq!(reply.status, StatusCode::OK);
    let body = reply.json();
    assert_eq!(body["delivered"], false);
    assert_eq!(body["status"], Value::Null);
    // A fixed reason: the network's own words (which may hold the URL, a
    // secret) go to the log only.
    assert_eq!(body["error"], "the connection failed");
}

#[tokio::test]
async fn at_most_a_few_kib_of_an_error_answer_are_read() {
    use std::sync::atomic::Ordering;
    let (base, _) = fake_slack().await;
    let app = TestApp::spawn().await.with_slack_base_url(&base);
    let token = app.admin_token().await;
    let id = webhook(&app, &token, "long").await;
    let reply = send_test(&app, &token, id).await.json();
    assert_eq!(reply["status"], 500);
    let error = reply["error"].as_str().unwrap();
    assert_eq!(error, format!("{}…", "x".repeat(300)));
    // What was sent before the client hung up: the socket buffers' worth,
    // not the answer's 64 MiB.
    let sent = LONG_ANSWER_SENT.load(Ordering::SeqCst);
    assert!(sent < 16 << 20, "{sent} bytes were sent");
}

#[tokio::test]
async fn the_url_rule_is_checked_again_before_a_message_is_sent() {
    let (base, received) = fake_slack().await;
    let app = TestApp::spawn().await.with_slack_base_url(&base);
    let token = app.admin_token().await;
    let id = webhook(&app, &token, "ok").await;
    // Stored before the rule was what it is now.
    let stale = "https://hooks.example.com/services/ok/B0/X";
    app.execute(&format!(
        "UPDATE webhooks SET url = '{stale}' WHERE id = {id}"
    ))
    .await;
    assert_eq!(
        send_test(&app, &token, id).await.json(),
        json!({
            "delivered": false,
            "status": null,
            "error": "the stored URL does not pass the Slack URL rule, so nothing was sent (give the webhook a new URL)"
        })
    );
    assert!(received.lock().unwrap().is_empty());
}

#[tokio::test]
async fn slack_control_sequences_in_a_name_arrive_as_plain_text() {
    let (base, received) = fake_slack().await;
    let app = TestApp::spawn().await.with_slack_base_url(&base);
    let token = app.admin_token().await;
    let name = "<!channel> & <https://evil.example|Click>";
    let id = app
        .create(&token, json!({"name": name, "url": slack_url("ok")}))
        .await["id"]
        .as_i64()
        .unwrap();
    assert_eq!(send_test(&app, &token, id).await.json()["delivered"], true);
    let text = received.lock().unwrap()[0].1["text"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        text.contains("“&lt;!channel&gt; &amp; &lt;https://evil.example|Click&gt;”"),
        "{text}"
    );
    assert!(!text.contains('<') && !text.contains('>'), "{text}");
}

/// Sets a rate limit's bucket for `key` to `tokens`, counted now.
async fn set_bucket(app: &TestApp, name: &str, key: i64, tokens: f64) {
    let now = webhook_admin::server::clock::now_millis();
    app.execute(&format!(
        "INSERT INTO rate_limits (name, key, tokens, updated_at) VALUES ('{name}', {key}, {tokens}, {now})
         ON CONFLICT (name, key) DO UPDATE SET tokens = excluded.tokens, updated_at = excluded.updated_at"
    ))
    .await;
}

#[tokio::test]
async fn an_organization_and_everyone_together_have_an_allowance_of_tests() {
    let (base, received) = fake_slack().await;
    let app = TestApp::spawn().await.with_slack_base_url(&base);
    let token = app.admin_token().await;
    let id = webhook(&app, &token, "ok").await;
    assert_eq!(send_test(&app, &token, id).await.status, StatusCode::OK);
    let organization_id: i64 = app
        .count(&format!(
            "SELECT organization_id FROM webhooks WHERE id = {id}"
        ))
        .await;
    let buckets: Vec<String> = app
        .column("SELECT name FROM rate_limits ORDER BY name")
        .await;
    assert_eq!(buckets, ["test_messages", "test_messages_per_organization"]);

    // The organization's allowance used up: one more every 3 s.
    let other = webhook(&app, &token, "ok").await;
    set_bucket(&app, "test_messages_per_organization", organization_id, 0.0).await;
    let reply = send_test(&app, &token, other).await;
    let retry_after = reply.assert_throttled(1..=3);
    reply.assert_detail(
        429,
        &format!("Request was throttled. Expected available in {retry_after} seconds."),
    );
    // Another organization is not held up, until everyone's is used up.
    let stranger = app.admin_token().await;
    let theirs = webhook(&app, &stranger, "ok").await;
    set_bucket(&app, "test_messages", 0, -4.0).await;
    send_test(&app, &stranger, theirs)
        .await
        .assert_throttled(1..=2);
    assert_eq!(received.lock().unwrap().len(), 1);

    // A refused test claimed nothing: with the allowances back, the same
    // webhook is tested at once.
    set_bucket(&app, "test_messages", 0, 100.0).await;
    set_bucket(
        &app,
        "test_messages_per_organization",
        organization_id,
        20.0,
    )
    .await;
    assert_eq!(send_test(&app, &token, other).await.status, StatusCode::OK);
    assert_eq!(
        send_test(&app, &stranger, theirs).await.status,
        StatusCode::OK
    );
    assert_eq!(received.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn one_test_per_webhook_every_ten_seconds() {
    let (base, received) = fake_slack().await;
    let app = TestApp::spawn().await.with_slack_base_url(&base);
    let token = app.admin_token().await;
    let first = webhook(&app, &token, "ok").await;
    let second = webhook(&app, &token, "ok").await;
    assert_eq!(send_test(&app, &token, first).await.status, StatusCode::OK);
    let reply = send_test(&app, &token, first).await;
    let retry_after = reply.assert_throttled(1..=10);
    reply.assert_detail(
        429,
        &format!("Request was throttled. Expected available in {retry_after} seconds."),
    );
    // Another webhook has its own allowance.
    assert_eq!(send_test(&app, &token, second).await.status, StatusCode::OK);
    assert_eq!(received.lock().unwrap().len(), 2);
    // Concurrent tests of one webhook: one is sent.
    let third = webhook(&app, &token, "ok").await;
    let replies = futures::future::join_all((0..5).map(|_| send_test(&app, &token, third))).await;
    let sent = replies
        .iter()
        .filter(|r| r.status == StatusCode::OK)
        .count();
    assert_eq!(sent, 1);
    assert_eq!(received.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn tests_follow_retrieves_rules() {
    let (base, received) = fake_slack().await;
    let app = TestApp::spawn().await.with_slack_base_url(&base);
    let token = app.admin_token().await;
    let stranger = app.admin_token().await;
    let id = webhook(&app, &token, "ok").await;
    send_test(&app, &stranger, id)
        .await
        .assert_detail(404, "No Webhook matches the given query.");
    app.request("POST", &format!("/api/v2/webhooks/{id}/test/"))
        .send()
        .await
        .assert_detail(401, "Authentication credentials were not provided.");
    let reply = app
        .get(&format!("/api/v2/webhooks/{id}/test/"), &token)
        .send()
        .await;
    reply.assert_detail(405, "Method \"GET\" not allowed.");
    assert_eq!(reply.header("allow"), Some("POST, OPTIONS"));
    assert!(received.lock().unwrap().is_empty());
}

#[tokio::test]
async fn the_browser_button_reports_slacks_refusal_on_the_form() {
    let (base, _received) = fake_slack().await;
    let app = TestApp::spawn().await.with_slack_base_url(&base);
    let (token, cookie) = admin_signed_in(&app).await;
    let ok = webhook(&app, &token, "ok").await;
    let reply = call(
        &app,
        SendTestMessage::PATH,
        Some(&cookie),
        &format!("id={ok}"),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert_eq!(
        reply.header("location"),
        Some(format!("/webhooks/{ok}?notice=tested").as_str())
    );
    let gone = webhook(&app, &token, "gone").await;
    let reply = call(
        &app,
        SendTestMessage::PATH,
        Some(&cookie),
        &format!("id={gone}"),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_GATEWAY);
    assert_eq!(
        reply.json(),
        json!({"TestNotDelivered": "Slack answered 404: no_service"})
    );
    let reply = call(
        &app,
        SendTestMessage::PATH,
        Some(&cookie),
        &format!("id={gone}"),
    )
    .await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(reply.header("retry-after").is_some());
}
