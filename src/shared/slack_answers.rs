//! Slack's answer to a delivery's attempt in plain words, and what to do
//! about it: what the admin's pages and the command line show (what the
//! engine does with each answer is `server/slack/answer.rs`).

/// One attempt's answer, from its outcome (`delivered`, `rate_limited`,
/// `failed`, `rejected`, `gone`), HTTP status and Slack's error text.
pub fn explain(outcome: &str, http_status: Option<i64>, error: Option<&str>) -> String {
    let error = error.unwrap_or_default();
    if let Some(words) = in_words(error) {
        return words.to_owned();
    }
    let answer = match (http_status, error) {
        (Some(status), "") => format!("HTTP {status}"),
        (Some(status), error) => format!("HTTP {status}: {error}"),
        (None, error) => error.to_owned(),
    };
    match outcome {
        "delivered" => "Delivered".to_owned(),
        "rate_limited" => "Slack asked us to slow down; not a failure".to_owned(),
        "failed" => format!("Slack had trouble ({answer}); it will be tried again"),
        "rejected" => format!("Slack refused the message ({answer}); it will not be sent again"),
        "gone" => format!("Slack refuses this webhook ({answer}); the webhook was turned off"),
        _ => answer,
    }
}

/// Why the engine turned a webhook off (its history's reason), in words.
pub fn why_turned_off(reason: &str) -> String {
    match in_words(reason) {
        Some(words) => words.to_owned(),
        None => {
            let mut chars = reason.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_uppercase().chain(chars).collect()
            })
        }
    }
}

/// Slack's error strings that say what to do.
fn in_words(error: &str) -> Option<&'static str> {
    match error {
        "no_service" => Some("Slack removed this webhook; paste a new URL"),
        "no_active_hooks" => Some("This webhook is no longer active in Slack; paste a new URL"),
        "invalid_token" => Some("Slack no longer accepts this webhook's URL; paste a new one"),
        "team_disabled" => Some("The Slack workspace was disabled"),
        "channel_not_found" => Some("The channel no longer exists; paste a URL for another one"),
        "channel_is_archived" => {
            Some("The channel was archived; unarchive it or paste a URL for another one")
        }
        "action_prohibited" => Some("The channel's settings do not let this app post"),
        "posting_to_general_channel_denied" => Some("Only Slack admins may post to this channel"),
        "invalid_payload" => Some("Slack could not read the message; it will not be sent again"),
        "no_text" => Some("The message had no text; it will not be sent again"),
        "too_many_attachments" => {
            Some("The message had too many attachments; it will not be sent again")
        }
        "no answer in time" => Some("Slack did not answer in time; it will be tried again"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::explain;

    #[test]
    fn slacks_answers_in_words() {
        assert_eq!(
            explain("gone", Some(410), Some("channel_is_archived")),
            "The channel was archived; unarchive it or paste a URL for another one"
        );
        assert_eq!(
            explain("gone", Some(404), Some("no_service")),
            "Slack removed this webhook; paste a new URL"
        );
        assert_eq!(
            explain("rate_limited", Some(429), Some("rate_limited")),
            "Slack asked us to slow down; not a failure"
        );
        assert_eq!(
            explain("failed", Some(503), Some("Service Unavailable")),
            "Slack had trouble (HTTP 503: Service Unavailable); it will be tried again"
        );
        assert_eq!(
            explain("failed", None, Some("no answer in time")),
            "Slack did not answer in time; it will be tried again"
        );
        assert_eq!(
            explain("rejected", Some(400), Some("invalid_blocks")),
            "Slack refused the message (HTTP 400: invalid_blocks); it will not be sent again"
        );
        assert_eq!(explain("delivered", Some(200), None), "Delivered");
    }

    #[test]
    fn why_a_webhook_was_turned_off_in_words() {
        assert_eq!(
            super::why_turned_off("no_service"),
            "Slack removed this webhook; paste a new URL"
        );
        assert_eq!(
            super::why_turned_off("no message was delivered since 2026-12-01T10:00:00.000Z"),
            "No message was delivered since 2026-12-01T10:00:00.000Z"
        );
    }
}
