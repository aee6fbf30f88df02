//! What the server and the browser both compile: the pages' error type,
//! the webhook field rules, and the values server functions exchange.

pub mod error;
pub mod forms;
pub mod list_query;
pub mod notices;
pub mod slack_answers;
pub mod validation;
pub mod wire;
