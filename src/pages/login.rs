use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

use super::common::rejection_of;
use crate::shared::error::AppError;
use crate::shared::forms::Secret;

#[component]
pub fn LoginPage() -> impl IntoView {
    let rejected = rejection_of::<Login>();
    let error = move || Suspend::new(async move { rejected.await.map(|e| e.to_string()) });
    view! {
        <Title text="Sign in · Webhook admin"/>
        <section class="card narrow">
            <h1>"Sign in"</h1>
            <form action=Login::url() method="post" class="form" aria-describedby="login-error">
                <div class="field">
                    <label for="email">"Email"</label>
                    <input id="email" name="email" type="email" autocomplete="username"/>
                </div>
                <div class="field">
                    <label for="password">"Password"</label>
                    <input id="password" name="password" type="password" autocomplete="current-password"/>
                </div>
                <p id="login-error" class="form-error" role="alert">
                    <Suspense fallback=|| ()>{error}</Suspense>
                </p>
                <div class="actions">
                    <button type="submit" class="button">"Sign in"</button>
                </div>
            </form>
        </section>
    }
}

// Server functions: run on the server; the browser calls them over HTTP.

#[cfg(feature = "ssr")]
use crate::server::{accounts, browser::context};

#[server]
pub async fn login(email: String, password: Secret) -> Result<(), AppError> {
    let state = context::state()?;
    let caller = context::caller().await?;
    let accepted = accounts::sign_in(
        &state.db,
        &state.keys,
        &email,
        &password.0,
        caller.sign_in_from(),
    )
    .await?;
    context::auth_session()
        .await?
        .sign_in(accepted.user_id)
        .await?;
    context::remember_device(&accepted.known_device);
    leptos_axum::redirect("/webhooks");
    Ok(())
}

#[server]
pub async fn logout() -> Result<(), AppError> {
    context::auth_session().await?.sign_out().await?;
    leptos_axum::redirect("/login");
    Ok(())
}
