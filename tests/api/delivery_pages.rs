//! A webhook's deliveries on its page: what became of each, and Slack's
//! last answer in plain words.

use leptos::server_fn::ServerFn;
use webhook_admin::pages::deliveries::{RedeliverFailed, ReleaseHeld};
use webhook_admin::pages::delivery::RedeliverDelivery;

use crate::support::browser::{page, plain_form_post, table_rows};
use crate::support::engine::signed_in;
use crate::support::fake_slack::{Answer, FakeSlack};

/// The rows of the page's deliveries table, as their cells' text but the
/// first (when).
fn delivery_rows(html: &str) -> Vec<String> {
    table_rows(html)
        .into_iter()
        .map(|cells| cells[1..].join(" | "))
        .collect()
}

#[tokio::test]
async fn a_webhooks_page_lists_its_deliveries_and_slacks_answers_in_words() {
    let (s, cookie) = signed_in().await;
    let archived = s.webhook("archived").await;
    let fine = s.webhook("fine").await;
    s.slack
        .script("archived", [Answer::Error(410, "channel_is_archived")]);
    s.event("project.created", "one").await;
    s.event("project.updated", "two").await;
    s.deliver().await;

    let html = page(&s.app, &format!("/webhooks/{archived}"), &cookie)
        .await
        .text();
    assert_eq!(
        delivery_rows(&html),
        [
            "project.updated | held | 0 | ",
            "project.created | held | 1 | The channel was archived; unarchive it or paste a URL for another one",
        ]
    );
    let html = page(&s.app, &format!("/webhooks/{fine}"), &cookie)
        .await
        .text();
    // The organization's other webhooks are told.
    let first_three = [
        "webhook.deactivated | delivered | 1 | Delivered",
        "project.updated | delivered | 1 | Delivered",
        "project.created | delivered | 1 | Delivered",
    ];
    assert_eq!(delivery_rows(&html), first_three);

    // 25 a page, newest first, with plain links between pages.
    for n in 0..25 {
        s.event("bulk.sent", &format!("bulk {n}")).await;
    }
    let html = page(&s.app, &format!("/webhooks/{fine}"), &cookie)
        .await
        .text();
    assert_eq!(delivery_rows(&html).len(), 25);
    assert!(html.contains("Page 1 of 2"), "{html}");
    let next = format!(r#"href="/webhooks/{fine}?deliveries_page=2#deliveries-title" rel="next""#);
    assert!(html.contains(&next), "{html}");
    let html = page(
        &s.app,
        &format!("/webhooks/{fine}?deliveries_page=2"),
        &cookie,
    )
    .await
    .text();
    assert_eq!(delivery_rows(&html), first_three);

    let quiet = s.webhook("quiet").await;
    let html = page(&s.app, &format!("/webhooks/{quiet}"), &cookie)
        .await
        .text();
    assert!(html.contains("No events have been sent to this webhook yet."));
    assert!(delivery_rows(&html).is_empty());
}

#[tokio::test]
async fn a_webhook_turned_off_by_delivery_says_why_and_sends_or_discards_what_it_held() {
    for (choice, notice, expected) in [
        ("send", "held_sent", ["delivered 2 0", "delivered 1 0"]),
        ("discard", "held_discarded", ["dead 1 1", "dead 0 0"]),
    ] {
        let (s, cookie) = signed_in().await;
        let hook = s.webhook("archived").await;
        s.slack
            .script("archived", [Answer::Error(410, "channel_is_archived")]);
        s.event("a.b", "one").await;
        s.event("a.b", "two").await;
        s.deliver().await;
        let path = format!("/webhooks/{hook}");
        let html = page(&s.app, &path, &cookie).await.text();
        // The list marks it apart from webhooks someone turned off.
        let paused = s.webhook("paused").await;
        s.patch(paused, serde_json::json!({"active": false})).await;
        let list = page(&s.app, "/webhooks", &cookie).await.text();
        let marks = |list: &str| {
            list.matches(r#"<span class="badge held">Turned off by delivery</span>"#)
                .count()
        };
        assert_eq!(marks(&list), 1, "{list}");
        assert_eq!(
            list.matches(r#"<span class="badge off">Inactive</span>"#)
                .count(),
            1
        );
        for text in [
            "Turned off by delivery",
            "The channel was archived; unarchive it or paste a URL for another one",
            "2 messages are held until you choose.",
            "Reactivate and send the held messages",
            "Reactivate and discard them",
        ] {
            assert!(html.contains(text), "{text}: {html}");
        }
        // A new URL (the cure) keeps why it was turned off on its page.
        let fixed = FakeSlack::url("fixed");
        s.patch(hook, serde_json::json!({ "url": fixed })).await;
        let html = page(&s.app, &path, &cookie).await.text();
        assert!(
            html.contains(r#"<h2 id="held-title">Turned off by delivery<"#),
            "{html}"
        );
        assert!(html.contains("The channel was archived"), "{html}");

        // Without JavaScript: a plain form, then the page again.
        let reply = plain_form_post(
            &s.app,
            ReleaseHeld::PATH,
            &format!("http://testserver{path}"),
            &cookie,
            &format!("id={hook}&choice={choice}"),
        )
        .await;
        assert_eq!(reply.status, 302);
        assert_eq!(
            reply.header("location"),
            Some(format!("/webhooks/{hook}?notice={notice}").as_str())
        );
        assert!(s.is_active(hook).await);
        s.deliver().await;
        assert_eq!(s.deliveries(hook).await, expected, "{choice}");
        let html = page(&s.app, &path, &cookie).await.text();
        assert!(!html.contains("Turned off by delivery"), "{html}");
        assert!(!html.contains("held until you choose"), "{html}");
        assert_eq!(marks(&page(&s.app, "/webhooks", &cookie).await.text()), 0);
        let history = s.history(hook).await;
        assert_eq!(history[0]["action"], "updated");
        assert_eq!(history[0]["fields"], serde_json::json!(["active"]));
    }
}

#[tokio::test]
async fn a_delivery_has_a_page_with_its_attempts_and_message_and_can_be_sent_again() {
    let (s, cookie) = signed_in().await;
    let hook = s.webhook("refused").await;
    s.slack
        .script("refused", [Answer::Error(400, "invalid_payload")]);
    s.event("project.created", "Apollo <b>").await;
    s.deliver().await;
    let id = s.app.column::<i64>("SELECT id FROM deliveries").await[0];
    let path = format!("/webhooks/{hook}/deliveries/{id}");
    let list = page(&s.app, &format!("/webhooks/{hook}"), &cookie)
        .await
        .text();
    assert!(
        list.contains(&format!(r#"<a href="{path}">project.created"#)),
        "{list}"
    );

    let html = page(&s.app, &path, &cookie).await.text();
    for text in [
        &format!("Delivery {id}: project.created"),
        "dead",
        "Slack could not read the message; it will not be sent again",
        ">400<",
        "\"text\": \"Apollo &lt;b&gt;\"",
        ">Redeliver</button>",
    ] {
        assert!(html.contains(text), "{text}: {html}");
    }

    let (referer, body) = (
        format!("http://testserver{path}"),
        format!("webhook_id={hook}&id={id}"),
    );
    let form_post = || plain_form_post(&s.app, RedeliverDelivery::PATH, &referer, &cookie, &body);
    let reply = form_post().await;
    assert_eq!(reply.status, 302);
    assert_eq!(
        reply.header("location"),
        Some(format!("{path}?notice=redelivered").as_str())
    );
    let html = page(&s.app, &format!("{path}?notice=redelivered"), &cookie)
        .await
        .text();
    assert!(html.contains("The delivery is waiting to be sent again."));
    assert!(!html.contains(">Redeliver</button>"), "{html}");
    // Sent again meanwhile from another tab: the page says why not.
    let reply = form_post().await;
    assert_eq!(reply.status, 302);
    // Back to the page it came from, which shows why.
    assert_eq!(reply.header("location"), Some(referer.as_str()));
    let html = page(&s.app, &path, &cookie).await.text();
    assert!(
        html.contains("This delivery is already waiting to be sent."),
        "{html}"
    );
    s.deliver().await;
    assert_eq!(s.deliveries(hook).await, ["delivered 2 0"]);

    let missing = page(
        &s.app,
        &format!("/webhooks/{hook}/deliveries/999999"),
        &cookie,
    )
    .await;
    assert_eq!(missing.status, 404);
}

#[tokio::test]
async fn the_health_page_counts_the_days_attempts_by_what_slack_answered() {
    let (s, cookie) = signed_in().await;
    let empty = page(&s.app, "/deliveries", &cookie).await.text();
    assert!(empty.contains("No webhook failed in the last 24 hours."));
    assert!(empty.contains("0 deliveries are waiting to be sent."));

    s.webhook("fine").await;
    let busy = s.webhook("busy").await;
    let refused = s.webhook("refused").await;
    let archived = s.webhook("archived").await;
    s.slack.script("busy", [Answer::Error(503, "")]);
    s.slack
        .script("refused", [Answer::Error(400, "invalid_payload")]);
    s.slack
        .script("archived", [Answer::Error(410, "channel_is_archived")]);
    s.event("a.b", "one").await;
    s.deliver().await;

    let html = page(&s.app, "/deliveries", &cookie).await.text();
    let rows = table_rows(&html);
    assert_eq!(rows.len(), 24);
    // Delivered, retried, dead, held, over the day (the hour may turn mid-test).
    let mut sums = [0; 4];
    for row in &rows {
        for (sum, cell) in sums.iter_mut().zip(row) {
            *sum += cell.parse::<i64>().unwrap();
        }
    }
    // Delivered: "fine", "busy" on its second try, and the news of the
    // turned-off webhook to the other three.
    assert_eq!(sums, [5, 1, 1, 1]);
    assert!(html.contains(r#"<svg viewBox="0 0 720 160""#), "{html}");
    for colour in ["#1a7f37", "#9a6700", "#b42318", "#6e40c9"] {
        assert!(html.contains(&format!(r#"fill="{colour}""#)), "{colour}");
    }
    let failing = &html[html.find("Failing most").unwrap()..html.find("waiting-title").unwrap()];
    let position = |id: i64| failing.find(&format!("/webhooks/{id}#")).unwrap();
    assert!(position(busy) < position(refused) && position(refused) < position(archived));
    assert_eq!(failing.matches(": 1 failure").count(), 3, "{failing}");
    assert!(html.contains("0 deliveries are waiting to be sent."));

    // A waiting one: the oldest is named.
    s.app
        .execute(&format!(
            "UPDATE webhooks SET active = TRUE WHERE id = {archived}"
        ))
        .await;
    s.event("a.c", "two").await;
    let html = page(&s.app, "/deliveries", &cookie).await.text();
    assert!(
        html.contains("4 deliveries are waiting to be sent."),
        "{html}"
    );
    assert!(html.contains("The oldest, for "), "{html}");
}

#[tokio::test]
async fn what_failed_in_a_time_is_sent_again_in_order() {
    let (s, cookie) = signed_in().await;
    let hook = s.webhook("refused").await;
    s.slack.script(
        "refused",
        [
            Answer::Error(400, "invalid_payload"),
            Answer::Error(400, "invalid_payload"),
        ],
    );
    s.event("a.b", "one").await;
    s.event("a.b", "two").await;
    s.deliver().await;
    let path = format!("/webhooks/{hook}");
    let html = page(&s.app, &path, &cookie).await.text();
    assert!(
        html.contains("Send again what failed in the last"),
        "{html}"
    );
    let referer = format!("http://testserver{path}");
    let body = format!("id={hook}&hours=24");
    let redeliver = || plain_form_post(&s.app, RedeliverFailed::PATH, &referer, &cookie, &body);
    let reply = redeliver().await;
    assert_eq!(reply.status, 302);
    let sent_again = format!("/webhooks/{hook}?notice=failed_redelivered");
    assert_eq!(reply.header("location"), Some(sent_again.as_str()));
    let html = page(&s.app, &sent_again, &cookie).await.text();
    assert!(html.contains("The messages that failed are waiting to be sent again, in order."));
    s.deliver().await;
    assert_eq!(s.deliveries(hook).await, ["delivered 2 0", "delivered 2 0"]);
    let texts: Vec<String> = s
        .slack
        .arrivals_of("refused")
        .iter()
        .map(|a| a.body["text"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(texts, ["one", "two", "one", "two"]);

    let reply = redeliver().await;
    let nothing = format!("/webhooks/{hook}?notice=nothing_failed");
    assert_eq!(reply.header("location"), Some(nothing.as_str()));
}

#[tokio::test]
async fn a_webhooks_deliveries_filter_by_status_and_event_type() {
    let (s, cookie) = signed_in().await;
    let hook = s.webhook("refused").await;
    s.slack
        .script("refused", [Answer::Error(400, "invalid_payload")]);
    s.event("project.created", "one").await;
    s.event("project.updated", "two").await;
    s.deliver().await;
    for _ in 0..30 {
        s.event("user.created", "later").await;
    }
    let rows = |query: &'static str| {
        let (s, cookie) = (&s, &cookie);
        async move {
            let html = page(&s.app, &format!("/webhooks/{hook}?{query}"), cookie)
                .await
                .text();
            (delivery_rows(&html), html)
        }
    };
    let (dead, _) = rows("status=dead").await;
    assert_eq!(
        dead,
        ["project.created | dead | 1 | Slack could not read the message; it will not be sent again"]
    );
    let (updated, html) = rows("event_type=project.updated").await;
    assert_eq!(updated, ["project.updated | delivered | 1 | Delivered"]);
    assert!(html.contains(r#"value="project.updated""#), "{html}");
    let (none, html) = rows("status=held").await;
    assert!(none.is_empty());
    assert!(
        html.contains("No delivery matches these filters."),
        "{html}"
    );
    // Pages keep the filter; a filter that is not one is none.
    let (waiting, html) = rows("status=waiting").await;
    assert_eq!(waiting.len(), 25);
    let next =
        format!(r#"href="/webhooks/{hook}?deliveries_page=2&amp;status=waiting#deliveries-title""#);
    assert!(html.contains(&next), "{html}");
    let (all, _) = rows("status=lost&event_type=Not%20A%20Type").await;
    assert_eq!(all.len(), 25);
}

#[tokio::test]
async fn a_webhook_someone_turned_on_and_off_again_is_no_longer_turned_off_by_delivery() {
    let (s, cookie) = signed_in().await;
    let hook = s.webhook("archived").await;
    s.slack
        .script("archived", [Answer::Error(410, "channel_is_archived")]);
    s.event("a.b", "one").await;
    s.deliver().await;
    for active in [true, false] {
        s.patch(hook, serde_json::json!({ "active": active })).await;
    }
    let html = page(&s.app, &format!("/webhooks/{hook}"), &cookie)
        .await
        .text();
    assert!(
        html.contains(r#"<h2 id="held-title">Held messages<"#),
        "{html}"
    );
    assert!(!html.contains("Turned off by delivery"), "{html}");
    assert!(
        html.contains("1 message is held until you choose."),
        "{html}"
    );
}
