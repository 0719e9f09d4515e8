//! The data of each class-API root field, as the pinned Parse's resolver gives it for the
//! caller (`schemaQueries` and `configQueries` of Parse's GraphQL loaders).

use std::cell::RefCell;

use serde_json::{Value as Json, json};

use serde_json::Map;

use super::find::object_id_of;
use super::{Failure, Resolve, RootField};
use crate::error::{ErrorCode, ParseError};
use crate::graphql::context::Context;
use crate::graphql::schema::ApiError;
use crate::graphql::schema::acl::{Acl, global_id};
use crate::object::FieldType;
use crate::rest::RestContext;
use crate::version::{ApiGeneration, GraphqlSelectedKeys, RelayBase64};

/// A class's fields and their types, in Parse's order.
type Fields = Vec<(String, FieldType)>;

impl Resolve for Context {
    fn root(&self, field: &RootField<'_>) -> Result<Json, Failure> {
        // `id:` from 3.9, `objectId:` before.
        let id = || {
            field
                .args
                .get("id")
                .or_else(|| field.args.get("objectId"))
                .and_then(Json::as_str)
                .unwrap_or("")
        };
        match field.name {
            // `user(id:)`, `session(id:)`, `role(id:)`: a global id of the class, or an
            // objectId.
            "user" | "session" | "role" => {
                let class = match field.name {
                    "user" => "_User",
                    "session" => "_Session",
                    _ => "_Role",
                };
                let object_id = if self.behavior.graphql_relay_objects {
                    object_id_of(id(), class, self.behavior.graphql_relay_base64)
                } else {
                    id().to_owned()
                };
                self.get(class, &object_id, field.selected)
            }
            // 3.7's `objects` namespace: `get_User(objectId:)`, `find_User(where: ...)` and
            // `delete_User(objectId:)` of each default class, as 3.8's `user`, `users` and
            // 3.9's delete answer them (a delete answers `true`).
            "get_User" | "get_Session" | "get_Role" => {
                let class = &field.name[3..];
                self.get(class, id(), field.selected)
            }
            "find_User" | "find_Session" | "find_Role" => {
                self.find_results(&field.name[4..], field)
            }
            "delete_User" | "delete_Session" | "delete_Role" => {
                self.delete_object(&field.name[6..], id())?;
                Ok(Json::Bool(true))
            }
            // Cloud Code (3.7's `functions { call }`, 3.8's `callCloudCode`; later schemas
            // have a call only once a function is defined): without `--upstream` this is a
            // Parse Server without Cloud Code, which knows no function (with it, such
            // operations are the upstream's).
            "call" | "callCloudCode" => {
                let name = field
                    .args
                    .get("functionName")
                    .and_then(Json::as_str)
                    .unwrap_or("");
                Err(ApiError::parse(
                    ErrorCode::ScriptFailed,
                    format!("Invalid function: \"{name}\""),
                )
                .into())
            }
            // 3.7–3.8's queries of any class.
            "get" => self.get_any(field),
            "find" => self.find_any(field),
            "delete" => self.delete_any(field),
            "deleteUser" => self.delete("_User", field),
            "deleteSession" => self.delete("_Session", field),
            "deleteRole" => self.delete("_Role", field),
            "users" | "sessions" | "roles" => {
                let class = match field.name {
                    "users" => "_User",
                    "sessions" => "_Session",
                    _ => "_Role",
                };
                if self.behavior.graphql_relay_objects {
                    self.find(class, field)
                } else {
                    self.find_results(class, field)
                }
            }
            // The relay `node(id:)`: a global id names the class.
            "node" => {
                let (ty, object_id) = from_global_id(id(), self.behavior.graphql_relay_base64);
                match ty.as_str() {
                    "_User" | "_Session" | "_Role" => self.get(&ty, &object_id, field.selected),
                    other => self.unknown_class(other),
                }
            }
            "health" | "class" | "classes" | "cloudConfig" => Ok(self.schema_query(field)?),
            // 3.7–3.8's create and update mutations.
            _ => Err(Failure::Unmodelled),
        }
    }
}

impl Context {
    fn schema_query(&self, field: &RootField<'_>) -> Result<Json, ApiError> {
        match field.name {
            "health" => Ok(Json::Bool(true)),
            "class" => {
                self.master_required()?;
                // `loadSchema({ clearCache: true })`: fresh objects in Parse's schema cache.
                self.store.class_reads().reloaded();
                let name = field.args.get("name").and_then(Json::as_str).unwrap_or("");
                self.class(name)
            }
            "classes" => {
                self.master_required()?;
                self.store.class_reads().reloaded();
                Ok(Json::Array(
                    CLASSES
                        .iter()
                        .map(|name| self.class(name))
                        .collect::<Result<_, _>>()?,
                ))
            }
            // Master key only (8.x+, the versions that have it). Parse Config is not kept
            // here: every parameter is unset, as on a database whose config was never written.
            "cloudConfig" => {
                self.master_required()?;
                Ok(json!({ "value": null, "isMasterKeyOnly": null }))
            }
            other => Err(ApiError::parse(
                ErrorCode::InternalServerError,
                format!("no resolver for {other}"),
            )),
        }
    }

