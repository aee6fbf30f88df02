//! The CLI's day-to-day administration: lists for people and scripts,
//! passwords, activation, renames; quiet unless something is wrong.

use std::process::{Command, Stdio};

use serde_json::{json, Value};

use crate::support::browser::{page, sign_in};
use crate::support::cli::{cli, cli_with_stdin, fails, ok, BIN};
use crate::support::{is_api_timestamp, TestApp, ThrowawayDb};

/// Two organizations; Ann (super user, password, two tokens, one used) in
/// acme, Bob in beta; one webhook in acme. Returns Ann's tokens.
async fn populated() -> (TestApp, [String; 2]) {
    let db = ThrowawayDb::new().await;
    ok(&cli(&db, &["org", "create", "acme", "--webhooks"]));
    ok(&cli(&db, &["org", "create", "beta"]));
    ok(&cli_with_stdin(
        &db,
        &[
            "user",
            "create",
            "ann@acme.test",
            "--org",
            "acme",
            "--superuser",
            "--password-stdin",
        ],
        "first-password-1\n",
    ));
    ok(&cli(
        &db,
        &["user", "create", "bob@beta.test", "--org", "beta"],
    ));
    let used = ok(&cli(&db, &["token", "create", "ann@acme.test"]))
        .trim()
        .to_owned();
    let unused = ok(&cli(&db, &["token", "create", "ann@acme.test"]))
        .trim()
        .to_owned();
    let app = TestApp::over(db).await;
    app.create_named(&used, "one").await;
    (app, [used, unused])
}

fn json_of(output: &std::process::Output) -> Value {
    serde_json::from_str(&ok(output)).expect("JSON on stdout")
}

#[tokio::test]
async fn lists_show_organizations_users_and_tokens() {
    let (app, [used, unused]) = populated().await;
    let db = &app.database;

    let mut orgs = json_of(&cli(db, &["org", "list", "--json"]));
    for org in orgs.as_array_mut().unwrap() {
        assert!(is_api_timestamp(&org["created"]), "{org}");
        org.as_object_mut().unwrap().remove("created");
    }
    assert_eq!(
        orgs,
        json!([
            {"slug": "acme", "webhooks_enabled": true, "users": 1, "webhooks": 1},
            {"slug": "beta", "webhooks_enabled": false, "users": 1, "webhooks": 0},
        ])
    );
    let table = ok(&cli(db, &["org", "list"]));
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 3, "{table}");
    assert!(
        lines[0].starts_with("SLUG  WEBHOOKS FLAG  USERS  WEBHOOKS  CREATED"),
        "{table}"
    );
    let cells: Vec<&str> = lines[1].split_whitespace().collect();
    assert_eq!(&cells[..4], ["acme", "on", "1", "1"]);
    // Aligned: each column starts where its heading does.
    assert_eq!(lines[1].find(" 1 ").map(|i| i + 1), lines[0].find("USERS"));

    let mut users = json_of(&cli(db, &["user", "list", "--org", "acme", "--json"]));
    assert!(is_api_timestamp(&users[0]["created"]));
    users[0].as_object_mut().unwrap().remove("created");
    assert_eq!(
        users,
        json!([{
            "email": "ann@acme.test", "organization": "acme", "superuser": true,
            "active": true, "has_password": true,
        }])
    );
    let everyone = ok(&cli(db, &["user", "list"]));
    assert!(everyone
        .lines()
        .next()
        .unwrap()
        .starts_with("EMAIL          ORGANIZATION  SUPERUSER"));
    assert!(
        everyone.contains("ann@acme.test  acme          yes        yes     yes"),
        "{everyone}"
    );
    assert!(
        everyone.contains("bob@beta.test  beta          no         yes     no"),
        "{everyone}"
    );
    fails(
        &cli(db, &["user", "list", "--org", "nope"]),
        "no organization \"nope\"",
    );

    let tokens = json_of(&cli(db, &["token", "list", "ann@acme.test", "--json"]));
    let tokens = tokens.as_array().unwrap();
    assert_eq!(tokens.len(), 2);
    assert_eq!(tokens[0]["prefix"], used[..8]);
    assert!(is_api_timestamp(&tokens[0]["last_used"]));
    assert_eq!(tokens[1]["prefix"], unused[..8]);
    assert_eq!(tokens[1]["last_used"], Value::Null);
    let table = ok(&cli(db, &["token", "list", "ann@acme.test"]));
    assert!(table.contains(&format!("{}…", &used[..8])));
    assert!(table.lines().nth(2).unwrap().ends_with("never"), "{table}");
    assert!(
        !table.contains(&used) && !table.contains(&unused),
        "never a whole token"
    );
    fails(
        &cli(db, &["token", "list", "nobody@acme.test"]),
        "no user with email",
    );
}

