//! The delivery engine against a fake Slack: order, pacing, and what each of
//! Slack's answers does to a delivery and to its webhook. `deliver_due`
//! sends everything due now and returns, so the tests need no timers; the
//! ones about time run the engine's own loop.

use std::time::{Duration, Instant};

use serde_json::json;
use webhook_admin::server::delivery::Settings;

use crate::support::engine::{quick, setup, texts};
use crate::support::fake_slack::Answer;

#[tokio::test]
async fn each_webhook_receives_its_events_in_order_once() {
    let s = setup(quick()).await;
    let a = s.webhook("a").await;
    let b = s.webhook("b").await;
    for i in 0..20 {
        s.event("project.created", &format!("event {i}")).await;
    }
    s.deliver().await;
    let expected: Vec<String> = (0..20).map(|i| format!("event {i}")).collect();
    assert_eq!(texts(&s.slack.arrivals_of("a")), expected);
    assert_eq!(texts(&s.slack.arrivals_of("b")), expected);
    assert_eq!(s.deliveries(a).await, vec!["delivered 1 0"; 20]);
    assert_eq!(s.deliveries(b).await, vec!["delivered 1 0"; 20]);
    // Nothing is due any more: a second pass sends nothing.
    s.deliver().await;
    assert_eq!(s.slack.arrivals().len(), 40);
}

#[tokio::test]
async fn a_webhook_gets_its_burst_then_waits_for_its_rate() {
    let s = setup(Settings {
        rate_per_second: 1.0,
        burst: 3.0,
        ..quick()
    })
    .await;
    let a = s.webhook("a").await;
    for i in 0..5 {
        s.event("a", &format!("{i}")).await;
    }
    s.deliver().await;
    assert_eq!(texts(&s.slack.arrivals()), ["0", "1", "2"]);
    assert_eq!(
        s.deliveries(a).await,
        [
            "delivered 1 0",
            "delivered 1 0",
            "delivered 1 0",
            "waiting 0 0",
            "waiting 0 0"
        ]
    );
    // Due again when the bucket has a token: within a second.
    let due: Vec<i64> = s
        .app
        .column(&format!(
            "SELECT due_at - (SELECT MAX(updated_at) FROM deliveries) FROM delivery_queues
             WHERE webhook_id = {a}"
        ))
        .await;
    assert!((1..=1_000).contains(&due[0]), "due in {} ms", due[0]);
}

#[tokio::test]
async fn a_429_pauses_the_webhook_for_its_retry_after_and_is_no_failure() {
    let s = setup(Settings {
        poll: Duration::from_secs(3600),
        ..quick()
    })
    .await;
    let a = s.webhook("slow").await;
    s.slack.script("slow", [Answer::RateLimited(Some(1))]);
    s.event("a", "first").await;
    s.event("a", "second").await;
    let engine = tokio::spawn(s.engine.clone().run());
    s.recorded(3).await;
    engine.abort();
    let arrivals = s.slack.arrivals();
    assert_eq!(texts(&arrivals), ["first", "first", "second"]);
    let waited = arrivals[1].at - arrivals[0].at;
    assert!(
        waited >= Duration::from_millis(1_000),
        "resent after {waited:?}"
    );
    let attempts: Vec<String> = s
        .app
        .column(&format!(
            "SELECT outcome || ' ' || http_status || ' ' || COALESCE(error, '') FROM delivery_attempts
             WHERE delivery_id = (SELECT MIN(id) FROM deliveries WHERE webhook_id = {a}) ORDER BY id"
        ))
        .await;
    assert_eq!(
        attempts,
        ["rate_limited 429 rate_limited", "delivered 200 "]
    );
    assert_eq!(s.deliveries(a).await, ["delivered 2 0", "delivered 1 0"]);
    assert!(s.is_active(a).await);
}

