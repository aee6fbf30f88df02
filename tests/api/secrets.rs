//! Credentials never show in `Debug` output (logs, panics): every type that
//! holds a Slack URL, an API token or a password is formatted with `{:?}`.

use webhook_admin::pages::login::Login;
use webhook_admin::pages::webhooks::edit::UpdateWebhook;
use webhook_admin::pages::webhooks::new::CreateWebhook;
use webhook_admin::server::accounts::{ApiToken, Password};
use webhook_admin::server::webhooks::Webhook;
use webhook_admin::shared::forms::{FormOriginals, Secret};
use webhook_admin::shared::validation::{
    validate_changes, validate_new, Input, SlackUrl, WebhookInput,
};
use webhook_admin::shared::wire::{Timestamp, TokenRow, Tokens, WebhookDetail, WebhookRow};

const URL: &str = "https://hooks.slack.com/services/T00000000/B00000000/SECRETPARTOFTHEURL";
const TOKEN: &str = "0123456789abcdef0123456789abcdef01234567";
const PASSWORD: &str = "correct horse battery staple";

fn row() -> WebhookRow {
    let now = Timestamp {
        machine: "2026-11-27T00:00:00Z".into(),
        human: "27 Nov 2026".into(),
    };
    WebhookRow {
        id: 1,
        version: 1,
        name: "Eng".into(),
        masked_url: "hooks.slack.com/services/T…/B…/••••TURL".into(),
        description: String::new(),
        active: true,
        created: now.clone(),
        updated: now,
    }
}

#[test]
fn no_secret_shows_in_debug_output() {
    let input = WebhookInput {
        name: Input::text("Eng"),
        url: Input::text(URL),
        ..WebhookInput::default()
    };
    let formatted = [
        format!("{:?}", SlackUrl::parse(URL).unwrap()),
        format!("{input:?}"),
        format!("{:?}", validate_new(&input).unwrap()),
        format!("{:?}", validate_changes(&input).unwrap()),
        format!(
            "{:?}",
            Webhook {
                id: 1,
                name: "Eng".into(),
                url: SlackUrl::parse(URL).unwrap(),
                description: String::new(),
                active: true,
                created_at: 0,
                updated_at: 0,
            }
        ),
        format!(
            "{:?}",
            WebhookDetail {
                webhook: row(),
                full_url: Some(Secret(URL.into())),
                subscriptions: vec!["project.*".into()],
            }
        ),
        format!(
            "{:?}",
            Tokens {
                tokens: vec![TokenRow {
                    id: 1,
                    prefix: TOKEN[..8].into(),
                    created: row().created,
                    last_used: None,
                }],
                fresh_token: Some(Secret(TOKEN.into())),
            }
        ),
        format!("{:?}", ApiToken::from_clear(TOKEN)),
        format!("{:?}", Password::parse(PASSWORD).unwrap()),
        format!(
            "{:?}",
            Login {
                email: "ann@acme.test".into(),
                password: Secret(PASSWORD.into()),
            }
        ),
        format!(
            "{:?}",
            CreateWebhook {
                name: "Eng".into(),
                url: Secret(URL.into()),
                description: String::new(),
                active: None,
                subscriptions: None,
                form_key: None,
            }
        ),
        format!(
            "{:?}",
            UpdateWebhook {
                id: 1,
                name: "Eng".into(),
                url: Secret(URL.into()),
                description: String::new(),
                active: None,
                subscriptions: None,
                original: FormOriginals::default(),
            }
        ),
    ];
    for text in formatted {
        for secret in ["SECRETPART", &TOKEN[8..], PASSWORD] {
            assert!(!text.contains(secret), "{secret} shows in {text}");
        }
    }
}
