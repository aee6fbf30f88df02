//! The delivery health page filtered by webhook, by what the answers did,
//! by event type and by day: a plain GET form, the page again.

use crate::support::browser::{page, table_rows};
use crate::support::engine::signed_in;
use crate::support::fake_slack::Answer;

/// The day's attempts summed over its hours: delivered, retried, dead, held.
fn sums(html: &str) -> [i64; 4] {
    let rows = table_rows(html);
    assert_eq!(rows.len(), 24, "{html}");
    let mut sums = [0; 4];
    for row in &rows {
        for (sum, cell) in sums.iter_mut().zip(row) {
            *sum += cell.parse::<i64>().unwrap();
        }
    }
    sums
}

/// The "Failing most" section's text.
fn failing(html: &str) -> &str {
    &html[html.find("Failing most").unwrap()..html.find("waiting-title").unwrap()]
}

#[tokio::test]
async fn the_health_page_filters_by_webhook_status_event_type_and_day() {
    let (s, cookie) = signed_in().await;
    let fine = s.webhook("fine").await;
    let refused = s.webhook("refused").await;
    s.slack.script(
        "refused",
        [
            Answer::Error(400, "invalid_payload"),
            Answer::Error(400, "invalid_payload"),
        ],
    );
    s.event("project.created", "one").await;
    s.event("task.done", "two").await;
    s.deliver().await;
    let health = |query: &str| {
        let path = format!("/deliveries{query}");
        let cookie = cookie.clone();
        let app = &s.app;
        async move { page(app, &path, &cookie).await.text() }
    };

    assert_eq!(sums(&health("").await), [2, 0, 2, 0]);

    let html = health(&format!("?webhook={refused}")).await;
    assert_eq!(sums(&html), [0, 0, 2, 0]);
    assert!(
        html.contains(&format!(
            r#"<option value="{refused}" selected>Hook refused<"#
        )),
        "{html}"
    );
    assert!(html.contains(&format!(r#"<option value="{fine}">Hook fine<"#)));
    let html = health(&format!("?webhook={fine}")).await;
    assert_eq!(sums(&html), [2, 0, 0, 0]);
    assert!(failing(&html).contains("No webhook failed in the last 24 hours."));

    let html = health("?status=delivered").await;
    assert_eq!(sums(&html), [2, 0, 0, 0]);
    assert!(html.contains(r#"<option value="delivered" selected>delivered<"#));
    let html = health("?status=dead").await;
    assert_eq!(sums(&html), [0, 0, 2, 0]);
    assert!(failing(&html).contains(": 2 failures"), "{html}");

    let html = health("?event_type=task.done").await;
    assert_eq!(sums(&html), [1, 0, 1, 0]);
    assert!(
        html.contains(r#"name="event_type" type="text" value="task.done""#),
        "{html}"
    );
    assert!(
        html.contains(r#"<a href="/deliveries" class="button secondary small">Clear<"#),
        "{html}"
    );

    let combined = format!("?webhook={refused}&status=dead&event_type=project.created");
    assert_eq!(sums(&health(&combined).await), [0, 0, 1, 0]);

    // A day: its 24 hours, UTC; the one before today had nothing.
    let today = time::OffsetDateTime::now_utc().date();
    let yesterday = today.previous_day().unwrap();
    let html = health(&format!("?day={yesterday}")).await;
    assert_eq!(sums(&html), [0, 0, 0, 0]);
    assert!(
        html.contains(&format!("delivery attempts on {yesterday} (UTC)")),
        "{html}"
    );
    assert!(html.contains(&format!(r#"type="date" value="{yesterday}""#)));
    let first_hour = &table_rows(&html)[0];
    assert_eq!(first_hour.len(), 4);
    assert!(
        html.contains(&format!(r#"<time datetime="{yesterday}T00:00:00.000Z""#)),
        "the table starts at the day's midnight: {html}"
    );

    // What is not a filter is no filter, and the form says "any".
    let html = health("?webhook=abc&status=lost&event_type=Bad%20Type&day=2026-13-40").await;
    assert_eq!(sums(&html), [2, 0, 2, 0]);
    assert!(html.contains(r#"<option value="" selected>any<"#));
    assert!(html.contains(r#"type="date" value="""#), "{html}");
    assert!(!html.contains(">Clear<"), "{html}");

    // Another organization's webhook: no filter, and the form says "any".
    let theirs = s.app.org("theirs", true).await;
    let their_token = s.app.user_token("them@theirs.test", &theirs, true).await;
    let foreign = s.app.create_named(&their_token, "Theirs").await["id"].clone();
    let html = health(&format!("?webhook={foreign}")).await;
    assert_eq!(sums(&html), [2, 0, 2, 0]);
    assert!(html.contains(r#"<option value="" selected>any<"#), "{html}");
    assert!(!html.contains(">Theirs<"), "{html}");

    // Waiting deliveries, of the webhook asked for.
    s.app
        .execute(&format!(
            "UPDATE webhooks SET active = FALSE WHERE id = {fine}"
        ))
        .await;
    s.event("task.done", "three").await;
    let html = health(&format!("?webhook={refused}")).await;
    assert!(html.contains("1 delivery is waiting to be sent."), "{html}");
    let html = health(&format!("?webhook={fine}")).await;
    assert!(
        html.contains("0 deliveries are waiting to be sent."),
        "{html}"
    );
}