#[tokio::test]
async fn a_429_without_retry_after_waits_a_second() {
    let s = setup(quick()).await;
    let a = s.webhook("slow").await;
    s.slack.script("slow", [Answer::RateLimited(None)]);
    s.event("a", "x").await;
    s.deliver().await;
    let pause: Vec<i64> = s
        .app
        .column(&format!(
            "SELECT not_before - (SELECT MAX(at) FROM delivery_attempts) FROM delivery_queues
             WHERE webhook_id = {a}"
        ))
        .await;
    // The attempt's `at` is when it started; the pause counts from its end.
    assert!(
        (1_000..=1_500).contains(&pause[0]),
        "paused {} ms",
        pause[0]
    );
    assert_eq!(s.deliveries(a).await, ["waiting 1 0"]);
}

#[tokio::test]
async fn server_errors_and_timeouts_are_retried_then_the_delivery_is_dead() {
    let s = setup(Settings {
        timeout: Duration::from_millis(300),
        ..quick()
    })
    .await;
    let flaky = s.webhook("flaky").await;
    s.slack.script(
        "flaky",
        [
            Answer::Error(500, "rollup_error"),
            Answer::Slow(Duration::from_secs(2)),
        ],
    );
    s.event("a", "one").await;
    let broken = s.webhook("broken").await;
    s.slack.script(
        "broken",
        [
            Answer::Error(503, ""),
            Answer::Error(502, ""),
            Answer::Error(500, ""),
        ],
    );
    s.event("a", "two").await;
    s.deliver().await;
    // Flaky: a 500, a timeout, then delivered on the third try.
    assert_eq!(
        s.deliveries(flaky).await,
        ["delivered 3 2", "delivered 1 0"]
    );
    let errors: Vec<String> = s
        .app
        .column(&format!(
            "SELECT outcome || ' ' || COALESCE(error, '') FROM delivery_attempts a
             JOIN deliveries d ON d.id = a.delivery_id WHERE d.webhook_id = {flaky} ORDER BY a.id"
        ))
        .await;
    assert_eq!(
        errors,
        [
            "failed rollup_error",
            "failed no answer in time",
            "delivered ",
            "delivered "
        ]
    );
    // Broken: three failures use up two retries; the delivery is dead and
    // the webhook stays on (a day without success turns it off).
    assert_eq!(s.deliveries(broken).await, ["dead 3 3"]);
    assert!(s.is_active(broken).await);
}

#[tokio::test]
async fn a_message_slack_will_never_take_is_dead_at_once_and_holds_nothing_up() {
    let s = setup(quick()).await;
    let a = s.webhook("picky").await;
    s.slack.script(
        "picky",
        [
            Answer::Error(400, "invalid_payload"),
            Answer::Error(400, "no_text"),
        ],
    );
    for text in ["bad", "worse", "fine"] {
        s.event("a", text).await;
    }
    s.deliver().await;
    assert_eq!(texts(&s.slack.arrivals()), ["bad", "worse", "fine"]);
    assert_eq!(
        s.deliveries(a).await,
        ["dead 1 1", "dead 1 1", "delivered 1 0"]
    );
    assert!(s.is_active(a).await);
}

#[tokio::test]
async fn a_webhook_slack_removed_or_closed_is_turned_off_and_its_deliveries_held() {
    for (status, answer) in [
        (404, "no_service"),
        (404, "no_active_hooks"),
        (403, "invalid_token"),
        (403, "team_disabled"),
        (404, "channel_not_found"),
        (410, "channel_is_archived"),
        (403, "action_prohibited"),
        (403, "posting_to_general_channel_denied"),
    ] {
        let s = setup(quick()).await;
        let gone = s.webhook("gone").await;
        let watcher = s.webhook("watcher").await;
        s.slack.script("gone", [Answer::Error(status, answer)]);
        s.subscribe(watcher, &["webhook.*"]).await;
        s.event("a", "one").await;
        s.event("a", "two").await;
        s.deliver().await;
        assert!(!s.is_active(gone).await, "{answer}");
        assert_eq!(
            s.deliveries(gone).await,
            ["held 1 1", "held 0 0"],
            "{answer}"
        );
        let history = s.history(gone).await;
        assert_eq!(history[0]["action"], "deactivated");
        assert_eq!(history[0]["reason"], answer);
        assert_eq!(history[0]["actor_kind"], "delivery");
        assert_eq!(history[0]["actor"], "");
        // The organization's other webhooks are told.
        let told = s.slack.arrivals_of("watcher");
        assert_eq!(told.len(), 1, "{answer}");
        assert_eq!(
            told[0].body["text"],
            format!(
                "webhook-admin turned off the webhook “Hook gone”: {answer}. Its waiting \
                 messages are held until someone turns it back on."
            )
        );
        // New events skip it.
        assert_eq!(s.event("a", "three").await["deliveries"], 0);
        assert_eq!(s.slack.arrivals_of("gone").len(), 1);
    }
}

