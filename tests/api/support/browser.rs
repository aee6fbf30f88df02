//! A browser's requests to the pages and their server functions: a script
//! on the site's pages, a plain form post without JavaScript, a page view,
//! and signing in.

use leptos::server_fn::ServerFn;
use webhook_admin::pages::login::Login;

use super::{Reply, TestApp, HOST};

pub const FORM: &str = "application/x-www-form-urlencoded";

/// A script on this site's pages (not a plain form): it gets the status itself.
pub async fn call(app: &TestApp, path: &str, cookie: Option<&str>, body: &str) -> Reply {
    let mut request = app
        .request("POST", path)
        .header("accept", "application/json")
        .header("origin", &format!("http://{HOST}"))
        .body(FORM, body.to_owned());
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.send().await
}

/// Signs in and returns the session cookie (`name=value`).
pub async fn session_of(app: &TestApp, email: &str) -> String {
    sign_in(app, email, "pw")
        .await
        .expect("sign-in sets the session cookie")
}

/// The session cookie of a sign-in with this email and password, or `None`
/// when it is refused.
pub async fn sign_in(app: &TestApp, email: &str, password: &str) -> Option<String> {
    let email = email.replace('@', "%40");
    let reply = call(
        app,
        Login::PATH,
        None,
        &format!("email={email}&password={password}"),
    )
    .await;
    (reply.status.as_u16() < 400).then(|| cookie_of(&reply))
}

/// The `name=value` of the session cookie an answer sets.
pub fn cookie_of(reply: &Reply) -> String {
    let set_cookie = reply
        .set_cookie("webhook_admin_session")
        .expect("a session cookie");
    set_cookie.split(';').next().unwrap().to_owned()
}

/// Ann, a super user of `acme` (Webhooks on), signed in: her API token and
/// her session cookie.
pub async fn admin_signed_in(app: &TestApp) -> (String, String) {
    let org = app.org("acme", true).await;
    let token = app.user_token("ann@acme.test", &org, true).await;
    (token, session_of(app, "ann@acme.test").await)
}

/// A form posted by a browser without JavaScript, from `page_url`.
pub async fn plain_form_post(
    app: &TestApp,
    action: &str,
    page_url: &str,
    cookie: &str,
    body: &str,
) -> Reply {
    app.request("POST", action)
        .header("accept", "text/html")
        .header("sec-fetch-site", "same-origin")
        .header("referer", page_url)
        .header("cookie", cookie)
        .body(FORM, body.to_owned())
        .send()
        .await
}

/// A page as a browser asks for it.
pub async fn page(app: &TestApp, path: &str, cookie: &str) -> Reply {
    app.request("GET", path)
        .header("accept", "text/html")
        .header("cookie", cookie)
        .send()
        .await
}

/// The `<td>` cells of the page's first table of deliveries, row by row.
pub fn table_rows(html: &str) -> Vec<Vec<String>> {
    let Some(start) = html.find(r#"<table class="deliveries">"#) else {
        return Vec::new();
    };
    let table = &html[start..start + html[start..].find("</table>").unwrap()];
    let body = &table[table.find("<tbody>").unwrap()..];
    body.split("<tr>")
        .skip(1)
        .map(|row| {
            row.split("<td")
                .skip(1)
                .map(|cell| {
                    // The cell's text: tags dropped.
                    let mut text = String::new();
                    let mut in_tag = true;
                    for c in cell.chars() {
                        match c {
                            '<' => in_tag = true,
                            '>' => in_tag = false,
                            c if !in_tag => text.push(c),
                            _ => {}
                        }
                    }
                    text.trim().to_owned()
                })
                .collect()
        })
        .collect()
}
