//! The delivery resources under `/api/v2/`: events in; each file a
//! resource with its handlers, this one composes their routes.

pub mod events;

use axum::Router;

use crate::server::AppState;

pub fn router() -> Router<AppState> {
    let routes = [("/api/v2/events/", events::routes())];
    // The same paths without the trailing slash are served identically.
    routes
        .into_iter()
        .fold(Router::new(), |router, (path, methods)| {
            router
                .route(path, methods.clone())
                .route(path.trim_end_matches('/'), methods)
        })
}
