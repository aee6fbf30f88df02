//! Pieces every page shares: the top bar, error panels, and the islands
//! every page may carry (copy buttons, the hydration marker).

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::server_fns::{current_user, take_rejection, Logout, PASSWORD_PATH};
use crate::shared::error::AppError;

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

#[component]
pub fn TopBar() -> impl IntoView {
    let me = Resource::new(|| (), |_| current_user());
    view! {
        <header class="topbar">
            <a class="brand" href="/">"Webhook admin"</a>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match me.await {
                        Ok(Some(me)) => view! {
                            <nav aria-label="Main" class="nav">
                                {me.webhooks_denied.is_none().then(|| view! {
                                    <a href="/webhooks">"Webhooks"</a>
                                    <a href=super::ACTIVITY_PATH>"Activity"</a>
                                })}
                                <a href="/tokens">"API tokens"</a>
                                <a href=PASSWORD_PATH>"Password"</a>
                            </nav>
                            <div class="user">
                                <span class="email">{me.email}</span>
                                <form action=Logout::url() method="post">
                                    <button type="submit" class="button secondary small">"Sign out"</button>
                                </form>
                            </div>
                        }
                        .into_any(),
                        _ => view! {
                            <nav aria-label="Main" class="nav">
                                <a href="/login">"Sign in"</a>
                            </nav>
                        }
                        .into_any(),
                    }
                })}
            </Suspense>
        </header>
    }
}

/// What a page shows instead of its content when a server function said no.
#[component]
pub fn ErrorPanel(error: AppError) -> impl IntoView {
    // The page gets the error's status; a signed-out visitor is sent to sign in.
    #[cfg(feature = "ssr")]
    match &error {
        AppError::NotSignedIn => leptos_axum::redirect("/login"),
        _ => crate::server::browser::context::set_status(error.status()),
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
