//! "Send test message" against a fake Slack (`SLACK_BASE_URL`): what Slack
//! answers comes back as `delivered`/`status`/`error`; one test per webhook
//! every 10 s; redirects are not followed.

use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use leptos::server_fn::ServerFn;
use serde_json::{json, Value};
use webhook_admin::server_fns::SendTestMessage;

use crate::browser::{admin_signed_in, call};
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

async fn answer(State(received): State<Received>, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    let body = request.into_body().collect().await.unwrap().to_bytes();
    let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
    received.lock().unwrap().push((path.clone(), body));
    if path.starts_with("/services/ok/") {
        "ok".into_response()
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
    let error = body["error"].as_str().unwrap();
    assert!(!error.is_empty() && !error.contains('\n'), "{error}");
    assert!(
        !error.contains("/services/"),
        "the URL is a secret: {error}"
    );
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
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    let retry_after: i64 = reply.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=10).contains(&retry_after), "{retry_after}");
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
