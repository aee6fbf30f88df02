//! Only allowed `Host`s are served (400 otherwise, as Django), and links are
//! built on the public URL when one is set.

use axum::http::StatusCode;
use webhook_admin::server::http::site::SiteSettings;

use crate::support::{TestApp, ThrowawayDb, GOOD_URL};

#[tokio::test]
async fn a_host_that_is_not_allowed_is_a_bad_request_everywhere() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let refused = [
        ("/api/v2/webhooks/", vec!["evil.example"]),
        ("/login", vec!["evil.example"]),
        ("/pkg/webhook-admin.css", vec!["evil.example"]),
        ("/api/v2/webhooks/", vec!["testserver", "evil.example"]),
    ];
    for (path, hosts) in refused {
        let mut request = app.get(path, &token);
        for host in &hosts {
            request = request.header("host", host);
        }
        request.send().await.assert_detail(400, "Bad Request");
    }

    let reply = app
        .get("/api/v2/webhooks/", &token)
        .header("host", "testserver:8000")
        .send()
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json()["count"], 0);
}

#[tokio::test]
async fn links_and_location_use_the_public_url() {
    let site = SiteSettings {
        public_origin: Some("https://hooks.example.com".to_owned()),
        allowed_hosts: vec!["testserver".to_owned(), "hooks.example.com".to_owned()],
    };
    let app = TestApp::with_site(ThrowawayDb::new().await, site).await;
    let token = app.admin_token().await;
    for name in ["one", "two"] {
        app.create_named(&token, name).await;
    }
    let reply = app
        .request("POST", "/api/v2/webhooks/")
        .token(&token)
        .json(&serde_json::json!({"name": "three", "url": GOOD_URL}))
        .send()
        .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    let id = reply.json()["id"].as_i64().unwrap();
    assert_eq!(
        reply.header("location").unwrap(),
        format!("https://hooks.example.com/api/v2/webhooks/{id}/")
    );

    // Whatever Host the request names (here an internal one), links are public.
    let list = app
        .get("/api/v2/webhooks/?page_size=2", &token)
        .send()
        .await
        .json();
    assert_eq!(
        list["next"],
        "https://hooks.example.com/api/v2/webhooks/?page=2&page_size=2"
    );
}
