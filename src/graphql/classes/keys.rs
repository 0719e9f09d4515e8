//! The `keys` an object query hands to Parse's REST layer, and what PostgreSQL says of them
//! before 5.0.
//!
//! Parse turns the selection (graphql-list-fields' leaf paths) into `keys` with
//! `extractKeysAndInclude`: `__typename` paths dropped, `id` read as `objectId`. Its REST
//! layer reads the first name of each key (and `objectId`, `createdAt`, `updatedAt`, `ACL`)
//! as a column, `ACL` as `_rperm`/`_wperm`, in that order; until 5.0 the PostgreSQL adapter
//! put every one of them in its `SELECT`, and PostgreSQL refuses the first that is no column
//! of the class's table: a relation, or a field of another type's fragment. Which selections
//! reach it that way is the version's [`GraphqlSelectedKeys`].

use crate::object::FieldType;
use crate::version::GraphqlSelectedKeys;

/// The keys of `paths` (the selection's leaf paths, already relative to the object): no
/// `__typename`, `id` as `objectId`, each once, in the selection's order.
fn keys<'a>(paths: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for path in paths.filter(|p| !p.contains("__typename")) {
        let key = if path == "id" {
            "objectId".to_owned()
        } else if let Some(parent) = path.strip_suffix(".id") {
            format!("{parent}.objectId")
        } else {
            path.to_owned()
        };
        if !out.contains(&key) {
            out.push(key);
        }
    }
    out
}

/// The keys `extractKeysAndInclude` makes of a selection, or `None` where it makes none:
/// nothing selected, or (4.4+, not 4.6) `authData` named anywhere, `keys.indexOf('authData')`
/// of the joined keys.
pub(super) fn passed_keys<'a>(
    rule: GraphqlSelectedKeys,
    paths: impl Iterator<Item = &'a str>,
) -> Option<Vec<String>> {
    let keys = keys(paths);
    let drops_auth_data = match rule {
        GraphqlSelectedKeys::Always => false,
        GraphqlSelectedKeys::UnlessUnknown(known) => known.auth_data_reads_all,
        GraphqlSelectedKeys::Filtered => true,
    };
    if keys.is_empty() || (drops_auth_data && keys.iter().any(|k| k.contains("authData"))) {
        return None;
    }
    Some(keys)
}

/// The column PostgreSQL refuses when the query with this selection runs, if any: `fields`
/// are the class's fields (its own and those clients added), `target` gives a pointed-to
/// class's fields.
pub(super) fn refused_column<'a>(
    rule: GraphqlSelectedKeys,
    paths: impl Iterator<Item = &'a str>,
    fields: &[(String, FieldType)],
    target: &dyn Fn(&str) -> Vec<(String, FieldType)>,
) -> Option<String> {
    let keys = passed_keys(rule, paths)?;
    match rule {
        GraphqlSelectedKeys::Filtered => return None,
        GraphqlSelectedKeys::Always => {}
        GraphqlSelectedKeys::UnlessUnknown(known) => {
            let field = |name: &str| fields.iter().find(|(n, _)| n == name).map(|(_, t)| t);
            let unknown = keys.iter().any(|key| {
                let mut parts = key.split('.');
                let first = parts.next().unwrap_or_default();
                let second = parts.next();
                match field(first) {
                    None => true,
                    Some(FieldType::Relation(_)) if known.relations => false,
                    Some(FieldType::Pointer(class)) => {
                        !second.is_some_and(|s| target(class).iter().any(|(n, _)| n == s))
                    }
                    Some(_) if second.is_none() => false,
                    Some(FieldType::Object | FieldType::Array) => !known.objects,
                    Some(_) => true,
                }
            });
            if unknown {
                return None;
            }
        }
    }
    keys.iter()
        .map(|key| key.split('.').next().unwrap_or_default())
        .find(|name| !is_column(fields, name))
        .map(str::to_owned)
}

/// Whether PostgreSQL's table of a class with these fields has a column `name` reads: `ACL`
/// (as `_rperm`/`_wperm`) and every field but a relation and `password` (which is
/// `_hashed_password`).
pub(super) fn is_column(fields: &[(String, FieldType)], name: &str) -> bool {
    name == "ACL"
        || fields
            .iter()
            .any(|(n, t)| n == name && n != "password" && !matches!(t, FieldType::Relation(_)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::version::KnownKeys;

    /// `_Role`, with an object field added to show how its subfields count.
    fn role() -> Vec<(String, FieldType)> {
        let mut fields = super::super::roots::role_columns();
        fields.push(("createdWith".to_owned(), FieldType::Object));
        fields
    }

    fn refused(rule: GraphqlSelectedKeys, paths: &[&str]) -> Option<String> {
        refused_column(rule, paths.iter().copied(), &role(), &|_| Vec::new())
    }

    const V4_0: GraphqlSelectedKeys = GraphqlSelectedKeys::UnlessUnknown(KnownKeys {
        objects: false,
        relations: false,
        auth_data_reads_all: false,
    });
    const V4_5: GraphqlSelectedKeys = GraphqlSelectedKeys::UnlessUnknown(KnownKeys {
        objects: true,
        relations: true,
        auth_data_reads_all: true,
    });

    // Recorded: graphql-diff 3.10.0 valid.getById.5, 4.5.2 valid.getById.22.
    #[test]
    fn a_relation_reaches_postgres_where_the_version_passes_it() {
        let paths = [
            "updatedAt",
            "ACL.__typename",
            "id",
            "users.count",
            "users.edges.cursor",
        ];
        let always = GraphqlSelectedKeys::Always;
        assert_eq!(refused(always, &paths).as_deref(), Some("users"));
        assert_eq!(refused(V4_5, &paths).as_deref(), Some("users"));
        // 4.0-4.4 read every column when a key is under a relation
        assert_eq!(refused(V4_0, &paths), None);
        assert_eq!(refused(GraphqlSelectedKeys::Filtered, &paths), None);
    }

    #[test]
    fn another_type_s_field_is_refused_only_when_keys_always_pass() {
        let paths = ["name", "username", "ACL.public.read"];
        assert_eq!(
            refused(GraphqlSelectedKeys::Always, &paths).as_deref(),
            Some("username")
        );
        assert_eq!(refused(V4_5, &paths), None);
    }

    #[test]
    fn auth_data_anywhere_passes_no_keys_where_the_version_says_so() {
        let paths = ["users.count", "authData"];
        assert_eq!(refused(V4_5, &paths), None);
        assert_eq!(
            refused(GraphqlSelectedKeys::Always, &paths).as_deref(),
            Some("users")
        );
    }

    #[test]
    fn object_subfields_are_known_from_4_4() {
        let paths = ["createdWith.action", "users.count"];
        assert_eq!(refused(V4_0, &paths), None);
        assert_eq!(refused(V4_5, &paths).as_deref(), Some("users"));
    }
}
