//! The browser side: the HTML shell and the pages, rendered on the server
//! and hydrated in the browser.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{ParamSegment, SsrMode, StaticSegment};

use crate::pages::{
    ActivityPage, DeliveryPage, EditWebhookPage, HealthPage, HydrationMarker, LoginPage,
    NewWebhookPage, NotFoundPage, PasswordPage, TokensPage, TopBar, WebhookListPage,
};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <link rel="stylesheet" href=format!("/{}/webhook-admin.css", options.site_pkg_dir)/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options islands=true/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title text="Webhook admin"/>
        <Router>
            <TopBar/>
            <main>
                // Async: each page is sent whole, data in place, so it reads
                // the same without JavaScript and can set its status code.
                <Routes fallback=NotFoundPage>
                    <Route path=StaticSegment("") view=HomePage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("login") view=LoginPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("webhooks") view=WebhookListPage ssr=SsrMode::Async/>
                    <Route
                        path=(StaticSegment("webhooks"), StaticSegment("new"))
                        view=NewWebhookPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("webhooks"), ParamSegment("id"))
                        view=EditWebhookPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(
                            StaticSegment("webhooks"),
                            ParamSegment("id"),
                            StaticSegment("deliveries"),
                            ParamSegment("delivery"),
                        )
                        view=DeliveryPage
                        ssr=SsrMode::Async
                    />
                    <Route path=StaticSegment("deliveries") view=HealthPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("activity") view=ActivityPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("tokens") view=TokensPage ssr=SsrMode::Async/>
                    <Route
                        path=(StaticSegment("account"), StaticSegment("password"))
                        view=PasswordPage
                        ssr=SsrMode::Async
                    />
                </Routes>
            </main>
            <HydrationMarker/>
        </Router>
    }
}

#[component]
fn HomePage() -> impl IntoView {
    view! {
        <section class="card">
            <h1>"Slack webhooks for your organization"</h1>
            <p>
                "Manage the Slack incoming-webhook endpoints SD Elements posts events to. "
                "Super users of an organization with the Webhooks feature enabled can list, "
                "create, update and delete them."
            </p>
            <p><a class="button" href="/webhooks">"Manage webhooks"</a></p>
            <h2>"REST API"</h2>
            <p>
                "Send an API token with every request: "
                <code>"Authorization: Token YOUR_TOKEN"</code> "."
            </p>
            <ul class="endpoints">
                <li><code>"GET /api/v2/webhooks/"</code>" list, paginated"</li>
                <li><code>"POST /api/v2/webhooks/"</code>" create"</li>
                <li><code>"GET /api/v2/webhooks/{id}/"</code>" retrieve"</li>
                <li><code>"PATCH /api/v2/webhooks/{id}/"</code>" update some fields"</li>
                <li><code>"DELETE /api/v2/webhooks/{id}/"</code>" delete"</li>
            </ul>
        </section>
    }
}
