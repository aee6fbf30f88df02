//! `/api/v2/webhooks/{id}/deliveries/…`: what a client sees of a webhook's
//! deliveries, and sending them again.

use serde_json::{json, Value};

use crate::support::engine::{quick, setup, texts, Setup};
use crate::support::fake_slack::Answer;
use crate::support::is_api_timestamp;

impl Setup {
    async fn call(&self, method: &str, path: &str) -> crate::support::Reply {
        self.app
            .request(method, path)
            .token(&self.token)
            .send()
            .await
    }
}

#[tokio::test]
async fn a_webhooks_deliveries_newest_first_filtered_and_one_with_its_attempts() {
    let s = setup(quick()).await;
    let a = s.webhook("a").await;
    s.slack.script("a", [Answer::Error(500, "rollup_error")]);
    s.event("project.created", "one").await;
    s.event("user.created", "two").await;
    s.deliver().await;

    let reply = s
        .call("GET", &format!("/api/v2/webhooks/{a}/deliveries/"))
        .await;
    assert_eq!(reply.status, 200);
    let body = reply.json();
    assert_eq!(body["count"], 2);
    let results = body["results"].as_array().unwrap();
    let first = &results[1];
    assert_eq!(
        results
            .iter()
            .map(|d| d["event_type"].clone())
            .collect::<Vec<_>>(),
        ["user.created", "project.created"]
    );
    assert_eq!(
        first.as_object().unwrap().keys().collect::<Vec<_>>(),
        [
            "attempts",
            "created",
            "event_id",
            "event_type",
            "id",
            "next_attempt",
            "status",
            "updated"
        ]
    );
    assert_eq!(first["status"], "delivered");
    assert_eq!(first["attempts"], 2);
    assert_eq!(first["next_attempt"], Value::Null);
    assert!(is_api_timestamp(&first["created"]));

    let only = async |query: &str| {
        s.call("GET", &format!("/api/v2/webhooks/{a}/deliveries/?{query}"))
            .await
    };
    assert_eq!(only("event_type=user.created").await.json()["count"], 1);
    assert_eq!(only("status=dead").await.json()["count"], 0);
    assert_eq!(only("status=delivered").await.json()["count"], 2);
    only("status=lost").await.assert_detail(
        400,
        "status must be one of: waiting, delivered, dead, held (got \"lost\").",
    );
    // Found by the fuzzer: a NUL reached PostgreSQL, which refuses it (500).
    only("event_type=a%00b").await.assert_detail(
        400,
        "event_type must be an event type: a-z, 0-9, \".\" and \"_\" (got \"a\\0b\").",
    );

    let id = first["id"].as_i64().unwrap();
    let reply = s
        .call("GET", &format!("/api/v2/webhooks/{a}/deliveries/{id}/"))
        .await;
    assert_eq!(reply.status, 200);
    let detail = reply.json();
    assert_eq!(detail["message"], json!({"text": "one"}));
    let log: Vec<Value> = detail["attempt_log"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| json!([a["outcome"], a["http_status"], a["error"]]))
        .collect();
    assert_eq!(
        log,
        [
            json!(["failed", 500, "rollup_error"]),
            json!(["delivered", 200, null])
        ]
    );
    assert!(is_api_timestamp(&detail["attempt_log"][0]["at"]));
}

#[tokio::test]
async fn deliveries_answer_404_like_their_webhook() {
    let s = setup(quick()).await;
    let a = s.webhook("a").await;
    s.call("GET", &format!("/api/v2/webhooks/{a}/deliveries/999/"))
        .await
        .assert_detail(404, "Not found.");
    s.call("GET", &format!("/api/v2/webhooks/{a}/deliveries/x/"))
        .await
        .assert_detail(404, "Not found.");
    s.call("GET", "/api/v2/webhooks/999/deliveries/")
        .await
        .assert_detail(404, "No Webhook matches the given query.");
    let org = s.app.org("other", true).await;
    let stranger = s.app.user_token("boss@other.example", &org, true).await;
    s.app
        .request("GET", &format!("/api/v2/webhooks/{a}/deliveries/"))
        .token(&stranger)
        .send()
        .await
        .assert_detail(404, "No Webhook matches the given query.");
    s.app
        .request("GET", &format!("/api/v2/webhooks/{a}/deliveries/"))
        .send()
        .await
        .assert_detail(401, "Authentication credentials were not provided.");
}

