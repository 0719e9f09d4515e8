//! The SQLite store: the embedded default, one file, one serving process.
//!
//! One writer thread owns the only write connection and commits queued writes in groups (a
//! "group commit"): many concurrent logouts cost one fsync-free WAL commit instead of one each,
//! and a write is committed before its caller is answered. Reads run on reader threads that
//! each own a read-only connection; WAL lets them proceed while the writer commits. Nothing
//! here runs SQLite on an async runtime thread.
//!
//! Valid sessions are cached in memory (bounded LRU) because every request with a token
//! resolves it. The cache never outlives a revoke: see [`cache`]. Tokens are kept as SHA-256
//! hashes, and sealed (see [`sealing`]) so session queries can show them.

mod cache;
mod descope;
mod email;
mod files;
pub(in crate::store) mod migrations;
mod objects;
mod readers;
mod sealing;
mod stats;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use serde_json::{Map, Value};

use super::{
    AuthSession, DatabaseLocation, Ending, IssuedSession, Session, SessionAction, StoreError,
    StoreOptions, TokenHash, User, hash_token, now_millis, os_random,
};
use crate::error::{ErrorCode, ParseError};
use crate::object::FieldType;

use cache::SessionCache;
pub(in crate::store) use writer::Writer;

/// Sessions cached in memory at most.
const SESSION_CACHE_CAPACITY: usize = 100_000;
/// Bytes the session cache may hold in all (see `cache`).
const SESSION_CACHE_BYTES: usize = 64 << 20;
/// Set a key of the `meta` table.
const META_PUT: &str = "INSERT INTO meta (key, value) VALUES (?1, ?2) \
    ON CONFLICT(key) DO UPDATE SET value = excluded.value";

/// Write a secret to `<base>.<suffix>`, readable by its owner only (0600).
pub(in crate::store) fn write_private_file(
    base: &Path,
    suffix: &str,
    contents: &str,
) -> Result<PathBuf, StoreError> {
    files::write_private(base, suffix, contents)
}

/// Reader threads: one per core, and at least two so one slow read does not hold up the rest.
fn read_threads() -> usize {
    std::thread::available_parallelism()
        .map_or(2, usize::from)
        .max(2)
}

/// A cheap-to-clone handle to the SQLite store.
#[derive(Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
}

struct Inner {
    writer: Writer,
    readers: readers::Readers,
    cache: SessionCache,
    options: StoreOptions,
    /// The private directory of a throwaway database, removed (after the connections above
    /// it close: fields drop in order) when the store goes.
    _temp_dir: Option<tempfile::TempDir>,
    /// The database file.
    path: PathBuf,
    /// Seals session tokens into their rows (see `sealing`).
    sealer: Arc<sealing::Sealer>,
    /// This process is the database's only server while it holds this (see `files`);
    /// [`SqliteStore::close`] lets go of it.
    lock: parking_lot::Mutex<Option<files::WriterLock>>,
    /// PostgreSQL's row estimates of `_User` and `_Session`, as Parse would read them.
    statistics: Arc<stats::Statistics>,
}

impl SqliteStore {
    /// Open (creating and migrating as needed) the database to serve it: this process becomes
    /// its only server (a second one is refused with [`StoreError::InUse`]). Blocking: call
    /// before serving or from a blocking thread.
    pub fn open(location: &DatabaseLocation, options: StoreOptions) -> Result<Self, StoreError> {
        Self::open_as(location, options, true)
    }

    /// Open the database for a one-off change made beside a running server (`keys rotate`):
    /// no writer lock, and nothing here caches what the server could change.
    pub fn open_for_maintenance(location: &DatabaseLocation) -> Result<Self, StoreError> {
        Self::open_as(location, StoreOptions::default(), false)
    }

    fn open_as(
        location: &DatabaseLocation,
        options: StoreOptions,
        serving: bool,
    ) -> Result<Self, StoreError> {
        let (path, temp_dir) = match location {
            DatabaseLocation::File(path) => (path.clone(), None),
            DatabaseLocation::Postgres(uri) => {
                return Err(StoreError::UnsupportedUri(super::postgres::redact(uri)));
            }
            DatabaseLocation::Memory => {
                // tempfile makes it 0700 under a random name, and removes it on drop.
                let dir = tempfile::Builder::new()
                    .prefix("parse-compat-")
                    .tempdir()
                    .map_err(|e| StoreError::Io(format!("a temporary directory: {e}")))?;
                (dir.path().join("memory.db"), Some(dir))
            }
        };
        let lock = if serving {
            Some(files::lock_writer(&path)?)
        } else {
            None
        };
        files::make_private(&path)?;
        let sealer = Arc::new(sealing::Sealer::for_database(&path)?);
        let mut conn = open_connection(&path, false)?;
        migrations::run(&mut conn)?;
        let statistics = Arc::new(stats::Statistics::load(&conn)?);
        let writer = Writer::start(
            conn,
            open_connection(&path, false)?,
            Arc::clone(&statistics),
        )?;
        let readers = readers::Readers::start(&path, read_threads(), open_connection)?;
        Ok(Self {
            inner: Arc::new(Inner {
                writer,
                readers,
                cache: SessionCache::new(SESSION_CACHE_CAPACITY, SESSION_CACHE_BYTES),
                options,
                sealer,
                _temp_dir: temp_dir,
                lock: parking_lot::Mutex::new(lock),
                path,
                statistics,
            }),
        })
    }

