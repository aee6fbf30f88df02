//! Cross-site requests to the browser pages' server functions are refused,
//! whatever cookie they carry; the REST API (token auth) is not affected.

use axum::http::StatusCode;
use leptos::server_fn::ServerFn;
use webhook_admin::pages::login::Logout;
use webhook_admin::pages::webhooks::new::CreateWebhook;
use webhook_admin::server::http::csrf::REFUSED;

use crate::support::browser::{admin_signed_in, FORM};
use crate::support::{TestApp, GOOD_URL};

const CREATE_BODY: &str =
    "name=Forged&url=https%3A%2F%2Fhooks.slack.com%2Fservices%2FT0%2FB0%2Fforged&description=";

#[tokio::test]
async fn a_cross_site_post_with_a_valid_session_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let (token, cookie) = admin_signed_in(&app).await;

    for forged in [
        vec![("origin", "http://evil.example")],
        vec![
            ("sec-fetch-site", "cross-site"),
            ("origin", "http://testserver"),
        ],
        vec![("referer", "http://evil.example/page")],
        vec![],
    ] {
        let mut request = app
            .request("POST", CreateWebhook::PATH)
            .header("cookie", &cookie)
            .body(FORM, CREATE_BODY);
        for (name, value) in &forged {
            request = request.header(name, value);
        }
        let reply = request.send().await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{forged:?}");
        assert_eq!(reply.text(), REFUSED);
    }
    let list = app.get("/api/v2/webhooks/", &token).send().await.json();
    assert_eq!(list["count"], 0);

    // Nor can another site sign the user out.
    let reply = app
        .request("POST", Logout::PATH)
        .header("cookie", &cookie)
        .header("origin", "http://evil.example")
        .send()
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_same_post_from_the_sites_own_pages_works() {
    let app = TestApp::spawn().await;
    let (token, cookie) = admin_signed_in(&app).await;

    for proof in [
        ("sec-fetch-site", "same-origin"),
        ("origin", "http://testserver"),
        ("referer", "http://testserver/webhooks/new"),
    ] {
        let reply = app
            .request("POST", CreateWebhook::PATH)
            .header("cookie", &cookie)
            .header(proof.0, proof.1)
            .body(FORM, CREATE_BODY)
            .send()
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{proof:?}: {}", reply.text());
    }
    let list = app.get("/api/v2/webhooks/", &token).send().await.json();
    assert_eq!(list["count"], 3);
}

#[tokio::test]
async fn the_rest_api_needs_no_origin() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let reply = app
        .request("POST", "/api/v2/webhooks/")
        .token(&token)
        .header("origin", "http://evil.example")
        .json(&serde_json::json!({"name": "Eng", "url": GOOD_URL}))
        .send()
        .await;
    assert_eq!(reply.status, StatusCode::CREATED);
}
