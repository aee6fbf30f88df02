//! What a page says after a change, carried in its address.

/// What the webhook list says after a change; it travels in the list's
/// address (`/webhooks?notice=created`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notice {
    Created,
    Saved,
    Deleted,
    /// On the webhook's own page: Slack took the test message.
    TestDelivered,
    /// After a bulk action, with how many webhooks it changed.
    Activated,
    Deactivated,
    DeletedMany,
    /// A bulk action with no row selected.
    NothingSelected,
    /// On the webhook's own page: its held deliveries were sent again, or
    /// discarded (it was turned on first when it was off).
    HeldSent,
    HeldDiscarded,
    /// On the webhook's own page: what failed in a time was sent again, or
    /// nothing had.
    FailedRedelivered,
    NothingFailed,
    /// On a delivery's page: it waits to be sent again.
    Redelivered,
}

impl Notice {
    const ALL: [Notice; 13] = [
        Notice::Created,
        Notice::Saved,
        Notice::Deleted,
        Notice::TestDelivered,
        Notice::Activated,
        Notice::Deactivated,
        Notice::DeletedMany,
        Notice::NothingSelected,
        Notice::HeldSent,
        Notice::HeldDiscarded,
        Notice::FailedRedelivered,
        Notice::NothingFailed,
        Notice::Redelivered,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Notice::Created => "created",
            Notice::Saved => "saved",
            Notice::Deleted => "deleted",
            Notice::TestDelivered => "tested",
            Notice::Activated => "activated",
            Notice::Deactivated => "deactivated",
            Notice::DeletedMany => "deleted_many",
            Notice::NothingSelected => "none_selected",
            Notice::HeldSent => "held_sent",
            Notice::HeldDiscarded => "held_discarded",
            Notice::FailedRedelivered => "failed_redelivered",
            Notice::NothingFailed => "nothing_failed",
            Notice::Redelivered => "redelivered",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Notice::ALL.into_iter().find(|notice| notice.code() == code)
    }

    pub fn message(self) -> &'static str {
        match self {
            Notice::Created => "Webhook created.",
            Notice::Saved => "Changes saved.",
            Notice::Deleted => "Webhook deleted.",
            Notice::TestDelivered => "Test message delivered: Slack accepted it.",
            Notice::Activated => "Webhooks activated.",
            Notice::Deactivated => "Webhooks deactivated.",
            Notice::DeletedMany => "Webhooks deleted.",
            Notice::NothingSelected => "Select one or more webhooks first.",
            Notice::HeldSent => "The webhook is on; its held messages are on their way, in order.",
            Notice::HeldDiscarded => "The webhook is on; its held messages were discarded.",
            Notice::FailedRedelivered => {
                "The messages that failed are waiting to be sent again, in order."
            }
            Notice::NothingFailed => "No message failed in that time.",
            Notice::Redelivered => "The delivery is waiting to be sent again.",
        }
    }

    /// The message for a bulk action that changed `count` webhooks.
    pub fn counted(self, count: i64) -> String {
        let noun = if count == 1 { "webhook" } else { "webhooks" };
        match self {
            Notice::Activated => format!("{count} {noun} activated."),
            Notice::Deactivated => format!("{count} {noun} deactivated."),
            Notice::DeletedMany => format!("{count} {noun} deleted."),
            other => other.message().to_owned(),
        }
    }

    /// A webhook's page showing this notice.
    pub fn webhook_href(self, id: i64) -> String {
        format!("/webhooks/{id}?notice={}", self.code())
    }

    /// A delivery's page (at `href`) showing this notice.
    pub fn delivery_href(self, href: &str) -> String {
        format!("{href}?notice={}", self.code())
    }

    /// The webhook list showing this notice.
    pub fn list_href(self) -> String {
        format!("/webhooks?notice={}", self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_round_trip_through_the_address() {
        for notice in Notice::ALL {
            assert_eq!(
                notice.webhook_href(7),
                notice.list_href().replace("/webhooks?", "/webhooks/7?")
            );
            let href = notice.list_href();
            let code = href.strip_prefix("/webhooks?notice=").unwrap();
            assert_eq!(Notice::from_code(code), Some(notice));
        }
        assert_eq!(Notice::from_code("<script>"), None);
    }
}
