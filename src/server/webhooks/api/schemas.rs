//! The bodies a webhook resource reads, as the OpenAPI document describes
//! them: the writable fields with the limits the shared validation enforces.

use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

use crate::shared::validation::{
    Field, FieldName, DESCRIPTION_MAX_CHARS, NAME_MAX_CHARS, SLACK_URL_PATTERN, URL_MAX_CHARS,
};

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
