//! 3.7–3.8's object queries of any class, named by `className` (`get`, `find`, `delete`;
//! 3.7 keeps them under its `objects` namespace, 3.8 at the root), over Parse's REST layer as
//! `objectsQueries.getObject`/`findObjects` and `objectsMutations.deleteObject` call it: the
//! `where` is Parse's own JSON with the GraphQL names of its operators (`_eq`, `_or`...),
//! the answer Parse's REST JSON as it is.
//!
//! The database is the store: `_User` and `_Session` are read as the REST API reads them,
//! `_Role` is an empty table, and a class that is none of Parse's has no table, which
//! PostgreSQL's adapter answers with no objects. Parse's other system classes and geo
//! operators are not modelled (the operation answers that it needs `--upstream`).

use serde_json::{Map, Value as Json, json};

use super::{Failure, RootField};
use crate::error::ErrorCode;
use crate::graphql::context::Context;
use crate::graphql::schema::ApiError;
use crate::graphql::schema::Thrown;
use crate::query::Query;

/// The operators `transformQueryInputToParse` (3.7: `transformToParse`) renames, wherever
/// they stand in the `where`.
const OPERATORS: [(&str, &str); 39] = [
    ("_or", "$or"),
    ("_and", "$and"),
    ("_nor", "$nor"),
    ("_relatedTo", "$relatedTo"),
    ("_eq", "$eq"),
    ("_ne", "$ne"),
    ("_lt", "$lt"),
    ("_lte", "$lte"),
    ("_gt", "$gt"),
    ("_gte", "$gte"),
    ("_in", "$in"),
    ("_nin", "$nin"),
    ("_exists", "$exists"),
    ("_select", "$select"),
    ("_dontSelect", "$dontSelect"),
    ("_inQuery", "$inQuery"),
    ("_notInQuery", "$notInQuery"),
    ("_containedBy", "$containedBy"),
    ("_all", "$all"),
    ("_regex", "$regex"),
    ("_options", "$options"),
    ("_text", "$text"),
    ("_search", "$search"),
    ("_term", "$term"),
    ("_language", "$language"),
    ("_caseSensitive", "$caseSensitive"),
    ("_diacriticSensitive", "$diacriticSensitive"),
    ("_nearSphere", "$nearSphere"),
    ("_maxDistance", "$maxDistance"),
    ("_maxDistanceInRadians", "$maxDistanceInRadians"),
    ("_maxDistanceInMiles", "$maxDistanceInMiles"),
    ("_maxDistanceInKilometers", "$maxDistanceInKilometers"),
    ("_within", "$within"),
    ("_box", "$box"),
    ("_geoWithin", "$geoWithin"),
    ("_polygon", "$polygon"),
    ("_centerSphere", "$centerSphere"),
    ("_geoIntersects", "$geoIntersects"),
    ("_point", "$point"),
];

/// Operators whose value the transformer also reshapes (geo points): not modelled.
const RESHAPED: [&str; 5] = ["$point", "$nearSphere", "$box", "$polygon", "$centerSphere"];

/// The transformer's renaming, in place and at every depth: a renamed key moves to the end of
/// its object (`delete` then assignment), as JavaScript orders keys. `false` when an operator
/// it reshapes is met, or (3.8) a key-value pair it restructures.
fn rename_operators(value: &mut Json, pairs_restructured: bool) -> bool {
    match value {
        Json::Object(map) => {
            let keys: Vec<String> = map.keys().cloned().collect();
            for key in keys {
                let renamed = OPERATORS.iter().find(|(graphql, _)| *graphql == key);
                let Some(inner) = map.get_mut(&key) else {
                    continue;
                };
                let pair = pairs_restructured
                    && inner.get("_key").is_some_and(crate::js::truthy)
                    && inner.get("_value").is_some_and(crate::js::truthy);
                let reshaped = renamed.is_some_and(|(_, parse)| RESHAPED.contains(parse));
                if pair || reshaped || !rename_operators(inner, pairs_restructured) {
                    return false;
                }
                if let Some((_, parse)) = renamed
                    && let Some(inner) = map.shift_remove(&key)
                {
                    map.insert((*parse).to_owned(), inner);
                }
            }
            true
        }
        Json::Array(items) => items
            .iter_mut()
            .all(|item| rename_operators(item, pairs_restructured)),
        _ => true,
    }
}

/// Where a class's objects are: Parse's default classes in the store, or no table at all.
enum Table {
    Users,
    Sessions,
    /// `_Role`: a table without rows here.
    Roles,
    /// A class Parse's database has no table for.
    Missing,
}

impl Context {
    /// The table of `class`, where it is modelled.
    fn table(&self, class: &str) -> Result<Table, Failure> {
        Ok(match class {
            "_User" => Table::Users,
            "_Session" => Table::Sessions,
            "_Role" => Table::Roles,
            // Parse's other system classes have tables (and rules of their own).
            "" => {
                return Err(ApiError::internal_with("TypeError: Invalid sql name: \"\"").into());
            }
            c if c.starts_with('_') => return Err(Failure::Unmodelled),
            _ => Table::Missing,
        })
    }

