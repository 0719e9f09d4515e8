//! The PostgreSQL store against a real PostgreSQL: tables real Parse made (fixtures/pg-tables),
//! rows written as Parse writes them, several instances on one database, and revocation that
//! is final everywhere at once. Runs when `PARSE_COMPAT_TEST_POSTGRES` names a server
//! (`scripts/test` sets it); without one each test says so and passes.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use parse_compat::object::{Change, FieldType};
use parse_compat::store::{
    Caller, DatabaseLocation, NewUser, Reader, SessionAction, SessionMeta, Store, StoreOptions,
    UserScan, UserUpdate,
};
use parse_compat::version::ParseVersion;
use serde_json::{Map, Value, json};

/// A fresh database's URI, or `None` (and a note) when no test server is configured.
async fn fresh() -> Option<String> {
    let uri = common::fresh_postgres_database().await;
    if uri.is_none() {
        eprintln!("PARSE_COMPAT_TEST_POSTGRES is not set: skipped");
    }
    uri
}

async fn sql(uri: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(uri, tokio_postgres::NoTls)
        .await
        .expect("connects");
    tokio::spawn(connection);
    client
}

fn pinned(version: ParseVersion) -> StoreOptions {
    StoreOptions {
        parse_version: version,
        private_users: version.at_least(6, 0),
        ..StoreOptions::default()
    }
}

async fn store(uri: &str, version: ParseVersion) -> Store {
    Store::connect(&DatabaseLocation::Postgres(uri.to_owned()), pinned(version))
        .await
        .expect("the store opens")
}

const V3_7: ParseVersion = ParseVersion::new(3, 7, 2);
const V4_4: ParseVersion = ParseVersion::new(4, 4, 0);
const V9: ParseVersion = ParseVersion::new(9, 10, 0);

/// One CSV line's fields (RFC 4180 quoting, as psql's COPY writes it).
fn csv_fields(line: &str) -> Vec<String> {
    let (mut fields, mut field, mut quoted, mut chars) =
        (Vec::new(), String::new(), false, line.chars().peekable());
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut field)),
            (c, _) => field.push(c),
        }
    }
    fields.push(field);
    fields
}

