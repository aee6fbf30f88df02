//! The server functions behind the browser pages. Each one is a thin adapter:
//! the typed session and permission checks from `server::web`, then the same
//! service calls the REST API makes. Errors are [`AppError`]s; each one's
//! HTTP status is set as it is encoded (see `error.rs`). Bodies run on the
//! server only.

use leptos::prelude::*;

use crate::error::AppError;
use crate::views::{FormOriginals, Me, Secret, Tokens, WebhookDetail, WebhookList};

#[cfg(feature = "ssr")]
use crate::{
    server::{accounts, web, webhooks},
    validation::{keeps_stored_url, validate_changes, validate_new, Input, WebhookInput},
    views::{FormEcho, Notice},
};

/// The signed-in user, for the top bar; `None` when signed out.
#[server]
pub async fn current_user() -> Result<Option<Me>, AppError> {
    Ok(web::current_user().await?.map(|user| Me {
        webhooks_denied: webhooks::WebhookScope::for_principal(&user.principal)
            .err()
            .map(AppError::from),
        email: user.email,
    }))
}

/// Why this page's last plain form post to the server function at `path`
/// failed, once. Kept in the session by `server::rejections`; never read
/// from the address, which anyone can write.
#[server]
pub async fn take_rejection(path: String) -> Result<Option<AppError>, AppError> {
    Ok(web::auth_session().await?.take_rejection(&path).await?)
}

#[server]
pub async fn login(email: String, password: Secret) -> Result<(), AppError> {
    let address = web::client_address().await;
    let user_id = accounts::sign_in(&web::state().db, &email, &password.0, &address).await?;
    web::auth_session().await?.sign_in(user_id).await?;
    leptos_axum::redirect("/webhooks");
    Ok(())
}

/// Where the change-password form lives (and says it worked).
pub const PASSWORD_PATH: &str = "/account/password";

/// Changes the signed-in user's password: the current one is checked with
/// sign-in's throttle, the new one by the same rule as everywhere. Every
/// other session of the user ends; this one continues under a new id.
#[server]
pub async fn change_password(current: Secret, new: Secret, again: Secret) -> Result<(), AppError> {
    let user = web::signed_in_user().await?;
    if new.0 != again.0 {
        return Err(AppError::PasswordsDiffer);
    }
    let new = accounts::Password::parse_new(&new.0).map_err(|_| AppError::WeakPassword)?;
    let db = &web::state().db;
    let address = web::client_address().await;
    accounts::sign_in(db, &user.email, &current.0, &address)
        .await
        .map_err(|e| match e {
            accounts::SignInError::BadCredentials => AppError::WrongPassword,
            other => other.into(),
        })?;
    let user_id = user.principal.user_id;
    accounts::set_password(db, user_id, &new).await?;
    web::auth_session().await?.sign_in(user_id).await?;
    leptos_axum::redirect(&format!("{PASSWORD_PATH}?changed"));
    Ok(())
}

#[server]
pub async fn logout() -> Result<(), AppError> {
    web::auth_session().await?.sign_out().await?;
    leptos_axum::redirect("/login");
    Ok(())
}

/// One page of the organization's webhooks, with the API's page rules.
#[server]
pub async fn list_webhooks(
    page: Option<String>,
    page_size: Option<String>,
) -> Result<WebhookList, AppError> {
    let scope = web::webhook_scope().await?;
    let request = webhooks::PageRequest::from_query(page.as_deref(), page_size.as_deref());
    let page = webhooks::list(&web::state().db, scope, request).await?;
    Ok(WebhookList {
        count: page.count,
        page: page.number,
        num_pages: page.num_pages,
        page_size: page.size,
        rows: page.items.iter().map(web::webhook_row).collect(),
    })
}