    /// A generic `where` (the `Object` scalar's JSON) as the REST layer gets it.
    fn generic_where(&self, given: Option<&Json>) -> Result<Map<String, Json>, Failure> {
        let mut where_ = match given {
            None | Some(Json::Null) => return Ok(Map::new()),
            Some(w @ Json::Object(_)) => w.clone(),
            Some(_) => return Err(Failure::Unmodelled),
        };
        if self.behavior.graphql_null_in_where_fails && super::find::holds_null(&where_) {
            return Err(ApiError::internal().into());
        }
        let restructures = self.behavior.graphql_null_in_where_fails;
        if !rename_operators(&mut where_, restructures) {
            return Err(Failure::Unmodelled);
        }
        match where_ {
            Json::Object(m) => Ok(m),
            _ => Err(Failure::Unmodelled),
        }
    }

    /// `findObjects` of any class: the options it passes (the page's only when `results` is
    /// selected, a count when `count` is), Parse's REST answer as it is.
    pub(super) fn find_any(&self, field: &RootField<'_>) -> Result<Json, Failure> {
        let args = field.args;
        let class = args.get("className").and_then(Json::as_str).unwrap_or("");
        let table = self.table(class)?;
        let where_ = self.generic_where(args.get("where"))?;
        let top = |name: &str| {
            field
                .selected
                .iter()
                .any(|f| f.split('.').next() == Some(name))
        };
        let text = |name: &str| {
            args.get(name)
                .and_then(Json::as_str)
                .filter(|s| !s.is_empty())
        };
        let mut body = Map::new();
        body.insert("where".into(), Json::Object(where_));
        let mut negative = None;
        if top("results") {
            let limit = args.get("limit").and_then(Json::as_i64);
            let skip = args.get("skip").and_then(Json::as_i64).filter(|s| *s != 0);
            // A negative OFFSET or LIMIT fails when the page's query runs, after the rest.
            negative = super::find::negative_page(limit, skip);
            let readable = |n: Option<i64>| if negative.is_some() { Some(1) } else { n };
            body.insert("limit".into(), json!(readable(limit).unwrap_or(i64::MAX)));
            if limit != Some(0) {
                if let Some(order) = text("order") {
                    body.insert("order".into(), json!(order));
                }
                if let Some(skip) = skip.filter(|_| negative.is_none()) {
                    body.insert("skip".into(), json!(skip));
                }
                if let Some(keys) = text("keys") {
                    body.insert("keys".into(), json!(keys));
                }
                if args.get("includeAll") == Some(&Json::Bool(true)) {
                    body.insert("includeAll".into(), json!(true));
                } else if let Some(include) = text("include") {
                    body.insert("include".into(), json!(include));
                }
            }
        } else {
            body.insert("limit".into(), json!(0));
        }
        if top("count") {
            body.insert("count".into(), json!(1));
        }
        self.rest_query(class, &table, &body, negative)
    }

    /// `getObject` of any class: the REST layer's `get` (a find of that objectId, with the
    /// `keys` and `include` given), its one object without a user's session token.
    pub(super) fn get_any(&self, field: &RootField<'_>) -> Result<Json, Failure> {
        let args = field.args;
        let class = args.get("className").and_then(Json::as_str).unwrap_or("");
        let object_id = args.get("objectId").and_then(Json::as_str).unwrap_or("");
        let table = self.table(class)?;
        let mut body = Map::new();
        body.insert("where".into(), json!({ "objectId": object_id }));
        for name in ["keys", "include"] {
            if let Some(v) = args
                .get(name)
                .and_then(Json::as_str)
                .filter(|s| !s.is_empty())
            {
                body.insert(name.into(), json!(v));
            }
        }
        let answer = self.rest_query(class, &table, &body, None)?;
        let Some(Json::Object(mut object)) = answer
            .get("results")
            .and_then(Json::as_array)
            .and_then(|r| r.first())
            .cloned()
        else {
            return Err(ApiError::parse(ErrorCode::ObjectNotFound, "Object not found.").into());
        };
        if class == "_User" {
            object.shift_remove("sessionToken");
        }
        Ok(Json::Object(object))
    }

    /// `deleteObject` of any class (the REST delete, then `true`).
    pub(super) fn delete_any(&self, field: &RootField<'_>) -> Result<Json, Failure> {
        let class = field
            .args
            .get("className")
            .and_then(Json::as_str)
            .unwrap_or("");
        match self.table(class)? {
            Table::Users | Table::Sessions | Table::Roles => {
                let object_id = field
                    .args
                    .get("objectId")
                    .and_then(Json::as_str)
                    .unwrap_or("");
                self.delete_object(class, object_id)?;
                Ok(Json::Bool(true))
            }
            Table::Missing => Err(Failure::Unmodelled),
        }
    }

