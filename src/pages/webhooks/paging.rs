//! The webhook list's page links and its page-size choice: plain links and
//! a plain GET form that keep the list's search, filter and order.

use leptos::prelude::*;

use crate::shared::list_query::{ListQuery, SortKey, PAGE_SIZES};

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
pub fn Pagination(page: i64, num_pages: i64, page_size: i64, query: ListQuery) -> impl IntoView {
    let list_query = query.clone();
    let page_href = move |page: i64, size: i64| query.href(page, size);
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
            <PageSizeForm page_size query=list_query/>
        </nav>
    }
}

/// Page size as a plain GET form; with JavaScript, choosing a size submits it.
#[island]
fn PageSizeForm(page_size: i64, query: ListQuery) -> impl IntoView {
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
            {(!query.search.is_empty()).then(|| view! { <input type="hidden" name="q" value=query.search.clone()/> })}
            {query.active.is_some().then(|| view! { <input type="hidden" name="status" value=query.status_code()/> })}
            {(query.sort != SortKey::Id).then(|| view! { <input type="hidden" name="sort" value=query.sort.code()/> })}
            {query.descending.then(|| view! { <input type="hidden" name="dir" value="desc"/> })}
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
