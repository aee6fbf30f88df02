//! The browser admin's doors: server functions and pages answer every
//! failure with the one status `AppError::status` gives it.

use axum::http::StatusCode;
use leptos::server_fn::ServerFn;
use webhook_admin::pages::login::Login;
use webhook_admin::pages::webhooks::edit::UpdateWebhook;
use webhook_admin::pages::webhooks::list::ListWebhooks;
use webhook_admin::pages::webhooks::new::CreateWebhook;

use crate::support::browser::{
    admin_signed_in, call, cookie_of, page, plain_form_post, session_of, FORM,
};
use crate::support::{self, TestApp, HOST};

#[tokio::test]
async fn signed_out_calls_are_401_and_pages_redirect_to_sign_in() {
    let app = TestApp::spawn().await;
    let reply = call(&app, ListWebhooks::PATH, None, "").await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.text());
    assert_eq!(reply.json(), serde_json::json!("NotSignedIn"));

    let reply = page(&app, "/webhooks", "").await;
    assert_eq!(reply.status, StatusCode::FOUND);
    assert_eq!(reply.header("location"), Some("/login"));

    // A client that does not ask for HTML (a monitor, curl) is not
    // redirected by leptos: it gets the 401, never a 200 page.
    let reply = app
        .request("GET", "/webhooks")
        .header("accept", "*/*")
        .send()
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.header("location"), Some("/login"));
    assert!(reply.text().contains("Please sign in"), "{}", reply.text());
}

#[tokio::test]
async fn wrong_passwords_are_401_then_429_with_retry_after() {
    let app = TestApp::spawn().await;
    let org = app.org("acme", true).await;
    app.user_token("ann@acme.test", &org, true).await;
    for _ in 0..5 {
        let reply = call(
            &app,
            Login::PATH,
            None,
            "email=ann@acme.test&password=guess",
        )
        .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.text());
        assert_eq!(reply.json(), serde_json::json!("BadCredentials"));
    }
    let reply = call(&app, Login::PATH, None, "email=ann@acme.test&password=pw").await;
    reply.assert_throttled(1..=60);
}

#[tokio::test]
async fn users_who_may_not_manage_webhooks_get_403_from_calls_and_pages() {
    let app = TestApp::spawn().await;
    let org = app.org("acme", true).await;
    app.user_token("member@acme.test", &org, false).await;
    let cookie = session_of(&app, "member@acme.test").await;

    let reply = call(&app, ListWebhooks::PATH, Some(&cookie), "").await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.text());
    assert_eq!(reply.json(), serde_json::json!("NotSuperuser"));

    let reply = page(&app, "/webhooks/new", &cookie).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(reply
        .text()
        .contains("You need super user rights to manage webhooks."));
}

#[tokio::test]
async fn a_missing_webhook_is_a_404_page_and_an_invalid_form_a_400() {
    let app = TestApp::spawn().await;
    let (_, cookie) = admin_signed_in(&app).await;

    let reply = page(&app, "/webhooks/999999", &cookie).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert!(reply.text().contains("There is nothing here"));

    let body = "name=&url=http%3A%2F%2Fexample.com&description=";
    let reply = call(&app, CreateWebhook::PATH, Some(&cookie), body).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text());
    let invalid = &reply.json()["Invalid"];
    assert_eq!(
        invalid[0][0],
        serde_json::json!(["name", ["This field may not be blank."]])
    );
    assert_eq!(invalid[0][1][0], "url");
}

/// The edit form's body: `name` as typed, "active" unticked, and what the
/// form was loaded with.
fn edit_form(id: i64, name: &str, loaded: &serde_json::Value, version: i64) -> String {
    format!(
        "id={id}&name={name}&url=&description=&original_name={}&original_description=&original_active=true&original_version={version}",
        loaded["name"].as_str().unwrap()
    )
}

async fn version_of(app: &TestApp, token: &str, id: i64) -> i64 {
    let reply = app
        .get(&format!("/api/v2/webhooks/{id}/"), token)
        .send()
        .await;
    reply
        .header("etag")
        .unwrap()
        .trim_matches('"')
        .parse()
        .unwrap()
}

#[tokio::test]
async fn the_edit_form_saves_only_what_changed() {
    let app = TestApp::spawn().await;
    let (token, cookie) = admin_signed_in(&app).await;
    let created = app.create_named(&token, "Before").await;
    let id = created["id"].as_i64().unwrap();
    let version = version_of(&app, &token, id).await;

    // Only "active" was unticked: the history names only that field.
    let body = edit_form(id, "Before", &created, version);
    let reply = call(&app, UpdateWebhook::PATH, Some(&cookie), &body).await;
    // A script's call succeeds and is told where to go next.
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert_eq!(reply.header("location"), Some("/webhooks?notice=saved"));
    let stored = app
        .get(&format!("/api/v2/webhooks/{id}/"), &token)
        .send()
        .await
        .json();
    assert_eq!(stored["name"], "Before");
    assert_eq!(stored["active"], false);
    assert_eq!(stored["url"], created["url"]);
    let history = app
        .get(&format!("/api/v2/webhooks/{id}/history/"), &token)
        .send()
        .await
        .json();
    assert_eq!(
        history["results"][0]["fields"],
        serde_json::json!(["active"])
    );
}