#[tokio::test]
async fn a_day_without_success_turns_a_webhook_off() {
    let s = setup(Settings {
        give_up_after: Duration::ZERO,
        ..quick()
    })
    .await;
    let a = s.webhook("down").await;
    s.slack.script("down", [Answer::Error(503, "")]);
    s.event("a", "x").await;
    s.deliver().await;
    assert!(!s.is_active(a).await);
    assert_eq!(s.deliveries(a).await, ["held 1 1"]);
    let reason = s.history(a).await[0]["reason"].as_str().unwrap().to_owned();
    assert!(
        reason.starts_with("no message was delivered since 20")
            && reason.ends_with("(last answer: Service Unavailable)"),
        "{reason}"
    );
}

#[tokio::test]
async fn a_stored_url_that_breaks_the_rule_is_not_posted_to_and_the_webhook_is_turned_off() {
    let s = setup(quick()).await;
    let a = s.webhook("a").await;
    s.app
        .execute(&format!(
            "UPDATE webhooks SET url = 'http://hooks.slack.com/services/a/B0/x' WHERE id = {a}"
        ))
        .await;
    s.event("a", "x").await;
    s.deliver().await;
    assert!(s.slack.arrivals().is_empty());
    assert!(!s.is_active(a).await);
    assert_eq!(
        s.history(a).await[0]["reason"],
        "the stored URL does not pass the Slack URL rule, so nothing was sent (give the webhook a new URL)"
    );
}

#[tokio::test]
async fn a_redirect_is_not_followed_and_counts_as_a_failure() {
    let s = setup(quick()).await;
    let a = s.webhook("moved").await;
    s.slack
        .script("moved", [Answer::Redirect("/services/elsewhere/B0/x"); 3]);
    s.event("a", "x").await;
    s.deliver().await;
    assert_eq!(s.slack.arrivals().len(), 3);
    assert!(s
        .slack
        .arrivals()
        .iter()
        .all(|a| a.path == "/services/moved/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"));
    assert_eq!(s.deliveries(a).await, ["dead 3 3"]);
}

#[tokio::test]
async fn a_webhook_turned_off_by_hand_keeps_its_waiting_deliveries_held() {
    let s = setup(quick()).await;
    let a = s.webhook("a").await;
    s.event("a", "x").await;
    let reply = s
        .app
        .request("PATCH", &format!("/api/v2/webhooks/{a}/"))
        .token(&s.token)
        .json(&json!({"active": false}))
        .send()
        .await;
    assert_eq!(reply.status, 200);
    s.deliver().await;
    assert!(s.slack.arrivals().is_empty());
    assert_eq!(s.deliveries(a).await, ["held 0 0"]);
}

#[tokio::test]
async fn deleting_a_webhook_deletes_its_queue_and_deliveries() {
    let s = setup(quick()).await;
    let a = s.webhook("a").await;
    s.event("a", "x").await;
    s.app
        .request("DELETE", &format!("/api/v2/webhooks/{a}/"))
        .token(&s.token)
        .send()
        .await;
    s.deliver().await;
    assert!(s.slack.arrivals().is_empty());
    assert_eq!(s.app.count("SELECT COUNT(*) FROM deliveries").await, 0);
    assert_eq!(s.app.count("SELECT COUNT(*) FROM delivery_queues").await, 0);
    assert_eq!(s.app.count("SELECT COUNT(*) FROM events").await, 1);
}

