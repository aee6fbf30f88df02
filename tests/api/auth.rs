//! Authentication and permission, in the contract's order.

use serde_json::json;
use webhook_admin::server::accounts::{self, ApiToken, Email};

use crate::support::TestApp;

const LIST: &str = "/api/v2/webhooks/";

#[tokio::test]
async fn missing_or_foreign_scheme_is_not_authenticated() {
    let app = TestApp::spawn().await;
    let reply = app.request("GET", LIST).send().await;
    reply.assert_detail(401, "Authentication credentials were not provided.");
    assert_eq!(reply.header("www-authenticate"), Some("Token"));

    for header in ["Bearer abc", "Basic dXNlcjpwdw==", "", "Tokenabc"] {
        let reply = app
            .request("GET", LIST)
            .header("authorization", header)
            .send()
            .await;
        reply.assert_detail(401, "Authentication credentials were not provided.");
    }
}

#[tokio::test]
async fn malformed_token_headers() {
    let app = TestApp::spawn().await;
    for (header, message) in [
        ("Token", "Invalid token header. No credentials provided."),
        ("Token   ", "Invalid token header. No credentials provided."),
        (
            "Token abc def",
            "Invalid token header. Token string should not contain spaces.",
        ),
        (
            "Token \"abc def\"",
            "Invalid token header. Token string should not contain spaces.",
        ),
        ("Token nosuchtoken", "Invalid token."),
        ("Token \"nosuchtoken\"", "Invalid token."),
    ] {
        let reply = app
            .request("GET", LIST)
            .header("authorization", header)
            .send()
            .await;
        reply.assert_detail(401, message);
        assert_eq!(reply.header("www-authenticate"), Some("Token"), "{header}");
    }
}

#[tokio::test]
async fn keyword_is_case_insensitive_and_quotes_are_accepted() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    for header in [
        format!("Token {token}"),
        format!("token {token}"),
        format!("TOKEN \"{token}\""),
    ] {
        let reply = app
            .request("GET", LIST)
            .header("authorization", &header)
            .send()
            .await;
        assert_eq!(reply.status, 200, "{header}: {}", reply.text());
    }
}

#[tokio::test]
async fn revoked_token_is_invalid() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    accounts::revoke_token(&app.db, &ApiToken::from_clear(&token))
        .await
        .unwrap();
    app.get(LIST, &token)
        .send()
        .await
        .assert_detail(401, "Invalid token.");
}

#[tokio::test]
async fn inactive_user_is_refused() {
    let app = TestApp::spawn().await;
    let org = app.org("acme", true).await;
    let token = app.user_token("ann@acme.test", &org, true).await;
    accounts::set_user_active(&app.db, &Email::parse("ann@acme.test").unwrap(), false)
        .await
        .unwrap();
    app.get(LIST, &token)
        .send()
        .await
        .assert_detail(401, "User inactive or deleted.");
}

#[tokio::test]
async fn only_super_users() {
    let app = TestApp::spawn().await;
    let org = app.org("acme", true).await;
    let token = app.user_token("bob@acme.test", &org, false).await;
    app.get(LIST, &token)
        .send()
        .await
        .assert_detail(403, "You do not have permission to perform this action.");
    let reply = app
        .request("POST", LIST)
        .token(&token)
        .json(&json!({}))
        .send()
        .await;
    reply.assert_detail(403, "You do not have permission to perform this action.");
}

#[tokio::test]
async fn feature_flag_must_be_on() {
    let app = TestApp::spawn().await;
    let org = app.org("acme", false).await;
    let token = app.user_token("ann@acme.test", &org, true).await;
    app.get(LIST, &token).send().await.assert_detail(
        403,
        "The Webhooks feature is not enabled for this organization.",
    );
    app.get("/api/v2/webhooks/1/", &token)
        .send()
        .await
        .assert_detail(
            403,
            "The Webhooks feature is not enabled for this organization.",
        );

    accounts::set_webhooks_flag(&app.db, &org, true)
        .await
        .unwrap();
    assert_eq!(app.get(LIST, &token).send().await.status, 200);
}

