//! What every REST resource's OpenAPI description shares: the token
//! security scheme, and the error answers with their bodies and the
//! contract's messages. The answers every authenticated operation can give
//! (401, 403, 503, and 404 where the path names a resource) are added to
//! each operation once, here ([`CommonResponses`]), not on every handler.

use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::Operation;
use utoipa::openapi::schema::{OneOfBuilder, Schema};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, PartialSchema, ToResponse, ToSchema};

use super::error::{ErrorDetail, EventValidationErrors, ValidationErrors};

/// DRF's token authentication: `Authorization: Token <key>`.
pub struct TokenAuthentication;

impl Modify for TokenAuthentication {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "Token",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "Authorization",
                "`Token <key>`: a key from `webhook-admin token create EMAIL` or the /tokens page.",
            ))),
        );
    }
}

/// Adds 401, 403 and 503 to every operation that needs a token, and 404 to
/// those whose path names a resource (`{id}`), unless it says otherwise.
pub struct CommonResponses;

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            let names_a_resource = path.contains('{');
            let operations = [
                &mut item.get,
                &mut item.post,
                &mut item.patch,
                &mut item.delete,
                &mut item.put,
            ];
            for operation in operations.into_iter().flatten() {
                add_common(operation, names_a_resource);
            }
        }
    }
}

fn add_common(operation: &mut Operation, names_a_resource: bool) {
    let public = operation
        .security
        .as_ref()
        .is_some_and(|requirements| requirements.iter().all(|r| *r == Default::default()));
    if public {
        return;
    }
    let mut common = vec![
        ("401", Unauthenticated::response()),
        ("403", Forbidden::response()),
        ("503", Unavailable::response()),
    ];
    if names_a_resource {
        common.push(("404", NotFound::response()));
    }
    for (status, (name, _)) in common {
        operation
            .responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| RefOr::Ref(Ref::from_response_name(name)));
    }
}

/// The error answers every operation shares, each with its body and the
/// contract's messages.
macro_rules! error_response {
    ($name:ident, $description:literal, $body:expr $(, $header:literal => $header_description:literal)*) => {
        pub struct $name;

        impl<'s> ToResponse<'s> for $name {
            fn response() -> (&'s str, RefOr<utoipa::openapi::Response>) {
                let response = ResponseBuilder::new()
                    .description($description)
                    .content("application/json", ContentBuilder::new().schema(Some($body)).build())
                    $(.header(
                        $header,
                        HeaderBuilder::new()
                            .schema(String::schema())
                            .description(Some($header_description))
                            .build(),
                    ))*
                    .build();
                (stringify!($name), RefOr::T(response))
            }
        }
    };
}

fn detail() -> RefOr<Schema> {
    RefOr::Ref(Ref::from_schema_name(ErrorDetail::name()))
}

fn field_errors_or_detail() -> RefOr<Schema> {
    errors_or_detail(&ValidationErrors::name())
}

fn event_errors_or_detail() -> RefOr<Schema> {
    errors_or_detail(&EventValidationErrors::name())
}

fn errors_or_detail(field_errors: &str) -> RefOr<Schema> {
    RefOr::T(Schema::OneOf(
        OneOfBuilder::new()
            .item(Ref::from_schema_name(field_errors))
            .item(Ref::from_schema_name(ErrorDetail::name()))
            .build(),
    ))
}

error_response!(
    Unauthenticated,
    "No valid token: `Authentication credentials were not provided.`, `Invalid token header. …`, `Invalid token.` or `User inactive or deleted.`",
    detail(),
    "WWW-Authenticate" => "Always `Token`."
);
error_response!(
    Forbidden,
    "`You do not have permission to perform this action.` (not a super user), `The Webhooks feature is not enabled for this organization.`, or `This token may only post events.` (an events token, anywhere but `POST /api/v2/events/`)",
    detail()
);
error_response!(
    NotFound,
    "`No Webhook matches the given query.` (none with this id in the caller's organization) or `Not found.` (the id is not an integer)",
    detail()
);
error_response!(
    BadRequest,
    "Invalid fields (each with its messages), a body that is not a JSON object (`non_field_errors`) or not JSON (`JSON parse error - …`), or an invalid `Idempotency-Key` header",
    field_errors_or_detail()
);
error_response!(
    BadEvent,
    "Invalid fields of an event (each with its messages), a body that is not a JSON object or whose message is too long (`non_field_errors`), not JSON (`JSON parse error - …`), or an invalid `Idempotency-Key` header",
    event_errors_or_detail()
);
error_response!(
    TooLarge,
    "`Request body is too large.` (over 64 KiB)",
    detail()
);
error_response!(
    UnsupportedMediaType,
    "`Unsupported media type \"…\" in request.` (the body is not `application/json`)",
    detail()
);
error_response!(
    PreconditionFailed,
    "`This webhook was changed since you loaded it. Reload it and try again.`: `If-Match` names another version; nothing was changed",
    detail()
);
error_response!(
    Unavailable,
    "`Service temporarily unavailable.`: the database cannot be reached; retry later",
    detail(),
    "Retry-After" => "Seconds to wait before retrying."
);
