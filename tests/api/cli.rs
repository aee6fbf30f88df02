//! The admin CLI, run as a process against a throwaway database.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use serde_json::json;

use crate::support::cli::{cli, cli_with_stdin, fails, ok, BIN};
use crate::support::{TestApp, ThrowawayDb};

/// A test app over the database the CLI wrote to.
async fn app_over(db: ThrowawayDb) -> TestApp {
    TestApp::over(db).await
}

#[tokio::test]
async fn accounts_and_tokens_end_to_end() {
    let db = ThrowawayDb::new().await;
    ok(&cli(&db, &["migrate"]));
    ok(&cli(&db, &["org", "create", "acme", "--webhooks"]));
    ok(&cli_with_stdin(
        &db,
        &[
            "user",
            "create",
            "Ann@Acme.test",
            "--org",
            "acme",
            "--superuser",
            "--password-stdin",
        ],
        "s3cret-s3cret\n",
    ));
    let token = ok(&cli(&db, &["token", "create", "ann@acme.test"]));
    assert_eq!(token.lines().count(), 1);
    let token = token.trim().to_owned();
    assert_eq!(token.len(), 40);

    let app = app_over(db).await;
    assert_eq!(
        app.create(
            &token,
            json!({"name": "n", "url": crate::support::GOOD_URL})
        )
        .await["name"],
        "n"
    );

    ok(&cli(
        &app.database,
        &["org", "flag", "acme", "webhooks", "off"],
    ));
    app.get("/api/v2/webhooks/", &token)
        .send()
        .await
        .assert_detail(
            403,
            "The Webhooks feature is not enabled for this organization.",
        );
    ok(&cli(
        &app.database,
        &["org", "flag", "acme", "webhooks", "on"],
    ));
    assert_eq!(
        app.get("/api/v2/webhooks/", &token).send().await.status,
        200
    );

    ok(&cli(
        &app.database,
        &["user", "deactivate", "ann@acme.test"],
    ));
    app.get("/api/v2/webhooks/", &token)
        .send()
        .await
        .assert_detail(401, "User inactive or deleted.");

    ok(&cli_with_stdin(
        &app.database,
        &["token", "revoke"],
        &format!("{token}\n"),
    ));
    app.get("/api/v2/webhooks/", &token)
        .send()
        .await
        .assert_detail(401, "Invalid token.");
    fails(
        &cli_with_stdin(&app.database, &["token", "revoke"], &token),
        "no such token",
    );
}

#[tokio::test]
async fn mistakes_are_one_line_and_change_nothing() {
    let db = ThrowawayDb::new().await;
    ok(&cli(&db, &["org", "create", "acme"]));
    ok(&cli(
        &db,
        &["user", "create", "ann@acme.test", "--org", "acme"],
    ));

    fails(&cli(&db, &["org", "create", "acme"]), "already exists");
    fails(
        &cli(&db, &["org", "create", "Bad Slug"]),
        "invalid organization slug",
    );
    fails(
        &cli(&db, &["org", "flag", "nope", "webhooks", "on"]),
        "no organization \"nope\"",
    );
    fails(
        &cli(&db, &["user", "create", "bob@acme.test", "--org", "nope"]),
        "no organization \"nope\"",
    );
    fails(
        &cli(&db, &["user", "create", "ANN@acme.test", "--org", "acme"]),
        "already exists",
    );
    fails(
        &cli(&db, &["user", "create", "not-an-email", "--org", "acme"]),
        "invalid email",
    );
    for short in ["\n", "elevenchars\n"] {
        let args = [
            "user",
            "create",
            "eve@acme.test",
            "--org",
            "acme",
            "--password-stdin",
        ];
        fails(
            &cli_with_stdin(&db, &args, short),
            "password must have 12 to 1024 characters",
        );
    }
    fails(
        &cli(&db, &["user", "deactivate", "nobody@acme.test"]),
        "no user",
    );
    fails(
        &cli(&db, &["token", "create", "nobody@acme.test"]),
        "no user",
    );

    // Nothing above changed the database: eve was not created, acme has one user.
    let output = cli(&db, &["token", "create", "eve@acme.test"]);
    fails(&output, "no user");
    let app = app_over(db).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 1);
}

#[tokio::test]
async fn first_start_hands_over_a_working_login_and_token_in_a_private_file() {
    use std::os::unix::fs::PermissionsExt;
    let db = ThrowawayDb::new().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let file = crate::support::process::fresh_first_start_file();
    let mut server = Command::new(BIN)
        .arg("serve")
        .env("DATABASE_URL", &db.url)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "warn")
        .env("FIRST_START_FILE", &file)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut printed = Vec::new();
    for line in BufReader::new(server.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        let said_where = crate::support::process::first_start_file(&line);
        printed.push(line);
        if let Some(said) = said_where {
            assert_eq!(said, file);
            break;
        }
    }
    server.kill().unwrap();
    server.wait().unwrap();
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let first = crate::support::process::FirstStart::read(&file);
    let _ = std::fs::remove_file(&file);
    assert_eq!(first.email, "admin@localhost");
    assert_eq!(first.password.len(), 20);
    // Standard output (a service's log) never carries them.
    let printed = printed.join("\n");
    assert!(
        !printed.contains(&first.password) && !printed.contains(&first.token),
        "{printed}"
    );
    let token = first.token;

    let app = app_over(db).await;
    assert_eq!(
        app.get("/api/v2/webhooks/", &token).send().await.status,
        200
    );
    assert_eq!(app.create_named(&token, "first").await["name"], "first");

    // Later starts find a user and create nothing.
    assert!(webhook_admin::server::accounts::bootstrap(&app.db)
        .await
        .unwrap()
        .is_none());
}
