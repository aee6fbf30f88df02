//! The server functions behind the browser pages. Each one is a thin adapter:
//! the typed session and permission checks from `server::browser::context`, then the same
//! service calls the REST API makes. Errors are [`AppError`]s; each one's
//! HTTP status is set as it is encoded (see `error.rs`). Bodies run on the
//! server only.

use leptos::prelude::*;

use crate::shared::error::AppError;
use crate::shared::forms::{FormOriginals, Secret};
use crate::shared::wire::{HistoryList, Me, Tokens, WebhookDetail, WebhookList};

#[cfg(feature = "ssr")]
use crate::{
    server::{accounts, browser::context, webhooks},
    shared::forms::FormEcho,
    shared::list_query::ListQuery,
    shared::notices::Notice,
    shared::validation::{keeps_stored_url, validate_changes, validate_new, Input, WebhookInput},
};

/// The signed-in user, for the top bar; `None` when signed out.
#[server]
pub async fn current_user() -> Result<Option<Me>, AppError> {
    Ok(context::current_user().await?.map(|user| Me {
        webhooks_denied: webhooks::WebhookScope::for_principal(
            &user.principal,
            webhooks::Via::Browser,
        )
        .err()
        .map(AppError::from),
        email: user.email,
    }))
}

/// Why this page's last plain form post to the server function at `path`
/// failed, once. Kept in a signed cookie or the session by
/// `server::rejections`; never read from the address, which anyone can write.
#[server]
pub async fn take_rejection(path: String) -> Result<Option<AppError>, AppError> {
    if let Some(error) = context::take_cookie_rejection(&path) {
        return Ok(Some(error));
    }
    Ok(context::auth_session().await?.take_rejection(&path).await?)
}

