//! `GET /api/v2/webhooks/`: order, DRF pagination and its links.

use serde_json::{json, Value};

use crate::support::TestApp;

async fn app_with(count: usize) -> (TestApp, String, Vec<i64>) {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let mut ids = Vec::new();
    for i in 0..count {
        ids.push(
            app.create_named(&token, &format!("hook {i}")).await["id"]
                .as_i64()
                .unwrap(),
        );
    }
    (app, token, ids)
}

fn ids_of(page: &Value) -> Vec<i64> {
    page["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn empty_list() {
    let (app, token, _) = app_with(0).await;
    let reply = app.get("/api/v2/webhooks/", &token).send().await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(
        reply.json(),
        json!({"count": 0, "next": null, "previous": null, "results": []})
    );
    let reply = app.get("/api/v2/webhooks/?page=2", &token).send().await;
    reply.assert_detail(404, "Invalid page.");
    let reply = app.get("/api/v2/webhooks/?page=last", &token).send().await;
    assert_eq!(reply.json()["count"], 0);
}

#[tokio::test]
async fn one_page_in_id_order_with_full_resources() {
    let (app, token, ids) = app_with(3).await;
    let page = app.get("/api/v2/webhooks/", &token).send().await.json();
    assert_eq!(page["count"], 3);
    assert_eq!(page["next"], Value::Null);
    assert_eq!(page["previous"], Value::Null);
    assert_eq!(ids_of(&page), ids);
    let first = app
        .get(&format!("/api/v2/webhooks/{}/", ids[0]), &token)
        .send()
        .await
        .json();
    assert_eq!(page["results"][0], first);
}

#[tokio::test]
async fn links_walk_the_pages() {
    let (app, token, ids) = app_with(5).await;
    let base = "http://testserver/api/v2/webhooks/";

    let page1 = app
        .get("/api/v2/webhooks/?page_size=2", &token)
        .send()
        .await
        .json();
    assert_eq!(page1["count"], 5);
    assert_eq!(ids_of(&page1), ids[0..2]);
    assert_eq!(page1["next"], format!("{base}?page=2&page_size=2"));
    assert_eq!(page1["previous"], Value::Null);

    let page2 = app
        .get("/api/v2/webhooks/?page_size=2&page=2", &token)
        .send()
        .await
        .json();
    assert_eq!(ids_of(&page2), ids[2..4]);
    assert_eq!(page2["next"], format!("{base}?page=3&page_size=2"));
    assert_eq!(page2["previous"], format!("{base}?page_size=2"));

    let page3 = app
        .get("/api/v2/webhooks/?page=3&page_size=2", &token)
        .send()
        .await
        .json();
    assert_eq!(ids_of(&page3), ids[4..5]);
    assert_eq!(page3["next"], Value::Null);
    assert_eq!(page3["previous"], format!("{base}?page=2&page_size=2"));

    let last = app
        .get("/api/v2/webhooks/?page=last&page_size=2", &token)
        .send()
        .await
        .json();
    assert_eq!(last, page3);
}

#[tokio::test]
async fn previous_of_page_two_drops_page_and_keeps_the_rest() {
    let (app, token, _) = app_with(3).await;
    let page = app
        .get(
            "/api/v2/webhooks?page=2&page_size=1&name=a%20b&active=true&zeta=1&zeta=2",
            &token,
        )
        .send()
        .await
        .json();
    assert_eq!(
        page["previous"],
        "http://testserver/api/v2/webhooks?active=true&name=a+b&page_size=1&zeta=1&zeta=2"
    );
    assert_eq!(
        page["next"],
        "http://testserver/api/v2/webhooks?active=true&name=a+b&page=3&page_size=1&zeta=1&zeta=2"
    );
    // Filters are not applied in this release.
    assert_eq!(page["count"], 3);
}

#[tokio::test]
async fn links_follow_the_host_and_forwarded_scheme() {
    let (app, token, _) = app_with(2).await;
    let page = app
        .get("/api/v2/webhooks/?page_size=1", &token)
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .json();
    assert_eq!(
        page["next"],
        "https://testserver/api/v2/webhooks/?page=2&page_size=1"
    );
}

#[tokio::test]
async fn page_size_default_clamp_and_ignored_values() {
    let (app, token, _) = app_with(27).await;
    let size = |page: &Value| page["results"].as_array().unwrap().len();

    let page = app.get("/api/v2/webhooks/", &token).send().await.json();
    assert_eq!(size(&page), 25);
    assert_eq!(page["next"], "http://testserver/api/v2/webhooks/?page=2");

    let page = app
        .get("/api/v2/webhooks/?page_size=1000", &token)
        .send()
        .await
        .json();
    assert_eq!(size(&page), 27);
    assert_eq!(page["next"], Value::Null);

    for ignored in ["0", "-1", "", "abc", "2.5"] {
        let page = app
            .get(&format!("/api/v2/webhooks/?page_size={ignored}"), &token)
            .send()
            .await
            .json();
        assert_eq!(size(&page), 25, "page_size={ignored}");
        assert_eq!(
            page["next"],
            format!("http://testserver/api/v2/webhooks/?page=2&page_size={ignored}")
        );
    }
}

#[tokio::test]
async fn page_values() {
    let (app, token, ids) = app_with(3).await;
    let page = app
        .get("/api/v2/webhooks/?page=&page_size=2", &token)
        .send()
        .await
        .json();
    assert_eq!(ids_of(&page), ids[0..2]);
    let page = app
        .get("/api/v2/webhooks/?page=%202%20&page_size=2", &token)
        .send()
        .await
        .json();
    assert_eq!(ids_of(&page), ids[2..3]);
    for bad in [
        "0",
        "-1",
        "3",
        "abc",
        "1.0",
        "LAST",
        "99999999999999999999999",
    ] {
        let reply = app
            .get(&format!("/api/v2/webhooks/?page={bad}&page_size=2"), &token)
            .send()
            .await;
        reply.assert_detail(404, "Invalid page.");
    }
}

#[tokio::test]
async fn head_answers_like_get_without_a_body() {
    let (app, token, _) = app_with(1).await;
    let reply = app
        .request("HEAD", "/api/v2/webhooks/")
        .token(&token)
        .send()
        .await;
    assert_eq!(reply.status, 200);
    assert!(reply.body.is_empty());
    assert_eq!(reply.header("allow"), Some("GET, POST, HEAD, OPTIONS"));
}

/// Pages past the middle are read from the end; every page, and the count
/// after deletes, must come out as if read from the start.
#[tokio::test]
async fn every_page_in_order_after_deletes() {
    let (app, token, mut ids) = app_with(23).await;
    for gone in [ids[0], ids[11], ids[22]] {
        let path = format!("/api/v2/webhooks/{gone}/");
        let reply = app.request("DELETE", &path).token(&token).send().await;
        assert_eq!(reply.status, 204);
        ids.retain(|id| *id != gone);
    }
    for size in [1, 3, 4, 7, 20, 25] {
        let mut seen = Vec::new();
        let pages = ids.len().div_ceil(size);
        for page in 1..=pages {
            let path = format!("/api/v2/webhooks/?page_size={size}&page={page}");
            let body: Value = app.get(&path, &token).send().await.json();
            assert_eq!(body["count"], json!(ids.len()), "{path}");
            let results = body["results"].as_array().unwrap();
            assert!(results.len() == size || page == pages, "{path}");
            seen.extend(results.iter().map(|w| w["id"].as_i64().unwrap()));
        }
        assert_eq!(seen, ids, "page size {size}");
        let last: Value = app
            .get(
                &format!("/api/v2/webhooks/?page_size={size}&page=last"),
                &token,
            )
            .send()
            .await
            .json();
        let tail: Vec<i64> = last["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["id"].as_i64().unwrap())
            .collect();
        assert_eq!(tail, ids[(pages - 1) * size..], "last page, size {size}");
    }
}
