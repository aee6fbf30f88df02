//! `webhook-admin token …`: API tokens, made and revoked.

use clap::Subcommand;

use super::{listing, open_database, read_stdin, CliResult};
use crate::server::accounts::{self, ApiToken, Email, TokenKind};
use crate::server::config::Config;

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Create an API token; prints only the token.
    Create {
        email: String,
        /// A token that may only post events (`POST /api/v2/events/`), for
        /// a service that produces them; its user need not be a super user.
        #[arg(long)]
        events_only: bool,
    },
    /// List a user's tokens: prefix, created, last used (never the token).
    List {
        email: String,
        /// One JSON array instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Revoke an API token, read from standard input (so it stays out of `ps`
    /// and shell history): `webhook-admin token revoke < token.txt`.
    Revoke,
}

pub async fn run(config: &Config, command: TokenCommand) -> CliResult {
    match command {
        TokenCommand::List { email, json } => {
            let email = Email::parse(&email)?;
            let db = open_database(config).await?;
            let user_id = accounts::user_id_by_email(&db, &email).await?;
            let tokens = accounts::tokens_of(&db, user_id).await?;
            db.close().await;
            listing::tokens(&tokens, json);
        }
        TokenCommand::Create { email, events_only } => {
            let email = Email::parse(&email)?;
            let kind = if events_only {
                TokenKind::Events
            } else {
                TokenKind::Full
            };
            let db = open_database(config).await?;
            let user_id = accounts::user_id_by_email(&db, &email).await?;
            let token = accounts::create_token(&db, user_id, kind).await?;
            db.close().await;
            println!("{}", token.as_str());
        }
        TokenCommand::Revoke => {
            let token = ApiToken::from_clear(read_stdin()?.trim());
            let db = open_database(config).await?;
            accounts::revoke_token(&db, &token).await?;
            db.close().await;
        }
    }
    Ok(())
}
