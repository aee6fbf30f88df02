//! The server's configuration, read once at start from flags or the
//! environment (a flag wins), and printed with secrets masked.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};
use ipnet::IpNet;

use super::browser::sessions::SessionSettings;
use super::db::DEFAULT_DATABASE_URL;
use super::delivery;
use super::http::client::{parse_network, TrustedProxies};
use super::http::listener::Limits;
use super::http::site::SiteSettings;

/// Every setting, each with a flag and an environment variable. `Debug`
/// masks the database password, as `Display` does.
#[derive(Args, Clone, PartialEq)]
pub struct Config {
    /// Where the data lives: sqlite://PATH (created if missing) or postgres://USER@HOST:PORT/DB.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true, hide_env_values = true)]
    pub database_url: String,

    /// Address the server listens on.
    #[arg(
        long,
        env = "LEPTOS_SITE_ADDR",
        default_value = "127.0.0.1:3000",
        global = true
    )]
    pub listen: SocketAddr,

    /// Address for Prometheus metrics (`GET /metrics`); off when unset. Keep
    /// it private (loopback or an internal network): it is not authenticated.
    #[arg(long, env = "METRICS_LISTEN", global = true)]
    pub metrics_listen: Option<SocketAddr>,

    /// Seconds a query waits for a database connection before the request
    /// answers 503 (the database is away or overloaded).
    #[arg(long, env = "DATABASE_TIMEOUT_SECS", default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..), global = true)]
    pub database_timeout_secs: u64,

    /// The address people use; when it is https, session cookies are Secure.
    #[arg(long, env = "PUBLIC_URL", global = true)]
    pub public_url: Option<String>,

    /// Session cookies without `Secure`, on a server people reach over plain
    /// http on a non-loopback address (not recommended). By default cookies
    /// are Secure unless the server listens on loopback with no https public URL.
    #[arg(long, env = "INSECURE_COOKIES", global = true)]
    pub insecure_cookies: bool,

    /// Seconds without a request after which a browser session ends.
    #[arg(long, env = "SESSION_IDLE_SECS", default_value_t = 8 * 3600, global = true)]
    pub session_idle_secs: u64,

    /// Seconds between sweeps that delete expired sessions, idempotency keys
    /// past their day and sign-in failures no throttle counts any more.
    #[arg(long, env = "SESSION_SWEEP_SECS", default_value_t = 3600, value_parser = clap::value_parser!(u64).range(1..), global = true)]
    pub session_sweep_secs: u64,

    /// Host names requests may be addressed to, comma-separated (`.example.com`
    /// for a domain and its subdomains, `*` for any). Default: the listen
    /// address, localhost, 127.0.0.1 and [::1]. The public URL's host is always allowed.
    #[arg(long, env = "ALLOWED_HOSTS", value_delimiter = ',', global = true)]
    pub allowed_hosts: Vec<String>,

    /// Proxies whose `X-Forwarded-For` names the client, comma-separated IP
    /// addresses or CIDR networks (e.g. `127.0.0.1,10.0.0.0/8`). The sign-in
    /// throttle counts the right-most address they forwarded for that is not
    /// one of them. Default: none, and the TCP peer is the client.
    #[arg(long, env = "TRUSTED_PROXIES", value_delimiter = ',', value_parser = parse_network, global = true)]
    pub trusted_proxies: Vec<IpNet>,

    /// Seconds a client has to send a request's line and headers.
    #[arg(long, env = "HEADER_TIMEOUT_SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..), global = true)]
    pub header_timeout_secs: u64,

    /// Seconds to answer one request, its body included (then 408).
    #[arg(long, env = "REQUEST_TIMEOUT_SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..), global = true)]
    pub request_timeout_secs: u64,

    /// Open connections at most; more wait to be accepted.
    #[arg(long, env = "MAX_CONNECTIONS", default_value_t = 1024, value_parser = clap::value_parser!(u64).range(1..), global = true)]
    pub max_connections: u64,

    /// Seconds a shutdown (SIGTERM, Ctrl-C) waits for requests in flight.
    #[arg(long, env = "SHUTDOWN_GRACE_SECS", default_value_t = 30, global = true)]
    pub shutdown_grace_secs: u64,

    /// For tests only: test messages go to this origin (e.g.
    /// `http://127.0.0.1:9999`, a fake Slack) instead of the webhook URL's
    /// host, with the URL's path. Only a loopback host is accepted: a test
    /// setting left in production must not send the URLs' secret paths
    /// elsewhere. Which URLs are accepted does not change.
    #[arg(long, env = "SLACK_BASE_URL", value_parser = parse_slack_base_url, global = true)]
    pub slack_base_url: Option<String>,

    /// Deliver events from this instance (`on`), or only serve (`off`:
    /// other instances on the database deliver).
    #[arg(long, env = "DELIVERIES", value_enum, default_value_t = Switch::On, global = true)]
    pub deliveries: Switch,

    /// Messages a second to one webhook, across every instance (Slack
    /// allows about one), and how many may go at once after a quiet spell.
    #[arg(long, env = "DELIVERY_RATE", default_value_t = 1.0, value_parser = parse_rate, global = true)]
    pub delivery_rate: f64,
    #[arg(long, env = "DELIVERY_BURST", default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..), global = true)]
    pub delivery_burst: u32,

    /// The longest a post to Slack may take, and how long a queue stays
    /// with an instance that stopped answering (it must be longer: a lease
    /// that runs out mid-send is the one way a message goes twice).
    #[arg(long, env = "DELIVERY_TIMEOUT_SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..), global = true)]
    pub delivery_timeout_secs: u64,
    #[arg(long, env = "DELIVERY_LEASE_SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(2..), global = true)]
    pub delivery_lease_secs: u64,

    /// Where the first start writes the first administrator's password and
    /// token when standard output is not a terminal (a service's log would
    /// keep them), readable by this user only. Default: beside a SQLite
    /// database file (`<file>-first-start.txt`), else
    /// `webhook-admin-first-start.txt` in the working directory.
    #[arg(long, env = "FIRST_START_FILE", global = true)]
    pub first_start_file: Option<PathBuf>,

    /// Log filter, e.g. `info`, `warn`, `webhook_admin=debug`. Default:
    /// `info` for `serve`, `warn` for the other commands.
    #[arg(long, env = "RUST_LOG", global = true)]
    pub log: Option<String>,

    /// Log lines as plain text or as JSON objects.
    #[arg(long, env = "LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
}