    /// `getObject` of a class the database does not have: what the `node` of an id that is
    /// no global id of a default class meets (an objectId passed as it is decodes to the
    /// empty class name). Without the master key 7.0+ refuse the class; otherwise
    /// PostgreSQL's client refuses the empty name. A named class is not modelled.
    fn unknown_class(&self, class: &str) -> Result<Json, Failure> {
        let sanitized = self.behavior.sanitized_permission_errors;
        if self.behavior.client_class_creation_refused && !self.auth.is_master {
            let message = if sanitized {
                "Permission denied".to_owned()
            } else {
                format!("This user is not allowed to access non-existent class: {class}")
            };
            return Err(ApiError::parse(ErrorCode::OperationForbidden, message).into());
        }
        // Parse's database layer looks the class up in its schema cache, misses, and loads
        // every class afresh from the database.
        self.store.class_reads().reloaded();
        // Recorded for the empty name on 5.x-6.x, 7.x's master key and 8.x-9.x's master key,
        // whose internal errors are sanitized.
        if class.is_empty() {
            let message = if sanitized {
                "An internal server error occurred"
            } else {
                "TypeError: Invalid sql name: \"\""
            };
            return Err(ApiError::internal_with(message).into());
        }
        Err(Failure::Unmodelled)
    }

    /// The caller as Parse's REST layer sees it.
    pub(super) fn rest(&self) -> RestContext<'_> {
        RestContext {
            state: &self.state,
            auth: self.auth.clone(),
        }
    }

    /// A `_User` as the caller may read it (`GET /classes/_User/<id>`).
    fn rest_user(&self, object_id: &str) -> Result<Map<String, Json>, ApiError> {
        let rest = self.rest();
        let (_, user) = self
            .wait(crate::rest::get_user::handle(&rest, object_id))?
            .map_err(ApiError::from)?;
        let Json::Object(mut user) = user else {
            return Err(ApiError::internal());
        };
        // `getObject` deletes the token a user reading itself gets.
        user.shift_remove("sessionToken");
        Ok(user)
    }

    /// Parse's `getObject` of a default class, as its GraphQL output type sees it.
    fn object(&self, class: &str, object_id: &str) -> Result<Json, Failure> {
        let not_found = || ParseError::new(ErrorCode::ObjectNotFound, "Object not found.");
        let object = match class {
            "_User" => self.rest_user(object_id)?,
            "_Session" => {
                let rest = self.rest();
                let (_, session) = self
                    .wait(crate::rest::sessions::get(&rest, object_id))?
                    .map_err(ApiError::from)?;
                let Json::Object(session) = session else {
                    return Err(not_found().into());
                };
                session
            }
            // No role is kept here: `_Role` is empty, as on a database without roles (which
            // Parse reads, as the caller).
            _ => {
                self.rest().reads(crate::store::class_reads::ROLE);
                return Err(not_found().into());
            }
        };
        self.node(class, object)
    }

    /// A REST object of `class` as its GraphQL type resolves it. A session's `user` is
    /// included (any selection under it includes it: `extractKeysAndInclude`), read as the
    /// caller may; unreadable, it stays a pointer.
    pub(super) fn node(&self, class: &str, mut object: Map<String, Json>) -> Result<Json, Failure> {
        if class == "_Session" {
            let owner = object
                .get("user")
                .and_then(|u| u.get("objectId"))
                .and_then(Json::as_str)
                .map(str::to_owned);
            if let Some(owner) = owner {
                match self.rest_user(&owner) {
                    Ok(user) => {
                        object.insert("user".into(), self.output("_User", user));
                    }
                    Err(e) if e.code == ErrorCode::ObjectNotFound => {}
                    Err(e) => return Err(e.into()),
                }
            }
        }
        Ok(self.output(class, object))
    }

    /// A REST object as the class's GraphQL output type resolves it: its relay `id`, its
    /// type name, and its ACL (`*` readable and writable when it has none).
    fn output(&self, class: &str, mut object: Map<String, Json>) -> Json {
        let object_id = object
            .get("objectId")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_owned();
        // Before Relay: `id` is the objectId, `ACL` Parse's JSON as it is.
        if !self.behavior.graphql_relay_objects {
            object.insert("id".into(), Json::String(object_id));
            object.insert(
                "__typename".into(),
                Json::String(self.type_name(class).to_owned()),
            );
            return Json::Object(object);
        }
        let acl = match object.get("ACL") {
            Some(Json::Object(acl)) => acl.clone(),
            _ => serde_json::from_value(json!({"*": {"read": true, "write": true}}))
                .unwrap_or_default(),
        };
        object.insert(
            "ACL".into(),
            Acl::from_parse(&acl, &self.behavior).to_json(),
        );
        object.insert("id".into(), Json::String(global_id(class, &object_id)));
        object.insert(
            "__typename".into(),
            Json::String(self.type_name(class).to_owned()),
        );
        Json::Object(object)
    }
}

