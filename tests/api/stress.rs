//! The server under pressure, as a process over HTTP: 200 concurrent
//! writers, kill -9 in a write burst, two instances on one database.

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use leptos::server_fn::ServerFn;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use webhook_admin::pages::login::Login;

use crate::support::process::{Api, Server};
use crate::support::{ThrowawayDb, GOOD_URL};

const CLIENTS: usize = 200;

/// Fields a client sent and expects to read back.
fn fields(webhook: &Value) -> Value {
    json!({
        "name": webhook["name"],
        "url": webhook["url"],
        "description": webhook["description"],
        "active": webhook["active"],
    })
}

fn url_for(n: usize) -> String {
    GOOD_URL.replace("XXXXXXXXXXXXXXXXXXXXXXXX", &format!("{n:024}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_concurrent_writers_lose_nothing() {
    let database = ThrowawayDb::new().await;
    let mut server = Server::start(&database.url, &[]).await;
    let api = Api::new(&server.first_start().await.token);
    let server = Arc::new(server);

    // Each client: create two, PATCH the first, list, delete the second.
    let mut clients = Vec::new();
    for client in 0..CLIENTS {
        let (api, server) = (api.clone(), server.clone());
        clients.push(tokio::spawn(async move {
            let mut outcome = (BTreeMap::new(), Vec::new(), Vec::new());
            let collection = server.url("/api/v2/webhooks/");
            for n in [2 * client, 2 * client + 1] {
                let sent = json!({
                    "name": format!("client {client} hook {n}"),
                    "url": url_for(n),
                    "description": format!("made by client {client}"),
                    "active": n % 3 != 0,
                });
                let created = api.call("POST", &collection, Some(&sent)).await;
                assert_eq!(
                    created.status,
                    201,
                    "{}",
                    String::from_utf8_lossy(&created.body)
                );
                let created = created.json();
                assert_eq!(fields(&created), sent);
                outcome.0.insert(created["id"].as_i64().unwrap(), sent);
            }
            let ids: Vec<i64> = outcome.0.keys().copied().collect();
            let change =
                json!({"description": format!("changed by client {client}"), "active": true});
            let item = |id: i64| server.url(&format!("/api/v2/webhooks/{id}/"));
            let patched = api.call("PATCH", &item(ids[0]), Some(&change)).await;
            assert_eq!(patched.status, 200);
            let expected = outcome.0.get_mut(&ids[0]).unwrap();
            expected["description"] = change["description"].clone();
            expected["active"] = json!(true);
            assert_eq!(fields(&patched.json()), *expected);
            let listed = api
                .call("GET", &format!("{collection}?page_size=25"), None)
                .await;
            assert_eq!(listed.status, 200);
            let deleted = api.call("DELETE", &item(ids[1]), None).await;
            assert_eq!(deleted.status, 204);
            outcome.0.remove(&ids[1]);
            outcome.1.push(ids[1]);
            outcome.2.extend(ids);
            outcome
        }));
    }
    let (mut kept, mut deleted, mut every_id) = (BTreeMap::new(), Vec::new(), Vec::new());
    for client in clients {
        let (k, d, e) = client.await.expect("no client failed");
        kept.extend(k);
        deleted.extend(d);
        every_id.extend(e);
    }

    let unique: HashSet<i64> = every_id.iter().copied().collect();
    assert_eq!(unique.len(), 2 * CLIENTS, "every create got its own id");
    let stored = api.all_webhooks(&server).await;
    let first = api
        .call("GET", &server.url("/api/v2/webhooks/"), None)
        .await;
    assert_eq!(first.json()["count"], json!(2 * CLIENTS - deleted.len()));
    let stored: BTreeMap<i64, Value> = stored
        .iter()
        .map(|w| (w["id"].as_i64().unwrap(), fields(w)))
        .collect();
    assert_eq!(stored, kept, "exactly the kept webhooks, as last written");
    for id in &deleted {
        let gone = api
            .call("GET", &server.url(&format!("/api/v2/webhooks/{id}/")), None)
            .await;
        assert_eq!(gone.status, 404);
    }
    // An id is never handed out again, even the highest after its delete.
    let highest = *unique.iter().max().unwrap();
    if !deleted.contains(&highest) {
        let item = server.url(&format!("/api/v2/webhooks/{highest}/"));
        assert_eq!(api.call("DELETE", &item, None).await.status, 204);
    }
    let again = api.create(&server, "after").await;
    assert!(again["id"].as_i64().unwrap() > highest);
    let errors: Vec<String> = server
        .log_lines()
        .into_iter()
        .filter(|line| line.contains("ERROR") || line.contains("locked"))
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}

/// Writers run flat out; the server is killed with SIGKILL once this round
/// has acknowledged `ACKS_BEFORE_KILL` creates, with more in flight.
const ROUNDS: usize = 5;
const WRITERS: usize = 16;
const ACKS_BEFORE_KILL: usize = 60;

/// Clients that hang up while their writes are under way (timeouts, closed
/// tabs) leave nothing half-done: the count still matches the rows, and
/// the database takes writes afterwards (it once kept a dropped request's
/// transaction open, holding SQLite's write lock: every write then failed).
/// Abandoned writes still run to their end, so the server is stopped —
/// a shutdown waits for them — before the rows are counted.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn clients_hanging_up_mid_write_leave_the_database_writable() {
    let database = ThrowawayDb::new().await;
    let mut server = Server::start(&database.url, &[]).await;
    let api = Api::new(&server.first_start().await.token);
    let collection = server.url("/api/v2/webhooks/");

    let mut clients = tokio::task::JoinSet::new();
    for client in 0..32u64 {
        let (api, collection) = (api.clone(), collection.clone());
        clients.spawn(async move {
            for n in 0..40u64 {
                // Gives up after 0.2 to 3.2 ms: some before the server
                // reads the request, many while it writes.
                let patience = Duration::from_micros(200 + (client * 37 + n * 91) % 3000);
                let body = json!({"name": format!("impatient {client}/{n}"), "url": GOOD_URL});
                let _ = tokio::time::timeout(patience, api.send("POST", &collection, Some(&body)))
                    .await;
            }
        });
    }
    clients.join_all().await;
    // Still writable in the same process (the bug held the write lock).
    api.create(&server, "during").await;
    assert!(server.stop().await.success());
    let server = Server::start(&database.url, &[]).await;
    let collection = server.url("/api/v2/webhooks/");
    api.create(&server, "after").await;
    let all = api.all_webhooks(&server).await;
    let listed = api.call("GET", &collection, None).await.json();
    assert_eq!(listed["count"], all.len(), "the count is the rows");
    assert!(all.iter().any(|w| w["name"] == "after"));
    assert!(all.iter().any(|w| w["name"] == "during"));
}

/// A shutdown waits for a write whose client has gone: a test message still
/// waiting for Slack when its client hung up and SIGTERM came.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_shutdown_waits_for_writes_whose_client_left() {
    let slack = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let slack_base = format!("http://{}", slack.local_addr().unwrap());
    let database = ThrowawayDb::new().await;
    let mut server = Server::start(&database.url, &[("SLACK_BASE_URL", &slack_base)]).await;
    let api = Api::new(&server.first_start().await.token);
    let created = api.create(&server, "slow slack").await;
    let test_url = server.url(&format!("/api/v2/webhooks/{}/test/", created["id"]));

    let client = tokio::spawn(async move { api.send("POST", &test_url, None).await });
    let (mut to_slack, _) = slack.accept().await.unwrap();
    let mut request = [0u8; 1024];
    assert!(to_slack.read(&mut request).await.unwrap() > 0);
    client.abort();
    let _ = client.await;

    server.terminate().await;
    server.log_line(|l| l.contains("shutting down")).await;
    assert_eq!(
        server.exit_within(Duration::from_secs(1)).await,
        None,
        "it exited with the test message still waiting for Slack"
    );
    to_slack
        .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok")
        .await
        .unwrap();
    let status = server.exit_within(Duration::from_secs(30)).await;
    assert!(status.expect("it exits once Slack answered").success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_in_a_write_burst_loses_no_acknowledged_create() {
    let database = ThrowawayDb::new().await;
    let mut server = Server::start(&database.url, &[]).await;
    let api = Api::new(&server.first_start().await.token);
    let acknowledged: Arc<Mutex<BTreeMap<i64, Value>>> = Arc::default();
    let sequence = Arc::new(AtomicUsize::new(0));

    for round in 0..ROUNDS {
        let acked_this_round = Arc::new(AtomicUsize::new(0));
        let (enough_tx, enough_rx) = tokio::sync::watch::channel(false);
        let enough_tx = Arc::new(enough_tx);
        let mut writers = Vec::new();
        for _ in 0..WRITERS {
            let api = api.clone();
            let collection = server.url("/api/v2/webhooks/");
            let (acknowledged, sequence, acked, enough) = (
                acknowledged.clone(),
                sequence.clone(),
                acked_this_round.clone(),
                enough_tx.clone(),
            );
            writers.push(tokio::spawn(async move {
                loop {
                    let n = sequence.fetch_add(1, Ordering::SeqCst);
                    let sent = json!({
                        "name": format!("burst {round} write {n}"),
                        "url": url_for(n),
                        "description": "d".repeat(n % 50),
                        "active": n % 2 == 0,
                    });
                    // No answer: the server is gone; this write was never acknowledged.
                    let Ok(answer) = api.send("POST", &collection, Some(&sent)).await else {
                        return;
                    };
                    assert_eq!(
                        answer.status,
                        201,
                        "{}",
                        String::from_utf8_lossy(&answer.body)
                    );
                    let id = answer.json()["id"].as_i64().unwrap();
                    acknowledged.lock().unwrap().insert(id, sent);
                    if acked.fetch_add(1, Ordering::SeqCst) + 1 == ACKS_BEFORE_KILL {
                        let _ = enough.send(true);
                    }
                }
            }));
        }
        let mut enough = enough_rx;
        enough.wait_for(|&reached| reached).await.unwrap();
        server.kill().await;
        for writer in writers {
            writer
                .await
                .expect("writers only stop when the server is gone");
        }

        server = Server::start(&database.url, &[]).await;
        let ready = api.call("GET", &server.url("/readyz"), None).await;
        assert_eq!(
            ready.status, 200,
            "round {round}: the restarted server is ready"
        );
        let stored: BTreeMap<i64, Value> = api
            .all_webhooks(&server)
            .await
            .iter()
            .map(|w| (w["id"].as_i64().unwrap(), fields(w)))
            .collect();
        let acknowledged = acknowledged.lock().unwrap();
        for (id, sent) in acknowledged.iter() {
            assert_eq!(stored.get(id), Some(sent), "round {round}: webhook {id}");
        }
        // Writes cut off before their answer may or may not have landed;
        // any that did is whole.
        for (id, webhook) in &stored {
            if !acknowledged.contains_key(id) {
                assert!(
                    webhook["name"].as_str().unwrap().starts_with("burst "),
                    "{webhook}"
                );
            }
        }
        let errors: Vec<String> = server
            .log_lines()
            .into_iter()
            .filter(|line| line.contains("ERROR") || line.contains("WARN"))
            .collect();
        assert!(
            errors.is_empty(),
            "round {round}: a clean start: {errors:?}"
        );
    }
    assert!(acknowledged.lock().unwrap().len() >= ROUNDS * ACKS_BEFORE_KILL);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_share_writes_sessions_and_ids() {
    let database = ThrowawayDb::new().await;
    let mut one = Server::start(&database.url, &[]).await;
    let admin = one.first_start().await;
    let two = Server::start(&database.url, &[]).await;
    let api = Api::new(&admin.token);

    // A write on one is read on the other.
    let id = api.create(&one, "seen on two").await["id"]
        .as_i64()
        .unwrap();
    let read = api
        .call("GET", &two.url(&format!("/api/v2/webhooks/{id}/")), None)
        .await;
    assert_eq!(read.status, 200);
    assert_eq!(read.json()["name"], "seen on two");

    // A browser session started on one is valid on the other.
    let browser = crate::support::process::http_client()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let signed_in = browser
        .post(one.url(Login::PATH))
        .header("accept", "application/json")
        .header("origin", &one.base)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "email={}&password={}",
            admin.email.replace('@', "%40"),
            admin.password
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 200);
    let cookie = signed_in
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|v| v.starts_with("webhook_admin_session="))
        .expect("a session cookie")
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let page = browser
        .get(two.url("/webhooks"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("seen on two"));

    // Creates on both at once never collide.
    let mut creates = Vec::new();
    for n in 0..100 {
        let (api, base) = (
            api.clone(),
            if n % 2 == 0 {
                one.base.clone()
            } else {
                two.base.clone()
            },
        );
        creates.push(tokio::spawn(async move {
            let answer = api
                .call(
                    "POST",
                    &format!("{base}/api/v2/webhooks/"),
                    Some(&json!({"name": format!("both {n}"), "url": GOOD_URL})),
                )
                .await;
            assert_eq!(answer.status, 201);
            answer.json()["id"].as_i64().unwrap()
        }));
    }
    let mut ids = HashSet::from([id]);
    for create in creates {
        assert!(
            ids.insert(create.await.unwrap()),
            "an id was handed out twice"
        );
    }
    assert_eq!(api.all_webhooks(&two).await.len(), 101);
}
