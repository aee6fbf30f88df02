//! `webhook-admin user …`: users, their passwords and whether they may
//! sign in.

use clap::Subcommand;

use super::{listing, open_database, read_stdin, CliResult};
use crate::server::accounts::{self, Email, OrgSlug, Password};
use crate::server::config::Config;

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// List users: email, organization, super user, active, password, created.
    List {
        /// Only this organization's users.
        #[arg(long)]
        org: Option<String>,
        /// One JSON array instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Create a user in an organization.
    Create {
        email: String,
        #[arg(long)]
        org: String,
        #[arg(long)]
        superuser: bool,
        /// Read the password from standard input (without one the user can only use API tokens).
        #[arg(long)]
        password_stdin: bool,
    },
    /// Deactivate a user: their tokens and browser sessions stop working.
    Deactivate { email: String },
    /// Let a deactivated user in again.
    Activate { email: String },
    /// Set a user's password (12 characters at least) and end their browser
    /// sessions. Asks twice, without echo, on a terminal.
    Password {
        email: String,
        /// Read the password from standard input instead.
        #[arg(long)]
        password_stdin: bool,
        /// Also revoke the user's API tokens (after a leaked password: a
        /// token made with it would outlive the reset).
        #[arg(long)]
        revoke_tokens: bool,
    },
}

pub async fn run(config: &Config, command: UserCommand) -> CliResult {
    match command {
        UserCommand::Create {
            email,
            org,
            superuser,
            password_stdin,
        } => {
            let email = Email::parse(&email)?;
            let org = OrgSlug::parse(&org)?;
            let password = if password_stdin {
                Some(Password::parse_new(&read_stdin()?)?)
            } else {
                None
            };
            let db = open_database(config).await?;
            accounts::create_user(&db, &email, &org, superuser, password.as_ref()).await?;
            db.close().await;
        }
        UserCommand::Deactivate { email } => set_active(config, &email, false).await?,
        UserCommand::Activate { email } => set_active(config, &email, true).await?,
        UserCommand::Password {
            email,
            password_stdin,
            revoke_tokens,
        } => {
            let email = Email::parse(&email)?;
            let password = if password_stdin {
                read_stdin()?
            } else {
                prompt_new_password()?
            };
            let password = Password::parse_new(&password)?;
            let db = open_database(config).await?;
            let user_id = accounts::user_id_by_email(&db, &email).await?;
            let tokens = if revoke_tokens {
                accounts::ApiTokens::Revoke
            } else {
                accounts::ApiTokens::Keep
            };
            accounts::set_password(&db, user_id, &password, tokens).await?;
            db.close().await;
        }
        UserCommand::List { org, json } => {
            let org = org.as_deref().map(OrgSlug::parse).transpose()?;
            let db = open_database(config).await?;
            let users = accounts::list_users(&db, org.as_ref()).await?;
            db.close().await;
            listing::users(&users, json);
        }
    }
    Ok(())
}

async fn set_active(config: &Config, email: &str, active: bool) -> CliResult {
    let email = Email::parse(email)?;
    let db = open_database(config).await?;
    accounts::set_user_active(&db, &email, active).await?;
    db.close().await;
    Ok(())
}

/// A new password typed twice at a terminal, without echo.
fn prompt_new_password() -> Result<String, Box<dyn std::error::Error>> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        return Err(
            "standard input is not a terminal: pass --password-stdin to read the password from it"
                .into(),
        );
    }
    let password = rpassword::prompt_password("New password (12 characters at least): ")?;
    let again = rpassword::prompt_password("The same again: ")?;
    if password != again {
        return Err("the two passwords differ; nothing was changed".into());
    }
    Ok(password)
}
