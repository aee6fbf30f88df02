use super::*;
use clap::Parser;

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    config: Config,
}

fn parse(args: &[&str]) -> Config {
    Cli::try_parse_from(std::iter::once("webhook-admin").chain(args.iter().copied()))
        .unwrap()
        .config
}

#[test]
fn passwords_never_show() {
    assert_eq!(
        mask_password("postgres://app:s3cret@db.internal:5432/webhooks"),
        "postgres://app:****@db.internal:5432/webhooks"
    );
    assert_eq!(
        mask_password("postgres://app@db/webhooks"),
        "postgres://app@db/webhooks"
    );
    assert_eq!(
        mask_password("sqlite://webhook-admin.db"),
        "sqlite://webhook-admin.db"
    );
    assert_eq!(
        mask_password("sqlite://data/a@b.db"),
        "sqlite://data/a@b.db"
    );
    assert_eq!(
        mask_password("postgres://app@db/w?sslmode=require&password=s3cret&PASSWORD=x"),
        "postgres://app@db/w?sslmode=require&password=****&PASSWORD=****"
    );
    assert_eq!(
        mask_password("postgres://db/w?sslpassword=k3y&application_name=wa"),
        "postgres://db/w?sslpassword=****&application_name=wa"
    );
    for url in [
        "postgres://a:pw-in-user-info@h/d",
        "postgres://a@h/d?password=pw-in-user-info",
    ] {
        let config = parse(&["--database-url", url]);
        assert!(!config.to_string().contains("pw-in-user-info"), "{url}");
        assert!(!format!("{config:?}").contains("pw-in-user-info"), "{url}");
    }
}

#[test]
fn the_slack_base_url_is_loopback_only_and_shown() {
    for url in [
        "http://127.0.0.1:3108",
        "http://localhost:9/",
        "https://[::1]:8443",
        "http://127.9.9.9",
    ] {
        let config = parse(&["--slack-base-url", url]);
        assert_eq!(config.slack_base_url.as_deref(), Some(url));
        assert!(config.to_string().contains(&format!(
            "  Slack:         messages to {url} (SLACK_BASE_URL, for tests only), not to Slack\n"
        )));
    }
    for url in [
        "http://hooks.example.com",
        "http://10.0.0.5:80",
        "ftp://127.0.0.1",
        "127.0.0.1:3108",
        "http://127.0.0.1.evil.example",
        "http://127.0.0.1@evil.example",
        "http://127.0.0.1:80/elsewhere",
    ] {
        let refused = Cli::try_parse_from(["webhook-admin", "--slack-base-url", url]);
        assert!(refused.is_err(), "{url}");
    }
    assert!(parse(&[])
        .to_string()
        .contains("  Slack:         messages to each webhook's Slack URL\n"));
}

#[test]
fn https_public_urls_make_cookies_secure() {
    for (url, secure) in [
        ("https://hooks.example", true),
        ("HTTPS://hooks.example", true),
        ("http://hooks.example", false),
    ] {
        let config = parse(&["--public-url", url]);
        assert_eq!(config.session_settings().secure_cookies, secure, "{url}");
    }
}

#[test]
fn cookies_are_secure_unless_on_loopback_or_told_otherwise() {
    for (args, secure) in [
        (vec!["--listen", "127.0.0.1:3000"], false),
        (vec!["--listen", "[::1]:3000"], false),
        (vec!["--listen", "0.0.0.0:3000"], true),
        (vec!["--listen", "10.0.0.5:80"], true),
        (
            vec!["--listen", "0.0.0.0:3000", "--insecure-cookies"],
            false,
        ),
        (
            vec![
                "--listen",
                "127.0.0.1:3000",
                "--public-url",
                "https://h.example",
            ],
            true,
        ),
    ] {
        let settings = parse(&args).session_settings();
        assert_eq!(settings.secure_cookies, secure, "{args:?}");
    }
}