    /// Stop writing: commit what is queued, fold the WAL into the database file, truncate it,
    /// and let another process serve the file. Call once serving has stopped; later writes
    /// fail with [`StoreError::Closed`].
    pub async fn close(&self) {
        // PostgreSQL keeps its table statistics over a clean shutdown.
        self.save_statistics().await;
        self.inner.writer.close().await;
        self.inner.lock.lock().take();
    }

    /// Write `contents` to `<database>.<suffix>`, readable by its owner only (0600), and
    /// answer its path. For secrets the server makes itself, such as a generated master key.
    pub fn write_private_file(&self, suffix: &str, contents: &str) -> Result<PathBuf, StoreError> {
        files::write_private(&self.inner.path, suffix, contents)
    }

    #[cfg(test)]
    pub(in crate::store) fn writer(&self) -> &Writer {
        &self.inner.writer
    }

    /// Run `f` on a reader thread's connection.
    async fn read<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&Connection) -> Result<R, StoreError> + Send + 'static,
    {
        self.inner.readers.read(f).await
    }

    /// Parse's `AccountLockout.handleLoginAttempt`: a locked account refuses every attempt; a
    /// failed one counts, and the one that reaches the threshold locks the account from the
    /// next attempt on; a successful one resets the count.
    pub async fn login_attempt(
        &self,
        user_id: &str,
        success: bool,
        lockout: &crate::policy::AccountLockout,
    ) -> Result<bool, StoreError> {
        let (uid, threshold, duration) = (
            user_id.to_owned(),
            i64::from(lockout.threshold),
            lockout.duration_millis(),
        );
        self.inner
            .writer
            .write(move |tx| {
                let now = now_millis();
                let row: Option<(Option<i64>, Option<i64>)> = tx
                    .prepare_cached(
                        "SELECT failed_login_count, lockout_expires_at FROM users WHERE object_id = ?1",
                    )?
                    .query_row([&uid], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?;
                let Some((count, expires)) = row else {
                    return Ok(false);
                };
                if expires.is_some_and(|at| at > now) {
                    return Ok(true);
                }
                if success {
                    tx.prepare_cached("UPDATE users SET failed_login_count = 0 WHERE object_id = ?1")?
                        .execute([&uid])?;
                    return Ok(false);
                }
                // The attempt that reaches the threshold is still answered as a wrong
                // password; the lock holds from the next one (fixtures/user-options, case A).
                let count = count.unwrap_or(0) + 1;
                let lock = count >= threshold;
                tx.prepare_cached(
                    "UPDATE users SET failed_login_count = ?2, \
                     lockout_expires_at = CASE WHEN ?3 THEN ?4 ELSE lockout_expires_at END \
                     WHERE object_id = ?1",
                )?
                .execute(params![uid, count, lock, now + duration])?;
                Ok(false)
            })
            .await
    }

    /// Whether the user's password is older than `max_age` ms; one changed before the policy
    /// existed starts its clock now.
    pub async fn password_expired(&self, user_id: &str, max_age: i64) -> Result<bool, StoreError> {
        let uid = user_id.to_owned();
        self.inner
            .writer
            .write(move |tx| {
                let now = now_millis();
                let changed: Option<Option<i64>> = tx
                    .prepare_cached("SELECT password_changed_at FROM users WHERE object_id = ?1")?
                    .query_row([&uid], |r| r.get(0))
                    .optional()?;
                match changed {
                    Some(Some(at)) => Ok(at.saturating_add(max_age) < now),
                    Some(None) => {
                        tx.prepare_cached(
                            "UPDATE users SET password_changed_at = ?2 WHERE object_id = ?1",
                        )?
                        .execute(params![uid, now])?;
                        Ok(false)
                    }
                    None => Ok(false),
                }
            })
            .await
    }

    /// The user's current password hash and the replaced ones Parse keeps
    /// (`_password_history`, newest last); `None` when there is no such user.
    pub async fn password_hashes(
        &self,
        user_id: &str,
    ) -> Result<Option<(Option<String>, Vec<String>)>, StoreError> {
        let uid = user_id.to_owned();
        let row: Option<(Option<String>, Option<String>)> = self
            .read(move |conn| {
                Ok(conn
                    .prepare_cached(
                        "SELECT hashed_password, password_history FROM users WHERE object_id = ?1",
                    )?
                    .query_row([&uid], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?)
            })
            .await?;
        Ok(row.map(|(current, history)| {
            let history: Vec<String> = history
                .and_then(|h| serde_json::from_str(&h).ok())
                .unwrap_or_default();
            (current, history)
        }))
    }

    /// Refuse a username another user already has (Parse checks it before an e-mail's format).
    pub async fn ensure_username_free(
        &self,
        username: String,
        except: Option<String>,
    ) -> Result<(), StoreError> {
        let ci = self.inner.options.case_insensitive_identity;
        self.read(move |conn| ensure_identity_free(conn, &username, None, except.as_deref(), ci))
            .await
    }

    /// Insert a new user (and their first session): the class schema gains the user's new
    /// fields, the username and email must be free. Answers the user's fields in class order.
    pub async fn insert_user(
        &self,
        user: User,
        types: Vec<(String, FieldType)>,
        session: Option<IssuedSession>,
    ) -> Result<Map<String, Value>, StoreError> {
        let ci = self.inner.options.case_insensitive_identity;
        let sealer = Arc::clone(&self.inner.sealer);
        let track_password_age = self.inner.options.password_max_age_ms.is_some();
        let mut u = user;
        self.inner
            .writer
            .write(move |tx| {
                let schema = objects::ensure_fields(tx, "_User", &types)?;
                u.fields = super::rules::in_class_order(std::mem::take(&mut u.fields), &schema);
                ensure_identity_free(tx, &u.username, u.email.as_deref(), None, ci)?;
                insert_user(tx, &u)?;
                if track_password_age && u.hashed_password.is_some() {
                    tx.prepare_cached(
                        "UPDATE users SET password_changed_at = created_at WHERE object_id = ?1",
                    )?
                    .execute([&u.object_id])?;
                }
                if let Some(s) = &session {
                    insert_session(tx, s, &sealer)?;
                }
                Ok(u.fields)
            })
            .await
    }

    /// Insert users and sessions made elsewhere (`parse-compat seed`), every chunk in one
    /// transaction with a page cache that can hold it. Token hashes and object ids are random,
    /// so every chunk touches nearly every leaf page of their indexes: committed chunk by chunk,
    /// each page would be written again for every chunk (about a page per row and index, 30
    /// minutes for 10M sessions here); committed once, each page is written once.
    pub async fn import(
        &self,
        mut chunks: tokio::sync::mpsc::Receiver<super::ImportChunk>,
    ) -> Result<(), StoreError> {
        let sealer = Arc::clone(&self.inner.sealer);
        self.inner
            .writer
            .write(move |tx| {
                tx.pragma_update(None, "cache_size", IMPORT_CACHE_KIB)?;
                let imported = (|| {
                    while let Some(chunk) = chunks.blocking_recv() {
                        for u in &chunk.users {
                            insert_user(tx, u)?;
                        }
                        for s in &chunk.sessions {
                            insert_session(tx, s, &sealer)?;
                        }
                    }
                    Ok(())
                })();
                tx.pragma_update(None, "cache_size", WRITER_CACHE_KIB)?;
                imported
            })
            .await
    }

    /// Find the user a login names: by username, or by email, as Parse's login does.
    pub async fn find_login_candidates(
        &self,
        username: Option<String>,
        email: Option<String>,
    ) -> Result<Option<User>, StoreError> {
        // One statement per case, each able to use the username and email indexes (one
        // statement whose `?1 IS NULL` branches covered all three scanned the whole table:
        // 3 logins/s with a million users).
        let (condition, args) = match (&username, &email) {
            (Some(u), Some(e)) => ("username = ?1 AND email = ?2", vec![u.clone(), e.clone()]),
            (None, Some(e)) => ("email = ?1", vec![e.clone()]),
            (Some(u), None) => ("username = ?1 OR email = ?1", vec![u.clone()]),
            (None, None) => return Ok(None),
        };
        self.read(move |conn| {
            let mut users = Vec::new();
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {USER_COLUMNS} FROM users WHERE {condition} LIMIT 2"
            ))?;
            let rows = stmt.query_map(rusqlite::params_from_iter(&args), row_to_user)?;
            for row in rows {
                users.push(row??);
            }
            Ok(match users.len() {
                0 => None,
                1 => users.pop(),
                _ => users
                    .into_iter()
                    .find(|u| Some(&u.username) == username.as_ref()),
            })
        })
        .await
    }

    /// The internal columns of these users, by objectId.
    pub async fn user_internals(
        &self,
        user_ids: Vec<String>,
    ) -> Result<std::collections::HashMap<String, crate::store::UserInternals>, StoreError> {
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT email_verify_token_expires_at, email_verify_token, lockout_expires_at, \
                 failed_login_count, perishable_token, perishable_token_expires_at, \
                 password_changed_at, password_history FROM users WHERE object_id = ?1",
            )?;
            let mut out = std::collections::HashMap::with_capacity(user_ids.len());
            for id in user_ids {
                let found = stmt
                    .query_row([&id], |r| {
                        let history: Option<String> = r.get(7)?;
                        Ok(crate::store::UserInternals {
                            email_verify_token_expires_at: r.get(0)?,
                            email_verify_token: r.get(1)?,
                            account_lockout_expires_at: r.get(2)?,
                            failed_login_count: r.get(3)?,
                            perishable_token: r.get(4)?,
                            perishable_token_expires_at: r.get(5)?,
                            password_changed_at: r.get(6)?,
                            password_history: history.and_then(|h| serde_json::from_str(&h).ok()),
                        })
                    })
                    .optional()?;
                if let Some(internals) = found {
                    out.insert(id, internals);
                }
            }
            Ok(out)
        })
        .await
    }

    /// The roles a user holds: none. Roles are Parse objects this store does not keep (they
    /// need Parse's PostgreSQL tables, shared with a Parse Server).
    pub async fn user_roles(&self, _user_id: &str) -> Result<Vec<String>, StoreError> {
        Ok(Vec::new())
    }

    /// Look a user up by objectId.
    pub async fn find_user(&self, user_id: String) -> Result<Option<User>, StoreError> {
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {USER_COLUMNS} FROM users WHERE object_id = ?1"
            ))?;
            stmt.query_row([&user_id], row_to_user)
                .optional()?
                .transpose()
        })
        .await
    }

    /// Find a user by an auth provider id (`authData.<provider>.id`).
    pub async fn find_user_by_auth(
        &self,
        provider: String,
        id: String,
    ) -> Result<Option<User>, StoreError> {
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {USER_COLUMNS} FROM users WHERE json_extract(auth_data, '$.' || json_quote(?1) || '.id') = ?2"
            ))?;
            stmt.query_row(params![provider, id], row_to_user).optional()?.transpose()
        })
        .await
    }

    /// Insert a session for an existing user (login, logInWith, Descope sign-in). As Parse
    /// does, a session created with an installation id ends the user's other sessions that
    /// carry the same installation id.
    pub async fn insert_login_session(&self, s: IssuedSession) -> Result<(), StoreError> {
        let sealer = Arc::clone(&self.inner.sealer);
        let removed = self
            .inner
            .writer
            .write(move |tx| {
                let exists: Option<i64> = tx
                    .prepare_cached("SELECT 1 FROM users WHERE object_id = ?1")?
                    .query_row([&s.session.user_id], |r| r.get(0))
                    .optional()?;
                if exists.is_none() {
                    return Err(
                        ParseError::new(ErrorCode::ObjectNotFound, "Object not found.").into(),
                    );
                }
                let removed = match &s.session.installation_id {
                    Some(inst) => end_sessions(
                        tx,
                        &Ending::Installation {
                            user: s.session.user_id.clone(),
                            installation: inst.clone(),
                        },
                    )?,
                    None => Vec::new(),
                };
                insert_session(tx, &s, &sealer)?;
                Ok(removed)
            })
            .await?;
        self.ended(&removed);
        Ok(())
    }

    /// Resolve a session token to its session and user, expired or not (callers decide what
    /// an expired session means for their version). `None` when no such session exists.
    pub async fn find_session(&self, token: &str) -> Result<Option<Arc<AuthSession>>, StoreError> {
        let hash = hash_token(token);
        if let Some(hit) = self.inner.cache.get(&hash) {
            return Ok(Some(hit));
        }
        let generation = self.inner.cache.generation();
        let found = self
            .inner
            .readers
            .lookup(move |conn| lookup_session(conn, &hash))
            .await?;
        Ok(self.remember(hash, found, generation))
    }

    /// [`Store::find_session`] for work that continues on another thread: `then` gets the
    /// answer on the reader thread that looked it up (on this thread when cached), so the
    /// caller is not woken between the lookup and what follows it.
    pub fn find_session_then(
        &self,
        token: &str,
        then: impl FnOnce(Result<Option<Arc<AuthSession>>, StoreError>) + Send + 'static,
    ) {
        let hash = hash_token(token);
        if let Some(hit) = self.inner.cache.get(&hash) {
            return then(Ok(Some(hit)));
        }
        let generation = self.inner.cache.generation();
        let store = self.clone();
        self.inner.readers.lookup_then(
            move |conn| lookup_session(conn, &hash),
            move |found| then(found.map(|found| store.remember(hash, found, generation))),
        );
    }

    /// The session for this token if it is in the cache (no I/O): `None` says nothing about
    /// whether it exists.
    pub fn cached_session(&self, token: &str) -> Option<Arc<AuthSession>> {
        self.inner.cache.get(&hash_token(token))
    }

    /// Cache a session read from the database, unless a revoke happened since the read
    /// started (`generation`).
    fn remember(
        &self,
        hash: TokenHash,
        found: Option<AuthSession>,
        generation: u64,
    ) -> Option<Arc<AuthSession>> {
        found.map(|auth| {
            let auth = Arc::new(auth);
            self.inner
                .cache
                .insert_if_current(hash, Arc::clone(&auth), generation);
            auth
        })
    }

    /// Revoke the session with this token in one statement and say what it was: `None` when
    /// no such session existed (unknown, or a concurrent revoke won), else whether it had
    /// expired. Committed before returning.
    pub async fn revoke_returning_expiry(&self, token: &str) -> Result<Option<bool>, StoreError> {
        let which = Ending::Token(token.to_owned());
        let rows = self
            .inner
            .writer
            .write_statement(move |tx| end_sessions(tx, &which))
            .await?;
        self.ended(&rows);
        let now = now_millis();
        Ok(rows
            .first()
            .map(|(_, expires)| expires.is_some_and(|at| at <= now)))
    }

    /// Revoke the session with this token. `true` when this call ended it, `false` when it was
    /// already gone (a concurrent revoke won). Committed before returning.
    pub async fn revoke(&self, token: &str) -> Result<bool, StoreError> {
        Ok(self.revoke_returning_expiry(token).await?.is_some())
    }

    /// Revoke one session of a user by the session's objectId.
    pub async fn revoke_session_by_id(
        &self,
        user_id: &str,
        session_id: &str,
    ) -> Result<bool, StoreError> {
        self.end(Ending::Id {
            id: session_id.to_owned(),
            user: Some(user_id.to_owned()),
        })
        .await
        .map(|rows| !rows.is_empty())
    }

    /// Revoke any session by its objectId (master key).
    pub async fn revoke_session_as_master(&self, session_id: &str) -> Result<bool, StoreError> {
        self.end(Ending::Id {
            id: session_id.to_owned(),
            user: None,
        })
        .await
        .map(|rows| !rows.is_empty())
    }

    /// Revoke every session of a user; returns how many ended.
    pub async fn revoke_all_for_user(&self, user_id: &str) -> Result<usize, StoreError> {
        self.end(Ending::User(user_id.to_owned()))
            .await
            .map(|rows| rows.len())
    }

    /// End the sessions `which` names in a write of its own, then forget them.
    async fn end(&self, which: Ending) -> Result<Vec<EndedRow>, StoreError> {
        let rows = self
            .inner
            .writer
            .write(move |tx| end_sessions(tx, &which))
            .await?;
        self.ended(&rows);
        Ok(rows)
    }

    /// After the commit that ended `rows`: the cache forgets each of them, and the sweeper
    /// counts them.
    pub(in crate::store) fn ended(&self, rows: &[EndedRow]) {
        for (hash, _) in rows {
            match TokenHash::try_from(hash.as_slice()) {
                Ok(hash) => self.inner.cache.invalidate(&hash),
                // A hash of another length cannot be cached under that key; be safe anyway.
                Err(_) => self.inner.cache.clear(),
            }
        }
        self.inner.writer.tombstoned(rows.len());
    }

    /// PostgreSQL's estimate of `class`'s rows (`pg_class.reltuples`), as a Parse Server
    /// sharing this data on PostgreSQL would read it for a count without conditions: -1 until
    /// the table is first analysed (see `stats`). Parse's other classes are never written
    /// here, so never analysed.
    pub async fn estimated_rows(&self, class: &str) -> Result<f32, StoreError> {
        let Some(table) = stats::Table::of_class(class) else {
            return Ok(-1.0);
        };
        let statistics = Arc::clone(&self.inner.statistics);
        let (estimate, due) = statistics.estimate(table);
        let Some(covered) = due else {
            return Ok(estimate);
        };
        let rows: i64 = self
            .read(move |conn| {
                Ok(conn
                    .prepare_cached(table.live_rows_sql())?
                    .query_row([], |r| r.get(0))?)
            })
            .await?;
        let estimate = statistics.analysed(table, u64::try_from(rows).unwrap_or(0), covered);
        // The estimate is kept at once, as PostgreSQL's catalog keeps it through a crash.
        self.save_statistics().await;
        Ok(estimate)
    }

    /// Save the table statistics in `meta` (see `stats`).
    async fn save_statistics(&self) {
        let saved = self.inner.statistics.saved();
        let kept = self
            .inner
            .writer
            .write(move |tx| {
                for (key, value) in saved {
                    tx.prepare_cached(META_PUT)?.execute(params![key, value])?;
                }
                Ok(())
            })
            .await;
        if let Err(e) = kept {
            tracing::warn!(error = %e, "the table statistics were not saved");
        }
    }

    /// Read a value from the store's key/value table (used for signing keys).
    pub async fn meta_get(&self, key: &str) -> Result<Option<String>, StoreError> {
        let key = key.to_owned();
        self.read(move |conn| {
            Ok(conn
                .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
                .query_row([&key], |r| r.get(0))
                .optional()?)
        })
        .await
    }

    /// Write a value to the store's key/value table.
    pub async fn meta_put(&self, key: &str, value: &str) -> Result<(), StoreError> {
        let (k, v) = (key.to_owned(), value.to_owned());
        self.inner
            .writer
            .write(move |tx| {
                tx.prepare_cached(META_PUT)?.execute(params![k, v])?;
                Ok(())
            })
            .await
    }

    /// Insert a session with a token the caller chose, for benchmarks and imports.
    pub async fn insert_sessions(&self, sessions: Vec<IssuedSession>) -> Result<(), StoreError> {
        let sealer = Arc::clone(&self.inner.sealer);
        self.inner
            .writer
            .write(move |tx| {
                for s in &sessions {
                    insert_session(tx, s, &sealer)?;
                }
                Ok(())
            })
            .await
    }
}

