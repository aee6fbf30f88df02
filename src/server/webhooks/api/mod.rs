//! The webhook resources under `/api/v2/`: each file a resource with its
//! handlers; this one composes their routes.

pub mod caller;
pub mod common;
pub mod errors;
pub mod extract;
pub mod history;
pub mod list_cache;
pub mod resources;
pub mod schemas;
pub mod test;

use axum::routing::get;
use axum::Router;

use crate::server::rest::routes::with_and_without_slash;
use crate::server::AppState;
use common::{method_not_allowed, with_allow};
use resources::{create, delete, list, options_item, options_list, retrieve, update};

const LIST_ALLOW: &str = "GET, POST, HEAD, OPTIONS";
const ITEM_ALLOW: &str = "GET, PATCH, DELETE, HEAD, OPTIONS";

pub fn router() -> Router<AppState> {
    let list = with_allow(
        get(list)
            .post(create)
            .options(options_list)
            .fallback(method_not_allowed),
        LIST_ALLOW,
    );
    let item = with_allow(
        get(retrieve)
            .patch(update)
            .delete(delete)
            .options(options_item)
            .fallback(method_not_allowed),
        ITEM_ALLOW,
    );
    with_and_without_slash([
        ("/api/v2/webhooks/", list),
        ("/api/v2/webhooks/{id}/", item),
        ("/api/v2/webhooks/{id}/history/", history::webhook_routes()),
        ("/api/v2/webhook-events/", history::organization_routes()),
        ("/api/v2/webhooks/{id}/test/", test::routes()),
    ])
}
