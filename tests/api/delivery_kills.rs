//! The real server, `kill -9`ed again and again while a producer posts
//! events: every event it acknowledged reaches every webhook, in order; a
//! message goes twice only when it was in flight at a kill.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use serde_json::json;

use crate::support::fake_slack::{Arrival, FakeSlack};
use crate::support::process::{http_client, Api, Server};
use crate::support::ThrowawayDb;

const WEBHOOKS: usize = 5;
const KILLS: usize = 3;
/// Events acknowledged between two kills.
const PER_ROUND: usize = 60;
const EVENTS: usize = PER_ROUND * (KILLS + 1);

/// Each webhook's event numbers, in arrival order.
fn numbers_by_webhook(arrivals: &[Arrival]) -> BTreeMap<String, Vec<usize>> {
    let mut by_webhook: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for arrival in arrivals {
        let text = arrival.body["text"].as_str().unwrap();
        let n = text.strip_prefix("event ").unwrap().parse().unwrap();
        by_webhook
            .entry(arrival.script.clone())
            .or_default()
            .push(n);
    }
    by_webhook
}

fn all_arrived(arrivals: &[Arrival]) -> bool {
    let by_webhook = numbers_by_webhook(arrivals);
    by_webhook.len() == WEBHOOKS
        && by_webhook.values().all(|numbers| {
            let mut distinct = numbers.clone();
            distinct.sort();
            distinct.dedup();
            distinct.len() == EVENTS
        })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_while_events_flow_loses_and_reorders_nothing() {
    let slack = FakeSlack::start().await;
    let database = ThrowawayDb::new().await;
    let env = [
        ("SLACK_BASE_URL", slack.base.as_str()),
        ("DELIVERY_RATE", "10000"),
        ("DELIVERY_BURST", "10000"),
        // A killed instance's queues are taken over once its leases run out.
        ("DELIVERY_TIMEOUT_SECS", "1"),
        ("DELIVERY_LEASE_SECS", "2"),
    ];
    let mut server = Server::start(&database.url, &env).await;
    let token = server.first_start().await.token;
    let api = Api::new(&token);
    for i in 0..WEBHOOKS {
        let body = json!({"name": format!("w{i}"), "url": FakeSlack::url(&format!("w{i}"))});
        let answer = api
            .call("POST", &server.url("/api/v2/webhooks/"), Some(&body))
            .await;
        assert_eq!(answer.status, 201);
    }

    // The producer posts event after event; one without an answer (the
    // server was killed) is sent again, with its key, to the next server.
    let (base_tx, mut base_rx) = tokio::sync::watch::channel(server.base.clone());
    let acknowledged = Arc::new(AtomicUsize::new(0));
    let (acked_tx, mut acked_rx) = tokio::sync::watch::channel(0usize);
    let producer = {
        let acknowledged = acknowledged.clone();
        let http = http_client().build().unwrap();
        tokio::spawn(async move {
            let mut n = 0;
            while n < EVENTS {
                let base = base_rx.borrow_and_update().clone();
                let sent = http
                    .post(format!("{base}/api/v2/events/"))
                    .header("authorization", format!("Token {token}"))
                    .header("idempotency-key", format!("event-{n}"))
                    .header("content-type", "application/json")
                    .body(json!({"type": "test.event", "text": format!("event {n}")}).to_string())
                    .send()
                    .await;
                match sent {
                    Ok(answer) => {
                        assert_eq!(answer.status(), 202, "event {n}");
                        n += 1;
                        let count = acknowledged.fetch_add(1, Ordering::SeqCst) + 1;
                        let _ = acked_tx.send(count);
                    }
                    // The server is gone: wait for the next one.
                    Err(_) => base_rx.changed().await.unwrap(),
                }
            }
        })
    };
    for round in 1..=KILLS {
        acked_rx
            .wait_for(|&count| count >= round * PER_ROUND)
            .await
            .unwrap();
        server.kill().await;
        server = Server::start(&database.url, &env).await;
        base_tx.send(server.base.clone()).unwrap();
    }
    producer
        .await
        .expect("the producer acknowledges every event");
    assert_eq!(acknowledged.load(Ordering::SeqCst), EVENTS);

    let mut arrivals = slack.arrivals();
    while !all_arrived(&arrivals) {
        slack.wait_for(arrivals.len() + 1).await;
        arrivals = slack.arrivals();
    }
    for (webhook, numbers) in numbers_by_webhook(&arrivals) {
        // A repeat comes right after itself: the message in flight at a
        // kill, sent again by the next server.
        let mut in_order = numbers.clone();
        in_order.dedup();
        assert_eq!(in_order, (0..EVENTS).collect::<Vec<_>>(), "{webhook}");
        let repeats = numbers.len() - in_order.len();
        assert!(
            repeats <= KILLS,
            "{webhook}: {repeats} repeats in {KILLS} kills"
        );
    }
    drop(server);
}