/// Small pages: a revoke dirties a leaf page at a random place of the session table, and
/// every dirty page is written whole to the WAL at commit, so smaller pages mean less I/O.
pub(in crate::store) const PAGE_SIZE: i64 = 1024;
/// The writer's page cache, in KiB (SQLite's negative `cache_size`). Small on purpose: clean
/// pages are read through the memory map anyway, and a commit that follows a B-tree page
/// split walks the whole cache. (When a split reorders the new pages, SQLite parks one under
/// the lock-byte page's number, far past the end of the file; at the end of the transaction
/// the cache is "truncated" to the file's size, which for so distant a key means visiting
/// every cached page.) Revokes grow rows, so splits come every few commits: measured on
/// GraphQL logOut, 2 MiB cost 35 us of writer time per revoke, 512 KiB 30 us; 64 MiB had
/// halved REST logout throughput.
const WRITER_CACHE_KIB: i64 = -512;
/// The page cache of a bulk import's one transaction, in KiB: room for the pages it dirties
/// (about 330 bytes per session and 400 per user), so they are written once, at commit. Only
/// what is used is allocated; a larger import spills to the WAL and still completes.
const IMPORT_CACHE_KIB: i64 = -8 * 1024 * 1024;
/// Pages in the WAL before the writer checkpoints by itself. A backstop: the checkpoint
/// thread (see `writer.rs`) normally copies the WAL back long before.
pub(in crate::store) const WAL_AUTOCHECKPOINT_PAGES: i64 = 65_536;
/// Every connection reads the whole file through a memory map instead of `pread` copies
/// (address space, not memory: the pages are the OS's file cache, which it can drop). At ten
/// million sessions (3.3 GB) a lookup that misses the session cache descends four B-trees of
/// 1 KiB pages: mapped, `users/me` on such tokens went from 25,000 to 30,600 req/s and GraphQL
/// `viewer` from 21,000 to 27,300. SQLite's own cap on a map (2 GiB) is raised for this in
/// `.cargo/config.toml`. Readers remap the file when it has grown; a 1 GiB map on the writer
/// alone was once chosen for that, but the remaps no longer showed in the logout rates.
const MMAP_BYTES: i64 = 1 << 40;