    /// Parse's REST find of `class` with these options, failing where PostgreSQL refuses
    /// its SQL: the page's query reads its keys, then its `where`, then its order, and runs
    /// into `negative` (a negative OFFSET or LIMIT, [`super::find::negative_page`]); a count
    /// reads the `where` only. A class without a table has nothing to refuse or find.
    fn rest_query(
        &self,
        class: &str,
        table: &Table,
        body: &Map<String, Json>,
        negative: Option<&'static str>,
    ) -> Result<Json, Failure> {
        let params = Map::new();
        let q = Query::from_params(body, &params, &self.behavior, self.auth.is_master)?;
        let fields = match table {
            Table::Missing => {
                // `includeAll` reads the class's schema first, which rejects with nothing;
                // Parse's error handler then fails on the missing error's `stack`.
                if q.include_all && q.limit != 0 {
                    return Err(ApiError::parse(
                        ErrorCode::InternalServerError,
                        "Cannot read properties of undefined (reading 'stack')",
                    )
                    .uncaught(Thrown::UncaughtValue)
                    .into());
                }
                q.check_buildable()?;
                let mut out = json!({ "results": [] });
                if q.count {
                    out["count"] = json!(0);
                }
                return Ok(out);
            }
            _ => self.fields_of(class)?.unwrap_or_default(),
        };
        let column = |name: &str| super::keys::is_column(&fields, name);
        let no_column = |c: &str| format!("column \"{c}\" does not exist");
        let adapter_where = self.adapter_where(class, &q.constraints);
        let where_refused = match crate::query::missing_column_in(&adapter_where, &|f| {
            f == "_rperm" || column(f)
        }) {
            Some(c) => Some(no_column(&c)),
            None => match super::find::refused_by_postgres(&adapter_where) {
                Some(r) if !r.exact && q.reads() => return Err(Failure::Unmodelled),
                other => other.map(|r| r.text),
            },
        };
        let page_refused = if q.limit == 0 {
            None
        } else {
            q.keys
                .iter()
                .flatten()
                .map(|k| k.split('.').next().unwrap_or_default())
                .find(|k| !column(k))
                .map(no_column)
                .or_else(|| where_refused.clone())
                .or_else(|| {
                    q.order
                        .iter()
                        .map(|(k, _)| k.as_str())
                        .find(|k| !k.contains('.') && !k.starts_with('$') && !column(k))
                        .map(no_column)
                })
        };
        let refusal = || -> Result<(), Failure> {
            if let Some(refusal) = &page_refused {
                return Err(ApiError::parse(
                    ErrorCode::InternalServerError,
                    format!("error: {refusal}"),
                )
                .into());
            }
            if let Some(negative) = negative {
                return Err(ApiError::parse(
                    ErrorCode::InternalServerError,
                    format!("error: {negative}"),
                )
                .into());
            }
            if q.count && where_refused.is_some() {
                return Err(ApiError::internal().into());
            }
            Ok(())
        };
        let rest = self.rest();
        let answer = match table {
            Table::Users => self.wait(crate::rest::find::users(&rest, body, &params))?,
            Table::Sessions => self.wait(crate::rest::find::sessions(&rest, body, &params))?,
            Table::Roles => self.wait(crate::rest::find::roles(&rest, body, &params))?,
            Table::Missing => q.check_buildable().map(|()| {
                let mut out = json!({ "results": [] });
                if q.count {
                    out["count"] = json!(0);
                }
                (200, out)
            }),
        };
        match answer {
            Ok((_, answer)) => {
                refusal()?;
                Ok(answer)
            }
            // The REST find's own answer to the SQL PostgreSQL refuses (its 500 of a missing
            // column), which GraphQL words as PostgreSQL does.
            Err(e)
                if (page_refused.is_some() || where_refused.is_some()) && is_database_error(&e) =>
            {
                refusal()?;
                Err(ApiError::from(e).into())
            }
            Err(e) => Err(ApiError::from(e).into()),
        }
    }
}

/// The REST find's answers to a query PostgreSQL refused.
fn is_database_error(e: &crate::error::ParseError) -> bool {
    let database = crate::error::ParseError::database();
    let internal = crate::error::ParseError::internal();
    (e.code == database.code && e.message == database.message)
        || (e.code == internal.code && e.message == internal.message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_are_renamed_at_every_depth_and_move_last() {
        let mut w = json!({
            "username": {"_eq": "a", "x": 1},
            "_or": [{"email": {"_exists": true}}],
            "plain": 2,
        });
        assert!(rename_operators(&mut w, false));
        assert_eq!(
            w.to_string(),
            r#"{"username":{"x":1,"$eq":"a"},"plain":2,"$or":[{"email":{"$exists":true}}]}"#
        );
        let mut geo = json!({"location": {"_nearSphere": {"latitude": 1, "longitude": 2}}});
        assert!(!rename_operators(&mut geo, false));
        // 3.8 restructures a key-value pair; 3.7 leaves it as it is
        let mut pair = json!({"o": {"_lt": {"_key": "k", "_value": 1}}});
        assert!(!rename_operators(&mut pair.clone(), true));
        assert!(rename_operators(&mut pair, false));
    }
}
