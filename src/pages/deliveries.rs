//! A webhook's deliveries on its page: the latest first, what became of
//! each and Slack's last answer in plain words, a page at a time with
//! plain links.

use leptos::prelude::*;

use crate::shared::error::AppError;
use crate::shared::wire::{DeliveryList, DeliveryRow};

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
    } = list;
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
                    <tbody>{rows.into_iter().map(|row| view! { <DeliveryLine row/> }).collect_view()}</tbody>
                </table>
            </div>
        }
    });
    let href = move |n: i64| format!("/webhooks/{id}?deliveries_page={n}#deliveries-title");
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
    view! {
        <section class="card narrow" aria-labelledby="deliveries-title">
            <h2 id="deliveries-title">"Deliveries"</h2>
            {(count == 0).then(|| view! { <p class="muted">"No events have been sent to this webhook yet."</p> })}
            {table}
            {pages}
        </section>
    }
    .into_any()
}

#[component]
fn DeliveryLine(row: DeliveryRow) -> impl IntoView {
    let status_class = format!("status status-{}", row.status);
    view! {
        <tr>
            <td data-label="When"><time datetime=row.created.machine>{row.created.human}</time></td>
            <td data-label="Event">{row.event_type}</td>
            <td data-label="Status"><span class=status_class>{row.status}</span></td>
            <td data-label="Attempts">{row.attempts}</td>
            <td data-label="Slack's answer">{row.answer}</td>
        </tr>
    }
}

// Server functions: run on the server; the browser calls them over HTTP.

#[cfg(feature = "ssr")]
use crate::server::{browser::context, delivery::deliveries, webhooks};

/// One page of a webhook's deliveries, newest first.
#[server]
pub async fn webhook_deliveries(id: i64, page: Option<String>) -> Result<DeliveryList, AppError> {
    use crate::shared::slack_answers::explain;

    let scope = context::webhook_scope().await?;
    let db = &context::state().db;
    let request = webhooks::PageRequest::from_query(page.as_deref(), None);
    let filter = deliveries::Filter::default();
    let page = deliveries::page(db, scope, id, &filter, request)
        .await
        .map_err(|error| match error {
            deliveries::DeliveryError::Webhook(error) => AppError::from(error),
            _ => AppError::NotFound,
        })?;
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
    })
}
