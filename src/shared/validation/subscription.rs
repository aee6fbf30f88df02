//! The event types a webhook receives: each an event type, or a prefix of
//! one ending in `*`; the admin form's box writes them one a line.

use super::event::{is_event_type, TYPE_MAX_CHARS};

/// The most event types one webhook may subscribe to.
pub const SUBSCRIPTIONS_MAX: usize = 50;

pub const INVALID_SUBSCRIPTION: &str = "Enter an event type (project.created) or a prefix \
     ending in * (project.*): at most 100 characters of a-z, 0-9, \".\" and \"_\".";

/// A subscription: an event type, or a prefix of one ending in `*`.
pub fn is_subscription(pattern: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some("") => true,
        Some(prefix) => is_event_type(prefix) && prefix.len() < TYPE_MAX_CHARS,
        None => is_event_type(pattern),
    }
}

/// The patterns of the admin form's "Event types" box: one per line (commas
/// and spaces separate too); blank entries are not patterns.
pub fn subscriptions_from_text(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|pattern| !pattern.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The form's box for these patterns: one per line.
pub fn subscriptions_to_text(patterns: &[String]) -> String {
    patterns.join("\n")
}

/// The edit form's change to the subscriptions: `None` when its box holds
/// the set it was loaded with (however it is written), else the new set
/// checked.
pub fn subscriptions_change(typed: &str, loaded: &str) -> Result<Option<Vec<String>>, Vec<String>> {
    let as_set = |text: &str| {
        let mut patterns = subscriptions_from_text(text);
        patterns.sort();
        patterns.dedup();
        patterns
    };
    if as_set(typed) == as_set(loaded) {
        return Ok(None);
    }
    validate_subscriptions(&subscriptions_from_text(typed)).map(Some)
}

/// Checks a webhook's subscriptions; the patterns sorted, without repeats.
pub fn validate_subscriptions(patterns: &[String]) -> Result<Vec<String>, Vec<String>> {
    if patterns.len() > SUBSCRIPTIONS_MAX {
        return Err(vec![format!(
            "Ensure this field has no more than {SUBSCRIPTIONS_MAX} elements."
        )]);
    }
    let problems: Vec<String> = patterns
        .iter()
        .enumerate()
        .filter(|(_, pattern)| !is_subscription(pattern))
        .map(|(i, _)| format!("Item {}: {INVALID_SUBSCRIPTION}", i + 1))
        .collect();
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut sorted = patterns.to_vec();
    sorted.sort();
    sorted.dedup();
    Ok(sorted)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owned(list: &[&str]) -> Vec<String> {
        list.iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn the_forms_box_holds_one_pattern_a_line() {
        assert_eq!(
            subscriptions_from_text(" project.*\r\n\n task.created, task.done \n"),
            owned(&["project.*", "task.created", "task.done"])
        );
        assert_eq!(subscriptions_from_text(" \n "), Vec::<String>::new());
        let patterns = owned(&["a.*", "b"]);
        assert_eq!(
            subscriptions_from_text(&subscriptions_to_text(&patterns)),
            patterns
        );
    }

    #[test]
    fn the_form_changes_subscriptions_only_when_the_set_differs() {
        assert_eq!(subscriptions_change("b\na.*\nb", "a.*\nb"), Ok(None));
        assert_eq!(subscriptions_change("", ""), Ok(None));
        assert_eq!(subscriptions_change("", "a"), Ok(Some(vec![])));
        assert_eq!(
            subscriptions_change("c, a", "a"),
            Ok(Some(owned(&["a", "c"])))
        );
        assert_eq!(
            subscriptions_change("a\nProject", "a"),
            Err(vec![format!("Item 2: {INVALID_SUBSCRIPTION}")])
        );
    }

    #[test]
    fn a_subscription_is_a_type_or_a_prefix_ending_in_a_star() {
        for good in [
            "project.created",
            "project.*",
            "project*",
            "*",
            &format!("{}*", "a".repeat(99)),
        ] {
            assert!(is_subscription(good), "{good}");
        }
        for bad in [
            "",
            "**",
            "project.*.x",
            "Project.*",
            "a*b",
            &format!("{}*", "a".repeat(100)),
        ] {
            assert!(!is_subscription(bad), "{bad}");
        }
        assert_eq!(
            validate_subscriptions(&owned(&["b.*", "a", "b.*"])),
            Ok(owned(&["a", "b.*"]))
        );
        assert_eq!(
            validate_subscriptions(&owned(&["a", "A"])),
            Err(vec![format!("Item 2: {INVALID_SUBSCRIPTION}")])
        );
        assert_eq!(
            validate_subscriptions(&vec!["a".to_owned(); 51]),
            Err(vec![
                "Ensure this field has no more than 50 elements.".to_owned()
            ])
        );
    }
}
