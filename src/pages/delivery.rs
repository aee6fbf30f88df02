//! A delivery's own page: what became of it, each attempt with Slack's
//! answer in plain words, the message that was sent, and Redeliver (a plain
//! form) when it was given up or held.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::common::{take_rejection_of, AddressNotice, ErrorPanel, Loading};
use crate::shared::error::AppError;
use crate::shared::wire::{AttemptRow, DeliveryDetail};

/// `/webhooks/{webhook}/deliveries/{delivery}`
pub fn delivery_href(webhook_id: i64, delivery_id: i64) -> String {
    format!("/webhooks/{webhook_id}/deliveries/{delivery_id}")
}

#[component]
pub fn DeliveryPage() -> impl IntoView {
    let params = use_params_map();
    let ids = move || {
        let params = params.read();
        let number = |name| params.get(name).and_then(|id| id.parse::<i64>().ok());
        number("id").zip(number("delivery"))
    };
    let delivery = Resource::new(ids, |ids| async move {
        let (webhook_id, id) = ids.ok_or(AppError::NotFound)?;
        let detail = get_delivery(webhook_id, id).await?;
        Ok::<_, AppError>((detail, take_rejection_of::<RedeliverDelivery>().await))
    });
    view! {
        <Title text="Delivery · Webhook admin"/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match delivery.await {
                    Ok((detail, rejected)) => view! {
                        <AddressNotice/>
                        <DeliveryCard detail rejected/>
                    }
                    .into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn DeliveryCard(detail: DeliveryDetail, rejected: Option<AppError>) -> impl IntoView {
    let DeliveryDetail {
        webhook_id,
        webhook_name,
        webhook_active,
        id,
        event_type,
        status,
        created,
        next_attempt,
        attempts,
        message,
    } = detail;
    let may_redeliver = webhook_active && (status == "dead" || status == "held");
    let status_class = format!("status status-{status}");
    view! {
        <section class="card narrow" aria-labelledby="delivery-title">
            <p><a href=format!("/webhooks/{webhook_id}#deliveries-title")>{format!("← {webhook_name}")}</a></p>
            <h1 id="delivery-title">{format!("Delivery {id}: {event_type}")}</h1>
            <dl class="facts">
                <dt>"Status"</dt>
                <dd><span class=status_class>{status}</span></dd>
                <dt>"Queued"</dt>
                <dd><time datetime=created.machine>{created.human}</time></dd>
                {next_attempt.map(|next| view! {
                    <dt>"Next attempt"</dt>
                    <dd><time datetime=next.machine>{next.human}</time></dd>
                })}
            </dl>
            <p class="form-error" role="alert">{rejected.map(|error| error.to_string())}</p>
            {may_redeliver.then(|| view! {
                <form action=RedeliverDelivery::url() method="post">
                    <input type="hidden" name="webhook_id" value=webhook_id.to_string()/>
                    <input type="hidden" name="id" value=id.to_string()/>
                    <button type="submit" class="button">"Redeliver"</button>
                </form>
            })}
        </section>
        <section class="card narrow" aria-labelledby="attempts-title">
            <h2 id="attempts-title">"Attempts"</h2>
            {if attempts.is_empty() {
                view! { <p class="muted">"Not sent yet."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="deliveries">
                            <caption class="visually-hidden">"Attempts of this delivery"</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"When"</th>
                                    <th scope="col">"Took"</th>
                                    <th scope="col">"HTTP status"</th>
                                    <th scope="col">"Slack's answer"</th>
                                </tr>
                            </thead>
                            <tbody>{attempts.into_iter().map(|attempt| view! { <AttemptLine attempt/> }).collect_view()}</tbody>
                        </table>
                    </div>
                }
                .into_any()
            }}
        </section>
        <section class="card narrow" aria-labelledby="message-title">
            <h2 id="message-title">"Message"</h2>
            <pre class="message">{message}</pre>
        </section>
    }
}

#[component]
fn AttemptLine(attempt: AttemptRow) -> impl IntoView {
    view! {
        <tr>
            <td data-label="When"><time datetime=attempt.at.machine>{attempt.at.human}</time></td>
            <td data-label="Took">{format!("{} ms", attempt.duration_ms)}</td>
            <td data-label="HTTP status">{attempt.http_status.map_or_else(|| "none".to_owned(), |s| s.to_string())}</td>
            <td data-label="Slack's answer">{attempt.answer}</td>
        </tr>
    }
}

// Server functions: run on the server; the browser calls them over HTTP.

#[cfg(feature = "ssr")]
use crate::server::{browser::context, delivery::deliveries, webhooks};
#[cfg(feature = "ssr")]
use crate::shared::notices::Notice;

/// A delivery of the webhook, its attempts and its message.
#[server]
pub async fn get_delivery(webhook_id: i64, id: i64) -> Result<DeliveryDetail, AppError> {
    use crate::shared::slack_answers::explain;

    let scope = context::webhook_scope().await?;
    let db = &context::state()?.db;
    let webhook = webhooks::get(db, scope, webhook_id).await?;
    let (delivery, message, attempts) = deliveries::get(db, scope, webhook_id, id).await?;
    let message = serde_json::from_str::<serde_json::Value>(&message)
        .and_then(|value| serde_json::to_string_pretty(&value))
        .unwrap_or(message);
    Ok(DeliveryDetail {
        webhook_id,
        webhook_name: webhook.name,
        webhook_active: webhook.active,
        id: delivery.id,
        event_type: delivery.event_type,
        status: delivery.status.as_str().to_owned(),
        created: context::timestamp(delivery.created_at),
        next_attempt: delivery.next_attempt_at.map(context::timestamp),
        attempts: attempts
            .iter()
            .map(|a| AttemptRow {
                at: context::timestamp(a.at),
                duration_ms: a.duration_ms,
                http_status: a.http_status,
                answer: explain(&a.outcome, a.http_status, a.error.as_deref()),
            })
            .collect(),
        message,
    })
}

/// Puts a given-up or held delivery back in its webhook's queue, in its
/// event's place; back to its page.
#[server]
pub async fn redeliver_delivery(webhook_id: i64, id: i64) -> Result<(), AppError> {
    use crate::server::clock::now_millis;

    let scope = context::webhook_scope().await?;
    let state = context::state()?;
    deliveries::redeliver(&state.db, scope, webhook_id, id, now_millis()).await?;
    state.delivery_wake.now();
    leptos_axum::redirect(&Notice::Redelivered.delivery_href(&delivery_href(webhook_id, id)));
    Ok(())
}
