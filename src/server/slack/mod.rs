//! Posting to Slack's incoming webhooks, for the test message and the
//! delivery engine alike: rustls, https only, no redirects followed, at most
//! a few KiB of an answer read, and the stored URL checked against the Slack
//! URL rule again before every send (the rule may have tightened since the
//! URL was stored).

mod answer;

use std::time::{Duration, Instant};

pub use answer::{Answer, AnswerKind, Meaning};

use crate::server::causes::with_causes;
use crate::shared::validation::is_slack_webhook_url;

/// The most of an answer's body that is read.
const MAX_ANSWER_BYTES: usize = 4 * 1024;
/// The longest answer text kept (on one line).
const MAX_ANSWER_CHARS: usize = 300;

/// Posts JSON messages to Slack webhook URLs.
#[derive(Clone, Debug)]
pub struct SlackClient {
    http: reqwest::Client,
    /// Test-only: send to this origin instead of the URL's own
    /// (`SLACK_BASE_URL`, a loopback address), keeping the URL's path.
    base_url: Option<String>,
}

impl SlackClient {
    pub fn new(base_url: Option<String>) -> Self {
        // Several clients may be built in one process (tests); the first
        // provider installed wins, which is this same one.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .https_only(base_url.is_none())
            .connect_timeout(Duration::from_secs(5))
            .user_agent(concat!("webhook-admin/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("the HTTP client's fixed settings are valid");
        SlackClient {
            http,
            base_url: base_url.map(|b| b.trim_end_matches('/').to_owned()),
        }
    }

    fn target(&self, url: &str) -> String {
        match (&self.base_url, url.split_once("://")) {
            (Some(base), Some((_, rest))) => {
                let path = rest.find('/').map_or("/", |i| &rest[i..]);
                format!("{base}{path}")
            }
            _ => url.to_owned(),
        }
    }

    /// Posts the JSON `message` to `url`, waiting at most `timeout` for
    /// the whole answer; what came of it and how long it took.
    pub async fn post(&self, url: &str, message: String, timeout: Duration) -> Answer {
        let started = Instant::now();
        let kind = if is_slack_webhook_url(url) {
            self.send(url, message, timeout).await
        } else {
            AnswerKind::NotASlackUrl
        };
        Answer {
            kind,
            took: started.elapsed(),
        }
    }

    async fn send(&self, url: &str, message: String, timeout: Duration) -> AnswerKind {
        let request = self
            .http
            .post(self.target(url))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(message)
            .send();
        let answered = tokio::time::timeout(timeout, async {
            let response = request.await?;
            let status = response.status().as_u16();
            let retry_after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok());
            let body = read_at_most(response, MAX_ANSWER_BYTES).await;
            Ok::<_, reqwest::Error>(AnswerKind::Status {
                status,
                text: one_line(&String::from_utf8_lossy(&body)),
                retry_after_secs: retry_after,
            })
        })
        .await;
        match answered {
            Ok(Ok(kind)) => kind,
            Ok(Err(error)) => {
                // Without the URL: it is a credential.
                let error = error.without_url();
                tracing::warn!(error = %with_causes(&error), "a post to Slack got no answer");
                AnswerKind::NoAnswer(no_answer_reason(&error))
            }
            Err(_elapsed) => AnswerKind::NoAnswer("no answer in time"),
        }
    }
}

/// Text as Slack shows it literally: `&`, `<` and `>` are its control
/// characters (`<!channel>`, `<https://x|y>`), so they are escaped.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// At most `limit` bytes of a response's body.
async fn read_at_most(mut response: reqwest::Response, limit: usize) -> Vec<u8> {
    let mut body = Vec::new();
    while body.len() < limit {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let room = limit - body.len();
                body.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            Ok(None) | Err(_) => break,
        }
    }
    body
}

/// Why no answer came, in a few fixed words; the details go to the log.
fn no_answer_reason(error: &reqwest::Error) -> &'static str {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(cause) = source {
        if cause.downcast_ref::<rustls::Error>().is_some() {
            return "the secure connection failed";
        }
        if cause.to_string().contains("dns error") {
            return "the address could not be looked up";
        }
        source = cause.source();
    }
    if error.is_timeout() {
        "no answer in time"
    } else if error.is_connect() {
        "the connection failed"
    } else {
        "the request failed"
    }
}

/// `text` on one line, at most [`MAX_ANSWER_CHARS`] characters.
fn one_line(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(MAX_ANSWER_CHARS) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_base_url_replaces_only_the_origin() {
        let slack = SlackClient::new(Some("http://127.0.0.1:9/".to_owned()));
        assert_eq!(
            slack.target("https://hooks.slack.com/services/T0/B0/x"),
            "http://127.0.0.1:9/services/T0/B0/x"
        );
        let real = SlackClient::new(None);
        assert_eq!(
            real.target("https://hooks.slack.com/services/T0/B0/x"),
            "https://hooks.slack.com/services/T0/B0/x"
        );
    }

    #[test]
    fn slacks_control_characters_are_escaped() {
        assert_eq!(
            escape("<!channel> & <https://x.example|y>"),
            "&lt;!channel&gt; &amp; &lt;https://x.example|y&gt;"
        );
        assert_eq!(escape("&amp;"), "&amp;amp;");
    }

    #[test]
    fn answers_are_one_short_line() {
        assert_eq!(one_line("invalid_token\n  extra "), "invalid_token extra");
        let long = "x".repeat(400);
        assert_eq!(one_line(&long).chars().count(), MAX_ANSWER_CHARS + 1);
    }
}
