//! `webhook-admin serve` (the default): the server's start-up, and its
//! shutdown on a signal.

use leptos::prelude::get_configuration;

use super::{open_database, CliResult};
use crate::server::accounts;
use crate::server::config::{Config, Switch};
use crate::server::delivery::Engine;
use crate::server::{app, AppState};

pub async fn serve(config: &Config) -> CliResult {
    tracing::info!("configuration:\n{config}");
    let delivery_settings = config.delivery_settings()?;
    let db = open_database(config).await?;
    // Port 0 picks a free port: say the one actually bound.
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    let mut leptos_options = get_configuration(None)?.leptos_options;
    leptos_options.site_addr = addr;
    // An embedded site's files live at addresses of their own version.
    if let Some(version) = crate::server::http::assets::version() {
        leptos_options.site_pkg_dir = format!("pkg/{version}").into();
    }
    if let Some(admin) = accounts::bootstrap(&db).await? {
        super::first_start::hand_over(&admin, addr, &config.first_start_file());
    }
    let keys = crate::server::keys::SigningKey::load_or_create(&db).await?;
    let state = AppState::new(
        db.clone(),
        keys,
        leptos_options,
        config.session_settings(),
        config.site_settings(),
    )
    .with_trusted_proxies(config.trusted_proxies())
    .with_slack_base_url(config.slack_base_url.clone());
    tokio::spawn(crate::server::webhooks::search_index::index_forever(
        state.db.clone(),
    ));
    tokio::spawn(crate::server::ops::sweep_forever(
        state.clone(),
        config.session_sweep_period(),
    ));
    let engine = (config.deliveries == Switch::On).then(|| {
        let engine = Engine::new(
            db.clone(),
            state.slack.clone(),
            delivery_settings,
            state.delivery_wake.clone(),
        )
        .with_metrics(state.metrics.deliveries.clone());
        (engine.stopper(), tokio::spawn(engine.run()))
    });
    if let Some(metrics_addr) = config.metrics_listen {
        let listener = tokio::net::TcpListener::bind(metrics_addr).await?;
        tracing::info!("metrics on http://{}/metrics", listener.local_addr()?);
        let metrics = crate::server::ops::metrics_router(state.clone());
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, metrics).await {
                tracing::error!(error = %e, "the metrics listener stopped");
            }
        });
    }
    let writes = state.writes.clone();
    let app = app(state);
    let signal = shutdown_signal()?;
    let stop_engine = engine.as_ref().map(|(stopper, _)| stopper.clone());
    // The engine stops with the listener: both finish what is in flight.
    let shutdown = async move {
        signal.await;
        if let Some(stopper) = stop_engine {
            stopper.cancel();
        }
    };
    tracing::info!("listening on http://{addr}");
    crate::server::http::listener::serve(listener, app, config.limits(), writes, shutdown).await;
    if let Some((_, running)) = engine {
        let _ = running.await;
    }
    db.close().await;
    Ok(())
}

/// Resolves on SIGTERM or Ctrl-C. The handlers are installed right away, so a
/// signal that comes as soon as the server listens still shuts it down gently.
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = terminate.recv() => {},
            _ = interrupt.recv() => {},
        }
    })
}
