//! The edit-webhook page: the form (see `form`), the URL revealed on
//! request, a test message, the webhook's history, and delete behind a
//! confirmation.

use leptos::html;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::super::common::{take_rejection_of, AddressNotice, CopyButton, ErrorPanel, Loading};
use super::super::deliveries::{webhook_deliveries, webhook_held, HeldBanner, WebhookDeliveries};
use super::super::history::{webhook_history, HistoryTable};
use super::form::WebhookForm;
use crate::shared::error::AppError;
use crate::shared::forms::{FormEcho, FormOriginals, Secret};
use crate::shared::validation::subscription::subscriptions_to_text;
use crate::shared::wire::{HistoryList, WebhookDetail, WebhookRow};

#[component]
pub fn EditWebhookPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    };
    // The history after the webhook (a reveal is recorded by that very
    // read), then what the page's last forms were refused for.
    let webhook = Resource::new(
        move || {
            let q = query.read();
            let deliveries = (
                q.get("deliveries_page"),
                q.get("status"),
                q.get("event_type"),
            );
            (
                id(),
                q.get("reveal").is_some(),
                (q.get("history_page"), deliveries),
            )
        },
        |(id, reveal, (history_page, (deliveries_page, status, event_type)))| async move {
            let Some(id) = id else {
                return Err(AppError::NotFound);
            };
            let detail = get_webhook(id, reveal).await?;
            let history = webhook_history(id, history_page).await;
            let deliveries = (
                webhook_held(id).await?,
                webhook_deliveries(id, deliveries_page, status, event_type).await,
            );
            let rejected = take_rejection_of::<UpdateWebhook>().await;
            let test_rejected = take_rejection_of::<SendTestMessage>().await;
            Ok((detail, (history, deliveries), rejected, test_rejected))
        },
    );
    let confirming = move || query.read().get("confirm").as_deref() == Some("delete");
    view! {
        <Title text="Edit webhook · Webhook admin"/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match webhook.await {
                    Ok((detail, (history, deliveries), rejected, test_rejected)) => view! {
                        <AddressNotice/>
                        <HeldBanner id=detail.webhook.id held=deliveries.0.clone()/>
                        <EditForm
                            webhook=detail.webhook.clone()
                            subscriptions=subscriptions_to_text(&detail.subscriptions)
                            revealed_url=detail.full_url.map(|url| url.0)
                            confirming=confirming()
                            rejected
                        />
                        <TestMessage id=detail.webhook.id rejected=test_rejected/>
                        <WebhookDeliveries id=detail.webhook.id deliveries=deliveries.1/>
                        <WebhookHistory id=detail.webhook.id history/>
                    }
                    .into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn EditForm(
    webhook: WebhookRow,
    subscriptions: String,
    revealed_url: Option<String>,
    confirming: bool,
    rejected: Option<AppError>,
) -> impl IntoView {
    let echo = match &rejected {
        Some(AppError::Invalid(_, echo)) => echo.clone(),
        _ => FormEcho {
            name: webhook.name.clone(),
            description: webhook.description.clone(),
            active: webhook.active,
            subscriptions: subscriptions.clone(),
        },
    };
    let id = webhook.id;
    // Someone saved it after this form was loaded: the page shows their
    // version now; say so, with a way to load it afresh.
    let stale = matches!(rejected, Some(AppError::Stale));
    let rejected = rejected.filter(|error| !matches!(error, AppError::Stale));
    // What the form started from: the server saves only the fields that differ.
    let originals = FormOriginals {
        original_name: webhook.name.clone(),
        original_description: webhook.description.clone(),
        original_active: webhook.active,
        original_version: webhook.version,
        original_subscriptions: subscriptions,
    };
    let hidden = std::iter::once(("id", id.to_string()))
        .chain(originals.hidden_fields())
        .map(|(name, value)| (name.to_owned(), value))
        .collect();
    let url_hint = format!("Currently {}. Leave blank to keep it.", webhook.masked_url);
    view! {
        <section class="card narrow">
            <h1>{format!("Edit “{}”", webhook.name)}</h1>
            <dl class="meta">
                <dt>"Created"</dt>
                <dd><time datetime=webhook.created.machine.clone()>{webhook.created.human.clone()}</time></dd>
                <dt>"Updated"</dt>
                <dd><time datetime=webhook.updated.machine.clone()>{webhook.updated.human.clone()}</time></dd>
            </dl>
            <RevealUrl id masked=webhook.masked_url.clone() revealed_url/>
            {stale.then(|| view! {
                <p class="form-error" role="alert">
                    {AppError::Stale.to_string()} " "
                    <a href=format!("/webhooks/{id}")>"Reload"</a>
                </p>
            })}
            <WebhookForm
                action=UpdateWebhook::url().to_owned()
                editing=true
                rejected
                echo
                url_hint=Some(url_hint)
                hidden
                submit_label="Save changes".to_owned()
            />
            <DeleteControl id name=webhook.name action=DeleteWebhook::url().to_owned() confirming/>
        </section>
    }
}

/// "Send test message": a plain form; what Slack said comes back as the
/// page's notice or as this form's error.
#[component]
fn TestMessage(id: i64, rejected: Option<AppError>) -> impl IntoView {
    view! {
        <section class="card narrow" aria-labelledby="test-title">
            <h2 id="test-title">"Test message"</h2>
            <p class="muted">"Posts a short message naming this webhook and you to its Slack channel."</p>
            <p class="form-error" role="alert">{rejected.map(|error| error.to_string())}</p>
            <form action=SendTestMessage::url() method="post">
                <input type="hidden" name="id" value=id.to_string()/>
                <button type="submit" class="button secondary">"Send test message"</button>
            </form>
        </section>
    }
}

#[component]
fn WebhookHistory(id: i64, history: Result<HistoryList, AppError>) -> impl IntoView {
    view! {
        <section class="card narrow" aria-labelledby="history-title">
            <h2 id="history-title">"History"</h2>
            {match history {
                Ok(list) => view! {
                    <HistoryTable
                        list
                        with_webhook=false
                        caption="History of this webhook"
                        page_href=format!("/webhooks/{id}?history_page=")
                    />
                }
                .into_any(),
                Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
            }}
        </section>
    }
}

/// The full URL only on request (`?reveal=1`, a plain link), with a copy
/// button where JavaScript runs.
#[component]
fn RevealUrl(id: i64, masked: String, revealed_url: Option<String>) -> impl IntoView {
    match revealed_url {
        Some(url) => view! {
            <div class="reveal">
                <p class="reveal-label">"Slack webhook URL (keep it secret)"</p>
                <code class="full-url" id="full-url">{url.clone()}</code>
                <div class="actions">
                    <CopyButton text=url label="Copy URL".to_owned()/>
                    <a class="button secondary small" href=format!("/webhooks/{id}")>"Hide URL"</a>
                </div>
            </div>
        }
        .into_any(),
        None => view! {
            <div class="reveal">
                <p class="reveal-label">"Slack webhook URL"</p>
                <code class="masked">{masked}</code>
                <div class="actions">
                    <a class="button secondary small" href=format!("/webhooks/{id}?reveal=1")>"Reveal URL"</a>
                </div>
            </div>
        }
        .into_any(),
    }
}

/// Delete behind a confirmation: a modal dialog with JavaScript, the same
/// dialog on a reloaded page (`?confirm=delete`) without.
#[island]
fn DeleteControl(id: i64, name: String, action: String, confirming: bool) -> impl IntoView {
    let dialog = NodeRef::<html::Dialog>::new();
    let open_dialog = move |ev: leptos::ev::SubmitEvent| {
        if let Some(dialog) = dialog.get() {
            ev.prevent_default();
            let _ = dialog.show_modal();
        }
    };
    let close_dialog = move |ev: leptos::ev::MouseEvent| {
        if let Some(dialog) = dialog.get() {
            ev.prevent_default();
            dialog.close();
        }
    };
    view! {
        <div class="danger-zone">
            <form method="get" action=format!("/webhooks/{id}") on:submit=open_dialog>
                <input type="hidden" name="confirm" value="delete"/>
                <button type="submit" class="button danger" hidden=confirming>"Delete"</button>
            </form>
            <dialog node_ref=dialog class="dialog" aria-labelledby="delete-title" open=confirming>
                <h2 id="delete-title">"Delete this webhook?"</h2>
                <p>{format!("“{name}” will stop receiving events. This cannot be undone.")}</p>
                <form action=action method="post">
                    <input type="hidden" name="id" value=id.to_string()/>
                    <div class="actions">
                        <button type="submit" class="button danger">"Delete webhook"</button>
                        <a class="button secondary" href=format!("/webhooks/{id}") on:click=close_dialog>
                            "Cancel"
                        </a>
                    </div>
                </form>
            </dialog>
        </div>
    }
}

// Server functions: run on the server; the browser calls them over HTTP.

#[cfg(feature = "ssr")]
use crate::server::{browser::context, webhooks};
#[cfg(feature = "ssr")]
use crate::shared::notices::Notice;
#[cfg(feature = "ssr")]
use crate::shared::validation::{keeps_stored_url, validate_edit_form, Input, WebhookInput};

/// One webhook; with its full URL only when `reveal` is set, for the one
/// page that shows it on request (the reveal goes into its history).
#[server]
pub async fn get_webhook(id: i64, reveal: bool) -> Result<WebhookDetail, AppError> {
    let scope = context::webhook_scope().await?;
    let db = &context::state()?.db;
    let webhook = if reveal {
        webhooks::reveal(db, scope, id).await?
    } else {
        webhooks::get(db, scope, id).await?
    };
    Ok(WebhookDetail {
        webhook: context::webhook_row(&webhook),
        full_url: reveal.then(|| Secret(webhook.url.as_str().to_owned())),
        subscriptions: webhooks::subscriptions::get(db, scope, id).await?,
    })
}

/// Saves only what changed since the form was loaded (PATCH semantics), so
/// someone else's edit of another field is kept. A blank URL keeps the URL.
/// The event types, when their set changed, are replaced in the same
/// transaction.
#[server]
pub async fn update_webhook(
    id: i64,
    name: String,
    url: Secret,
    description: String,
    active: Option<String>,
    subscriptions: Option<String>,
    #[server(flatten)] original: FormOriginals,
) -> Result<(), AppError> {
    let scope = context::webhook_scope().await?;
    let active = active.is_some();
    let typed = subscriptions.unwrap_or_default();
    let echo = FormEcho {
        subscriptions: typed.clone(),
        ..FormEcho::new(&name, &description, active)
    };
    let input = WebhookInput {
        name: changed(&name, &original.original_name, || {
            Input::text(name.as_str())
        }),
        url: if keeps_stored_url(&url.0) {
            Input::Missing
        } else {
            Input::Text(url.0)
        },
        description: changed(&description, &original.original_description, || {
            Input::text(description.as_str())
        }),
        active: changed(&active, &original.original_active, || Input::Bool(active)),
    };
    let changes = validate_edit_form(&input, &typed, &original.original_subscriptions)
        .map_err(|errors| AppError::Invalid(errors, echo))?;
    // Only onto the version this form was loaded with: never over someone
    // else's save.
    let loaded = webhooks::Precondition::one_of(vec![original.original_version]);
    webhooks::update(&context::state()?.db, scope, id, &changes, &loaded).await?;
    leptos_axum::redirect(&Notice::Saved.list_href());
    Ok(())
}

/// A field's input when it differs from what the form was loaded with.
#[cfg(feature = "ssr")]
fn changed<T: PartialEq + ?Sized>(now: &T, before: &T, input: impl FnOnce() -> Input) -> Input {
    if now == before {
        Input::Missing
    } else {
        input()
    }
}

#[server]
pub async fn delete_webhook(id: i64) -> Result<(), AppError> {
    let scope = context::webhook_scope().await?;
    webhooks::delete(
        &context::state()?.db,
        scope,
        id,
        &webhooks::Precondition::none(),
    )
    .await?;
    leptos_axum::redirect(&Notice::Deleted.list_href());
    Ok(())
}

/// Sends a test message to the webhook's Slack URL. Delivered: back to the
/// webhook's page with a notice; not: the reason, as the form's error.
#[server]
pub async fn send_test_message(id: i64) -> Result<(), AppError> {
    let scope = context::webhook_scope().await?;
    let state = context::state()?;
    let delivery = webhooks::test_message::send(&state.db, &state.slack, scope, id).await?;
    if !delivery.delivered {
        let why = delivery.error.unwrap_or_default();
        return Err(AppError::TestNotDelivered(match delivery.status {
            Some(status) => format!("Slack answered {status}: {why}"),
            None => format!("No answer from Slack: {why}"),
        }));
    }
    leptos_axum::redirect(&Notice::TestDelivered.webhook_href(id));
    Ok(())
}
