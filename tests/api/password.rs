//! Changing one's password in the browser: the current password checked
//! with sign-in's throttle, the new one by the 12-character rule; the other
//! sessions end, this one goes on.

use leptos::server_fn::ServerFn;
use serde_json::json;
use webhook_admin::pages::password::ChangePassword;

use crate::support::browser::{call, cookie_of, page, plain_form_post, sign_in};
use crate::support::TestApp;

const OLD: &str = "old-password-1";
const NEW: &str = "new-password-22";

async fn ann(app: &TestApp) {
    let org = app.org("acme", true).await;
    let email = webhook_admin::server::accounts::Email::parse("ann@acme.test").unwrap();
    let password = webhook_admin::server::accounts::Password::parse(OLD).unwrap();
    webhook_admin::server::accounts::create_user(&app.db, &email, &org, true, Some(&password))
        .await
        .unwrap();
}

/// A signed-in session cookie, or `None` when the password is refused.
async fn session(app: &TestApp, password: &str) -> Option<String> {
    sign_in(app, "ann@acme.test", password).await
}

fn form(current: &str, new: &str, again: &str) -> String {
    format!("current={current}&new={new}&again={again}")
}

#[tokio::test]
async fn a_new_password_ends_the_other_sessions_and_keeps_this_one() {
    let app = TestApp::spawn().await;
    ann(&app).await;
    let this = session(&app, OLD).await.unwrap();
    let other = session(&app, OLD).await.unwrap();

    let changed = call(
        &app,
        ChangePassword::PATH,
        Some(&this),
        &form(OLD, NEW, NEW),
    )
    .await;
    assert!(
        changed.status.as_u16() < 400,
        "{} {}",
        changed.status,
        changed.text()
    );
    // This session goes on under a new id.
    let this = cookie_of(&changed);
    assert_eq!(page(&app, "/webhooks", &this).await.status, 200);
    let ended = page(&app, "/webhooks", &other).await;
    assert_eq!(ended.status, 302);
    assert_eq!(ended.header("location"), Some("/login"));
    assert_eq!(session(&app, OLD).await, None);
    assert!(session(&app, NEW).await.is_some());
}

#[tokio::test]
async fn mistakes_are_400_and_change_nothing() {
    let app = TestApp::spawn().await;
    ann(&app).await;
    let cookie = session(&app, OLD).await.unwrap();
    for (body, error) in [
        (form("not-the-password", NEW, NEW), "WrongPassword"),
        (form(OLD, NEW, "new-password-23"), "PasswordsDiffer"),
        (form(OLD, "too-short", "too-short"), "WeakPassword"),
    ] {
        let reply = call(&app, ChangePassword::PATH, Some(&cookie), &body).await;
        assert_eq!(reply.status, 400, "{body}");
        assert_eq!(reply.json(), json!(error));
    }
    assert_eq!(page(&app, "/webhooks", &cookie).await.status, 200);
    assert!(
        session(&app, OLD).await.is_some(),
        "the old password still works"
    );

    let signed_out = call(&app, ChangePassword::PATH, None, &form(OLD, NEW, NEW)).await;
    assert_eq!(signed_out.status, 401);
}

#[tokio::test]
async fn guessing_the_current_password_is_throttled_like_sign_in() {
    let app = TestApp::spawn().await;
    ann(&app).await;
    let cookie = session(&app, OLD).await.unwrap();
    for _ in 0..webhook_admin::server::accounts::MAX_FAILURES {
        let reply = call(
            &app,
            ChangePassword::PATH,
            Some(&cookie),
            &form("guess-guess-1", NEW, NEW),
        )
        .await;
        assert_eq!(reply.status, 400);
    }
    let held = call(
        &app,
        ChangePassword::PATH,
        Some(&cookie),
        &form(OLD, NEW, NEW),
    )
    .await;
    assert_eq!(held.status, 429, "{}", held.text());
    assert!(held.header("retry-after").is_some());
}

#[tokio::test]
async fn the_page_works_as_a_plain_form() {
    let app = TestApp::spawn().await;
    ann(&app).await;
    let signed_out = page(&app, "/account/password", "").await;
    assert_eq!(signed_out.status, 302);
    assert_eq!(signed_out.header("location"), Some("/login"));

    let cookie = session(&app, OLD).await.unwrap();
    let shown = page(&app, "/account/password", &cookie).await;
    assert_eq!(shown.status, 200);
    let html = shown.text();
    for field in ["name=\"current\"", "name=\"new\"", "name=\"again\""] {
        assert!(html.contains(field), "{field}");
    }
    assert!(!html.contains("Password changed."));

    let page_url = "http://testserver/account/password";
    let posted = plain_form_post(
        &app,
        ChangePassword::PATH,
        page_url,
        &cookie,
        &form(OLD, NEW, NEW),
    )
    .await;
    assert!(posted.status.is_redirection(), "{}", posted.status);
    assert_eq!(
        posted.header("location"),
        Some("/account/password?changed=kept")
    );
    let cookie = cookie_of(&posted);
    let done = page(&app, "/account/password?changed=kept", &cookie).await;
    assert!(done.text().contains(
        "Password changed. Your other sessions have been signed out; your API tokens still work."
    ));
}

#[tokio::test]
async fn the_form_offers_to_revoke_the_api_tokens_ticked_by_default() {
    let app = TestApp::spawn().await;
    ann(&app).await;
    let email = webhook_admin::server::accounts::Email::parse("ann@acme.test").unwrap();
    let user_id = webhook_admin::server::accounts::user_id_by_email(&app.db, &email)
        .await
        .unwrap();
    let token = webhook_admin::server::accounts::create_token(
        &app.db,
        user_id,
        webhook_admin::server::accounts::TokenKind::Full,
    )
    .await
    .unwrap();
    let token = token.as_str();
    let cookie = session(&app, OLD).await.unwrap();
    let html = page(&app, "/account/password", &cookie).await.text();
    assert!(
        html.contains(
            r#"<input id="revoke_tokens" name="revoke_tokens" type="checkbox" value="on" checked"#
        ),
        "{html}"
    );

    // Unticked: the token goes on working.
    let posted = plain_form_post(
        &app,
        ChangePassword::PATH,
        "http://testserver/account/password",
        &cookie,
        &form(OLD, NEW, NEW),
    )
    .await;
    assert_eq!(
        posted.header("location"),
        Some("/account/password?changed=kept")
    );
    assert_eq!(app.get("/api/v2/webhooks/", token).send().await.status, 200);

    // Ticked (as the form comes): it is revoked with the change.
    let cookie = cookie_of(&posted);
    let body = format!("{}&revoke_tokens=on", form(NEW, OLD, OLD));
    let posted = plain_form_post(
        &app,
        ChangePassword::PATH,
        "http://testserver/account/password",
        &cookie,
        &body,
    )
    .await;
    assert_eq!(
        posted.header("location"),
        Some("/account/password?changed=revoked")
    );
    app.get("/api/v2/webhooks/", token)
        .send()
        .await
        .assert_detail(401, "Invalid token.");
    let done = page(
        &app,
        "/account/password?changed=revoked",
        &cookie_of(&posted),
    )
    .await;
    assert!(done.text().contains(
        "Password changed. Your other sessions have been signed out and your API tokens revoked."
    ));
}