/// An ended session's token hash and expiry.
pub(in crate::store) type EndedRow = (Vec<u8>, Option<i64>);

/// End the live sessions `which` names, inside a write: the one statement every revoke of
/// this store runs. A row is marked ended (see `writer`), not deleted. After the commit, hand
/// what it answers to [`SqliteStore::ended`].
pub(in crate::store) fn end_sessions(
    tx: &Connection,
    which: &Ending,
) -> Result<Vec<EndedRow>, StoreError> {
    let now = now_millis();
    let mut args: Vec<Box<dyn rusqlite::ToSql>> = vec![Box::new(now)];
    let condition = match which {
        Ending::Token(token) => {
            args.push(Box::new(hash_token(token).to_vec()));
            "token_hash = ?2"
        }
        Ending::Id { id, user: None } => {
            args.push(Box::new(id.clone()));
            "object_id = ?2"
        }
        Ending::Id {
            id,
            user: Some(user),
        } => {
            args.push(Box::new(id.clone()));
            args.push(Box::new(user.clone()));
            "object_id = ?2 AND user_id = ?3"
        }
        Ending::User(user) => {
            args.push(Box::new(user.clone()));
            "user_id = ?2"
        }
        Ending::Installation { user, installation } => {
            args.push(Box::new(user.clone()));
            args.push(Box::new(installation.clone()));
            "user_id = ?2 AND installation_id = ?3"
        }
    };
    let mut stmt = tx.prepare_cached(&format!(
        "UPDATE session_rows SET revoked_at = ?1 WHERE {condition} AND revoked_at IS NULL \
         RETURNING token_hash, expires_at"
    ))?;
    let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), |r| {
        Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, Option<i64>>(1)?))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The live session with this token hash, with its user.
