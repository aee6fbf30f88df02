//! An organization's delivery health: a day's attempts by hour and by what
//! Slack's answer did, the webhooks failing most, and the oldest delivery
//! still waiting; for one webhook, one kind of answer, one event type or one
//! day when asked.

use crate::server::db::{self, params, read_by_name, Db};
use crate::server::webhooks::WebhookScope;

pub const HOUR_MS: i64 = 3_600_000;
pub const HOURS: i64 = 24;

/// What an attempt's outcome did, as the page's series show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Series {
    Delivered,
    /// Failed, or Slack asked to slow down: tried again.
    Retried,
    /// Refused for good.
    Dead,
    /// The webhook was gone: turned off, its messages held.
    Held,
}

impl Series {
    pub const ALL: [Series; 4] = [
        Series::Delivered,
        Series::Retried,
        Series::Dead,
        Series::Held,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Series::Delivered => "delivered",
            Series::Retried => "retried",
            Series::Dead => "dead",
            Series::Held => "held",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Series::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// The recorded outcomes it counts, as an SQL list.
    fn outcomes(self) -> &'static str {
        match self {
            Series::Delivered => "('delivered')",
            Series::Retried => "('failed', 'rate_limited')",
            Series::Dead => "('rejected')",
            Series::Held => "('gone')",
        }
    }

    fn of_outcome(outcome: &str) -> Option<Self> {
        match outcome {
            "delivered" => Some(Series::Delivered),
            "failed" | "rate_limited" => Some(Series::Retried),
            "rejected" => Some(Series::Dead),
            "gone" => Some(Series::Held),
            _ => None,
        }
    }
}

/// What the page looks at; each part optional.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    pub webhook_id: Option<i64>,
    pub series: Option<Series>,
    pub event_type: Option<String>,
    /// The first millisecond of a day to show (else the last 24 hours).
    pub day: Option<i64>,
}

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

/// The deliveries waiting now, of one webhook ($2, 0: any) and one event
/// type ($3, '': any).
const WAITING: &str = "organization_id = $1 AND status = 'waiting'
     AND ($2 = 0 OR webhook_id = $2) AND ($3 = '' OR event_type = $3)";

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

/// The organization's health over the filter's day, or the 24 whole hours
/// up to the one `now` falls in.
pub async fn of(
    db: &Db,
    scope: WebhookScope,
    filter: &Filter,
    now: i64,
) -> Result<Health, db::Error> {
    let organization = scope.organization_id();
    let since = filter
        .day
        .unwrap_or((now / HOUR_MS - (HOURS - 1)) * HOUR_MS);
    let until = since + HOURS * HOUR_MS;
    let webhook_id = filter.webhook_id.unwrap_or(0);
    let event_type = filter.event_type.as_deref().unwrap_or("");
    // $1 organization, $2 and $3 the window, $4 a webhook (0: any), $5 an
    // event type ('': any); the outcomes' lists are constants.
    let attempts = "FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id";
    let matching = format!(
        "WHERE a.at >= $2 AND a.at < $3 AND d.organization_id = $1
           AND ($4 = 0 OR d.webhook_id = $4) AND ($5 = '' OR d.event_type = $5) {}",
        filter.series.map_or(String::new(), |s| format!(
            "AND a.outcome IN {}",
            s.outcomes()
        ))
    );
    let counted: Vec<Counted> = db
        .read_all(
            &format!(
                "SELECT (a.at - $2) / 3600000 AS hour, a.outcome, COUNT(*) AS attempts
                 {attempts} {matching}
                 GROUP BY (a.at - $2) / 3600000, a.outcome"
            ),
            params![organization, since, until, webhook_id, event_type],
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
        let bucket = match Series::of_outcome(&row.outcome) {
            Some(Series::Delivered) => &mut hour.delivered,
            Some(Series::Retried) => &mut hour.retried,
            Some(Series::Dead) => &mut hour.dead,
            Some(Series::Held) => &mut hour.held,
            None => continue,
        };
        *bucket += row.attempts;
    }
    let failing: Vec<Failing> = db
        .read_all(
            &format!(
                "SELECT w.id AS webhook_id, w.name, COUNT(*) AS failures
                 {attempts} JOIN webhooks w ON w.id = d.webhook_id {matching}
                   AND a.outcome <> 'delivered' AND a.outcome <> 'rate_limited'
                 GROUP BY w.id, w.name
                 ORDER BY failures DESC, w.id
                 LIMIT 5"
            ),
            params![organization, since, until, webhook_id, event_type],
        )
        .await?;
    let waiting: Option<Waiting> = db
        .read_one(
            "SELECT (SELECT COUNT(*) FROM deliveries WHERE {WAITING}) AS waiting,
                    d.webhook_id, w.name, d.created_at
             FROM (SELECT 1) one
             LEFT JOIN deliveries d ON d.id = (SELECT MIN(id) FROM deliveries WHERE {WAITING})
             LEFT JOIN webhooks w ON w.id = d.webhook_id"
                .replace("{WAITING}", WAITING)
                .as_str(),
            params![organization, webhook_id, event_type],
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

/// The webhooks the page's filter offers, by name: the organization's first
/// 200, and `selected` when it is the organization's (a larger organization
/// reaches the others from their pages). `selected` comes back only if it is.
pub async fn webhook_choices(
    db: &Db,
    scope: WebhookScope,
    selected: Option<i64>,
) -> Result<(Vec<(i64, String)>, Option<i64>), db::Error> {
    let mut rows: Vec<Choice> = db
        .read_all(
            "SELECT id, name FROM webhooks WHERE organization_id = $1 ORDER BY id LIMIT 200",
            params![scope.organization_id()],
        )
        .await?;
    let selected = match selected {
        Some(id) if rows.iter().any(|c| c.id == id) => Some(id),
        Some(id) => {
            let found: Option<Choice> = db
                .read_one(
                    "SELECT id, name FROM webhooks WHERE id = $1 AND organization_id = $2",
                    params![id, scope.organization_id()],
                )
                .await?;
            found.map(|choice| {
                rows.push(choice);
                id
            })
        }
        None => None,
    };
    let mut choices: Vec<(i64, String)> = rows.into_iter().map(|c| (c.id, c.name)).collect();
    choices.sort_by(|a, b| {
        a.1.to_lowercase()
            .cmp(&b.1.to_lowercase())
            .then(a.0.cmp(&b.0))
    });
    Ok((choices, selected))
}

struct Choice {
    id: i64,
    name: String,
}

read_by_name!(Choice { id, name });
