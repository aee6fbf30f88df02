//! Event delivery: events come in through a transactional outbox
//! ([`outbox`]); each webhook's deliveries form a queue, sent one at a time
//! in event order by whichever instance holds the queue's lease ([`queue`]),
//! paced by a token bucket in the database, and what Slack answered decides
//! what happens next ([`outcome`]): delivered, retried on a schedule, given
//! up, or the webhook turned off with its waiting deliveries held.

pub mod api;
pub mod deliveries;
mod engine;
pub mod health;
pub mod held;
pub mod ingest;
mod metrics;
pub mod outbox;
mod outcome;
mod queue;

use std::time::Duration;

/// Where PostgreSQL tells every instance's engine that deliveries are due.
const CHANNEL: &str = "webhook_admin_deliveries";

pub use engine::{Engine, Wake};
pub use metrics::DeliveryMetrics;

/// How the engine delivers.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// Messages a second to one webhook (Slack allows about one).
    pub rate_per_second: f64,
    /// How many may go at once after a quiet spell.
    pub burst: f64,
    /// The waits before each retry of a failed delivery; when they run out
    /// the delivery is dead. Each is stretched or shrunk by up to a fifth,
    /// at random, so retries of many webhooks do not come in lockstep.
    pub retry_delays: Vec<Duration>,
    /// A webhook with no success for this long is turned off.
    pub give_up_after: Duration,
    /// How long a queue stays with the instance that claimed it without
    /// word from it; renewed before every send.
    pub lease: Duration,
    /// The longest a send may take.
    pub timeout: Duration,
    /// Queues one instance works on at once.
    pub concurrency: usize,
    /// How often an idle instance looks for due work it was not told of
    /// (another instance's events).
    pub poll: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        let minutes = |m: u64| Duration::from_secs(60 * m);
        Settings {
            rate_per_second: 1.0,
            burst: 3.0,
            // About a day in all.
            retry_delays: vec![
                Duration::from_secs(10),
                Duration::from_secs(30),
                minutes(2),
                minutes(5),
                minutes(15),
                minutes(30),
                minutes(60),
                minutes(120),
                minutes(240),
                minutes(480),
                minutes(480),
            ],
            give_up_after: Duration::from_secs(24 * 3600),
            lease: Duration::from_secs(30),
            timeout: Duration::from_secs(10),
            concurrency: 64,
            poll: Duration::from_secs(1),
        }
    }
}

/// A delivery's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// In its webhook's queue.
    Waiting,
    Delivered,
    /// Given up: its retries ran out, or Slack will never take it.
    Dead,
    /// Its webhook was turned off; kept until someone sends or discards it.
    Held,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Waiting,
        Status::Delivered,
        Status::Dead,
        Status::Held,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Waiting => "waiting",
            Status::Delivered => "delivered",
            Status::Dead => "dead",
            Status::Held => "held",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}
