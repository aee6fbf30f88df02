//! The browser admin's pages, each with the server functions it calls beside
//! it. Every page renders with its data on the server and works as plain
//! forms and links without JavaScript; islands add what needs a script
//! (field checks as you type, the delete dialog, copy buttons).

pub mod common;
pub mod deliveries;
pub mod delivery;
pub mod health;
pub mod history;
pub mod login;
pub mod password;
pub mod tokens;
pub mod top_bar;
pub mod webhooks;

pub use common::{HydrationMarker, NotFoundPage};
pub use delivery::DeliveryPage;
pub use health::{HealthPage, HEALTH_PATH};
pub use history::{ActivityPage, ACTIVITY_PATH};
pub use login::LoginPage;
pub use password::PasswordPage;
pub use tokens::{TokensPage, TOKENS_PATH};
pub use top_bar::TopBar;
pub use webhooks::edit::EditWebhookPage;
pub use webhooks::list::WebhookListPage;
pub use webhooks::new::NewWebhookPage;
