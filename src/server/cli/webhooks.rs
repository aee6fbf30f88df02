//! `webhook-admin webhook …`: the webhooks of a user's organization,
//! listed, switched on or off, or deleted, with that user's rights (the
//! history records them, by `cli`).

use clap::Subcommand;

use super::{listing, open_database, CliResult};
use crate::server::accounts::{self, Email};
use crate::server::config::Config;
use crate::server::db::Db;
use crate::server::webhooks::subscriptions;
use crate::server::webhooks::{self, AccessDenied, Via, WebhookScope};
use crate::shared::list_query::ListQuery;
use crate::shared::validation::subscription::validate_subscriptions;
use crate::shared::validation::WebhookChanges;

#[derive(Subcommand, Debug)]
pub enum WebhookCommand {
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
    /// The event types a webhook receives (every type when none is
    /// listed), one a line; with --set or --every-type, replaced first.
    Subscriptions {
        /// The webhook's id.
        id: i64,
        /// The user to act as (a super user of an organization with Webhooks on).
        #[arg(long = "as", value_name = "EMAIL")]
        actor: String,
        /// Receive only these: event types, or prefixes ending in * (project.*).
        #[arg(long, num_args = 1.., value_name = "TYPE", conflicts_with = "every_type")]
        set: Vec<String>,
        /// Receive every type again.
        #[arg(long)]
        every_type: bool,
    },
}

#[derive(clap::Args, Debug)]
pub struct WebhookIds {
    /// The webhooks' ids; all must be the organization's, else nothing changes.
    #[arg(required = true)]
    ids: Vec<i64>,
    /// The user to act as (a super user of an organization with Webhooks on).
    #[arg(long = "as", value_name = "EMAIL")]
    actor: String,
}

pub async fn run(config: &Config, command: WebhookCommand) -> CliResult {
    match command {
        WebhookCommand::List {
            actor,
            search,
            json,
        } => {
            let (db, scope, _) = act_as(config, &actor).await?;
            let query = ListQuery::from_params(search.as_deref(), None, None, None);
            let found = webhooks::browse::every(&db, scope, &query).await?;
            db.close().await;
            listing::webhooks(&found, json);
            Ok(())
        }
        WebhookCommand::Activate(target) => change_webhooks(config, target, Some(true)).await,
        WebhookCommand::Deactivate(target) => change_webhooks(config, target, Some(false)).await,
        WebhookCommand::Delete(target) => change_webhooks(config, target, None).await,
        WebhookCommand::Subscriptions {
            id,
            actor,
            set,
            every_type,
        } => {
            let wanted = if every_type {
                Some(Vec::new())
            } else if set.is_empty() {
                None
            } else {
                Some(validate_subscriptions(&set).map_err(|problems| problems.join(" "))?)
            };
            let (db, scope, email) = act_as(config, &actor).await?;
            let done = match wanted {
                Some(patterns) => subscriptions::replace(&db, scope, id, &patterns).await,
                None => Ok(()),
            };
            let found = match done {
                Ok(()) => subscriptions::get(&db, scope, id).await,
                Err(e) => Err(e),
            };
            db.close().await;
            let patterns = found.map_err(|e| match e {
                webhooks::ServiceError::NotFound => {
                    format!("no webhook {id} in the organization of {}", email.as_str()).into()
                }
                other => Box::<dyn std::error::Error>::from(other),
            })?;
            if patterns.is_empty() {
                println!("every type");
            }
            for pattern in patterns {
                println!("{pattern}");
            }
            Ok(())
        }
    }
}

/// The database, and what `actor` may do to webhooks there.
pub(super) async fn act_as(
    config: &Config,
    actor: &str,
) -> Result<(Db, WebhookScope, Email), Box<dyn std::error::Error>> {
    let email = Email::parse(actor)?;
    let db = open_database(config).await?;
    let scope = webhook_scope(&db, &email).await?;
    Ok((db, scope, email))
}

/// What `email` may do to webhooks, as the REST API and the pages check it.
pub(super) async fn webhook_scope(
    db: &Db,
    email: &Email,
) -> Result<WebhookScope, Box<dyn std::error::Error>> {
    let user_id = accounts::user_id_by_email(db, email).await?;
    let user = accounts::session_user(db, user_id)
        .await?
        .ok_or_else(|| accounts::AccountError::UnknownUser(email.as_str().to_owned()))?;
    WebhookScope::for_principal(&user.principal, Via::Cli).map_err(|denied| {
        let why = match denied {
            AccessDenied::Inactive => "is deactivated",
            // Only a token is limited to events; the command line has none.
            AccessDenied::NotSuperuser | AccessDenied::EventsOnly => "is not a super user",
            AccessDenied::FeatureDisabled => "is in an organization whose Webhooks flag is off",
        };
        format!("{} may not manage webhooks: the user {why}", email.as_str()).into()
    })
}

/// Sets `active` on the webhooks, or deletes them (`None`), in one
/// transaction; only when every id is one of the organization's.
async fn change_webhooks(config: &Config, target: WebhookIds, active: Option<bool>) -> CliResult {
    let (db, scope, email) = act_as(config, &target.actor).await?;
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
