//! The HTTP server loop: HTTP/1.1 only (TLS and HTTP/2 end at the proxy in
//! front). hyper's header timer runs from the moment a connection waits for a
//! request — its first, or the next one on a kept-alive connection — so a
//! client that sends nothing, or dribbles its headers, or idles between
//! requests is cut off; a cap on open connections; a time limit on each
//! request and its body; and a graceful shutdown that waits a bounded time.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::http::StatusCode;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_util::task::TaskTracker;
use tower::ServiceBuilder;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};

/// How long and how much the server gives its clients.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Time to send the request line and headers, counted from when the
    /// connection opens or its previous answer was sent (so also the
    /// longest a kept-alive connection may idle).
    pub header_read: Duration,
    /// Time to answer one request, its body included.
    pub request: Duration,
    pub max_connections: usize,
    /// How long a shutdown waits for requests in flight.
    pub shutdown_grace: Duration,
}

/// Serves `app` until `shutdown` resolves, then lets requests in flight —
/// open connections and `writes` whose client has left — finish for at
/// most `limits.shutdown_grace`.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    writes: TaskTracker,
    shutdown: impl Future<Output = ()>,
) {
    let app = app.layer(
        ServiceBuilder::new()
            .layer(TimeoutLayer::with_status_code(
                StatusCode::REQUEST_TIMEOUT,
                limits.request,
            ))
            .layer(RequestBodyTimeoutLayer::new(limits.request)),
    );
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read);
    let connections = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);

    loop {
        let permit = tokio::select! {
            permit = connections.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait, then go on.
                    tracing::warn!(error = %e, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Handlers can see who is connected (sign-in counts per address).
        let service = ServiceBuilder::new()
            .map_request(move |mut request: axum::extract::Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                request
            })
            .service(app.clone());
        let service = TowerToHyperService::new(service);
        let connection = builder.serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
            drop(permit);
        });
    }

    drop(listener);
    tracing::info!("shutting down: waiting for requests in flight");
    writes.close();
    let in_flight = async {
        graceful.shutdown().await;
        writes.wait().await;
    };
    tokio::select! {
        () = in_flight => {},
        () = tokio::time::sleep(limits.shutdown_grace) => {
            tracing::warn!(grace = ?limits.shutdown_grace, "requests still in flight were cut off");
        }
    }
}
