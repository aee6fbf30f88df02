use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::common::{ErrorPanel, Loading};
use crate::server_fns::list_webhooks;
use crate::views::{Notice, WebhookList, WebhookRow, PAGE_SIZES};

#[component]
pub fn WebhookListPage() -> impl IntoView {
    let query = use_query_map();
    let page_query = move || {
        let q = query.read();
        (q.get("page"), q.get("page_size"))
    };
    let list = Resource::new(page_query, |(page, size)| list_webhooks(page, size));
    let notice = move || {
        query
            .read()
            .get("notice")
            .and_then(|code| Notice::from_code(&code))
            .map(Notice::message)
    };
    view! {
        <Title text="Webhooks · Webhook admin"/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(list) => view! { <ListView list notice=notice()/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ListView(list: WebhookList, notice: Option<&'static str>) -> impl IntoView {
    let empty = list.count == 0;
    view! {
        <div class="page-head">
            <h1>"Webhooks"</h1>
            <a class="button" href="/webhooks/new">"New webhook"</a>
        </div>
        {notice.map(|text| view! { <p class="notice" role="status">{text}</p> })}
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
            view! {
                <p class="count">
                    {format!("{} webhook{}", list.count, if list.count == 1 { "" } else { "s" })}
                </p>
                <div class="table-wrap">
                    <table class="webhooks">
                        <caption class="visually-hidden">"Slack webhooks of your organization"</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Name"</th>
                                <th scope="col">"URL"</th>
                                <th scope="col">"Active"</th>
                                <th scope="col">"Created"</th>
                                <th scope="col">"Updated"</th>
                            </tr>
                        </thead>
                        <tbody>{list.rows.iter().cloned().map(|row| view! { <Row row/> }).collect_view()}</tbody>
                    </table>
                </div>
                <Pagination list=list.clone()/>
            }
            .into_any()
        }}
    }
}

#[component]
fn Row(row: WebhookRow) -> impl IntoView {
    view! {
        <tr>
            <td data-label="Name"><a href=format!("/webhooks/{}", row.id)>{row.name}</a></td>
            <td data-label="URL"><code class="masked">{row.masked_url}</code></td>
            <td data-label="Active">
                {if row.active {
                    view! { <span class="badge on">"Active"</span> }.into_any()
                } else {
                    view! { <span class="badge off">"Inactive"</span> }.into_any()
                }}
            </td>
            <td data-label="Created"><time datetime=row.created.machine>{row.created.human}</time></td>
            <td data-label="Updated"><time datetime=row.updated.machine>{row.updated.human}</time></td>
        </tr>
    }
}

fn page_href(page: i64, size: i64) -> String {
    format!("/webhooks?page={page}&page_size={size}")
}

/// Page numbers around the current one, with gaps (`None`) where pages are skipped.
fn page_numbers(current: i64, last: i64) -> Vec<Option<i64>> {
    let mut pages = Vec::new();
    for page in 1..=last {
        let near = (page - current).abs() <= 2 || page == 1 || page == last;
        if near {
            pages.push(Some(page));
        } else if pages.last() != Some(&None) {
            pages.push(None);
        }
    }
    pages
}

#[component]
fn Pagination(list: WebhookList) -> impl IntoView {
    let WebhookList {
        page,
        num_pages,
        page_size,
        ..
    } = list;
    view! {
        <nav class="pagination" aria-label="Pages">
            <ul>
                <li>
                    {if page > 1 {
                        view! { <a href=page_href(page - 1, page_size) rel="prev">"Previous"</a> }.into_any()
                    } else {
                        view! { <span class="disabled" aria-disabled="true">"Previous"</span> }.into_any()
                    }}
                </li>
                {page_numbers(page, num_pages)
                    .into_iter()
                    .map(|number| match number {
                        Some(n) if n == page => view! {
                            <li><a href=page_href(n, page_size) aria-current="page" aria-label=format!("Page {n}")>{n}</a></li>
                        }
                        .into_any(),
                        Some(n) => view! {
                            <li><a href=page_href(n, page_size) aria-label=format!("Page {n}")>{n}</a></li>
                        }
                        .into_any(),
                        None => view! { <li class="gap" aria-hidden="true">"…"</li> }.into_any(),
                    })
                    .collect_view()}
                <li>
                    {if page < num_pages {
                        view! { <a href=page_href(page + 1, page_size) rel="next">"Next"</a> }.into_any()
                    } else {
                        view! { <span class="disabled" aria-disabled="true">"Next"</span> }.into_any()
                    }}
                </li>
            </ul>
            <PageSizeForm page_size/>
        </nav>
    }
}

/// Page size as a plain GET form; with JavaScript, choosing a size submits it.
#[island]
fn PageSizeForm(page_size: i64) -> impl IntoView {
    let submit_on_change = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use leptos::wasm_bindgen::JsCast;
            if let Some(form) = ev
                .target()
                .and_then(|t| t.dyn_into::<leptos::web_sys::HtmlSelectElement>().ok())
                .and_then(|select| select.form())
            {
                let _ = form.request_submit();
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    view! {
        <form method="get" action="/webhooks" class="page-size">
            <label for="page_size">"Per page"</label>
            <select id="page_size" name="page_size" on:change=submit_on_change>
                {PAGE_SIZES
                    .iter()
                    .map(|size| view! { <option value=size.to_string() selected=*size == page_size>{*size}</option> })
                    .collect_view()}
            </select>
            <button type="submit" class="button secondary small">"Show"</button>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::page_numbers;

    #[test]
    fn page_numbers_skip_far_pages() {
        assert_eq!(page_numbers(1, 1), vec![Some(1)]);
        assert_eq!(page_numbers(1, 3), vec![Some(1), Some(2), Some(3)]);
        assert_eq!(
            page_numbers(5, 10),
            vec![
                Some(1),
                None,
                Some(3),
                Some(4),
                Some(5),
                Some(6),
                Some(7),
                None,
                Some(10)
            ]
        );
    }
}
