//! Limits a real server process puts on its clients: slow headers, silent
//! and idle connections are cut off, big bodies to the pages refused, and a
//! shutdown waits a bounded time.

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use leptos::server_fn::ServerFn;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use webhook_admin::pages::login::Login;
use webhook_admin::server::PAGE_BODY_LIMIT_BYTES;

use crate::support::browser::FORM;
use crate::support::process::Server;
use crate::support::{TestApp, ThrowawayDb};

/// A server over a fresh database with these settings; returns it, its
/// address (`host:port`) and the first administrator's API token.
async fn start_server(settings: &[(&str, &str)]) -> (Server, ThrowawayDb, String, String) {
    let db = ThrowawayDb::new().await;
    let mut server = Server::start(&db.url, settings).await;
    let token = server.first_start().await.token;
    let addr = server.base.strip_prefix("http://").unwrap().to_owned();
    (server, db, addr, token)
}

#[tokio::test]
async fn a_client_that_dribbles_its_headers_is_cut_off() {
    let (server, _db, addr, _) = start_server(&[("HEADER_TIMEOUT_SECS", "1")]).await;
    let mut stream = TcpStream::connect(&addr).await.unwrap();
    stream
        .write_all(b"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        .await
        .unwrap();
    let started = Instant::now();
    let mut buffer = [0u8; 1024];
    let cut_off = loop {
        if started.elapsed() > Duration::from_secs(10) {
            break false;
        }
        // One more header byte every quarter second, until the server gives up.
        match tokio::time::timeout(Duration::from_millis(250), stream.read(&mut buffer)).await {
            Ok(_) => break true,
            Err(_) => {
                if stream.write_all(b"a").await.is_err() {
                    break true;
                }
            }
        }
    };
    let elapsed = started.elapsed();
    server.kill().await;
    assert!(cut_off, "still connected after {elapsed:?}");
    assert!(
        elapsed >= Duration::from_millis(750),
        "cut off too early: {elapsed:?}"
    );
}

/// How long `stream` stays open, reading whatever comes, up to `limit`;
/// `None` when it is still open then.
async fn open_for(stream: &mut TcpStream, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    let mut buffer = [0u8; 1024];
    loop {
        let left = limit.checked_sub(started.elapsed())?;
        match tokio::time::timeout(left, stream.read(&mut buffer)).await {
            Err(_) => return None,
            Ok(Ok(0) | Err(_)) => return Some(started.elapsed()),
            Ok(Ok(_)) => {}
        }
    }
}

/// `GET /healthz` on a new connection: the whole answer, or `None` when none
/// came within `limit`.
async fn healthz(addr: &str, limit: Duration) -> Option<String> {
    let ask = async {
        let mut stream = TcpStream::connect(addr).await.ok()?;
        let request = format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.ok()?;
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await.ok()?;
        Some(String::from_utf8_lossy(&answer).into_owned())
    };
    tokio::time::timeout(limit, ask).await.ok().flatten()
}

/// With a one-second header timeout: how long a connection that `opened`
/// on the server stays open after that, asserting it closes within 10 s
/// but not before the timeout.
async fn closed_after<F, Fut>(what: &str, opened: F)
where
    F: FnOnce(String) -> Fut,
    Fut: std::future::Future<Output = TcpStream>,
{
    let (server, _db, addr, _) = start_server(&[("HEADER_TIMEOUT_SECS", "1")]).await;
    let mut stream = opened(addr).await;
    let closed_after = open_for(&mut stream, Duration::from_secs(10)).await;
    server.kill().await;
    let closed_after = closed_after.unwrap_or_else(|| panic!("{what} still open after 10 s"));
    assert!(
        closed_after >= Duration::from_millis(900),
        "{what} closed too early: {closed_after:?}"
    );
}

#[tokio::test]
async fn a_connection_that_sends_nothing_is_closed_after_the_header_timeout() {
    closed_after("a silent connection", |addr| async move {
        TcpStream::connect(&addr).await.unwrap()
    })
    .await;
}

#[tokio::test]
async fn a_kept_alive_connection_is_closed_when_it_idles_past_the_header_timeout() {
    closed_after("an idle connection", |addr| async move {
        let mut stream = TcpStream::connect(&addr).await.unwrap();
        let request = format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\n\r\n");
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut answer = vec![0u8; 1024];
        let read = stream.read(&mut answer).await.unwrap();
        assert!(answer[..read].starts_with(b"HTTP/1.1 200 OK"));
        stream
    })
    .await;
}

#[tokio::test]
async fn more_silent_connections_than_the_cap_do_not_lock_anyone_out() {
    let (server, _db, addr, _) =
        start_server(&[("HEADER_TIMEOUT_SECS", "1"), ("MAX_CONNECTIONS", "4")]).await;
    let mut silent = Vec::new();
    for _ in 0..12 {
        silent.push(TcpStream::connect(&addr).await.unwrap());
    }
    // Queued behind the silent ones: answered once they are cut off (three
    // rounds of four, a second each).
    let answer = healthz(&addr, Duration::from_secs(20)).await;
    server.kill().await;
    let answer = answer.expect("no answer from /healthz within 20 s");
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    assert!(answer.ends_with(r#"{"status":"ok"}"#), "{answer}");
    drop(silent);
}

#[tokio::test]
async fn shutdown_waits_for_requests_in_flight_at_most_the_grace_period() {
    let (mut server, _db, addr, token) = start_server(&[("SHUTDOWN_GRACE_SECS", "2")]).await;
    // A create whose body never finishes arriving: a request in flight. The
    // server's "100 Continue" shows its handler has started reading the body.
    let mut stream = TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /api/v2/webhooks/ HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Token {token}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    while !answer.ends_with(b"\r\n\r\n") {
        let mut byte = [0u8; 1];
        assert_eq!(
            stream.read(&mut byte).await.unwrap(),
            1,
            "the server hung up"
        );
        answer.push(byte[0]);
    }
    assert!(answer.starts_with(b"HTTP/1.1 100 Continue"), "{answer:?}");
    stream.write_all(b"{\"name\":").await.unwrap();

    let started = Instant::now();
    server.terminate().await;
    let status = server.exit_within(Duration::from_secs(10)).await;
    let elapsed = started.elapsed();
    let status = status.unwrap_or_else(|| panic!("still running {elapsed:?} after SIGTERM"));
    assert!(status.success(), "{status}");
    // It waited for the request in flight, but no longer than the grace period.
    assert!(
        elapsed >= Duration::from_millis(1500),
        "stopped after {elapsed:?}"
    );
    assert!(elapsed < Duration::from_secs(4), "took {elapsed:?} to stop");
    drop(stream);
}

#[tokio::test]
async fn a_big_body_to_a_server_function_is_refused() {
    let app = TestApp::spawn().await;
    let body = format!(
        "email=a%40b.c&password={}",
        "x".repeat(PAGE_BODY_LIMIT_BYTES)
    );
    let reply = app
        .request("POST", Login::PATH)
        .header("origin", "http://testserver")
        .header("content-length", &body.len().to_string())
        .body(FORM, body)
        .send()
        .await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
}
