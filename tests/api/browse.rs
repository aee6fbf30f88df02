//! The browser list's search, status filter and order, and its bulk
//! actions (one transaction, one history entry per webhook).

use axum::http::StatusCode;
use leptos::server_fn::ServerFn;
use serde_json::{json, Value};
use webhook_admin::pages::webhooks::bulk::BulkWebhooks;
use webhook_admin::pages::webhooks::list::ListWebhooks;

use crate::support::browser::{admin_signed_in, call, page, plain_form_post};
use crate::support::{TestApp, GOOD_URL};

async fn names(app: &TestApp, cookie: &str, query: &str) -> (i64, Vec<String>) {
    let reply = call(app, ListWebhooks::PATH, Some(cookie), query).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let list = reply.json();
    let names = list["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["name"].as_str().unwrap().to_owned())
        .collect();
    (list["count"].as_i64().unwrap(), names)
}

async fn seed(app: &TestApp, token: &str) -> Vec<i64> {
    let mut ids = Vec::new();
    for (name, description, active) in [
        ("Ops alerts", "", true),
        ("billing", "Invoices for OPS", false),
        ("Zebra", "100% uptime_x", true),
        ("alpha", "", false),
    ] {
        let body =
            json!({"name": name, "url": GOOD_URL, "description": description, "active": active});
        ids.push(app.create(token, body).await["id"].as_i64().unwrap());
    }
    ids
}

#[tokio::test]
async fn search_filters_and_sorts_the_browser_list_only() {
    let app = TestApp::spawn().await;
    let (token, cookie) = admin_signed_in(&app).await;
    seed(&app, &token).await;

    // Name or description, any case.
    assert_eq!(
        names(&app, &cookie, "q=ops").await,
        (2, vec!["Ops alerts".to_owned(), "billing".to_owned()])
    );
    // LIKE's characters are plain text.
    assert_eq!(names(&app, &cookie, "q=100%25+uptime_").await.1, ["Zebra"]);
    assert_eq!(names(&app, &cookie, "q=_").await.1, ["Zebra"]);
    assert_eq!(names(&app, &cookie, "q=nothing+like+it").await, (0, vec![]));
    // Control characters are no part of a search (a NUL was a 500).
    assert_eq!(names(&app, &cookie, "q=al%00pha").await.1, ["alpha"]);
    let page = page(&app, "/webhooks?q=Ops%00+%1Balerts", &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains(">Ops alerts</a>"), "{}", page.text());
    assert_eq!(
        names(&app, &cookie, "status=inactive").await.1,
        ["billing", "alpha"]
    );
    assert_eq!(
        names(&app, &cookie, "q=a&status=active&sort=name&dir=desc")
            .await
            .1,
        ["Zebra", "Ops alerts"]
    );
    // By name ignores case; created and updated follow time.
    assert_eq!(
        names(&app, &cookie, "sort=name").await.1,
        ["alpha", "billing", "Ops alerts", "Zebra"]
    );
    assert_eq!(
        names(&app, &cookie, "sort=created&dir=desc").await.1,
        ["alpha", "Zebra", "billing", "Ops alerts"]
    );
    // Pages of a search.
    let reply = call(
        &app,
        ListWebhooks::PATH,
        Some(&cookie),
        "q=a&page_size=2&page=2",
    )
    .await;
    let list = reply.json();
    // "Ops alerts", "Zebra", "alpha": "billing" has no "a".
    assert_eq!(
        (list["count"].clone(), list["page"].clone()),
        (json!(3), json!(2))
    );
    assert_eq!(list["query"]["search"], "a");
    assert_eq!(list["rows"].as_array().unwrap().len(), 1);
    let reply = call(
        &app,
        ListWebhooks::PATH,
        Some(&cookie),
        "q=a&page_size=2&page=3",
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);

    // The REST list is as the contract says: no filters.
    let rest = app
        .get("/api/v2/webhooks/?q=ops&status=active&sort=name", &token)
        .send()
        .await;
    assert_eq!(rest.json()["count"], 4);
    assert_eq!(rest.json()["results"][0]["name"], "Ops alerts");
}

/// PostgreSQL finds a search's page one of two ways, chosen by how many
/// webhooks match (webhooks/browse.rs): the first pages of a term most
/// webhooks match walk the list, the later ones and sparse terms gather
/// the matches first. Every page is the same either way.
#[tokio::test]
async fn a_search_pages_alike_whether_most_or_few_webhooks_match() {
    let app = TestApp::spawn().await;
    let (token, cookie) = admin_signed_in(&app).await;
    let mut teams = Vec::new();
    for n in 1..=12 {
        // One webhook in the middle does not match.
        let (name, active) = match n {
            6 => ("Other".to_owned(), true),
            n => (format!("Team {n:02}"), n % 3 != 0),
        };
        let body = json!({"name": name, "url": GOOD_URL, "active": active});
        app.create(&token, body).await;
        if name != "Other" {
            teams.push((name, active));
        }
    }
    let all: Vec<String> = teams.iter().map(|(name, _)| name.clone()).collect();
    let active: Vec<String> = teams
        .iter()
        .filter(|(_, active)| *active)
        .map(|(name, _)| name.clone())
        .collect();
    let reversed: Vec<String> = all.iter().rev().cloned().collect();
    for (query, expected) in [
        ("q=team", &all),
        ("q=team&dir=desc", &reversed),
        ("q=team&status=active", &active),
        ("q=team+1", &all[8..].to_vec()),
    ] {
        for size in [2, 3, 5] {
            let mut found = Vec::new();
            let pages = expected.len().div_ceil(size);
            for page in 1..=pages {
                let query = format!("{query}&page_size={size}&page={page}");
                let (count, names) = names(&app, &cookie, &query).await;
                assert_eq!(count, expected.len() as i64, "{query}");
                found.extend(names);
            }
            assert_eq!(&found, expected, "{query}, {size} a page");
        }
    }
}

/// The unfiltered browser list reads each page on its own; the REST list
/// reads it along with the token lookup. Both place it from the counter,
/// from the start or (past the middle) from the end.
#[tokio::test]
async fn every_page_is_the_same_page_in_the_browser_and_the_api() {
    let app = TestApp::spawn().await;
    let (token, cookie) = admin_signed_in(&app).await;
    let mut all = Vec::new();
    for n in 0..8 {
        let name = format!("hook {n}");
        app.create_named(&token, &name).await;
        all.push(name);
    }
    let rest = |query: String| {
        let app = &app;
        let token = &token;
        async move {
            let reply = app
                .get(&format!("/api/v2/webhooks/?{query}"), token)
                .send()
                .await;
            (reply.status, reply.json())
        }
    };
    for size in [3, 4, 8] {
        let pages = all.len().div_ceil(size);
        for (page, expected) in (1..=pages)
            .map(|p| {
                (
                    p.to_string(),
                    &all[(p - 1) * size..(p * size).min(all.len())],
                )
            })
            .chain([("last".to_owned(), &all[(pages - 1) * size..])])
        {
            let query = format!("page_size={size}&page={page}");
            assert_eq!(
                names(&app, &cookie, &query).await,
                (8, expected.to_vec()),
                "{query}"
            );
            let (status, body) = rest(query.clone()).await;
            assert_eq!(status, StatusCode::OK, "{query}");
            let rest_names: Vec<&str> = body["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|w| w["name"].as_str().unwrap())
                .collect();
            assert_eq!(
                (body["count"].as_i64(), rest_names),
                (Some(8), expected.iter().map(String::as_str).collect()),
                "{query}"
            );
        }
        let beyond = format!("page_size={size}&page={}", pages + 1);
        let reply = call(&app, ListWebhooks::PATH, Some(&cookie), &beyond).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{beyond}");
        let (status, body) = rest(beyond.clone()).await;
        assert_eq!(
            (status, body),
            (StatusCode::NOT_FOUND, json!({"detail": "Invalid page."})),
            "{beyond}"
        );
    }
}

#[tokio::test]
async fn the_list_page_keeps_the_search_in_every_link() {
    let app = TestApp::spawn().await;
    let (token, cookie) = admin_signed_in(&app).await;
    for n in 0..3 {
        app.create_named(&token, &format!("Ops {n}")).await;
    }
    let html = page(
        &app,
        "/webhooks?q=ops&sort=name&dir=desc&page_size=10",
        &cookie,
    )
    .await
    .text();
    assert!(html.contains("3 webhooks found"), "{html}");
    assert!(
        html.contains(r#"name="q" type="search" value="ops""#),
        "{html}"
    );
    // Sorting by name again reverses it; another column starts ascending.
    assert!(
        html.contains(r#"href="/webhooks?q=ops&amp;sort=name&amp;page_size=10""#),
        "{html}"
    );
    assert!(html.contains(r#"href="/webhooks?q=ops&amp;sort=created&amp;page_size=10""#));
    assert!(html.contains(r#"aria-sort="descending""#));
    assert!(html.contains(
        r#"name="back" value="/webhooks?q=ops&amp;sort=name&amp;dir=desc&amp;page_size=10""#
    ));
}

fn selection(ids: &[i64]) -> String {
    ids.iter()
        .enumerate()
        .map(|(n, id)| format!("ids%5B{}%5D={id}", n * 2))
        .collect::<Vec<_>>()
        .join("&")
}

async fn actives(app: &TestApp, token: &str) -> Vec<bool> {
    let list = app.get("/api/v2/webhooks/", token).send().await.json();
    list["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["active"].as_bool().unwrap())
        .collect()
}

#[tokio::test]
async fn bulk_actions_change_the_selected_webhooks_with_a_history_entry_each() {
    let app = TestApp::spawn().await;
    let (token, cookie) = admin_signed_in(&app).await;
    let ids = seed(&app, &token).await;
    let stranger = app.admin_token().await;
    let theirs = app.create_named(&stranger, "Not yours").await["id"]
        .as_i64()
        .unwrap();

    let body = format!(
        "action=deactivate&{}&back=%2Fwebhooks%3Fq%3Da",
        selection(&[ids[0], ids[2], theirs])
    );
    let reply = call(&app, BulkWebhooks::PATH, Some(&cookie), &body).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    // Someone else's webhook is not among them.
    assert_eq!(
        reply.header("location"),
        Some("/webhooks?q=a&notice=deactivated&count=2")
    );
    assert_eq!(actives(&app, &token).await, [false, false, false, false]);
    assert_eq!(
        app.get(&format!("/api/v2/webhooks/{theirs}/"), &stranger)
            .send()
            .await
            .json()["active"],
        true
    );
    let history = app
        .get(&format!("/api/v2/webhooks/{}/history/", ids[2]), &token)
        .send()
        .await
        .json();
    assert_eq!(history["results"][0]["action"], "updated");
    assert_eq!(history["results"][0]["fields"], json!(["active"]));
    assert_eq!(history["results"][0]["actor_kind"], "browser");

    let body = format!("action=activate&{}", selection(&ids));
    let reply = call(&app, BulkWebhooks::PATH, Some(&cookie), &body).await;
    assert_eq!(
        reply.header("location"),
        Some("/webhooks?notice=activated&count=4")
    );
    assert_eq!(actives(&app, &token).await, [true, true, true, true]);
    // An address elsewhere is not where the list goes back to.
    let body = format!(
        "action=activate&{}&back=https%3A%2F%2Fevil.test%2F",
        selection(&ids)
    );
    let reply = call(&app, BulkWebhooks::PATH, Some(&cookie), &body).await;
    assert_eq!(
        reply.header("location"),
        Some("/webhooks?notice=activated&count=4")
    );
    // Nothing selected: back, saying so.
    let reply = call(
        &app,
        BulkWebhooks::PATH,
        Some(&cookie),
        "action=activate&back=%2Fwebhooks%3Fq%3Da",
    )
    .await;
    assert_eq!(
        reply.header("location"),
        Some("/webhooks?q=a&notice=none_selected")
    );
    let html = page(&app, "/webhooks?notice=none_selected", &cookie)
        .await
        .text();
    assert!(
        html.contains("Select one or more webhooks first."),
        "{html}"
    );
}

#[tokio::test]
async fn a_bulk_delete_asks_first_then_deletes_all_at_once() {
    let app = TestApp::spawn().await;
    let (token, cookie) = admin_signed_in(&app).await;
    let ids = seed(&app, &token).await;
    let chosen = [ids[1], ids[3]];

    // Without JavaScript the list comes back asking, with the count.
    let body = format!("action=delete&{}&back=%2Fwebhooks", selection(&chosen));
    let reply = plain_form_post(
        &app,
        BulkWebhooks::PATH,
        "http://testserver/webhooks",
        &cookie,
        &body,
    )
    .await;
    assert_eq!(reply.status, StatusCode::FOUND);
    let confirm = format!("/webhooks?confirm=delete&ids={},{}", ids[1], ids[3]);
    assert_eq!(reply.header("location"), Some(confirm.as_str()));
    assert_eq!(actives(&app, &token).await.len(), 4);
    // Without leptos' markers (`<!>`).
    let html = page(&app, &confirm, &cookie)
        .await
        .text()
        .replace("<!>", "");
    assert!(html.contains("Delete 2 webhooks?"), "{html}");
    assert!(
        html.contains(r#"<ul class="doomed"><li>billing</li><li>alpha</li></ul>"#),
        "{html}"
    );
    assert!(html.contains(r#"value="delete_confirmed""#));
    // Another organization's webhook, or a repeat, is not part of the question.
    let stranger = app.admin_token().await;
    let theirs = app.create_named(&stranger, "Not yours").await["id"].clone();
    let asked = format!(
        "/webhooks?confirm=delete&ids={},{theirs},{}",
        ids[1], ids[1]
    );
    let html = page(&app, &asked, &cookie).await.text().replace("<!>", "");
    assert!(html.contains("Delete 1 webhook?"), "{html}");
    assert!(
        html.contains(r#"<ul class="doomed"><li>billing</li></ul>"#),
        "{html}"
    );
    assert!(!html.contains("Not yours") && !html.contains(&format!(r#"value="{theirs}""#)));

    let body = format!(
        "action=delete_confirmed&{}&back=%2Fwebhooks",
        selection(&chosen)
    );
    let reply = plain_form_post(
        &app,
        BulkWebhooks::PATH,
        "http://testserver/webhooks",
        &cookie,
        &body,
    )
    .await;
    assert_eq!(reply.status, StatusCode::FOUND);
    assert_eq!(
        reply.header("location"),
        Some("/webhooks?notice=deleted_many&count=2")
    );
    let left: Vec<Value> = app.get("/api/v2/webhooks/", &token).send().await.json()["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["id"].clone())
        .collect();
    assert_eq!(left, [json!(ids[0]), json!(ids[2])]);
    let events = app
        .get("/api/v2/webhook-events/", &token)
        .send()
        .await
        .json();
    assert_eq!(events["results"][0]["action"], "deleted");
    assert_eq!(events["results"][1]["action"], "deleted");
    assert_eq!(events["count"], 6);
    let html = page(&app, "/webhooks?notice=deleted_many&count=2", &cookie)
        .await
        .text();
    assert!(html.contains("2 webhooks deleted."), "{html}");
}
