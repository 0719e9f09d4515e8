//! Store behaviour against a real SQLite file.

use super::sqlite::{PAGE_SIZE, WAL_AUTOCHECKPOINT_PAGES, migrations, open_connection};
use super::*;
use crate::error::ErrorCode;
use rusqlite::Connection;

fn open(dir: &tempfile::TempDir, opts: StoreOptions) -> Store {
    Store::open(&DatabaseLocation::File(dir.path().join("t.db")), opts).unwrap()
}

/// A new password-login session for the user, with no installation.
pub(super) async fn log_in(store: &Store, user_id: &str) -> IssuedSession {
    store
        .create_session(
            user_id,
            SessionAction::Login,
            "password",
            SessionMeta::default(),
        )
        .await
        .unwrap()
}

/// Alice signed up with no installation: her user and first session.
async fn alice_signed_up(store: &Store) -> (User, IssuedSession) {
    store
        .sign_up(alice(), SessionMeta::default())
        .await
        .unwrap()
}

fn alice() -> NewUser {
    NewUser {
        username: "alice".into(),
        password: Some("s3cret".into()),
        email: Some("alice@example.com".into()),
        auth_data: None,
        ..Default::default()
    }
}

#[tokio::test]
async fn sign_up_then_resolve_the_token() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir, StoreOptions::default());
    let (user, issued) = alice_signed_up(&store).await;
    let found = store.find_session(&issued.token).await.unwrap().unwrap();
    assert_eq!(found.user.object_id, user.object_id);
    assert_eq!(found.session.action, SessionAction::Signup);
    assert_eq!(
        found.session.expires_at,
        Some(found.session.created_at + 31_536_000_000)
    );
    assert!(user.hashed_password.unwrap().starts_with("$2"));
}

#[tokio::test]
async fn duplicate_username_ignores_case_from_4_0() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir, StoreOptions::default());
    alice_signed_up(&store).await;
    let mut upper = alice();
    upper.username = "ALICE".into();
    upper.email = None;
    let err = store
        .sign_up(upper, SessionMeta::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Parse(ref e) if e.code == ErrorCode::UsernameTaken),
        "{err}"
    );
    let mut other = alice();
    other.username = "alice2".into();
    other.email = Some("Alice@Example.com".into());
    let err = store
        .sign_up(other, SessionMeta::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Parse(ref e) if e.code == ErrorCode::EmailTaken),
        "{err}"
    );
}

#[tokio::test]
async fn duplicate_username_is_case_sensitive_before_4_0() {
    let dir = tempfile::tempdir().unwrap();
    let opts = StoreOptions {
        case_insensitive_identity: false,
        ..StoreOptions::default()
    };
    let store = open(&dir, opts);
    alice_signed_up(&store).await;
    let mut upper = alice();
    upper.username = "ALICE".into();
    upper.email = None;
    store.sign_up(upper, SessionMeta::default()).await.unwrap();
}

#[tokio::test]
async fn concurrent_revokes_of_one_token_have_exactly_one_winner() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir, StoreOptions::default());
    let (_, issued) = alice_signed_up(&store).await;
    for _ in 0..5 {
        let s = log_in(&store, &issued.session.user_id).await;
        store.find_session(&s.token).await.unwrap().unwrap();
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let (store, token) = (store.clone(), s.token.clone());
                tokio::spawn(async move { store.revoke(&token).await.unwrap() })
            })
            .collect();
        let mut wins = 0;
        for h in handles {
            wins += usize::from(h.await.unwrap());
        }
        assert_eq!(wins, 1);
        assert!(store.find_session(&s.token).await.unwrap().is_none());
    }
}

#[tokio::test]
async fn a_revoke_survives_reopening_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let token = {
        let store = open(&dir, StoreOptions::default());
        let (_, issued) = alice_signed_up(&store).await;
        assert!(store.revoke(&issued.token).await.unwrap());
        issued.token
    };
    let store = open(&dir, StoreOptions::default());
    assert!(store.find_session(&token).await.unwrap().is_none());
}

