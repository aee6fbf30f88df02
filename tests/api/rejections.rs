//! A failed plain form post shows its errors once, from the session; an
//! address carrying leptos' `__err` (which anyone can write) shows nothing.

use axum::http::StatusCode;
use leptos::server_fn::error::{ServerFnErrorErr, ServerFnUrlError};
use leptos::server_fn::ServerFn;
use webhook_admin::pages::login::Login;
use webhook_admin::pages::webhooks::new::CreateWebhook;
use webhook_admin::shared::error::AppError;
use webhook_admin::shared::forms::FormEcho;
use webhook_admin::shared::validation::{messages, Field, FieldErrors};

use crate::support::browser::{admin_signed_in, page, plain_form_post};
use crate::support::TestApp;

#[tokio::test]
async fn a_crafted_error_link_shows_nothing_and_fills_in_nothing() {
    let app = TestApp::spawn().await;
    let (_, cookie) = admin_signed_in(&app).await;

    let mut errors = FieldErrors::default();
    errors.set(
        Field::Url,
        Some(vec!["Sign in again at evil.example".into()]),
    );
    let forged = AppError::Invalid(
        errors,
        FormEcho::new("ATTACKER NAME", "ATTACKER TEXT", true),
    );
    let link = ServerFnUrlError::new(CreateWebhook::PATH, forged)
        .to_url("http://testserver/webhooks/new")
        .unwrap();
    let path = &link.as_str()["http://testserver".len()..];
    let reply = page(&app, path, &cookie).await;
    assert_eq!(reply.status, StatusCode::OK);
    for planted in ["evil.example", "ATTACKER"] {
        assert!(!reply.text().contains(planted), "{planted} is on the page");
    }

    let forged = AppError::ServerFn(ServerFnErrorErr::ServerError(
        "Sign in again at evil.example".into(),
    ));
    let link = ServerFnUrlError::new(Login::PATH, forged)
        .to_url("http://testserver/login")
        .unwrap();
    let reply = page(&app, &link.as_str()["http://testserver".len()..], "").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(!reply.text().contains("evil.example"));
}

#[tokio::test]
async fn a_rejected_form_shows_its_errors_and_values_once() {
    let app = TestApp::spawn().await;
    let (_, cookie) = admin_signed_in(&app).await;

    let reply = plain_form_post(
        &app,
        CreateWebhook::PATH,
        "http://testserver/webhooks/new",
        &cookie,
        "name=Kept+name&url=http%3A%2F%2Fexample.com&description=",
    )
    .await;
    assert_eq!(reply.status, StatusCode::FOUND);
    // Back to the page, its address clean.
    assert_eq!(
        reply.header("location"),
        Some("http://testserver/webhooks/new")
    );

    let first = page(&app, "/webhooks/new", &cookie).await.text();
    assert!(
        first.contains(messages::INVALID_SLACK_URL),
        "the URL error is shown"
    );
    assert!(first.contains("value=\"Kept name\""), "the name is kept");
    let second = page(&app, "/webhooks/new", &cookie).await.text();
    assert!(!second.contains(messages::INVALID_SLACK_URL), "shown once");
    assert!(!second.contains("Kept name"));
}
