//! `webhook-admin org …`: organizations and their feature flags.

use clap::{Subcommand, ValueEnum};

use super::{listing, open_database, CliResult};
use crate::server::accounts::{self, OrgSlug};
use crate::server::config::Config;

#[derive(Subcommand, Debug)]
pub enum OrgCommand {
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

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum FeatureFlag {
    Webhooks,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum OnOff {
    On,
    Off,
}

pub async fn run(config: &Config, command: OrgCommand) -> CliResult {
    match command {
        OrgCommand::Create { slug, webhooks } => {
            let slug = OrgSlug::parse(&slug)?;
            let db = open_database(config).await?;
            accounts::create_organization(&db, &slug, webhooks).await?;
            db.close().await;
        }
        OrgCommand::Flag {
            slug,
            flag: FeatureFlag::Webhooks,
            state,
        } => {
            let slug = OrgSlug::parse(&slug)?;
            let db = open_database(config).await?;
            accounts::set_webhooks_flag(&db, &slug, matches!(state, OnOff::On)).await?;
            db.close().await;
        }
        OrgCommand::List { json } => {
            let db = open_database(config).await?;
            let organizations = accounts::list_organizations(&db).await?;
            db.close().await;
            listing::organizations(&organizations, json);
        }
        OrgCommand::Rename { slug, new_slug } => {
            let (slug, new_slug) = (OrgSlug::parse(&slug)?, OrgSlug::parse(&new_slug)?);
            let db = open_database(config).await?;
            accounts::rename_organization(&db, &slug, &new_slug).await?;
            db.close().await;
        }
    }
    Ok(())
}
