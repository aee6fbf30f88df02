//! Password sign-in for the browser admin, and its throttling: per email and
//! address, per address, per account; known browsers; clients behind
//! trusted proxies; cheap refusals that store nothing.

use webhook_admin::server::accounts::{
    self, Accepted, Email, Password, SignInError, SignInFrom, MAX_ACCOUNT_FAILURES,
    MAX_ADDRESS_FAILURES, MAX_FAILURES,
};

use axum::http::StatusCode;
use leptos::server_fn::ServerFn;
use webhook_admin::pages::login::Login;
use webhook_admin::server::http::client::{parse_network, TrustedProxies};

use crate::support::browser::{page, FORM};
use crate::support::{Reply, TestApp, HOST};

/// A sign-in from `address`, from a browser that never signed in before.
async fn sign_in(
    app: &TestApp,
    email: &str,
    password: &str,
    address: &str,
) -> Result<Accepted, SignInError> {
    sign_in_from(app, email, password, address, None).await
}

/// A sign-in from `address`, from a browser with this known-device cookie.
async fn sign_in_from(
    app: &TestApp,
    email: &str,
    password: &str,
    address: &str,
    known_device: Option<&str>,
) -> Result<Accepted, SignInError> {
    let from = SignInFrom {
        address,
        known_device,
    };
    accounts::sign_in(&app.db, &app.state.keys, email, password, from).await
}

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
    let user_id = sign_in(&app, " Ann@ACME.test ", "correct horse", "10.0.0.1")
        .await
        .unwrap()
        .user_id;
    let user = accounts::session_user(&app.db, user_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.email, "ann@acme.test");
    assert!(matches!(
        sign_in(&app, "ann@acme.test", "correct horse ", "10.0.0.1").await,
        Err(SignInError::BadCredentials)
    ));
    assert!(matches!(
        sign_in(&app, "nobody@acme.test", "x", "10.0.0.1").await,
        Err(SignInError::BadCredentials)
    ));
}

#[tokio::test]
async fn users_without_a_password_or_inactive_cannot_sign_in() {
    let app = app_with_user(None).await;
    assert!(matches!(
        sign_in(&app, "ann@acme.test", "", "10.0.0.1").await,
        Err(SignInError::BadCredentials)
    ));

    let app = app_with_user(Some("pw")).await;
    accounts::set_user_active(&app.db, &Email::parse("ann@acme.test").unwrap(), false)
        .await
        .unwrap();
    assert!(matches!(
        sign_in(&app, "ann@acme.test", "pw", "10.0.0.1").await,
        Err(SignInError::BadCredentials)
    ));
}

#[tokio::test]
async fn five_failures_in_a_minute_lock_the_email_even_for_the_right_password() {
    let app = app_with_user(Some("pw")).await;
    for _ in 0..MAX_FAILURES {
        assert!(matches!(
            sign_in(&app, "ann@acme.test", "guess", "10.0.0.1").await,
            Err(SignInError::BadCredentials)
        ));
    }
    match sign_in(&app, "ann@acme.test", "pw", "10.0.0.1").await {
        Err(SignInError::TooManyAttempts { retry_after_secs }) => {
            assert!((1..=60).contains(&retry_after_secs))
        }
        other => panic!("expected throttling, got {other:?}"),
    }
    // Other emails are not affected.
    assert!(matches!(
        sign_in(&app, "bob@acme.test", "x", "10.0.0.1").await,
        Err(SignInError::BadCredentials)
    ));
}

#[tokio::test]
async fn a_success_clears_earlier_failures() {
    let app = app_with_user(Some("pw")).await;
    for _ in 0..MAX_FAILURES - 1 {
        let _ = sign_in(&app, "ann@acme.test", "guess", "10.0.0.1").await;
    }
    sign_in(&app, "ann@acme.test", "pw", "10.0.0.1")
        .await
        .unwrap();
    for _ in 0..MAX_FAILURES - 1 {
        let _ = sign_in(&app, "ann@acme.test", "guess", "10.0.0.1").await;
    }
    sign_in(&app, "ann@acme.test", "pw", "10.0.0.1")
        .await
        .unwrap();
}

async fn failures_stored(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) FROM login_failures").await
}

