//! A flood of sign-ins, in a test process of its own: it takes every core's
//! password check for a moment, which would hold up other tests' sign-ins.

#[path = "api/support/mod.rs"]
#[allow(dead_code)]
mod support;

use webhook_admin::server::accounts::{self, Email, Password, SignInError, SignInFrom};

use support::TestApp;

async fn app_with_user() -> TestApp {
    let app = TestApp::spawn().await;
    let org = app.org("acme", true).await;
    accounts::create_user(
        &app.db,
        &Email::parse("ann@acme.test").unwrap(),
        &org,
        true,
        Some(&Password::parse("pw").unwrap()),
    )
    .await
    .unwrap();
    app
}

async fn sign_in(app: &TestApp, email: &str, address: &str) -> Result<(), SignInError> {
    let from = SignInFrom {
        address,
        known_device: None,
    };
    accounts::sign_in(&app.db, &app.state.keys, email, "Winter2026!", from)
        .await
        .map(drop)
}

/// This process's resident memory, in bytes (Linux).
fn resident_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: u64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

#[tokio::test]
async fn a_flood_of_sign_ins_from_many_addresses_keeps_memory_flat() {
    let app = app_with_user().await;
    // With every core's check taken, a sign-in that needs one is told to
    // come back; input no account can match is refused without one.
    let every_core = accounts::hold_every_password_core().await;
    assert!(matches!(
        sign_in(&app, "ann@acme.test", "198.51.100.1").await,
        Err(SignInError::Busy(_))
    ));
    assert!(matches!(
        sign_in(&app, "not an email", "198.51.100.2").await,
        Err(SignInError::BadCredentials)
    ));
    drop(every_core);
    // The allocator keeps some memory after the first few dozen hashes
    // whatever the load; measure the flood from there.
    for i in 0..40 {
        let _ = sign_in(
            &app,
            &format!("warm{i}@spray.test"),
            &format!("198.51.100.{i}"),
        )
        .await;
    }
    let before = resident_bytes();
    // Each address is new, so none is throttled: every attempt wants argon2
    // (~19 MiB each). One runs per core; the rest are told to come back.
    let attempts = (0..200).map(|i| {
        let app = &app;
        async move {
            let email = format!("flood{i}@spray.test");
            sign_in(app, &email, &format!("192.0.2.{i}")).await
        }
    });
    let mut busy = 0;
    for attempt in futures::future::join_all(attempts).await {
        match attempt {
            Err(SignInError::BadCredentials) => {}
            Err(SignInError::Busy(_)) => busy += 1,
            other => panic!("{other:?}"),
        }
    }
    let grown = resident_bytes().saturating_sub(before);
    println!(
        "200 sign-ins at once: {busy} busy, memory grew by {} MiB",
        grown >> 20
    );
    assert!(grown < 64 << 20, "memory grew by {} MiB", grown >> 20);
    assert!(
        busy > 0,
        "200 checks at once cannot all have found a free core"
    );
}
