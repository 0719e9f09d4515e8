//! Versioned schema migrations, tracked with SQLite's `user_version`.

use rusqlite::{Connection, TransactionBehavior};

use super::StoreError;

/// Each entry upgrades the schema by one version; never edit a released entry, append one.
pub(in crate::store) const MIGRATIONS: &[&str] = &[
    // 1: users and sessions modelled on Parse's _User and _Session; a key/value table.
    "CREATE TABLE users (
        object_id        TEXT PRIMARY KEY,
        username         TEXT NOT NULL UNIQUE,
        username_lower   TEXT NOT NULL,
        email            TEXT,
        email_lower      TEXT,
        email_verified   INTEGER,
        hashed_password  TEXT,
        auth_data        TEXT,
        acl              TEXT NOT NULL,
        created_at       INTEGER NOT NULL,
        updated_at       INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX users_username_lower ON users (username_lower);
    CREATE INDEX users_email ON users (email);
    CREATE INDEX users_email_lower ON users (email_lower);
    CREATE TABLE sessions (
        object_id        TEXT PRIMARY KEY,
        token_hash       BLOB NOT NULL UNIQUE,
        user_id          TEXT NOT NULL REFERENCES users (object_id) ON DELETE CASCADE,
        created_at       INTEGER NOT NULL,
        updated_at       INTEGER NOT NULL,
        expires_at       INTEGER,
        action           TEXT NOT NULL,
        auth_provider    TEXT NOT NULL,
        installation_id  TEXT
    ) STRICT;
    CREATE INDEX sessions_user ON sessions (user_id, installation_id);
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) STRICT;",
    // 2: ending a session marks its row instead of deleting it (one page written instead of
    // four B-trees touched); the writer removes marked rows later. Every query reads the
    // `sessions` view of live rows, so a marked row can never be found again.
    "ALTER TABLE sessions RENAME TO session_rows;
    ALTER TABLE session_rows ADD COLUMN revoked_at INTEGER;
    CREATE INDEX session_rows_revoked ON session_rows (revoked_at)
        WHERE revoked_at IS NOT NULL;
    CREATE VIEW sessions AS
        SELECT object_id, token_hash, user_id, created_at, updated_at, expires_at, action,
               auth_provider, installation_id
        FROM session_rows WHERE revoked_at IS NULL;",
    // 3: users and sessions are Parse objects: each keeps the fields a client gave it beyond
    // the class's own columns (`fields`, a JSON object in the class's field order), and
    // `class_fields` records each such field's type in the order the class gained it (Parse's
    // `_SCHEMA`). A session outlives its user, as on Parse (deleting a user leaves its
    // sessions, which then resolve to no one), so `session_rows` is rebuilt without the
    // foreign key. `token_sealed` keeps each token readable to this server only (see
    // `sealing`), for Parse's session queries, which show tokens.
    "DROP VIEW sessions;
    CREATE TABLE session_rows_v3 (
        object_id        TEXT PRIMARY KEY,
        token_hash       BLOB NOT NULL UNIQUE,
        user_id          TEXT NOT NULL,
        created_at       INTEGER NOT NULL,
        updated_at       INTEGER NOT NULL,
        expires_at       INTEGER,
        action           TEXT NOT NULL,
        auth_provider    TEXT NOT NULL,
        installation_id  TEXT,
        revoked_at       INTEGER,
        fields           TEXT,
        token_sealed     BLOB
    ) STRICT;
    INSERT INTO session_rows_v3 (object_id, token_hash, user_id, created_at, updated_at,
        expires_at, action, auth_provider, installation_id, revoked_at)
        SELECT object_id, token_hash, user_id, created_at, updated_at, expires_at, action,
               auth_provider, installation_id, revoked_at FROM session_rows;
    DROP TABLE session_rows;
    ALTER TABLE session_rows_v3 RENAME TO session_rows;
    CREATE INDEX sessions_user ON session_rows (user_id, installation_id);
    CREATE INDEX session_rows_revoked ON session_rows (revoked_at)
        WHERE revoked_at IS NOT NULL;
    CREATE VIEW sessions AS
        SELECT object_id, token_hash, user_id, created_at, updated_at, expires_at, action,
               auth_provider, installation_id, fields
        FROM session_rows WHERE revoked_at IS NULL;
    ALTER TABLE users ADD COLUMN fields TEXT;
    CREATE TABLE class_fields (
        class_name    TEXT NOT NULL,
        name          TEXT NOT NULL,
        type          TEXT NOT NULL,
        target_class  TEXT,
        position      INTEGER NOT NULL,
        PRIMARY KEY (class_name, name)
    ) STRICT;",
    // 4: Parse's account policies: failed logins and lockout (`accountLockout`), when the
    // password last changed and the hashes it replaced (`passwordPolicy`).
    "ALTER TABLE users ADD COLUMN failed_login_count INTEGER;
    ALTER TABLE users ADD COLUMN lockout_expires_at INTEGER;
    ALTER TABLE users ADD COLUMN password_changed_at INTEGER;
    ALTER TABLE users ADD COLUMN password_history TEXT;",
    // 5: sealed tokens live in their own table, written once per session: the rows a logout
    // rewrites (`session_rows`) stay as narrow as they were before tokens were sealed (some 60
    // bytes a row less: more rows per page, fewer page splits and WAL bytes per logout).
    "CREATE TABLE session_tokens (
        object_id  TEXT PRIMARY KEY,
        sealed     BLOB NOT NULL
    ) STRICT, WITHOUT ROWID;
    INSERT INTO session_tokens (object_id, sealed)
        SELECT object_id, token_sealed FROM session_rows WHERE token_sealed IS NOT NULL;
    ALTER TABLE session_rows DROP COLUMN token_sealed;",
    // 6: the tokens of Parse's e-mail flows (`_email_verify_token`, `_perishable_token`) and
    // their expiries, each found by its token.
    "ALTER TABLE users ADD COLUMN email_verify_token TEXT;
    ALTER TABLE users ADD COLUMN email_verify_token_expires_at INTEGER;
    ALTER TABLE users ADD COLUMN perishable_token TEXT;
    ALTER TABLE users ADD COLUMN perishable_token_expires_at INTEGER;
    CREATE INDEX users_email_verify_token ON users (email_verify_token)
        WHERE email_verify_token IS NOT NULL;
    CREATE INDEX users_perishable_token ON users (perishable_token)
        WHERE perishable_token IS NOT NULL;",
];

/// Bring the schema up to date. Each step reads the schema version inside a write
/// transaction taken at once (`BEGIN IMMEDIATE`), so processes starting together on a fresh
/// file take turns: the second sees the first one's version and skips what is done.
pub(in crate::store) fn run(conn: &mut Connection) -> Result<(), StoreError> {
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current: usize = tx
            .pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))?
            .try_into()
            .map_err(|_| StoreError::Corrupt("negative schema version".into()))?;
        if current > MIGRATIONS.len() {
            return Err(StoreError::Corrupt(format!(
                "database schema version {current} is newer than this parse-compat ({})",
                MIGRATIONS.len()
            )));
        }
        let Some(sql) = MIGRATIONS.get(current) else {
            return Ok(());
        };
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", current + 1)?;
        tx.commit()?;
    }
}
