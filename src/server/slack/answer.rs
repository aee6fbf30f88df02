//! What Slack answered a post, and what that answer means for a message:
//! Slack's incoming webhooks answer `ok`, or an HTTP error status with a
//! short error string as the body (api.slack.com/messaging/webhooks).

use std::time::Duration;

/// What came of one post.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub kind: AnswerKind,
    /// From the start of the request to the end of the answer read.
    pub took: Duration,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AnswerKind {
    /// The stored URL does not pass the Slack URL rule: nothing was sent.
    NotASlackUrl,
    /// An HTTP answer: its status, its body on one line (clipped), and its
    /// `Retry-After` in seconds, if it had one.
    Status {
        status: u16,
        text: String,
        retry_after_secs: Option<u64>,
    },
    /// No answer came: why, in a few fixed words.
    NoAnswer(&'static str),
}

/// What an answer means for the message and its webhook.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Meaning {
    Delivered,
    /// Slack asks us to wait this long before sending to the webhook again;
    /// not a failure.
    SlowDown(Duration),
    /// Worth another try later: a server error, a timeout, no connection.
    Retry,
    /// This message will never be taken (a malformed message): give it
    /// up at once, without holding up the ones behind it.
    Reject,
    /// The webhook is gone or its channel closed: every message to it would
    /// fail the same way until someone acts.
    Gone,
}

/// Slack's error strings for a webhook that was removed or whose channel
/// cannot be posted to any more.
const GONE: [&str; 8] = [
    "no_service",
    "no_active_hooks",
    "invalid_token",
    "team_disabled",
    "channel_not_found",
    "channel_is_archived",
    "action_prohibited",
    "posting_to_general_channel_denied",
];

/// Slack's error strings for a message it will never take.
const MALFORMED: [&str; 4] = [
    "invalid_payload",
    "no_text",
    "too_many_attachments",
    "missing_text_or_fallback_or_attachments",
];

/// The longest wait a `Retry-After` is followed for.
pub const MAX_SLOW_DOWN: Duration = Duration::from_secs(3600);

impl AnswerKind {
    pub fn meaning(&self) -> Meaning {
        let (status, text, retry_after_secs) = match self {
            AnswerKind::NotASlackUrl => return Meaning::Gone,
            AnswerKind::NoAnswer(_) => return Meaning::Retry,
            AnswerKind::Status {
                status,
                text,
                retry_after_secs,
            } => (*status, text.as_str(), *retry_after_secs),
        };
        if (200..300).contains(&status) {
            return Meaning::Delivered;
        }
        if status == 429 {
            let wait = Duration::from_secs(retry_after_secs.unwrap_or(1).max(1));
            return Meaning::SlowDown(wait.min(MAX_SLOW_DOWN));
        }
        if GONE.contains(&text) {
            return Meaning::Gone;
        }
        if MALFORMED.contains(&text) {
            return Meaning::Reject;
        }
        match status {
            // No redirect is followed; one may be a proxy's passing
            // trouble, and a lasting one ends in the no-success rule.
            300..=399 | 408 | 500..=599 => Meaning::Retry,
            401 | 403 | 404 | 410 => Meaning::Gone,
            _ => Meaning::Reject,
        }
    }

    /// The HTTP status, when an answer came.
    pub fn status(&self) -> Option<u16> {
        match self {
            AnswerKind::Status { status, .. } => Some(*status),
            AnswerKind::NotASlackUrl | AnswerKind::NoAnswer(_) => None,
        }
    }

    /// Slack's answer, or why there was none; `None` for a success.
    pub fn error(&self) -> Option<String> {
        match self {
            AnswerKind::NotASlackUrl => Some(NOT_A_SLACK_URL.to_owned()),
            AnswerKind::NoAnswer(why) => Some((*why).to_owned()),
            AnswerKind::Status { status, .. } if (200..300).contains(status) => None,
            AnswerKind::Status { status, text, .. } => Some(if text.is_empty() {
                http_reason(*status).to_owned()
            } else {
                text.clone()
            }),
        }
    }
}

pub const NOT_A_SLACK_URL: &str =
    "the stored URL does not pass the Slack URL rule, so nothing was sent (give the webhook a new URL)";

fn http_reason(status: u16) -> &'static str {
    axum::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("no answer")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, text: &str) -> AnswerKind {
        AnswerKind::Status {
            status,
            text: text.to_owned(),
            retry_after_secs: None,
        }
    }

    #[test]
    fn every_answer_slack_documents_has_its_meaning() {
        assert_eq!(answer(200, "ok").meaning(), Meaning::Delivered);
        for gone in GONE {
            assert_eq!(answer(404, gone).meaning(), Meaning::Gone, "{gone}");
            assert_eq!(answer(400, gone).meaning(), Meaning::Gone, "{gone}");
        }
        assert_eq!(answer(410, "channel_is_archived").meaning(), Meaning::Gone);
        assert_eq!(answer(403, "action_prohibited").meaning(), Meaning::Gone);
        for malformed in MALFORMED {
            assert_eq!(answer(400, malformed).meaning(), Meaning::Reject);
        }
        assert_eq!(answer(400, "something_new").meaning(), Meaning::Reject);
        assert_eq!(answer(500, "rollup_error").meaning(), Meaning::Retry);
        assert_eq!(answer(503, "").meaning(), Meaning::Retry);
        assert_eq!(answer(302, "").meaning(), Meaning::Retry);
        assert_eq!(answer(404, "").meaning(), Meaning::Gone);
        assert_eq!(
            AnswerKind::NoAnswer("no answer in time").meaning(),
            Meaning::Retry
        );
        assert_eq!(AnswerKind::NotASlackUrl.meaning(), Meaning::Gone);
    }

    #[test]
    fn a_429_waits_its_retry_after_one_second_without_and_an_hour_at_most() {
        let slow = |retry_after_secs| AnswerKind::Status {
            status: 429,
            text: "rate_limited".to_owned(),
            retry_after_secs,
        };
        assert_eq!(
            slow(Some(7)).meaning(),
            Meaning::SlowDown(Duration::from_secs(7))
        );
        assert_eq!(
            slow(None).meaning(),
            Meaning::SlowDown(Duration::from_secs(1))
        );
        assert_eq!(
            slow(Some(0)).meaning(),
            Meaning::SlowDown(Duration::from_secs(1))
        );
        assert_eq!(
            slow(Some(86_400)).meaning(),
            Meaning::SlowDown(MAX_SLOW_DOWN)
        );
    }

    #[test]
    fn errors_are_slacks_text_or_the_status_reason() {
        assert_eq!(answer(200, "ok").error(), None);
        assert_eq!(
            answer(404, "no_service").error().as_deref(),
            Some("no_service")
        );
        assert_eq!(answer(502, "").error().as_deref(), Some("Bad Gateway"));
        assert_eq!(
            AnswerKind::NotASlackUrl.error().as_deref(),
            Some(NOT_A_SLACK_URL)
        );
    }
}
