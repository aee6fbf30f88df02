//! The delivery resources under `/api/v2/`: events in, and each webhook's
//! subscriptions and deliveries; each file a resource with its handlers,
//! this one composes their routes.

pub mod deliveries;
pub mod events;
pub mod subscriptions;

use axum::Router;

use crate::server::rest::routes::with_and_without_slash;
use crate::server::AppState;

pub fn router() -> Router<AppState> {
    with_and_without_slash([
        ("/api/v2/events/", events::routes()),
        (
            "/api/v2/webhooks/{id}/subscriptions/",
            subscriptions::routes(),
        ),
        (
            "/api/v2/webhooks/{id}/deliveries/",
            deliveries::list_routes(),
        ),
        (
            "/api/v2/webhooks/{id}/deliveries/redeliver/",
            deliveries::action_routes(deliveries::redeliver_all, "Delivery Redeliver"),
        ),
        (
            "/api/v2/webhooks/{id}/deliveries/discard/",
            deliveries::action_routes(deliveries::discard_held, "Delivery Discard"),
        ),
        (
            "/api/v2/webhooks/{id}/deliveries/{delivery_id}/",
            deliveries::item_routes(),
        ),
        (
            "/api/v2/webhooks/{id}/deliveries/{delivery_id}/redeliver/",
            deliveries::action_routes(deliveries::redeliver, "Delivery Redeliver"),
        ),
    ])
}
