//! Another process holding SQLite's write lock: the server's probes, its
//! sign-in page and its reads go on answering at once, its writes wait for
//! the lock (never a 500) and go on when it is released.

use std::time::{Duration, Instant};

use crate::support::process::{Api, Server};
use crate::support::{Backend, ThrowawayDb};

/// How long the other process holds the lock.
const HELD: Duration = Duration::from_secs(5);
/// Far under [`HELD`]: an answer this fast did not wait for the lock.
const AT_ONCE: Duration = Duration::from_secs(1);

#[tokio::test]
async fn another_process_holding_the_write_lock_stops_only_writes() {
    let database = ThrowawayDb::on(Backend::Sqlite).await;
    let mut server = Server::start(&database.url, &[]).await;
    let api = Api::new(&server.first_start().await.token);
    let created = api.create(&server, "before the lock").await;
    let one = server.url(&format!("/api/v2/webhooks/{}/", created["id"]));

    let file = database.url.strip_prefix("sqlite://").unwrap();
    let other = rusqlite::Connection::open(file).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let locked = Instant::now();

    // A write waits for the lock.
    let write = tokio::spawn({
        let (api, url) = (api.clone(), server.url("/api/v2/webhooks/"));
        let body = serde_json::json!({"name": "during the lock", "url": crate::support::GOOD_URL});
        async move { api.call("POST", &url, Some(&body)).await }
    });
    let mut slowest = Duration::ZERO;
    for path in ["/healthz", "/login", "/api/v2/webhooks/", one.as_str()] {
        let url = if path.starts_with("http") {
            path.to_owned()
        } else {
            server.url(path)
        };
        let asked = Instant::now();
        let answer = api.call("GET", &url, None).await;
        slowest = slowest.max(asked.elapsed());
        assert_eq!(answer.status, 200, "{path}");
    }
    assert!(slowest < AT_ONCE, "a read waited {slowest:?} for the lock");
    assert!(!write.is_finished(), "the write did not wait for the lock");

    // The lock is the scenario: held for its time, then released.
    tokio::time::sleep(HELD.saturating_sub(locked.elapsed())).await;
    other.execute_batch("COMMIT").unwrap();
    let written = write.await.unwrap();
    assert!(
        [201, 503].contains(&written.status),
        "a write during the lock answered {}",
        written.status
    );
    // Writes go on.
    api.create(&server, "after the lock").await;
}
