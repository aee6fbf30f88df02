//! Acting on the selected rows of the list: activate, deactivate, or delete
//! after a question that names them (a dialog with JavaScript, the list
//! asking again without).

use leptos::html;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::shared::error::AppError;

/// What a button of the bulk form asks for (its `action` value).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BulkAction {
    Activate,
    Deactivate,
    /// Asks first (the list comes back with the question).
    Delete,
    /// The question's answer.
    DeleteConfirmed,
}

impl BulkAction {
    const ALL: [BulkAction; 4] = [
        BulkAction::Activate,
        BulkAction::Deactivate,
        BulkAction::Delete,
        BulkAction::DeleteConfirmed,
    ];

    pub fn value(self) -> &'static str {
        match self {
            BulkAction::Activate => "activate",
            BulkAction::Deactivate => "deactivate",
            BulkAction::Delete => "delete",
            BulkAction::DeleteConfirmed => "delete_confirmed",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|action| action.value() == value)
    }
}

/// Activate, deactivate or delete the selected rows. With JavaScript a
/// delete asks in a dialog first, naming them (from the checkboxes'
/// labels); without, the server sends the list back with the same question.
#[island]
pub fn BulkActions() -> impl IntoView {
    let dialog = NodeRef::<html::Dialog>::new();
    let (selected, set_selected) = signal(Vec::<String>::new());
    let ask = move |ev: leptos::ev::MouseEvent| {
        #[cfg(feature = "hydrate")]
        {
            use leptos::wasm_bindgen::JsCast;
            let checked = ev
                .target()
                .and_then(|t| t.dyn_into::<leptos::web_sys::HtmlButtonElement>().ok())
                .and_then(|button| button.form())
                .and_then(|form| form.query_selector_all("input[type=checkbox]:checked").ok());
            let names: Vec<String> = checked
                .map(|nodes| {
                    (0..nodes.length())
                        .filter_map(|i| nodes.item(i))
                        .filter_map(|node| node.dyn_into::<leptos::web_sys::Element>().ok())
                        .filter_map(|checkbox| checkbox.get_attribute("aria-label"))
                        .map(|label| label.strip_prefix("Select ").unwrap_or(&label).to_owned())
                        .collect()
                })
                .unwrap_or_default();
            if !names.is_empty() {
                if let Some(dialog) = dialog.get() {
                    ev.prevent_default();
                    set_selected.set(names);
                    let _ = dialog.show_modal();
                }
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, set_selected);
    };
    let cancel = move |ev: leptos::ev::MouseEvent| {
        if let Some(dialog) = dialog.get() {
            ev.prevent_default();
            dialog.close();
        }
    };
    let count = move || selected.read().len();
    let noun = move || if count() == 1 { "webhook" } else { "webhooks" };
    view! {
        <div class="actions bulk-actions" role="group" aria-label="With the selected webhooks">
            <button type="submit" name="action" value=BulkAction::Activate.value() class="button secondary small">"Activate"</button>
            <button type="submit" name="action" value=BulkAction::Deactivate.value() class="button secondary small">"Deactivate"</button>
            <button type="submit" name="action" value=BulkAction::Delete.value() class="button danger small" on:click=ask>"Delete"</button>
        </div>
        <dialog node_ref=dialog class="dialog" aria-labelledby="bulk-delete-title">
            <h2 id="bulk-delete-title">{move || format!("Delete {} {}?", count(), noun())}</h2>
            <ul class="doomed">
                {move || selected.get().into_iter().map(|name| view! { <li>{name}</li> }).collect_view()}
            </ul>
            <p>"They will stop receiving events. This cannot be undone."</p>
            <div class="actions">
                <button type="submit" name="action" value=BulkAction::DeleteConfirmed.value() class="button danger">
                    {move || format!("Delete {} {}", count(), noun())}
                </button>
                <button type="button" class="button secondary" on:click=cancel>"Cancel"</button>
            </div>
        </dialog>
    }
}

/// The question a delete without JavaScript comes back with, naming the
/// webhooks it would delete.
#[component]
pub fn ConfirmBulkDelete(doomed: Vec<(i64, String)>, back: String) -> impl IntoView {
    let count = doomed.len();
    let noun = if count == 1 { "webhook" } else { "webhooks" };
    view! {
        <section class="card narrow" role="alertdialog" aria-labelledby="confirm-title">
            <h2 id="confirm-title">{format!("Delete {count} {noun}?")}</h2>
            <ul class="doomed">
                {doomed.iter().map(|(_, name)| view! { <li>{name.clone()}</li> }).collect_view()}
            </ul>
            <p>"They will stop receiving events. This cannot be undone."</p>
            <form method="post" action=BulkWebhooks::url()>
                {doomed
                    .iter()
                    .enumerate()
                    .map(|(index, (id, _))| view! { <input type="hidden" name=format!("ids[{index}]") value=id.to_string()/> })
                    .collect_view()}
                <input type="hidden" name="back" value=back.clone()/>
                <div class="actions">
                    <button type="submit" name="action" value=BulkAction::DeleteConfirmed.value() class="button danger">
                        {format!("Delete {count} {noun}")}
                    </button>
                    <a class="button secondary" href=back>"Cancel"</a>
                </div>
            </form>
        </section>
    }
}

// Server functions: run on the server; the browser calls them over HTTP.

#[cfg(feature = "ssr")]
use crate::server::{browser::context, webhooks};
#[cfg(feature = "ssr")]
use crate::shared::notices::Notice;

/// The organization's webhooks among `ids`, by id and name, in the order
/// asked (others, and repeats, are left out): what a bulk delete names
/// before it deletes.
#[server]
pub async fn webhook_names(ids: Vec<i64>) -> Result<Vec<(i64, String)>, AppError> {
    let scope = context::webhook_scope().await?;
    let db = &context::state()?.db;
    let mut named: Vec<(i64, String)> = Vec::new();
    for id in ids
        .into_iter()
        .take(crate::shared::list_query::MAX_PAGE_SIZE as usize)
    {
        if named.iter().any(|(seen, _)| *seen == id) {
            continue;
        }
        match webhooks::get(db, scope, id).await {
            Ok(webhook) => named.push((webhook.id, webhook.name)),
            Err(webhooks::ServiceError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(named)
}

/// Activate, deactivate or delete the selected webhooks, all in one
/// transaction (one history entry each). A delete is confirmed first
/// (`delete_confirmed`): a plain `delete` goes back to the list, which asks
/// (naming them). `back` is the list's address to return to.
#[server]
pub async fn bulk_webhooks(
    action: String,
    ids: Option<Vec<i64>>,
    back: Option<String>,
) -> Result<(), AppError> {
    let scope = context::webhook_scope().await?;
    let back = back
        .filter(|b| b == "/webhooks" || b.starts_with("/webhooks?"))
        .unwrap_or_else(|| "/webhooks".to_owned());
    let separator = if back.contains('?') { '&' } else { '?' };
    let ids = ids.unwrap_or_default();
    if ids.is_empty() {
        leptos_axum::redirect(&format!(
            "{back}{separator}notice={}",
            Notice::NothingSelected.code()
        ));
        return Ok(());
    }
    // The new `active` for an activate or deactivate; `None` deletes.
    let (active, notice) = match BulkAction::parse(&action).ok_or(AppError::NotFound)? {
        BulkAction::Activate => (Some(true), Notice::Activated),
        BulkAction::Deactivate => (Some(false), Notice::Deactivated),
        BulkAction::DeleteConfirmed => (None, Notice::DeletedMany),
        BulkAction::Delete => {
            let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
            leptos_axum::redirect(&format!(
                "{back}{separator}confirm=delete&ids={}",
                ids.join(",")
            ));
            return Ok(());
        }
    };
    let changes = active.map(|active| crate::shared::validation::WebhookChanges {
        active: Some(active),
        ..Default::default()
    });
    let change = match &changes {
        Some(changes) => webhooks::Change::Edit(changes),
        None => webhooks::Change::Delete,
    };
    let changed = webhooks::apply(
        &context::state()?.db,
        scope,
        &ids,
        change,
        &webhooks::Precondition::none(),
    )
    .await?;
    leptos_axum::redirect(&format!(
        "{back}{separator}notice={}&count={}",
        notice.code(),
        changed.len()
    ));
    Ok(())
}
