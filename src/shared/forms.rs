//! What a form carries besides its fields: secrets on their way, what a
//! rejected form had, and what an edit form started from.

use serde::{Deserialize, Serialize};

/// A credential on its way between the server and the one page that shows or
/// sends it (a webhook's URL, a new API token, a password): its `Debug` is
/// redacted, so it stays out of logs.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// What a rejected webhook form had, to fill it in again after a reload
/// (forms without JavaScript). The URL is left out: it is a secret and would
/// travel in the page address.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormEcho {
    pub name: String,
    pub description: String,
    pub active: bool,
    /// The form's "Event types" box, as typed.
    pub subscriptions: String,
}

impl FormEcho {
    pub fn new(name: &str, description: &str, active: bool) -> Self {
        FormEcho {
            name: name.to_owned(),
            description: description.to_owned(),
            active,
            subscriptions: String::new(),
        }
    }
}

/// What an edit form started from (its hidden `original_*` fields), so the
/// server can tell which fields the user changed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormOriginals {
    pub original_name: String,
    pub original_description: String,
    #[serde(deserialize_with = "bool_or_text")]
    pub original_active: bool,
    /// The webhook's version when the form was loaded.
    #[serde(deserialize_with = "number_or_text")]
    pub original_version: i64,
    /// The "Event types" box as loaded (one pattern a line).
    #[serde(default)]
    pub original_subscriptions: String,
}

/// As `bool_or_text`, for a number.
fn number_or_text<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum NumberOrText {
        Number(i64),
        Text(String),
    }
    match NumberOrText::deserialize(deserializer)? {
        NumberOrText::Number(value) => Ok(value),
        NumberOrText::Text(text) => text.parse().map_err(serde::de::Error::custom),
    }
}

/// A form field arrives as text (`"true"`), and flattened fields do not get
/// the form decoder's own text-to-bool step: take either.
fn bool_or_text<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum BoolOrText {
        Bool(bool),
        Text(String),
    }
    match BoolOrText::deserialize(deserializer)? {
        BoolOrText::Bool(value) => Ok(value),
        BoolOrText::Text(text) => text.parse().map_err(serde::de::Error::custom),
    }
}

impl FormOriginals {
    /// The hidden inputs that carry these values, named as the fields above.
    pub fn hidden_fields(&self) -> [(&'static str, String); 5] {
        [
            ("original_name", self.original_name.clone()),
            ("original_description", self.original_description.clone()),
            ("original_active", self.original_active.to_string()),
            ("original_version", self.original_version.to_string()),
            (
                "original_subscriptions",
                self.original_subscriptions.clone(),
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_show_in_debug_output() {
        let detail = format!(
            "{:?}",
            Some(Secret("https://hooks.slack.com/services/T/B/x".into()))
        );
        assert_eq!(detail, "Some(Secret(<redacted>))");
    }
}
