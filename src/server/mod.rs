//! Everything that runs only on the server.

pub mod accounts;
pub mod api;
pub mod browser;
pub mod causes;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod delivery;
pub mod http;
pub mod keys;
pub mod ops;
pub mod rate_limit;
pub mod rest;
pub mod slack;
pub mod webhooks;

use std::sync::Arc;

use axum::extract::FromRef;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use leptos_router::Method;

use crate::app::{shell, App};
use db::Db;

/// The largest body a page's form or server function call may send.
pub const PAGE_BODY_LIMIT_BYTES: usize = 16 * 1024;

/// What every handler may need, passed explicitly. Extractors and leptos'
/// context clone it for every request: one shared allocation makes that a
/// single reference count instead of a clone of every field.
#[derive(Clone, Debug)]
pub struct AppState(Arc<SharedState>);

#[derive(Clone, Debug)]
pub struct SharedState {
    pub db: Db,
    pub leptos_options: LeptosOptions,
    pub sessions: browser::sessions::DbSessionStore,
    pub session_settings: browser::sessions::SessionSettings,
    pub site: Arc<http::site::SiteSettings>,
    pub metrics: Arc<ops::Metrics>,
    pub slack: slack::SlackClient,
    /// Signs what browsers bring back (short-lived and known-device cookies).
    pub keys: keys::SigningKey,
    /// Whose `X-Forwarded-For` names the client (`TRUSTED_PROXIES`).
    pub proxies: http::client::TrustedProxies,
    /// Tells this instance's delivery engine that deliveries were queued.
    pub delivery_wake: delivery::Wake,
    /// Writes run as tasks of their own ([`ops::finish_writes`]); a
    /// shutdown waits for them too, not only for open connections.
    pub writes: tokio_util::task::TaskTracker,
    /// List answers kept while nothing stored changes.
    pub list_cache: Arc<webhooks::api::list_cache::ListCache>,
}

impl std::ops::Deref for AppState {
    type Target = SharedState;

    fn deref(&self) -> &SharedState {
        &self.0
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl AppState {
    /// The state over a migrated database (see [`Db::migrate`]).
    pub fn new(
        db: Db,
        keys: keys::SigningKey,
        leptos_options: LeptosOptions,
        session_settings: browser::sessions::SessionSettings,
        site: http::site::SiteSettings,
    ) -> Self {
        AppState(Arc::new(SharedState {
            sessions: browser::sessions::DbSessionStore::new(&db),
            db,
            leptos_options,
            session_settings,
            site: Arc::new(site),
            metrics: Arc::default(),
            slack: slack::SlackClient::new(None),
            keys,
            proxies: http::client::TrustedProxies::default(),
            delivery_wake: delivery::Wake::default(),
            writes: tokio_util::task::TaskTracker::new(),
            list_cache: Arc::default(),
        }))
    }

    /// Believes these proxies' `X-Forwarded-For` (`TRUSTED_PROXIES`).
    pub fn with_trusted_proxies(mut self, proxies: http::client::TrustedProxies) -> Self {
        Arc::make_mut(&mut self.0).proxies = proxies;
        self
    }

    /// Test messages go to `base_url` instead of Slack (`SLACK_BASE_URL`).
    pub fn with_slack_base_url(mut self, base_url: Option<String>) -> Self {
        Arc::make_mut(&mut self.0).slack = slack::SlackClient::new(base_url);
        self
    }
}

/// The pages' routes, generated once per process. Generating them runs the
/// app with resource loading suppressed process-wide (leptos_server's
/// `SuppressResourceLoad`): a page that starts rendering meanwhile, in
/// another app of the same process (as the tests make), would wait forever
/// (leptos issue 4773). Once, before any app exists, nothing renders yet.
fn page_routes() -> Vec<AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES
        .get_or_init(|| {
            // The tokens page also answers the form that creates a token: the
            // new token is shown in the very response that made it, and
            // stored nowhere.
            generate_route_list(App)
                .into_iter()
                .map(|route| match route.path() {
                    crate::pages::TOKENS_PATH => AxumRouteListing::new(
                        route.path().to_owned(),
                        route.mode().clone(),
                        [Method::Get, Method::Post],
                        Vec::new(),
                    ),
                    _ => route,
                })
                .collect()
        })
        .clone()
}

/// The whole application behind the allowed-hosts check: the REST API (token
/// authentication, no session), then the browser pages and their server
/// functions, with sessions and the same-origin check; beside it the
/// health probes; around all of it request ids, logs and metrics.
pub fn app(state: AppState) -> Router {
    let pages = Router::new()
        .leptos_routes_with_context(
            &state,
            page_routes(),
            {
                let state = state.clone();
                move || {
                    provide_context(state.clone());
                    provide_context(browser::context::RequestUser::default());
                }
            },
            {
                let options = state.leptos_options.clone();
                move || shell(options.clone())
            },
        )
        .method_not_allowed_fallback(api::method_not_allowed)
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            browser::rejections::keep_for_next_page,
        ))
        .layer(axum::middleware::from_fn(http::csrf::same_origin_only))
        // Forms and server function calls are small; refuse big bodies early.
        .layer(tower_http::limit::RequestBodyLimitLayer::new(
            PAGE_BODY_LIMIT_BYTES,
        ))
        .layer(browser::sessions::layer(
            state.sessions.clone(),
            state.session_settings,
        ))
        .with_state(state.clone());
    let site = state.site.clone();
    let metrics = state.metrics.clone();
    let writes = state.writes.clone();
    let probes = ops::probes().with_state(state.clone());
    let https = site
        .public_origin
        .as_deref()
        .is_some_and(|origin| origin.starts_with("https://"));
    let app = api::router()
        .merge(http::assets::router())
        .with_state(state)
        .merge(pages)
        .layer(axum::middleware::from_fn_with_state(
            site,
            http::site::allowed_hosts_only,
        ));
    // Probes answer any Host: load balancers often probe by address.
    http::headers::layer(app, https)
        .merge(probes)
        .layer(axum::middleware::from_fn_with_state(
            writes,
            ops::finish_writes,
        ))
        .layer(axum::middleware::from_fn_with_state(metrics, ops::observe))
}
