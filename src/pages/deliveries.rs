//! A webhook's deliveries on its page: why the engine turned it off and
//! what it holds, with the choice to send or discard that (plain forms);
//! then the latest deliveries, what became of each and Slack's last answer
//! in plain words, a page at a time with plain links.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use super::delivery::delivery_href;
use crate::shared::error::AppError;
use crate::shared::wire::{DeliveryList, DeliveryRow, HeldDeliveries};

/// Why the webhook was turned off and what it holds; nothing when it holds
/// nothing and was not turned off by the engine.
#[component]
pub fn HeldBanner(id: i64, held: Option<HeldDeliveries>) -> impl IntoView {
    let held = held?;
    let messages = if held.count == 1 {
        "message is"
    } else {
        "messages are"
    };
    let why = held.turned_off.map(|(why, since)| {
        view! {
            <h2 id="held-title">"Turned off by delivery"</h2>
            <p>
                "Since " <time datetime=since.machine>{since.human}</time> ": " {why} "."
            </p>
        }
    });
    let title = why
        .is_none()
        .then(|| view! { <h2 id="held-title">"Held messages"</h2> });
    let (send, discard) = if held.active {
        ("Send the held messages", "Discard them")
    } else {
        (
            "Reactivate and send the held messages",
            "Reactivate and discard them",
        )
    };
    let choice = move |label: &'static str, choice: &'static str, class: &'static str| {
        view! {
            <form action=ReleaseHeld::url() method="post">
                <input type="hidden" name="id" value=id.to_string()/>
                <input type="hidden" name="choice" value=choice/>
                <button type="submit" class=class>{label}</button>
            </form>
        }
    };
    Some(view! {
        <section class="card narrow held" aria-labelledby="held-title">
            {why}
            {title}
            <p>{format!("{} {messages} held until you choose. ", held.count)}
                "Fix the cause first (a new URL, an unarchived channel), then:"</p>
            <div class="actions">
                {choice(send, "send", "button")}
                {choice(discard, "discard", "button secondary")}
            </div>
        </section>
    })
}

#[component]
pub fn WebhookDeliveries(id: i64, deliveries: Result<DeliveryList, AppError>) -> impl IntoView {
    let list = match deliveries {
        Ok(list) => list,
        Err(error) => {
            return view! {
                <section class="card narrow" aria-labelledby="deliveries-title">
                    <h2 id="deliveries-title">"Deliveries"</h2>
                    <p class="form-error" role="alert">{error.to_string()}</p>
                </section>
            }
            .into_any()
        }
    };
    let DeliveryList {
        count,
        page,
        num_pages,
        rows,
        status,
        event_type,
    } = list;
    let filtered = !status.is_empty() || !event_type.is_empty();
    let table = (count > 0).then(|| {
        view! {
            <div class="table-wrap">
                <table class="deliveries">
                    <caption class="visually-hidden">"Deliveries of this webhook"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"When"</th>
                            <th scope="col">"Event"</th>
                            <th scope="col">"Status"</th>
                            <th scope="col">"Attempts"</th>
                            <th scope="col">"Slack's answer"</th>
                        </tr>
                    </thead>
                    <tbody>{rows.into_iter().map(|row| view! { <DeliveryLine webhook_id=id row/> }).collect_view()}</tbody>
                </table>
            </div>
        }
    });
    // Both are URL-safe as they are (`a-z 0-9 . _`).
    let filters: String = [("status", &status), ("event_type", &event_type)]
        .iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(name, value)| format!("&{name}={value}"))
        .collect();
    let href =
        move |n: i64| format!("/webhooks/{id}?deliveries_page={n}{filters}#deliveries-title");
    let options = ["", "waiting", "delivered", "dead", "held"].map(|value| {
        let label = if value.is_empty() { "any" } else { value };
        view! { <option value=value selected=status == value>{label}</option> }
    });
    let filter_form = (count > 0 || filtered).then(|| {
        view! {
            <form method="get" action=format!("/webhooks/{id}#deliveries-title") class="inline-form">
                <label for="deliveries-status">"Status"</label>
                <select id="deliveries-status" name="status">{options.into_iter().collect_view()}</select>
                <label for="deliveries-type">"Event type"</label>
                <input id="deliveries-type" name="event_type" type="text" value=event_type.clone() placeholder="project.created"/>
                <button type="submit" class="button secondary small">"Filter"</button>
            </form>
        }
    });
    let pages = (num_pages > 1).then(|| {
        view! {
            <nav class="pagination" aria-label="Deliveries: pages">
                <ul>
                    <li>{(page > 1).then(|| view! { <a href=href(page - 1) rel="prev">"Newer"</a> })}</li>
                    <li>{format!("Page {page} of {num_pages}")}</li>
                    <li>{(page < num_pages).then(|| view! { <a href=href(page + 1) rel="next">"Older"</a> })}</li>
                </ul>
            </nav>
        }
    });
    let redeliver = (count > 0).then(|| {
        view! {
            <form action=RedeliverFailed::url() method="post" class="inline-form">
                <input type="hidden" name="id" value=id.to_string()/>
                <label for="failed-since">"Send again what failed in the last"</label>
                <select id="failed-since" name="hours">
                    <option value="1">"hour"</option>
                    <option value="24" selected>"24 hours"</option>
                    <option value="168">"7 days"</option>
                </select>
                <button type="submit" class="button secondary small">"Redeliver"</button>
            </form>
        }
    });
    view! {
        <section class="card narrow" aria-labelledby="deliveries-title">
            <h2 id="deliveries-title">"Deliveries"</h2>
            {filter_form}
            {(count == 0 && !filtered).then(|| view! { <p class="muted">"No events have been sent to this webhook yet."</p> })}
            {(count == 0 && filtered).then(|| view! { <p class="muted">"No delivery matches these filters."</p> })}
            {table}
            {pages}
            {redeliver}
        </section>
    }
    .into_any()
}