/// One webhook; with its full URL only when `reveal` is set, for the one
/// page that shows it on request.
#[server]
pub async fn get_webhook(id: i64, reveal: bool) -> Result<WebhookDetail, AppError> {
    let scope = web::webhook_scope().await?;
    let webhook = webhooks::get(&web::state().db, scope, id).await?;
    Ok(WebhookDetail {
        webhook: web::webhook_row(&webhook),
        full_url: reveal.then(|| Secret(webhook.url.as_str().to_owned())),
    })
}

#[server]
pub async fn create_webhook(
    name: String,
    url: Secret,
    description: String,
    active: Option<String>,
) -> Result<(), AppError> {
    let scope = web::webhook_scope().await?;
    let active = active.is_some();
    let echo = FormEcho::new(&name, &description, active);
    let input = WebhookInput {
        name: Input::Text(name),
        url: Input::Text(url.0),
        description: Input::Text(description),
        active: Input::Bool(active),
    };
    let draft = validate_new(&input).map_err(|errors| AppError::Invalid(errors, echo))?;
    webhooks::create(&web::state().db, scope, &draft).await?;
    leptos_axum::redirect(&Notice::Created.list_href());
    Ok(())
}

/// Saves only what changed since the form was loaded (PATCH semantics), so
/// someone else's edit of another field is kept. A blank URL keeps the URL.
#[server]
pub async fn update_webhook(
    id: i64,
    name: String,
    url: Secret,
    description: String,
    active: Option<String>,
    #[server(flatten)] original: FormOriginals,
) -> Result<(), AppError> {
    let scope = web::webhook_scope().await?;
    let active = active.is_some();
    let echo = FormEcho::new(&name, &description, active);
    let input = WebhookInput {
        name: changed(&name, &original.original_name, || {
            Input::text(name.as_str())
        }),
        url: if keeps_stored_url(&url.0) {
            Input::Missing
        } else {
            Input::Text(url.0)
        },
        description: changed(&description, &original.original_description, || {
            Input::text(description.as_str())
        }),
        active: changed(&active, &original.original_active, || Input::Bool(active)),
    };
    let changes = validate_changes(&input).map_err(|errors| AppError::Invalid(errors, echo))?;
    webhooks::update(&web::state().db, scope, id, &changes).await?;
    leptos_axum::redirect(&Notice::Saved.list_href());
    Ok(())
}

/// A field's input when it differs from what the form was loaded with.
#[cfg(feature = "ssr")]
fn changed<T: PartialEq + ?Sized>(now: &T, before: &T, input: impl FnOnce() -> Input) -> Input {
    if now == before {
        Input::Missing
    } else {
        input()
    }
}

#[server]
pub async fn delete_webhook(id: i64) -> Result<(), AppError> {
    let scope = web::webhook_scope().await?;
    webhooks::delete(&web::state().db, scope, id).await?;
    leptos_axum::redirect(&Notice::Deleted.list_href());
    Ok(())
}

/// The user's API tokens (what may be shown of them).
#[server]
pub async fn list_tokens() -> Result<Tokens, AppError> {
    let user = web::signed_in_user().await?;
    let tokens = accounts::tokens_of(&web::state().db, user.principal.user_id).await?;
    Ok(Tokens {
        tokens: tokens.iter().map(web::token_row).collect(),
        fresh_token: None,
    })
}

/// Creates a token and answers with it: the only time it is ever seen, and
/// it is kept nowhere (only its SHA-256 is stored).
#[server]
pub async fn create_api_token() -> Result<Secret, AppError> {
    let user = web::signed_in_user().await?;
    let token = accounts::create_token(&web::state().db, user.principal.user_id).await?;
    Ok(Secret(token.as_str().to_owned()))
}

#[server]
pub async fn revoke_api_token(id: i64) -> Result<(), AppError> {
    let user = web::signed_in_user().await?;
    match accounts::revoke_token_of_user(&web::state().db, user.principal.user_id, id).await {
        Ok(()) | Err(accounts::AccountError::UnknownToken) => Ok(()),
        Err(e) => Err(e.into()),
    }
}
