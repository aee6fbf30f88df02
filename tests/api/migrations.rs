//! Several processes migrating one database at the same moment (instances
//! starting together behind a load balancer) all succeed, on SQLite (a file
//! lock) and PostgreSQL (an advisory lock), sessions table included.

use std::io::{BufRead, BufReader};

use crate::limits::listening_address;
use std::process::{Child, Command, Stdio};

use crate::support::{TestApp, ThrowawayDb};

const BIN: &str = env!("CARGO_BIN_EXE_webhook-admin");

fn start(db: &ThrowawayDb, args: &[&str]) -> Child {
    Command::new(BIN)
        .args(args)
        .env("DATABASE_URL", &db.url)
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[tokio::test]
async fn four_migrations_at_once_all_succeed() {
    let db = ThrowawayDb::new().await;
    let children: Vec<Child> = (0..4).map(|_| start(&db, &["migrate"])).collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    // The schema is whole: the app works on it, sessions included.
    let app = TestApp::over(db).await;
    let token = app.admin_token().await;
    assert_eq!(app.create_named(&token, "after").await["name"], "after");
}

#[tokio::test]
async fn two_servers_starting_together_both_serve() {
    let db = ThrowawayDb::new().await;
    let mut servers: Vec<Child> = (0..2).map(|_| start(&db, &["serve"])).collect();
    for server in &mut servers {
        let mut log = BufReader::new(server.stderr.take().unwrap()).lines();
        listening_address(&mut log);
        std::thread::spawn(move || log.for_each(drop));
    }
    for server in &mut servers {
        server.kill().unwrap();
        server.wait().unwrap();
    }
}
