//! What has expired is removed now and then, by every instance: sessions
//! past their expiry, idempotency keys (of webhooks and events) past their day, sign-in failures no
//! throttle counts any more. A failed sweep is logged; the next tries again.

use std::time::Duration;

use tower_sessions::session_store::ExpiredDeletion;

use crate::server::accounts;
use crate::server::clock::now_millis;
use crate::server::delivery;
use crate::server::webhooks::idempotency;
use crate::server::AppState;

/// Sweeps every `period`, for as long as the server runs.
pub async fn sweep_forever(state: AppState, period: Duration) {
    let mut interval = tokio::time::interval(period);
    loop {
        interval.tick().await;
        sweep(&state).await;
    }
}

/// One sweep of everything that expires.
pub async fn sweep(state: &AppState) {
    let now = now_millis();
    if let Err(e) = state.sessions.delete_expired().await {
        tracing::warn!(error = %e, "could not delete expired sessions");
    }
    if let Err(e) = idempotency::expire(&state.db, now).await {
        tracing::warn!(error = %e, "could not delete expired idempotency keys");
    }
    if let Err(e) = delivery::ingest::expire_keys(&state.db, now).await {
        tracing::warn!(error = %e, "could not delete expired event keys");
    }
    if let Err(e) = accounts::forget_old_failures(&state.db, now).await {
        tracing::warn!(error = %e, "could not delete old sign-in failures");
    }
}
