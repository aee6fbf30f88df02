//! The rules for a webhook's fields, compiled into both the server and the
//! browser, so a form can show the server's exact message before it submits.
//!
//! Raw input goes in (whatever a JSON body or a form carried); a parsed value
//! or the contract's per-field messages come out. Nothing here touches I/O.

use std::fmt;

use serde::{Deserialize, Serialize};

pub const NAME_MAX_CHARS: usize = 140;
pub const URL_MAX_CHARS: usize = 2048;
pub const DESCRIPTION_MAX_CHARS: usize = 1024;

/// The messages of the API contract, word for word.
pub mod messages {
    pub const REQUIRED: &str = "This field is required.";
    pub const NULL: &str = "This field may not be null.";
    pub const BLANK: &str = "This field may not be blank.";
    pub const NOT_A_STRING: &str = "Not a valid string.";
    pub const NOT_A_BOOLEAN: &str = "Must be a valid boolean.";
    pub const NULL_CHARACTERS: &str = "Null characters are not allowed.";
    pub const INVALID_SLACK_URL: &str = "Enter a valid Slack webhook URL (https://hooks.slack.com/services/... or https://hooks.slack-gov.com/services/...).";

    pub fn too_long(max_chars: usize) -> String {
        format!("Ensure this field has no more than {max_chars} characters.")
    }
}

/// One field's value as it arrived, before any rule has looked at it.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Input {
    /// The key was absent.
    #[default]
    Missing,
    Null,
    Text(String),
    /// A JSON number, already turned into the decimal text DRF would use.
    Number(String),
    Bool(bool),
    /// An array or an object.
    Structured,
}

impl Input {
    pub fn text(value: impl Into<String>) -> Self {
        Input::Text(value.into())
    }
}

/// Everything a create or an update may carry, field by field. The URL is a
/// credential: `Debug` shows only what kind of input it was.
#[derive(Clone, Default, PartialEq)]
pub struct WebhookInput {
    pub name: Input,
    pub url: Input,
    pub description: Input,
    pub active: Input,
}

impl fmt::Debug for WebhookInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let url = match &self.url {
            Input::Text(_) | Input::Number(_) => "<redacted>",
            Input::Missing => "Missing",
            Input::Null => "Null",
            Input::Bool(_) => "Bool",
            Input::Structured => "Structured",
        };
        f.debug_struct("WebhookInput")
            .field("name", &self.name)
            .field("url", &format_args!("{url}"))
            .field("description", &self.description)
            .field("active", &self.active)
            .finish()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Field {
    Name,
    Url,
    Description,
    Active,
    /// The event types a webhook receives: a field of the admin's edit form
    /// (the REST API has them as a sub-resource of their own).
    Subscriptions,
}

impl FieldName for Field {
    fn as_str(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Url => "url",
            Field::Description => "description",
            Field::Active => "active",
            Field::Subscriptions => "subscriptions",
        }
    }
}

/// A webhook name: trimmed, 1–140 characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Name(String);

/// A Slack incoming-webhook URL that passed [`is_slack_webhook_url`]. It is a
/// credential: its `Debug` is redacted.
#[derive(Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ssr", derive(serde::Deserialize), serde(transparent))]
pub struct SlackUrl(String);

/// A description: trimmed, 0–1024 characters.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Description(String);

