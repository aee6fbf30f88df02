//! The admin command line: `webhook-admin [serve]`, `migrate`, and account
//! management. Arguments are checked before the database is touched, and a
//! mistake is one line on stderr and a non-zero exit.

use std::io::Read;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use leptos::prelude::get_configuration;

use super::accounts::{self, ApiToken, Email, OrgSlug, Password};
use super::config::Config;
use super::db::Db;
use super::listing;
use super::webhooks::{self, AccessDenied, Via, WebhookScope};
use super::{app, AppState};
use crate::shared::validation::WebhookChanges;

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
}

impl Cli {
    /// Whether this runs the server (no command is `serve`).
    pub fn serves(&self) -> bool {
        matches!(self.command, None | Some(Command::Serve))
    }
}

#[derive(Subcommand, Debug)]
enum OrgCommand {
    /// List organizations: slug, Webhooks flag, users, webhooks, created.
    List {
        /// One JSON array instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Create an organization.
    Create {
        slug: String,
        /// Turn the Webhooks feature flag on.
        #[arg(long)]
        webhooks: bool,
    },
    /// Turn a feature flag on or off.
    Flag {
        slug: String,
        flag: FeatureFlag,
        state: OnOff,
    },
    /// Give an organization a new slug.
    Rename { slug: String, new_slug: String },
}

#[derive(Subcommand, Debug)]
enum UserCommand {
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

#[derive(Subcommand, Debug)]
enum TokenCommand {
    /// Create an API token; prints only the token.
    Create { email: String },
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

#[derive(Subcommand, Debug)]
enum WebhookCommand {
    /// List the user's organization's webhooks: id, name, active, URL
    /// (masked), updated.
    List {
        /// The user to act as (a super user of an organization with Webhooks on).
        #[arg(long = "as", value_name = "EMAIL")]
        actor: String,
        /// Only those whose name or description contains this, in any case.
        #[arg(long)]
        search: Option<String>,
        /// One JSON array instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Switch webhooks on.
    Activate(WebhookIds),
    /// Switch webhooks off (they keep their settings).
    Deactivate(WebhookIds),
    /// Delete webhooks.
    Delete(WebhookIds),
}

#[derive(clap::Args, Debug)]
struct WebhookIds {
    /// The webhooks' ids; all must be the organization's, else nothing changes.
    #[arg(required = true)]
    ids: Vec<i64>,
    /// The user to act as (a super user of an organization with Webhooks on).
    #[arg(long = "as", value_name = "EMAIL")]
    actor: String,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum FeatureFlag {
    Webhooks,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum OnOff {
    On,
    Off,
}

type CliResult = Result<(), Box<dyn std::error::Error>>;

pub async fn run(cli: Cli) -> ExitCode {
    match dispatch(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("webhook-admin: {}", super::ops::with_causes(e.as_ref()));
            ExitCode::FAILURE
        }
    }
}

async fn connect_and_migrate(config: &Config) -> Result<Db, Box<dyn std::error::Error>> {
    let db = Db::connect_with(&config.database_url, config.database_timeout()).await?;
    db.migrate().await?;
    Ok(db)
}

async fn dispatch(cli: Cli) -> CliResult {
    let config = &cli.config;
    let open_database = || connect_and_migrate(config);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Migrate => {
            open_database().await?.close().await;
            println!("database is up to date");
            Ok(())
        }
        Command::Org(OrgCommand::Create { slug, webhooks }) => {
            let slug = OrgSlug::parse(&slug)?;
            let db = open_database().await?;
            accounts::create_organization(&db, &slug, webhooks).await?;
            db.close().await;
            Ok(())
        }
        Command::Org(OrgCommand::Flag {
            slug,
            flag: FeatureFlag::Webhooks,
            state,
        }) => {
            let slug = OrgSlug::parse(&slug)?;
            let db = open_database().await?;
            accounts::set_webhooks_flag(&db, &slug, matches!(state, OnOff::On)).await?;
            db.close().await;
            Ok(())
        }
        Command::User(UserCommand::Create {
            email,
            org,
            superuser,
            password_stdin,
        }) => {
            let email = Email::parse(&email)?;
            let org = OrgSlug::parse(&org)?;
            let password = if password_stdin {
                Some(Password::parse_new(&read_stdin()?)?)
            } else {
                None
            };
            let db = open_database().await?;
            accounts::create_user(&db, &email, &org, superuser, password.as_ref()).await?;
            db.close().await;
            Ok(())
        }
        Command::User(UserCommand::Deactivate { email }) => set_active(config, &email, false).await,
        Command::User(UserCommand::Activate { email }) => set_active(config, &email, true).await,
        Command::User(UserCommand::Password {
            email,
            password_stdin,
            revoke_tokens,
        }) => {
            let email = Email::parse(&email)?;
            let password = if password_stdin {
                read_stdin()?
            } else {
                prompt_new_password()?
            };
            let password = Password::parse_new(&password)?;
            let db = open_database().await?;
            let user_id = accounts::user_id_by_email(&db, &email).await?;
            let tokens = if revoke_tokens {
                accounts::ApiTokens::Revoke
            } else {
                accounts::ApiTokens::Keep
            };
            accounts::set_password(&db, user_id, &password, tokens).await?;
            db.close().await;
            Ok(())
        }
        Command::User(UserCommand::List { org, json }) => {
            let org = org.as_deref().map(OrgSlug::parse).transpose()?;
            let db = open_database().await?;
            let users = accounts::list_users(&db, org.as_ref()).await?;
            db.close().await;
            listing::users(&users, json);
            Ok(())
        }
        Command::Org(OrgCommand::List { json }) => {
            let db = open_database().await?;
            let organizations = accounts::list_organizations(&db).await?;
            db.close().await;
            listing::organizations(&organizations, json);
            Ok(())
        }
        Command::Org(OrgCommand::Rename { slug, new_slug }) => {
            let (slug, new_slug) = (OrgSlug::parse(&slug)?, OrgSlug::parse(&new_slug)?);
            let db = open_database().await?;
            accounts::rename_organization(&db, &slug, &new_slug).await?;
            db.close().await;
            Ok(())
        }
        Command::Token(TokenCommand::List { email, json }) => {
            let email = Email::parse(&email)?;
            let db = open_database().await?;
            let user_id = accounts::user_id_by_email(&db, &email).await?;
            let tokens = accounts::tokens_of(&db, user_id).await?;
            db.close().await;
            listing::tokens(&tokens, json);
            Ok(())
        }
        Command::Token(TokenCommand::Create { email }) => {
            let email = Email::parse(&email)?;
            let db = open_database().await?;
            let user_id = accounts::user_id_by_email(&db, &email).await?;
            let token = accounts::create_token(&db, user_id).await?;
            db.close().await;
            println!("{}", token.as_str());
            Ok(())
        }
        Command::Webhook(WebhookCommand::List {
            actor,
            search,
            json,
        }) => {
            let email = Email::parse(&actor)?;
            let db = open_database().await?;
            let scope = webhook_scope(&db, &email).await?;
            let query = crate::shared::list_query::ListQuery::from_params(
                search.as_deref(),
                None,
                None,
                None,
            );
            let found = webhooks::browse::every(&db, scope, &query).await?;
            db.close().await;
            listing::webhooks(&found, json);
            Ok(())
        }
        Command::Webhook(WebhookCommand::Activate(target)) => {
            change_webhooks(config, target, Some(true)).await
        }
        Command::Webhook(WebhookCommand::Deactivate(target)) => {
            change_webhooks(config, target, Some(false)).await
        }
        Command::Webhook(WebhookCommand::Delete(target)) => {
            change_webhooks(config, target, None).await
        }
        Command::Token(TokenCommand::Revoke) => {
            let token = ApiToken::from_clear(read_stdin()?.trim());
            let db = open_database().await?;
            accounts::revoke_token(&db, &token).await?;
            db.close().await;
            Ok(())
        }
    }
}

/// What `email` may do to webhooks, as the REST API and the pages check it.
async fn webhook_scope(db: &Db, email: &Email) -> Result<WebhookScope, Box<dyn std::error::Error>> {
    let user_id = accounts::user_id_by_email(db, email).await?;
    let user = accounts::session_user(db, user_id)
        .await?
        .ok_or_else(|| accounts::AccountError::UnknownUser(email.as_str().to_owned()))?;
    WebhookScope::for_principal(&user.principal, Via::Cli).map_err(|denied| {
        let why = match denied {
            AccessDenied::Inactive => "is deactivated",
            AccessDenied::NotSuperuser => "is not a super user",
            AccessDenied::FeatureDisabled => "is in an organization whose Webhooks flag is off",
        };
        format!("{} may not manage webhooks: the user {why}", email.as_str()).into()
    })
}

/// Sets `active` on the webhooks, or deletes them (`None`), in one
/// transaction; only when every id is one of the organization's.
async fn change_webhooks(config: &Config, target: WebhookIds, active: Option<bool>) -> CliResult {
    let email = Email::parse(&target.actor)?;
    let db = connect_and_migrate(config).await?;
    let scope = webhook_scope(&db, &email).await?;
    for &id in &target.ids {
        match webhooks::get(&db, scope, id).await {
            Err(webhooks::ServiceError::NotFound) => {
                return Err(format!(
                    "no webhook {id} in the organization of {}; nothing was changed",
                    email.as_str()
                )
                .into())
            }
            other => other?,
        };
    }
    let changes = active.map(|active| WebhookChanges {
        active: Some(active),
        ..WebhookChanges::default()
    });
    let change = match &changes {
        Some(changes) => webhooks::Change::Edit(changes),
        None => webhooks::Change::Delete,
    };
    let changed = webhooks::apply(
        &db,
        scope,
        &target.ids,
        change,
        &webhooks::Precondition::none(),
    )
    .await?;
    db.close().await;
    let done = match active {
        Some(true) => "activated",
        Some(false) => "deactivated",
        None => "deleted",
    };
    let ids: Vec<String> = changed.iter().map(|w| w.id.to_string()).collect();
    println!("{done}: {}", ids.join(", "));
    Ok(())
}

async fn set_active(config: &Config, email: &str, active: bool) -> CliResult {
    let email = Email::parse(email)?;
    let db = connect_and_migrate(config).await?;
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

/// The whole of standard input, less one line ending.
fn read_stdin() -> Result<String, std::io::Error> {
    let mut raw = String::new();
    std::io::stdin().read_to_string(&mut raw)?;
    let line = raw.strip_suffix('\n').unwrap_or(&raw);
    Ok(line.strip_suffix('\r').unwrap_or(line).to_owned())
}

async fn serve(config: &Config) -> CliResult {
    tracing::info!("configuration:\n{config}");
    let db = connect_and_migrate(config).await?;
    // Port 0 picks a free port: say the one actually bound.
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    let mut leptos_options = get_configuration(None)?.leptos_options;
    leptos_options.site_addr = addr;
    // An embedded site's files live at addresses of their own version.
    if let Some(version) = super::http::assets::version() {
        leptos_options.site_pkg_dir = format!("pkg/{version}").into();
    }
    if let Some(admin) = accounts::bootstrap(&db).await? {
        super::first_start::hand_over(&admin, addr, &config.first_start_file());
    }
    let keys = super::keys::SigningKey::load_or_create(&db).await?;
    let state = AppState::new(
        db.clone(),
        keys,
        leptos_options,
        config.session_settings(),
        config.site_settings(),
    )
    .with_trusted_proxies(config.trusted_proxies())
    .with_slack_base_url(config.slack_base_url.clone());
    tokio::spawn(super::ops::sweep_forever(
        state.clone(),
        config.session_sweep_period(),
    ));
    if let Some(metrics_addr) = config.metrics_listen {
        let listener = tokio::net::TcpListener::bind(metrics_addr).await?;
        tracing::info!("metrics on http://{}/metrics", listener.local_addr()?);
        let metrics = super::ops::metrics_router(state.clone());
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, metrics).await {
                tracing::error!(error = %e, "the metrics listener stopped");
            }
        });
    }
    let writes = state.writes.clone();
    let app = app(state);
    let shutdown = shutdown_signal()?;
    tracing::info!("listening on http://{addr}");
    super::http::listener::serve(listener, app, config.limits(), writes, shutdown).await;
    db.close().await;
    Ok(())
}

/// Resolves on SIGTERM or Ctrl-C. The handlers are installed right away, so a
/// signal that comes as soon as the server listens still shuts it down gently.
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = terminate.recv() => {},
            _ = interrupt.recv() => {},
        }
    })
}
