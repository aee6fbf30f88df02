//! What the data on disk gives away: the SQLite database and its `-wal` and
//! `-shm` are their owner's only, whoever opens them (the server or this
//! library), since they hold every Slack URL.

use std::os::unix::fs::PermissionsExt;

use crate::support::process::Server;
use crate::support::{Backend, TestApp, ThrowawayDb};

fn mode_of(path: &str) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .permissions()
        .mode()
        & 0o777
}

fn sqlite_path(database: &ThrowawayDb) -> String {
    database.url.strip_prefix("sqlite://").unwrap().to_owned()
}

#[tokio::test]
async fn a_new_sqlite_database_and_its_wal_are_private_files() {
    let app = TestApp::over(ThrowawayDb::on(Backend::Sqlite).await).await;
    let token = app.admin_token().await;
    app.create_named(&token, "written").await;
    let path = sqlite_path(&app.database);
    for file in [path.clone(), format!("{path}-wal"), format!("{path}-shm")] {
        assert_eq!(mode_of(&file), 0o600, "{file}");
    }
}

#[tokio::test]
async fn the_server_creates_its_files_for_its_owner_only() {
    let database = ThrowawayDb::on(Backend::Sqlite).await;
    let path = sqlite_path(&database);
    let mut server = Server::start(&database.url, &[]).await;
    server.first_start().await;
    for file in [
        path.clone(),
        format!("{path}-wal"),
        format!("{path}-shm"),
        format!("{path}.lock"),
    ] {
        assert_eq!(mode_of(&file), 0o600, "{file}");
    }
}
