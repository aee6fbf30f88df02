//! The server functions behind the browser pages. Each one is a thin adapter:
//! session and permission checks from `server::web`, then the same service
//! calls the REST API makes. Bodies run on the server only.

use leptos::prelude::*;

use crate::views::{AppError, Loaded, Me, Tokens, WebhookDetail, WebhookList};

#[cfg(feature = "ssr")]
use crate::{
    server::{accounts, sessions, web, webhooks},
    validation::{validate_changes, validate_new, Input, WebhookInput},
    views::FormEcho,
};

/// The signed-in user, for the top bar; `None` when signed out.
#[server]
pub async fn current_user() -> Result<Option<Me>, AppError> {
    web::respond(
        async move {
            Ok(web::current_user().await?.map(|user| Me {
                webhooks_denied: webhooks::WebhookScope::for_principal(&user.principal)
                    .err()
                    .map(AppError::from),
                email: user.email,
            }))
        }
        .await,
    )
}

#[server]
pub async fn login(email: String, password: String) -> Result<(), AppError> {
    web::respond(
        async move {
            let user_id = match accounts::sign_in(&web::state().db, &email, &password).await {
                Ok(user_id) => user_id,
                Err(accounts::SignInError::BadCredentials) => return Err(AppError::BadCredentials),
                Err(accounts::SignInError::TooManyAttempts { retry_after_secs }) => {
                    return Err(AppError::TooManyAttempts(retry_after_secs));
                }
                Err(accounts::SignInError::Database(e)) => return Err(web::internal(e)),
            };
            let session = web::session().await?;
            // A new session id at sign-in defeats session fixation.
            session.cycle_id().await.map_err(web::internal)?;
            session
                .insert(sessions::USER_ID_KEY, user_id)
                .await
                .map_err(web::internal)?;
            leptos_axum::redirect("/webhooks");
            Ok(())
        }
        .await,
    )
}

#[server]
pub async fn logout() -> Result<(), AppError> {
    web::respond(
        async move {
            web::session().await?.flush().await.map_err(web::internal)?;
            leptos_axum::redirect("/login");
            Ok(())
        }
        .await,
    )
}

/// One page of the organization's webhooks, with the API's page rules.
#[server]
pub async fn list_webhooks(
    page: Option<String>,
    page_size: Option<String>,
) -> Result<WebhookList, AppError> {
    web::respond(
        async move {
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
        .await,
    )
}

/// One webhook; with its full URL only when `reveal` is set, for the one
/// page that shows it on request.
#[server]
pub async fn get_webhook(id: i64, reveal: bool) -> Result<WebhookDetail, AppError> {
    web::respond(
        async move {
            let scope = web::webhook_scope().await?;
            let webhook = webhooks::get(&web::state().db, scope, id).await?;
            Ok(WebhookDetail {
                webhook: web::webhook_row(&webhook),
                full_url: reveal.then(|| webhook.url.clone()),
            })
        }
        .await,
    )
}

#[server]
pub async fn create_webhook(
    name: String,
    url: String,
    description: String,
    active: Option<String>,
) -> Result<(), AppError> {
    web::respond(
        async move {
            let scope = web::webhook_scope().await?;
            let input = WebhookInput {
                name: Input::Text(name.clone()),
                url: Input::Text(url),
                description: Input::Text(description.clone()),
                active: Input::Bool(active.is_some()),
            };
            let draft = validate_new(&input).map_err(|errors| {
                AppError::Invalid(
                    errors,
                    FormEcho {
                        name,
                        description,
                        active: active.is_some(),
                    },
                )
            })?;
            webhooks::create(&web::state().db, scope, &draft).await?;
            leptos_axum::redirect("/webhooks?notice=created");
            Ok(())
        }
        .await,
    )
}

/// Saves only what changed since the form was loaded (PATCH semantics), so
/// someone else's edit of another field is kept. A blank URL keeps the URL.
#[server]
pub async fn update_webhook(
    id: i64,
    name: String,
    url: String,
    description: String,
    active: Option<String>,
    #[server(flatten)] original: Loaded,
) -> Result<(), AppError> {
    web::respond(
        async move {
            let scope = web::webhook_scope().await?;
            let active = active.is_some();
            let changed = |now: &str, before: &str| now != before;
            let input = WebhookInput {
                name: if changed(&name, &original.original_name) {
                    Input::Text(name.clone())
                } else {
                    Input::Missing
                },
                url: if url.trim().is_empty() {
                    Input::Missing
                } else {
                    Input::Text(url)
                },
                description: if changed(&description, &original.original_description) {
                    Input::Text(description.clone())
                } else {
                    Input::Missing
                },
                active: if changed(&active.to_string(), &original.original_active) {
                    Input::Bool(active)
                } else {
                    Input::Missing
                },
            };
            let changes = validate_changes(&input).map_err(|errors| {
                AppError::Invalid(
                    errors,
                    FormEcho {
                        name,
                        description,
                        active,
                    },
                )
            })?;
            webhooks::update(&web::state().db, scope, id, &changes).await?;
            leptos_axum::redirect("/webhooks?notice=saved");
            Ok(())
        }
        .await,
    )
}

#[server]
pub async fn delete_webhook(id: i64) -> Result<(), AppError> {
    web::respond(
        async move {
            let scope = web::webhook_scope().await?;
            webhooks::delete(&web::state().db, scope, id).await?;
            leptos_axum::redirect("/webhooks?notice=deleted");
            Ok(())
        }
        .await,
    )
}

/// The user's API tokens, and the one created just before, shown once.
#[server]
pub async fn list_tokens() -> Result<Tokens, AppError> {
    web::respond(
        async move {
            let user = web::signed_in_user().await?;
            let session = web::session().await?;
            let fresh_token = session
                .remove::<String>(sessions::FRESH_TOKEN_KEY)
                .await
                .map_err(web::internal)?;
            let tokens = accounts::tokens_of(&web::state().db, user.principal.user_id)
                .await
                .map_err(web::internal)?;
            Ok(Tokens {
                tokens: tokens.iter().map(web::token_row).collect(),
                fresh_token,
            })
        }
        .await,
    )
}

/// Creates a token and keeps it in the session until the tokens page shows
/// it: that works the same with and without JavaScript.
#[server]
pub async fn create_api_token() -> Result<(), AppError> {
    web::respond(
        async move {
            let user = web::signed_in_user().await?;
            let token = accounts::create_token(&web::state().db, user.principal.user_id)
                .await
                .map_err(web::internal)?;
            web::session()
                .await?
                .insert(sessions::FRESH_TOKEN_KEY, token.as_str())
                .await
                .map_err(web::internal)?;
            Ok(())
        }
        .await,
    )
}

#[server]
pub async fn revoke_api_token(id: i64) -> Result<(), AppError> {
    web::respond(
        async move {
            let user = web::signed_in_user().await?;
            match accounts::revoke_token_of_user(&web::state().db, user.principal.user_id, id).await
            {
                Ok(()) | Err(accounts::AccountError::UnknownToken) => Ok(()),
                Err(e) => Err(web::internal(e)),
            }
        }
        .await,
    )
}
