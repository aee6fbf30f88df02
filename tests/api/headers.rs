//! Security headers on pages, server functions and the REST API.

use webhook_admin::server::http::site::SiteSettings;

use crate::support::{Reply, TestApp, ThrowawayDb};

#[track_caller]
fn assert_common(reply: &Reply) {
    assert_eq!(reply.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(reply.header("referrer-policy"), Some("same-origin"));
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    let policy = reply.header("content-security-policy").unwrap();
    for part in [
        "default-src 'self'",
        "style-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    ] {
        assert!(policy.contains(part), "{policy} lacks {part}");
    }
}

#[tokio::test]
async fn pages_carry_a_policy_with_their_scripts_nonce() {
    let app = TestApp::spawn().await;
    let reply = app.request("GET", "/login").send().await;
    assert_eq!(reply.status, 200);
    assert_common(&reply);
    let policy = reply.header("content-security-policy").unwrap();
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in script-src");
    assert!(policy.contains("'wasm-unsafe-eval'"), "{policy}");
    assert!(nonce.len() >= 16, "{nonce}");
    assert!(
        reply.text().contains(&format!("nonce=\"{nonce}\"")),
        "the page's scripts carry the policy's nonce"
    );
    // A new nonce for every response.
    let again = app.request("GET", "/login").send().await;
    assert_ne!(again.header("content-security-policy"), Some(policy));
    assert_eq!(reply.header("strict-transport-security"), None);
}

#[tokio::test]
async fn api_answers_are_not_stored() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let reply = app.get("/api/v2/webhooks/", &token).send().await;
    assert_eq!(reply.status, 200);
    assert_common(&reply);
    let refused = app.request("GET", "/api/v2/webhooks/").send().await;
    assert_eq!(refused.status, 401);
    assert_common(&refused);
}

#[tokio::test]
async fn https_deployments_send_hsts() {
    let site = SiteSettings {
        public_origin: Some("https://hooks.example.com".to_owned()),
        allowed_hosts: vec!["testserver".to_owned()],
    };
    let app = TestApp::with_site(ThrowawayDb::new().await, site).await;
    let reply = app.request("GET", "/login").send().await;
    assert_eq!(
        reply.header("strict-transport-security"),
        Some("max-age=63072000; includeSubDomains")
    );
}
