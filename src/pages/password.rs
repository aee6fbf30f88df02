use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::common::{rejection_of, ErrorPanel, Loading};
use crate::server_fns::{current_user, ChangePassword, PASSWORD_CHANGED_TOKENS_REVOKED};
use crate::shared::error::AppError;

/// The signed-in user's password: the current one, the new one twice.
/// A plain form; without JavaScript it works the same.
#[component]
pub fn PasswordPage() -> impl IntoView {
    let me = Resource::new(|| (), |_| current_user());
    let rejected = rejection_of::<ChangePassword>();
    let changed = use_query_map().with_untracked(|query| query.get("changed").map(changed_notice));
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

/// What the page says after a change (`?changed=`): whether the tokens went.
fn changed_notice(tokens: String) -> &'static str {
    if tokens == PASSWORD_CHANGED_TOKENS_REVOKED {
        "Password changed. Your other sessions have been signed out and your API tokens revoked."
    } else {
        "Password changed. Your other sessions have been signed out; your API tokens still work."
    }
}

#[component]
fn PasswordForm(changed: Option<&'static str>, error: Option<String>) -> impl IntoView {
    view! {
        <section class="card narrow">
            <h1>"Change password"</h1>
            {changed.map(|text| view! { <p class="notice" role="status">{text}</p> })}
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
                <div class="field checkbox">
                    <input id="revoke_tokens" name="revoke_tokens" type="checkbox" value="on" checked
                        aria-describedby="revoke-hint"/>
                    <label for="revoke_tokens">"Also revoke my API tokens"</label>
                    <p id="revoke-hint" class="hint">
                        "If your password may have leaked, a token made with it would go on working."
                    </p>
                </div>
                <p id="password-error" class="form-error" role="alert">{error}</p>
                <div class="actions">
                    <button type="submit" class="button">"Change password"</button>
                </div>
            </form>
        </section>
    }
}
