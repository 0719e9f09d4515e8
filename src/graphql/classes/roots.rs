//! The data of each class-API root field, as the pinned Parse's resolver gives it for the
//! caller (`schemaQueries` and `configQueries` of Parse's GraphQL loaders).

use serde_json::{Value as Json, json};

use super::{Resolve, RootField};
use crate::error::ErrorCode;
use crate::graphql::context::Context;
use crate::graphql::schema::ApiError;
use crate::object::FieldType;

impl Resolve for Context {
    fn root(&self, field: &RootField<'_>) -> Result<Json, ApiError> {
        match field.name {
            "health" => Ok(Json::Bool(true)),
            "class" => {
                self.master_required()?;
                let name = field.args.get("name").and_then(Json::as_str).unwrap_or("");
                self.class(name)
            }
            "classes" => {
                self.master_required()?;
                Ok(Json::Array(
                    CLASSES
                        .iter()
                        .map(|name| self.class(name))
                        .collect::<Result<_, _>>()?,
                ))
            }
            // Parse Config is not kept here: every parameter is unset, as on a database
            // whose config was never written.
            "cloudConfig" => Ok(json!({ "value": null, "isMasterKeyOnly": null })),
            other => Err(ApiError::parse(
                ErrorCode::InternalServerError,
                format!("no resolver for {other}"),
            )),
        }
    }
}

/// The classes a Parse database has once a user signed up, in `_SCHEMA`'s order: `_User`
/// and `_Role` made at start-up, `_Session` with the first session.
const CLASSES: [&str; 3] = ["_User", "_Role", "_Session"];

impl Context {
    /// Parse's `enforceMasterKeyAccess`.
    fn master_required(&self) -> Result<(), ApiError> {
        if self.auth.is_master {
            return Ok(());
        }
        let message = if self.behavior.sanitized_permission_errors {
            "Permission denied"
        } else {
            "unauthorized: master key is required"
        };
        Err(ApiError::parse(ErrorCode::OperationForbidden, message))
    }

    /// A `Class` object: its name and its fields (`transformToGraphQL`).
    fn class(&self, name: &str) -> Result<Json, ApiError> {
        let columns = match name {
            "_User" | "_Session" => {
                let class = if name == "_User" { "_User" } else { "_Session" };
                let fields = self.block_on(self.store.class_fields(class))?;
                crate::object::class_columns(class, &fields, &self.behavior)
            }
            "_Role" => role_columns(),
            _ => {
                return Err(ApiError::parse(
                    ErrorCode::InvalidClassName,
                    format!("Class {name} does not exist."),
                ));
            }
        };
        let fields: Vec<Json> = columns
            .iter()
            .map(|(field, ty)| {
                let mut out = json!({ "__typename": schema_field_type(ty), "name": field });
                if let Some(target) = ty.target_class() {
                    out["targetClassName"] = Json::String(target.to_owned());
                }
                out
            })
            .collect();
        Ok(json!({ "__typename": "Class", "name": name, "schemaFields": fields }))
    }
}

/// `_Role`'s fields (it keeps none that clients added here).
fn role_columns() -> Vec<(String, FieldType)> {
    [
        ("objectId", FieldType::String),
        ("createdAt", FieldType::Date),
        ("updatedAt", FieldType::Date),
        ("ACL", FieldType::Acl),
        ("name", FieldType::String),
        ("users", FieldType::Relation("_User".into())),
        ("roles", FieldType::Relation("_Role".into())),
    ]
    .into_iter()
    .map(|(n, t)| (n.to_owned(), t))
    .collect()
}

/// The `SchemaField` implementation that stands for a field type (`SCHEMA_FIELD`'s
/// `resolveType`).
fn schema_field_type(ty: &FieldType) -> &'static str {
    match ty {
        FieldType::String => "SchemaStringField",
        FieldType::Number => "SchemaNumberField",
        FieldType::Boolean => "SchemaBooleanField",
        FieldType::Date => "SchemaDateField",
        FieldType::Object => "SchemaObjectField",
        FieldType::Array => "SchemaArrayField",
        FieldType::GeoPoint => "SchemaGeoPointField",
        FieldType::File => "SchemaFileField",
        FieldType::Bytes => "SchemaBytesField",
        FieldType::Polygon => "SchemaPolygonField",
        FieldType::Acl => "SchemaACLField",
        FieldType::Pointer(_) => "SchemaPointerField",
        FieldType::Relation(_) => "SchemaRelationField",
    }
}
