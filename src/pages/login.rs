use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

use super::common::rejection_of;
use crate::server_fns::Login;

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