#[tokio::test]
async fn tokens_are_stored_hashed() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir, StoreOptions::default());
    let (_, issued) = alice_signed_up(&store).await;
    drop(store);
    let bytes = std::fs::read(dir.path().join("t.db")).unwrap();
    let wal = std::fs::read(dir.path().join("t.db-wal")).unwrap_or_default();
    let needle = issued.token.as_bytes();
    for hay in [&bytes, &wal] {
        assert!(!hay.windows(needle.len()).any(|w| w == needle));
    }
}

#[tokio::test]
async fn a_login_with_an_installation_id_ends_that_installations_other_sessions() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir, StoreOptions::default());
    let (user, _) = alice_signed_up(&store).await;
    let meta = SessionMeta {
        installation_id: Some("inst-1".into()),
    };
    let first = store
        .create_session(
            &user.object_id,
            SessionAction::Login,
            "password",
            meta.clone(),
        )
        .await
        .unwrap();
    let other = log_in(&store, &user.object_id).await;
    store.find_session(&first.token).await.unwrap().unwrap();
    let second = store
        .create_session(&user.object_id, SessionAction::Login, "password", meta)
        .await
        .unwrap();
    assert!(store.find_session(&first.token).await.unwrap().is_none());
    assert!(store.find_session(&second.token).await.unwrap().is_some());
    assert!(store.find_session(&other.token).await.unwrap().is_some());
}

