//! The webhook list's table rows, written as HTML text.
//!
//! The rows are the bulk of the `/webhooks` page, and they are not part of
//! any island: the browser never hydrates them. Rendered by `view!`, with
//! components erased, each row cost a boxed view per element and a boxed
//! value per attribute, a large share of the page's work
//! (docs/performance.md); written here, one string for all of them. Every
//! value people enter goes through [`text`] or [`attribute`].

use std::fmt::Write;

use crate::shared::wire::WebhookRow;

/// The `<tr>`s of a `<tbody>`: a checkbox (`ids[index]`, labelled with the
/// name), the name linking to the webhook, the masked URL, active or not
/// (or turned off by delivery: its id in `turned_off`), created and updated.
pub fn rows_html(rows: &[WebhookRow], turned_off: &[i64]) -> String {
    let mut html = String::with_capacity(rows.len() * 900);
    for (index, row) in rows.iter().enumerate() {
        let id = row.id;
        let (badge, state) = if row.active {
            ("on", "Active")
        } else if turned_off.contains(&id) {
            ("held", "Turned off by delivery")
        } else {
            ("off", "Inactive")
        };
        // Writing to a String cannot fail.
        let _ = write!(
            html,
            "<tr><td class=\"select\"><input type=\"checkbox\" name=\"ids[{index}]\" value=\"{id}\" aria-label=\"Select {name_attr}\"></td>\
             <td data-label=\"Name\"><a href=\"/webhooks/{id}\">{name}</a></td>\
             <td data-label=\"URL\"><code class=\"masked\">{masked}</code></td>\
             <td data-label=\"Active\"><span class=\"badge {badge}\">{state}</span></td>\
             <td data-label=\"Created\"><time datetime=\"{created_at}\">{created}</time></td>\
             <td data-label=\"Updated\"><time datetime=\"{updated_at}\">{updated}</time></td></tr>",
            name_attr = attribute(&row.name),
            name = text(&row.name),
            masked = text(&row.masked_url),
            created_at = attribute(&row.created.machine),
            created = text(&row.created.human),
            updated_at = attribute(&row.updated.machine),
            updated = text(&row.updated.human),
        );
    }
    html
}

/// Text between tags: `&`, `<` and `>` escaped.
fn text(value: &str) -> std::borrow::Cow<'_, str> {
    html_escape::encode_text(value)
}

/// A value inside double quotes: `&`, `"`, `<` and `>` escaped.
fn attribute(value: &str) -> std::borrow::Cow<'_, str> {
    html_escape::encode_double_quoted_attribute(value)
}

#[cfg(test)]
mod tests {
    use super::rows_html;
    use crate::shared::wire::{Timestamp, WebhookRow};

    fn row(id: i64, name: &str, active: bool) -> WebhookRow {
        WebhookRow {
            id,
            version: 1,
            name: name.to_owned(),
            masked_url: "hooks.slack.com/services/T…/B…/••••0001".to_owned(),
            description: String::new(),
            active,
            created: Timestamp {
                machine: "2025-03-31T10:15:00.000Z".to_owned(),
                human: "2025-03-31 10:15 UTC".to_owned(),
            },
            updated: Timestamp {
                machine: "2025-04-01T08:00:00.000Z".to_owned(),
                human: "2025-04-01 08:00 UTC".to_owned(),
            },
        }
    }

    #[test]
    fn each_row_has_its_checkbox_link_url_state_and_times() {
        let html = rows_html(&[row(7, "Ops alerts", true), row(9, "Billing", false)], &[]);
        assert_eq!(
            html,
            "<tr><td class=\"select\"><input type=\"checkbox\" name=\"ids[0]\" value=\"7\" aria-label=\"Select Ops alerts\"></td>\
             <td data-label=\"Name\"><a href=\"/webhooks/7\">Ops alerts</a></td>\
             <td data-label=\"URL\"><code class=\"masked\">hooks.slack.com/services/T…/B…/••••0001</code></td>\
             <td data-label=\"Active\"><span class=\"badge on\">Active</span></td>\
             <td data-label=\"Created\"><time datetime=\"2025-03-31T10:15:00.000Z\">2025-03-31 10:15 UTC</time></td>\
             <td data-label=\"Updated\"><time datetime=\"2025-04-01T08:00:00.000Z\">2025-04-01 08:00 UTC</time></td></tr>\
             <tr><td class=\"select\"><input type=\"checkbox\" name=\"ids[1]\" value=\"9\" aria-label=\"Select Billing\"></td>\
             <td data-label=\"Name\"><a href=\"/webhooks/9\">Billing</a></td>\
             <td data-label=\"URL\"><code class=\"masked\">hooks.slack.com/services/T…/B…/••••0001</code></td>\
             <td data-label=\"Active\"><span class=\"badge off\">Inactive</span></td>\
             <td data-label=\"Created\"><time datetime=\"2025-03-31T10:15:00.000Z\">2025-03-31 10:15 UTC</time></td>\
             <td data-label=\"Updated\"><time datetime=\"2025-04-01T08:00:00.000Z\">2025-04-01 08:00 UTC</time></td></tr>"
        );
    }

    #[test]
    fn names_are_escaped_in_text_and_in_attributes() {
        let html = rows_html(&[row(1, "<script>alert(\"x\")</script> & co", true)], &[]);
        assert!(html.contains(
            "aria-label=\"Select &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co\""
        ));
        assert!(html.contains(
            "<a href=\"/webhooks/1\">&lt;script&gt;alert(\"x\")&lt;/script&gt; &amp; co</a>"
        ));
        assert!(!html.contains("<script>"));
    }

    #[test]
    fn no_rows_no_html() {
        assert_eq!(rows_html(&[], &[]), "");
    }

    #[test]
    fn a_webhook_the_engine_turned_off_says_so() {
        let html = rows_html(&[row(3, "Gone", false), row(4, "Paused", false)], &[3]);
        assert!(html.contains(
            "<td data-label=\"Active\"><span class=\"badge held\">Turned off by delivery</span></td>"
        ));
        assert!(html.contains("<span class=\"badge off\">Inactive</span>"));
    }
}