#[server]
pub async fn login(email: String, password: Secret) -> Result<(), AppError> {
    let state = context::state();
    let caller = context::caller().await;
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

/// Where the change-password form lives (and says it worked).
pub const PASSWORD_PATH: &str = "/account/password";
/// What `?changed=` says after a change: tokens kept, or revoked.
pub const PASSWORD_CHANGED: &str = "kept";
pub const PASSWORD_CHANGED_TOKENS_REVOKED: &str = "revoked";

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
    let state = context::state();
    let db = &state.db;
    let caller = context::caller().await;
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

#[server]
pub async fn logout() -> Result<(), AppError> {
    context::auth_session().await?.sign_out().await?;
    leptos_axum::redirect("/login");
    Ok(())
}

/// One page of the organization's webhooks, with the API's page rules,
/// searched, filtered and ordered as the address says.
#[server]
pub async fn list_webhooks(
    page: Option<String>,
    page_size: Option<String>,
    q: Option<String>,
    status: Option<String>,
    sort: Option<String>,
    dir: Option<String>,
) -> Result<WebhookList, AppError> {
    let scope = context::webhook_scope().await?;
    let request = webhooks::PageRequest::from_query(page.as_deref(), page_size.as_deref());
    let query = ListQuery::from_params(
        q.as_deref(),
        status.as_deref(),
        sort.as_deref(),
        dir.as_deref(),
    );
    let page = webhooks::browse::page(&context::state().db, scope, &query, request).await?;
    Ok(WebhookList {
        count: page.count,
        page: page.number,
        num_pages: page.num_pages,
        page_size: page.size,
        rows: page.items.iter().map(context::webhook_row).collect(),
        query,
    })
}

/// The organization's webhooks among `ids`, by id and name, in the order
/// asked (others, and repeats, are left out): what a bulk delete names
/// before it deletes.
#[server]
pub async fn webhook_names(ids: Vec<i64>) -> Result<Vec<(i64, String)>, AppError> {
    let scope = context::webhook_scope().await?;
    let db = &context::state().db;
    let mut named: Vec<(i64, String)> = Vec::new();
    for id in ids
        .into_iter()
        .take(crate::shared::list_query::MAX_PAGE_SIZE as usize)
    {
        if named.iter().any(|(seen, _)| *seen == id) {
            continue;
        }
        match webhooks::get(db, scope, id).await {
            Ok(webhook) => named.push((webhook.id, webhook.name)),
            Err(webhooks::ServiceError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(named)
}

/// Activate, deactivate or delete the selected webhooks, all in one
/// transaction (one history entry each). A delete is confirmed first
/// (`delete_confirmed`): a plain `delete` goes back to the list, which asks
/// (naming them). `back` is the list's address to return to.
#[server]
pub async fn bulk_webhooks(
    action: String,
    ids: Option<Vec<i64>>,
    back: Option<String>,
) -> Result<(), AppError> {
    let scope = context::webhook_scope().await?;
    let back = back
        .filter(|b| b == "/webhooks" || b.starts_with("/webhooks?"))
        .unwrap_or_else(|| "/webhooks".to_owned());
    let separator = if back.contains('?') { '&' } else { '?' };
    let ids = ids.unwrap_or_default();
    if ids.is_empty() {
        leptos_axum::redirect(&format!(
            "{back}{separator}notice={}",
            Notice::NothingSelected.code()
        ));
        return Ok(());
    }
    // The new `active` for an activate or deactivate; `None` deletes.
    let (active, notice) = match action.as_str() {
        "activate" => (Some(true), Notice::Activated),
        "deactivate" => (Some(false), Notice::Deactivated),
        "delete_confirmed" => (None, Notice::DeletedMany),
        "delete" => {
            let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
            leptos_axum::redirect(&format!(
                "{back}{separator}confirm=delete&ids={}",
                ids.join(",")
            ));
            return Ok(());
        }
        _ => return Err(AppError::NotFound),
    };
    let changes = active.map(|active| crate::shared::validation::WebhookChanges {
        active: Some(active),
        ..Default::default()
    });
    let change = match &changes {
        Some(changes) => webhooks::Change::Edit(changes),
        None => webhooks::Change::Delete,
    };
    let changed = webhooks::apply(
        &context::state().db,
        scope,
        &ids,
        change,
        &webhooks::Precondition::none(),
    )
    .await?;
    leptos_axum::redirect(&format!(
        "{back}{separator}notice={}&count={}",
        notice.code(),
        changed.len()
    ));
    Ok(())
}

/// One webhook; with its full URL only when `reveal` is set, for the one
/// page that shows it on request (the reveal goes into its history).
#[server]
pub async fn get_webhook(id: i64, reveal: bool) -> Result<WebhookDetail, AppError> {
    let scope = context::webhook_scope().await?;
    let db = &context::state().db;
    let webhook = if reveal {
        webhooks::reveal(db, scope, id).await?
    } else {
        webhooks::get(db, scope, id).await?
    };
    Ok(WebhookDetail {
        webhook: context::webhook_row(&webhook),
        full_url: reveal.then(|| Secret(webhook.url.as_str().to_owned())),
    })
}

/// A fresh `Idempotency-Key` for one rendering of the create form, so a
/// double click or a form sent twice creates one webhook.
#[server]
pub async fn new_form_key() -> Result<String, AppError> {
    context::webhook_scope().await?;
    Ok(context::random_key())
}

#[server]
pub async fn create_webhook(
    name: String,
    url: Secret,
    description: String,
    active: Option<String>,
    form_key: Option<String>,
) -> Result<(), AppError> {
    let scope = context::webhook_scope().await?;
    let key = form_key.and_then(|key| webhooks::IdempotencyKey::parse(key.as_bytes()));
    let active = active.is_some();
    let echo = FormEcho::new(&name, &description, active);
    let input = WebhookInput {
        name: Input::Text(name),
        url: Input::Text(url.0),
        description: Input::Text(description),
        active: Input::Bool(active),
    };
    let draft = validate_new(&input).map_err(|errors| AppError::Invalid(errors, echo))?;
    webhooks::create(&context::state().db, scope, &draft, key.as_ref()).await?;
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
    let scope = context::webhook_scope().await?;
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
    // Only onto the version this form was loaded with: never over someone
    // else's save.
    let loaded = webhooks::Precondition::one_of(vec![original.original_version]);
    webhooks::update(&context::state().db, scope, id, &changes, &loaded).await?;
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
    let scope = context::webhook_scope().await?;
    webhooks::delete(
        &context::state().db,
        scope,
        id,
        &webhooks::Precondition::none(),
    )
    .await?;
    leptos_axum::redirect(&Notice::Deleted.list_href());
    Ok(())
}

/// One page of a webhook's history, newest first.
#[server]
pub async fn webhook_history(id: i64, page: Option<String>) -> Result<HistoryList, AppError> {
    history_page(webhooks::history::Scope::Webhook(id), page).await
}

/// One page of everything done to the organization's webhooks.
#[server]
pub async fn organization_activity(page: Option<String>) -> Result<HistoryList, AppError> {
    history_page(webhooks::history::Scope::Organization, page).await
}

#[cfg(feature = "ssr")]
async fn history_page(
    of: webhooks::history::Scope,
    page: Option<String>,
) -> Result<HistoryList, AppError> {
    let scope = context::webhook_scope().await?;
    let request = webhooks::PageRequest::from_query(page.as_deref(), None);
    let page = webhooks::history::page(&context::state().db, scope, of, request).await?;
    Ok(HistoryList {
        count: page.count,
        page: page.number,
        num_pages: page.num_pages,
        rows: page.items.iter().map(context::history_row).collect(),
    })
}

/// Sends a test message to the webhook's Slack URL. Delivered: back to the
/// webhook's page with a notice; not: the reason, as the form's error.
#[server]
pub async fn send_test_message(id: i64) -> Result<(), AppError> {
    let scope = context::webhook_scope().await?;
    let state = context::state();
    let delivery = webhooks::test_message::send(&state.db, &state.slack, scope, id).await?;
    if !delivery.delivered {
        let why = delivery.error.unwrap_or_default();
        return Err(AppError::TestNotDelivered(match delivery.status {
            Some(status) => format!("Slack answered {status}: {why}"),
            None => format!("No answer from Slack: {why}"),
        }));
    }
    leptos_axum::redirect(&Notice::TestDelivered.webhook_href(id));
    Ok(())
}

/// The user's API tokens (what may be shown of them).
#[server]
pub async fn list_tokens() -> Result<Tokens, AppError> {
    let user = context::signed_in_user().await?;
    let tokens = accounts::tokens_of(&context::state().db, user.principal.user_id).await?;
    Ok(Tokens {
        tokens: tokens.iter().map(context::token_row).collect(),
        fresh_token: None,
    })
}

/// Creates a token and answers with it: the only time it is ever seen, and
/// it is kept nowhere (only its SHA-256 is stored).
#[server]
pub async fn create_api_token() -> Result<Secret, AppError> {
    let user = context::signed_in_user().await?;
    let token = accounts::create_token(&context::state().db, user.principal.user_id).await?;
    Ok(Secret(token.as_str().to_owned()))
}

#[server]
pub async fn revoke_api_token(id: i64) -> Result<(), AppError> {
    let user = context::signed_in_user().await?;
    match accounts::revoke_token_of_user(&context::state().db, user.principal.user_id, id).await {
        Ok(()) | Err(accounts::AccountError::UnknownToken) => Ok(()),
        Err(e) => Err(e.into()),
    }
}
