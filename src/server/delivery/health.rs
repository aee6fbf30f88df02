//! An organization's delivery health: the last day's attempts by hour and
//! by what Slack's answer did, the webhooks failing most, and the oldest
//! delivery still waiting.

use crate::server::db::{self, params, read_by_name, Db};
use crate::server::webhooks::WebhookScope;

pub const HOUR_MS: i64 = 3_600_000;
pub const HOURS: i64 = 24;

/// Attempts of one hour (`hour` 0 is the oldest of the day), by outcome.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hour {
    pub delivered: i64,
    pub retried: i64,
    pub dead: i64,
    pub held: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Health {
    /// When the first hour begins (the others follow it).
    pub since: i64,
    pub hours: Vec<Hour>,
    /// Webhook id, name, failed attempts: the five failing most.
    pub failing: Vec<(i64, String, i64)>,
    pub waiting: i64,
    /// Webhook id, name, and when the oldest waiting delivery was queued.
    pub oldest_waiting: Option<(i64, String, i64)>,
}

struct Counted {
    hour: i64,
    outcome: String,
    attempts: i64,
}

read_by_name!(Counted {
    hour,
    outcome,
    attempts
});

struct Failing {
    webhook_id: i64,
    name: String,
    failures: i64,
}

read_by_name!(Failing {
    webhook_id,
    name,
    failures
});

struct Waiting {
    waiting: i64,
    webhook_id: Option<i64>,
    name: Option<String>,
    created_at: Option<i64>,
}

read_by_name!(Waiting {
    waiting,
    webhook_id,
    name,
    created_at
});

/// The organization's health over the 24 whole hours up to the one `now`
/// falls in.
pub async fn of(db: &Db, scope: WebhookScope, now: i64) -> Result<Health, db::Error> {
    let organization = scope.organization_id();
    let since = (now / HOUR_MS - (HOURS - 1)) * HOUR_MS;
    let counted: Vec<Counted> = db
        .read_all(
            "SELECT (a.at - $2) / 3600000 AS hour, a.outcome, COUNT(*) AS attempts
             FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id
             WHERE a.at >= $2 AND d.organization_id = $1
             GROUP BY (a.at - $2) / 3600000, a.outcome",
            params![organization, since],
        )
        .await?;
    let mut hours = vec![Hour::default(); HOURS as usize];
    for row in counted {
        let Some(hour) = usize::try_from(row.hour)
            .ok()
            .and_then(|h| hours.get_mut(h))
        else {
            continue;
        };
        let bucket = match row.outcome.as_str() {
            "delivered" => &mut hour.delivered,
            "failed" | "rate_limited" => &mut hour.retried,
            "rejected" => &mut hour.dead,
            "gone" => &mut hour.held,
            _ => continue,
        };
        *bucket += row.attempts;
    }
    let failing: Vec<Failing> = db
        .read_all(
            "SELECT w.id AS webhook_id, w.name, COUNT(*) AS failures
             FROM delivery_attempts a
             JOIN deliveries d ON d.id = a.delivery_id
             JOIN webhooks w ON w.id = d.webhook_id
             WHERE a.at >= $2 AND d.organization_id = $1 AND a.outcome <> 'delivered'
               AND a.outcome <> 'rate_limited'
             GROUP BY w.id, w.name
             ORDER BY failures DESC, w.id
             LIMIT 5",
            params![organization, since],
        )
        .await?;
    let waiting: Option<Waiting> = db
        .read_one(
            "SELECT (SELECT COUNT(*) FROM deliveries WHERE organization_id = $1 AND status = 'waiting')
                        AS waiting,
                    d.webhook_id, w.name, d.created_at
             FROM (SELECT 1) one
             LEFT JOIN deliveries d ON d.id = (SELECT MIN(id) FROM deliveries
                                               WHERE organization_id = $1 AND status = 'waiting')
             LEFT JOIN webhooks w ON w.id = d.webhook_id",
            params![organization],
        )
        .await?;
    let waiting = waiting.unwrap_or(Waiting {
        waiting: 0,
        webhook_id: None,
        name: None,
        created_at: None,
    });
    Ok(Health {
        since,
        hours,
        failing: failing
            .into_iter()
            .map(|f| (f.webhook_id, f.name, f.failures))
            .collect(),
        waiting: waiting.waiting,
        oldest_waiting: match (waiting.webhook_id, waiting.name, waiting.created_at) {
            (Some(id), Some(name), Some(at)) => Some((id, name, at)),
            _ => None,
        },
    })
}
