//! Password sign-in for the browser admin, and its throttling.

use webhook_admin::server::accounts::{
    self, Email, Password, SignInError, MAX_ADDRESS_FAILURES, MAX_FAILURES,
};
use webhook_admin::server::db::Db;

use crate::support::TestApp;

async fn app_with_user(password: Option<&str>) -> TestApp {
    let app = TestApp::spawn().await;
    let org = app.org("acme", true).await;
    let password = password.map(|p| Password::parse(p).unwrap());
    accounts::create_user(
        &app.db,
        &Email::parse("ann@acme.test").unwrap(),
        &org,
        true,
        password.as_ref(),
    )
    .await
    .unwrap();
    app
}

#[tokio::test]
async fn right_password_signs_in_wrong_one_does_not() {
    let app = app_with_user(Some("correct horse")).await;
    let user_id = accounts::sign_in(&app.db, " Ann@ACME.test ", "correct horse", "10.0.0.1")
        .await
        .unwrap();
    let user = accounts::session_user(&app.db, user_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.email, "ann@acme.test");
    assert!(matches!(
        accounts::sign_in(&app.db, "ann@acme.test", "correct horse ", "10.0.0.1").await,
        Err(SignInError::BadCredentials)
    ));
    assert!(matches!(
        accounts::sign_in(&app.db, "nobody@acme.test", "x", "10.0.0.1").await,
        Err(SignInError::BadCredentials)
    ));
}

#[tokio::test]
async fn users_without_a_password_or_inactive_cannot_sign_in() {
    let app = app_with_user(None).await;
    assert!(matches!(
        accounts::sign_in(&app.db, "ann@acme.test", "", "10.0.0.1").await,
        Err(SignInError::BadCredentials)
    ));

    let app = app_with_user(Some("pw")).await;
    accounts::set_user_active(&app.db, &Email::parse("ann@acme.test").unwrap(), false)
        .await
        .unwrap();
    assert!(matches!(
        accounts::sign_in(&app.db, "ann@acme.test", "pw", "10.0.0.1").await,
        Err(SignInError::BadCredentials)
    ));
}

#[tokio::test]
async fn five_failures_in_a_minute_lock_the_email_even_for_the_right_password() {
    let app = app_with_user(Some("pw")).await;
    for _ in 0..MAX_FAILURES {
        assert!(matches!(
            accounts::sign_in(&app.db, "ann@acme.test", "guess", "10.0.0.1").await,
            Err(SignInError::BadCredentials)
        ));
    }
    match accounts::sign_in(&app.db, "ann@acme.test", "pw", "10.0.0.1").await {
        Err(SignInError::TooManyAttempts { retry_after_secs }) => {
            assert!((1..=60).contains(&retry_after_secs))
        }
        other => panic!("expected throttling, got {other:?}"),
    }
    // Other emails are not affected.
    assert!(matches!(
        accounts::sign_in(&app.db, "bob@acme.test", "x", "10.0.0.1").await,
        Err(SignInError::BadCredentials)
    ));
}

#[tokio::test]
async fn a_success_clears_earlier_failures() {
    let app = app_with_user(Some("pw")).await;
    for _ in 0..MAX_FAILURES - 1 {
        let _ = accounts::sign_in(&app.db, "ann@acme.test", "guess", "10.0.0.1").await;
    }
    accounts::sign_in(&app.db, "ann@acme.test", "pw", "10.0.0.1")
        .await
        .unwrap();
    for _ in 0..MAX_FAILURES - 1 {
        let _ = accounts::sign_in(&app.db, "ann@acme.test", "guess", "10.0.0.1").await;
    }
    accounts::sign_in(&app.db, "ann@acme.test", "pw", "10.0.0.1")
        .await
        .unwrap();
}

async fn failures_stored(app: &TestApp) -> i64 {
    let sql = "SELECT COUNT(*) FROM login_failures";
    match &app.db {
        Db::Sqlite(pool, ..) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
        Db::Postgres(pool, _) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
    }
}

#[tokio::test]
async fn fifty_parallel_wrong_guesses_let_at_most_the_allowed_number_through() {
    let app = app_with_user(Some("pw")).await;
    let guesses = (0..50).map(|i| {
        let db = app.db.clone();
        tokio::spawn(async move {
            accounts::sign_in(&db, "ann@acme.test", &format!("guess {i}"), "10.0.0.1").await
        })
    });
    let (mut checked, mut refused) = (0, 0);
    for guess in futures::future::join_all(guesses).await {
        match guess.unwrap() {
            Err(SignInError::BadCredentials) => checked += 1,
            Err(SignInError::TooManyAttempts { .. }) => refused += 1,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(checked, MAX_FAILURES);
    assert_eq!(refused, 50 - MAX_FAILURES);
    assert_eq!(failures_stored(&app).await, MAX_FAILURES);
}

#[tokio::test]
async fn a_locked_email_still_signs_in_from_another_address() {
    let app = app_with_user(Some("pw")).await;
    for _ in 0..MAX_FAILURES {
        let _ = accounts::sign_in(&app.db, "ann@acme.test", "guess", "203.0.113.9").await;
    }
    assert!(matches!(
        accounts::sign_in(&app.db, "ann@acme.test", "pw", "203.0.113.9").await,
        Err(SignInError::TooManyAttempts { .. })
    ));
    // The administrator's own address is not held up by someone else's guesses.
    accounts::sign_in(&app.db, "ann@acme.test", "pw", "10.0.0.1")
        .await
        .unwrap();
}

#[tokio::test]
async fn a_thousand_random_emails_from_one_address_leave_the_table_bounded() {
    let app = app_with_user(Some("pw")).await;
    let mut refused = 0;
    for i in 0..1000 {
        let email = format!("someone{i}-{}@spray.test", i * 7919 % 1000);
        match accounts::sign_in(&app.db, &email, "Winter2026!", "198.51.100.7").await {
            Err(SignInError::BadCredentials) => {}
            Err(SignInError::TooManyAttempts { .. }) => refused += 1,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(refused, 1000 - MAX_ADDRESS_FAILURES);
    assert_eq!(failures_stored(&app).await, MAX_ADDRESS_FAILURES);
    // Other addresses are not affected.
    accounts::sign_in(&app.db, "ann@acme.test", "pw", "10.0.0.1")
        .await
        .unwrap();
}

#[tokio::test]
async fn malformed_emails_and_huge_passwords_write_nothing() {
    let app = app_with_user(Some("pw")).await;
    let huge = "x".repeat(accounts::MAX_PASSWORD_BYTES + 1);
    for (email, password) in [
        ("not an email", "pw"),
        ("", "pw"),
        (&*"a".repeat(300), "pw"),
        ("ann@acme.test", huge.as_str()),
    ] {
        assert!(matches!(
            accounts::sign_in(&app.db, email, password, "10.0.0.1").await,
            Err(SignInError::BadCredentials)
        ));
    }
    assert_eq!(failures_stored(&app).await, 0);
}