fn lookup_session(conn: &Connection, hash: &TokenHash) -> Result<Option<AuthSession>, StoreError> {
    // Spelled once: the statement cache is keyed by the text, which every miss would otherwise
    // format anew.
    static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!(
            "SELECT {SESSION_COLUMNS}, {USER_COLUMNS_U} FROM sessions s \
             JOIN users u ON u.object_id = s.user_id WHERE s.token_hash = ?1"
        )
    });
    let mut stmt = conn.prepare_cached(&SQL)?;
    let row = stmt
        .query_row([&hash[..]], |row| {
            Ok(row_to_session(row, 0).and_then(|session| {
                row_to_user_at(row, SESSION_COLUMN_COUNT)
                    .map(|user| AuthSession::new(session, user))
            }))
        })
        .optional()?;
    row.transpose()
}

pub(in crate::store) fn open_connection(
    path: &Path,
    read_only: bool,
) -> Result<Connection, StoreError> {
    let flags = if read_only {
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
    } else {
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
    };
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    if !read_only {
        // WAL: readers never block the writer. synchronous=NORMAL: a commit is durable against
        // a crash of this process (the WAL is written before we answer); only an OS crash or
        // power loss can lose the last commits, the trade-off SQLite documents for WAL.
        // Only takes effect when the file is created: see PAGE_SIZE.
        conn.pragma_update(None, "page_size", PAGE_SIZE)?;
        // Switching a new file to WAL takes an exclusive lock, and SQLite reports a second
        // process doing the same at that moment as busy without waiting: retry briefly.
        let mut attempts = 0;
        loop {
            match conn.pragma_update(None, "journal_mode", "WAL") {
                Err(rusqlite::Error::SqliteFailure(e, _))
                    if e.code == rusqlite::ErrorCode::DatabaseBusy && attempts < 250 =>
                {
                    attempts += 1;
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                other => break other?,
            }
        }
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "cache_size", WRITER_CACHE_KIB)?;
        conn.pragma_update(None, "wal_autocheckpoint", WAL_AUTOCHECKPOINT_PAGES)?;
    }
    conn.pragma_update(None, "mmap_size", MMAP_BYTES)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(conn)
}

