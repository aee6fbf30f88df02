//! The Slack URL rule: the contract's cases, and the two regex engines (the
//! server's `regex`, the browser's `regex-lite`) agreeing with each other and
//! with a hand-written reading of the rule on generated URLs.

use std::sync::LazyLock;

use proptest::prelude::*;

use super::*;

const PASSING: &[&str] = &[
    "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
    "https://hooks.slack-gov.com/services/T0/B0/abc",
    "https://hooks.slack.com/services/T0",
    "https://hooks.slack.com/services/T0/B0/x_y-z/",
    "https://hooks.slack.com/services/a/b/c/d/e",
];

const FAILING: &[&str] = &[
    "http://hooks.slack.com/services/T0/B0/x",
    "HTTPS://hooks.slack.com/services/T0/B0/x",
    "https://hooks.slack.com/services/",
    "https://hooks.slack.com/services",
    "https://hooks.slack.com/services//x",
    "https://hooks.slack.com/services/T0//x",
    "https://hooks.slack.com/services/T0/B0/x//",
    "https://hooks.slack.com:443/services/T0/B0/x",
    "https://hooks.slack.com@evil.example/services/T0/B0/x",
    "https://user@hooks.slack.com/services/T0/B0/x",
    "https://hooks.slack.com/services/T0/B0/x?a=1",
    "https://hooks.slack.com/services/T0/B0/x#frag",
    "https://hooks.slack.com/services/T0/../x",
    "https://hooks.slack.com/services/T0/B0/x y",
    "https://hooks.slack.com/services/T0/B0/x\ty",
    "https://hooks.slack.com/services/T0/B0/%41",
    "https://hooks.slack.com/services/T0/B0/é",
    "https://hooks.slack.com.evil.example/services/T0/B0/x",
    "https://evil.example/hooks.slack.com/services/T0",
    "https://hooks.slack.com/other/T0/B0/x",
    "ftp://hooks.slack.com/services/T0",
    "",
    // `$` must not allow a final line break (as Python's `$` would).
    "https://hooks.slack.com/services/T0/B0/x\n",
    "https://hooks.slack.com/services/T0\n/B0",
    "https://hooksXslack.com/services/T0",
    "https://hooks.slackXgov.com/services/T0",
];

#[test]
fn slack_urls_that_pass() {
    for url in PASSING {
        assert!(is_slack_webhook_url(url), "{url}");
    }
}

#[test]
fn slack_urls_that_fail() {
    for url in FAILING {
        assert!(!is_slack_webhook_url(url), "{url:?}");
    }
}

/// The rule read by hand, independently of the pattern.
fn reference_rule(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("https://") else {
        return false;
    };
    let Some(path) = ["hooks.slack.com/services/", "hooks.slack-gov.com/services/"]
        .iter()
        .find_map(|prefix| rest.strip_prefix(prefix))
    else {
        return false;
    };
    let path = path.strip_suffix('/').unwrap_or(path);
    !path.is_empty()
        && path.split('/').all(|segment| {
            !segment.is_empty()
                && segment
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        })
}

struct Engines {
    server: regex::Regex,
    browser: regex_lite::Regex,
}

static ENGINES: LazyLock<Engines> = LazyLock::new(|| Engines {
    server: regex::Regex::new(SLACK_URL_PATTERN).unwrap(),
    browser: regex_lite::Regex::new(SLACK_URL_PATTERN).unwrap(),
});

impl Engines {
    /// Both engines' verdict, after checking they agree with each other,
    /// with the hand-written rule and with what the crate uses.
    fn verdict(&self, url: &str) -> bool {
        let server = self.server.is_match(url);
        assert_eq!(
            server,
            self.browser.is_match(url),
            "engines differ on {url:?}"
        );
        assert_eq!(
            server,
            reference_rule(url),
            "pattern and rule differ on {url:?}"
        );
        assert_eq!(server, is_slack_webhook_url(url), "{url:?}");
        server
    }
}

#[test]
fn both_engines_follow_the_contract() {
    for url in PASSING {
        assert!(ENGINES.verdict(url), "{url}");
    }
    for url in FAILING {
        assert!(!ENGINES.verdict(url), "{url:?}");
    }
}

/// URLs built from near-misses of every part, so about half of them pass.
fn slack_like_url() -> impl Strategy<Value = String> {
    let scheme = prop::sample::select(vec![
        "https://", "https://", "http://", "HTTPS://", "https:/",
    ]);
    let host = prop::sample::select(vec![
        "hooks.slack.com",
        "hooks.slack-gov.com",
        "hooks.slack.com:443",
        "hooks.slack.co",
        "user@hooks.slack.com",
        "hooks.slack.com.evil",
    ]);
    let services =
        prop::sample::select(vec!["/services/", "/services/", "/service/", "/services//"]);
    let segment = "[A-Za-z0-9_-]{0,6}|[A-Za-z0-9_ .?#%é\n\t-]{1,4}";
    let segments = prop::collection::vec(segment, 1..5).prop_map(|s| s.join("/"));
    let end = prop::sample::select(vec!["", "", "/", "//", "?a=1", "#x", "\n"]);
    (scheme, host, services, segments, end).prop_map(|(a, b, c, d, e)| format!("{a}{b}{c}{d}{e}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn engines_agree_on_slack_like_urls(url in slack_like_url()) {
        ENGINES.verdict(&url);
    }

    #[test]
    fn engines_agree_on_any_text(url in any::<String>()) {
        ENGINES.verdict(&url);
    }
}
