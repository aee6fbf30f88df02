//! The OpenAPI 3.1 document, derived from the handlers' annotations and the
//! types they read and write; served at `GET /api/v2/openapi.json` and kept
//! in `docs/openapi.json` (a test keeps the two equal).

use std::sync::LazyLock;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::schema::OneOfBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi, PartialSchema, ToResponse, ToSchema};

use super::error::{ErrorDetail, ValidationErrors};
use crate::server::{ops, webhooks};
use crate::shared::validation::{
    Field, DESCRIPTION_MAX_CHARS, NAME_MAX_CHARS, SLACK_URL_PATTERN, URL_MAX_CHARS,
};

pub const PATH: &str = "/api/v2/openapi.json";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Webhooks API v2",
        description = "Manage an organization's outbound Slack webhook endpoints. \
            Callers are active super users of an organization whose Webhooks feature is on; \
            every operation is scoped to the caller's organization. Paths work with or \
            without their trailing slash. See docs/api.md.",
    ),
    paths(
        webhooks::api::list,
        webhooks::api::create,
        webhooks::api::retrieve,
        webhooks::api::update,
        webhooks::api::delete,
        webhooks::api::test::send_test,
        webhooks::api::history::webhook_history,
        webhooks::api::history::organization_events,
        ops::healthz,
        ops::readyz,
    ),
    components(
        schemas(WebhookCreate, WebhookUpdate, ErrorDetail, ValidationErrors),
        responses(
            Unauthenticated,
            Forbidden,
            NotFound,
            BadRequest,
            TooLarge,
            UnsupportedMediaType,
            PreconditionFailed,
            Unavailable
        ),
    ),
    modifiers(&TokenAuthentication),
    security(("Token" = [])),
    tags(
        (name = "webhooks", description = "Slack webhook endpoints of the caller's organization"),
        (name = "history", description = "Who did what to which webhook, and when"),
        (name = "operations", description = "Probes for load balancers and orchestrators"),
    )
)]
struct ApiDoc;

/// The document, built once.
pub fn document() -> &'static utoipa::openapi::OpenApi {
    static DOCUMENT: LazyLock<utoipa::openapi::OpenApi> = LazyLock::new(ApiDoc::openapi);
    &DOCUMENT
}

/// `GET /api/v2/openapi.json`: no authentication, so clients can be generated.
pub async fn serve() -> Response {
    static JSON: LazyLock<String> = LazyLock::new(|| {
        document()
            .to_pretty_json()
            .expect("the document serialises")
    });
    ([(header::CONTENT_TYPE, "application/json")], JSON.as_str()).into_response()
}

/// DRF's token authentication: `Authorization: Token <key>`.
struct TokenAuthentication;

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

/// A create's body: `name` and `url` required.
pub struct WebhookCreate;
/// A partial update's body: any subset of the fields.
pub struct WebhookUpdate;

impl PartialSchema for WebhookCreate {
    fn schema() -> RefOr<Schema> {
        webhook_write_schema(&[Field::Name, Field::Url])
    }
}
impl ToSchema for WebhookCreate {}

impl PartialSchema for WebhookUpdate {
    fn schema() -> RefOr<Schema> {
        webhook_write_schema(&[])
    }
}
impl ToSchema for WebhookUpdate {}

/// The writable fields with the limits the shared validation enforces (the
/// same constants), for what `WebhookBody` reads. The reader also takes what
/// DRF takes (numbers as text, "true"/1 for booleans); the schema documents
/// what a client should send.
fn webhook_write_schema(required: &[Field]) -> RefOr<Schema> {
    let text = |description: &str, max: usize| {
        ObjectBuilder::new()
            .schema_type(SchemaType::Type(Type::String))
            .description(Some(description))
            .max_length(Some(max))
    };
    let mut object = ObjectBuilder::new()
        .schema_type(SchemaType::Type(Type::Object))
        .property(
            Field::Name.as_str(),
            text(
                "A name for people; surrounding whitespace is trimmed.",
                NAME_MAX_CHARS,
            )
            .min_length(Some(1)),
        )
        .property(
            Field::Url.as_str(),
            text("The Slack incoming-webhook URL.", URL_MAX_CHARS).pattern(Some(SLACK_URL_PATTERN)),
        )
        .property(
            Field::Description.as_str(),
            text("Free text; may be empty.", DESCRIPTION_MAX_CHARS),
        )
        .property(
            Field::Active.as_str(),
            ObjectBuilder::new()
                .schema_type(SchemaType::Type(Type::Boolean))
                .description(Some(
                    "Whether messages are sent (true when a create leaves it out).",
                )),
        );
    for field in required {
        object = object.required(field.as_str());
    }
    RefOr::T(Schema::Object(object.build()))
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
    RefOr::T(Schema::OneOf(
        OneOfBuilder::new()
            .item(Ref::from_schema_name(ValidationErrors::name()))
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
    "`You do not have permission to perform this action.` (not a super user) or `The Webhooks feature is not enabled for this organization.`",
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
