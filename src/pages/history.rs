//! History: a webhook's own (on its page) and the organization's activity
//! (`/activity`), newest first, a page at a time with plain links.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::common::{ErrorPanel, Loading};
use crate::shared::error::AppError;
use crate::shared::wire::{HistoryList, HistoryRow};

pub const ACTIVITY_PATH: &str = "/activity";

/// A page of history as a table; `with_webhook` adds the webhook's column.
/// Another page of it is at `page_href` followed by its number.
#[component]
pub fn HistoryTable(
    list: HistoryList,
    with_webhook: bool,
    caption: &'static str,
    page_href: String,
) -> impl IntoView {
    if list.count == 0 {
        return view! { <p class="muted">"Nothing recorded yet."</p> }.into_any();
    }
    let HistoryList {
        page,
        num_pages,
        rows,
        ..
    } = list;
    view! {
        <div class="table-wrap">
            <table class="history">
                <caption class="visually-hidden">{caption}</caption>
                <thead>
                    <tr>
                        <th scope="col">"When"</th>
                        {with_webhook.then(|| view! { <th scope="col">"Webhook"</th> })}
                        <th scope="col">"What"</th>
                        <th scope="col">"Who"</th>
                        <th scope="col">"How"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows
                        .into_iter()
                        .map(|row| view! { <HistoryLine row with_webhook/> })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        {(num_pages > 1)
            .then(|| {
                view! {
                    <nav class="pagination" aria-label=format!("{caption}: pages")>
                        <ul>
                            <li>
                                {(page > 1)
                                    .then(|| view! { <a href=format!("{page_href}{}", page - 1) rel="prev">"Newer"</a> })}
                            </li>
                            <li>{format!("Page {page} of {num_pages}")}</li>
                            <li>
                                {(page < num_pages)
                                    .then(|| view! { <a href=format!("{page_href}{}", page + 1) rel="next">"Older"</a> })}
                            </li>
                        </ul>
                    </nav>
                }
            })}
    }
    .into_any()
}

#[component]
fn HistoryLine(row: HistoryRow, with_webhook: bool) -> impl IntoView {
    let webhook = with_webhook.then(|| {
        let href = format!("/webhooks/{}", row.webhook_id);
        view! { <td data-label="Webhook"><a href=href>{row.webhook_name}</a></td> }
    });
    view! {
        <tr>
            <td data-label="When"><time datetime=row.at.machine>{row.at.human}</time></td>
            {webhook}
            <td data-label="What">{row.what}</td>
            <td data-label="Who">{row.actor}</td>
            <td data-label="How">{row.via}</td>
        </tr>
    }
}

/// Everything done to the organization's webhooks, deleted ones included.
#[component]
pub fn ActivityPage() -> impl IntoView {
    let query = use_query_map();
    let activity = Resource::new(move || query.read().get("page"), organization_activity);
    view! {
        <Title text="Activity · Webhook admin"/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match activity.await {
                    Ok(list) => view! {
                        <section class="card">
                            <h1>"Activity"</h1>
                            <p class="muted">
                                "Who created, changed, tested, revealed or deleted your organization's webhooks."
                            </p>
                            <HistoryTable
                                list
                                with_webhook=true
                                caption="Activity of your organization's webhooks"
                                page_href=format!("{ACTIVITY_PATH}?page=")
                            />
                        </section>
                    }
                    .into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

// Server functions: run on the server; the browser calls them over HTTP.

#[cfg(feature = "ssr")]
use crate::server::{browser::context, webhooks};

/// One page of a webhook's history, newest first.
#[server]
pub async fn webhook_history(id: i64, page: Option<String>) -> Result<HistoryList, AppError> {
    history_page(webhooks::history::Scope::Webhook(id), page).await
}

/// One page of everything done to the organization's webhooks.
#[server]
pub async fn organization_activity(page: Option<String>) -> Result<HistoryList, AppError> {
    history_page(webhooks::history::Scope::Organization, page).await
}

#[cfg(feature = "ssr")]
async fn history_page(
    of: webhooks::history::Scope,
    page: Option<String>,
) -> Result<HistoryList, AppError> {
    let scope = context::webhook_scope().await?;
    let request = webhooks::PageRequest::from_query(page.as_deref(), None);
    let page = webhooks::history::page(&context::state()?.db, scope, of, request).await?;
    Ok(HistoryList {
        count: page.count,
        page: page.number,
        num_pages: page.num_pages,
        rows: page.items.iter().map(context::history_row).collect(),
    })
}
