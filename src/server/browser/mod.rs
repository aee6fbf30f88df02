//! The browser admin's side of the server: what its server functions share
//! (the request's user and permissions, errors as pages show them), its
//! sessions and their store, its cookies, and a failed form's message
//! carried to the next page.

pub mod context;
pub mod cookies;
pub mod rejections;
pub mod session;
pub mod sessions;
