//! Who calls a webhook resource: DRF's token authentication, then the
//! webhook permission checks, in the contract's order, giving the scope
//! every query of the request is pinned to. A read's webhook or list page
//! rides along in the token lookup's own query. Runs before anything else
//! looks at the request.

use axum::body::Bytes;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use super::extract::WebhookId;
use super::list_cache::{Asked, Found, Keep};
use crate::server::accounts::{self, TokenPrincipal};
use crate::server::http::request_url::RequestUrl;
use crate::server::rest::auth::token_from_header;
use crate::server::rest::error::ApiError;
use crate::server::webhooks::{
    self, PageAlong, PageRequest, ServiceError, Unchecked, Webhook, WebhookScope,
};
use crate::server::AppState;

/// A caller allowed to manage its organization's webhooks.
pub struct WebhookCaller(pub WebhookScope);

impl FromRequestParts<AppState> for WebhookCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Ok(WebhookCaller(authenticate(parts, state).await?))
    }
}

/// A [`WebhookCaller`] listing webhooks: the page it asks for is read in
/// the token lookup's own query, or was answered before and nothing has
/// changed since ([`super::list_cache::ListCache`]).
pub enum WebhookLister {
    Kept(Bytes),
    Asking(Box<ListAsking>),
}

/// A list page to answer: who asks, where, for which page, the page if it
/// was read along, and how to keep the answer.
pub struct ListAsking {
    pub scope: WebhookScope,
    pub url: RequestUrl,
    pub request: PageRequest,
    pub page: Option<Unchecked<PageAlong>>,
    pub keep: Option<Keep>,
}

impl FromRequestParts<AppState> for WebhookLister {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = token_from_header(parts.headers.get(AUTHORIZATION).map(|v| v.as_bytes()))?;
        let Ok(url) = RequestUrl::from_request_parts(parts, state).await;
        let request = PageRequest::from_query(url.param("page"), url.param("page_size"));
        if request.sql_number().is_none() {
            // No list has this page: the caller is checked, then told so.
            return Ok(WebhookLister::Asking(Box::new(ListAsking {
                scope: authenticate(parts, state).await?,
                url,
                request,
                page: None,
                keep: None,
            })));
        }
        let keep = match state
            .list_cache
            .look_up(&state.db, Asked::new(token.digest(), url.clone()))
        {
            Found::Answer(answer) => return Ok(WebhookLister::Kept(answer)),
            Found::Make(keep) => keep,
        };
        let (caller, page) = webhooks::page_for_token(&state.db, &token, request)
            .await?
            .ok_or(ApiError::InvalidToken)?;
        Ok(WebhookLister::Asking(Box::new(ListAsking {
            scope: scope_of(caller)?,
            url,
            request,
            page: Some(page),
            keep,
        })))
    }
}

/// A caller allowed to read, and the webhook its path names (`WebhookId`),
/// read in the token lookup's own query: one round trip per request.
pub struct WebhookInPath(pub Webhook);

impl FromRequestParts<AppState> for WebhookInPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = token_from_header(parts.headers.get(AUTHORIZATION).map(|v| v.as_bytes()))?;
        let id = match WebhookId::from_request_parts(parts, state).await {
            Ok(WebhookId(id)) => id,
            // The caller is checked before the address.
            Err(not_found) => {
                authenticate(parts, state).await?;
                return Err(not_found);
            }
        };
        let (caller, webhook) = webhooks::get_for_token(&state.db, &token, id)
            .await?
            .ok_or(ApiError::InvalidToken)?;
        let scope = scope_of(caller)?;
        let webhook = webhook.open(scope)?.ok_or(ServiceError::NotFound)?;
        Ok(WebhookInPath(webhook))
    }
}

async fn authenticate(parts: &Parts, state: &AppState) -> Result<WebhookScope, ApiError> {
    let token = token_from_header(parts.headers.get(AUTHORIZATION).map(|v| v.as_bytes()))?;
    let caller = accounts::principal_for_token(&state.db, &token)
        .await?
        .ok_or(ApiError::InvalidToken)?;
    scope_of(caller)
}

/// The permission checks, for a token and its owner.
fn scope_of(caller: TokenPrincipal) -> Result<WebhookScope, ApiError> {
    Ok(WebhookScope::for_token(&caller)?)
}

/// A caller allowed to post events: the organization they go to.
pub struct EventPoster(pub i64);

impl FromRequestParts<AppState> for EventPoster {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = token_from_header(parts.headers.get(AUTHORIZATION).map(|v| v.as_bytes()))?;
        let caller = accounts::principal_for_token(&state.db, &token)
            .await?
            .ok_or(ApiError::InvalidToken)?;
        Ok(EventPoster(WebhookScope::events_organization(&caller)?))
    }
}
