//! The admin command line: `webhook-admin [serve]`, `migrate`, and account
//! and webhook management, a module per command group. Arguments are
//! checked before the database is touched, and a mistake is one line on
//! stderr and a non-zero exit.

mod deliveries;
mod first_start;
mod listing;
mod organizations;
mod serve;
mod tokens;
mod users;
mod webhooks;

use std::io::Read;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use super::causes::with_causes;
use super::config::Config;
use super::db::Db;
use deliveries::{DeliveryCommand, EventCommand};
use organizations::OrgCommand;
use tokens::TokenCommand;
use users::UserCommand;
use webhooks::WebhookCommand;

#[derive(Parser, Debug)]
#[command(
    name = "webhook-admin",
    version,
    about = "Manage an organization's Slack webhooks: REST API, browser admin and admin CLI."
)]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the REST API and the browser admin (the default).
    Serve,
    /// Bring the database schema up to date.
    Migrate,
    /// Manage organizations.
    #[command(subcommand)]
    Org(OrgCommand),
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// List, switch on or off, or delete webhooks, acting as a user (with
    /// that user's rights; the history records them, by `cli`).
    #[command(subcommand)]
    Webhook(WebhookCommand),
    /// Post events to the organization's webhooks, as a user.
    #[command(subcommand)]
    Event(EventCommand),
    /// A webhook's deliveries: list, show (with Slack's answers), send
    /// again, as a user.
    #[command(subcommand)]
    Delivery(DeliveryCommand),
}

impl Cli {
    /// Whether this runs the server (no command is `serve`).
    pub fn serves(&self) -> bool {
        matches!(self.command, None | Some(Command::Serve))
    }
}

type CliResult = Result<(), Box<dyn std::error::Error>>;

pub async fn run(cli: Cli) -> ExitCode {
    match dispatch(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("webhook-admin: {}", with_causes(e.as_ref()));
            ExitCode::FAILURE
        }
    }
}

async fn dispatch(cli: Cli) -> CliResult {
    let config = &cli.config;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve::serve(config).await,
        Command::Migrate => {
            open_database(config).await?.close().await;
            println!("database is up to date");
            Ok(())
        }
        Command::Org(command) => organizations::run(config, command).await,
        Command::User(command) => users::run(config, command).await,
        Command::Token(command) => tokens::run(config, command).await,
        Command::Webhook(command) => webhooks::run(config, command).await,
        Command::Event(command) => deliveries::send_event(config, command).await,
        Command::Delivery(command) => deliveries::run(config, command).await,
    }
}

/// The database `config` names, its schema brought up to date.
async fn open_database(config: &Config) -> Result<Db, Box<dyn std::error::Error>> {
    let db = Db::connect_with(&config.database_url, config.database_timeout()).await?;
    db.migrate().await?;
    Ok(db)
}

/// The whole of standard input, less one line ending.
fn read_stdin() -> Result<String, std::io::Error> {
    let mut raw = String::new();
    std::io::stdin().read_to_string(&mut raw)?;
    let line = raw.strip_suffix('\n').unwrap_or(&raw);
    Ok(line.strip_suffix('\r').unwrap_or(line).to_owned())
}
