//! The OpenAPI document: served without credentials, equal to the committed
//! `docs/openapi.json` (so an API change shows in review), and covering
//! every operation. `make openapi` rewrites the committed file.

use serde_json::Value;

use crate::support::TestApp;

const COMMITTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/openapi.json");

#[tokio::test]
async fn the_served_document_is_the_committed_one() {
    let app = TestApp::spawn().await;
    let served = app.request("GET", "/api/v2/openapi.json").send().await;
    assert_eq!(served.status, 200);
    assert_eq!(served.header("content-type"), Some("application/json"));
    let text = served.text();
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(COMMITTED, format!("{text}\n")).unwrap();
    }
    let committed = std::fs::read_to_string(COMMITTED).expect("docs/openapi.json exists");
    assert_eq!(
        committed,
        format!("{text}\n"),
        "docs/openapi.json is out of date: run `make openapi` and review the change"
    );
}

#[tokio::test]
async fn the_document_covers_every_operation_and_error() {
    let app = TestApp::spawn().await;
    let doc: Value = app
        .request("GET", "/api/v2/openapi.json")
        .send()
        .await
        .json();
    assert_eq!(doc["openapi"], "3.1.0");
    let operations = |path: &str| -> Vec<String> {
        let mut methods: Vec<String> = doc["paths"][path]
            .as_object()
            .unwrap_or_else(|| panic!("{path} is documented"))
            .keys()
            .cloned()
            .collect();
        methods.sort();
        methods
    };
    assert_eq!(operations("/api/v2/webhooks/"), ["get", "post"]);
    assert_eq!(
        operations("/api/v2/webhooks/{id}/"),
        ["delete", "get", "patch"]
    );
    assert_eq!(operations("/api/v2/webhooks/{id}/history/"), ["get"]);
    assert_eq!(operations("/api/v2/webhook-events/"), ["get"]);
    assert_eq!(operations("/api/v2/webhooks/{id}/test/"), ["post"]);
    assert_eq!(operations("/healthz"), ["get"]);
    assert_eq!(operations("/readyz"), ["get"]);
    let statuses = |path: &str, method: &str| -> Vec<String> {
        doc["paths"][path][method]["responses"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    };
    assert_eq!(
        statuses("/api/v2/webhooks/", "post"),
        ["201", "400", "401", "403", "413", "415", "422", "503"]
    );
    assert_eq!(
        statuses("/api/v2/webhooks/{id}/", "patch"),
        ["200", "400", "401", "403", "404", "412", "413", "415", "503"]
    );
    assert_eq!(
        statuses("/api/v2/webhooks/{id}/", "get"),
        ["200", "304", "401", "403", "404", "503"]
    );
    assert_eq!(
        statuses("/api/v2/webhooks/{id}/test/", "post"),
        ["200", "401", "403", "404", "429", "503"]
    );
    let headers = |path: &str, method: &str| -> Vec<String> {
        doc["paths"][path][method]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["in"] == "header")
            .map(|p| p["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(headers("/api/v2/webhooks/", "post"), ["Idempotency-Key"]);
    assert_eq!(headers("/api/v2/webhooks/{id}/", "patch"), ["If-Match"]);
    assert_eq!(headers("/api/v2/webhooks/{id}/", "delete"), ["If-Match"]);
    assert_eq!(
        doc["components"]["securitySchemes"]["Token"],
        serde_json::json!({
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`: a key from `webhook-admin token create EMAIL` or the /tokens page."
        })
    );
    assert_eq!(doc["security"], serde_json::json!([{"Token": []}]));
    // The probes need no token.
    assert_eq!(
        doc["paths"]["/healthz"]["get"]["security"],
        serde_json::json!([{}])
    );
    let create = &doc["components"]["schemas"]["WebhookCreate"];
    assert_eq!(create["required"], serde_json::json!(["name", "url"]));
    assert_eq!(create["properties"]["name"]["maxLength"], 140);
    assert_eq!(
        create["properties"]["url"]["pattern"],
        webhook_admin::shared::validation::SLACK_URL_PATTERN
    );
    assert!(doc["components"]["schemas"]["WebhookUpdate"]["required"].is_null());
}
