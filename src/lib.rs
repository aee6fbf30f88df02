//! webhook-admin: the SD Elements Webhooks API v2 and a browser admin for it.

// Leptos views are deeply nested types; release builds need more room.
#![recursion_limit = "256"]

// Server HTML and browser client must both be built with type-erased
// components, or the islands cannot hydrate (see .cargo/config.toml). A
// `RUSTFLAGS` variable replaces the config's flags: keep the cfg in it.
#[cfg(not(erase_components))]
compile_error!("build with `--cfg erase_components` (set in .cargo/config.toml; a RUSTFLAGS variable overrides it)");

pub mod app;
pub mod pages;
pub mod shared;

#[cfg(feature = "ssr")]
pub mod server;

/// The browser entry point. Pages are rendered on the server; only the
/// interactive islands (form checks, dialogs, copy buttons) run in the
/// browser, which keeps the client small.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // Readable panics in development; release builds leave the formatting out.
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