#[tokio::test]
async fn the_running_engine_is_woken_by_a_new_event_not_by_its_poll() {
    let s = setup(Settings {
        poll: Duration::from_secs(3600),
        ..quick()
    })
    .await;
    s.webhook("a").await;
    let engine = tokio::spawn(s.engine.clone().run());
    // The loop is asleep (nothing is due) before the event comes.
    tokio::task::yield_now().await;
    let posted = Instant::now();
    s.event("a", "hello").await;
    let arrivals = s.slack.wait_for(1).await;
    engine.abort();
    assert_eq!(texts(&arrivals), ["hello"]);
    assert!(arrivals[0].at - posted < Duration::from_secs(5));
}

#[tokio::test]
async fn sends_deactivations_and_the_queue_are_in_the_metrics() {
    use axum::body::Body;
    use axum::http::Request;
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    use webhook_admin::server::ops;

    let mut s = setup(Settings {
        rate_per_second: 1.0,
        burst: 1.0,
        ..quick()
    })
    .await;
    s.engine = s
        .engine
        .with_metrics(s.app.state.metrics.deliveries.clone());
    let gone = s.webhook("gone").await;
    s.webhook("busy").await;
    s.slack
        .script("gone", [Answer::Error(410, "channel_is_archived")]);
    s.slack.script("busy", [Answer::Error(503, "")]);
    for _ in 0..3 {
        s.event("a", "x").await;
    }
    s.deliver().await;
    assert!(!s.is_active(gone).await);

    let scrape = ops::metrics_router(s.app.state.clone())
        .oneshot(Request::get("/metrics").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let body = scrape.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8(body.to_vec()).unwrap();
    for line in [
        r#"webhook_admin_delivery_sends_total{outcome="gone",answer="client_error"} 1"#,
        r#"webhook_admin_delivery_sends_total{outcome="failed",answer="server_error"} 1"#,
        "webhook_admin_delivery_deactivations_total 1",
        // Busy: one send, then its pace (1 a second, no burst) held it back.
        "webhook_admin_delivery_paced_total 1",
        // Busy's three wait (its first for a retry), and the news that gone
        // was turned off; gone's three are held.
        "webhook_admin_deliveries_waiting 4",
        "webhook_admin_deliveries_held 3",
        "webhook_admin_delivery_oldest_due_seconds 0",
    ] {
        assert!(text.lines().any(|l| l == line), "missing {line} in\n{text}");
    }
}

#[tokio::test]
async fn another_instances_engine_learns_of_new_events() {
    use webhook_admin::server::delivery::{Engine, Wake};
    use webhook_admin::server::slack::SlackClient;

    use crate::support::{backend, Backend};

    let s = setup(quick()).await;
    s.webhook("a").await;
    // Another instance: its own engine, not woken by this one's requests.
    // PostgreSQL tells it (NOTIFY), so it need not poll; SQLite's other
    // processes are not told, and poll.
    let poll = match backend() {
        Backend::Postgres => Duration::from_secs(3600),
        Backend::Sqlite => Duration::from_millis(200),
    };
    let other = Engine::new(
        s.app.db.clone(),
        SlackClient::new(Some(s.slack.base.clone())),
        Settings { poll, ..quick() },
        Wake::default(),
    );
    let mut recorded = other.recorded();
    let running = tokio::spawn(other.run());
    s.event("a", "first").await;
    tokio::time::timeout(Duration::from_secs(10), recorded.wait_for(|n| *n == 1))
        .await
        .expect("the other engine sends the first event")
        .unwrap();
    // Its loop has gone back to sleep, or is on its way: the next event
    // has to reach it from the other instance.
    s.event("a", "second").await;
    let arrivals = s.slack.wait_for(2).await;
    running.abort();
    assert_eq!(texts(&arrivals), ["first", "second"]);
}

#[tokio::test]
async fn a_stopping_engine_finishes_its_send_in_flight_and_hands_its_queue_over() {
    let s = setup(quick()).await;
    let a = s.webhook("slow").await;
    s.slack
        .script("slow", [Answer::Slow(Duration::from_millis(300))]);
    s.event("a", "one").await;
    s.event("a", "two").await;
    let stopper = s.engine.stopper();
    let running = tokio::spawn(s.engine.clone().run());
    s.slack.wait_for(1).await;
    // "one" is in flight: stop now.
    stopper.cancel();
    tokio::time::timeout(Duration::from_secs(10), running)
        .await
        .expect("the engine stops once its send is answered")
        .unwrap();
    assert_eq!(texts(&s.slack.arrivals()), ["one"]);
    assert_eq!(s.deliveries(a).await, ["delivered 1 0", "waiting 0 0"]);
    let leased: Vec<i64> = s
        .app
        .column(
            "SELECT COUNT(*) FROM delivery_queues WHERE lease_owner IS NOT NULL OR due_at IS NULL",
        )
        .await;
    assert_eq!(leased, [0], "released, and due for the next instance");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_instances_together_keep_each_webhook_to_its_pace() {
    use webhook_admin::server::delivery::{Engine, Wake};
    use webhook_admin::server::slack::SlackClient;

    let pace = Settings {
        rate_per_second: 5.0,
        burst: 2.0,
        poll: Duration::from_millis(50),
        ..quick()
    };
    let s = setup(pace.clone()).await;
    s.slack.limit(5.0, 2.0);
    s.webhook("a").await;
    s.webhook("b").await;
    for i in 0..12 {
        s.event("a", &format!("{i}")).await;
    }
    let engines: Vec<_> = (0..3)
        .map(|_| {
            let engine = Engine::new(
                s.app.db.clone(),
                SlackClient::new(Some(s.slack.base.clone())),
                pace.clone(),
                Wake::default(),
            );
            tokio::spawn(engine.run())
        })
        .collect();
    let arrivals = s.slack.wait_for(24).await;
    for engine in engines {
        engine.abort();
    }
    assert_eq!(s.slack.refused(), 0, "no post came faster than the pace");
    let expected: Vec<String> = (0..12).map(|i| i.to_string()).collect();
    assert_eq!(texts(&s.slack.arrivals_of("a")), expected);
    assert_eq!(texts(&s.slack.arrivals_of("b")), expected);
    // Five a second after a burst of two: twelve take two seconds.
    let of_a: Vec<_> = arrivals.iter().filter(|x| x.script == "a").collect();
    let spread = of_a[11].at - of_a[0].at;
    assert!(spread >= Duration::from_millis(1_800), "{spread:?}");
}

#[tokio::test]
async fn a_webhook_deleted_while_its_message_is_in_flight_leaves_the_engine_working() {
    let s = setup(quick()).await;
    let gone = s.webhook("slow").await;
    s.webhook("other").await;
    s.slack
        .script("slow", [Answer::Slow(Duration::from_millis(300))]);
    s.event("a", "one").await;
    let running = tokio::spawn(s.engine.clone().run());
    s.slack.wait_for(2).await;
    let reply = s
        .app
        .request("DELETE", &format!("/api/v2/webhooks/{gone}/"))
        .token(&s.token)
        .send()
        .await;
    assert_eq!(reply.status, 204);
    // Both answers are recorded (the deleted one's as nothing to record).
    s.recorded(2).await;
    s.event("a", "two").await;
    s.slack.wait_for(3).await;
    running.abort();
    assert_eq!(texts(&s.slack.arrivals_of("other")), ["one", "two"]);
    let left = format!("SELECT COUNT(*) FROM deliveries WHERE webhook_id = {gone}");
    assert_eq!(s.app.count(&left).await, 0);
}