/// Refuse a username or email another user already has (ignoring case when `ci`).
fn ensure_identity_free(
    conn: &Connection,
    username: &str,
    email: Option<&str>,
    except_user: Option<&str>,
    ci: bool,
) -> Result<(), StoreError> {
    let except = except_user.unwrap_or("");
    if !username.is_empty() {
        let sql = if ci {
            "SELECT 1 FROM users WHERE username_lower = lower(?1) AND object_id != ?2 LIMIT 1"
        } else {
            "SELECT 1 FROM users WHERE username = ?1 AND object_id != ?2 LIMIT 1"
        };
        let taken: Option<i64> = conn
            .prepare_cached(sql)?
            .query_row(params![username, except], |r| r.get(0))
            .optional()?;
        if taken.is_some() {
            return Err(ParseError::username_taken().into());
        }
    }
    if let Some(email) = email {
        let sql = if ci {
            "SELECT 1 FROM users WHERE email_lower = lower(?1) AND object_id != ?2 LIMIT 1"
        } else {
            "SELECT 1 FROM users WHERE email = ?1 AND object_id != ?2 LIMIT 1"
        };
        let taken: Option<i64> = conn
            .prepare_cached(sql)?
            .query_row(params![email, except], |r| r.get(0))
            .optional()?;
        if taken.is_some() {
            return Err(ParseError::email_taken().into());
        }
    }
    Ok(())
}