#[tokio::test]
async fn a_dead_delivery_is_sent_again_in_its_place() {
    let s = setup(quick()).await;
    let a = s.webhook("a").await;
    s.slack.script("a", [Answer::Error(400, "invalid_payload")]);
    s.event("a", "one").await;
    s.deliver().await;
    assert_eq!(s.deliveries(a).await, ["dead 1 1"]);
    let id: i64 = s.app.column("SELECT id FROM deliveries").await[0];

    let path = format!("/api/v2/webhooks/{a}/deliveries/{id}/redeliver/");
    let reply = s.call("POST", &path).await;
    assert_eq!(reply.status, 202, "{}", reply.text());
    assert_eq!(reply.json()["status"], "waiting");
    s.call("POST", &path)
        .await
        .assert_detail(409, "This delivery is already waiting to be sent.");
    s.deliver().await;
    assert_eq!(texts(&s.slack.arrivals()), ["one", "one"]);
    assert_eq!(s.deliveries(a).await, ["delivered 2 0"]);
}

#[tokio::test]
async fn a_webhook_turned_off_by_slack_is_turned_on_and_its_held_deliveries_sent_in_order() {
    let s = setup(quick()).await;
    let a = s.webhook("a").await;
    s.slack
        .script("a", [Answer::Error(410, "channel_is_archived")]);
    for text in ["one", "two", "three"] {
        s.event("a", text).await;
    }
    s.deliver().await;
    assert_eq!(s.deliveries(a).await, ["held 1 1", "held 0 0", "held 0 0"]);
    let send_held = format!("/api/v2/webhooks/{a}/deliveries/redeliver/?status=held");
    s.call("POST", &send_held).await.assert_detail(
        409,
        "The webhook is turned off: turn it on, then send its deliveries again.",
    );
    let reply = s
        .app
        .request("PATCH", &format!("/api/v2/webhooks/{a}/"))
        .token(&s.token)
        .json(&json!({"active": true}))
        .send()
        .await;
    assert_eq!(reply.status, 200);
    let reply = s.call("POST", &send_held).await;
    assert_eq!(reply.status, 202);
    assert_eq!(reply.json(), json!({"changed": 3}));
    s.deliver().await;
    assert_eq!(texts(&s.slack.arrivals()), ["one", "one", "two", "three"]);
    assert_eq!(
        s.deliveries(a).await,
        ["delivered 2 0", "delivered 1 0", "delivered 1 0"]
    );
}

#[tokio::test]
async fn held_deliveries_can_be_discarded_instead() {
    let s = setup(quick()).await;
    let a = s.webhook("a").await;
    s.slack.script("a", [Answer::Error(404, "no_service")]);
    s.event("a", "one").await;
    s.event("a", "two").await;
    s.deliver().await;
    let reply = s
        .call("POST", &format!("/api/v2/webhooks/{a}/deliveries/discard/"))
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json(), json!({"changed": 2}));
    assert_eq!(s.deliveries(a).await, ["dead 1 1", "dead 0 0"]);
}

#[tokio::test]
async fn a_bulk_redelivery_names_dead_or_held_and_may_start_at_a_time() {
    let s = setup(quick()).await;
    let a = s.webhook("a").await;
    s.slack.script(
        "a",
        [Answer::Error(400, "no_text"), Answer::Error(400, "no_text")],
    );
    s.event("a", "one").await;
    s.event("a", "two").await;
    s.deliver().await;
    let base = format!("/api/v2/webhooks/{a}/deliveries/redeliver/");
    s.call("POST", &base)
        .await
        .assert_detail(400, "status is required: dead or held.");
    s.call("POST", &format!("{base}?status=delivered"))
        .await
        .assert_detail(
            400,
            "status must be one of: dead, held (got \"delivered\").",
        );
    s.call("POST", &format!("{base}?status=dead&since=yesterday"))
        .await
        .assert_detail(
            400,
            "since must be a time such as 2026-11-27T14:03:07Z (got \"yesterday\").",
        );
    let reply = s
        .call(
            "POST",
            &format!("{base}?status=dead&since=2999-01-01T00:00:00Z"),
        )
        .await;
    assert_eq!(reply.json(), json!({"changed": 0}));
    let reply = s
        .call(
            "POST",
            &format!("{base}?status=dead&since=2000-01-01T00:00:00Z"),
        )
        .await;
    assert_eq!(reply.status, 202);
    assert_eq!(reply.json(), json!({"changed": 2}));
    s.deliver().await;
    assert_eq!(texts(&s.slack.arrivals()), ["one", "two", "one", "two"]);
}