#[test]
fn allowed_hosts_default_to_the_listen_address_and_loopback() {
    let site = parse(&["--listen", "10.0.0.5:3000"]).site_settings();
    for host in ["10.0.0.5:3000", "localhost:3000", "127.0.0.1", "[::1]:3000"] {
        assert!(site.allows(host), "{host}");
    }
    assert!(!site.allows("evil.example"));
}

#[test]
fn the_public_url_gives_links_their_origin_and_is_allowed() {
    let config = parse(&[
        "--public-url",
        "https://Hooks.Example.com/admin",
        "--allowed-hosts",
        "internal.lan, .corp.example",
    ]);
    let site = config.site_settings();
    assert_eq!(
        site.public_origin.as_deref(),
        Some("https://hooks.example.com")
    );
    for host in ["hooks.example.com", "internal.lan:3000", "a.corp.example"] {
        assert!(site.allows(host), "{host}");
    }
    assert!(!site.allows("localhost"));
}

#[test]
fn trusted_proxies_are_networks_or_addresses() {
    let config = parse(&["--trusted-proxies", "127.0.0.1, 10.0.0.0/8"]);
    assert_eq!(
        config.trusted_proxies,
        vec![
            "127.0.0.1/32".parse::<IpNet>().unwrap(),
            "10.0.0.0/8".parse().unwrap()
        ]
    );
    assert!(config
        .to_string()
        .contains("  proxies:       127.0.0.1/32, 10.0.0.0/8\n"));
    assert!(parse(&[]).to_string().contains("(none trusted"));
    let bad = Cli::try_parse_from(["webhook-admin", "--trusted-proxies", "proxy.lan"]);
    assert!(bad.is_err());
}

#[test]
fn the_first_start_file_sits_beside_a_sqlite_database() {
    for (url, file) in [
        ("sqlite://data/hooks.db", "data/hooks.db-first-start.txt"),
        ("sqlite:hooks.db?mode=rwc", "hooks.db-first-start.txt"),
        ("sqlite::memory:", "webhook-admin-first-start.txt"),
        ("postgres://db/hooks", "webhook-admin-first-start.txt"),
    ] {
        let config = parse(&["--database-url", url]);
        assert_eq!(config.first_start_file(), PathBuf::from(file), "{url}");
    }
    let chosen = parse(&["--first-start-file", "/run/secrets/first"]);
    assert_eq!(
        chosen.first_start_file(),
        PathBuf::from("/run/secrets/first")
    );
}

#[test]
fn flags_are_checked() {
    let sweep = Cli::try_parse_from(["webhook-admin", "--session-sweep-secs", "0"]);
    assert!(sweep.is_err());
    let listen = Cli::try_parse_from(["webhook-admin", "--listen", "nowhere"]);
    assert!(listen.is_err());
    assert_eq!(
        parse(&["--session-idle-secs", "60"])
            .session_settings()
            .idle_timeout,
        Duration::from_secs(60)
    );
}

#[test]
fn delivery_settings_have_defaults_and_a_lease_outlasts_a_post() {
    let settings = parse(&[]).delivery_settings().unwrap();
    assert_eq!(settings.rate_per_second, 1.0);
    assert_eq!(settings.burst, 3.0);
    assert_eq!(settings.timeout, Duration::from_secs(10));
    assert_eq!(settings.lease, Duration::from_secs(30));
    let fast = parse(&["--delivery-rate", "2.5", "--delivery-burst", "1"]);
    assert_eq!(fast.delivery_settings().unwrap().rate_per_second, 2.5);
    assert_eq!(
        parse(&["--delivery-lease-secs", "10"]).delivery_settings(),
        Err("DELIVERY_LEASE_SECS (10) must be longer than DELIVERY_TIMEOUT_SECS (10)".to_owned())
    );
    let refused = |args: &[&str]| {
        Cli::try_parse_from(std::iter::once("webhook-admin").chain(args.iter().copied())).is_err()
    };
    assert!(refused(&["--delivery-rate", "0"]));
    assert!(refused(&["--delivery-rate", "fast"]));
    assert!(refused(&["--delivery-burst", "0"]));
    assert!(refused(&["--deliveries", "maybe"]));
}