#[component]
fn DeliveryLine(webhook_id: i64, row: DeliveryRow) -> impl IntoView {
    let status_class = format!("status status-{}", row.status);
    view! {
        <tr>
            <td data-label="When"><time datetime=row.created.machine>{row.created.human}</time></td>
            <td data-label="Event"><a href=delivery_href(webhook_id, row.id)>{row.event_type}</a></td>
            <td data-label="Status"><span class=status_class>{row.status}</span></td>
            <td data-label="Attempts">{row.attempts}</td>
            <td data-label="Slack's answer">{row.answer}</td>
        </tr>
    }
}

// Server functions: run on the server; the browser calls them over HTTP.

#[cfg(feature = "ssr")]
use crate::server::{
    browser::context,
    delivery::{deliveries, held},
    webhooks,
};

/// The webhook's held deliveries and why it was turned off; `None` when
/// there is nothing to say.
#[server]
pub async fn webhook_held(id: i64) -> Result<Option<HeldDeliveries>, AppError> {
    use crate::shared::slack_answers::why_turned_off;

    let scope = context::webhook_scope().await?;
    let found = held::of(&context::state()?.db, scope, id).await?;
    let held = found.ok_or(AppError::NotFound)?;
    if held.count == 0 && held.turned_off.is_none() {
        return Ok(None);
    }
    Ok(Some(HeldDeliveries {
        active: held.active,
        count: held.count,
        turned_off: held
            .turned_off
            .map(|(reason, at)| (why_turned_off(&reason), context::timestamp(at))),
    }))
}

/// Turns the webhook on when it is off, then sends its held deliveries
/// again (`choice=send`) or discards them (`discard`); back to its page.
#[server]
pub async fn release_held(id: i64, choice: String) -> Result<(), AppError> {
    use crate::server::clock::now_millis;
    use crate::shared::notices::Notice;

    let (choice, notice) = match choice.as_str() {
        "send" => (held::Choice::Send, Notice::HeldSent),
        "discard" => (held::Choice::Discard, Notice::HeldDiscarded),
        _ => return Err(AppError::NotFound),
    };
    let scope = context::webhook_scope().await?;
    let state = context::state()?;
    held::release(&state.db, scope, id, choice, now_millis()).await?;
    state.delivery_wake.now();
    leptos_axum::redirect(&notice.webhook_href(id));
    Ok(())
}

/// Sends again every delivery of the webhook given up in the last `hours`
/// (1, 24 or 168), in order; back to its page.
#[server]
pub async fn redeliver_failed(id: i64, hours: i64) -> Result<(), AppError> {
    use crate::server::clock::now_millis;
    use crate::server::delivery::Status;
    use crate::shared::notices::Notice;

    if ![1, 24, 168].contains(&hours) {
        return Err(AppError::NotFound);
    }
    let scope = context::webhook_scope().await?;
    let state = context::state()?;
    let now = now_millis();
    let since = now - hours * 3_600_000;
    let sent = deliveries::redeliver_all(&state.db, scope, id, Status::Dead, since, now).await?;
    let notice = if sent == 0 {
        Notice::NothingFailed
    } else {
        state.delivery_wake.now();
        Notice::FailedRedelivered
    };
    leptos_axum::redirect(&notice.webhook_href(id));
    Ok(())
}

/// One page of a webhook's deliveries, newest first.
#[server]
pub async fn webhook_deliveries(
    id: i64,
    page: Option<String>,
    status: Option<String>,
    event_type: Option<String>,
) -> Result<DeliveryList, AppError> {
    use crate::shared::slack_answers::explain;
    use crate::shared::validation::event::is_event_type;

    let scope = context::webhook_scope().await?;
    let db = &context::state()?.db;
    let request = webhooks::PageRequest::from_query(page.as_deref(), None);
    // A filter that is not one (an unknown status, a malformed type) is no filter.
    let filter = deliveries::Filter {
        status: status
            .as_deref()
            .and_then(crate::server::delivery::Status::parse),
        event_type: event_type.filter(|kind| is_event_type(kind)),
    };
    let page = deliveries::page(db, scope, id, &filter, request).await?;
    let mut answers = deliveries::last_attempts(db, id, &page.items).await?;
    let rows = page
        .items
        .iter()
        .map(|delivery| DeliveryRow {
            id: delivery.id,
            event_type: delivery.event_type.clone(),
            status: delivery.status.as_str().to_owned(),
            attempts: delivery.attempts,
            created: context::timestamp(delivery.created_at),
            answer: answers.remove(&delivery.id).map_or_else(String::new, |a| {
                explain(&a.outcome, a.http_status, a.error.as_deref())
            }),
        })
        .collect();
    Ok(DeliveryList {
        count: page.count,
        page: page.number,
        num_pages: page.num_pages,
        rows,
        status: filter.status.map_or("", |s| s.as_str()).to_owned(),
        event_type: filter.event_type.unwrap_or_default(),
    })
}
