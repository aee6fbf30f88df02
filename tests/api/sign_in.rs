//! Password sign-in for the browser admin, and its throttling.

use webhook_admin::server::accounts::{self, Email, Password, SignInError, MAX_FAILURES};

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
    let user_id = accounts::sign_in(&app.db, " Ann@ACME.test ", "correct horse")
        .await
        .unwrap();
    let user = accounts::session_user(&app.db, user_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.email, "ann@acme.test");
    assert!(matches!(
        accounts::sign_in(&app.db, "ann@acme.test", "correct horse ").await,
        Err(SignInError::BadCredentials)
    ));
    assert!(matches!(
        accounts::sign_in(&app.db, "nobody@acme.test", "x").await,
        Err(SignInError::BadCredentials)
    ));
}

#[tokio::test]
async fn users_without_a_password_or_inactive_cannot_sign_in() {
    let app = app_with_user(None).await;
    assert!(matches!(
        accounts::sign_in(&app.db, "ann@acme.test", "").await,
        Err(SignInError::BadCredentials)
    ));

    let app = app_with_user(Some("pw")).await;
    accounts::deactivate_user(&app.db, &Email::parse("ann@acme.test").unwrap())
        .await
        .unwrap();
    assert!(matches!(
        accounts::sign_in(&app.db, "ann@acme.test", "pw").await,
        Err(SignInError::BadCredentials)
    ));
}

#[tokio::test]
async fn five_failures_in_a_minute_lock_the_email_even_for_the_right_password() {
    let app = app_with_user(Some("pw")).await;
    for _ in 0..MAX_FAILURES {
        assert!(matches!(
            accounts::sign_in(&app.db, "ann@acme.test", "guess").await,
            Err(SignInError::BadCredentials)
        ));
    }
    match accounts::sign_in(&app.db, "ann@acme.test", "pw").await {
        Err(SignInError::TooManyAttempts { retry_after_secs }) => {
            assert!((1..=60).contains(&retry_after_secs))
        }
        other => panic!("expected throttling, got {other:?}"),
    }
    // Other emails are not affected.
    assert!(matches!(
        accounts::sign_in(&app.db, "bob@acme.test", "x").await,
        Err(SignInError::BadCredentials)
    ));
}

#[tokio::test]
async fn a_success_clears_earlier_failures() {
    let app = app_with_user(Some("pw")).await;
    for _ in 0..MAX_FAILURES - 1 {
        let _ = accounts::sign_in(&app.db, "ann@acme.test", "guess").await;
    }
    accounts::sign_in(&app.db, "ann@acme.test", "pw")
        .await
        .unwrap();
    for _ in 0..MAX_FAILURES - 1 {
        let _ = accounts::sign_in(&app.db, "ann@acme.test", "guess").await;
    }
    accounts::sign_in(&app.db, "ann@acme.test", "pw")
        .await
        .unwrap();
}
