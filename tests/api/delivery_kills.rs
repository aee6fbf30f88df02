//! The real server delivering 10,000 events to 100 webhooks while producers
//! post them: undisturbed, `kill -9`ed again and again, or one of three
//! instances killed again and again. Every event it acknowledged reaches its
//! webhook, in order; a message goes twice only when it was in flight at a
//! kill.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use serde_json::json;

use crate::support::fake_slack::{Arrival, FakeSlack};
use crate::support::process::{http_client, Api, Server};
use crate::support::ThrowawayDb;

const WEBHOOKS: usize = 100;
const EVENTS: usize = 10_000;
/// Producer `p` posts events `p`, `p + PRODUCERS`, …; event `n` is for
/// webhook `n % WEBHOOKS`, so each webhook's events come from one producer,
/// whose order is theirs.
const PRODUCERS: usize = 10;

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
            distinct.len() == EVENTS / WEBHOOKS
        })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_thousand_events_reach_a_hundred_webhooks_in_order_once() {
    events_survive_kills(1, 0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_while_events_flow_loses_and_reorders_nothing() {
    events_survive_kills(1, 3).await;
}

/// Three instances on one database (PostgreSQL, or three processes on one
/// SQLite file); the first is killed again and again.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_of_three_instances_killed_again_and_again_loses_nothing() {
    events_survive_kills(3, 3).await;
}

async fn events_survive_kills(instances: usize, kills: usize) {
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
        let server = &servers[i % instances];
        let answer = api
            .call("POST", &server.url("/api/v2/webhooks/"), Some(&body))
            .await;
        assert_eq!(answer.status, 201);
        let id = answer.json()["id"].as_i64().unwrap();
        let types = json!({"event_types": [format!("order.w{i}")]});
        let path = format!("/api/v2/webhooks/{id}/subscriptions/");
        let answer = api.call("PUT", &server.url(&path), Some(&types)).await;
        assert_eq!(answer.status, 200);
    }

    // Each producer posts its events one after another, to the instances in
    // turn; one without an answer (its server was killed) is sent again,
    // with its key, to another instance, or to the next server.
    let bases = |servers: &[Server]| servers.iter().map(|s| s.base.clone()).collect::<Vec<_>>();
    let (bases_tx, bases_rx) = tokio::sync::watch::channel(bases(&servers));
    let acknowledged = Arc::new(AtomicUsize::new(0));
    let (acked_tx, mut acked_rx) = tokio::sync::watch::channel(0usize);
    let acked_tx = Arc::new(acked_tx);
    let http = http_client().build().unwrap();
    let producers: Vec<_> = (0..PRODUCERS)
        .map(|p| {
            let (acknowledged, acked_tx) = (acknowledged.clone(), acked_tx.clone());
            let (http, token, mut bases_rx) = (http.clone(), token.clone(), bases_rx.clone());
            tokio::spawn(async move {
                let mut tries = 0;
                let mut n = p;
                while n < EVENTS {
                    let base = {
                        let bases = bases_rx.borrow_and_update();
                        bases[(n + tries) % bases.len()].clone()
                    };
                    let event = json!({
                        "type": format!("order.w{}", n % WEBHOOKS),
                        "text": format!("event {n}"),
                    });
                    let sent = http
                        .post(format!("{base}/api/v2/events/"))
                        .header("authorization", format!("Token {token}"))
                        .header("idempotency-key", format!("event-{n}"))
                        .header("content-type", "application/json")
                        .body(event.to_string())
                        .send()
                        .await;
                    match sent {
                        Ok(answer) => {
                            assert_eq!(answer.status(), 202, "event {n}");
                            (n, tries) = (n + PRODUCERS, 0);
                            let count = acknowledged.fetch_add(1, Ordering::SeqCst) + 1;
                            acked_tx.send_modify(|acked| *acked = count.max(*acked));
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
        })
        .collect();
    for round in 1..=kills {
        acked_rx
            .wait_for(|&count| count >= round * EVENTS / (kills + 1))
            .await
            .unwrap();
        servers.remove(0).kill().await;
        servers.insert(0, Server::start(&database.url, &env).await);
        bases_tx.send(bases(&servers)).unwrap();
    }
    for producer in producers {
        producer
            .await
            .expect("the producer acknowledges every event");
    }
    assert_eq!(acknowledged.load(Ordering::SeqCst), EVENTS);

    let mut arrivals = slack.arrivals();
    while !all_arrived(&arrivals) {
        slack.wait_for(arrivals.len() + 1).await;
        arrivals = slack.arrivals();
    }
    let mut repeats = 0;
    for (webhook, numbers) in numbers_by_webhook(&arrivals) {
        // A repeat comes right after itself: the message in flight at a
        // kill, sent again by another server.
        let mut in_order = numbers.clone();
        in_order.dedup();
        let w: usize = webhook.strip_prefix('w').unwrap().parse().unwrap();
        let expected: Vec<usize> = (w..EVENTS).step_by(WEBHOOKS).collect();
        assert_eq!(in_order, expected, "{webhook}");
        repeats += numbers.len() - in_order.len();
    }
    // At most one message in flight per webhook at each kill.
    assert!(
        repeats <= kills * WEBHOOKS,
        "{repeats} repeats in {kills} kills"
    );
    if kills == 0 {
        assert_eq!(repeats, 0);
    }
    assert_eq!(slack.refused(), 0, "no post above the webhook's rate");
    drop(servers);
}