const USER_COLUMNS: &str = "object_id, username, email, email_verified, hashed_password, auth_data, acl, created_at, updated_at, fields";
const USER_COLUMNS_U: &str = "u.object_id, u.username, u.email, u.email_verified, u.hashed_password, u.auth_data, u.acl, u.created_at, u.updated_at, u.fields";
const SESSION_COLUMNS: &str = "s.object_id, s.user_id, s.created_at, s.updated_at, s.expires_at, s.action, s.auth_provider, s.installation_id, s.fields";
const SESSION_COLUMN_COUNT: usize = 9;

fn insert_user(conn: &Connection, u: &User) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO users (object_id, username, username_lower, email, email_lower, email_verified, \
         hashed_password, auth_data, acl, created_at, updated_at, fields) \
         VALUES (?1, ?2, lower(?2), ?3, lower(?3), ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        u.object_id,
        u.username,
        u.email,
        u.email_verified,
        u.hashed_password,
        u.auth_data.as_ref().map(|m| Value::Object(m.clone()).to_string()),
        Value::Object(u.acl.clone()).to_string(),
        u.created_at,
        u.updated_at,
        fields_text(&u.fields),
    ])?;
    Ok(())
}

/// A row's `fields` column: `NULL` when there are none.
fn fields_text(fields: &Map<String, Value>) -> Option<String> {
    (!fields.is_empty()).then(|| Value::Object(fields.clone()).to_string())
}

