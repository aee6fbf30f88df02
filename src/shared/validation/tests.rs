use super::*;

const GOOD_URL: &str =
    "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX";

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn input(name: Input, url: Input, description: Input, active: Input) -> WebhookInput {
    WebhookInput {
        name,
        url,
        description,
        active,
    }
}

#[test]
fn a_complete_draft_gets_defaults() {
    let draft = validate_new(&input(
        Input::text(" Eng "),
        Input::text(GOOD_URL),
        Input::Missing,
        Input::Missing,
    ))
    .unwrap();
    assert_eq!(draft.name.as_str(), "Eng");
    assert_eq!(draft.url.as_str(), GOOD_URL);
    assert_eq!(draft.description.as_str(), "");
    assert!(draft.active);
}

#[test]
fn missing_required_fields_are_reported_together() {
    let errors = validate_new(&WebhookInput::default()).unwrap_err();
    assert_eq!(
        errors.get(Field::Name),
        Some(&strings(&[messages::REQUIRED])[..])
    );
    assert_eq!(
        errors.get(Field::Url),
        Some(&strings(&[messages::REQUIRED])[..])
    );
    assert_eq!(errors.get(Field::Description), None);
    assert_eq!(
        errors.iter().map(|(f, _)| f).collect::<Vec<_>>(),
        vec![Field::Name, Field::Url]
    );
}

#[test]
fn null_blank_and_wrong_types() {
    let errors = validate_new(&input(
        Input::Null,
        Input::text("  \t "),
        Input::Bool(true),
        Input::Null,
    ))
    .unwrap_err();
    assert_eq!(errors.get(Field::Name).unwrap(), strings(&[messages::NULL]));
    assert_eq!(errors.get(Field::Url).unwrap(), strings(&[messages::BLANK]));
    assert_eq!(
        errors.get(Field::Description).unwrap(),
        strings(&[messages::NOT_A_STRING])
    );
    assert_eq!(
        errors.get(Field::Active).unwrap(),
        strings(&[messages::NULL])
    );

    let errors = validate_new(&input(
        Input::Structured,
        Input::Structured,
        Input::Structured,
        Input::Structured,
    ))
    .unwrap_err();
    assert_eq!(
        errors.get(Field::Name).unwrap(),
        strings(&[messages::NOT_A_STRING])
    );
    assert_eq!(
        errors.get(Field::Active).unwrap(),
        strings(&[messages::NOT_A_BOOLEAN])
    );
}

#[test]
fn numbers_are_taken_as_their_text() {
    let draft = validate_new(&input(
        Input::Number("42".into()),
        Input::text(GOOD_URL),
        Input::Number("1.5".into()),
        Input::Number("1".into()),
    ))
    .unwrap();
    assert_eq!(draft.name.as_str(), "42");
    assert_eq!(draft.description.as_str(), "1.5");
    assert!(draft.active);
    let errors = validate_new(&input(
        Input::text("n"),
        Input::Number("7".into()),
        Input::Missing,
        Input::Missing,
    ))
    .unwrap_err();
    assert_eq!(
        errors.get(Field::Url).unwrap(),
        strings(&[messages::INVALID_SLACK_URL])
    );
}

#[test]
fn lengths_count_characters_after_trimming() {
    let name = "é".repeat(NAME_MAX_CHARS);
    assert_eq!(Name::parse(&format!("  {name}  ")).unwrap().as_str(), name);
    assert_eq!(
        Name::parse(&format!("{name}x")).unwrap_err(),
        vec![messages::too_long(140)]
    );
    assert_eq!(
        Description::parse(&"d".repeat(1025)).unwrap_err(),
        vec!["Ensure this field has no more than 1024 characters.".to_string()]
    );
    assert_eq!(
        Description::parse(&"d".repeat(1024))
            .unwrap()
            .as_str()
            .len(),
        1024
    );
    let long_url = format!(
        "https://hooks.slack.com/services/{}",
        "a".repeat(URL_MAX_CHARS)
    );
    assert_eq!(
        SlackUrl::parse(&long_url).unwrap_err(),
        vec![messages::too_long(2048)]
    );
    let fits = format!(
        "https://hooks.slack.com/services/{}",
        "a".repeat(URL_MAX_CHARS - 33)
    );
    assert!(SlackUrl::parse(&fits).is_ok());
}

