use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::common::{rejection_of, ErrorPanel, Loading};
use crate::error::AppError;
use crate::server_fns::{current_user, ChangePassword};

/// The signed-in user's password: the current one, the new one twice.
/// A plain form; without JavaScript it works the same.
#[component]
pub fn PasswordPage() -> impl IntoView {
    let me = Resource::new(|| (), |_| current_user());
    let rejected = rejection_of::<ChangePassword>();
    let changed = use_query_map().with_untracked(|query| query.get("changed").is_some());
    view! {
        <Title text="Change password · Webhook admin"/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(_)) => {
                        let error = rejected.await.map(|e| e.to_string());
                        view! { <PasswordForm changed error/> }.into_any()
                    }
                    Ok(None) => view! { <ErrorPanel error=AppError::NotSignedIn/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn PasswordForm(changed: bool, error: Option<String>) -> impl IntoView {
    view! {
        <section class="card narrow">
            <h1>"Change password"</h1>
            {changed.then(|| view! {
                <p class="notice" role="status">
                    "Password changed. Your other sessions have been signed out."
                </p>
            })}
            <form action=ChangePassword::url() method="post" class="form" aria-describedby="password-error">
                <div class="field">
                    <label for="current">"Current password"</label>
                    <input id="current" name="current" type="password" autocomplete="current-password" required/>
                </div>
                <div class="field">
                    <label for="new">"New password"</label>
                    <input id="new" name="new" type="password" autocomplete="new-password"
                        minlength="12" required aria-describedby="new-hint"/>
                    <p id="new-hint" class="hint">"12 characters at least."</p>
                </div>
                <div class="field">
                    <label for="again">"New password again"</label>
                    <input id="again" name="again" type="password" autocomplete="new-password" minlength="12" required/>
                </div>
                <p id="password-error" class="form-error" role="alert">{error}</p>
                <div class="actions">
                    <button type="submit" class="button">"Change password"</button>
                </div>
            </form>
        </section>
    }
}
