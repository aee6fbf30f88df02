//! `event send`, `delivery list|show|redeliver` and `webhook subscriptions`
//! from the command line, against an engine posting to the fake Slack.

use serde_json::{json, Value};

use crate::support::cli::{cli, cli_with_stdin, fails, ok};
use crate::support::engine::{quick, setup, Setup};
use crate::support::fake_slack::Answer;

async fn admin_email(s: &Setup) -> String {
    s.app
        .column::<String>("SELECT email FROM users")
        .await
        .remove(0)
}

fn json_of(output: &std::process::Output) -> Value {
    serde_json::from_str(&ok(output)).unwrap()
}

#[tokio::test]
async fn events_are_sent_and_their_deliveries_listed_shown_and_sent_again() {
    let s = setup(quick()).await;
    let email = admin_email(&s).await;
    let db = &s.app.database;
    // A command as the organization's super user.
    let admin = |args: &[&str]| {
        let mut args = args.to_vec();
        args.extend(["--as", email.as_str()]);
        cli(db, &args)
    };
    let hook = s.webhook("refused").await.to_string();
    s.slack
        .script("refused", [Answer::Error(400, "invalid_payload")]);

    let sent = admin(&["event", "send", "project.created", "Apollo *created*"]);
    let first = s.app.column::<i64>("SELECT MAX(id) FROM events").await[0];
    assert_eq!(ok(&sent), format!("event {first}: queued for 1 webhook\n"));
    let blocks = json!({"text": "fallback", "blocks": [
        {"type": "section", "text": {"type": "mrkdwn", "text": "*Apollo*"}}
    ]});
    let sent = cli_with_stdin(
        db,
        &["event", "send", "project.updated", "--as", &email],
        &blocks.to_string(),
    );
    let second = first + 1;
    assert_eq!(ok(&sent), format!("event {second}: queued for 1 webhook\n"));
    s.deliver().await;
    let arrived = s.slack.arrivals_of("refused");
    assert_eq!(arrived[0].body, json!({"text": "Apollo *created*"}));
    assert_eq!(arrived[1].body, blocks);

    let listed = json_of(&admin(&["delivery", "list", &hook, "--json"]));
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0]["event_type"], "project.updated");
    assert_eq!(listed[0]["status"], "delivered");
    assert_eq!(listed[1]["event_type"], "project.created");
    assert_eq!(listed[1]["status"], "dead");
    let dead = listed[1]["id"].as_i64().unwrap().to_string();
    let only_dead = json_of(&admin(&[
        "delivery", "list", &hook, "--status", "dead", "--json",
    ]));
    assert_eq!(only_dead.as_array().unwrap().len(), 1);
    let table = ok(&admin(&["delivery", "list", &hook]));
    assert!(table.starts_with("ID"), "{table}");
    assert_eq!(table.lines().count(), 3, "{table}");

    let shown = json_of(&admin(&["delivery", "show", &hook, &dead, "--json"]));
    assert_eq!(shown["status"], "dead");
    assert_eq!(shown["message"], json!({"text": "Apollo *created*"}));
    let attempt = &shown["attempts_made"][0];
    assert_eq!(attempt["outcome"], "rejected");
    assert_eq!(attempt["http_status"], 400);
    assert_eq!(attempt["error"], "invalid_payload");
    let in_words = "Slack could not read the message; it will not be sent again";
    assert_eq!(attempt["meaning"], in_words);
    let text = ok(&admin(&["delivery", "show", &hook, &dead]));
    assert!(text.contains(in_words), "{text}");

    assert_eq!(
        ok(&admin(&["delivery", "redeliver", &hook, &dead])),
        format!("delivery {dead}: waiting to be sent again\n")
    );
    fails(
        &admin(&["delivery", "redeliver", &hook, &dead]),
        "the delivery is already waiting to be sent",
    );
    s.deliver().await;
    assert_eq!(s.slack.arrivals_of("refused").len(), 3);
    let hook: i64 = hook.parse().unwrap();
    assert_eq!(s.deliveries(hook).await, ["delivered 2 0", "delivered 1 0"]);
}

#[tokio::test]
async fn mistakes_are_one_line_and_change_nothing() {
    let s = setup(quick()).await;
    let email = admin_email(&s).await;
    let db = &s.app.database;
    let hook = s.webhook("a").await.to_string();
    fails(
        &cli(
            db,
            &["event", "send", "Project.Created", "x", "--as", &email],
        ),
        "the event was not sent: type: Enter a valid event type",
    );
    fails(
        &cli_with_stdin(db, &["event", "send", "a.b", "--as", &email], "[1]"),
        "standard input is not a JSON object",
    );
    fails(
        &cli_with_stdin(
            db,
            &["event", "send", "a.b", "--as", &email],
            "{\"text\": \"\"}",
        ),
        "text: This field may not be blank.",
    );
    assert_eq!(s.app.count("SELECT COUNT(*) FROM events").await, 0);
    fails(
        &cli(db, &["delivery", "list", "999999", "--as", &email]),
        &format!("no webhook 999999 in the organization of {email}"),
    );
    fails(
        &cli(db, &["delivery", "show", &hook, "999999", "--as", &email]),
        &format!("webhook {hook} has no such delivery"),
    );
    // clap's own refusal: its usage lines follow.
    let refused = cli(
        db,
        &[
            "delivery", "list", &hook, "--as", &email, "--status", "lost",
        ],
    );
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).starts_with(
        "error: invalid value 'lost' for '--status <STATUS>': one of waiting, delivered, dead, held\n"
    ));
    // A turned-off webhook's delivery waits for it to be turned on.
    cli(db, &["event", "send", "a.b", "x", "--as", &email]);
    ok(&cli(db, &["webhook", "deactivate", &hook, "--as", &email]));
    let id = s.app.column::<i64>("SELECT id FROM deliveries").await[0].to_string();
    s.app.execute("UPDATE deliveries SET status = 'held'").await;
    fails(
        &cli(db, &["delivery", "redeliver", &hook, &id, "--as", &email]),
        &format!("webhook {hook} is turned off: turn it on first (webhook activate {hook})"),
    );
}

#[tokio::test]
async fn subscriptions_are_shown_narrowed_and_widened() {
    let s = setup(quick()).await;
    let email = admin_email(&s).await;
    let db = &s.app.database;
    let hook = s.webhook("a").await.to_string();
    let subscriptions = |extra: &[&str]| {
        let mut args = vec![
            "webhook",
            "subscriptions",
            hook.as_str(),
            "--as",
            email.as_str(),
        ];
        args.extend_from_slice(extra);
        cli(db, &args)
    };
    let send_team_created = || {
        ok(&cli(
            db,
            &["event", "send", "team.created", "x", "--as", &email],
        ))
    };
    assert_eq!(ok(&subscriptions(&[])), "every type\n");
    assert_eq!(
        ok(&subscriptions(&[
            "--set",
            "user.created",
            "project.*",
            "project.*"
        ])),
        "project.*\nuser.created\n"
    );
    assert!(send_team_created().ends_with(": queued for 0 webhooks\n"));
    fails(
        &subscriptions(&["--set", "Bad*"]),
        "Item 1: Enter an event type (project.created) or a prefix ending in *",
    );
    assert_eq!(ok(&subscriptions(&[])), "project.*\nuser.created\n");
    assert_eq!(ok(&subscriptions(&["--every-type"])), "every type\n");
    assert!(send_team_created().ends_with(": queued for 1 webhook\n"));
    fails(
        &cli(db, &["webhook", "subscriptions", "999999", "--as", &email]),
        &format!("no webhook 999999 in the organization of {email}"),
    );
}
