//! The organization's delivery health (`/deliveries`): the last day's
//! attempts per hour by what Slack's answer did, as a chart drawn on the
//! server (SVG, no script) with the same numbers in a table for screen
//! readers and anyone without colours; the webhooks failing most; the
//! oldest delivery still waiting. A plain GET form filters them by
//! webhook, by what the answers did, by event type and by day.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::common::{ErrorPanel, Loading};
use crate::shared::error::AppError;
use crate::shared::wire::{DeliveryHealth, HealthFilter, HourOfAttempts};

pub const HEALTH_PATH: &str = "/deliveries";

/// One of the chart's series: its name, its count in an hour, its colour.
type Series = (&'static str, fn(&HourOfAttempts) -> i64, &'static str);

const SERIES: [Series; 4] = [
    ("Delivered", |h| h.delivered, "#1a7f37"),
    ("Retried", |h| h.retried, "#9a6700"),
    ("Dead", |h| h.dead, "#b42318"),
    ("Held", |h| h.held, "#6e40c9"),
];

const CHART_WIDTH: i64 = 720;
const CHART_HEIGHT: i64 = 160;
const BAR_STEP: i64 = CHART_WIDTH / 24;

#[component]
pub fn HealthPage() -> impl IntoView {
    let query = use_query_map();
    let health = Resource::new(
        move || {
            let q = query.read();
            (
                q.get("webhook"),
                q.get("status"),
                q.get("event_type"),
                q.get("day"),
            )
        },
        |(webhook, status, event_type, day)| get_delivery_health(webhook, status, event_type, day),
    );
    view! {
        <Title text="Delivery health · Webhook admin"/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match health.await {
                    Ok(health) => view! { <Health health/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Health(health: DeliveryHealth) -> impl IntoView {
    let DeliveryHealth {
        filter,
        webhooks,
        hours,
        failing,
        waiting,
        oldest_waiting,
    } = health;
    let oldest = oldest_waiting.map(|(id, name, since)| {
        view! {
            " The oldest, for "
            <a href=format!("/webhooks/{id}#deliveries-title")>{name}</a>
            ", was queued "
            <time datetime=since.machine>{since.human}</time>
            "."
        }
    });
    let period = if filter.day.is_empty() {
        "in the last 24 hours".to_owned()
    } else {
        format!("on {} (UTC)", filter.day)
    };
    let failing = if failing.is_empty() {
        view! { <p class="muted">{format!("No webhook failed {period}.")}</p> }.into_any()
    } else {
        view! {
            <ol class="failing">
                {failing
                    .into_iter()
                    .map(|(id, name, failures)| {
                        let noun = if failures == 1 { "failure" } else { "failures" };
                        view! {
                            <li>
                                <a href=format!("/webhooks/{id}#deliveries-title")>{name}</a>
                                {format!(": {failures} {noun}")}
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
        }
        .into_any()
    };
    view! {
        <section class="card" aria-labelledby="health-title">
            <h1 id="health-title">"Delivery health"</h1>
            <p class="muted">{format!("Your webhooks' delivery attempts {period}, hour by hour, by what Slack's answer did.")}</p>
            <Filters filter webhooks/>
            <Chart hours=hours.clone()/>
            <HoursTable hours/>
        </section>
        <section class="card narrow" aria-labelledby="failing-title">
            <h2 id="failing-title">"Failing most"</h2>
            {failing}
        </section>
        <section class="card narrow" aria-labelledby="waiting-title">
            <h2 id="waiting-title">"Waiting"</h2>
            <p>
                {if waiting == 1 {
                    "1 delivery is waiting to be sent.".to_owned()
                } else {
                    format!("{waiting} deliveries are waiting to be sent.")
                }}
                {oldest}
            </p>
        </section>
    }
}

/// The filter: a plain GET form, the page again with the answer.
#[component]
fn Filters(filter: HealthFilter, webhooks: Vec<(i64, String)>) -> impl IntoView {
    let webhook_options = webhooks
        .into_iter()
        .map(|(id, name)| view! { <option value=id.to_string() selected=filter.webhook == Some(id)>{name}</option> })
        .collect_view();
    let status_options = ["", "delivered", "retried", "dead", "held"]
        .map(|value| {
            let label = if value.is_empty() { "any" } else { value };
            view! { <option value=value selected=filter.status == value>{label}</option> }
        })
        .into_iter()
        .collect_view();
    view! {
        <form method="get" action=HEALTH_PATH class="inline-form" aria-label="Filter">
            <label for="health-webhook">"Webhook"</label>
            <select id="health-webhook" name="webhook">
                <option value="" selected=filter.webhook.is_none()>"any"</option>
                {webhook_options}
            </select>
            <label for="health-status">"Status"</label>
            <select id="health-status" name="status">{status_options}</select>
            <label for="health-type">"Event type"</label>
            <input id="health-type" name="event_type" type="text" value=filter.event_type.clone() placeholder="project.created"/>
            <label for="health-day">"Day"</label>
            <input id="health-day" name="day" type="date" value=filter.day.clone()/>
            <button type="submit" class="button secondary small">"Filter"</button>
            {(!filter.is_empty()).then(|| view! { <a class="button secondary small" href=HEALTH_PATH>"Clear"</a> })}
        </form>
    }
}

/// Stacked bars, one per hour; decorative for assistive technology, which
/// reads the table after it.
#[component]
fn Chart(hours: Vec<HourOfAttempts>) -> impl IntoView {
    let most = hours
        .iter()
        .map(|h| SERIES.iter().map(|(_, count, _)| count(h)).sum::<i64>())
        .max()
        .unwrap_or(0)
        .max(1);
    let bars = hours
        .iter()
        .enumerate()
        .flat_map(|(n, hour)| {
            let mut top = CHART_HEIGHT;
            SERIES
                .iter()
                .filter(|(_, count, _)| count(hour) > 0)
                .map(|(_, count, colour)| {
                    let height = (count(hour) * CHART_HEIGHT / most).max(1);
                    top -= height;
                    view! {
                        <rect
                            x=(n as i64 * BAR_STEP + 2).to_string()
                            y=top.to_string()
                            width=(BAR_STEP - 4).to_string()
                            height=height.to_string()
                            fill=*colour
                        />
                    }
                })
                .collect::<Vec<_>>()
        })
        .collect_view();
    let legend = SERIES
        .iter()
        .map(|(name, _, colour)| {
            view! {
                <li><svg class="swatch" viewBox="0 0 10 10" aria-hidden="true"><rect width="10" height="10" fill=*colour/></svg>{*name}</li>
            }
        })
        .collect_view();
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {CHART_WIDTH} {CHART_HEIGHT}") aria-hidden="true" focusable="false">
                {bars}
            </svg>
            <figcaption><ul class="legend">{legend}</ul></figcaption>
        </figure>
    }
}

#[component]
fn HoursTable(hours: Vec<HourOfAttempts>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="deliveries">
                <caption>"Attempts per hour"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Hour"</th>
                        {SERIES.iter().map(|(name, _, _)| view! { <th scope="col">{*name}</th> }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {hours
                        .into_iter()
                        .map(|hour| {
                            let cells = SERIES
                                .iter()
                                .map(|(name, count, _)| view! { <td data-label=*name>{count(&hour)}</td> })
                                .collect_view();
                            view! {
                                <tr>
                                    <th scope="row"><time datetime=hour.start.machine.clone()>{hour.start.human.clone()}</time></th>
                                    {cells}
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

// Server functions: run on the server; the browser calls them over HTTP.

#[cfg(feature = "ssr")]
use crate::server::{browser::context, delivery::health};

/// The organization's delivery health now, or on a day; a filter value
/// that is not one (an unknown status, a malformed type or day) is no filter.
#[server]
pub async fn get_delivery_health(
    webhook: Option<String>,
    status: Option<String>,
    event_type: Option<String>,
    day: Option<String>,
) -> Result<DeliveryHealth, AppError> {
    use crate::server::clock::now_millis;
    use crate::shared::validation::event::is_event_type;

    let scope = context::webhook_scope().await?;
    let db = &context::state()?.db;
    let asked = webhook.and_then(|id| id.parse().ok());
    // Another organization's webhook is no filter either.
    let (webhooks, webhook_id) = health::webhook_choices(db, scope, asked).await?;
    let filter = health::Filter {
        webhook_id,
        series: status.as_deref().and_then(health::Series::parse),
        event_type: event_type.filter(|kind| is_event_type(kind)),
        day: day.as_deref().and_then(start_of_day),
    };
    let health = health::of(db, scope, &filter, now_millis()).await?;
    Ok(DeliveryHealth {
        filter: HealthFilter {
            webhook: filter.webhook_id,
            status: filter.series.map_or("", |s| s.as_str()).to_owned(),
            event_type: filter.event_type.unwrap_or_default(),
            day: day.filter(|_| filter.day.is_some()).unwrap_or_default(),
        },
        webhooks,
        hours: health
            .hours
            .iter()
            .enumerate()
            .map(|(n, hour)| HourOfAttempts {
                start: context::timestamp(health.since + n as i64 * health::HOUR_MS),
                delivered: hour.delivered,
                retried: hour.retried,
                dead: hour.dead,
                held: hour.held,
            })
            .collect(),
        failing: health.failing,
        waiting: health.waiting,
        oldest_waiting: health
            .oldest_waiting
            .map(|(id, name, at)| (id, name, context::timestamp(at))),
    })
}

/// The first millisecond of a day written `YYYY-MM-DD` (UTC).
#[cfg(feature = "ssr")]
fn start_of_day(day: &str) -> Option<i64> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = time::Date::parse(day, &format).ok()?;
    Some(date.midnight().assume_utc().unix_timestamp() * 1000)
}
