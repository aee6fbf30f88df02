//! Who may manage an organization's webhooks: the permission checks, the
//! scope they give (every query is pinned to its organization), and what
//! was read before they ran, closed until a scope of its organization opens it.

use super::{ServiceError, Via};
use crate::server::accounts::{self, Principal, TokenOwner, TokenPrincipal};
use crate::server::db::{self, Db};

/// Why a principal may not manage webhooks, in the order the checks run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccessDenied {
    Inactive,
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
