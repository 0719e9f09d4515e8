//! Queries on `_User` and `_Session` (`GET /users`, `GET /classes/_User`, `GET /sessions`,
//! `GET /classes/_Session`): Parse's `where`, `order`, `keys`, `skip`, `limit` and `count`,
//! over what the caller may read.

use crate::store::class_reads::{ROLE, SESSION, USER};
use serde_json::{Map, Value, json};

use super::update_user::caller;
use super::{RestContext, RestResult, render};
use crate::error::{ErrorCode, ParseError};
use crate::query::{self, Query};
use crate::store::{Caller, Reader, StoreError, UserScan};
use crate::version::Behavior;

/// Collect the objects a scan yields that match `q`: all of them when they must be counted
/// or sorted, else only as many as the page needs.
fn collect<T>(
    rows: &mut dyn Iterator<Item = Result<T, StoreError>>,
    q: &Query,
    render: impl Fn(&T) -> Map<String, Value>,
) -> Result<(Vec<Map<String, Value>>, usize), StoreError> {
    let wanted = if q.count || !q.order.is_empty() {
        usize::MAX
    } else {
        q.skip.saturating_add(q.limit)
    };
    let mut found = Vec::new();
    let mut total = 0;
    if q.nothing {
        return Ok((found, total));
    }
    for row in rows {
        let row = row?;
        let object = render(&row);
        if query::matches(&object, &q.constraints)? {
            total += 1;
            if found.len() < wanted {
                found.push(object);
            }
            if found.len() >= wanted && !q.count {
                break;
            }
        }
    }
    Ok((found, total))
}

/// Sort what a query found and keep its page (`skip`, `limit`).
fn page(q: &Query, mut found: Vec<Map<String, Value>>) -> Vec<Map<String, Value>> {
    q.sort(&mut found);
    found.into_iter().skip(q.skip).take(q.limit).collect()
}

/// A page of objects, each hidden from the caller as `hide` says and projected, into Parse's
/// `{"results": [...]}`.
fn answer(
    q: &Query,
    page: Vec<Map<String, Value>>,
    total: Value,
    hide: impl Fn(&mut Map<String, Value>),
) -> Value {
    let results: Vec<Value> = page
        .into_iter()
        .map(|mut o| {
            hide(&mut o);
            Value::Object(q.project(o))
        })
        .collect();
    let mut out = Map::new();
    out.insert("results".into(), Value::Array(results));
    if q.count {
        out.insert("count".into(), total);
    }
    Value::Object(out)
}

/// Whether Parse answers this query's count from PostgreSQL's estimate of the table's rows
/// rather than by counting: when nothing narrows it, which the master key's queries without
/// a `where` are (anyone else's carry their ACL or owner).
fn estimated(q: &Query, master: bool) -> bool {
    master && q.count && !q.nothing && q.constraints.is_empty()
}

/// The count Parse answers: `counted`, or for an estimated query ([`estimated`]) what its
/// PostgreSQL adapter answers, the planner's `reltuples` read back by JavaScript (from 5.0
/// the -1 of a table never analysed is 0).
async fn count_answer(
    ctx: &RestContext<'_>,
    class: &str,
    estimate: bool,
    counted: usize,
) -> Result<Value, ParseError> {
    if !estimate {
        return Ok(json!(counted));
    }
    let estimate = f64::from(ctx.state.store.estimated_rows(class).await?);
    Ok(
        if estimate == -1.0 && ctx.state.config.behavior.unanalysed_count_estimate_is_zero {
            json!(0)
        } else if estimate.fract() == 0.0 && estimate.abs() < 9.0e15 {
            #[allow(
                clippy::cast_possible_truncation,
                reason = "integral and within i64: JavaScript prints it without a fraction"
            )]
            let whole = estimate as i64;
            json!(whole)
        } else {
            json!(estimate)
        },
    )
}

/// What Parse never shows to someone other than the user and the master key: the protected
/// fields (`protectedFields`, email by default) and `authData`.
pub fn hide_protected(object: &mut Map<String, Value>, hidden: &[String]) {
    for field in hidden {
        object.shift_remove(field.as_str());
    }
    object.shift_remove("authData");
}

/// The protected fields of other users, for this caller, who holds `roles`.
pub fn hidden_fields(ctx: &RestContext<'_>, roles: &[String]) -> Vec<String> {
    ctx.state
        .config
        .protected_user_fields
        .hidden_from(caller_id(ctx), roles)
}

