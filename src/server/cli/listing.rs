//! What the CLI's `list` commands print: an aligned table for people, or
//! with `--json` one JSON array for scripts. Times are UTC, ISO 8601.
//! Names and descriptions are anyone's text: characters a terminal would act
//! on (C0 and C1 controls, DEL, bidirectional overrides) are printed as
//! escapes, never raw (an `ESC ] 52` could write the operator's clipboard).

use serde_json::{json, Value};

use crate::server::accounts::{OrganizationListing, TokenInfo, UserListing};
use crate::server::clock::format_millis;
use crate::server::delivery::deliveries::{Attempt, Delivery};
use crate::server::webhooks::Webhook;
use crate::shared::slack_answers::explain;

pub fn organizations(rows: &[OrganizationListing], as_json: bool) {
    print(
        as_json,
        &["SLUG", "WEBHOOKS FLAG", "USERS", "WEBHOOKS", "CREATED"],
        rows.iter()
            .map(|o| {
                json!({
                    "slug": o.slug,
                    "webhooks_enabled": o.webhooks_enabled,
                    "users": o.users,
                    "webhooks": o.webhooks,
                    "created": format_millis(o.created_at),
                })
            })
            .collect(),
        |o| {
            vec![
                text(&o["slug"]),
                on_off(&o["webhooks_enabled"]),
                text(&o["users"]),
                text(&o["webhooks"]),
                text(&o["created"]),
            ]
        },
    );
}

pub fn users(rows: &[UserListing], as_json: bool) {
    print(
        as_json,
        &[
            "EMAIL",
            "ORGANIZATION",
            "SUPERUSER",
            "ACTIVE",
            "PASSWORD",
            "CREATED",
        ],
        rows.iter()
            .map(|u| {
                json!({
                    "email": u.email,
                    "organization": u.organization,
                    "superuser": u.is_superuser,
                    "active": u.is_active,
                    "has_password": u.has_password,
                    "created": format_millis(u.created_at),
                })
            })
            .collect(),
        |u| {
            vec![
                text(&u["email"]),
                text(&u["organization"]),
                yes_no(&u["superuser"]),
                yes_no(&u["active"]),
                yes_no(&u["has_password"]),
                text(&u["created"]),
            ]
        },
    );
}

pub fn webhooks(rows: &[Webhook], as_json: bool) {
    print(
        as_json,
        &["ID", "NAME", "ACTIVE", "URL", "UPDATED"],
        rows.iter()
            .map(|w| {
                json!({
                    "id": w.id,
                    "name": w.name,
                    "active": w.active,
                    "masked_url": w.masked_url(),
                    "updated": format_millis(w.updated_at),
                })
            })
            .collect(),
        |w| {
            vec![
                text(&w["id"]),
                text(&w["name"]),
                yes_no(&w["active"]),
                text(&w["masked_url"]),
                text(&w["updated"]),
            ]
        },
    );
}

pub fn tokens(rows: &[TokenInfo], as_json: bool) {
    print(
        as_json,
        &["PREFIX", "KIND", "CREATED", "LAST USED"],
        rows.iter()
            .map(|t| {
                json!({
                    "prefix": t.prefix,
                    "kind": t.kind,
                    "created": format_millis(t.created_at),
                    "last_used": t.last_used_at.map(format_millis),
                })
            })
            .collect(),
        |t| {
            vec![
                format!("{}…", text(&t["prefix"])),
                text(&t["kind"]),
                text(&t["created"]),
                t["last_used"].as_str().unwrap_or("never").to_owned(),
            ]
        },
    );
}

fn delivery_json(d: &Delivery) -> Value {
    json!({
        "id": d.id,
        "event_id": d.event_id,
        "event_type": d.event_type,
        "status": d.status.as_str(),
        "attempts": d.attempts,
        "next_attempt": d.next_attempt_at.map(format_millis),
        "created": format_millis(d.created_at),
    })
}

pub fn deliveries(rows: &[Delivery], as_json: bool) {
    print(
        as_json,
        &["ID", "EVENT TYPE", "STATUS", "ATTEMPTS", "CREATED"],
        rows.iter().map(delivery_json).collect(),
        |d| {
            vec![
                text(&d["id"]),
                text(&d["event_type"]),
                text(&d["status"]),
                text(&d["attempts"]),
                text(&d["created"]),
            ]
        },
    );
}

