//! A Slack stand-in on a free port for the delivery tests: a webhook's
//! answers are scripted by the first segment of its path
//! (`/services/<script>/…`), `ok` once the script runs out; every post is
//! recorded with its path, body and arrival time. `examples/fake_slack.rs`
//! serves the same one as a process of its own (for `make bench`), which
//! reads what arrived from `GET /_fake/arrivals`.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tokio::sync::Notify;

/// One scripted answer.
#[derive(Clone, Copy, Debug)]
pub enum Answer {
    Ok,
    /// A status and Slack's error string.
    Error(u16, &'static str),
    /// 429, with `Retry-After` in seconds when given.
    RateLimited(Option<u64>),
    /// `ok`, this long after the post arrived.
    Slow(Duration),
    /// A redirect to another webhook's path.
    Redirect(&'static str),
}

/// A post that arrived.
#[derive(Clone, Debug)]
pub struct Arrival {
    /// The script's name: the path's segment after `/services/`.
    pub script: String,
    pub path: String,
    pub body: Value,
    pub at: Instant,
    /// The same moment on the wall clock, comparable across processes.
    pub at_unix_micros: u128,
    /// Answered 429: it came faster than the enforced limit.
    pub refused: bool,
}

#[derive(Default)]
struct Shared {
    scripts: Mutex<HashMap<String, VecDeque<Answer>>>,
    arrivals: Mutex<Vec<Arrival>>,
    arrived: Notify,
    /// Slack's limit, when enforced: per webhook path, a bucket of
    /// `burst` posts refilled at `per_second`; a post past it is a 429.
    limit: Mutex<Option<(f64, f64)>>,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

#[derive(Clone)]
pub struct FakeSlack {
    /// Its origin, for `SLACK_BASE_URL`.
    pub base: String,
    shared: Arc<Shared>,
}

impl FakeSlack {
    pub async fn start() -> FakeSlack {
        FakeSlack::start_on("127.0.0.1:0").await
    }

    pub async fn start_on(address: &str) -> FakeSlack {
        let shared = Arc::new(Shared::default());
        let app = axum::Router::new()
            .route("/_fake/arrivals", get(arrivals))
            .route(
                "/_fake/count",
                get(|State(shared): State<Arc<Shared>>| async move {
                    shared.arrivals.lock().unwrap().len().to_string()
                }),
            )
            .route("/_fake/reset", post(reset))
            .fallback(answer)
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind(address).await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        FakeSlack { base, shared }
    }

    /// Enforces a rate per webhook as Slack does: `per_second`, with
    /// bursts of `burst`; a post past it is answered 429 (`Retry-After: 1`)
    /// and counted in [`FakeSlack::refused`].
    pub fn limit(&self, per_second: f64, burst: f64) {
        *self.shared.limit.lock().unwrap() = Some((per_second, burst));
    }

    /// The posts answered 429 because they came too fast.
    pub fn refused(&self) -> usize {
        self.arrivals().iter().filter(|a| a.refused).count()
    }

    /// A Slack webhook URL whose answers follow `script`.
    pub fn url(script: &str) -> String {
        format!("https://hooks.slack.com/services/{script}/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX")
    }

    /// The next answers of the webhooks under `script`.
    pub fn script(&self, script: &str, answers: impl IntoIterator<Item = Answer>) {
        self.shared
            .scripts
            .lock()
            .unwrap()
            .entry(script.to_owned())
            .or_default()
            .extend(answers);
    }

    pub fn arrivals(&self) -> Vec<Arrival> {
        self.shared.arrivals.lock().unwrap().clone()
    }

    /// The posts under `script`, in arrival order.
    pub fn arrivals_of(&self, script: &str) -> Vec<Arrival> {
        self.arrivals()
            .into_iter()
            .filter(|a| a.script == script)
            .collect()
    }

    /// Waits until `count` posts have arrived in all (10 s at most).
    pub async fn wait_for(&self, count: usize) -> Vec<Arrival> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let arrived = self.shared.arrived.notified();
            let arrivals = self.arrivals();
            if arrivals.len() >= count {
                return arrivals;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if tokio::time::timeout(left, arrived).await.is_err() {
                panic!("{} of {count} posts arrived in 10 s", arrivals.len());
            }
        }
    }
}

/// Takes a token of the path's bucket, when a limit is enforced; true when
/// there was none. Half a token of slack allows for the network's jitter
/// on a busy machine (a post may arrive later than it was sent, the next
/// one on time); a sender that does not pace is far past it.
fn too_fast(shared: &Shared, path: &str, now: Instant) -> bool {
    let Some((per_second, burst)) = *shared.limit.lock().unwrap() else {
        return false;
    };
    let mut buckets = shared.buckets.lock().unwrap();
    let (tokens, since) = buckets.entry(path.to_owned()).or_insert((burst, now));
    *tokens = (*tokens + (now - *since).as_secs_f64() * per_second).min(burst);
    *since = now;
    if *tokens + 0.5 >= 1.0 {
        *tokens -= 1.0;
        false
    } else {
        true
    }
}

/// What arrived, for a process outside the test: each post's webhook path,
/// its `text`, when (µs since the epoch) and whether it was refused.
async fn arrivals(State(shared): State<Arc<Shared>>) -> Response {
    let arrivals = shared.arrivals.lock().unwrap();
    let listed: Vec<Value> = arrivals
        .iter()
        .map(|a| json!([a.path, a.body["text"], a.at_unix_micros as u64, a.refused]))
        .collect();
    axum::Json(listed).into_response()
}

async fn reset(State(shared): State<Arc<Shared>>) -> StatusCode {
    shared.arrivals.lock().unwrap().clear();
    shared.buckets.lock().unwrap().clear();
    StatusCode::NO_CONTENT
}

async fn answer(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    let script = path.split('/').nth(2).unwrap_or_default().to_owned();
    let body = request.into_body().collect().await.unwrap().to_bytes();
    let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let now = Instant::now();
    let refused = too_fast(&shared, &path, now);
    let next = if refused {
        Answer::RateLimited(Some(1))
    } else {
        shared
            .scripts
            .lock()
            .unwrap()
            .get_mut(&script)
            .and_then(VecDeque::pop_front)
            .unwrap_or(Answer::Ok)
    };
    shared.arrivals.lock().unwrap().push(Arrival {
        script,
        path,
        body,
        at: now,
        at_unix_micros: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_micros(),
        refused,
    });
    shared.arrived.notify_waiters();
    if let Answer::Slow(delay) = next {
        tokio::time::sleep(delay).await;
    }
    match next {
        Answer::Ok | Answer::Slow(_) => "ok".into_response(),
        Answer::Error(status, text) => {
            (StatusCode::from_u16(status).unwrap(), text).into_response()
        }
        Answer::RateLimited(Some(secs)) => (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, secs.to_string())],
            "rate_limited",
        )
            .into_response(),
        Answer::RateLimited(None) => {
            (StatusCode::TOO_MANY_REQUESTS, "rate_limited").into_response()
        }
        Answer::Redirect(to) => (StatusCode::FOUND, [(header::LOCATION, to)]).into_response(),
    }
}
