//! Pieces every page shares: the top bar, error panels, and the islands
//! every page may carry (copy buttons, the hydration marker).

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::shared::error::AppError;
use crate::shared::notices::Notice;
use crate::shared::wire::Me;

/// What the page's address says happened (`?notice=saved`), as a status
/// line; nothing for an unknown code.
#[component]
pub fn AddressNotice() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    move || {
        query
            .read()
            .get("notice")
            .and_then(|code| Notice::from_code(&code))
            .map(|notice| view! { <p class="notice" role="status">{notice.message()}</p> })
    }
}

/// Why this page's last plain post to the server function `F` failed, once
/// (kept in the session by the server, never read from the address).
pub fn rejection_of<F: ServerFn>() -> Resource<Option<AppError>> {
    Resource::new(
        || (),
        |_| async { take_rejection(F::PATH.to_owned()).await.ok().flatten() },
    )
}

/// The same, read inside a page's own resource, after its data: a page
/// then reads the session one request at a time.
pub async fn take_rejection_of<F: ServerFn>() -> Option<AppError> {
    take_rejection(F::PATH.to_owned()).await.ok().flatten()
}

/// True once the WASM client runs this island; false during server
/// rendering, so JavaScript-only controls appear only where they work.
pub fn use_hydrated() -> ReadSignal<bool> {
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));
    hydrated
}

/// The last island of every page: islands hydrate in document order, so
/// when this one runs the page is fully interactive. Browser tests wait
/// for the flag it sets.
#[island]
pub fn HydrationMarker() -> impl IntoView {
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        let _ = web_sys::js_sys::Reflect::set(
            &window(),
            &"__webhookAdminHydrated".into(),
            &true.into(),
        );
    });
}

/// Copies `text` to the clipboard; shown only where JavaScript runs.
#[island]
pub fn CopyButton(text: String, label: String) -> impl IntoView {
    let hydrated = use_hydrated();
    let (copied, set_copied) = signal(false);
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let _ = window().navigator().clipboard().write_text(&text);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &text;
        set_copied.set(true);
    };
    view! {
        <span class="copy">
            <button type="button" class="button secondary small" hidden=move || !hydrated.get() on:click=copy>
                {label}
            </button>
            <span role="status" class="copied">{move || copied.get().then_some("Copied.")}</span>
        </span>
    }
}

/// What a page shows instead of its content when a server function said no.
#[component]
pub fn ErrorPanel(error: AppError) -> impl IntoView {
    // The page gets the error's status; a browser that is signed out is
    // sent to sign in (the redirect's 302 replaces the status), any other
    // client keeps the 401.
    #[cfg(feature = "ssr")]
    {
        crate::server::browser::context::set_status(error.status());
        if let AppError::NotSignedIn = error {
            leptos_axum::redirect("/login");
        }
    }
    let (title, detail) = match &error {
        AppError::NotSignedIn => ("Please sign in", None),
        AppError::NotSuperuser | AppError::FeatureDisabled => {
            ("No access", Some(error.to_string()))
        }
        AppError::NotFound => (
            "Not found",
            Some("There is nothing here: it may have been deleted.".to_owned()),
        ),
        _ => ("Something went wrong", Some(error.to_string())),
    };
    view! {
        <section class="card panel" role="alert">
            <h1>{title}</h1>
            {detail.map(|d| view! { <p>{d}</p> })}
            {matches!(error, AppError::NotSignedIn)
                .then(|| view! { <p><a href="/login">"Sign in"</a></p> })}
            {matches!(error, AppError::NotFound)
                .then(|| view! { <p><a href="/webhooks">"Back to webhooks"</a></p> })}
        </section>
    }
}

#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! { <ErrorPanel error=AppError::NotFound/> }
}

/// Shows a message while a page loads on the client.
#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="loading" aria-live="polite">"Loading…"</p> }
}

// Server functions: run on the server; the browser calls them over HTTP.

#[cfg(feature = "ssr")]
use crate::server::{browser::context, webhooks};

/// The signed-in user, for the top bar; `None` when signed out.
#[server]
pub async fn who_is_signed_in() -> Result<Option<Me>, AppError> {
    Ok(context::current_user().await?.map(|user| Me {
        webhooks_denied: webhooks::WebhookScope::for_principal(
            &user.principal,
            webhooks::Via::Browser,
        )
        .err()
        .map(AppError::from),
        email: user.email,
    }))
}

/// Why this page's last plain form post to the server function at `path`
/// failed, once. Kept in a signed cookie or the session by
/// `server::rejections`; never read from the address, which anyone can write.
#[server]
pub async fn take_rejection(path: String) -> Result<Option<AppError>, AppError> {
    if let Some(error) = context::take_cookie_rejection(&path) {
        return Ok(Some(error));
    }
    Ok(context::auth_session().await?.take_rejection(&path).await?)
}
