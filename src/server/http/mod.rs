//! HTTP itself: the server loop and its limits, which hosts it answers to,
//! the headers every answer carries, the same-origin rule for the pages'
//! writes, the embedded site's files, and who the client is.

pub mod assets;
pub mod client;
pub mod csrf;
pub mod headers;
pub mod listener;
pub mod request_url;
pub mod site;
