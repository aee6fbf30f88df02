//! Every failing field of an input with its messages: what a rule check
//! gives back instead of a value, for any input's fields.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::Field;

/// A field of some input's rules: its name as the API shows it.
pub trait FieldName: Copy + Ord {
    fn as_str(self) -> &'static str;
}

/// Every failing field with all of its messages, in the fields' declared order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldErrors<F = Field>(Vec<(F, Vec<String>)>);

impl<F> Default for FieldErrors<F> {
    fn default() -> Self {
        FieldErrors(Vec::new())
    }
}

impl<F: FieldName> FieldErrors<F> {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, field: F) -> Option<&[String]> {
        self.0
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, messages)| messages.as_slice())
    }

    pub fn iter(&self) -> impl Iterator<Item = (F, &[String])> {
        self.0.iter().map(|(f, m)| (*f, m.as_slice()))
    }

    pub(super) fn push(&mut self, field: F, messages: Vec<String>) {
        self.0.push((field, messages));
        self.0.sort_by_key(|(f, _)| *f);
    }

    /// Replaces one field's messages; `None` clears them.
    pub fn set(&mut self, field: F, messages: Option<Vec<String>>) {
        self.0.retain(|(f, _)| *f != field);
        if let Some(messages) = messages {
            self.push(field, messages);
        }
    }

    /// Keeps the value when it parsed, records its messages when it did not.
    pub(super) fn take<T>(&mut self, field: F, parsed: Result<T, Vec<String>>) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(messages) => {
                self.push(field, messages);
                None
            }
        }
    }
}

impl<F: FieldName> fmt::Display for FieldErrors<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (field, messages)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {}", field.as_str(), messages.join(" "))?;
        }
        Ok(())
    }
}