async fn signs_in(app: &TestApp, password: &str) -> Option<String> {
    sign_in(app, "ann@acme.test", password).await
}

#[tokio::test]
async fn a_new_password_from_the_cli_ends_the_users_sessions() {
    let (app, [token, _]) = populated().await;
    let db = &app.database;
    let session = signs_in(&app, "first-password-1").await.expect("signed in");
    assert_eq!(page(&app, "/webhooks", &session).await.status, 200);

    fails(
        &cli_with_stdin(
            db,
            &["user", "password", "ann@acme.test", "--password-stdin"],
            "too-short\n",
        ),
        "12 to 1024 characters",
    );
    fails(
        &cli_with_stdin(
            db,
            &["user", "password", "nobody@acme.test", "--password-stdin"],
            "long-enough-pw\n",
        ),
        "no user with email",
    );
    // Without --password-stdin it asks on a terminal, and refuses a pipe.
    fails(
        &cli(db, &["user", "password", "ann@acme.test"]),
        "not a terminal",
    );
    assert_eq!(
        page(&app, "/webhooks", &session).await.status,
        200,
        "nothing changed yet"
    );

    ok(&cli_with_stdin(
        db,
        &["user", "password", "ann@acme.test", "--password-stdin"],
        "second-password-2\n",
    ));
    let ended = page(&app, "/webhooks", &session).await;
    assert_eq!(ended.status, 302, "the old session has ended");
    assert_eq!(ended.header("location"), Some("/login"));
    assert_eq!(signs_in(&app, "first-password-1").await, None);
    let fresh = signs_in(&app, "second-password-2")
        .await
        .expect("the new password works");
    assert_eq!(page(&app, "/webhooks", &fresh).await.status, 200);
    // API tokens are not sessions: they keep working, unless asked.
    assert_eq!(
        app.get("/api/v2/webhooks/", &token).send().await.status,
        200
    );
    ok(&cli_with_stdin(
        db,
        &[
            "user",
            "password",
            "ann@acme.test",
            "--password-stdin",
            "--revoke-tokens",
        ],
        "third-password-3\n",
    ));
    app.get("/api/v2/webhooks/", &token)
        .send()
        .await
        .assert_detail(401, "Invalid token.");
    let tokens = ok(&cli(db, &["token", "list", "ann@acme.test", "--json"]));
    assert_eq!(tokens.trim(), "[]");
}

#[tokio::test]
async fn users_are_activated_again_and_organizations_renamed() {
    let (app, [token, _]) = populated().await;
    let db = &app.database;
    ok(&cli(db, &["user", "deactivate", "ann@acme.test"]));
    assert_eq!(
        app.get("/api/v2/webhooks/", &token).send().await.status,
        401
    );
    ok(&cli(db, &["user", "activate", "ann@acme.test"]));
    assert_eq!(
        app.get("/api/v2/webhooks/", &token).send().await.status,
        200
    );
    fails(
        &cli(db, &["user", "activate", "nobody@acme.test"]),
        "no user with email",
    );

    ok(&cli(db, &["org", "rename", "acme", "acme-corp"]));
    fails(
        &cli(db, &["org", "rename", "acme-corp", "beta"]),
        "organization \"beta\" already exists",
    );
    fails(
        &cli(db, &["org", "rename", "acme", "other"]),
        "no organization \"acme\"",
    );
    fails(
        &cli(db, &["org", "rename", "beta", "Not A Slug"]),
        "invalid organization slug",
    );
    let slugs: Vec<Value> = json_of(&cli(db, &["org", "list", "--json"]))
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["slug"].clone())
        .collect();
    assert_eq!(slugs, [json!("acme-corp"), json!("beta")]);
    assert_eq!(
        app.get("/api/v2/webhooks/", &token).send().await.status,
        200
    );
}

/// No `RUST_LOG`: the commands print what they were asked for and nothing
/// on stderr (no PostgreSQL notices about tables that already exist).
#[tokio::test]
async fn commands_are_quiet_by_default() {
    let db = ThrowawayDb::new().await;
    for args in [
        &["migrate"][..],
        &["migrate"],
        &["org", "list"],
        &["org", "create", "quiet"],
    ] {
        let output = Command::new(BIN)
            .args(args)
            .env("DATABASE_URL", &db.url)
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(output.status.success(), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&output.stderr), "", "{args:?}");
    }
}