#[tokio::test]
async fn a_stale_edit_form_never_overwrites_someone_elses_save() {
    let app = TestApp::spawn().await;
    let (token, cookie) = admin_signed_in(&app).await;
    let created = app.create_named(&token, "Before").await;
    let id = created["id"].as_i64().unwrap();
    let version = version_of(&app, &token, id).await;

    // Someone else renames it after the form was loaded.
    let reply = app
        .request("PATCH", &format!("/api/v2/webhooks/{id}/"))
        .token(&token)
        .json(&serde_json::json!({"description": "Theirs"}))
        .send()
        .await;
    assert_eq!(reply.status, StatusCode::OK);

    let body = edit_form(id, "Mine", &created, version);
    let reply = call(&app, UpdateWebhook::PATH, Some(&cookie), &body).await;
    assert_eq!(reply.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(reply.json(), serde_json::json!("Stale"));
    let stored = app
        .get(&format!("/api/v2/webhooks/{id}/"), &token)
        .send()
        .await
        .json();
    assert_eq!(
        (stored["name"].as_str(), stored["description"].as_str()),
        (Some("Before"), Some("Theirs"))
    );

    // Without JavaScript: back to the page, which says so and links to reload.
    let page_url = format!("http://testserver/webhooks/{id}");
    let reply = plain_form_post(&app, UpdateWebhook::PATH, &page_url, &cookie, &body).await;
    assert_eq!(reply.status, StatusCode::FOUND);
    let html = page(&app, &format!("/webhooks/{id}"), &cookie).await.text();
    assert!(
        html.contains("This webhook was changed since you loaded it. Reload it and try again."),
        "{html}"
    );
    assert!(
        html.contains(&format!(r#"<a href="/webhooks/{id}">Reload"#)),
        "{html}"
    );
    // The form now carries the current version.
    let current = version_of(&app, &token, id).await;
    assert!(html.contains(&format!(r#"name="original_version" value="{current}""#)));
}

#[tokio::test]
async fn the_create_form_sent_twice_creates_one_webhook() {
    let app = TestApp::spawn().await;
    let (token, cookie) = admin_signed_in(&app).await;
    let html = page(&app, "/webhooks/new", &cookie).await.text();
    let key = html
        .split(r#"name="form_key" value=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no form key: {html}"))
        .to_owned();
    assert_eq!(key.len(), 32);
    let other = page(&app, "/webhooks/new", &cookie).await.text();
    assert!(!other.contains(&key), "each rendering has its own key");

    let url = support::GOOD_URL.replace(':', "%3A").replace('/', "%2F");
    let body = format!("name=Once&url={url}&description=&active=true&form_key={key}");
    for _ in 0..2 {
        let reply = plain_form_post(
            &app,
            CreateWebhook::PATH,
            "http://testserver/webhooks/new",
            &cookie,
            &body,
        )
        .await;
        assert_eq!(reply.status, StatusCode::FOUND);
        assert_eq!(reply.header("location"), Some("/webhooks?notice=created"));
    }
    assert_eq!(
        app.get("/api/v2/webhooks/", &token).send().await.json()["count"],
        1
    );
    // Back, changed, sent again with the same form: refused, nothing created.
    let changed = body.replace("name=Once", "name=Twice");
    let reply = call(&app, CreateWebhook::PATH, Some(&cookie), &changed).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.json(), serde_json::json!("FormReused"));
    assert_eq!(
        app.get("/api/v2/webhooks/", &token).send().await.json()["count"],
        1
    );
}

#[tokio::test]
async fn signing_in_keeps_nothing_of_the_previous_session() {
    let app = TestApp::spawn().await;
    let org = app.org("acme", true).await;
    app.user_token("ann@acme.test", &org, true).await;
    app.user_token("bob@acme.test", &org, true).await;
    let ann = session_of(&app, "ann@acme.test").await;
    // Ann's rejected form waits in her session, with what she typed.
    let reply = plain_form_post(
        &app,
        CreateWebhook::PATH,
        "http://testserver/webhooks/new",
        &ann,
        "name=Ann+was+here&url=nope&description=",
    )
    .await;
    assert_eq!(reply.status, StatusCode::FOUND);

    // Bob signs in on the same browser.
    let reply = call(
        &app,
        Login::PATH,
        Some(&ann),
        "email=bob@acme.test&password=pw",
    )
    .await;
    let bob = cookie_of(&reply);
    assert_ne!(bob, ann);

    let form = page(&app, "/webhooks/new", &bob).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(!form.text().contains("Ann was here"));
}

#[tokio::test]
async fn a_new_token_is_shown_in_the_response_that_made_it_and_kept_nowhere() {
    let app = TestApp::spawn().await;
    let (_, cookie) = admin_signed_in(&app).await;
    let reply = app
        .request("POST", "/tokens")
        .header("accept", "text/html")
        .header("origin", &format!("http://{HOST}"))
        .header("cookie", &cookie)
        .body(FORM, "")
        .send()
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let html = reply.text();
    let token = html
        .split("id=\"new-token\"")
        .nth(1)
        .and_then(|rest| rest.split_once('>'))
        .and_then(|(_, rest)| rest.get(..40))
        .unwrap_or_else(|| panic!("the new token is not on the page: {html}"))
        .to_owned();
    assert!(token.bytes().all(|b| b.is_ascii_hexdigit()), "{token}");
    assert_eq!(
        app.get("/api/v2/webhooks/", &token).send().await.status,
        StatusCode::OK
    );

    // Not in the session store (nor anywhere else: tokens are stored as SHA-256).
    let sessions: Vec<String> = app.column("SELECT data FROM sessions").await;
    assert!(!sessions.is_empty());
    for data in sessions {
        assert!(!data.contains(&token), "a session holds the token");
    }
    // A later visit does not show it.
    let later = page(&app, "/tokens", &cookie).await.text();
    assert!(!later.contains(&token[8..]));
}
