//! What operators rely on: probes, request ids, one log line per request,
//! metrics, and 503 while the database is away — then recovery on its own.

use std::time::Duration;

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tower::ServiceExt;
use webhook_admin::server::browser::sessions::SessionSettings;
use webhook_admin::server::db::Db;
use webhook_admin::server::http::site::SiteSettings;
use webhook_admin::server::ops;

use crate::support::process::{http_client, Api, Server};
use crate::support::{Backend, TestApp, ThrowawayDb, HOST};

#[tokio::test]
async fn probes_answer_any_host_without_credentials() {
    let app = TestApp::spawn().await;
    for host in [HOST, "10.0.0.7:3000", "lb.internal"] {
        let health = app
            .request("GET", "/healthz")
            .header("host", host)
            .send()
            .await;
        assert_eq!(health.status, 200, "{host}");
        assert_eq!(health.json(), json!({"status": "ok"}));
        let ready = app
            .request("GET", "/readyz")
            .header("host", host)
            .send()
            .await;
        assert_eq!(ready.status, 200, "{host}");
        assert_eq!(ready.json(), json!({"status": "ready"}));
    }
}

#[tokio::test]
async fn a_closed_database_makes_the_api_and_readiness_answer_503() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    app.db.close().await;
    let list = app.get("/api/v2/webhooks/", &token).send().await;
    list.assert_detail(503, "Service temporarily unavailable.");
    assert_eq!(list.header("retry-after"), Some("1"));
    let ready = app.request("GET", "/readyz").send().await;
    assert_eq!(ready.status, 503);
    assert_eq!(
        ready.json(),
        json!({"status": "unavailable", "detail": "Service temporarily unavailable."})
    );
    // Liveness does not depend on the database.
    assert_eq!(app.request("GET", "/healthz").send().await.status, 200);
}

