//! The create and edit form, an island: each field is checked by the shared
//! validation module as the user types or leaves it, with the API's exact
//! words, and a form with an invalid field is not sent. Valid forms post to
//! the server functions as plain HTML forms; errors the server still finds
//! come back with the page and land on their fields. Without JavaScript the
//! same forms work, checked by the server alone.

use leptos::html;
use leptos::prelude::*;

use crate::shared::error::AppError;
use crate::shared::forms::FormEcho;
use crate::shared::validation::subscription::{subscriptions_from_text, validate_subscriptions};
use crate::shared::validation::{
    keeps_stored_url, Description, Field, FieldErrors, FieldName, Name, SlackUrl,
};

/// The create and edit form. Its props are what the server knows: where to
/// post, hidden fields, and a rejection to show again.
#[island]
pub fn WebhookForm(
    action: String,
    editing: bool,
    rejected: Option<AppError>,
    echo: FormEcho,
    url_hint: Option<String>,
    hidden: Vec<(String, String)>,
    submit_label: String,
) -> impl IntoView {
    let fields = FormFields::new(editing);
    let form_error = match rejected {
        Some(AppError::Invalid(errors, _)) => {
            fields.errors.set(errors);
            None
        }
        Some(other) => Some(other.to_string()),
        None => None,
    };
    // A person can type before the client arrives: once this island runs,
    // check whatever they already changed (an untouched form stays quiet).
    Effect::new(move |_| fields.check_edited());
    // Only a form whose every field passes is sent.
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        if !fields.check_all() {
            ev.prevent_default();
        }
    };
    view! {
        <form action=action method="post" class="form" novalidate on:submit=on_submit>
            {hidden
                .into_iter()
                .map(|(name, value)| view! { <input type="hidden" name=name value=value/> })
                .collect_view()}
            <p class="form-error" role="alert">{form_error}</p>
            <FieldsView fields echo url_hint/>
            <div class="actions">
                <button type="submit" class="button">{submit_label}</button>
                <a class="button secondary" href="/webhooks">"Cancel"</a>
            </div>
        </form>
    }
}

/// The inputs of a webhook form and the messages shown on them.
#[derive(Clone, Copy)]
struct FormFields {
    editing: bool,
    name: NodeRef<html::Input>,
    url: NodeRef<html::Input>,
    description: NodeRef<html::Textarea>,
    /// The "Event types" box.
    subscriptions: NodeRef<html::Textarea>,
    errors: RwSignal<FieldErrors>,
}

impl FormFields {
    fn new(editing: bool) -> Self {
        FormFields {
            editing,
            name: NodeRef::new(),
            url: NodeRef::new(),
            description: NodeRef::new(),
            subscriptions: NodeRef::new(),
            errors: RwSignal::new(FieldErrors::default()),
        }
    }

    /// The shared rule for one field; editing keeps the URL when it is blank.
    fn messages(&self, field: Field, value: &str) -> Option<Vec<String>> {
        match field {
            Field::Name => Name::parse(value).err(),
            Field::Url if self.editing && keeps_stored_url(value) => None,
            Field::Url => SlackUrl::parse(value).err(),
            Field::Description => Description::parse(value).err(),
            Field::Active => None,
            Field::Subscriptions => validate_subscriptions(&subscriptions_from_text(value)).err(),
        }
    }

    fn check(&self, field: Field, value: &str) {
        let messages = self.messages(field, value);
        self.errors.update(|errors| errors.set(field, messages));
    }

    /// Checks the fields whose value differs from the one the page came with.
    fn check_edited(&self) {
        let edited = |value: String, default: String| (value != default).then_some(value);
        if let Some(value) = self
            .name
            .get()
            .and_then(|i| edited(i.value(), i.default_value()))
        {
            self.check(Field::Name, &value);
        }
        if let Some(value) = self
            .url
            .get()
            .and_then(|i| edited(i.value(), i.default_value()))
        {
            self.check(Field::Url, &value);
        }
        if let Some(value) = self
            .description
            .get()
            .and_then(|t| edited(t.value(), t.default_value().unwrap_or_default()))
        {
            self.check(Field::Description, &value);
        }
        if let Some(value) = self
            .subscriptions
            .get()
            .and_then(|t| edited(t.value(), t.default_value().unwrap_or_default()))
        {
            self.check(Field::Subscriptions, &value);
        }
    }