/// The server's default log filter: a line per request and what matters;
/// PostgreSQL's notices (as "relation already exists, skipping") only when
/// they are warnings.
pub const SERVE_LOG: &str = "info,sqlx::postgres::notice=warn";
/// The admin commands' default: quiet unless something is wrong.
pub const COMMAND_LOG: &str = "warn";

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Switch {
    On,
    Off,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

impl Config {
    pub fn session_settings(&self) -> SessionSettings {
        SessionSettings {
            secure_cookies: !self.insecure_cookies
                && (self.public_url_is_https() || !self.listen.ip().is_loopback()),
            idle_timeout: Duration::from_secs(self.session_idle_secs),
        }
    }

    fn public_url_is_https(&self) -> bool {
        self.public_url.as_deref().is_some_and(|url| {
            url.get(..8)
                .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
        })
    }

    pub fn site_settings(&self) -> SiteSettings {
        let public_origin = self.public_url.as_deref().and_then(origin_of);
        let mut allowed_hosts: Vec<String> = if self.allowed_hosts.is_empty() {
            let listen = match self.listen.ip() {
                std::net::IpAddr::V6(ip) => format!("[{ip}]"),
                ip => ip.to_string(),
            };
            vec![
                listen,
                "localhost".into(),
                "127.0.0.1".into(),
                "[::1]".into(),
            ]
        } else {
            self.allowed_hosts
                .iter()
                .map(|h| h.trim().to_ascii_lowercase())
                .collect()
        };
        if let Some((_, authority)) = public_origin.as_deref().and_then(|o| o.split_once("://")) {
            let name = authority
                .rsplit_once(':')
                .map_or(authority, |(name, _)| name);
            allowed_hosts.push(name.to_owned());
        }
        SiteSettings {
            public_origin,
            allowed_hosts,
        }
    }

    pub fn first_start_file(&self) -> PathBuf {
        if let Some(file) = &self.first_start_file {
            return file.clone();
        }
        let sqlite_file = ["sqlite://", "sqlite:"]
            .iter()
            .find_map(|scheme| self.database_url.strip_prefix(scheme))
            .map(|rest| rest.split('?').next().unwrap_or_default())
            .filter(|path| !path.is_empty() && !path.contains(":memory:"));
        match sqlite_file {
            Some(path) => PathBuf::from(format!("{path}-first-start.txt")),
            None => PathBuf::from("webhook-admin-first-start.txt"),
        }
    }

    pub fn trusted_proxies(&self) -> TrustedProxies {
        TrustedProxies::new(self.trusted_proxies.clone())
    }

    pub fn limits(&self) -> Limits {
        Limits {
            header_read: Duration::from_secs(self.header_timeout_secs),
            request: Duration::from_secs(self.request_timeout_secs),
            max_connections: usize::try_from(self.max_connections).unwrap_or(usize::MAX),
            shutdown_grace: Duration::from_secs(self.shutdown_grace_secs),
        }
    }

    pub fn database_timeout(&self) -> Duration {
        Duration::from_secs(self.database_timeout_secs)
    }

    pub fn session_sweep_period(&self) -> Duration {
        Duration::from_secs(self.session_sweep_secs)
    }

    /// The engine's settings, or why they cannot work.
    pub fn delivery_settings(&self) -> Result<delivery::Settings, String> {
        if self.delivery_lease_secs <= self.delivery_timeout_secs {
            return Err(format!(
                "DELIVERY_LEASE_SECS ({}) must be longer than DELIVERY_TIMEOUT_SECS ({})",
                self.delivery_lease_secs, self.delivery_timeout_secs
            ));
        }
        Ok(delivery::Settings {
            rate_per_second: self.delivery_rate,
            burst: f64::from(self.delivery_burst),
            timeout: Duration::from_secs(self.delivery_timeout_secs),
            lease: Duration::from_secs(self.delivery_lease_secs),
            ..delivery::Settings::default()
        })
    }
}

/// A rate: a positive number, at most a million.
fn parse_rate(text: &str) -> Result<f64, String> {
    text.parse::<f64>()
        .ok()
        .filter(|rate| *rate > 0.0 && *rate <= 1e6)
        .ok_or_else(|| format!("{text:?} must be a number above 0 and at most 1000000"))
}

/// `scheme://host[:port]` of a URL, lower case, or `None` when it has none.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    (!authority.is_empty() && !authority.contains('@'))
        .then(|| format!("{scheme}://{authority}").to_ascii_lowercase())
}