#[tokio::test]
async fn a_password_change_ends_every_session_and_issues_one() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir, StoreOptions::default());
    let (user, first) = alice_signed_up(&store).await;
    let changes = crate::store::UserUpdate {
        caller: crate::store::Caller::User(user.object_id.clone()),
        username: None,
        email: None,
        email_verified: None,
        password: Some("n3w".into()),
        acl: None,
        object_id: None,
        duplicate_value_error: true,
        changes: Vec::new(),
        field_types: Vec::new(),
    };
    let updated = store
        .update_user(&user.object_id, changes, SessionMeta::default(), false)
        .await
        .unwrap();
    assert!(store.find_session(&first.token).await.unwrap().is_none());
    let new = updated.new_session.unwrap();
    assert!(store.find_session(&new.token).await.unwrap().is_some());
    let hash = updated.user.hashed_password.unwrap();
    assert!(
        Store::verify_password("n3w".into(), Some(hash))
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn sessions_without_expiry_when_inactive_sessions_never_expire() {
    let dir = tempfile::tempdir().unwrap();
    let opts = StoreOptions {
        expire_inactive_sessions: false,
        ..StoreOptions::default()
    };
    let store = open(&dir, opts);
    let (_, issued) = alice_signed_up(&store).await;
    assert_eq!(issued.session.expires_at, None);
}

#[test]
fn database_uris() {
    assert_eq!(
        DatabaseLocation::parse("sqlite::memory:").unwrap(),
        DatabaseLocation::Memory
    );
    assert_eq!(
        DatabaseLocation::parse("sqlite:./x.db").unwrap(),
        DatabaseLocation::File("./x.db".into())
    );
    for uri in ["postgres://u:p@h:5432/db", "postgresql://h/db"] {
        assert_eq!(
            DatabaseLocation::parse(uri).unwrap(),
            DatabaseLocation::Postgres(uri.into())
        );
    }
    assert!(DatabaseLocation::parse("mysql://x").is_err());
    assert!(DatabaseLocation::parse("sqlite:").is_err());
}

#[tokio::test]
async fn passwords_follow_bcrypts_72_byte_limit_as_parse_does() {
    let long = "p".repeat(72);
    let hash = tokio::task::spawn_blocking({
        let p = format!("{long}-first-tail");
        move || bcrypt::hash(p, BCRYPT_COST).unwrap()
    })
    .await
    .unwrap();
    // bcryptjs (Parse up to 4.2) and @node-rs/bcrypt (4.4+) both ignore bytes after the 72nd.
    assert!(
        Store::verify_password(format!("{long}-other-tail"), Some(hash.clone()))
            .await
            .unwrap()
    );
    assert!(
        !Store::verify_password("p".repeat(71), Some(hash))
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn hashes_written_by_parse_verify() {
    // Parse's bcryptjs writes `$2a$`, @node-rs/bcrypt `$2b$`: both must keep working.
    let hash = tokio::task::spawn_blocking(|| bcrypt::hash("s3cret", BCRYPT_COST).unwrap())
        .await
        .unwrap();
    let as_2a = hash.replacen("$2b$", "$2a$", 1);
    assert!(
        Store::verify_password("s3cret".into(), Some(as_2a))
            .await
            .unwrap()
    );
    assert!(
        !Store::verify_password("wrong".into(), Some(hash))
            .await
            .unwrap()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_write_does_not_undo_the_others_in_its_group_commit() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir, StoreOptions::default());
    let user = |name: &str| NewUser {
        username: name.into(),
        password: None,
        email: None,
        auth_data: None,
        ..Default::default()
    };
    let mut handles = Vec::new();
    for name in ["bob", "bob", "carol", "bob", "dave"] {
        let (store, new) = (store.clone(), user(name));
        handles.push(tokio::spawn(async move {
            store.sign_up(new, SessionMeta::default()).await
        }));
    }
    let mut ok = Vec::new();
    for h in handles {
        if let Ok((u, _)) = h.await.unwrap() {
            ok.push(u.username);
        }
    }
    ok.sort();
    assert_eq!(ok, ["bob", "carol", "dave"]);
}

#[tokio::test]
async fn new_databases_use_small_pages_and_keep_revokes_across_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir, StoreOptions::default());
    let (_, issued) = alice_signed_up(&store).await;
    assert_eq!(
        store.revoke_returning_expiry(&issued.token).await.unwrap(),
        Some(false)
    );
    // The same token again: the single-statement revoke finds nothing.
    assert_eq!(
        store.revoke_returning_expiry(&issued.token).await.unwrap(),
        None
    );
    drop(store);
    let conn = rusqlite::Connection::open(dir.path().join("t.db")).unwrap();
    let page_size: i64 = conn
        .query_row("PRAGMA page_size", [], |r| r.get(0))
        .unwrap();
    assert_eq!(page_size, PAGE_SIZE);
    let reopened = open(&dir, StoreOptions::default());
    assert!(
        reopened
            .find_session(&issued.token)
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn commits_are_checkpointed_into_the_database_file_in_the_background() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir, StoreOptions::default());
    let (user, _) = alice_signed_up(&store).await;
    let db_file = dir.path().join("t.db");
    let before = std::fs::metadata(&db_file).unwrap().len();
    let sessions = (0..2_000)
        .map(|_| IssuedSession {
            session: Session {
                object_id: object_id(),
                user_id: user.object_id.clone(),
                created_at: 1,
                updated_at: 1,
                expires_at: None,
                action: SessionAction::Login,
                auth_provider: "password".into(),
                installation_id: None,
                fields: Default::default(),
            },
            token: session_token(),
        })
        .collect();
    store.insert_sessions(sessions).await.unwrap();
    // Far below the writer's own automatic checkpoint: only the checkpoint thread copies these
    // pages from the WAL into the database file.
    let wal = std::fs::metadata(dir.path().join("t.db-wal"))
        .unwrap()
        .len();
    assert!(wal < WAL_AUTOCHECKPOINT_PAGES as u64 * PAGE_SIZE as u64);
    let mut grown = false;
    for _ in 0..200 {
        if std::fs::metadata(&db_file).unwrap().len() > before + 100 * 1024 {
            grown = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(
        grown,
        "the database file never received the committed pages"
    );
}

fn raw(dir: &tempfile::TempDir) -> rusqlite::Connection {
    rusqlite::Connection::open(dir.path().join("t.db")).unwrap()
}

fn count(conn: &rusqlite::Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[tokio::test]
async fn ended_sessions_are_marked_then_removed_once_the_writer_is_idle() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir, StoreOptions::default());
    let (user, kept) = alice_signed_up(&store).await;
    let mut tokens = Vec::new();
    for _ in 0..5 {
        let s = log_in(&store, &user.object_id).await;
        tokens.push(s.token);
    }
    for t in &tokens {
        assert!(store.revoke(t).await.unwrap());
        // Marked, so a second revoke finds nothing live.
        assert!(!store.revoke(t).await.unwrap());
        assert!(store.find_session(t).await.unwrap().is_none());
    }
    let conn = raw(&dir);
    let mut left = i64::MAX;
    for _ in 0..200 {
        left = count(&conn, "SELECT count(*) FROM session_rows");
        if left == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(left, 1, "the ended sessions' rows were never removed");
    assert_eq!(count(&conn, "SELECT count(*) FROM sessions"), 1);
    assert!(store.find_session(&kept.token).await.unwrap().is_some());
}

#[tokio::test]
async fn a_version_1_database_is_migrated_with_its_sessions() {
    let dir = tempfile::tempdir().unwrap();
    let token = session_token();
    {
        let conn = raw(&dir);
        conn.execute_batch(migrations::MIGRATIONS[0]).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute(
            "INSERT INTO users (object_id, username, username_lower, acl, created_at, updated_at) \
             VALUES ('u1', 'old', 'old', '{}', 1, 1)",
            [],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO sessions (object_id, token_hash, user_id, created_at, updated_at, \
             expires_at, action, auth_provider) VALUES ('s1', ?1, 'u1', 1, 1, NULL, 'login', 'password')",
            [&hash_token(&token)[..]],
        )
        .unwrap();
    }
    let store = open(&dir, StoreOptions::default());
    let found = store.find_session(&token).await.unwrap().unwrap();
    assert_eq!(found.user.username, "old");
    assert_eq!(found.session.object_id, "s1");
    assert_eq!(
        store.revoke_returning_expiry(&token).await.unwrap(),
        Some(false)
    );
    assert_eq!(store.revoke_returning_expiry(&token).await.unwrap(), None);
    drop(store);
    let reopened = open(&dir, StoreOptions::default());
    assert!(reopened.find_session(&token).await.unwrap().is_none());
    let version: i64 = raw(&dir)
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        version,
        i64::try_from(migrations::MIGRATIONS.len()).unwrap()
    );
}

#[tokio::test]
async fn a_second_server_on_the_same_file_is_refused() {
    // Each server caches sessions in its own memory: two on one file would disagree about
    // a revoke (issue 10), so the second may not start.
    let dir = tempfile::tempdir().unwrap();
    let first = open(&dir, StoreOptions::default());
    let location = DatabaseLocation::File(dir.path().join("t.db"));
    let second =
        tokio::task::spawn_blocking(move || Store::open(&location, StoreOptions::default()))
            .await
            .unwrap();
    let Err(err) = second else {
        panic!("a second serving store opened the same file");
    };
    assert!(matches!(err, StoreError::InUse(_)), "{err}");
    assert!(
        err.to_string()
            .contains("in use by another parse-compat process")
    );
    // A maintenance open (keys rotate) beside the server is allowed.
    Store::open_for_maintenance(&DatabaseLocation::File(dir.path().join("t.db"))).unwrap();
    // Once the first server is gone, the file is free again.
    first.close().await;
    drop(first);
    open(&dir, StoreOptions::default());
}

#[cfg(unix)]
#[tokio::test]
async fn database_files_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir, StoreOptions::default());
    alice_signed_up(&store).await;
    for name in ["t.db", "t.db-wal", "t.db-shm", "t.db.lock"] {
        let mode = std::fs::metadata(dir.path().join(name))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{name}");
    }
    // A file someone else created readable by all is restricted when served.
    drop(store);
    let loose = dir.path().join("loose.db");
    std::fs::write(&loose, b"").unwrap();
    std::fs::set_permissions(&loose, std::fs::Permissions::from_mode(0o644)).unwrap();
    Store::open(
        &DatabaseLocation::File(loose.clone()),
        StoreOptions::default(),
    )
    .unwrap();
    let mode = std::fs::metadata(&loose).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[tokio::test]
async fn closing_folds_the_wal_into_the_database_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir, StoreOptions::default());
    let (_, issued) = alice_signed_up(&store).await;
    for _ in 0..200 {
        log_in(&store, &issued.session.user_id).await;
    }
    store.close().await;
    let wal = std::fs::metadata(dir.path().join("t.db-wal")).map_or(0, |m| m.len());
    assert_eq!(wal, 0, "a stopped server leaves no WAL behind");
    let err = store
        .create_session(
            &issued.session.user_id,
            SessionAction::Login,
            "password",
            SessionMeta::default(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Closed), "{err}");
    // Everything committed before the close is in the file.
    drop(store);
    let store = open(&dir, StoreOptions::default());
    assert!(store.find_session(&issued.token).await.unwrap().is_some());
}

