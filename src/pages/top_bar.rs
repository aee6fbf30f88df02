//! The bar atop every page: where to go, who is signed in, and signing out.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use super::common::who_is_signed_in;
use super::health::HEALTH_PATH;
use super::history::ACTIVITY_PATH;
use super::login::Logout;
use super::password::PASSWORD_PATH;

#[component]
pub fn TopBar() -> impl IntoView {
    let signed_in = Resource::new(|| (), |_| who_is_signed_in());
    view! {
        <header class="topbar">
            <a class="brand" href="/">"Webhook admin"</a>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match signed_in.await {
                        Ok(Some(me)) => view! {
                            <nav aria-label="Main" class="nav">
                                {me.webhooks_denied.is_none().then(|| view! {
                                    <a href="/webhooks">"Webhooks"</a>
                                    <a href=HEALTH_PATH>"Deliveries"</a>
                                    <a href=ACTIVITY_PATH>"Activity"</a>
                                })}
                                <a href="/tokens">"API tokens"</a>
                                <a href=PASSWORD_PATH>"Password"</a>
                            </nav>
                            <div class="user">
                                <span class="email">{me.email}</span>
                                <form action=Logout::url() method="post">
                                    <button type="submit" class="button secondary small">"Sign out"</button>
                                </form>
                            </div>
                        }
                        .into_any(),
                        _ => view! {
                            <nav aria-label="Main" class="nav">
                                <a href="/login">"Sign in"</a>
                            </nav>
                        }
                        .into_any(),
                    }
                })}
            </Suspense>
        </header>
    }
}
