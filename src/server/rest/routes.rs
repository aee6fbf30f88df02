//! A resource's paths as routes: each with and without its trailing slash,
//! served identically (DRF-era clients send either).

use axum::routing::MethodRouter;
use axum::Router;

use crate::server::AppState;

pub fn with_and_without_slash(
    routes: impl IntoIterator<Item = (&'static str, MethodRouter<AppState>)>,
) -> Router<AppState> {
    routes
        .into_iter()
        .fold(Router::new(), |router, (path, methods)| {
            router
                .route(path, methods.clone())
                .route(path.trim_end_matches('/'), methods)
        })
}
