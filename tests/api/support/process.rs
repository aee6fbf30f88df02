//! The real binary as a separate process, for what only a process shows:
//! concurrent clients over HTTP, kill -9, two instances, its log lines.
//! `WEBHOOK_ADMIN_BIN` picks the binary (`make test` sets the release one);
//! by default it is the one cargo built for these tests.

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};
use tokio::sync::mpsc;

pub fn binary() -> String {
    std::env::var("WEBHOOK_ADMIN_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_webhook-admin").to_owned())
}

/// How long a server may take to start before the test fails.
const START_LIMIT: Duration = Duration::from_secs(60);

/// What the first start on an empty database hands over once.
pub struct FirstStart {
    pub email: String,
    pub password: String,
    pub token: String,
}

impl FirstStart {
    /// The first start's file: its `Sign in:` and `API token:` lines.
    pub fn read(file: &std::path::Path) -> FirstStart {
        let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{file:?}: {e}"));
        let line = |prefix: &str| {
            text.lines()
                .find_map(|line| line.trim().strip_prefix(prefix))
                .unwrap_or_else(|| panic!("no {prefix} line in {text}"))
                .trim()
                .to_owned()
        };
        let sign_in = line("Sign in:");
        let (email, password) = sign_in.split_once(" / ").unwrap();
        FirstStart {
            email: email.to_owned(),
            password: password.to_owned(),
            token: line("API token:"),
        }
    }
}

/// The file a first start's stdout line says holds its admin, if it is
/// that line.
pub fn first_start_file(line: &str) -> Option<std::path::PathBuf> {
    let rest = line.strip_prefix("Its password and an API token are in ")?;
    let path = rest.strip_suffix(" (readable by this user only).")?;
    Some(path.into())
}

/// A fresh path for a server's first start file.
pub fn fresh_first_start_file() -> std::path::PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("first-start-{}-{n}.txt", std::process::id()))
}

pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`
    pub base: String,
    /// Every line written on stderr so far (the log).
    pub log: Arc<Mutex<Vec<String>>>,
    /// The number of log lines so far; changes with each new line.
    log_count: tokio::sync::watch::Receiver<usize>,
    stdout: Lines<BufReader<ChildStdout>>,
}

impl Server {
    /// Starts `webhook-admin serve` on `database_url` on a free port, with
    /// extra environment settings, and waits until it listens.
    pub async fn start(database_url: &str, env: &[(&str, &str)]) -> Server {
        Server::start_in(database_url, env, None).await
    }

    pub async fn start_in(
        database_url: &str,
        env: &[(&str, &str)],
        directory: Option<&std::path::Path>,
    ) -> Server {
        let mut command = Command::new(binary());
        command
            .arg("serve")
            .env("DATABASE_URL", database_url)
            .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
            .env("RUST_LOG", "info")
            .env("FIRST_START_FILE", fresh_first_start_file())
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        if let Some(directory) = directory {
            command.current_dir(directory);
        }
        let mut child = command.spawn().expect("the binary starts");
        let stdout = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
        let log = Arc::new(Mutex::new(Vec::new()));
        let (listening_tx, mut listening_rx) = mpsc::unbounded_channel();
        let (count_tx, log_count) = tokio::sync::watch::channel(0);
        {
            let log = log.clone();
            tokio::spawn(async move {
                while let Ok(Some(line)) = stderr.next_line().await {
                    if let Some(addr) = listening_address(&line) {
                        let _ = listening_tx.send(addr);
                    }
                    let count = {
                        let mut log = log.lock().unwrap();
                        log.push(line);
                        log.len()
                    };
                    let _ = count_tx.send(count);
                }
            });
        }
        let addr = tokio::time::timeout(START_LIMIT, listening_rx.recv())
            .await
            .unwrap_or_else(|_| panic!("no \"listening on\" line; log: {:?}", log.lock().unwrap()))
            .unwrap_or_else(|| panic!("the server exited; log: {:?}", log.lock().unwrap()));
        Server {
            child,
            base: format!("http://{addr}"),
            log,
            log_count,
            stdout,
        }
    }

    /// The sign-in and token of the first start on an empty database, from
    /// the file whose path it prints.
    pub async fn first_start(&mut self) -> FirstStart {
        loop {
            let line = tokio::time::timeout(START_LIMIT, self.stdout.next_line())
                .await
                .expect("the first start says where its admin is")
                .unwrap()
                .expect("stdout ended before the first start said where its admin is");
            if let Some(file) = first_start_file(&line) {
                return FirstStart::read(&file);
            }
        }
    }

    /// SIGKILL: no shutdown, no flush; what was acknowledged must survive.
    pub async fn kill(mut self) {
        self.child.kill().await.expect("the server can be killed");
    }

    /// SIGTERM, then waits for the process to exit: a graceful shutdown.
    pub async fn stop(mut self) -> std::process::ExitStatus {
        self.terminate().await;
        self.exit_within(START_LIMIT)
            .await
            .expect("the server stops after SIGTERM")
    }

    /// Sends SIGTERM: the server stops taking connections and shuts down.
    pub async fn terminate(&self) {
        let pid = self.child.id().expect("the server is running").to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status().await;
        assert!(sent.expect("kill runs").success());
    }

    /// The exit status, if the process exits within `limit`.
    pub async fn exit_within(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let status = tokio::time::timeout(limit, self.child.wait()).await.ok()?;
        Some(status.expect("the server's exit status"))
    }

    pub fn log_lines(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// The first log line that satisfies `wanted`, waiting for new lines
    /// (a line may still be in the pipe when the answer has arrived).
    pub async fn log_line(&self, wanted: impl Fn(&str) -> bool) -> String {
        let mut count = self.log_count.clone();
        let found = tokio::time::timeout(START_LIMIT, async {
            loop {
                if let Some(line) = self.log_lines().into_iter().find(|l| wanted(l)) {
                    return line;
                }
                count.changed().await.expect("the log ended");
            }
        })
        .await;
        found.unwrap_or_else(|_| panic!("no such log line in {:?}", self.log_lines()))
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

fn listening_address(line: &str) -> Option<String> {
    let (_, rest) = line.split_once("listening on http://")?;
    // Text or JSON logs: the address ends at a space or a quote.
    let end = rest.find([' ', '"']).unwrap_or(rest.len());
    Some(rest[..end].to_owned())
}

/// An HTTP client for the API with a token.
#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    token: String,
}

pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}), status {}: {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }
}

/// An HTTP client's builder for a test. The TLS provider is installed first,
/// as the server's Slack client does: a test run alone builds its client
/// before any server code has.
pub fn http_client() -> reqwest::ClientBuilder {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
}

impl Api {
    pub fn new(token: &str) -> Api {
        Api {
            http: http_client().pool_max_idle_per_host(256).build().unwrap(),
            token: token.to_owned(),
        }
    }

    /// Sends a request; `Err` only when no answer came (connection refused
    /// or cut, as when the server is killed).
    pub async fn send(
        &self,
        method: &str,
        url: &str,
        body: Option<&Value>,
    ) -> Result<Answer, reqwest::Error> {
        let mut request = self
            .http
            .request(method.parse().unwrap(), url)
            .header("authorization", format!("Token {}", self.token));
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(serde_json::to_vec(body).unwrap());
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        let body = response.bytes().await?.to_vec();
        Ok(Answer { status, body })
    }

    /// A request that must be answered.
    pub async fn call(&self, method: &str, url: &str, body: Option<&Value>) -> Answer {
        self.send(method, url, body)
            .await
            .unwrap_or_else(|e| panic!("{method} {url}: no answer: {e}"))
    }

    /// Creates a webhook named `name` on `server`; it must be created (201).
    pub async fn create(&self, server: &Server, name: &str) -> Value {
        let body = serde_json::json!({"name": name, "url": super::GOOD_URL});
        let answer = self
            .call("POST", &server.url("/api/v2/webhooks/"), Some(&body))
            .await;
        let text = String::from_utf8_lossy(&answer.body);
        assert_eq!(answer.status, 201, "{text}");
        answer.json()
    }

    /// Every webhook of the caller's organization, page by page.
    pub async fn all_webhooks(&self, server: &Server) -> Vec<Value> {
        let mut all = Vec::new();
        let mut next = Some(server.url("/api/v2/webhooks/?page_size=100"));
        while let Some(url) = next {
            let page = self.call("GET", &url, None).await;
            assert_eq!(page.status, 200);
            let page = page.json();
            all.extend(page["results"].as_array().unwrap().iter().cloned());
            next = page["next"].as_str().map(|link| {
                // Links carry the Host the request named; keep our base.
                let path = &link[link.find("/api/").unwrap()..];
                server.url(path)
            });
        }
        all
    }
}