/// `SLACK_BASE_URL`: `http(s)://` and a loopback host (`localhost`,
/// `127.0.0.0/8`, `[::1]`), with an optional port.
fn parse_slack_base_url(url: &str) -> Result<String, String> {
    let refuse = || {
        format!("{url:?} must be http(s)://localhost, 127.x.x.x or [::1] with an optional port (it is for tests only)")
    };
    let (scheme, rest) = url.split_once("://").ok_or_else(refuse)?;
    if !["http", "https"].contains(&scheme.to_ascii_lowercase().as_str()) {
        return Err(refuse());
    }
    let authority = rest.trim_end_matches('/');
    if authority.contains(['/', '?', '#', '@']) {
        return Err(refuse());
    }
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6
            .split_once(']')
            .map(|(host, _)| host)
            .ok_or_else(refuse)?,
        None => authority.split(':').next().unwrap_or_default(),
    };
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if loopback {
        Ok(url.to_owned())
    } else {
        Err(refuse())
    }
}

/// A database URL with its password replaced by `****`: the user info's,
/// and any `password` or `sslpassword` query parameter's.
fn mask_password(url: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let mut masked = mask_user_info(base);
    if let Some(query) = query {
        let parameters: Vec<String> = query
            .split('&')
            .map(|parameter| match parameter.split_once('=') {
                Some((key, _))
                    if key.eq_ignore_ascii_case("password")
                        || key.eq_ignore_ascii_case("sslpassword") =>
                {
                    format!("{key}=****")
                }
                _ => parameter.to_owned(),
            })
            .collect();
        masked.push('?');
        masked.push_str(&parameters.join("&"));
    }
    masked
}

fn mask_user_info(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rsplit_once('@') {
        Some((user_info, host)) => {
            let user = user_info
                .split_once(':')
                .map_or(user_info, |(user, _)| user);
            let masked = if user_info.contains(':') { ":****" } else { "" };
            format!("{scheme}://{user}{masked}@{host}{}", &rest[authority_end..])
        }
        None => url.to_owned(),
    }
}

mod display;
#[cfg(test)]
mod tests;
