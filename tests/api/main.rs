//! The REST API and the CLI against a real database: SQLite by default,
//! PostgreSQL with `TEST_BACKEND=postgres` (`make test` runs both).

mod process;
mod support;

mod auth;
mod browser;
mod cli;
mod cli_admin;
mod create;
mod csrf;
mod headers;
mod hosts;
mod limits;
mod list;
mod methods;
mod migrations;
mod openapi;
mod ops;
mod password;
mod rejections;
mod scoping;
mod secrets;
mod sessions;
mod sign_in;
mod stress;
mod update_delete;