#[test]
fn python_whitespace_is_trimmed() {
    assert_eq!(trim("\u{1c}\u{a0}\u{3000} x \u{1f}\n"), "x");
    assert_eq!(
        Name::parse("\u{1d}\u{2003}").unwrap_err(),
        strings(&[messages::BLANK])
    );
}

#[test]
fn every_failing_rule_reports() {
    let url = format!("http://x/{}\0", "a".repeat(3000));
    assert_eq!(
        SlackUrl::parse(&url).unwrap_err(),
        vec![
            messages::INVALID_SLACK_URL.to_string(),
            messages::too_long(2048),
            messages::NULL_CHARACTERS.to_string()
        ]
    );
    assert_eq!(
        Name::parse("a\0b").unwrap_err(),
        strings(&[messages::NULL_CHARACTERS])
    );
}

#[test]
fn description_may_be_blank() {
    assert_eq!(Description::parse("   ").unwrap().as_str(), "");
}

#[test]
fn drf_boolean_forms() {
    for (raw, expected) in [
        ("TRUE", true),
        ("yEs", true),
        ("on", true),
        ("t", true),
        ("Y", true),
        ("1", true),
        ("false", false),
        ("No", false),
        ("OFF", false),
        ("f", false),
        ("n", false),
        ("0", false),
    ] {
        assert_eq!(parse_active(&Input::text(raw)), Ok(expected), "{raw}");
    }
    assert_eq!(parse_active(&Input::Number("1".into())), Ok(true));
    assert_eq!(parse_active(&Input::Number("0".into())), Ok(false));
    assert_eq!(parse_active(&Input::Number("1.0".into())), Ok(true));
    for bad in [
        Input::text("2"),
        Input::text(" true"),
        Input::text(""),
        Input::Number("2".into()),
        Input::Structured,
    ] {
        assert_eq!(
            parse_active(&bad),
            Err(strings(&[messages::NOT_A_BOOLEAN])),
            "{bad:?}"
        );
    }
}

#[test]
fn changes_only_touch_present_fields() {
    assert_eq!(
        validate_changes(&WebhookInput::default()),
        Ok(WebhookChanges::default())
    );
    let changes = validate_changes(&input(
        Input::Missing,
        Input::Missing,
        Input::text("x"),
        Input::Bool(false),
    ))
    .unwrap();
    assert_eq!(changes.field_names(), vec!["description", "active"]);
    let errors = validate_changes(&input(
        Input::text(""),
        Input::Missing,
        Input::Missing,
        Input::Missing,
    ))
    .unwrap_err();
    assert_eq!(errors.to_string(), "name: This field may not be blank.");
}

#[test]
fn the_url_never_shows_in_debug_output() {
    let url = SlackUrl::parse(GOOD_URL).unwrap();
    assert!(!format!("{url:?}").contains("XXXX"));
}

#[test]
fn a_forms_fields_and_event_types_are_checked_together() {
    let bad_name = input(
        Input::text(""),
        Input::text(GOOD_URL),
        Input::Missing,
        Input::Missing,
    );
    let errors = validate_new_form(&bad_name, "project.*\nBad").unwrap_err();
    assert_eq!(
        errors.iter().map(|(field, _)| field).collect::<Vec<_>>(),
        vec![Field::Name, Field::Subscriptions]
    );
    assert_eq!(
        errors.get(Field::Subscriptions).unwrap(),
        [format!("Item 2: {}", subscription::INVALID_SUBSCRIPTION)]
    );

    let good = input(
        Input::text("Ops"),
        Input::text(GOOD_URL),
        Input::Missing,
        Input::Missing,
    );
    let draft = validate_new_form(&good, "b.*\na").unwrap();
    assert_eq!(draft.subscriptions, strings(&["a", "b.*"]));
    let unchanged = validate_edit_form(&WebhookInput::default(), "a\nb.*", "b.*, a").unwrap();
    assert_eq!(unchanged.subscriptions, None);
    assert_eq!(unchanged.field_names(), Vec::<&str>::new());
    let emptied = validate_edit_form(&WebhookInput::default(), "", "a").unwrap();
    assert_eq!(emptied.subscriptions, Some(vec![]));
    assert_eq!(emptied.field_names(), vec!["subscriptions"]);
}
