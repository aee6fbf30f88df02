//! The admin command line, run as a process against a test's database.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use super::ThrowawayDb;

pub const BIN: &str = env!("CARGO_BIN_EXE_webhook-admin");

pub fn cli(db: &ThrowawayDb, args: &[&str]) -> Output {
    cli_with_stdin(db, args, "")
}

pub fn cli_with_stdin(db: &ThrowawayDb, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .env("DATABASE_URL", &db.url)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[track_caller]
pub fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// Fails with exactly one line on stderr, which contains `expected`.
#[track_caller]
pub fn fails(output: &Output, expected: &str) {
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains(expected), "{stderr:?} lacks {expected:?}");
    assert!(output.stdout.is_empty());
}
