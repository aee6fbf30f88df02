//! The floor of our own stack, for `make bench` (scripts/bench.py): the
//! server's axum, tokio runtime and allocator answering `GET
//! /api/v2/webhooks/` with the list's body serialized once (read from
//! BODY_FILE), after checking `Authorization: Token …` against an in-memory
//! map. `axum_floor ADDRESS BODY_FILE TOKEN`; prints `listening on URL`.
//! What the real list costs beyond this is our own work per request.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::collections::HashSet;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::routing::get;
use axum::Router;

struct Floor {
    tokens: HashSet<String>,
    body: Bytes,
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [address, body_file, token] = args.as_slice() else {
        panic!("usage: axum_floor ADDRESS BODY_FILE TOKEN");
    };
    let floor = Arc::new(Floor {
        tokens: HashSet::from([token.clone()]),
        body: Bytes::from(std::fs::read(body_file).expect("BODY_FILE")),
    });
    let app = Router::new()
        .route("/api/v2/webhooks/", get(list))
        .with_state(floor);
    let listener = tokio::net::TcpListener::bind(address.as_str())
        .await
        .expect("ADDRESS");
    println!("listening on http://{}", listener.local_addr().unwrap());
    axum::serve(listener, app).await.unwrap();
}

async fn list(
    State(floor): State<Arc<Floor>>,
    headers: HeaderMap,
) -> (StatusCode, [(header::HeaderName, &'static str); 1], Bytes) {
    let known = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Token "))
        .is_some_and(|token| floor.tokens.contains(token));
    let json = [(header::CONTENT_TYPE, "application/json")];
    if known {
        (StatusCode::OK, json, floor.body.clone())
    } else {
        let refused = Bytes::from_static(br#"{"detail":"Invalid token."}"#);
        (StatusCode::UNAUTHORIZED, json, refused)
    }
}