#[tokio::test]
async fn fifty_parallel_wrong_guesses_let_at_most_the_allowed_number_through() {
    let app = app_with_user(Some("pw")).await;
    let app = std::sync::Arc::new(app);
    let guesses = (0..50).map(|i| {
        let app = app.clone();
        tokio::spawn(async move {
            sign_in(&app, "ann@acme.test", &format!("guess {i}"), "10.0.0.1").await
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
        let _ = sign_in(&app, "ann@acme.test", "guess", "203.0.113.9").await;
    }
    assert!(matches!(
        sign_in(&app, "ann@acme.test", "pw", "203.0.113.9").await,
        Err(SignInError::TooManyAttempts { .. })
    ));
    // The administrator's own address is not held up by someone else's guesses.
    sign_in(&app, "ann@acme.test", "pw", "10.0.0.1")
        .await
        .unwrap();
}

#[tokio::test]
async fn a_thousand_random_emails_from_one_address_leave_the_table_bounded() {
    let app = app_with_user(Some("pw")).await;
    let mut refused = 0;
    for i in 0..1000 {
        let email = format!("someone{i}-{}@spray.test", i * 7919 % 1000);
        match sign_in(&app, &email, "Winter2026!", "198.51.100.7").await {
            Err(SignInError::BadCredentials) => {}
            Err(SignInError::TooManyAttempts { .. }) => refused += 1,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(refused, 1000 - MAX_ADDRESS_FAILURES);
    assert_eq!(failures_stored(&app).await, MAX_ADDRESS_FAILURES);
    // Other addresses are not affected.
    sign_in(&app, "ann@acme.test", "pw", "10.0.0.1")
        .await
        .unwrap();
}

#[tokio::test]
async fn malformed_input_is_refused_and_counted_against_its_address() {
    let app = app_with_user(Some("pw")).await;
    let huge = "x".repeat(accounts::MAX_PASSWORD_BYTES + 1);
    let malformed = [
        ("not an email", "pw"),
        ("", "pw"),
        (&*"a".repeat(300), "pw"),
        ("ann@acme.test", huge.as_str()),
        ("ann@acme.test", ""),
    ];
    for n in 0..MAX_ADDRESS_FAILURES as usize {
        let (email, password) = malformed[n % malformed.len()];
        assert!(matches!(
            sign_in(&app, email, password, "198.51.100.9").await,
            Err(SignInError::BadCredentials)
        ));
    }
    assert_eq!(failures_stored(&app).await, MAX_ADDRESS_FAILURES);
    // The address has used up its minute, for real accounts too.
    for (email, password) in [("x", "pw"), ("ann@acme.test", "pw")] {
        assert!(matches!(
            sign_in(&app, email, password, "198.51.100.9").await,
            Err(SignInError::TooManyAttempts {
                retry_after_secs: 1..=60
            })
        ));
    }
    assert_eq!(failures_stored(&app).await, MAX_ADDRESS_FAILURES);
    // Not the account: Ann signs in from elsewhere.
    sign_in(&app, "ann@acme.test", "pw", "10.0.0.1")
        .await
        .unwrap();
}

#[tokio::test]
async fn fifty_failures_an_hour_from_anywhere_hold_the_account_up() {
    let app = app_with_user(Some("pw")).await;
    // Before the guesses, Ann signed in on her own browser.
    let ann = sign_in(&app, "ann@acme.test", "pw", "10.0.0.1")
        .await
        .unwrap();
    for n in 0..MAX_ACCOUNT_FAILURES {
        let address = format!("203.0.113.{n}");
        assert!(matches!(
            sign_in(&app, "ann@acme.test", "guess", &address).await,
            Err(SignInError::BadCredentials)
        ));
    }
    match sign_in(&app, "ann@acme.test", "pw", "192.0.2.1").await {
        Err(SignInError::TooManyAttempts { retry_after_secs }) => {
            assert!(
                (3_500..=3_600).contains(&retry_after_secs),
                "{retry_after_secs}"
            )
        }
        other => panic!("expected throttling, got {other:?}"),
    }
    // Her browser is known: the guesses do not lock her out of it, from
    // any address.
    let again = sign_in_from(
        &app,
        "ann@acme.test",
        "pw",
        "192.0.2.1",
        Some(&ann.known_device),
    )
    .await
    .unwrap();
    assert_eq!(again.user_id, ann.user_id);
    // Other accounts are not affected.
    assert!(matches!(
        sign_in(&app, "bob@acme.test", "x", "192.0.2.2").await,
        Err(SignInError::BadCredentials)
    ));
}

#[tokio::test]
async fn a_known_browser_is_not_locked_out_by_guesses_from_its_own_address() {
    let app = app_with_user(Some("pw")).await;
    let ann = sign_in(&app, "ann@acme.test", "pw", "10.0.0.1")
        .await
        .unwrap();
    // Someone behind the same address guesses.
    for _ in 0..MAX_FAILURES {
        let _ = sign_in(&app, "ann@acme.test", "guess", "10.0.0.1").await;
    }
    assert!(matches!(
        sign_in(&app, "ann@acme.test", "pw", "10.0.0.1").await,
        Err(SignInError::TooManyAttempts { .. })
    ));
    let cookie = Some(ann.known_device.as_str());
    sign_in_from(&app, "ann@acme.test", "pw", "10.0.0.1", cookie)
        .await
        .unwrap();
    // A wrong password from the known browser is still just wrong.
    assert!(matches!(
        sign_in_from(&app, "ann@acme.test", "nope", "10.0.0.1", cookie).await,
        Err(SignInError::BadCredentials)
    ));
}

#[tokio::test]
async fn a_known_device_cookie_vouches_only_for_its_user_and_password() {
    let app = app_with_user(Some("pw")).await;
    let org = accounts::OrgSlug::parse("acme").unwrap();
    let mallory = Email::parse("mallory@acme.test").unwrap();
    let password = Password::parse("mallory's own").unwrap();
    accounts::create_user(&app.db, &mallory, &org, false, Some(&password))
        .await
        .unwrap();
    let hers = sign_in(&app, "mallory@acme.test", "mallory's own", "10.9.9.9")
        .await
        .unwrap();
    let ann = sign_in(&app, "ann@acme.test", "pw", "10.0.0.1")
        .await
        .unwrap();
    for _ in 0..MAX_FAILURES {
        let _ = sign_in(&app, "ann@acme.test", "guess", "10.9.9.9").await;
    }
    // Mallory's own cookie does not let her guess on at Ann's account.
    assert!(matches!(
        sign_in_from(
            &app,
            "ann@acme.test",
            "guess",
            "10.9.9.9",
            Some(&hers.known_device)
        )
        .await,
        Err(SignInError::TooManyAttempts { .. })
    ));
    // Ann's cookie from before a password change vouches no more.
    let new = Password::parse("a new one").unwrap();
    accounts::set_password(&app.db, ann.user_id, &new, accounts::ApiTokens::Keep)
        .await
        .unwrap();
    assert!(matches!(
        sign_in_from(
            &app,
            "ann@acme.test",
            "a new one",
            "10.9.9.9",
            Some(&ann.known_device)
        )
        .await,
        Err(SignInError::TooManyAttempts { .. })
    ));
}

/// A browser's sign-in form, sent by a script through a proxy at `peer`
/// that forwarded for `forwarded_for`: the answer's status.
async fn login_through(
    app: &TestApp,
    peer: &str,
    forwarded_for: &str,
    email: &str,
    password: &str,
) -> u16 {
    let reply = app
        .request("POST", Login::PATH)
        .peer(peer)
        .header("x-forwarded-for", forwarded_for)
        .header("accept", "application/json")
        .header("origin", &format!("http://{HOST}"))
        .body(FORM, format!("email={email}&password={password}"))
        .send()
        .await;
    reply.status.as_u16()
}

async fn app_behind(proxies: &[&str]) -> TestApp {
    let app = app_with_user(Some("pw")).await;
    let networks = proxies.iter().map(|p| parse_network(p).unwrap()).collect();
    app.with_trusted_proxies(TrustedProxies::new(networks))
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_counts_on_its_own() {
    let app = app_behind(&["127.0.0.1"]).await;
    for _ in 0..MAX_FAILURES {
        let status = login_through(
            &app,
            "127.0.0.1:40000",
            "198.51.100.7",
            "ann@acme.test",
            "guess",
        )
        .await;
        assert_eq!(status, 401);
    }
    assert_eq!(
        login_through(
            &app,
            "127.0.0.1:40001",
            "198.51.100.7",
            "ann@acme.test",
            "pw"
        )
        .await,
        429
    );
    // The administrator, through the same proxy from elsewhere.
    assert_eq!(
        login_through(
            &app,
            "127.0.0.1:40002",
            "203.0.113.9",
            "ann@acme.test",
            "pw"
        )
        .await,
        200
    );
}

#[tokio::test]
async fn without_trusted_proxies_forwarded_addresses_are_not_believed() {
    let app = app_behind(&[]).await;
    for n in 0..MAX_FAILURES {
        let status = login_through(
            &app,
            "127.0.0.1:40000",
            &format!("198.51.100.{n}"),
            "ann@acme.test",
            "guess",
        )
        .await;
        assert_eq!(status, 401);
    }
    // Everyone is the proxy: the lock is the proxy's.
    assert_eq!(
        login_through(
            &app,
            "127.0.0.1:40002",
            "203.0.113.9",
            "ann@acme.test",
            "pw"
        )
        .await,
        429
    );
}

#[tokio::test]
async fn ipv6_clients_count_by_their_64() {
    let app = app_behind(&["::1"]).await;
    for n in 0..MAX_ADDRESS_FAILURES {
        let client = format!("2001:db8:1:2::{n:x}");
        let status = login_through(
            &app,
            "[::1]:40000",
            &client,
            &format!("spray{n}@x.test"),
            "guess",
        )
        .await;
        assert_eq!(status, 401);
    }
    let same_64 = "2001:db8:1:2:ffff:ffff:ffff:ffff";
    assert_eq!(
        login_through(&app, "[::1]:40000", same_64, "ann@acme.test", "pw").await,
        429
    );
    let next_64 = "2001:db8:1:3::1";
    assert_eq!(
        login_through(&app, "[::1]:40000", next_64, "ann@acme.test", "pw").await,
        200
    );
}

/// A sign-in form posted by a browser without JavaScript or cookies.
async fn plain_login(app: &TestApp, password: &str, cookie: &str) -> Reply {
    app.request("POST", Login::PATH)
        .peer("192.0.2.50:1234")
        .header("accept", "text/html")
        .header("sec-fetch-site", "same-origin")
        .header("referer", &format!("http://{HOST}/login"))
        .header("cookie", cookie)
        .body(FORM, format!("email=ann%40acme.test&password={password}"))
        .send()
        .await
}

#[tokio::test]
async fn a_failed_sign_in_without_javascript_stores_nothing_and_says_why_once() {
    let app = app_with_user(Some("pw")).await;
    let reply = plain_login(&app, "guess", "").await;
    assert_eq!(reply.status, StatusCode::FOUND);
    assert_eq!(reply.header("location"), Some("http://testserver/login"));
    assert!(reply.set_cookie("webhook_admin_session").is_none());
    let kept = reply
        .set_cookie("webhook_admin_rejection")
        .expect("the message in a cookie");
    assert!(kept.contains("Max-Age=60"), "{kept}");
    let cookie = kept.split(';').next().unwrap();

    let shown = page(&app, "/login", cookie).await;
    assert!(
        shown.text().contains("Wrong email or password."),
        "{}",
        shown.text()
    );
    let cleared = shown.set_cookie("webhook_admin_rejection").unwrap();
    assert!(
        cleared.starts_with("webhook_admin_rejection=;"),
        "{cleared}"
    );
    assert!(!page(&app, "/login", "")
        .await
        .text()
        .contains("Wrong email"));
    // Another message under the same signature is not shown.
    let (value, signature) = cookie.rsplit_once('.').unwrap();
    let forged = format!("{}x.{signature}", value);
    assert!(!page(&app, "/login", &forged)
        .await
        .text()
        .contains("Wrong email"));
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
}

#[tokio::test]
async fn a_thousand_failed_sign_ins_without_cookies_add_no_rows_but_the_throttles() {
    let app = app_with_user(Some("pw")).await;
    for n in 0..1000 {
        let reply = plain_login(&app, &format!("guess{n}"), "").await;
        assert_eq!(reply.status, StatusCode::FOUND);
        let kept = reply.set_cookie("webhook_admin_rejection").unwrap();
        let cookie = kept.split(';').next().unwrap();
        let expected = match n {
            4 => "Wrong email or password.",
            5 | 999 => "Too many failed sign-in attempts. Try again in",
            _ => continue,
        };
        let shown = page(&app, "/login", cookie).await.text();
        assert!(shown.contains(expected), "{n}: {shown}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM login_failures").await,
        MAX_FAILURES
    );
}
