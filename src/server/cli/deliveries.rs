//! `webhook-admin event send` and `webhook-admin delivery …`: events posted,
//! and a webhook's deliveries read or sent again, acting as a user with
//! that user's rights (those of the REST API).

use clap::Subcommand;

use super::webhooks::act_as;
use super::{listing, read_stdin, CliResult};
use crate::server::accounts::Email;
use crate::server::clock::now_millis;
use crate::server::config::Config;
use crate::server::delivery::deliveries::{self, DeliveryError, Filter};
use crate::server::delivery::{ingest, Status};
use crate::server::rest::json_body::parse_event_json;
use crate::server::webhooks::{PageRequest, ServiceError};

#[derive(Subcommand, Debug)]
pub enum EventCommand {
    /// Post an event: a delivery is queued for each of the organization's
    /// active webhooks that receives its type (the running server sends
    /// them). Prints the event's id and how many deliveries were queued.
    Send {
        /// The event's type, such as project.created.
        #[arg(value_name = "TYPE")]
        kind: String,
        /// The message's text. Without it, the message is read from
        /// standard input as JSON: {"text": "…", "blocks": […]}.
        text: Option<String>,
        /// The user to act as (a super user of an organization with Webhooks on).
        #[arg(long = "as", value_name = "EMAIL")]
        actor: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum DeliveryCommand {
    /// A webhook's deliveries, newest first: id, event type, status,
    /// attempts, created.
    List {
        /// The webhook's id.
        webhook: i64,
        /// The user to act as (a super user of an organization with Webhooks on).
        #[arg(long = "as", value_name = "EMAIL")]
        actor: String,
        /// Only those in this status.
        #[arg(long, value_parser = parse_status)]
        status: Option<Status>,
        /// Only those of this event type.
        #[arg(long = "type", value_name = "TYPE")]
        kind: Option<String>,
        /// The page (25 a page, as the REST API's default).
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
        page: u32,
        /// One JSON array instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// One delivery: its status, each attempt with Slack's answer in plain
    /// words, and the message.
    Show {
        /// The webhook's id.
        webhook: i64,
        /// The delivery's id.
        delivery: i64,
        /// The user to act as (a super user of an organization with Webhooks on).
        #[arg(long = "as", value_name = "EMAIL")]
        actor: String,
        /// One JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Send a delivery that was given up or held again, in its event's place
    /// in the webhook's queue.
    Redeliver {
        /// The webhook's id (it must be turned on).
        webhook: i64,
        /// The delivery's id.
        delivery: i64,
        /// The user to act as (a super user of an organization with Webhooks on).
        #[arg(long = "as", value_name = "EMAIL")]
        actor: String,
    },
}

fn parse_status(text: &str) -> Result<Status, String> {
    Status::parse(text).ok_or_else(|| "one of waiting, delivered, dead, held".to_owned())
}

pub async fn send_event(config: &Config, command: EventCommand) -> CliResult {
    let EventCommand::Send { kind, text, actor } = command;
    let mut body = match text {
        Some(text) => serde_json::json!({ "text": text }),
        None => serde_json::from_str(&read_stdin()?)
            .map_err(|e| format!("standard input is not a JSON message ({e})"))?,
    };
    let Some(fields) = body.as_object_mut() else {
        return Err("standard input is not a JSON object such as {\"text\": \"…\"}".into());
    };
    fields.insert("type".to_owned(), kind.into());
    let (input, blocks) = parse_event_json(body.to_string().as_bytes())?;
    let (draft, message) = ingest::prepare(&input, blocks.as_deref())
        .map_err(|errors| format!("the event was not sent: {errors}"))?;
    let (db, scope, _) = act_as(config, &actor).await?;
    let posted = ingest::post(
        &db,
        scope.organization_id(),
        &draft.kind,
        &message,
        None,
        now_millis(),
    )
    .await?;
    db.close().await;
    let queued = posted.queued;
    let plural = if queued.deliveries == 1 { "" } else { "s" };
    println!(
        "event {}: queued for {} webhook{plural}",
        queued.event_id, queued.deliveries
    );
    Ok(())
}

pub async fn run(config: &Config, command: DeliveryCommand) -> CliResult {
    match command {
        DeliveryCommand::List {
            webhook,
            actor,
            status,
            kind,
            page,
            json,
        } => {
            let (db, scope, email) = act_as(config, &actor).await?;
            let filter = Filter {
                status,
                event_type: kind,
            };
            let request = PageRequest::from_query(Some(&page.to_string()), None);
            let found = deliveries::page(&db, scope, webhook, &filter, request).await;
            db.close().await;
            listing::deliveries(&found.map_err(|e| why(e, webhook, &email))?.items, json);
        }
        DeliveryCommand::Show {
            webhook,
            delivery,
            actor,
            json,
        } => {
            let (db, scope, email) = act_as(config, &actor).await?;
            let found = deliveries::get(&db, scope, webhook, delivery).await;
            db.close().await;
            let (delivery, message, attempts) = found.map_err(|e| why(e, webhook, &email))?;
            listing::delivery(&delivery, &message, &attempts, json);
        }
        DeliveryCommand::Redeliver {
            webhook,
            delivery,
            actor,
        } => {
            let (db, scope, email) = act_as(config, &actor).await?;
            let done = deliveries::redeliver(&db, scope, webhook, delivery, now_millis()).await;
            db.close().await;
            let delivery = done.map_err(|e| why(e, webhook, &email))?;
            println!("delivery {}: waiting to be sent again", delivery.id);
        }
    }
    Ok(())
}

/// A refusal in the command line's words.
fn why(error: DeliveryError, webhook: i64, email: &Email) -> Box<dyn std::error::Error> {
    match error {
        DeliveryError::Webhook(ServiceError::NotFound) => format!(
            "no webhook {webhook} in the organization of {}",
            email.as_str()
        )
        .into(),
        DeliveryError::Webhook(ServiceError::InvalidPage) => "no such page".into(),
        DeliveryError::NotFound => format!("webhook {webhook} has no such delivery").into(),
        DeliveryError::AlreadyWaiting => "the delivery is already waiting to be sent".into(),
        DeliveryError::WebhookOff => format!(
            "webhook {webhook} is turned off: turn it on first (webhook activate {webhook})"
        )
        .into(),
        other => other.into(),
    }
}