impl Context {
    /// The GraphQL output type of a default class: 3.7's `_UserClass`, `User` from 3.8.
    fn type_name(&self, class: &str) -> &'static str {
        let v3_7 = matches!(self.behavior.generation, ApiGeneration::V3_7);
        match class {
            "_User" if v3_7 => "_UserClass",
            "_Session" if v3_7 => "_SessionClass",
            "_Role" if v3_7 => "_RoleClass",
            "_User" => "User",
            "_Session" => "Session",
            _ => "Role",
        }
    }
}

/// graphql-relay's `fromGlobalId`: the text before the first `:` of the base64-decoded id,
/// and the text after it (no `:`: an empty type, and the whole text).
fn from_global_id(id: &str, mode: RelayBase64) -> (String, String) {
    let decoded = super::find::unbase64(id, mode);
    match decoded.split_once(':') {
        Some((ty, rest)) => (ty.to_owned(), rest.to_owned()),
        None => (String::new(), decoded),
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
        let Some(columns) = self.fields_of(name)? else {
            return Err(ApiError::parse(
                ErrorCode::InvalidClassName,
                format!("Class {name} does not exist."),
            ));
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

impl Context {
    /// The fields of a default class, its own and those clients added, as Parse's schema
    /// lists them; `None` for any other class.
    pub(super) fn fields_of(&self, class: &str) -> Result<Option<Fields>, ApiError> {
        Ok(match class {
            "_User" | "_Session" => {
                let class = if class == "_User" {
                    "_User"
                } else {
                    "_Session"
                };
                let fields = self.block_on(self.store.class_fields(class))?;
                Some(crate::object::class_columns(class, &fields, &self.behavior))
            }
            "_Role" => Some(role_columns()),
            _ => None,
        })
    }

    /// What PostgreSQL answers before 5.0 when the query of `class` reads the keys of this
    /// selection (`paths`, relative to the object) and one is no column: see [`super::keys`].
    pub(super) fn refused_keys<'a>(
        &self,
        class: &str,
        paths: impl Iterator<Item = &'a str>,
    ) -> Result<(), Failure> {
        // From 5.0 the adapter drops what is no column: nothing to read the schema for.
        if self.behavior.graphql_selected_keys == GraphqlSelectedKeys::Filtered {
            return Ok(());
        }
        let Some(fields) = self.fields_of(class)? else {
            return Ok(());
        };
        // A pointer's class is read once per query, however many of its keys are selected.
        let targets: RefCell<Vec<(String, Fields)>> = RefCell::new(Vec::new());
        let target = |name: &str| {
            if let Some((_, fields)) = targets.borrow().iter().find(|(n, _)| n == name) {
                return fields.clone();
            }
            let fields = self.fields_of(name).ok().flatten().unwrap_or_default();
            targets.borrow_mut().push((name.to_owned(), fields.clone()));
            fields
        };
        match super::keys::refused_column(
            self.behavior.graphql_selected_keys,
            paths,
            &fields,
            &target,
        ) {
            Some(column) => Err(no_such_column(&column)),
            None => Ok(()),
        }
    }

    /// What PostgreSQL answers before 4.0 when a session's user is included (a session was
    /// found, and something beyond its user's objectId is selected under `user`): the
    /// include's query of `_User` reads those keys (`paths`, relative to the session) and
    /// refuses the first that is no column.
    pub(super) fn refused_included_keys<'a>(
        &self,
        class: &str,
        paths: impl Iterator<Item = &'a str>,
        found: bool,
    ) -> Result<(), Failure> {
        if class != "_Session"
            || !found
            || self.behavior.graphql_selected_keys != GraphqlSelectedKeys::Always
        {
            return Ok(());
        }
        let under: Vec<&str> = paths
            .filter_map(|p| p.strip_prefix("user."))
            .filter(|p| !p.contains("__typename"))
            .map(|p| p.split('.').next().unwrap_or_default())
            .map(|p| if p == "id" { "objectId" } else { p })
            .collect();
        if under.iter().all(|p| *p == "objectId") {
            return Ok(());
        }
        let fields = self.fields_of("_User")?.unwrap_or_default();
        match under
            .into_iter()
            .find(|name| !super::keys::is_column(&fields, name))
        {
            Some(name) => Err(no_such_column(name)),
            None => Ok(()),
        }
    }

    /// A delete mutation (`deleteUser(input: {id, clientMutationId})`, 3.10+): the object is
    /// read first when the payload selects anything of it beyond its id (`getObject`, with its
    /// errors), then deleted as the REST API deletes it; the payload is `{objectId: id}` or
    /// what was read.
    fn delete(&self, class: &str, field: &RootField<'_>) -> Result<Json, Failure> {
        if !self.behavior.graphql_relay_objects {
            return self.delete_by_object_id(class, field);
        }
        let input = field.args.get("input").and_then(Json::as_object);
        let raw = input
            .and_then(|i| i.get("id"))
            .and_then(Json::as_str)
            .unwrap_or("");
        let object_id = object_id_of(raw, class, self.behavior.graphql_relay_base64);
        let name = match class {
            "_User" => "user",
            "_Session" => "session",
            _ => "role",
        };
        let prefix = format!("{name}.");
        let selected: Vec<String> = field
            .selected
            .iter()
            .filter_map(|f| f.strip_prefix(prefix.as_str()))
            .map(str::to_owned)
            .collect();
        let keys = super::keys::passed_keys(
            self.behavior.graphql_selected_keys,
            selected.iter().map(String::as_str),
        );
        let read = match keys {
            Some(keys) if keys.iter().any(|k| k != "objectId") => {
                Some(self.get(class, &object_id, &selected)?)
            }
            _ => None,
        };
        self.delete_object(class, &object_id)?;
        let object = match read {
            Some(object) => object,
            None => {
                let mut only_id = Map::new();
                only_id.insert("objectId".into(), Json::String(object_id));
                self.output(class, only_id)
            }
        };
        let mut payload = Map::new();
        payload.insert(
            "clientMutationId".into(),
            input
                .and_then(|i| i.get("clientMutationId"))
                .cloned()
                .unwrap_or(Json::Null),
        );
        payload.insert(name.into(), object);
        Ok(Json::Object(payload))
    }

    /// `deleteObject`: the REST API's delete of a user or session, with its rights.
    pub(super) fn delete_object(&self, class: &str, object_id: &str) -> Result<(), Failure> {
        let rest = self.rest();
        match class {
            "_User" => {
                self.wait(crate::rest::update_user::delete(&rest, object_id))?
                    .map_err(ApiError::from)?;
            }
            "_Session" => {
                self.wait(crate::rest::sessions::delete(&rest, object_id))?
                    .map_err(ApiError::from)?;
            }
            // No role is kept here: the database deletes nothing.
            _ => {
                return Err(ParseError::new(ErrorCode::ObjectNotFound, "Object not found.").into());
            }
        }
        Ok(())
    }

    /// 3.9's delete mutation (`deleteUser(id:)`), which answers the deleted object itself,
    /// read first: Parse skips the read when the only key is `id`, which never happens, as
    /// `extractKeysAndInclude` has renamed it `objectId`; with nothing but `__typename`
    /// selected there are no keys, and `keys.split` throws a TypeError.
    fn delete_by_object_id(&self, class: &str, field: &RootField<'_>) -> Result<Json, Failure> {
        let object_id = field
            .args
            .get("id")
            .and_then(Json::as_str)
            .unwrap_or("")
            .to_owned();
        let keys = super::keys::passed_keys(
            self.behavior.graphql_selected_keys,
            field.selected.iter().map(String::as_str),
        );
        if keys.is_none() {
            return Err(ApiError::internal().into());
        }
        let read = self.get(class, &object_id, field.selected)?;
        self.delete_object(class, &object_id)?;
        Ok(read)
    }

    /// `getObject`: the object, unless its query's keys are refused first (the query runs
    /// before Parse knows whether the object exists).
    fn get(&self, class: &str, object_id: &str, selected: &[String]) -> Result<Json, Failure> {
        let object = self.object(class, object_id);
        match &object {
            Err(Failure::Parse(e)) if e.code != ErrorCode::ObjectNotFound => object,
            _ => {
                self.refused_keys(class, selected.iter().map(String::as_str))?;
                self.refused_included_keys(
                    class,
                    selected.iter().map(String::as_str),
                    object.is_ok(),
                )?;
                object
            }
        }
    }
}

/// PostgreSQL's refusal of a column the table does not have, as Parse passes it on.
pub(super) fn no_such_column(column: &str) -> Failure {
    ApiError::parse(
        ErrorCode::InternalServerError,
        format!("error: column \"{column}\" does not exist"),
    )
    .into()
}

/// `_Role`'s fields (it keeps none that clients added here).
pub(super) fn role_columns() -> Vec<(String, FieldType)> {
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