#[test]
fn processes_starting_together_on_a_fresh_file_migrate_once() {
    // Two servers started at once on a new file once died with "table users already exists".
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fresh.db");
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut conn = open_connection(&path, false).unwrap();
                migrations::run(&mut conn)
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap().unwrap();
    }
}

#[tokio::test]
async fn one_credential_check_for_every_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir, StoreOptions::default());
    let (user, _) = alice_signed_up(&store).await;
    let check = |name: &str, password: &str, master: bool| {
        store.check_credentials(Some(name.into()), None, password.into(), master)
    };
    assert_eq!(
        check("alice", "s3cret", false)
            .await
            .unwrap()
            .map(|u| u.object_id),
        Some(user.object_id.clone())
    );
    assert!(check("alice", "wrong", false).await.unwrap().is_none());
    assert!(check("nobody", "s3cret", false).await.unwrap().is_none());
    // By email too, as Parse's login.
    let by_email = store
        .check_credentials(
            None,
            Some("alice@example.com".into()),
            "s3cret".into(),
            false,
        )
        .await
        .unwrap();
    assert!(by_email.is_some());
    // An empty ACL locks the user out, except for the master key (the Descope sign-in once
    // skipped this rule).
    std::thread::spawn({
        let path = dir.path().join("t.db");
        move || {
            let conn = Connection::open(path).unwrap();
            conn.execute("UPDATE users SET acl = '{}'", []).unwrap();
        }
    })
    .join()
    .unwrap();
    assert!(check("alice", "s3cret", false).await.unwrap().is_none());
    assert!(check("alice", "s3cret", true).await.unwrap().is_some());
}

