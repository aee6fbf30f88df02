//! The rules for an event (`POST /api/v2/events/`): its type and the Slack
//! message it carries. Blocks arrive summarised ([`Block`]: what the rules
//! look at), so the rules need no JSON library where they are compiled for
//! the browser.

use serde::{Deserialize, Serialize};

use super::{messages, non_blank, string_input, FieldErrors, FieldName, Input};

pub const TYPE_MAX_CHARS: usize = 100;
/// Slack's limit on a message, counted on the JSON body it is sent as.
pub const MESSAGE_MAX_CHARS: usize = 40_000;
pub const BLOCKS_MAX: usize = 50;
pub const SECTION_TEXT_MAX_CHARS: usize = 3_000;

pub const INVALID_TYPE: &str = "Enter a valid event type: 1 to 100 characters of a-z, 0-9, \
     \".\" and \"_\" (for example project.created).";

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventField {
    Type,
    Text,
    Blocks,
    NonFieldErrors,
}

impl FieldName for EventField {
    fn as_str(self) -> &'static str {
        match self {
            EventField::Type => "type",
            EventField::Text => "text",
            EventField::Blocks => "blocks",
            EventField::NonFieldErrors => "non_field_errors",
        }
    }
}

/// A block as the rules see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    /// Its `type`; `None` when it is not an object with a string `type`.
    pub kind: Option<String>,
    /// The characters of a section's `text.text`.
    pub text_chars: usize,
}

/// `blocks` as it arrived.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Blocks {
    #[default]
    Missing,
    Null,
    /// Not an array: the name Python gives its type.
    NotAList(&'static str),
    List(Vec<Block>),
}

/// Everything an event may carry, field by field.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EventInput {
    pub kind: Input,
    pub text: Input,
    pub blocks: Blocks,
    /// The characters of the message's JSON body as it would be sent.
    pub message_chars: usize,
}

/// An event that passed every rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventDraft {
    pub kind: String,
    /// Trimmed, as DRF trims a character field.
    pub text: String,
}

/// `a-z 0-9 . _`, 1 to 100 of them.
pub fn is_event_type(text: &str) -> bool {
    (1..=TYPE_MAX_CHARS).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'_')
}

pub fn validate_event(input: &EventInput) -> Result<EventDraft, FieldErrors<EventField>> {
    let mut errors = FieldErrors::default();
    let required = |field: &Input| match field {
        Input::Missing => Err(vec![messages::REQUIRED.to_owned()]),
        other => string_input(other),
    };
    let kind = errors.take(
        EventField::Type,
        required(&input.kind).and_then(|text| match text.as_str() {
            "" => Err(vec![messages::BLANK.to_owned()]),
            kind if is_event_type(kind) => Ok(text),
            _ => Err(vec![INVALID_TYPE.to_owned()]),
        }),
    );
    let text = errors.take(
        EventField::Text,
        required(&input.text).and_then(|raw| {
            let text = non_blank(&raw)?;
            let mut problems = Vec::new();
            if text.chars().count() > MESSAGE_MAX_CHARS {
                problems.push(messages::too_long(MESSAGE_MAX_CHARS));
            }
            if text.contains('\0') {
                problems.push(messages::NULL_CHARACTERS.to_owned());
            }
            if problems.is_empty() {
                Ok(text.to_owned())
            } else {
                Err(problems)
            }
        }),
    );
    if let Err(problems) = check_blocks(&input.blocks) {
        errors.push(EventField::Blocks, problems);
    }
    if input.message_chars > MESSAGE_MAX_CHARS && errors.is_empty() {
        errors.push(
            EventField::NonFieldErrors,
            vec![format!(
                "The message may have at most {MESSAGE_MAX_CHARS} characters as JSON (it has {}).",
                input.message_chars
            )],
        );
    }
    match (kind, text) {
        (Some(kind), Some(text)) if errors.is_empty() => Ok(EventDraft { kind, text }),
        _ => Err(errors),
    }
}

