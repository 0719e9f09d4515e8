//! The roles a user holds, read from Parse's own tables: `_Role` (one row per role, by
//! `name`), `_Join:users:_Role` (a role's `users` relation: `owningId` the role, `relatedId`
//! the user) and `_Join:roles:_Role` (a role's `roles` relation: the roles whose users inherit
//! it). Parse resolves them as its `Auth` does: the roles whose `users` hold the user, then,
//! round after round, the roles whose `roles` hold one already found, until none is new;
//! only roles that still exist count, and a cycle ends the walk.
//!
//! Roles are written by the Parse Server behind `--upstream` (parse-compat serves no `_Role`
//! route), and Parse creates these tables with the first role, so each may be missing. Nothing
//! is cached: a role granted or taken away upstream counts from the next request.

use deadpool_postgres::GenericClient;
use serde_json::{Map, Value};

use crate::store::StoreError;
use crate::store::rules::{Caller, acl_names_roles};

/// Which of Parse's role tables exist.
async fn tables(client: &impl GenericClient) -> Result<(bool, bool), StoreError> {
    let row = client
        .query_one(
            r#"SELECT to_regclass('"_Role"') IS NOT NULL AND to_regclass('"_Join:users:_Role"') IS NOT NULL,
                      to_regclass('"_Join:roles:_Role"') IS NOT NULL"#,
            &[],
        )
        .await?;
    Ok((row.get(0), row.get(1)))
}

/// Every role `user_id` holds, as ACL keys (`role:<name>`), in no particular order.
pub(super) async fn roles_of(
    client: &impl GenericClient,
    user_id: &str,
) -> Result<Vec<String>, StoreError> {
    let (direct, inherited) = tables(client).await?;
    if !direct {
        return Ok(Vec::new());
    }
    let held = r#"SELECT r."objectId", r."name" FROM "_Role" r
                  JOIN "_Join:users:_Role" j ON j."owningId" = r."objectId"
                  WHERE j."relatedId" = $1"#;
    let sql = if inherited {
        format!(
            r#"WITH RECURSIVE held(id, name) AS (
                 {held}
                 UNION
                 SELECT r."objectId", r."name" FROM held h
                 JOIN "_Join:roles:_Role" j ON j."relatedId" = h.id
                 JOIN "_Role" r ON r."objectId" = j."owningId"
               )
               SELECT DISTINCT name FROM held WHERE name IS NOT NULL"#
        )
    } else {
        format!(r#"SELECT DISTINCT h.name FROM ({held}) h WHERE h.name IS NOT NULL"#)
    };
    let rows = client.query(&sql, &[&user_id]).await?;
    Ok(rows
        .iter()
        .map(|r| format!("role:{}", r.get::<_, String>(0)))
        .collect())
}

/// Whether `caller` may write an object with this ACL, reading their roles only when their
/// own and the public's grants do not suffice and the ACL grants a role.
pub(super) async fn may_write(
    client: &impl GenericClient,
    caller: &Caller,
    acl: &Map<String, Value>,
) -> Result<bool, StoreError> {
    if caller.may_write(acl) {
        return Ok(true);
    }
    let Caller::User(id) = caller else {
        return Ok(false);
    };
    if !acl_names_roles(acl, "write") {
        return Ok(false);
    }
    let roles = roles_of(client, id).await?;
    Ok(caller.may_write_as(acl, &roles))
}