impl Name {
    pub fn parse(raw: &str) -> Result<Self, Vec<String>> {
        let text = non_blank(raw)?;
        finish(text, NAME_MAX_CHARS, Vec::new()).map(Name)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl SlackUrl {
    pub fn parse(raw: &str) -> Result<Self, Vec<String>> {
        let text = non_blank(raw)?;
        let mut messages = Vec::new();
        if !is_slack_webhook_url(text) {
            messages.push(messages::INVALID_SLACK_URL.to_owned());
        }
        finish(text, URL_MAX_CHARS, messages).map(SlackUrl)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A URL as stored: it passed the rule when it was written (a test
    /// message checks it again before sending).
    #[cfg(feature = "ssr")]
    pub fn stored(url: String) -> Self {
        SlackUrl(url)
    }
}

// The URL is a credential: keep it out of logs and panic messages.
impl fmt::Debug for SlackUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SlackUrl(<redacted>)")
    }
}

impl Description {
    pub fn parse(raw: &str) -> Result<Self, Vec<String>> {
        let text = trim(raw);
        if text.is_empty() {
            return Ok(Description::default());
        }
        finish(text, DESCRIPTION_MAX_CHARS, Vec::new()).map(Description)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// DRF's boolean forms: `true`/`false`, and the strings `true false 1 0 yes no
/// on off t f y n` in any case, and the numbers 1 and 0.
pub fn parse_active(input: &Input) -> Result<bool, Vec<String>> {
    let parsed = match input {
        Input::Bool(value) => Some(*value),
        Input::Text(text) => match text.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" | "t" | "y" => Some(true),
            "false" | "0" | "no" | "off" | "f" | "n" => Some(false),
            _ => None,
        },
        Input::Number(text) => text
            .parse::<f64>()
            .ok()
            .filter(|n| *n == 1.0 || *n == 0.0)
            .map(|n| n == 1.0),
        Input::Null => return Err(vec![messages::NULL.to_owned()]),
        Input::Missing | Input::Structured => None,
    };
    parsed.ok_or_else(|| vec![messages::NOT_A_BOOLEAN.to_owned()])
}

/// A new webhook, every field checked.
#[derive(Clone, Debug, PartialEq)]
pub struct WebhookDraft {
    pub name: Name,
    pub url: SlackUrl,
    pub description: Description,
    pub active: bool,
    /// The admin's new-webhook form only: the event types it receives
    /// (empty: every type), checked by [`subscription::validate_subscriptions`].
    pub subscriptions: Vec<String>,
}

/// A partial update: only the fields that were sent, every one checked.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WebhookChanges {
    pub name: Option<Name>,
    pub url: Option<SlackUrl>,
    pub description: Option<Description>,
    pub active: Option<bool>,
    /// The admin's edit form only: the webhook's new event types, checked by
    /// [`subscription::validate_subscriptions`] (REST replaces them on their own path).
    pub subscriptions: Option<Vec<String>>,
}

impl WebhookChanges {
    /// The names of the fields this update touches, for the audit trail.
    pub fn field_names(&self) -> Vec<&'static str> {
        [
            (self.name.is_some(), Field::Name),
            (self.url.is_some(), Field::Url),
            (self.description.is_some(), Field::Description),
            (self.active.is_some(), Field::Active),
            (self.subscriptions.is_some(), Field::Subscriptions),
        ]
        .into_iter()
        .filter(|(present, _)| *present)
        .map(|(_, field)| field.as_str())
        .collect()
    }
}

/// Checks a create: `name` and `url` are required, the rest have defaults.
pub fn validate_new(input: &WebhookInput) -> Result<WebhookDraft, FieldErrors> {
    let changes = validate_fields(input, true)?;
    match changes {
        WebhookChanges {
            name: Some(name),
            url: Some(url),
            description,
            active,
            subscriptions: None,
        } => Ok(WebhookDraft {
            name,
            url,
            description: description.unwrap_or_default(),
            active: active.unwrap_or(true),
            subscriptions: Vec::new(),
        }),
        _ => unreachable!("validate_fields reports missing required fields"),
    }
}

/// Checks the new-webhook form: its fields as a create, and its "Event
/// types" box (one pattern a line).
pub fn validate_new_form(input: &WebhookInput, typed: &str) -> Result<WebhookDraft, FieldErrors> {
    let subscriptions =
        subscription::validate_subscriptions(&subscription::subscriptions_from_text(typed));
    let (draft, subscriptions) = with_subscriptions(validate_new(input), subscriptions)?;
    Ok(WebhookDraft {
        subscriptions,
        ..draft
    })
}

/// Checks the edit form: its fields as a partial update, and its "Event
/// types" box, a change only when it holds another set than it was
/// `loaded` with.
pub fn validate_edit_form(
    input: &WebhookInput,
    typed: &str,
    loaded: &str,
) -> Result<WebhookChanges, FieldErrors> {
    let subscriptions = subscription::subscriptions_change(typed, loaded);
    let (changes, subscriptions) = with_subscriptions(validate_changes(input), subscriptions)?;
    Ok(WebhookChanges {
        subscriptions,
        ..changes
    })
}

/// A form's fields and its "Event types" box checked together: both, or
/// every message (the box's under [`Field::Subscriptions`]).
fn with_subscriptions<T, S>(
    fields: Result<T, FieldErrors>,
    subscriptions: Result<S, Vec<String>>,
) -> Result<(T, S), FieldErrors> {
    match (fields, subscriptions) {
        (Ok(fields), Ok(subscriptions)) => Ok((fields, subscriptions)),
        (fields, subscriptions) => {
            let mut errors = fields.err().unwrap_or_default();
            errors.set(Field::Subscriptions, subscriptions.err());
            Err(errors)
        }
    }
}

/// Checks a partial update: only the fields present are looked at.
pub fn validate_changes(input: &WebhookInput) -> Result<WebhookChanges, FieldErrors> {
    validate_fields(input, false)
}

fn validate_fields(input: &WebhookInput, creating: bool) -> Result<WebhookChanges, FieldErrors> {
    let mut errors = FieldErrors::default();
    let mut changes = WebhookChanges::default();
    let required = |field: &Input| creating && *field == Input::Missing;

    if required(&input.name) {
        errors.push(Field::Name, vec![messages::REQUIRED.to_owned()]);
    } else if input.name != Input::Missing {
        changes.name = errors.take(
            Field::Name,
            string_input(&input.name).and_then(|s| Name::parse(&s)),
        );
    }
    if required(&input.url) {
        errors.push(Field::Url, vec![messages::REQUIRED.to_owned()]);
    } else if input.url != Input::Missing {
        changes.url = errors.take(
            Field::Url,
            string_input(&input.url).and_then(|s| SlackUrl::parse(&s)),
        );
    }
    if input.description != Input::Missing {
        changes.description = errors.take(
            Field::Description,
            string_input(&input.description).and_then(|s| Description::parse(&s)),
        );
    }
    if input.active != Input::Missing {
        changes.active = errors.take(Field::Active, parse_active(&input.active));
    }

    if errors.is_empty() {
        Ok(changes)
    } else {
        Err(errors)
    }
}

/// The text of a string field; numbers count as their decimal text, as in DRF.
fn string_input(input: &Input) -> Result<String, Vec<String>> {
    match input {
        Input::Text(text) | Input::Number(text) => Ok(text.clone()),
        Input::Null => Err(vec![messages::NULL.to_owned()]),
        Input::Bool(_) | Input::Structured | Input::Missing => {
            Err(vec![messages::NOT_A_STRING.to_owned()])
        }
    }
}

/// The trimmed text of a required field; blank is an error on its own.
fn non_blank(raw: &str) -> Result<&str, Vec<String>> {
    let text = trim(raw);
    if text.is_empty() {
        Err(vec![messages::BLANK.to_owned()])
    } else {
        Ok(text)
    }
}

/// Adds the length and NUL rules to the messages a field already has, and
/// accepts the text only when no rule failed.
fn finish(text: &str, max_chars: usize, mut messages: Vec<String>) -> Result<String, Vec<String>> {
    if text.chars().count() > max_chars {
        messages.push(messages::too_long(max_chars));
    }
    if text.contains('\0') {
        messages.push(messages::NULL_CHARACTERS.to_owned());
    }
    if messages.is_empty() {
        Ok(text.to_owned())
    } else {
        Err(messages)
    }
}

/// Trims the characters Python's `str.strip()` removes (DRF trims with it):
/// Unicode white space plus the ASCII separators U+001C–U+001F.
pub fn trim(raw: &str) -> &str {
    raw.trim_matches(|c: char| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c))
}

/// On an edit form a blank URL keeps the stored one (blank by the same
/// trimming as every other rule).
pub fn keeps_stored_url(raw: &str) -> bool {
    trim(raw).is_empty()
}

pub mod event;
mod field_errors;
mod slack_url;
pub mod subscription;
pub use field_errors::{FieldErrors, FieldName};
pub use slack_url::{is_slack_webhook_url, SLACK_URL_PATTERN};

#[cfg(test)]
mod tests;
#[cfg(test)]
mod url_tests;
