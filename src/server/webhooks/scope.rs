//! Who may manage an organization's webhooks: the permission checks, the
//! scope they give (every query is pinned to its organization), and what
//! was read before they ran, closed until a scope of its organization opens it.

use super::{ServiceError, Via};
use crate::server::accounts::{self, Principal, TokenKind, TokenOwner, TokenPrincipal};
use crate::server::db::{self, Db};

/// Why a principal may not manage webhooks, in the order the checks run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccessDenied {
    Inactive,
    /// A token that may only post events, used for anything else.
    EventsOnly,
    NotSuperuser,
    FeatureDisabled,
}

/// Proof that a caller may manage its organization's webhooks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WebhookScope {
    pub(super) organization_id: i64,
    pub(super) actor_user_id: i64,
    /// How the actor reached us, for the history.
    pub(super) via: Via,
    /// The organization's webhook counter, read with the caller's identity
    /// at the start of this request.
    pub(super) webhook_count: i64,
}

impl WebhookScope {
    pub fn for_principal(principal: &Principal, via: Via) -> Result<Self, AccessDenied> {
        if !principal.is_active {
            Err(AccessDenied::Inactive)
        } else if !principal.is_superuser {
            Err(AccessDenied::NotSuperuser)
        } else if !principal.webhooks_enabled {
            Err(AccessDenied::FeatureDisabled)
        } else {
            Ok(WebhookScope {
                organization_id: principal.organization_id,
                actor_user_id: principal.user_id,
                via,
                webhook_count: principal.webhook_count,
            })
        }
    }

    /// The permission checks for a token: a full token's owner must be
    /// allowed to manage webhooks; an events token may do nothing else.
    pub fn for_token(caller: &TokenPrincipal) -> Result<Self, AccessDenied> {
        if caller.principal.is_active && caller.kind == TokenKind::Events {
            return Err(AccessDenied::EventsOnly);
        }
        let via = Via::ApiToken {
            token_id: caller.token_id,
        };
        WebhookScope::for_principal(&caller.principal, via)
    }

    /// The organization whose webhooks may receive the events a token
    /// posts: a full token's owner must be allowed to manage webhooks;
    /// an events token's owner need only be active, in an organization
    /// whose Webhooks feature is on.
    pub fn events_organization(caller: &TokenPrincipal) -> Result<i64, AccessDenied> {
        let principal = &caller.principal;
        match caller.kind {
            TokenKind::Full => Ok(WebhookScope::for_token(caller)?.organization_id),
            TokenKind::Events if !principal.is_active => Err(AccessDenied::Inactive),
            TokenKind::Events if !principal.webhooks_enabled => Err(AccessDenied::FeatureDisabled),
            TokenKind::Events => Ok(principal.organization_id),
        }
    }

    /// The organization every query of the caller is pinned to.
    pub fn organization_id(&self) -> i64 {
        self.organization_id
    }
}

/// Something read before the permission checks ran (in the token
/// lookup's own query): only a scope of its organization opens it.
pub struct Unchecked<T> {
    pub(super) organization_id: i64,
    pub(super) value: T,
}

impl<T> Unchecked<T> {
    pub fn open(self, scope: WebhookScope) -> Result<T, ServiceError> {
        if scope.organization_id != self.organization_id {
            return Err(ServiceError::NotFound);
        }
        Ok(self.value)
    }
}

/// Records the token's use; what rode along stays closed until a scope opens it.
pub(super) async fn checked_later<T>(
    db: &Db,
    found: Option<(TokenOwner, T)>,
) -> Result<Option<(TokenPrincipal, Unchecked<T>)>, db::Error> {
    let Some((owner, value)) = found else {
        return Ok(None);
    };
    let caller = accounts::token_used(db, owner).await?;
    let organization_id = caller.principal.organization_id;
    Ok(Some((
        caller,
        Unchecked {
            organization_id,
            value,
        },
    )))
}

#[cfg(test)]
mod tests {
    use super::super::Webhook;
    use super::*;
    use crate::shared::validation::SlackUrl;

    fn scope_of(organization_id: i64) -> WebhookScope {
        WebhookScope {
            organization_id,
            actor_user_id: 1,
            via: Via::Cli,
            webhook_count: 0,
        }
    }

    #[test]
    fn only_a_scope_of_its_organization_opens_an_unchecked_webhook() {
        let webhook = Webhook {
            id: 7,
            name: "a".to_owned(),
            url: SlackUrl::parse(
                "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
            )
            .unwrap(),
            description: String::new(),
            active: true,
            created_at: 0,
            updated_at: 0,
        };
        let unchecked = |value| Unchecked {
            organization_id: 3,
            value,
        };
        assert!(matches!(
            unchecked(webhook.clone()).open(scope_of(4)),
            Err(ServiceError::NotFound)
        ));
        assert_eq!(
            unchecked(webhook.clone()).open(scope_of(3)).unwrap(),
            webhook
        );
    }
}