fn insert_session(
    conn: &Connection,
    s: &IssuedSession,
    sealer: &sealing::Sealer,
) -> Result<(), StoreError> {
    let hash = hash_token(&s.token);
    let sealed = sealer.seal(&s.token, &hash);
    insert_session_row(conn, &s.session, &hash, Some(sealed))
}

/// A session row no token opens: its token hash is of random bytes, and no sealed token.
fn insert_session_without_token(conn: &Connection, x: &Session) -> Result<(), StoreError> {
    let mut hash = [0u8; 32];
    os_random(&mut hash);
    insert_session_row(conn, x, &hash, None)
}

fn insert_session_row(
    conn: &Connection,
    x: &Session,
    hash: &TokenHash,
    sealed: Option<Vec<u8>>,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO session_rows (object_id, token_hash, user_id, created_at, updated_at, expires_at, \
         action, auth_provider, installation_id, fields) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        x.object_id,
        &hash[..],
        x.user_id,
        x.created_at,
        x.updated_at,
        x.expires_at,
        x.action.as_str(),
        x.auth_provider,
        x.installation_id,
        fields_text(&x.fields),
    ])?;
    if let Some(sealed) = sealed {
        conn.prepare_cached("INSERT INTO session_tokens (object_id, sealed) VALUES (?1, ?2)")?
            .execute(params![x.object_id, sealed])?;
    }
    Ok(())
}

type RowResult<T> = Result<T, StoreError>;

fn row_to_user(row: &rusqlite::Row<'_>) -> rusqlite::Result<RowResult<User>> {
    Ok(row_to_user_at(row, 0))
}

fn parse_json_object(text: Option<String>, what: &str) -> RowResult<Option<Map<String, Value>>> {
    match text {
        None => Ok(None),
        Some(t) => match serde_json::from_str(&t) {
            Ok(Value::Object(m)) => Ok(Some(m)),
            _ => Err(StoreError::Corrupt(format!("{what} is not a JSON object"))),
        },
    }
}

fn row_to_user_at(row: &rusqlite::Row<'_>, i: usize) -> RowResult<User> {
    Ok(User {
        object_id: row.get(i)?,
        username: row.get(i + 1)?,
        email: row.get(i + 2)?,
        email_verified: row.get(i + 3)?,
        hashed_password: row.get(i + 4)?,
        auth_data: parse_json_object(row.get(i + 5)?, "auth_data")?,
        acl: parse_json_object(row.get(i + 6)?, "acl")?.unwrap_or_default(),
        created_at: row.get(i + 7)?,
        updated_at: row.get(i + 8)?,
        fields: parse_json_object(row.get(i + 9)?, "fields")?.unwrap_or_default(),
    })
}

fn row_to_session(row: &rusqlite::Row<'_>, i: usize) -> RowResult<Session> {
    let action: String = row.get(i + 5)?;
    Ok(Session {
        object_id: row.get(i)?,
        user_id: row.get(i + 1)?,
        created_at: row.get(i + 2)?,
        updated_at: row.get(i + 3)?,
        expires_at: row.get(i + 4)?,
        action: SessionAction::parse(&action)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown session action {action}")))?,
        auth_provider: row.get(i + 6)?,
        installation_id: row.get(i + 7)?,
        fields: parse_json_object(row.get(i + 8)?, "fields")?.unwrap_or_default(),
    })
}
