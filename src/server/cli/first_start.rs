//! Telling the operator the first administrator's password and token, once.
//! On a terminal they are printed. Anywhere else standard output is usually
//! a service's log, which keeps them for anyone who reads it: they are
//! written to a file readable by this user only, and its path is printed.

use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use crate::server::accounts::{FirstAdmin, DEFAULT_ORGANIZATION};

/// The password and token, and how to use them.
fn secrets(admin: &FirstAdmin, addr: SocketAddr) -> String {
    format!(
        "First start: created organization \"{org}\" (Webhooks on) and its super user.\n\
         \x20 Sign in:   {email} / {password}\n\
         \x20 API token: {token}\n\
         \x20 Try it:    curl -H \"Authorization: Token {token}\" http://{addr}/api/v2/webhooks/\n\
         These are shown only this once; `webhook-admin token create {email}` makes another token.\n",
        org = DEFAULT_ORGANIZATION,
        email = admin.email.as_str(),
        password = admin.password.as_str(),
        token = admin.token.as_str(),
    )
}

/// Prints the secrets on a terminal, else writes them to `file` (mode
/// 0600, replacing any file there) and prints where.
pub fn hand_over(admin: &FirstAdmin, addr: SocketAddr, file: &Path) {
    let text = secrets(admin, addr);
    if std::io::stdout().is_terminal() {
        println!("\n{text}");
        return;
    }
    let email = admin.email.as_str();
    let file = std::path::absolute(file).unwrap_or_else(|_| file.to_owned());
    match write_private(&file, &text) {
        Ok(()) => println!(
            "First start: created organization \"{DEFAULT_ORGANIZATION}\" (Webhooks on) and its super user {email}.\n\
             Its password and an API token are in {} (readable by this user only).\n\
             Read them, then delete that file; `webhook-admin user password {email}` sets a new password any time.",
            file.display()
        ),
        Err(e) => tracing::error!(
            file = %file.display(),
            error = %e,
            "could not write the first administrator's password and token; \
             set them with `webhook-admin user password {email}` and `webhook-admin token create {email}`"
        ),
    }
}

fn write_private(file: &Path, text: &str) -> std::io::Result<()> {
    match std::fs::remove_file(file) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let mut created = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(file)?;
    created.write_all(text.as_bytes())?;
    created.sync_all()
}
