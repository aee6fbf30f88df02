//! The new-webhook and edit-webhook pages: the form (see `webhook_form`),
//! the URL revealed on request, and delete behind a confirmation.

use leptos::html;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::common::{rejection_of, CopyButton, ErrorPanel, Loading};
use super::webhook_form::WebhookForm;
use crate::error::AppError;
use crate::server_fns::{current_user, get_webhook, CreateWebhook, DeleteWebhook, UpdateWebhook};
use crate::views::{FormEcho, FormOriginals, WebhookRow};

#[component]
pub fn NewWebhookPage() -> impl IntoView {
    let me = Resource::new(|| (), |_| current_user());
    let rejected = rejection_of::<CreateWebhook>();
    view! {
        <Title text="New webhook · Webhook admin"/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let denied = match me.await {
                    Ok(Some(me)) => me.webhooks_denied,
                    Ok(None) => Some(AppError::NotSignedIn),
                    Err(error) => Some(error),
                };
                match denied {
                    None => view! { <NewWebhookForm rejected=rejected.await/> }.into_any(),
                    Some(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn NewWebhookForm(rejected: Option<AppError>) -> impl IntoView {
    let echo = match &rejected {
        Some(AppError::Invalid(_, echo)) => echo.clone(),
        _ => FormEcho {
            active: true,
            ..FormEcho::default()
        },
    };
    view! {
        <section class="card narrow">
            <h1>"New webhook"</h1>
            <WebhookForm
                action=CreateWebhook::url().to_owned()
                editing=false
                rejected
                echo
                url_hint=None
                hidden=Vec::new()
                submit_label="Create webhook".to_owned()
            />
        </section>
    }
}

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
    let webhook = Resource::new(
        move || (id(), query.read().get("reveal").is_some()),
        |(id, reveal)| async move {
            match id {
                Some(id) => get_webhook(id, reveal).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    let rejected = rejection_of::<UpdateWebhook>();
    let confirming = move || query.read().get("confirm").as_deref() == Some("delete");
    view! {
        <Title text="Edit webhook · Webhook admin"/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match webhook.await {
                    Ok(detail) => view! {
                        <EditForm
                            webhook=detail.webhook
                            revealed_url=detail.full_url.map(|url| url.0)
                            confirming=confirming()
                            rejected=rejected.await
                        />
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
        },
    };
    let id = webhook.id;
    // What the form started from: the server saves only the fields that differ.
    let originals = FormOriginals {
        original_name: webhook.name.clone(),
        original_description: webhook.description.clone(),
        original_active: webhook.active,
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