/// Up to 5.x, what the master key reads of users: their internal columns too, added to these
/// rendered users (one query for all of them).
pub async fn add_internals(
    ctx: &RestContext<'_>,
    users: &mut [Map<String, Value>],
) -> Result<(), StoreError> {
    if !ctx.state.config.behavior.email.master_sees_internal_fields {
        return Ok(());
    }
    let id_of =
        |o: &Map<String, Value>| o.get("objectId").and_then(Value::as_str).map(str::to_owned);
    let ids = users.iter().filter_map(id_of).collect();
    let internals = ctx.state.store.user_internals(ids).await?;
    for user in users {
        if let Some(i) = id_of(user).and_then(|id| internals.get(&id)) {
            render::add_internals(user, i);
        }
    }
    Ok(())
}

/// What PostgreSQL makes of a `where` naming a column `class` does not have, once the query
/// runs: from 9.7 nothing matches; before, the page's query fails (Parse passes PostgreSQL's
/// error on, answered in 8.x's words as every database error here) and a count alone fails
/// uncaught.
async fn missing_columns(
    ctx: &RestContext<'_>,
    class: &'static str,
    mut q: Query,
) -> Result<Query, ParseError> {
    let behavior = ctx.state.config.behavior;
    // The class's own columns answer most queries (every GraphQL one) without reading the
    // fields clients added from the store.
    let own = crate::object::own_columns(class, &behavior);
    let own_column = |field: &str| own.iter().any(|(name, _)| *name == field);
    if !q.reads() || q.missing_column(&own_column).is_none() {
        return Ok(q);
    }
    let added = ctx.state.store.class_fields(class).await?;
    let known = |field: &str| own_column(field) || added.get(field).is_some();
    if q.missing_column(&known).is_none() {
        return Ok(q);
    }
    if behavior.missing_column_matches_nothing {
        q.nothing = true;
        return Ok(q);
    }
    Err(if q.limit != 0 {
        ParseError::database()
    } else {
        ParseError::internal()
    })
}

/// The signed-in caller's objectId.
pub fn caller_id<'a>(ctx: &'a RestContext<'_>) -> Option<&'a str> {
    ctx.auth.session.as_ref().map(|s| s.user.object_id.as_str())
}

/// `GET /users`: every user whose ACL lets the caller read them (all, for the master key);
/// another user's email is never shown.
pub async fn users(
    ctx: &RestContext<'_>,
    body: &Map<String, Value>,
    params: &Map<String, Value>,
) -> RestResult {
    let behavior: Behavior = ctx.state.config.behavior;
    let q = Query::from_params(body, params, &behavior, ctx.auth.is_master)?;
    ctx.reads(USER);
    let who = caller(ctx);
    // Parse reads a signed-in caller's roles for every query: its ACL group and its
    // protected fields both depend on them.
    let roles = match &who {
        Caller::User(id) => ctx.state.store.user_roles(id).await?,
        _ => Vec::new(),
    };
    let hidden = hidden_fields(ctx, &roles);
    let protected = who != Caller::Master && behavior.email_query_protected;
    if protected
        && let Some(field) = hidden.iter().find(|f| {
            if behavior.protected_fields_checked_in_subqueries {
                q.mentions(f)
            } else {
                q.constraints.get(f.as_str()).is_some_and(crate::js::truthy)
            }
        })
    {
        return Err(ParseError::new(
            ErrorCode::OperationForbidden,
            behavior.permission_message(format!(
                "This user is not allowed to query {field} on class _User"
            )),
        ));
    }
    // Then its sort keys (by name, or by the object a dotted key starts in).
    if protected
        && behavior.protected_fields_checked_in_sorts
        && let Some((key, _)) = q.order.iter().find(|(key, _)| {
            let root = key.split('.').next().unwrap_or(key);
            hidden.iter().any(|f| f == key || f == root)
        })
    {
        return Err(ParseError::new(
            ErrorCode::OperationForbidden,
            behavior.permission_message(format!(
                "This user is not allowed to sort by {key} on class _User"
            )),
        ));
    }
    q.check_buildable()?;
    let q = missing_columns(ctx, "_User", q).await?;
    let scan = UserScan {
        object_id: q.equals_text("objectId"),
        username: q.equals_text("username"),
        email: q.equals_text("email"),
        readable_by: match &who {
            Caller::Master => Reader::Master,
            Caller::User(id) => Reader::User {
                id: id.clone(),
                roles,
            },
            Caller::Nobody => Reader::Public,
        },
    };
    let estimate = estimated(&q, who == Caller::Master);
    let mut q2 = q.clone();
    // An estimated count needs no row counted.
    q2.count &= !estimate;
    let files_url = ctx.state.config.files_url();
    let (found, total) = ctx
        .state
        .store
        .scan_users(scan, move |rows| {
            collect(rows, &q2, |u| render::user(u, &files_url))
        })
        .await?;
    let mut found = page(&q, found);
    if who == Caller::Master {
        add_internals(ctx, &mut found).await?;
    }
    // 3.7's quirk: with any `where`, even the caller's own email is hidden.
    let hide_own = !behavior.own_email_in_where_queries && !q.constraints.is_empty();
    let total = count_answer(ctx, "_User", estimate, total).await?;
    let out = answer(&q, found, total, |object| {
        let own = match &who {
            Caller::Master => return,
            Caller::User(id) => object.get("objectId").and_then(Value::as_str) == Some(id),
            Caller::Nobody => false,
        };
        if !own || hide_own {
            hide_protected(object, &hidden);
        }
    });
    Ok((200, out))
}

