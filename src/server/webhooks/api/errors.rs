//! The webhook service's answers as the REST API's errors, and a write's
//! `If-Match` as the service's precondition.

use crate::server::rest::conditional::IfMatch;
use crate::server::rest::error::ApiError;
use crate::server::webhooks::{AccessDenied, Precondition, ServiceError};

impl From<AccessDenied> for ApiError {
    fn from(denied: AccessDenied) -> Self {
        match denied {
            AccessDenied::Inactive => ApiError::UserInactive,
            AccessDenied::EventsOnly => ApiError::EventsOnlyToken,
            AccessDenied::NotSuperuser => ApiError::PermissionDenied,
            AccessDenied::FeatureDisabled => ApiError::FeatureDisabled,
        }
    }
}

impl From<ServiceError> for ApiError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::NotFound => ApiError::WebhookNotFound,
            ServiceError::InvalidPage => ApiError::InvalidPage,
            ServiceError::Changed => ApiError::PreconditionFailed,
            ServiceError::KeyReused => ApiError::IdempotencyKeyReused,
            ServiceError::TestTooSoon { retry_after_secs }
            | ServiceError::TestsThrottled { retry_after_secs } => {
                ApiError::Throttled(retry_after_secs)
            }
            ServiceError::Database(e) => e.into(),
        }
    }
}

impl From<IfMatch> for Precondition {
    fn from(if_match: IfMatch) -> Self {
        match if_match {
            IfMatch::Any => Precondition::none(),
            IfMatch::OneOf(versions) => Precondition::one_of(versions),
        }
    }
}
