//! A test application with a delivery engine that posts to a fake Slack,
//! and the helpers the delivery tests share.

use std::time::Duration;

use serde_json::{json, Value};
use webhook_admin::server::delivery::{Engine, Settings};
use webhook_admin::server::slack::SlackClient;

use super::browser::session_of;
use super::fake_slack::{Arrival, FakeSlack};
use super::TestApp;

pub struct Setup {
    pub app: TestApp,
    pub slack: FakeSlack,
    pub engine: Engine,
    pub token: String,
}

/// Settings that do not slow a test down: no pacing to speak of, retries
/// at once.
pub fn quick() -> Settings {
    Settings {
        rate_per_second: 1_000.0,
        burst: 1_000.0,
        retry_delays: vec![Duration::ZERO; 2],
        ..Settings::default()
    }
}

pub async fn setup(settings: Settings) -> Setup {
    let slack = FakeSlack::start().await;
    let app = TestApp::spawn().await.with_slack_base_url(&slack.base);
    let engine = Engine::new(
        app.db.clone(),
        SlackClient::new(Some(slack.base.clone())),
        settings,
        app.state.delivery_wake.clone(),
    );
    let token = app.admin_token().await;
    Setup {
        app,
        slack,
        engine,
        token,
    }
}

/// An engine posting to the fake Slack, and its organization's super user
/// signed in (the session cookie).
pub async fn signed_in() -> (Setup, String) {
    let s = setup(quick()).await;
    let email = s
        .app
        .column::<String>("SELECT email FROM users")
        .await
        .remove(0);
    let cookie = session_of(&s.app, &email).await;
    (s, cookie)
}

impl Setup {
    pub async fn webhook(&self, script: &str) -> i64 {
        let body = json!({"name": format!("Hook {script}"), "url": FakeSlack::url(script)});
        self.app.create(&self.token, body).await["id"]
            .as_i64()
            .unwrap()
    }

    /// Narrows the webhook to `types` (through the API).
    pub async fn subscribe(&self, webhook_id: i64, types: &[&str]) {
        let reply = self
            .app
            .request(
                "PUT",
                &format!("/api/v2/webhooks/{webhook_id}/subscriptions/"),
            )
            .token(&self.token)
            .json(&json!({ "event_types": types }))
            .send()
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text());
    }

    /// Changes the webhook through the API (a PATCH with `body`): 200.
    pub async fn patch(&self, webhook_id: i64, body: Value) {
        let reply = self
            .app
            .request("PATCH", &format!("/api/v2/webhooks/{webhook_id}/"))
            .token(&self.token)
            .json(&body)
            .send()
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text());
    }

    pub async fn event(&self, kind: &str, text: &str) -> Value {
        let reply = self
            .app
            .request("POST", "/api/v2/events/")
            .token(&self.token)
            .json(&json!({"type": kind, "text": text}))
            .send()
            .await;
        assert_eq!(reply.status, 202, "{}", reply.text());
        reply.json()
    }

    /// Waits until the engine has recorded `count` sends' outcomes (10 s
    /// at most).
    pub async fn recorded(&self, count: u64) {
        let mut recorded = self.engine.recorded();
        let done = recorded.wait_for(|n| *n >= count);
        tokio::time::timeout(Duration::from_secs(10), done)
            .await
            .expect("the engine records its sends within 10 s")
            .unwrap();
    }

    pub async fn deliver(&self) {
        self.engine.deliver_due().await.unwrap();
    }

    /// Each of the webhook's deliveries, oldest first, as
    /// `status attempts failures`.
    pub async fn deliveries(&self, webhook_id: i64) -> Vec<String> {
        self.app
            .column(&format!(
                "SELECT status || ' ' || attempts || ' ' || failures FROM deliveries
                 WHERE webhook_id = {webhook_id} ORDER BY id"
            ))
            .await
    }

    pub async fn is_active(&self, webhook_id: i64) -> bool {
        let reply = self
            .app
            .get(&format!("/api/v2/webhooks/{webhook_id}/"), &self.token)
            .send()
            .await;
        reply.json()["active"].as_bool().unwrap()
    }

    /// The webhook's history, newest first: `action reason`.
    pub async fn history(&self, webhook_id: i64) -> Vec<Value> {
        let reply = self
            .app
            .get(
                &format!("/api/v2/webhooks/{webhook_id}/history/"),
                &self.token,
            )
            .send()
            .await;
        reply.json()["results"].as_array().unwrap().clone()
    }
}

pub fn texts(arrivals: &[Arrival]) -> Vec<&str> {
    arrivals
        .iter()
        .map(|a| a.body["text"].as_str().unwrap())
        .collect()
}