#[tokio::test]
async fn webhooks_change_from_the_command_line_as_a_user_and_say_so_in_history() {
    let (app, [token, _]) = populated().await;
    let db = &app.database;
    let second = app.create_named(&token, "Second one").await["id"]
        .as_i64()
        .unwrap();
    let first = second - 1;

    let listed = json_of(&cli(
        db,
        &["webhook", "list", "--as", "ann@acme.test", "--json"],
    ));
    assert_eq!(listed.as_array().unwrap().len(), 2);
    assert_eq!(listed[1]["name"], "Second one");
    assert_eq!(
        listed[1]["masked_url"],
        "hooks.slack.com/services/T…/B…/••••XXXX"
    );
    assert!(is_api_timestamp(&listed[1]["updated"]));
    let found = ok(&cli(
        db,
        &[
            "webhook",
            "list",
            "--as",
            "ann@acme.test",
            "--search",
            "SECOND",
        ],
    ));
    assert_eq!(found.lines().count(), 2, "{found}");
    assert!(
        found
            .lines()
            .nth(1)
            .unwrap()
            .starts_with(&format!("{second}  ")),
        "{found}"
    );

    let done = ok(&cli(
        db,
        &[
            "webhook",
            "deactivate",
            &first.to_string(),
            &second.to_string(),
            "--as",
            "ann@acme.test",
        ],
    ));
    assert_eq!(done, format!("deactivated: {first}, {second}\n"));
    let history = app
        .get(&format!("/api/v2/webhooks/{second}/history/"), &token)
        .send()
        .await
        .json();
    assert_eq!(history["results"][0]["action"], "updated");
    assert_eq!(history["results"][0]["fields"], json!(["active"]));
    assert_eq!(history["results"][0]["actor"], "ann@acme.test");
    assert_eq!(history["results"][0]["actor_kind"], "cli");

    // One unknown id: nothing changes.
    fails(
        &cli(
            db,
            &[
                "webhook",
                "delete",
                &first.to_string(),
                "999999",
                "--as",
                "ann@acme.test",
            ],
        ),
        "no webhook 999999 in the organization of ann@acme.test; nothing was changed",
    );
    ok(&cli(
        db,
        &[
            "webhook",
            "activate",
            &first.to_string(),
            "--as",
            "ann@acme.test",
        ],
    ));
    ok(&cli(
        db,
        &[
            "webhook",
            "delete",
            &second.to_string(),
            "--as",
            "ann@acme.test",
        ],
    ));
    let left = app.get("/api/v2/webhooks/", &token).send().await.json();
    assert_eq!(left["count"], 1);
    assert_eq!(left["results"][0]["active"], true);
    let events = app
        .get("/api/v2/webhook-events/", &token)
        .send()
        .await
        .json();
    assert_eq!(events["results"][0]["action"], "deleted");
    assert_eq!(events["results"][0]["actor_kind"], "cli");

    // The user's rights apply: Bob is no super user.
    fails(
        &cli(db, &["webhook", "list", "--as", "bob@beta.test"]),
        "bob@beta.test may not manage webhooks: the user is not a super user",
    );
    fails(
        &cli(db, &["webhook", "list", "--as", "nobody@acme.test"]),
        "no user with email \"nobody@acme.test\"",
    );
}

#[tokio::test]
async fn names_that_would_drive_a_terminal_are_listed_as_escapes() {
    let (app, [token, _]) = populated().await;
    let hostile = "clip\u{1b}]52;c;ZXZpbA==\u{7}\u{9b}31m\u{202e}exe";
    let created = app
        .create(
            &token,
            json!({"name": hostile, "url": crate::support::GOOD_URL}),
        )
        .await;
    assert_eq!(created["name"], hostile);
    let as_ann = ["webhook", "list", "--as", "ann@acme.test"];
    for output in [
        ok(&cli(&app.database, &as_ann)),
        ok(&cli(&app.database, &[&as_ann[..], &["--json"]].concat())),
    ] {
        assert!(
            !output.contains(['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}']),
            "{output:?}"
        );
    }
    let table = ok(&cli(&app.database, &as_ann));
    assert!(
        table.contains(r"clip\u{1b}]52;c;ZXZpbA==\u{7}\u{9b}31m\u{202e}exe"),
        "{table}"
    );
    let listed = json_of(&cli(&app.database, &[&as_ann[..], &["--json"]].concat()));
    assert_eq!(listed[1]["name"], hostile);
}
