//! The browser admin's pages. Every page renders with its data on the
//! server and works as plain forms and links without JavaScript; islands
//! add what needs a script (field checks as you type, the delete dialog,
//! copy buttons).

mod common;
mod history;
mod login;
mod password;
mod tokens;
mod webhook_form;
mod webhook_list;
mod webhook_pages;
mod webhook_rows;

pub use common::{HydrationMarker, NotFoundPage, TopBar};
pub use history::{ActivityPage, ACTIVITY_PATH};
pub use login::LoginPage;
pub use password::PasswordPage;
pub use tokens::{TokensPage, TOKENS_PATH};
pub use webhook_list::WebhookListPage;
pub use webhook_pages::{EditWebhookPage, NewWebhookPage};
