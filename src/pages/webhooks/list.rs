//! The webhook list: search (as you type, or a plain GET form), a filter
//! by status, sortable columns, pagination, and bulk activate, deactivate
//! and delete for the selected rows. Everything is in the address.

use leptos::html;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::super::common::{ErrorPanel, Loading};
use super::bulk::{BulkActions, ConfirmBulkDelete};
use super::paging::Pagination;
use super::rows::rows_html;
use crate::pages::webhooks::bulk::{webhook_names, BulkWebhooks};
use crate::shared::error::AppError;
use crate::shared::list_query::{ListQuery, SortKey};
use crate::shared::notices::Notice;
use crate::shared::wire::WebhookList;

#[component]
pub fn WebhookListPage() -> impl IntoView {
    let query = use_query_map();
    let list_query = move || {
        let q = query.read();
        (
            q.get("page"),
            q.get("page_size"),
            q.get("q"),
            q.get("status"),
            q.get("sort"),
            q.get("dir"),
        )
    };
    let list = Resource::new(list_query, |(page, size, q, status, sort, dir)| {
        list_webhooks(page, size, q, status, sort, dir)
    });
    let notice = move || {
        let q = query.read();
        let notice = q.get("notice").and_then(|code| Notice::from_code(&code))?;
        Some(match q.get("count").and_then(|n| n.parse::<i64>().ok()) {
            Some(count) => notice.counted(count),
            None => notice.message().to_owned(),
        })
    };
    let confirming = move || {
        let q = query.read();
        (q.get("confirm").as_deref() == Some("delete"))
            .then(|| q.get("ids"))
            .flatten()
            .map(|ids| {
                ids.split(',')
                    .filter_map(|id| id.parse::<i64>().ok())
                    .collect::<Vec<_>>()
            })
            .filter(|ids| !ids.is_empty())
    };
    // The webhooks a delete without JavaScript asks about, by name.
    let doomed = Resource::new(confirming, |ids| async move {
        match ids {
            Some(ids) => webhook_names(ids).await,
            None => Ok(Vec::new()),
        }
    });
    view! {
        <Title text="Webhooks · Webhook admin"/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match (list.await, doomed.await) {
                    (Ok(list), Ok(confirming)) => view! {
                        <ListView list notice=notice() confirming/>
                    }
                    .into_any(),
                    (Err(error), _) | (_, Err(error)) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ListView(
    list: WebhookList,
    notice: Option<String>,
    confirming: Vec<(i64, String)>,
) -> impl IntoView {
    let empty = list.count == 0 && !list.query.is_filtered();
    let here = list.query.href(list.page, list.page_size);
    view! {
        <div class="page-head">
            <h1>"Webhooks"</h1>
            <a class="button" href="/webhooks/new">"New webhook"</a>
        </div>
        {notice.map(|text| view! { <p class="notice" role="status">{text}</p> })}
        {(!confirming.is_empty())
            .then(|| view! { <ConfirmBulkDelete doomed=confirming back=here.clone()/> })}
        {if empty {
            view! {
                <section class="card empty">
                    <h2>"No webhooks yet"</h2>
                    <p>"Add the Slack incoming-webhook URL of a channel, and SD Elements can post events there."</p>
                    <a class="button" href="/webhooks/new">"Create your first webhook"</a>
                </section>
            }
            .into_any()
        } else {
            let count = list.count;
            let found = if list.query.is_filtered() { " found" } else { "" };
            view! {
                <SearchForm query=list.query.clone() page_size=list.page_size/>
                <p class="count" aria-live="polite">
                    {format!("{count} webhook{}{found}", if count == 1 { "" } else { "s" })}
                </p>
                {(count > 0).then(|| view! {
                    <form id="bulk" method="post" action=BulkWebhooks::url() class="bulk">
                        <input type="hidden" name="back" value=here.clone()/>
                        <BulkActions/>
                        <div class="table-wrap">
                            <table class="webhooks">
                                <caption class="visually-hidden">"Slack webhooks of your organization"</caption>
                                <thead>
                                    <tr>
                                        <th scope="col"><span class="visually-hidden">"Select"</span></th>
                                        {sort_header("Name", SortKey::Name, &list.query, list.page_size)}
                                        <th scope="col">"URL"</th>
                                        <th scope="col">"Active"</th>
                                        {sort_header("Created", SortKey::Created, &list.query, list.page_size)}
                                        {sort_header("Updated", SortKey::Updated, &list.query, list.page_size)}
                                    </tr>
                                </thead>
                                <tbody inner_html=rows_html(&list.rows, &list.turned_off)></tbody>
                            </table>
                        </div>
                    </form>
                    <Pagination page=list.page num_pages=list.num_pages page_size=list.page_size query=list.query.clone()/>
                })}
            }
            .into_any()
        }}
    }
}

/// A sortable column's header: a link that orders by it (or reverses it).
fn sort_header(
    label: &'static str,
    key: SortKey,
    query: &ListQuery,
    page_size: i64,
) -> impl IntoView {
    let current = query.sort == key;
    let aria_sort = match (current, query.descending) {
        (false, _) => "none",
        (true, false) => "ascending",
        (true, true) => "descending",
    };
    let arrow = match (current, query.descending) {
        (false, _) => "",
        (true, false) => " ▲",
        (true, true) => " ▼",
    };
    let href = query.sorted_by(key).href(1, page_size);
    view! {
        <th scope="col" aria-sort=aria_sort>
            <a href=href class="sort">{label}<span aria-hidden="true">{arrow}</span></a>
        </th>
    }
}

/// The search box and status filter: a plain GET form; with JavaScript the
/// list follows as you type (after a pause) or choose.
#[island]
fn SearchForm(query: ListQuery, page_size: i64) -> impl IntoView {
    let search = NodeRef::<html::Input>::new();
    let status = NodeRef::<html::Select>::new();
    let pending = StoredValue::new(None::<TimeoutHandle>);
    // The order stays; the search and the status are read from the form.
    let (sort, descending) = (query.sort, query.descending);
    let query_now = move || ListQuery {
        search: search.get().map(|i| i.value()).unwrap_or_default(),
        ..ListQuery::from_params(
            None,
            status.get().map(|s| s.value()).as_deref(),
            Some(sort.code()),
            descending.then_some("desc"),
        )
    };
    let go = move |typed: bool| {
        let query = query_now();
        let anchor = if typed { "#search" } else { "" };
        let _ = window()
            .location()
            .set_href(&format!("{}{anchor}", query.href(1, page_size)));
    };
    // Follows the search box once typing pauses.
    let on_input = move |_| {
        if let Some(handle) = pending.get_value() {
            handle.clear();
        }
        let handle =
            set_timeout_with_handle(move || go(true), std::time::Duration::from_millis(350)).ok();
        pending.set_value(handle);
    };
    // Back after typing: the cursor returns to the end of the search box.
    Effect::new(move |_| {
        if window().location().hash().ok().as_deref() == Some("#search") {
            if let Some(input) = search.get() {
                let _ = input.focus();
                let end = input.value().len() as u32;
                let _ = input.set_selection_range(end, end);
            }
        }
    });
    let status_code = query.status_code();
    view! {
        <form method="get" action="/webhooks" class="search" role="search">
            <div class="field inline">
                <label for="search">"Search"</label>
                <input
                    id="search"
                    name="q"
                    type="search"
                    value=query.search.clone()
                    placeholder="Name or description"
                    autocomplete="off"
                    node_ref=search
                    on:input=on_input
                />
            </div>
            <div class="field inline">
                <label for="status">"Status"</label>
                <select id="status" name="status" node_ref=status on:change=move |_| go(false)>
                    <option value="" selected=status_code.is_empty()>"All"</option>
                    <option value="active" selected=status_code == "active">"Active"</option>
                    <option value="inactive" selected=status_code == "inactive">"Inactive"</option>
                </select>
            </div>
            {(query.sort != SortKey::Id).then(|| view! { <input type="hidden" name="sort" value=query.sort.code()/> })}
            {query.descending.then(|| view! { <input type="hidden" name="dir" value="desc"/> })}
            <input type="hidden" name="page_size" value=page_size.to_string()/>
            <button type="submit" class="button secondary small">"Search"</button>
        </form>
    }
}

// Server functions: run on the server; the browser calls them over HTTP.

#[cfg(feature = "ssr")]
use crate::server::{browser::context, delivery::held, webhooks};

/// One page of the organization's webhooks, with the API's page rules,
/// searched, filtered and ordered as the address says.
#[server]
pub async fn list_webhooks(
    page: Option<String>,
    page_size: Option<String>,
    q: Option<String>,
    status: Option<String>,
    sort: Option<String>,
    dir: Option<String>,
) -> Result<WebhookList, AppError> {
    let scope = context::webhook_scope().await?;
    let request = webhooks::PageRequest::from_query(page.as_deref(), page_size.as_deref());
    let query = ListQuery::from_params(
        q.as_deref(),
        status.as_deref(),
        sort.as_deref(),
        dir.as_deref(),
    );
    let db = &context::state()?.db;
    let page = webhooks::browse::page(db, scope, &query, request).await?;
    let inactive: Vec<i64> = page
        .items
        .iter()
        .filter(|w| !w.active)
        .map(|w| w.id)
        .collect();
    let turned_off = held::turned_off_among(db, scope, &inactive).await?;
    Ok(WebhookList {
        count: page.count,
        page: page.number,
        num_pages: page.num_pages,
        page_size: page.size,
        rows: page.items.iter().map(context::webhook_row).collect(),
        turned_off,
        query,
    })
}
