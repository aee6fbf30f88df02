//! Pieces every page shares: the top bar, error panels, the hydration flag.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::server_fns::{current_user, Logout};
use crate::views::AppError;

/// True once the WASM client runs; false during server rendering, so
/// JavaScript-only controls (copy buttons) appear only where they work.
pub fn use_hydrated() -> ReadSignal<bool> {
    let (hydrated, set_hydrated) = signal(false);
    Effect::new(move |_| set_hydrated.set(true));
    hydrated
}

#[component]
pub fn TopBar() -> impl IntoView {
    // Asked again on every navigation, so signing in or out shows at once.
    let location = use_location();
    let me = Resource::new(move || location.pathname.get(), |_| current_user());
    let logout = ServerAction::<Logout>::new();
    view! {
        <header class="topbar">
            <a class="brand" href="/">"Webhook admin"</a>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match me.await {
                        Ok(Some(me)) => view! {
                            <nav aria-label="Main" class="nav">
                                {me.webhooks_denied.is_none().then(|| view! { <a href="/webhooks">"Webhooks"</a> })}
                                <a href="/tokens">"API tokens"</a>
                            </nav>
                            <div class="user">
                                <span class="email">{me.email}</span>
                                <ActionForm action=logout>
                                    <button type="submit" class="button secondary small">"Sign out"</button>
                                </ActionForm>
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
    #[cfg(feature = "ssr")]
    {
        use axum::http::StatusCode;
        let status = match &error {
            AppError::NotSignedIn => {
                leptos_axum::redirect("/login");
                StatusCode::FOUND
            }
            AppError::NotSuperuser | AppError::FeatureDisabled => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        crate::server::web::set_status(status);
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
