//! Create and edit. Each field is checked by the shared validation module
//! as the user types or leaves it, with the API's exact words; a form with
//! an invalid field is not sent. Errors the server still finds land on
//! their fields. Without JavaScript the same forms post to the same server
//! functions and the page comes back with the errors.

use leptos::html;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::common::{use_hydrated, ErrorPanel, Loading};
use crate::server_fns::{current_user, get_webhook, CreateWebhook, DeleteWebhook, UpdateWebhook};
use crate::validation::{Description, Field, FieldErrors, Name, SlackUrl};
use crate::views::{AppError, FormEcho, WebhookRow};

#[component]
pub fn NewWebhookPage() -> impl IntoView {
    let me = Resource::new(|| (), |_| current_user());
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
                    None => view! { <NewWebhookForm/> }.into_any(),
                    Some(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn NewWebhookForm() -> impl IntoView {
    let create = ServerAction::<CreateWebhook>::new();
    let server_result = Signal::derive(move || create.value().get().and_then(Result::err));
    // Sent without JavaScript, a rejected form comes back through the page
    // address: fill it in again from what the server echoed.
    let echo = match create.value().get_untracked() {
        Some(Err(AppError::Invalid(_, echo))) => echo,
        _ => FormEcho {
            active: true,
            ..FormEcho::default()
        },
    };
    let fields = FormFields::new(false);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Some(values) = fields.check_all() {
            create.dispatch(CreateWebhook {
                name: values.name,
                url: values.url,
                description: values.description,
                active: values.active.then(|| "true".to_owned()),
            });
        }
    };
    view! {
        <section class="card narrow">
            <h1>"New webhook"</h1>
            <form
                action=CreateWebhook::url()
                method="post"
                class="form"
                novalidate
                on:submit=on_submit
            >
                <FieldsView fields server_result echo url_hint=None/>
                <div class="actions">
                    <button type="submit" class="button" disabled=move || create.pending().get()>
                        "Create webhook"
                    </button>
                    <a class="button secondary" href="/webhooks">"Cancel"</a>
                </div>
            </form>
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
    let confirming = move || query.read().get("confirm").as_deref() == Some("delete");
    view! {
        <Title text="Edit webhook · Webhook admin"/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match webhook.await {
                    Ok(detail) => view! {
                        <EditForm webhook=detail.webhook revealed_url=detail.full_url confirming=confirming()/>
                    }
                    .into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn EditForm(webhook: WebhookRow, revealed_url: Option<String>, confirming: bool) -> impl IntoView {
    let update = ServerAction::<UpdateWebhook>::new();
    let server_result = Signal::derive(move || update.value().get().and_then(Result::err));
    let echo = match update.value().get_untracked() {
        Some(Err(AppError::Invalid(_, echo))) => echo,
        _ => FormEcho {
            name: webhook.name.clone(),
            description: webhook.description.clone(),
            active: webhook.active,
        },
    };
    let fields = FormFields::new(true);
    let id = webhook.id;
    let original = (
        webhook.name.clone(),
        webhook.description.clone(),
        webhook.active.to_string(),
    );
    let on_submit = {
        let original = original.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if let Some(values) = fields.check_all() {
                update.dispatch(UpdateWebhook {
                    id,
                    name: values.name,
                    url: values.url,
                    description: values.description,
                    active: values.active.then(|| "true".to_owned()),
                    original_name: original.0.clone(),
                    original_description: original.1.clone(),
                    original_active: original.2.clone(),
                });
            }
        }
    };
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
            <form action=UpdateWebhook::url() method="post" class="form" novalidate on:submit=on_submit>
                <input type="hidden" name="id" value=id.to_string()/>
                <input type="hidden" name="original_name" value=original.0/>
                <input type="hidden" name="original_description" value=original.1/>
                <input type="hidden" name="original_active" value=original.2/>
                <FieldsView fields server_result echo url_hint=Some(url_hint)/>
                <div class="actions">
                    <button type="submit" class="button" disabled=move || update.pending().get()>
                        "Save changes"
                    </button>
                    <a class="button secondary" href="/webhooks">"Cancel"</a>
                </div>
            </form>
            <DeleteControl id name=webhook.name confirming/>
        </section>
    }
}

/// The full URL only on request (`?reveal=1`, a plain link), with a copy
/// button once JavaScript runs.
#[component]
fn RevealUrl(id: i64, masked: String, revealed_url: Option<String>) -> impl IntoView {
    let hydrated = use_hydrated();
    let (copied, set_copied) = signal(false);
    match revealed_url {
        Some(url) => {
            let copy = {
                let url = url.clone();
                move |_| {
                    #[cfg(feature = "hydrate")]
                    {
                        let _ = window().navigator().clipboard().write_text(&url);
                    }
                    #[cfg(not(feature = "hydrate"))]
                    let _ = &url;
                    set_copied.set(true);
                }
            };
            view! {
                <div class="reveal">
                    <p class="reveal-label">"Slack webhook URL (keep it secret)"</p>
                    <code class="full-url" id="full-url">{url}</code>
                    <div class="actions">
                        <Show when=move || hydrated.get()>
                            <button type="button" class="button secondary small" on:click=copy.clone()>
                                "Copy URL"
                            </button>
                        </Show>
                        <a class="button secondary small" href=format!("/webhooks/{id}")>"Hide URL"</a>
                        <span role="status" class="copied">{move || copied.get().then_some("Copied.")}</span>
                    </div>
                </div>
            }
            .into_any()
        }
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
#[component]
fn DeleteControl(id: i64, name: String, confirming: bool) -> impl IntoView {
    let delete = ServerAction::<DeleteWebhook>::new();
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
                <ActionForm action=delete>
                    <input type="hidden" name="id" value=id.to_string()/>
                    <div class="actions">
                        <button type="submit" class="button danger">"Delete webhook"</button>
                        <a class="button secondary" href=format!("/webhooks/{id}") on:click=close_dialog>
                            "Cancel"
                        </a>
                    </div>
                </ActionForm>
            </dialog>
        </div>
    }
}

/// The values of a form that passed every check.
struct Values {
    name: String,
    url: String,
    description: String,
    active: bool,
}

/// The inputs of a webhook form and the messages shown on them.
#[derive(Clone, Copy)]
struct FormFields {
    editing: bool,
    name: NodeRef<html::Input>,
    url: NodeRef<html::Input>,
    description: NodeRef<html::Textarea>,
    active: NodeRef<html::Input>,
    errors: RwSignal<FieldErrors>,
}

impl FormFields {
    fn new(editing: bool) -> Self {
        FormFields {
            editing,
            name: NodeRef::new(),
            url: NodeRef::new(),
            description: NodeRef::new(),
            active: NodeRef::new(),
            errors: RwSignal::new(FieldErrors::default()),
        }
    }

    /// The shared rule for one field; editing keeps the URL when it is blank.
    fn messages(&self, field: Field, value: &str) -> Option<Vec<String>> {
        match field {
            Field::Name => Name::parse(value).err(),
            Field::Url if self.editing && value.trim().is_empty() => None,
            Field::Url => SlackUrl::parse(value).err(),
            Field::Description => Description::parse(value).err(),
            Field::Active => None,
        }
    }

    fn check(&self, field: Field, value: &str) {
        let messages = self.messages(field, value);
        self.errors.update(|errors| errors.set(field, messages));
    }

    /// Checks every field; moves focus to the first invalid one.
    fn check_all(&self) -> Option<Values> {
        let values = Values {
            name: self.name.get().map(|i| i.value()).unwrap_or_default(),
            url: self.url.get().map(|i| i.value()).unwrap_or_default(),
            description: self
                .description
                .get()
                .map(|t| t.value())
                .unwrap_or_default(),
            active: self.active.get().map(|i| i.checked()).unwrap_or(true),
        };
        self.check(Field::Name, &values.name);
        self.check(Field::Url, &values.url);
        self.check(Field::Description, &values.description);
        let first_invalid = self
            .errors
            .with_untracked(|e| e.iter().next().map(|(field, _)| field));
        match first_invalid {
            None => Some(values),
            Some(field) => {
                let _ = match field {
                    Field::Name => self.name.get().map(|i| i.focus()),
                    Field::Url => self.url.get().map(|i| i.focus()),
                    Field::Description => self.description.get().map(|t| t.focus()),
                    Field::Active => None,
                };
                None
            }
        }
    }
}

#[component]
fn FieldsView(
    fields: FormFields,
    server_result: Signal<Option<AppError>>,
    echo: FormEcho,
    url_hint: Option<String>,
) -> impl IntoView {
    // The server's verdict replaces whatever the browser showed before.
    if let Some(AppError::Invalid(errors, _)) = server_result.get_untracked() {
        fields.errors.set(errors);
    }
    Effect::new(move |_| {
        if let Some(AppError::Invalid(errors, _)) = server_result.get() {
            fields.errors.set(errors);
        }
    });
    let form_error = move || match server_result.get() {
        Some(AppError::Invalid(..)) | None => None,
        Some(other) => Some(other.to_string()),
    };
    let messages =
        move |field: Field| move || fields.errors.with(|e| e.get(field).map(|m| m.join(" ")));
    let invalid =
        move |field: Field| move || fields.errors.with(|e| e.get(field).is_some()).to_string();
    let described = |field: Field, hint: bool| {
        let id = field.as_str();
        if hint {
            format!("{id}-hint {id}-error")
        } else {
            format!("{id}-error")
        }
    };
    view! {
        <p class="form-error" role="alert">{form_error}</p>
        <div class="field">
            <label for="name">"Name"</label>
            <input
                id="name"
                name="name"
                type="text"
                autocomplete="off"
                value=echo.name
                node_ref=fields.name
                aria-invalid=invalid(Field::Name)
                aria-describedby=described(Field::Name, false)
                on:input=move |ev| fields.check(Field::Name, &event_target_value(&ev))
                on:blur=move |ev| fields.check(Field::Name, &event_target_value(&ev))
            />
            <p class="error" id="name-error">{messages(Field::Name)}</p>
        </div>
        <div class="field">
            <label for="url">"Slack webhook URL"</label>
            <input
                id="url"
                name="url"
                type="url"
                autocomplete="off"
                spellcheck="false"
                placeholder="https://hooks.slack.com/services/…"
                node_ref=fields.url
                aria-invalid=invalid(Field::Url)
                aria-describedby=described(Field::Url, true)
                on:input=move |ev| fields.check(Field::Url, &event_target_value(&ev))
                on:blur=move |ev| fields.check(Field::Url, &event_target_value(&ev))
            />
            <p class="hint" id="url-hint">
                {url_hint.unwrap_or_else(|| "From Slack: Apps › Incoming Webhooks. Starts with https://hooks.slack.com/services/.".to_owned())}
            </p>
            <p class="error" id="url-error">{messages(Field::Url)}</p>
        </div>
        <div class="field">
            <label for="description">"Description"</label>
            <textarea
                id="description"
                name="description"
                rows="3"
                node_ref=fields.description
                aria-invalid=invalid(Field::Description)
                aria-describedby=described(Field::Description, false)
                on:input=move |ev| fields.check(Field::Description, &event_target_value(&ev))
                on:blur=move |ev| fields.check(Field::Description, &event_target_value(&ev))
            >
                {echo.description}
            </textarea>
            <p class="error" id="description-error">{messages(Field::Description)}</p>
        </div>
        <div class="field checkbox">
            <input id="active" name="active" type="checkbox" value="true" checked=echo.active node_ref=fields.active/>
            <label for="active">"Active"</label>
        </div>
    }
}
