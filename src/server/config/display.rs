//! The configuration as the server prints it at start, and as `Debug`
//! shows it: one line per setting, the database password masked.

use std::fmt;

use ipnet::IpNet;

use super::{mask_password, Config, Switch, SERVE_LOG};

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &mask_password(&self.database_url))
            .field("listen", &self.listen)
            .field("metrics_listen", &self.metrics_listen)
            .field("public_url", &self.public_url)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("slack_base_url", &self.slack_base_url)
            .finish_non_exhaustive()
    }
}

/// One line per setting, the database password masked.
impl fmt::Display for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "  database:      {}", mask_password(&self.database_url))?;
        writeln!(f, "  db timeout:    {} s", self.database_timeout_secs)?;
        writeln!(f, "  listen:        {}", self.listen)?;
        match self.metrics_listen {
            Some(addr) => writeln!(f, "  metrics:       http://{addr}/metrics")?,
            None => writeln!(f, "  metrics:       (off)")?,
        }
        writeln!(
            f,
            "  public URL:    {}",
            self.public_url.as_deref().unwrap_or("(not set)")
        )?;
        writeln!(
            f,
            "  allowed hosts: {}",
            self.site_settings().allowed_hosts.join(", ")
        )?;
        let proxies: Vec<String> = self.trusted_proxies.iter().map(IpNet::to_string).collect();
        writeln!(
            f,
            "  proxies:       {}",
            if proxies.is_empty() {
                "(none trusted: the TCP peer is the client)".to_owned()
            } else {
                proxies.join(", ")
            }
        )?;
        writeln!(
            f,
            "  limits:        headers {} s, request {} s, {} connections, shutdown {} s",
            self.header_timeout_secs,
            self.request_timeout_secs,
            self.max_connections,
            self.shutdown_grace_secs
        )?;
        writeln!(f, "  session idle:  {} s", self.session_idle_secs)?;
        match &self.slack_base_url {
            Some(base) => writeln!(
                f,
                "  Slack:         messages to {base} (SLACK_BASE_URL, for tests only), not to Slack"
            )?,
            None => writeln!(f, "  Slack:         messages to each webhook's Slack URL")?,
        }
        match self.deliveries {
            Switch::On => writeln!(
                f,
                "  deliveries:    on, {} a second per webhook, bursts of {}, {} s a post, {} s a lease",
                self.delivery_rate,
                self.delivery_burst,
                self.delivery_timeout_secs,
                self.delivery_lease_secs
            )?,
            Switch::Off => writeln!(f, "  deliveries:    off (other instances deliver)")?,
        }
        writeln!(f, "  session sweep: every {} s", self.session_sweep_secs)?;
        write!(
            f,
            "  log:           {} ({:?})",
            self.log.as_deref().unwrap_or(SERVE_LOG),
            self.log_format
        )
    }
}
