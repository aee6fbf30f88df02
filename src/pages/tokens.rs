use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

use super::common::{CopyButton, ErrorPanel, Loading};
use crate::shared::error::AppError;
use crate::shared::forms::Secret;
use crate::shared::wire::{TokenRow, Tokens};

/// The tokens page; a form posting to it creates a token, shown in that
/// response only.
pub const TOKENS_PATH: &str = "/tokens";

#[component]
pub fn TokensPage() -> impl IntoView {
    // Rendered on the server: a POST here is the "Create token" form.
    let create = use_context::<leptos_router::Method>() == Some(leptos_router::Method::Post);
    let tokens = Resource::new(
        || (),
        move |_| async move {
            let fresh_token = if create {
                Some(create_api_token().await?)
            } else {
                None
            };
            Ok::<_, AppError>(Tokens {
                fresh_token,
                ..list_tokens().await?
            })
        },
    );
    view! {
        <Title text="API tokens · Webhook admin"/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match tokens.await {
                    Ok(tokens) => view! { <TokensView tokens/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn TokensView(tokens: Tokens) -> impl IntoView {
    view! {
        <div class="page-head">
            <h1>"API tokens"</h1>
            <form action=TOKENS_PATH method="post">
                <button type="submit" class="button">"Create token"</button>
            </form>
        </div>
        <p class="lead">
            "Send a token with every REST API request: "
            <code>"Authorization: Token YOUR_TOKEN"</code>
        </p>
        {tokens.fresh_token.map(|token| view! { <FreshToken token=token.0/> })}
        {if tokens.tokens.is_empty() {
            view! { <p class="card empty">"You have no API tokens."</p> }.into_any()
        } else {
            view! {
                <div class="table-wrap">
                    <table>
                        <caption class="visually-hidden">"Your API tokens"</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Token"</th>
                                <th scope="col">"Created"</th>
                                <th scope="col">"Last used"</th>
                                <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                            </tr>
                        </thead>
                        <tbody>
                            {tokens.tokens.into_iter().map(|token| view! { <TokenLine token/> }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }
            .into_any()
        }}
    }
}

#[component]
fn TokenLine(token: TokenRow) -> impl IntoView {
    let prefix = token.prefix.clone();
    view! {
        <tr>
            <td data-label="Token"><code>{format!("{}…", token.prefix)}</code></td>
            <td data-label="Created"><time datetime=token.created.machine>{token.created.human}</time></td>
            <td data-label="Last used">
                {match token.last_used {
                    Some(at) => view! { <time datetime=at.machine>{at.human}</time> }.into_any(),
                    None => view! { <span class="muted">"Never"</span> }.into_any(),
                }}
            </td>
            <td>
                <form action=RevokeApiToken::url() method="post">
                    <input type="hidden" name="id" value=token.id.to_string()/>
                    <button type="submit" class="button secondary small" aria-label=format!("Revoke token {prefix}…")>
                        "Revoke"
                    </button>
                </form>
            </td>
        </tr>
    }
}

/// A token created just now: the only time it can be seen.
#[component]
fn FreshToken(token: String) -> impl IntoView {
    view! {
        <section class="card fresh" aria-labelledby="fresh-title">
            <h2 id="fresh-title">"Your new token"</h2>
            <p>"Copy it now: it will not be shown again."</p>
            <code class="full-url" id="new-token">{token.clone()}</code>
            <div class="actions">
                <CopyButton text=token label="Copy token".to_owned()/>
            </div>
        </section>
    }
}

// Server functions: run on the server; the browser calls them over HTTP.

#[cfg(feature = "ssr")]
use crate::server::{accounts, browser::context};

/// The user's API tokens (what may be shown of them).
#[server]
pub async fn list_tokens() -> Result<Tokens, AppError> {
    let user = context::signed_in_user().await?;
    let tokens = accounts::tokens_of(&context::state()?.db, user.principal.user_id).await?;
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
    let token = accounts::create_token(
        &context::state()?.db,
        user.principal.user_id,
        accounts::TokenKind::Full,
    )
    .await?;
    Ok(Secret(token.as_str().to_owned()))
}

#[server]
pub async fn revoke_api_token(id: i64) -> Result<(), AppError> {
    let user = context::signed_in_user().await?;
    match accounts::revoke_token_of_user(&context::state()?.db, user.principal.user_id, id).await {
        Ok(()) | Err(accounts::AccountError::UnknownToken) => Ok(()),
        Err(e) => Err(e.into()),
    }
}