/// `GET /sessions`: the caller's sessions (anyone's, for the master key).
pub async fn sessions(
    ctx: &RestContext<'_>,
    body: &Map<String, Value>,
    params: &Map<String, Value>,
) -> RestResult {
    let owner = super::sessions::reader(ctx)?;
    let master = owner.is_none();
    let q = Query::from_params(body, params, &ctx.state.config.behavior, ctx.auth.is_master)?;
    q.check_buildable()?;
    ctx.reads(SESSION);
    let q = missing_columns(ctx, "_Session", q).await?;
    let user = owner.or_else(|| q.equals_pointer("user"));
    let behavior = ctx.state.config.behavior;
    let estimate = estimated(&q, master);
    let mut q2 = q.clone();
    q2.count &= !estimate;
    let (found, total) = ctx
        .state
        .store
        .scan_sessions(user, q.equals_text("objectId"), move |rows| {
            collect(rows, &q2, |(s, token)| {
                render::session(s, token.as_deref(), &behavior)
            })
        })
        .await?;
    let mut found = page(&q, found);
    if q.includes("user") {
        include_users(ctx, q.keys_under("user"), &mut found).await?;
    }
    let total = count_answer(ctx, "_Session", estimate, total).await?;
    Ok((200, answer(&q, found, total, |_| {})))
}

/// A query of `_Role`, which no role is kept here for: checked as Parse checks it, it finds
/// none, and counts as Parse's count of the table does (its estimate, with the master key and
/// no `where`).
pub async fn roles(
    ctx: &RestContext<'_>,
    body: &Map<String, Value>,
    params: &Map<String, Value>,
) -> RestResult {
    let q = Query::from_params(body, params, &ctx.state.config.behavior, ctx.auth.is_master)?;
    q.check_buildable()?;
    ctx.reads(ROLE);
    let total = count_answer(ctx, "_Role", estimated(&q, ctx.auth.is_master), 0).await?;
    Ok((200, answer(&q, Vec::new(), total, |_| {})))
}

/// `include=user`: each session's user pointer replaced by the user, as a find of those users
/// by the same caller answers them (its rights, hidden fields, and the keys asked under
/// `user.`), marked `"__type": "Object"`; a user the caller cannot read stays a pointer.
pub(super) async fn include_users(
    ctx: &RestContext<'_>,
    user_keys: Option<Vec<String>>,
    sessions: &mut [Map<String, Value>],
) -> Result<(), ParseError> {
    let pointed = |s: &Map<String, Value>| {
        s.get("user")
            .filter(|u| u.get("__type").and_then(Value::as_str) == Some("Pointer"))
            .and_then(|u| u.get("objectId"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let mut ids: Vec<String> = sessions.iter().filter_map(pointed).collect();
    ids.sort();
    ids.dedup();
    if ids.is_empty() {
        return Ok(());
    }
    let mut body = Map::new();
    body.insert(
        "where".into(),
        serde_json::json!({ "objectId": { "$in": ids } }),
    );
    body.insert("limit".into(), Value::from(ids.len()));
    if let Some(keys) = user_keys {
        body.insert("keys".into(), Value::String(keys.join(",")));
    }
    let (_, found) = users(ctx, &body, &Map::new()).await?;
    let users: Vec<&Map<String, Value>> = found
        .get("results")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .collect();
    for session in sessions.iter_mut() {
        let Some(id) = pointed(session) else { continue };
        if let Some(user) = users
            .iter()
            .find(|u| u.get("objectId").and_then(Value::as_str) == Some(id.as_str()))
        {
            let mut user = (*user).clone();
            user.insert("__type".into(), Value::from("Object"));
            user.insert("className".into(), Value::from("_User"));
            session.insert("user".into(), Value::Object(user));
        }
    }
    Ok(())
}