/// Make the database real Parse `version` left in fixtures/pg-tables: its DDL, its `_SCHEMA`
/// rows, and its final `_User` and `_Session` rows.
async fn made_by_real_parse(uri: &str, version: &str) {
    let dir = format!(
        "{}/fixtures/pg-tables/{version}",
        env!("CARGO_MANIFEST_DIR")
    );
    let client = sql(uri).await;
    let ddl: String = std::fs::read_to_string(format!("{dir}/schema.sql"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('\\'))
        .collect::<Vec<_>>()
        .join("\n");
    client.batch_execute(&ddl).await.expect("Parse's DDL loads");
    client
        .batch_execute("SELECT pg_catalog.set_config('search_path', 'public', false)")
        .await
        .unwrap();
    for line in std::fs::read_to_string(format!("{dir}/schema-rows.txt"))
        .unwrap()
        .lines()
    {
        let mut parts = line.splitn(3, '|');
        let (class, schema) = (parts.next().unwrap(), parts.next().unwrap());
        client
            .execute(
                r#"INSERT INTO "_SCHEMA" VALUES ($1, $2::text::jsonb, true)"#,
                &[&class, &schema],
            )
            .await
            .unwrap();
    }
    for (table, file) in [("_User", "users.csv"), ("_Session", "sessions.csv")] {
        let text = std::fs::read_to_string(format!("{dir}/{file}")).unwrap();
        let mut lines = text.lines();
        let header = csv_fields(lines.next().unwrap());
        for line in lines {
            let mut row = Map::new();
            for (column, value) in header.iter().zip(csv_fields(line)) {
                let value = match (column.as_str(), value.is_empty()) {
                    (_, true) => Value::Null,
                    ("authData" | "createdWith" | "_password_history", false) => {
                        serde_json::from_str(&value).unwrap()
                    }
                    _ => Value::String(value),
                };
                row.insert(column.clone(), value);
            }
            client
                .execute(
                    &format!(
                        r#"INSERT INTO "{table}" SELECT * FROM json_populate_record(NULL::"{table}", $1::text::json)"#
                    ),
                    &[&Value::Object(row).to_string()],
                )
                .await
                .unwrap();
        }
    }
}

async fn column_type(client: &tokio_postgres::Client, table: &str, column: &str) -> Option<String> {
    client
        .query_opt(
            "SELECT data_type FROM information_schema.columns WHERE table_name = $1 AND column_name = $2",
            &[&table, &column],
        )
        .await
        .unwrap()
        .map(|r| r.get(0))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_parse_3_7_2_made_is_used_as_it_is() {
    let Some(uri) = fresh().await else { return };
    made_by_real_parse(&uri, "3.7.2").await;
    for version in [V9, V3_7] {
        let store = store(&uri, version).await;
        // alice's password after the recorded password change, hashed by bcryptjs ($2a$).
        let alice = store
            .check_credentials(Some("alice".into()), None, "pass-two".into(), false)
            .await
            .unwrap()
            .expect("a user real Parse 3.7.2 wrote logs in");
        assert_eq!(alice.fields.get("nickname"), Some(&json!("Ally")));
        assert_eq!(alice.fields.get("age"), Some(&json!(31)));
        assert_eq!(alice.acl.len(), 2, "{:?}", alice.acl);
        let session = store
            .create_session(
                &alice.object_id,
                SessionAction::Login,
                "password",
                SessionMeta::default(),
            )
            .await
            .unwrap();
        let found = store.find_session(&session.token).await.unwrap().unwrap();
        assert_eq!(found.user.object_id, alice.object_id);
        let client = sql(&uri).await;
        let row = client
            .query_one(
                r#"SELECT "user"::text, "restricted", "createdWith"::text FROM "_Session" WHERE "sessionToken" = $1"#,
                &[&session.token],
            )
            .await
            .unwrap();
        assert_eq!(row.get::<_, String>(0), alice.object_id);
        // 3.x writes `restricted: false`; 9.x leaves a column it does not know empty.
        let restricted: Option<bool> = row.get(1);
        assert_eq!(restricted, (version == V3_7).then_some(false));
        assert_eq!(
            row.get::<_, String>(2),
            r#"{"action": "login", "authProvider": "password"}"#
        );
        assert!(store.revoke(&session.token).await.unwrap());
        assert!(store.find_session(&session.token).await.unwrap().is_none());
        assert_eq!(
            column_type(&client, "_Session", "user").await.as_deref(),
            Some("character"),
            "the pointer column real Parse 3.7.2 made stays as it is"
        );
    }
    // Sessions real Parse wrote resolve: the recorded token of alice's password change.
    let store = store(&uri, V9).await;
    let text = std::fs::read_to_string(format!(
        "{}/fixtures/pg-tables/3.7.2/sessions.csv",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let tokens: Vec<String> = text
        .lines()
        .skip(1)
        .map(|l| csv_fields(l)[6].clone())
        .collect();
    assert!(!tokens.is_empty());
    for token in tokens {
        let found = store.find_session(&token).await.unwrap();
        assert!(
            found.is_some(),
            "the token {token} real Parse issued resolves"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_4_4_pin_works_on_tables_parse_9_made() {
    let Some(uri) = fresh().await else { return };
    made_by_real_parse(&uri, "9.10.0").await;
    let store = store(&uri, V4_4).await;
    let (user, session) = store
        .sign_up(
            NewUser {
                username: "carol".into(),
                password: Some("pw".into()),
                ..NewUser::default()
            },
            SessionMeta::default(),
        )
        .await
        .expect("a session row without `restricted`, which 9.x tables lack");
    let found = store.find_session(&session.token).await.unwrap().unwrap();
    assert_eq!(found.user.object_id, user.object_id);
    let client = sql(&uri).await;
    assert_eq!(column_type(&client, "_Session", "restricted").await, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_starting_together_all_come_up_and_make_parses_tables_once() {
    let Some(uri) = fresh().await else { return };
    let starts: Vec<_> = (0..3)
        .map(|_| {
            let uri = uri.clone();
            tokio::spawn(async move { store(&uri, V9).await })
        })
        .collect();
    for start in starts {
        start.await.unwrap();
    }
    let client = sql(&uri).await;
    let rows = client
        .query(
            r#"SELECT "className", "schema"::text FROM "_SCHEMA" ORDER BY 1"#,
            &[],
        )
        .await
        .unwrap();
    let classes: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
    assert_eq!(classes, ["_Session", "_User"]);
    // Byte for byte what real Parse 9.10.0 stores (fixtures/pg-tables/9.10.0/schema-rows.txt).
    let recorded = std::fs::read_to_string(format!(
        "{}/fixtures/pg-tables/9.10.0/schema-rows.txt",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let session_row = recorded
        .lines()
        .find(|l| l.starts_with("_Session|"))
        .unwrap();
    assert_eq!(
        format!("_Session|{}|t", rows[0].get::<_, String>(1)),
        session_row
    );
    let unique: i64 = client
        .query_one(
            "SELECT count(*) FROM pg_indexes WHERE indexname IN ('_User_unique_username', '_User_unique_email', 'parse_compat_session_token')",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(unique, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_are_written_as_parse_writes_them() {
    let Some(uri) = fresh().await else { return };
    let store = store(&uri, V9).await;
    let mut fields = Map::new();
    fields.insert("nickname".into(), json!("Ally"));
    fields.insert("age".into(), json!(31));
    let (user, session) = store
        .sign_up(
            NewUser {
                username: "alice".into(),
                password: Some("pass-one".into()),
                email: Some("alice@example.com".into()),
                fields,
                field_types: vec![
                    ("nickname".into(), FieldType::String),
                    ("age".into(), FieldType::Number),
                ],
                ..NewUser::default()
            },
            SessionMeta {
                installation_id: Some("inst-1".into()),
            },
        )
        .await
        .unwrap();
    let client = sql(&uri).await;
    let u = client
        .query_one(
            r#"SELECT "_rperm"::text, "_wperm"::text, "_hashed_password", nickname, age, "emailVerified", "authData"::text,
                      "createdAt" = "updatedAt", extract(milliseconds from "createdAt")::numeric % 1 = 0
               FROM "_User" WHERE "objectId" = $1"#,
            &[&user.object_id],
        )
        .await
        .unwrap();
    let id = &user.object_id;
    assert_eq!(
        u.get::<_, String>(0),
        format!("{{{id}}}"),
        "9.x: no public read"
    );
    assert_eq!(u.get::<_, String>(1), format!("{{{id}}}"));
    assert!(u.get::<_, String>(2).starts_with("$2"));
    assert_eq!(u.get::<_, String>(3), "Ally");
    assert_eq!(u.get::<_, f64>(4), 31.0);
    assert_eq!(u.get::<_, Option<bool>>(5), None);
    assert_eq!(u.get::<_, Option<String>>(6), None);
    assert!(u.get::<_, bool>(7));
    let s = client
        .query_one(
            r#"SELECT "user", "installationId", "sessionToken", "createdWith"::text, "_rperm" IS NULL AND "_wperm" IS NULL,
                      ("expiresAt" - "createdAt") = interval '365 days'
               FROM "_Session" WHERE "objectId" = $1"#,
            &[&session.session.object_id],
        )
        .await
        .unwrap();
    assert_eq!(s.get::<_, String>(0), *id);
    assert_eq!(s.get::<_, String>(1), "inst-1");
    assert_eq!(
        s.get::<_, String>(2),
        session.token,
        "tokens in plain text, as Parse"
    );
    assert_eq!(
        s.get::<_, String>(3),
        r#"{"action": "signup", "authProvider": "password"}"#
    );
    assert!(s.get::<_, bool>(4));
    assert!(s.get::<_, bool>(5));
    let schema: String = client
        .query_one(
            r#"SELECT "schema"::text FROM "_SCHEMA" WHERE "className" = '_User'"#,
            &[],
        )
        .await
        .unwrap()
        .get(0);
    let recorded = std::fs::read_to_string(format!(
        "{}/fixtures/pg-tables/9.10.0/schema-rows.txt",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    assert!(
        recorded.contains(&format!("_User|{schema}|t")),
        "the _User row real Parse 9.10.0 has after the same sign-up: {schema}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoke_on_one_instance_is_final_on_every_other_at_once() {
    let Some(uri) = fresh().await else { return };
    let a = store(&uri, V9).await;
    let b = store(&uri, V9).await;
    let (_, session) = a
        .sign_up(
            NewUser {
                username: "dave".into(),
                password: Some("pw".into()),
                ..NewUser::default()
            },
            SessionMeta::default(),
        )
        .await
        .unwrap();
    assert!(b.find_session(&session.token).await.unwrap().is_some());
    // Readers on B run while A revokes: a lookup that started after the revoke was answered
    // must not find the session.
    let revoked = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..8)
        .map(|_| {
            let (b, token, revoked) = (b.clone(), session.token.clone(), Arc::clone(&revoked));
            tokio::spawn(async move {
                let mut after = 0;
                while after < 50 {
                    let started_after = revoked.load(Ordering::SeqCst);
                    let found = b.find_session(&token).await.unwrap();
                    if started_after {
                        assert!(found.is_none(), "B answered a session revoked on A");
                        after += 1;
                    }
                }
            })
        })
        .collect();
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    assert!(a.revoke(&session.token).await.unwrap());
    revoked.store(true, Ordering::SeqCst);
    for reader in readers {
        reader.await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_logouts_of_one_token_on_two_instances_end_it_once() {
    let Some(uri) = fresh().await else { return };
    let a = store(&uri, V9).await;
    let b = store(&uri, V9).await;
    let (_, session) = a
        .sign_up(
            NewUser {
                username: "erin".into(),
                password: Some("pw".into()),
                ..NewUser::default()
            },
            SessionMeta::default(),
        )
        .await
        .unwrap();
    let tries: Vec<_> = (0..8)
        .map(|i| {
            let store = if i % 2 == 0 { a.clone() } else { b.clone() };
            let token = session.token.clone();
            tokio::spawn(async move { store.revoke(&token).await.unwrap() })
        })
        .collect();
    let mut won = 0;
    for t in tries {
        won += usize::from(t.await.unwrap());
    }
    assert_eq!(won, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_change_ends_every_session_for_every_instance() {
    let Some(uri) = fresh().await else { return };
    let a = store(&uri, V9).await;
    let b = store(&uri, V9).await;
    let (user, first) = a
        .sign_up(
            NewUser {
                username: "fay".into(),
                password: Some("pw".into()),
                ..NewUser::default()
            },
            SessionMeta::default(),
        )
        .await
        .unwrap();
    let second = b
        .create_session(
            &user.object_id,
            SessionAction::Login,
            "password",
            SessionMeta::default(),
        )
        .await
        .unwrap();
    let updated = a
        .update_user(
            &user.object_id,
            parse_compat::store::UserUpdate {
                caller: parse_compat::store::Caller::User(user.object_id.clone()),
                username: None,
                email: None,
                email_verified: None,
                password: Some("new-pw".into()),
                acl: None,
                object_id: None,
                duplicate_value_error: false,
                changes: Vec::new(),
                field_types: Vec::new(),
            },
            SessionMeta::default(),
            false,
        )
        .await
        .unwrap();
    for token in [&first.token, &second.token] {
        assert!(b.find_session(token).await.unwrap().is_none());
    }
    let new = updated.new_session.expect("the user gets a new session");
    assert!(b.find_session(&new.token).await.unwrap().is_some());
    assert!(
        b.check_credentials(Some("fay".into()), None, "new-pw".into(), false)
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_anonymous_sign_up_is_recorded_as_each_version_records_it() {
    let Some(uri) = fresh().await else { return };
    let client = sql(&uri).await;
    // fixtures/pg-tables: signup/password up to 4.x, login/anonymous from 5.0.
    for (version, expected) in [
        (V4_4, r#"{"action": "signup", "authProvider": "password"}"#),
        (V9, r#"{"action": "login", "authProvider": "anonymous"}"#),
    ] {
        let store = store(&uri, version).await;
        let mut auth = Map::new();
        auth.insert(
            "anonymous".into(),
            json!({"id": format!("anon-{}", version.major)}),
        );
        let (_, session) = store
            .sign_up(
                NewUser {
                    username: format!("anon{}", version.major),
                    auth_data: Some(auth),
                    ..NewUser::default()
                },
                SessionMeta::default(),
            )
            .await
            .unwrap();
        let with: String = client
            .query_one(
                r#"SELECT "createdWith"::text FROM "_Session" WHERE "sessionToken" = $1"#,
                &[&session.token],
            )
            .await
            .unwrap()
            .get(0);
        assert_eq!(with, expected, "{version}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_apps_own_column_on_user_is_no_field_and_breaks_nothing() {
    let Some(uri) = fresh().await else { return };
    let store = store(&uri, V9).await;
    let (user, session) = store
        .sign_up(
            NewUser {
                username: "gus".into(),
                password: Some("pw".into()),
                ..NewUser::default()
            },
            SessionMeta::default(),
        )
        .await
        .unwrap();
    // A column the app added by SQL, which `_SCHEMA` does not list.
    let client = sql(&uri).await;
    client
        .batch_execute(r#"ALTER TABLE "_User" ADD COLUMN legacy_crm_id text"#)
        .await
        .unwrap();
    client
        .execute(
            r#"UPDATE "_User" SET legacy_crm_id = 'crm-1' WHERE "objectId" = $1"#,
            &[&user.object_id],
        )
        .await
        .unwrap();
    let found = store.find_session(&session.token).await.unwrap().unwrap();
    assert_eq!(found.user.object_id, user.object_id);
    assert!(found.user.fields.get("legacy_crm_id").is_none());
    let again = store
        .check_credentials(Some("gus".into()), None, "pw".into(), false)
        .await
        .unwrap();
    assert!(again.is_some());
}

/// A role as Parse 9.10.0 writes one (fixtures/pg-tables/roles): a `_Role` row, its users in
/// `_Join:users:_Role` (`relatedId` the user, `owningId` the role) and the roles that inherit
/// it in `_Join:roles:_Role` (`relatedId` the child role, `owningId` this one).
async fn role(
    client: &tokio_postgres::Client,
    id: &str,
    name: &str,
    users: &[&str],
    roles: &[&str],
) {
    client
        .execute(
            r#"INSERT INTO "_Role" ("objectId", "createdAt", "updatedAt", name, _rperm, _wperm) VALUES ($1, now(), now(), $2, '{}', '{}')"#,
            &[&id, &name],
        )
        .await
        .unwrap();
    for (join, related) in [("_Join:users:_Role", users), ("_Join:roles:_Role", roles)] {
        for member in related {
            client
                .execute(
                    &format!(r#"INSERT INTO "{join}" VALUES ($1, $2)"#),
                    &[member, &id],
                )
                .await
                .unwrap();
        }
    }
}

async fn signed_up(store: &Store, name: &str) -> parse_compat::store::User {
    store
        .sign_up(
            NewUser {
                username: name.into(),
                password: Some("pw".into()),
                ..NewUser::default()
            },
            SessionMeta::default(),
        )
        .await
        .unwrap()
        .0
}

fn set_nickname(caller: Caller, acl: Option<Map<String, Value>>) -> UserUpdate {
    UserUpdate {
        caller,
        username: None,
        email: None,
        email_verified: None,
        password: None,
        acl,
        object_id: None,
        duplicate_value_error: true,
        changes: vec![("nickname".into(), Change::Set(json!("set")))],
        field_types: vec![("nickname".into(), FieldType::String)],
    }
}

/// Roles come from Parse's own tables, inherited through `roles` relations as Parse's `Auth`
/// walks them (a cycle ends the walk; a deleted role grants nothing, nor do its parents), and
/// decide who may read and write a user whose ACL names them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_parse_keeps_decide_who_reads_and_writes_a_user() {
    let Some(uri) = fresh().await else { return };
    // A database parse-compat made alone has no role tables: nobody holds a role.
    let alone = store(&uri, V9).await;
    let early = signed_up(&alone, "early").await;
    assert!(alone.user_roles(&early.object_id).await.unwrap().is_empty());
    drop(alone);

    let Some(uri) = fresh().await else { return };
    made_by_real_parse(&uri, "9.10.0").await;
    let store = store(&uri, V9).await;
    let target = signed_up(&store, "target").await;
    let admin = signed_up(&store, "admin").await;
    let support = signed_up(&store, "support").await;
    let outsider = signed_up(&store, "outsider").await;
    let client = sql(&uri).await;
    role(
        &client,
        "rAdmin0001",
        "Administrator",
        &[&admin.object_id],
        &[],
    )
    .await;
    role(
        &client,
        "rMgmt00001",
        "managementOf_target",
        &[],
        &["rAdmin0001"],
    )
    .await;
    // A cycle: Administrator also inherits from managementOf_target.
    client
        .execute(
            r#"INSERT INTO "_Join:roles:_Role" VALUES ('rMgmt00001', 'rAdmin0001')"#,
            &[],
        )
        .await
        .unwrap();
    role(&client, "rSupport01", "Support", &[&support.object_id], &[]).await;
    // A role deleted by Parse leaves its join rows behind; it grants nothing, nor its parent.
    role(&client, "rGone00001", "Gone", &[&outsider.object_id], &[]).await;
    role(&client, "rAbove0001", "AboveGone", &[], &["rGone00001"]).await;
    client
        .execute(
            r#"DELETE FROM "_Role" WHERE "objectId" = 'rGone00001'"#,
            &[],
        )
        .await
        .unwrap();

    let mut held = store.user_roles(&admin.object_id).await.unwrap();
    held.sort();
    assert_eq!(held, ["role:Administrator", "role:managementOf_target"]);
    assert_eq!(
        store.user_roles(&support.object_id).await.unwrap(),
        ["role:Support"]
    );
    assert!(
        store
            .user_roles(&outsider.object_id)
            .await
            .unwrap()
            .is_empty()
    );

    let mut acl = Map::new();
    acl.insert(
        target.object_id.clone(),
        json!({"read": true, "write": true}),
    );
    acl.insert("role:managementOf_target".into(), json!({"read": true}));
    acl.insert("role:Support".into(), json!({"write": true}));
    acl.insert(
        "role:AboveGone".into(),
        json!({"read": true, "write": true}),
    );
    store
        .update_user(
            &target.object_id,
            set_nickname(Caller::Master, Some(acl)),
            SessionMeta::default(),
            false,
        )
        .await
        .unwrap();

    // Writes: Support may, through its role; Administrator only reads; the holder of a
    // deleted role gets nothing from it.
    let write =
        |who: &parse_compat::store::User| set_nickname(Caller::User(who.object_id.clone()), None);
    store
        .update_user(
            &target.object_id,
            write(&support),
            SessionMeta::default(),
            false,
        )
        .await
        .expect("Support writes through its role");
    for refused in [&admin, &outsider] {
        let err = store
            .update_user(
                &target.object_id,
                write(refused),
                SessionMeta::default(),
                false,
            )
            .await
            .unwrap_err();
        assert!(format!("{err:?}").contains("Insufficient auth"), "{err:?}");
        let err = store
            .delete_user(
                &target.object_id,
                Caller::User(refused.object_id.clone()),
                false,
            )
            .await
            .unwrap_err();
        assert!(format!("{err:?}").contains("Insufficient auth"), "{err:?}");
    }

    // Reads: a scan as the admin, with their roles, sees the target; without them, or as
    // the outsider, it does not.
    let readable = |id: &str, roles: Vec<String>| UserScan {
        object_id: Some(target.object_id.clone()),
        readable_by: Reader::User {
            id: id.to_owned(),
            roles,
        },
        ..UserScan::default()
    };
    let count = |scan| {
        let store = store.clone();
        async move {
            store
                .scan_users(scan, |rows| Ok(rows.count()))
                .await
                .unwrap()
        }
    };
    let roles = store.user_roles(&admin.object_id).await.unwrap();
    assert_eq!(count(readable(&admin.object_id, roles)).await, 1);
    assert_eq!(count(readable(&admin.object_id, Vec::new())).await, 0);
    let roles = store.user_roles(&outsider.object_id).await.unwrap();
    assert_eq!(count(readable(&outsider.object_id, roles)).await, 0);

    store
        .delete_user(
            &target.object_id,
            Caller::User(support.object_id.clone()),
            false,
        )
        .await
        .expect("Support deletes through its role");
}

/// Parse answers a master-key count without `where` from `pg_class.reltuples`; on Parse's own
/// tables the store reads that very number: -1 until PostgreSQL analyses the table (here by
/// hand; autovacuum does it after 50 + 10% changes), then what the analysis counted, and a
/// table Parse has not made yet (`_Role` before a real Parse started) is one never analysed.
#[tokio::test]
async fn the_row_estimate_is_postgres_own() {
    let Some(uri) = fresh().await else { return };
    let store = store(&uri, V9).await;
    for name in ["ann", "ben"] {
        signed_up(&store, name).await;
    }
    assert_eq!(store.estimated_rows("_User").await.unwrap(), -1.0);
    assert_eq!(store.estimated_rows("_Role").await.unwrap(), -1.0);
    sql(&uri)
        .await
        .batch_execute(r#"ANALYZE "_User", "_Session""#)
        .await
        .unwrap();
    assert_eq!(store.estimated_rows("_User").await.unwrap(), 2.0);
    assert_eq!(store.estimated_rows("_Session").await.unwrap(), 2.0);
}
