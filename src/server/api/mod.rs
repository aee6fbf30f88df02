//! What every REST resource shares: DRF-style errors, token authentication,
//! JSON bodies, extractors and absolute links. Resources own their routers.

pub mod auth;
pub mod conditional;
pub mod error;
pub mod extract;
pub mod json_body;
pub mod links;
pub mod openapi;
