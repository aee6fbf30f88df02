use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::common::who_is_signed_in;
use super::common::{rejection_of, ErrorPanel, Loading};
use crate::shared::error::AppError;
use crate::shared::forms::Secret;

/// The signed-in user's password: the current one, the new one twice.
/// A plain form; without JavaScript it works the same.
/// Where the change-password form lives (and says it worked).
pub const PASSWORD_PATH: &str = "/account/password";
/// What `?changed=` says after a change: tokens kept, or revoked.
pub const PASSWORD_CHANGED: &str = "kept";
pub const PASSWORD_CHANGED_TOKENS_REVOKED: &str = "revoked";

#[component]
pub fn PasswordPage() -> impl IntoView {
    let signed_in = Resource::new(|| (), |_| who_is_signed_in());
    let rejected = rejection_of::<ChangePassword>();
    let changed = use_query_map().with_untracked(|query| query.get("changed").map(changed_notice));
    view! {
        <Title text="Change password · Webhook admin"/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match signed_in.await {
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

// Server functions: run on the server; the browser calls them over HTTP.

#[cfg(feature = "ssr")]
use crate::server::{accounts, browser::context};

/// Changes the signed-in user's password: the current one is checked with
/// sign-in's throttle, the new one by the same rule as everywhere. Every
/// other session of the user ends; this one continues under a new id. With
/// `revoke_tokens` (the form's checkbox, ticked by default) the user's API
/// tokens are revoked too.
#[server]
pub async fn change_password(
    current: Secret,
    new: Secret,
    again: Secret,
    revoke_tokens: Option<String>,
) -> Result<(), AppError> {
    let user = context::signed_in_user().await?;
    if new.0 != again.0 {
        return Err(AppError::PasswordsDiffer);
    }
    let new = accounts::Password::parse_new(&new.0).map_err(|_| AppError::WeakPassword)?;
    let state = context::state()?;
    let db = &state.db;
    let caller = context::caller().await?;
    accounts::sign_in(
        db,
        &state.keys,
        &user.email,
        &current.0,
        caller.sign_in_from(),
    )
    .await
    .map_err(|e| match e {
        accounts::SignInError::BadCredentials => AppError::WrongPassword,
        other => other.into(),
    })?;
    let user_id = user.principal.user_id;
    let tokens = if revoke_tokens.is_some() {
        accounts::ApiTokens::Revoke
    } else {
        accounts::ApiTokens::Keep
    };
    let valid_after = accounts::set_password(db, user_id, &new, tokens).await?;
    context::auth_session().await?.sign_in(user_id).await?;
    context::remember_device(&accounts::known_device_cookie(
        &state.keys,
        user_id,
        valid_after,
    ));
    let changed = match tokens {
        accounts::ApiTokens::Revoke => PASSWORD_CHANGED_TOKENS_REVOKED,
        accounts::ApiTokens::Keep => PASSWORD_CHANGED,
    };
    leptos_axum::redirect(&format!("{PASSWORD_PATH}?changed={changed}"));
    Ok(())
}