#[tokio::test]
async fn authentication_comes_before_everything_else() {
    let app = TestApp::spawn().await;
    let big = vec![b'x'; 100 * 1024];
    for (method, path) in [
        ("PUT", "/api/v2/webhooks/1/"),
        ("POST", LIST),
        ("PATCH", "/api/v2/webhooks/abc/"),
        ("OPTIONS", LIST),
        ("TRACE", LIST),
    ] {
        let reply = app
            .request(method, path)
            .body("text/plain", big.clone())
            .send()
            .await;
        reply.assert_detail(401, "Authentication credentials were not provided.");
    }
    let org = app.org("acme", false).await;
    let token = app.user_token("ann@acme.test", &org, true).await;
    let reply = app
        .request("PUT", "/api/v2/webhooks/1/")
        .token(&token)
        .send()
        .await;
    reply.assert_detail(
        403,
        "The Webhooks feature is not enabled for this organization.",
    );
}

#[tokio::test]
async fn last_use_of_a_token_is_recorded() {
    let app = TestApp::spawn().await;
    let org = app.org("acme", true).await;
    let token = app.user_token("ann@acme.test", &org, true).await;
    let user_id = accounts::user_id_by_email(&app.db, &Email::parse("ann@acme.test").unwrap())
        .await
        .unwrap();
    assert_eq!(
        accounts::tokens_of(&app.db, user_id).await.unwrap()[0].last_used_at,
        None
    );

    assert_eq!(app.get(LIST, &token).send().await.status, 200);
    let tokens = accounts::tokens_of(&app.db, user_id).await.unwrap();
    assert_eq!(tokens.len(), 1);
    assert!(tokens[0].last_used_at.is_some());
    assert_eq!(tokens[0].prefix, token[..8]);
}

/// Requests that read the same old time race to write the new one: only
/// the first within the minute writes.
#[tokio::test]
async fn last_use_is_written_once_a_minute_by_racing_requests() {
    let app = TestApp::spawn().await;
    let org = app.org("acme", true).await;
    app.user_token("ann@acme.test", &org, true).await;
    let user_id = accounts::user_id_by_email(&app.db, &Email::parse("ann@acme.test").unwrap())
        .await
        .unwrap();
    let token_id = accounts::tokens_of(&app.db, user_id).await.unwrap()[0].id;
    let start = 1_800_000_000_000;

    let mut written = Vec::new();
    for now in [
        start,
        start + 1,
        start + 59_999,
        start + 60_000,
        start + 60_001,
    ] {
        written.push(accounts::record_use(&app.db, token_id, now).await.unwrap());
    }
    assert_eq!(written, [true, false, false, true, false]);
    assert_eq!(
        accounts::tokens_of(&app.db, user_id).await.unwrap()[0].last_used_at,
        Some(start + 60_000)
    );
}

/// Reading one webhook authenticates and reads in one query: the checks
/// still come first, in the contract's order, and the use is recorded.
#[tokio::test]
async fn reading_one_webhook_checks_the_caller_first() {
    let app = TestApp::spawn().await;
    let org = app.org("acme", true).await;
    let token = app.user_token("ann@acme.test", &org, true).await;
    let hook = app.create_named(&token, "mine").await;
    let path = format!("/api/v2/webhooks/{}/", hook["id"]);
    let email = Email::parse("ann@acme.test").unwrap();

    assert_eq!(app.get(&path, &token).send().await.json(), hook);
    let user_id = accounts::user_id_by_email(&app.db, &email).await.unwrap();
    assert!(accounts::tokens_of(&app.db, user_id).await.unwrap()[0]
        .last_used_at
        .is_some());

    for path in [path.as_str(), "/api/v2/webhooks/abc/"] {
        app.get(path, "nosuchtoken")
            .send()
            .await
            .assert_detail(401, "Invalid token.");
    }
    accounts::set_webhooks_flag(&app.db, &org, false)
        .await
        .unwrap();
    for path in [path.as_str(), "/api/v2/webhooks/abc/"] {
        app.get(path, &token).send().await.assert_detail(
            403,
            "The Webhooks feature is not enabled for this organization.",
        );
    }
    accounts::set_user_active(&app.db, &email, false)
        .await
        .unwrap();
    app.get(&path, &token)
        .send()
        .await
        .assert_detail(401, "User inactive or deleted.");
}