fn check_blocks(blocks: &Blocks) -> Result<(), Vec<String>> {
    let list = match blocks {
        Blocks::Missing | Blocks::Null => return Ok(()),
        Blocks::NotAList(kind) => {
            return Err(vec![format!(
                "Expected a list of items but got type \"{kind}\"."
            )])
        }
        Blocks::List(list) => list,
    };
    if list.len() > BLOCKS_MAX {
        return Err(vec![format!(
            "Ensure this field has no more than {BLOCKS_MAX} elements."
        )]);
    }
    let problems: Vec<String> = list
        .iter()
        .enumerate()
        .filter_map(|(i, block)| match block.kind.as_deref() {
            None => Some(format!(
                "Block {}: expected an object with a string \"type\".",
                i + 1
            )),
            Some("section") if block.text_chars > SECTION_TEXT_MAX_CHARS => Some(format!(
                "Block {}: a section's text may have at most {SECTION_TEXT_MAX_CHARS} characters.",
                i + 1
            )),
            Some(_) => None,
        })
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(kind: &str, text: &str) -> EventInput {
        EventInput {
            kind: Input::text(kind),
            text: Input::text(text),
            blocks: Blocks::Missing,
            message_chars: text.len() + 12,
        }
    }

    fn messages_of(input: &EventInput, field: EventField) -> Vec<String> {
        validate_event(input)
            .unwrap_err()
            .get(field)
            .unwrap()
            .to_vec()
    }

    #[test]
    fn a_type_is_lowercase_letters_digits_dots_and_underscores() {
        for good in ["project.created", "a", "x_1.y_2", &"a".repeat(100)] {
            assert!(is_event_type(good), "{good}");
        }
        for bad in [
            "",
            "Project.created",
            "project-created",
            "é",
            " a",
            &"a".repeat(101),
        ] {
            assert!(!is_event_type(bad), "{bad}");
        }
    }

    #[test]
    fn a_valid_event_comes_out_trimmed() {
        let draft = validate_event(&input("project.created", "  Hello  ")).unwrap();
        assert_eq!(
            draft,
            EventDraft {
                kind: "project.created".to_owned(),
                text: "Hello".to_owned()
            }
        );
    }

    #[test]
    fn type_and_text_are_required_strings() {
        let missing = EventInput::default();
        assert_eq!(
            messages_of(&missing, EventField::Type),
            [messages::REQUIRED]
        );
        assert_eq!(
            messages_of(&missing, EventField::Text),
            [messages::REQUIRED]
        );
        let bad = EventInput {
            kind: Input::Bool(true),
            text: Input::text("   "),
            ..EventInput::default()
        };
        assert_eq!(
            messages_of(&bad, EventField::Type),
            [messages::NOT_A_STRING]
        );
        assert_eq!(messages_of(&bad, EventField::Text), [messages::BLANK]);
        assert_eq!(
            messages_of(&input("Project", "x"), EventField::Type),
            [INVALID_TYPE]
        );
    }

    #[test]
    fn blocks_are_a_list_of_at_most_fifty_typed_objects() {
        let with = |blocks| EventInput {
            blocks,
            ..input("a", "x")
        };
        assert_eq!(
            messages_of(&with(Blocks::NotAList("str")), EventField::Blocks),
            ["Expected a list of items but got type \"str\"."]
        );
        let block = |kind: Option<&str>, text_chars| Block {
            kind: kind.map(str::to_owned),
            text_chars,
        };
        let many = vec![block(Some("divider"), 0); 51];
        assert_eq!(
            messages_of(&with(Blocks::List(many)), EventField::Blocks),
            ["Ensure this field has no more than 50 elements."]
        );
        let list = vec![
            block(Some("section"), 3_000),
            block(None, 0),
            block(Some("section"), 3_001),
        ];
        assert_eq!(
            messages_of(&with(Blocks::List(list)), EventField::Blocks),
            [
                "Block 2: expected an object with a string \"type\".",
                "Block 3: a section's text may have at most 3000 characters."
            ]
        );
        assert!(validate_event(&with(Blocks::Null)).is_ok());
    }

    #[test]
    fn the_whole_message_is_at_most_forty_thousand_characters() {
        let long = EventInput {
            message_chars: 40_001,
            ..input("a", "x")
        };
        assert_eq!(
            messages_of(&long, EventField::NonFieldErrors),
            ["The message may have at most 40000 characters as JSON (it has 40001)."]
        );
        let fits = EventInput {
            message_chars: 40_000,
            ..input("a", "x")
        };
        assert!(validate_event(&fits).is_ok());
    }
}
