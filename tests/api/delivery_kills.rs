//! The real server, `kill -9`ed again and again while a producer posts
//! events (alone, or one of three instances): every event it acknowledged
//! reaches every webhook, in order; a message goes twice only when it was in
//! flight at a kill.

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
    events_survive_kills(1).await;
}

/// Three instances on one database (PostgreSQL, or three processes on one
/// SQLite file); the first is killed again and again.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_of_three_instances_killed_again_and_again_loses_nothing() {
    events_survive_kills(3).await;
}

async fn events_survive_kills(instances: usize) {
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
    let mut first = Server::start(&database.url, &env).await;
    let token = first.first_start().await.token;
    let mut servers = vec![first];
    for _ in 1..instances {
        servers.push(Server::start(&database.url, &env).await);
    }
    let api = Api::new(&token);
    for i in 0..WEBHOOKS {
        let body = json!({"name": format!("w{i}"), "url": FakeSlack::url(&format!("w{i}"))});
        let answer = api
            .call(
                "POST",
                &servers[i % instances].url("/api/v2/webhooks/"),
                Some(&body),
            )
            .await;
        assert_eq!(answer.status, 201);
    }

    // The producer posts event after event, to each instance in turn; one
    // without an answer (its server was killed) is sent again, with its
    // key, to another instance, or to the next server.
    let bases = |servers: &[Server]| servers.iter().map(|s| s.base.clone()).collect::<Vec<_>>();
    let (bases_tx, mut bases_rx) = tokio::sync::watch::channel(bases(&servers));
    let acknowledged = Arc::new(AtomicUsize::new(0));
    let (acked_tx, mut acked_rx) = tokio::sync::watch::channel(0usize);
    let producer = {
        let acknowledged = acknowledged.clone();
        let http = http_client().build().unwrap();
        tokio::spawn(async move {
            let (mut n, mut tries) = (0, 0);
            while n < EVENTS {
                let base = {
                    let bases = bases_rx.borrow_and_update();
                    bases[(n + tries) % bases.len()].clone()
                };
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
                        (n, tries) = (n + 1, 0);
                        let count = acknowledged.fetch_add(1, Ordering::SeqCst) + 1;
                        let _ = acked_tx.send(count);
                    }
                    Err(_) if tries + 1 < instances => tries += 1,
                    // Every server is gone: wait for the next one.
                    Err(_) => {
                        tries = 0;
                        bases_rx.changed().await.unwrap();
                    }
                }
            }
        })
    };
    for round in 1..=KILLS {
        acked_rx
            .wait_for(|&count| count >= round * PER_ROUND)
            .await
            .unwrap();
        servers.remove(0).kill().await;
        servers.insert(0, Server::start(&database.url, &env).await);
        bases_tx.send(bases(&servers)).unwrap();
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
        // kill, sent again by another server.
        let mut in_order = numbers.clone();
        in_order.dedup();
        assert_eq!(in_order, (0..EVENTS).collect::<Vec<_>>(), "{webhook}");
        let repeats = numbers.len() - in_order.len();
        assert!(
            repeats <= KILLS,
            "{webhook}: {repeats} repeats in {KILLS} kills"
        );
    }
    drop(servers);
}
