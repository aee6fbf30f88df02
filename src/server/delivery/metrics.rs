//! The engine's metrics (prometheus-client, in the server's registry): every
//! send by outcome and by class of answer, deactivations, sends held back
//! by a webhook's pace, and — read from the database when scraped — the
//! waiting and held deliveries and how late the most overdue queue is.

use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use super::Status;
use crate::server::db::{self, params, read_by_name, Db};
use crate::server::slack::{AnswerKind, Meaning};

#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
#[allow(non_camel_case_types)]
enum Outcome {
    delivered,
    rate_limited,
    failed,
    rejected,
    gone,
}

/// What kind of answer came, in a fixed set of words.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
#[allow(non_camel_case_types)]
enum AnswerClass {
    ok,
    rate_limited,
    redirect,
    client_error,
    server_error,
    timeout,
    connection,
    tls,
    dns,
    request_failed,
    url_rule,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Sent {
    outcome: Outcome,
    answer: AnswerClass,
}

fn classify(answer: &AnswerKind) -> AnswerClass {
    match answer {
        AnswerKind::NotASlackUrl => AnswerClass::url_rule,
        AnswerKind::Status { status: 429, .. } => AnswerClass::rate_limited,
        AnswerKind::Status { status, .. } => match status / 100 {
            2 => AnswerClass::ok,
            3 => AnswerClass::redirect,
            5 => AnswerClass::server_error,
            _ => AnswerClass::client_error,
        },
        AnswerKind::NoAnswer(why) => match *why {
            "no answer in time" => AnswerClass::timeout,
            "the connection failed" => AnswerClass::connection,
            "the secure connection failed" => AnswerClass::tls,
            "the address could not be looked up" => AnswerClass::dns,
            _ => AnswerClass::request_failed,
        },
    }
}

/// The engine's counters and the queue's gauges. Cheap to clone; one
/// that is not registered counts for nobody (tests).
#[derive(Clone, Debug, Default)]
pub struct DeliveryMetrics {
    sent: Family<Sent, Counter>,
    deactivations: Counter,
    paced: Counter,
    waiting: Gauge,
    held: Gauge,
    oldest_due_seconds: Gauge,
}

impl DeliveryMetrics {
    pub fn register(&self, registry: &mut Registry) {
        registry.register(
            "webhook_admin_delivery_sends",
            "Posts to Slack, by what came of them and the kind of answer",
            self.sent.clone(),
        );
        registry.register(
            "webhook_admin_delivery_deactivations",
            "Webhooks the engine turned off",
            self.deactivations.clone(),
        );
        registry.register(
            "webhook_admin_delivery_paced",
            "Times a webhook's queue waited for its pace",
            self.paced.clone(),
        );
        registry.register(
            "webhook_admin_deliveries_waiting",
            "Deliveries waiting in their webhooks' queues",
            self.waiting.clone(),
        );
        registry.register(
            "webhook_admin_deliveries_held",
            "Deliveries held while their webhook is turned off",
            self.held.clone(),
        );
        registry.register(
            "webhook_admin_delivery_oldest_due_seconds",
            "How long the most overdue queue has been due (0: none is)",
            self.oldest_due_seconds.clone(),
        );
    }

    pub(super) fn sent(&self, answer: &AnswerKind) {
        let outcome = match answer.meaning() {
            Meaning::Delivered => Outcome::delivered,
            Meaning::SlowDown(_) => Outcome::rate_limited,
            Meaning::Retry => Outcome::failed,
            Meaning::Reject => Outcome::rejected,
            Meaning::Gone => Outcome::gone,
        };
        let answer = classify(answer);
        self.sent.get_or_create(&Sent { outcome, answer }).inc();
    }

    pub(super) fn deactivated(&self) {
        self.deactivations.inc();
    }

    pub(super) fn paced(&self) {
        self.paced.inc();
    }

    /// Reads the queue's gauges from the database (before a scrape).
    pub async fn refresh(&self, db: &Db, now: i64) -> Result<(), db::Error> {
        let depth: Depth = db
            .read_one(
                "SELECT (SELECT COUNT(*) FROM deliveries WHERE status = $1) AS waiting,
                        (SELECT COUNT(*) FROM deliveries WHERE status = $2) AS held,
                        (SELECT MIN(due_at) FROM delivery_queues WHERE due_at IS NOT NULL) AS due",
                params![Status::Waiting.as_str(), Status::Held.as_str()],
            )
            .await?
            .unwrap_or(Depth {
                waiting: 0,
                held: 0,
                due: None,
            });
        self.waiting.set(depth.waiting);
        self.held.set(depth.held);
        let late_ms = depth.due.map_or(0, |due| (now - due).max(0));
        self.oldest_due_seconds.set(late_ms / 1000);
        Ok(())
    }
}

struct Depth {
    waiting: i64,
    held: i64,
    due: Option<i64>,
}

read_by_name!(Depth { waiting, held, due });

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_fall_into_a_fixed_set_of_classes() {
        let status = |status| AnswerKind::Status {
            status,
            text: String::new(),
            retry_after_secs: None,
        };
        assert_eq!(classify(&status(200)), AnswerClass::ok);
        assert_eq!(classify(&status(429)), AnswerClass::rate_limited);
        assert_eq!(classify(&status(302)), AnswerClass::redirect);
        assert_eq!(classify(&status(410)), AnswerClass::client_error);
        assert_eq!(classify(&status(503)), AnswerClass::server_error);
        assert_eq!(
            classify(&AnswerKind::NoAnswer("no answer in time")),
            AnswerClass::timeout
        );
        assert_eq!(
            classify(&AnswerKind::NoAnswer("the request failed")),
            AnswerClass::request_failed
        );
        assert_eq!(classify(&AnswerKind::NotASlackUrl), AnswerClass::url_rule);
    }
}
