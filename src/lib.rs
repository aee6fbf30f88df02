//! webhook-admin: the SD Elements Webhooks API v2 and a browser admin for it.

pub mod app;
pub mod pages;
pub mod server_fns;
pub mod validation;
pub mod views;

#[cfg(feature = "ssr")]
pub mod server;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // Readable panics in development; release builds leave the formatting out.
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    // Lets browser tests wait until the client has taken over the page.
    let _ = web_sys::js_sys::Reflect::set(
        &leptos::prelude::window(),
        &"__webhookAdminHydrated".into(),
        &true.into(),
    );
}