/// One delivery with its attempts (Slack's answers in words) and message.
pub fn delivery(delivery: &Delivery, message: &str, attempts: &[Attempt], as_json: bool) {
    let attempts: Vec<Value> = attempts
        .iter()
        .map(|a| {
            json!({
                "at": format_millis(a.at),
                "duration_ms": a.duration_ms,
                "outcome": a.outcome,
                "http_status": a.http_status,
                "error": a.error,
                "meaning": explain(&a.outcome, a.http_status, a.error.as_deref()),
            })
        })
        .collect();
    let message: Value = serde_json::from_str(message).unwrap_or(Value::Null);
    if as_json {
        let mut shown = delivery_json(delivery);
        shown["attempts_made"] = Value::Array(attempts);
        shown["message"] = message;
        println!("{}", json_escaped(&shown.to_string()));
        return;
    }
    let shown = delivery_json(delivery);
    let mut table = vec![
        vec!["delivery".to_owned(), text(&shown["id"])],
        vec![
            "event".to_owned(),
            format!(
                "{} ({})",
                text(&shown["event_id"]),
                text(&shown["event_type"])
            ),
        ],
        vec!["status".to_owned(), text(&shown["status"])],
        vec!["created".to_owned(), text(&shown["created"])],
    ];
    if let Value::String(next) = &shown["next_attempt"] {
        table.push(vec!["next attempt".to_owned(), next.clone()]);
    }
    for (n, attempt) in attempts.iter().enumerate() {
        table.push(vec![
            format!("attempt {}", n + 1),
            format!(
                "{} ({} ms): {}",
                text(&attempt["at"]),
                text(&attempt["duration_ms"]),
                text(&attempt["meaning"])
            ),
        ]);
    }
    table.push(vec!["message".to_owned(), message.to_string()]);
    let table: Vec<Vec<String>> = table
        .iter()
        .map(|row| {
            row.iter()
                .map(|cell| escaped(cell, |c| c.escape_unicode().to_string()))
                .collect()
        })
        .collect();
    print!("{}", align(&table));
}

/// The rows as JSON, or as a table with `columns` (one row per value).
fn print(as_json: bool, columns: &[&str], rows: Vec<Value>, cells: impl Fn(&Value) -> Vec<String>) {
    if as_json {
        println!("{}", json_escaped(&Value::Array(rows).to_string()));
        return;
    }
    let header: Vec<String> = columns.iter().map(|c| (*c).to_owned()).collect();
    let table: Vec<Vec<String>> = std::iter::once(header)
        .chain(rows.iter().map(|row| {
            cells(row)
                .iter()
                .map(|cell| escaped(cell, |c| c.escape_unicode().to_string()))
                .collect()
        }))
        .collect();
    print!("{}", align(&table));
}

/// Columns padded to their widest cell, two spaces apart, no trailing space.
fn align(table: &[Vec<String>]) -> String {
    let columns = table.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            table
                .iter()
                .filter_map(|row| row.get(c))
                .map(|cell| cell.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in table {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// Characters a terminal acts on rather than shows.
fn acts_on_terminal(c: char) -> bool {
    c.is_control() // C0, DEL and C1
        || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every character a terminal acts on written by `escape`.
fn escaped(text: &str, escape: impl Fn(char) -> String) -> String {
    text.chars()
        .map(|c| {
            if acts_on_terminal(c) {
                escape(c)
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// JSON text with those characters as `\uXXXX` escapes: the same JSON
/// value (serde_json escapes C0 itself, but writes DEL, C1 and bidi raw).
fn json_escaped(json: &str) -> String {
    escaped(json, |c| format!("\\u{:04x}", u32::from(c)))
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn yes_no(value: &Value) -> String {
    if value.as_bool() == Some(true) {
        "yes"
    } else {
        "no"
    }
    .to_owned()
}

fn on_off(value: &Value) -> String {
    if value.as_bool() == Some(true) {
        "on"
    } else {
        "off"
    }
    .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_line_up() {
        let table = vec![
            vec!["SLUG".to_owned(), "USERS".to_owned()],
            vec!["default".to_owned(), "1".to_owned()],
            vec!["ünïcode".to_owned(), "12".to_owned()],
        ];
        assert_eq!(align(&table), "SLUG     USERS\ndefault  1\nünïcode  12\n");
    }

    #[test]
    fn what_a_terminal_would_act_on_is_escaped() {
        let hostile = "clip\u{1b}]52;c;ZXZpbA==\u{7}\u{9b}31m\u{7f}\u{202e}txt.exe\tend\nx";
        let shown = escaped(hostile, |c| c.escape_unicode().to_string());
        assert_eq!(
            shown,
            "clip\\u{1b}]52;c;ZXZpbA==\\u{7}\\u{9b}31m\\u{7f}\\u{202e}txt.exe\\u{9}end\\u{a}x"
        );
        assert!(!shown.chars().any(acts_on_terminal));
        let json = json_escaped(&json!({ "name": hostile }).to_string());
        assert!(!json.chars().any(acts_on_terminal), "{json}");
        let back: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(back["name"], hostile);
        assert_eq!(
            escaped("Ünïcode — fine", |_| unreachable!()),
            "Ünïcode — fine"
        );
    }
}