#[tokio::test]
async fn every_answer_carries_a_request_id() {
    let app = TestApp::spawn().await;
    let fresh = app.request("GET", "/healthz").send().await;
    let id = fresh.header("x-request-id").unwrap();
    assert_eq!(id.len(), 32);
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
    let other = app.request("GET", "/api/v2/webhooks/").send().await;
    assert_eq!(other.status, 401);
    assert_ne!(other.header("x-request-id"), Some(id));

    let kept = app
        .request("GET", "/login")
        .header("x-request-id", "lb-7f3a.01")
        .send()
        .await;
    assert_eq!(kept.header("x-request-id"), Some("lb-7f3a.01"));
    let replaced = app
        .request("GET", "/healthz")
        .header("x-request-id", "no spaces allowed")
        .send()
        .await;
    assert_eq!(replaced.header("x-request-id").unwrap().len(), 32);
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let created = app.create_named(&token, "counted").await;
    for _ in 0..3 {
        let path = format!("/api/v2/webhooks/{}/", created["id"]);
        assert_eq!(app.get(&path, &token).send().await.status, 200);
    }
    assert_eq!(
        app.get("/api/v2/webhooks/nope/", &token)
            .send()
            .await
            .status,
        404
    );

    let scrape = ops::metrics_router(app.state.clone())
        .oneshot(Request::get("/metrics").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(scrape.status(), 200);
    assert_eq!(
        scrape.headers()["content-type"],
        "application/openmetrics-text; version=1.0.0; charset=utf-8"
    );
    let text = String::from_utf8(
        scrape
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
    .unwrap();
    for line in [
        r#"webhook_admin_http_requests_total{route="/api/v2/webhooks/",method="POST",status="201"} 1"#,
        r#"webhook_admin_http_requests_total{route="/api/v2/webhooks/{id}/",method="GET",status="200"} 3"#,
        r#"webhook_admin_http_requests_total{route="/api/v2/webhooks/{id}/",method="GET",status="404"} 1"#,
        r#"webhook_admin_http_request_duration_seconds_count{route="/api/v2/webhooks/{id}/"} 4"#,
    ] {
        assert!(text.lines().any(|l| l == line), "missing {line} in\n{text}");
    }
    // Connections go back to the pool in the background: in use is what
    // has not been returned yet, never more than the pool holds.
    let gauge = |name: &str| -> u32 {
        let line = text.lines().find(|l| l.starts_with(name)).unwrap();
        line[name.len()..].trim().parse().unwrap()
    };
    let max = gauge("webhook_admin_db_connections_max ");
    assert!([8, 16].contains(&max), "{max}");
    assert!(gauge("webhook_admin_db_connections_in_use ") <= max);
    // The main listener does not serve metrics.
    assert_eq!(app.request("GET", "/metrics").send().await.status, 404);
}

/// A TCP relay in front of PostgreSQL that can be cut (every connection
/// dropped, new ones refused) and restored on the same port.
struct Relay {
    port: u16,
    tasks: JoinSet<()>,
}

impl Relay {
    /// Relays 127.0.0.1:`port` (0: any free port) to `upstream`.
    async fn start(port: u16, upstream: String) -> Relay {
        let listener = TcpListener::bind(("127.0.0.1", port)).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let mut tasks = JoinSet::new();
        tasks.spawn(async move {
            let mut connections = JoinSet::new();
            while let Ok((mut client, _)) = listener.accept().await {
                let upstream = upstream.clone();
                connections.spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
            }
        });
        Relay { port, tasks }
    }

    /// Aborting the accept loop drops its listener and every connection.
    async fn cut(mut self) -> u16 {
        self.tasks.shutdown().await;
        self.port
    }
}

/// PostgreSQL goes away under a running server and comes back: the API
/// answers 503 meanwhile and recovers by itself, losing nothing.
#[tokio::test]
async fn the_api_answers_503_while_postgres_is_away_and_recovers() {
    let database = ThrowawayDb::on(Backend::Postgres).await;
    // postgres://user@HOST:PORT/name
    let url = database.url.clone();
    let (start, rest) = url.split_once('@').unwrap();
    let (upstream, name) = rest.split_once('/').unwrap();
    let relay = Relay::start(0, upstream.to_owned()).await;
    let through_relay = format!("{start}@127.0.0.1:{}/{name}", relay.port);
    let db = Db::connect_with(&through_relay, Duration::from_secs(1))
        .await
        .unwrap();
    let site = SiteSettings {
        public_origin: None,
        allowed_hosts: vec![HOST.to_owned()],
    };
    let app = TestApp::on(db, database, site, SessionSettings::default()).await;
    let token = app.admin_token().await;
    let before = app.create_named(&token, "before the outage").await;

    let port = relay.cut().await;
    let list = app.get("/api/v2/webhooks/", &token).send().await;
    list.assert_detail(503, "Service temporarily unavailable.");
    let create = app
        .request("POST", "/api/v2/webhooks/")
        .token(&token)
        .json(&json!({"name": "during", "url": crate::support::GOOD_URL}))
        .send()
        .await;
    create.assert_detail(503, "Service temporarily unavailable.");
    assert_eq!(app.request("GET", "/readyz").send().await.status, 503);
    assert_eq!(app.request("GET", "/healthz").send().await.status, 200);

    let _relay = Relay::start(port, upstream.to_owned()).await;
    assert_eq!(app.request("GET", "/readyz").send().await.status, 200);
    let list = app.get("/api/v2/webhooks/", &token).send().await;
    assert_eq!(list.status, 200, "{}", list.text());
    let list: Value = list.json();
    assert_eq!(list["count"], 1);
    assert_eq!(list["results"][0]["id"], before["id"]);
}

/// The exposition as text.
async fn scrape(app: &TestApp) -> String {
    let answer = ops::metrics_router(app.state.clone())
        .oneshot(Request::get("/metrics").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let body = answer.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(body.to_vec()).unwrap()
}

#[tokio::test]
async fn a_hundred_thousand_odd_methods_and_paths_are_one_series() {
    let app = TestApp::spawn().await;
    for n in 0..100_000 {
        // Refused by the host check, which comes after the metrics.
        let reply = app
            .request(&format!("M{n}"), &format!("/nowhere/{n}"))
            .header("host", "elsewhere.example")
            .send()
            .await;
        assert_eq!(reply.status, 400);
    }
    let text = scrape(&app).await;
    let requests: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("webhook_admin_http_requests_total"))
        .collect();
    assert_eq!(
        requests,
        [
            r#"webhook_admin_http_requests_total{route="(unmatched)",method="OTHER",status="400"} 100000"#
        ]
    );
    let series = text.lines().filter(|l| !l.starts_with('#')).count();
    // One counter, one histogram (12 buckets, +Inf, sum, count), two gauges;
    // the delivery engine's two counters and three gauges (no sends yet).
    assert_eq!(series, 1 + 15 + 2 + 5, "{text}");
}

/// One line per request, in JSON with `LOG_FORMAT=json`: method, path
/// without its query, status, latency and the request id; never the token.
#[tokio::test]
async fn the_server_logs_one_json_line_per_request_and_serves_metrics_apart() {
    let database = ThrowawayDb::new().await;
    let mut server = Server::start(
        &database.url,
        &[("LOG_FORMAT", "json"), ("METRICS_LISTEN", "127.0.0.1:0")],
    )
    .await;
    let token = server.first_start().await.token;
    let http = http_client().build().unwrap();
    let answer = http
        .get(server.url("/api/v2/webhooks/?page_size=5&secret=query-text"))
        .header("authorization", format!("Token {token}"))
        .header("x-request-id", "trace-me-1")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.headers()["x-request-id"], "trace-me-1");
    let line = server
        .log_line(|l| l.contains("trace-me-1") && l.contains("answered"))
        .await;
    let line: Value = serde_json::from_str(&line).expect("a JSON log line");
    assert_eq!(line["span"]["id"], "trace-me-1");
    assert_eq!(line["fields"]["message"], "answered");
    assert_eq!(line["fields"]["method"], "GET");
    assert_eq!(line["fields"]["path"], "/api/v2/webhooks/");
    assert_eq!(line["fields"]["status"], 200);
    assert!(line["fields"]["latency_ms"].as_f64().unwrap() >= 0.0);
    let log = server.log_lines();
    assert!(
        log.iter().all(|l| serde_json::from_str::<Value>(l).is_ok()),
        "{log:?}"
    );
    assert!(!log
        .iter()
        .any(|l| l.contains(&token) || l.contains("query-text")));

    let metrics_line = server.log_line(|l| l.contains("metrics on http://")).await;
    let metrics_url = metrics_line
        .split("metrics on ")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let scrape = http
        .get(&metrics_url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        scrape.contains(r#"webhook_admin_http_requests_total{route="/api/v2/webhooks/",method="GET",status="200"} 1"#),
        "{scrape}"
    );
    let api = Api::new(&token);
    assert_eq!(
        api.call("GET", &server.url("/metrics"), None).await.status,
        404
    );
}
