//! What every REST resource shares, and never a resource itself: DRF-style
//! errors, the token header, conditional requests, DRF's JSON reading,
//! the OpenAPI document's shared parts, and paths with or without their slash.

pub mod auth;
pub mod conditional;
pub mod error;
pub mod json_body;
pub mod responses;
pub mod routes;
