//! The new-webhook page: the form (see `form`), with this rendering's
//! idempotency key.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

use super::super::common::{take_rejection_of, ErrorPanel, Loading};
use super::form::WebhookForm;
use crate::shared::error::AppError;
use crate::shared::forms::FormEcho;
use crate::shared::forms::Secret;

#[component]
pub fn NewWebhookPage() -> impl IntoView {
    // The key is handed out only to those who may create (else the reason).
    let form = Resource::new(
        || (),
        |_| async {
            let form_key = new_form_key().await?;
            Ok::<_, AppError>((form_key, take_rejection_of::<CreateWebhook>().await))
        },
    );
    view! {
        <Title text="New webhook · Webhook admin"/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match form.await {
                    Ok((form_key, rejected)) => {
                        view! { <NewWebhookForm rejected form_key/> }.into_any()
                    }
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// `form_key` is this rendering's idempotency key: sent twice, the form
/// creates one webhook.
#[component]
fn NewWebhookForm(rejected: Option<AppError>, form_key: String) -> impl IntoView {
    let echo = match &rejected {
        Some(AppError::Invalid(_, echo)) => echo.clone(),
        _ => FormEcho {
            active: true,
            ..FormEcho::default()
        },
    };
    view! {
        <section class="card narrow">
            <h1>"New webhook"</h1>
            <WebhookForm
                action=CreateWebhook::url().to_owned()
                editing=false
                rejected
                echo
                url_hint=None
                hidden=vec![("form_key".to_owned(), form_key)]
                submit_label="Create webhook".to_owned()
            />
        </section>
    }
}

// Server functions: run on the server; the browser calls them over HTTP.

#[cfg(feature = "ssr")]
use crate::server::{browser::context, webhooks};
#[cfg(feature = "ssr")]
use crate::shared::notices::Notice;
#[cfg(feature = "ssr")]
use crate::shared::validation::{validate_new_form, Input, WebhookInput};

/// A fresh `Idempotency-Key` for one rendering of the create form, so a
/// double click or a form sent twice creates one webhook.
#[server]
pub async fn new_form_key() -> Result<String, AppError> {
    context::webhook_scope().await?;
    Ok(context::random_key())
}

/// Creates the webhook, with the event types typed in its form (none: every
/// type), in one transaction.
#[server]
pub async fn create_webhook(
    name: String,
    url: Secret,
    description: String,
    active: Option<String>,
    subscriptions: Option<String>,
    form_key: Option<String>,
) -> Result<(), AppError> {
    let scope = context::webhook_scope().await?;
    let key = form_key.and_then(|key| webhooks::IdempotencyKey::parse(key.as_bytes()));
    let active = active.is_some();
    let typed = subscriptions.unwrap_or_default();
    let echo = FormEcho {
        subscriptions: typed.clone(),
        ..FormEcho::new(&name, &description, active)
    };
    let input = WebhookInput {
        name: Input::Text(name),
        url: Input::Text(url.0),
        description: Input::Text(description),
        active: Input::Bool(active),
    };
    let draft =
        validate_new_form(&input, &typed).map_err(|errors| AppError::Invalid(errors, echo))?;
    webhooks::create(&context::state()?.db, scope, &draft, key.as_ref()).await?;
    leptos_axum::redirect(&Notice::Created.list_href());
    Ok(())
}
