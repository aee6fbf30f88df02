//! The Slack URL rule: one pattern, two engines with the same API — `regex`
//! on the server and the much smaller `regex-lite` in the browser's WASM
//! client.

use std::sync::LazyLock;

#[cfg(feature = "ssr")]
use regex::Regex;
#[cfg(not(feature = "ssr"))]
use regex_lite::Regex;

/// A Slack incoming-webhook URL: `https://` + `hooks.slack.com` or
/// `hooks.slack-gov.com` + `/services/` + one or more `/`-separated segments
/// of `[A-Za-z0-9_-]`, optional trailing `/`. Nothing else: no user-info,
/// port, query, fragment or white space (`$` is the end of the text only).
pub const SLACK_URL_PATTERN: &str =
    r"^https://hooks\.slack(?:-gov)?\.com/services/[A-Za-z0-9_-]+(?:/[A-Za-z0-9_-]+)*/?$";

static SLACK_URL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(SLACK_URL_PATTERN).expect("SLACK_URL_PATTERN is a valid regex"));

pub fn is_slack_webhook_url(url: &str) -> bool {
    SLACK_URL.is_match(url)
}