#[tokio::test]
async fn a_panicking_write_fails_alone_and_the_writer_keeps_serving() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir, StoreOptions::default());
    let panicked = store
        .sqlite()
        .writer()
        .write(|_| -> Result<(), StoreError> { panic!("a bug in a write") })
        .await;
    assert!(matches!(panicked, Err(StoreError::Closed)), "{panicked:?}");
    let (_, issued) = alice_signed_up(&store).await;
    assert!(store.find_session(&issued.token).await.unwrap().is_some());
}

/// Parse's `deleteEmailResetTokenIfNeeded`: a reset link already sent stops working when the
/// password or the email changes by any other way; other changes keep it.
#[tokio::test]
async fn a_new_password_or_email_voids_the_reset_token() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir, StoreOptions::default());
    let (user, _) = alice_signed_up(&store).await;
    let holds_token = |store: Store| async move {
        store
            .find_user_for_email(EmailLookup::ResetToken("reset-1".into()))
            .await
            .unwrap()
            .is_some()
    };
    let update = |email: Option<Option<String>>, password: Option<String>| UserUpdate {
        caller: Caller::Master,
        username: None,
        email,
        email_verified: None,
        password,
        acl: None,
        object_id: None,
        duplicate_value_error: false,
        changes: vec![(
            "nickname".into(),
            crate::object::Change::Set(Value::from("al")),
        )],
        field_types: vec![("nickname".into(), FieldType::String)],
    };
    let give_token = || TokenWrite {
        reset: Some(Some(EmailToken {
            token: "reset-1".into(),
            expires_at: None,
        })),
        ..TokenWrite::default()
    };
    let cases = [
        (update(None, None), true),
        (update(Some(Some("new@example.com".into())), None), false),
        (update(None, Some("n3w-secret".into())), false),
        (update(Some(None), None), false),
    ];
    for (change, kept) in cases {
        assert!(
            store
                .write_user_tokens(&user.object_id, give_token(), TokenGuard::Always)
                .await
                .unwrap()
        );
        let what = format!("{:?} {:?}", change.email, change.password);
        store
            .update_user(&user.object_id, change, SessionMeta::default(), false)
            .await
            .unwrap();
        assert_eq!(holds_token(store.clone()).await, kept, "{what}");
    }
}