    /// Checks every field; moves focus to the first invalid one.
    fn check_all(&self) -> bool {
        let value =
            |input: NodeRef<html::Input>| input.get().map(|i| i.value()).unwrap_or_default();
        self.check(Field::Name, &value(self.name));
        self.check(Field::Url, &value(self.url));
        let text = |textarea: NodeRef<html::Textarea>| {
            textarea.get().map(|t| t.value()).unwrap_or_default()
        };
        self.check(Field::Description, &text(self.description));
        self.check(Field::Subscriptions, &text(self.subscriptions));
        let first_invalid = self
            .errors
            .with_untracked(|e| e.iter().next().map(|(field, _)| field));
        let _ = match first_invalid {
            None => return true,
            Some(Field::Name) => self.name.get().map(|i| i.focus()),
            Some(Field::Url) => self.url.get().map(|i| i.focus()),
            Some(Field::Description) => self.description.get().map(|t| t.focus()),
            Some(Field::Subscriptions) => self.subscriptions.get().map(|t| t.focus()),
            Some(Field::Active) => None,
        };
        false
    }
}

#[component]
fn FieldsView(fields: FormFields, echo: FormEcho, url_hint: Option<String>) -> impl IntoView {
    let messages =
        move |field: Field| move || fields.errors.with(|e| e.get(field).map(|m| m.join(" ")));
    let invalid =
        move |field: Field| move || fields.errors.with(|e| e.get(field).is_some()).to_string();
    let described = |field: Field, hint: bool| {
        let id = field.as_str();
        if hint {
            format!("{id}-hint {id}-error")
        } else {
            format!("{id}-error")
        }
    };
    view! {
        <div class="field">
            <label for="name">"Name"</label>
            <input
                id="name"
                name="name"
                type="text"
                autocomplete="off"
                value=echo.name
                node_ref=fields.name
                aria-invalid=invalid(Field::Name)
                aria-describedby=described(Field::Name, false)
                on:input=move |ev| fields.check(Field::Name, &event_target_value(&ev))
                on:blur=move |ev| fields.check(Field::Name, &event_target_value(&ev))
            />
            <p class="error" id="name-error">{messages(Field::Name)}</p>
        </div>
        <div class="field">
            <label for="url">"Slack webhook URL"</label>
            <input
                id="url"
                name="url"
                type="url"
                autocomplete="off"
                spellcheck="false"
                placeholder="https://hooks.slack.com/services/…"
                node_ref=fields.url
                aria-invalid=invalid(Field::Url)
                aria-describedby=described(Field::Url, true)
                on:input=move |ev| fields.check(Field::Url, &event_target_value(&ev))
                on:blur=move |ev| fields.check(Field::Url, &event_target_value(&ev))
            />
            <p class="hint" id="url-hint">
                {url_hint.unwrap_or_else(|| "From Slack: Apps › Incoming Webhooks. Starts with https://hooks.slack.com/services/.".to_owned())}
            </p>
            <p class="error" id="url-error">{messages(Field::Url)}</p>
        </div>
        <div class="field">
            <label for="description">"Description"</label>
            <textarea
                id="description"
                name="description"
                rows="3"
                node_ref=fields.description
                aria-invalid=invalid(Field::Description)
                aria-describedby=described(Field::Description, false)
                on:input=move |ev| fields.check(Field::Description, &event_target_value(&ev))
                on:blur=move |ev| fields.check(Field::Description, &event_target_value(&ev))
            >
                {echo.description}
            </textarea>
            <p class="error" id="description-error">{messages(Field::Description)}</p>
        </div>
        <div class="field checkbox">
            <input id="active" name="active" type="checkbox" value="true" checked=echo.active/>
            <label for="active">"Active"</label>
        </div>
        <div class="field">
            <label for="subscriptions">"Event types"</label>
            <textarea
                id="subscriptions"
                name="subscriptions"
                rows="3"
                spellcheck="false"
                autocomplete="off"
                node_ref=fields.subscriptions
                aria-invalid=invalid(Field::Subscriptions)
                aria-describedby=described(Field::Subscriptions, true)
                on:input=move |ev| fields.check(Field::Subscriptions, &event_target_value(&ev))
                on:blur=move |ev| fields.check(Field::Subscriptions, &event_target_value(&ev))
            >
                {echo.subscriptions}
            </textarea>
            <p class="hint" id="subscriptions-hint">
                "One a line: an event type (project.created) or a prefix ending in * (project.*). \
                 Empty: every event type."
            </p>
            <p class="error" id="subscriptions-error">{messages(Field::Subscriptions)}</p>
        </div>
    }
}
