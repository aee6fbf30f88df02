//! Several processes migrating one database at the same moment (instances
//! starting together behind a load balancer) all succeed, on SQLite (a file
//! lock) and PostgreSQL (an advisory lock), sessions table included.

use crate::support::cli::{cli, ok};
use crate::support::process::{http_client, Server};
use crate::support::{TestApp, ThrowawayDb};

#[tokio::test]
async fn four_migrations_at_once_all_succeed() {
    let db = ThrowawayDb::new().await;
    std::thread::scope(|scope| {
        let runs: Vec<_> = (0..4)
            .map(|_| scope.spawn(|| cli(&db, &["migrate"])))
            .collect();
        for run in runs {
            ok(&run.join().unwrap());
        }
    });
    // The schema is whole: the app works on it, sessions included.
    let app = TestApp::over(db).await;
    let token = app.admin_token().await;
    assert_eq!(app.create_named(&token, "after").await["name"], "after");
}

#[tokio::test]
async fn two_servers_starting_together_both_serve() {
    let db = ThrowawayDb::new().await;
    let (one, two) = tokio::join!(Server::start(&db.url, &[]), Server::start(&db.url, &[]));
    let http = http_client().build().unwrap();
    for server in [one, two] {
        let health = http.get(server.url("/healthz")).send().await.unwrap();
        assert_eq!(health.status(), 200);
        server.kill().await;
    }
}
