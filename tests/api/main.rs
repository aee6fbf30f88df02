//! The REST API and the CLI against a real database: SQLite by default,
//! PostgreSQL with `TEST_BACKEND=postgres` (`make test` runs both).

mod support;

mod at_rest;
mod auth;
mod browse;
mod browser;
mod cli;
mod cli_admin;
mod cli_deliveries;
mod conditional;
mod create;
mod csrf;
mod deliveries;
mod delivery_api;
mod delivery_kills;
mod delivery_pages;
mod events;
mod headers;
mod health_filters;
mod history;
mod hosts;
mod idempotency;
mod kept_answers;
mod limits;
mod list;
mod locks;
mod methods;
mod migrations;
mod openapi;
mod ops;
mod password;
mod rate_limits;
mod rejections;
mod scoping;
mod search_index;
mod secrets;
mod sessions;
mod sign_in;
mod stress;
mod subscription_form;
mod test_message;
mod update_delete;
