//! The user and session store shared by REST, GraphQL and the Descope API: one account service
//! ([`Store`]) above one storage interface, kept by one of two backends.
//!
//! - `sqlite`: the embedded default, one file served by one process.
//! - `postgres`: Parse's own tables on PostgreSQL, shared with a real Parse Server and with
//!   other parse-compat instances.
//!
//! The rules of accounts (password checks, lockout, password policy, what a new user and a new
//! session look like) are written here once, whichever backend keeps the rows; a backend
//! stores, finds and ends them. See [`rules`] for the rules of users and sessions as objects.

pub mod class_reads;
pub(crate) mod postgres;
pub mod rules;
mod sqlite;

mod ids;
mod model;

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::{Map, Value, json};

use crate::error::ParseError;
use crate::object::{ClassFields, FieldType};

pub use email::ResetRefused;
pub use ids::{
    TokenHash, hash_token, iso_millis, now_millis, object_id, os_random, parse_iso_millis,
    session_token,
};
pub use model::{
    AuthSession, EmailLookup, EmailToken, EndedSession, IssuedSession, Session, SessionAction,
    SessionMeta, TokenGuard, TokenWrite, User, UserInternals, UserTokens,
};
pub use rules::{
    Caller, Reader, SessionUpdate, UpdatedUser, UserScan, UserUpdate, acl_admits, acl_names_roles,
};

/// bcrypt cost Parse uses.
pub const BCRYPT_COST: u32 = 10;

/// bcrypt runs at most once per core at a time. Waiting for a slot is async, so a login whose
/// client gave up while it waited is dropped before it costs a hash; more hashes at once would
/// only share the same cores.
static BCRYPT_SLOTS: std::sync::LazyLock<tokio::sync::Semaphore> = std::sync::LazyLock::new(|| {
    tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, usize::from))
});

async fn bcrypt_job<R: Send + 'static>(
    job: impl FnOnce() -> R + Send + 'static,
) -> Result<R, StoreError> {
    let _slot = BCRYPT_SLOTS
        .acquire()
        .await
        .map_err(|_| StoreError::Closed)?;
    tokio::task::spawn_blocking(job)
        .await
        .map_err(|e| StoreError::Join(e.to_string()))
}

/// What a missing user's password is compared with: a bcrypt hash of the same cost as real
/// ones, of a random password nobody knows, made once.
static UNKNOWN_USER_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    bcrypt::hash(session_token(), BCRYPT_COST).unwrap_or_else(|_| {
        // bcrypt::hash fails only for a cost outside 4..=31; keep the comparison's cost anyway.
        "$2b$10$0000000000000000000000000000000000000000000000000000.".to_owned()
    })
});

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Parse(#[from] ParseError),
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("postgres: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    #[error("postgres connection pool: {0}")]
    Pool(String),
    #[error("password hashing: {0}")]
    Bcrypt(#[from] bcrypt::BcryptError),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("the store is shut down")]
    Closed,
    #[error("a blocking task failed: {0}")]
    Join(String),
    #[error(
        "database URI `{0}` is not supported: use postgres://USER:PASSWORD@HOST:PORT/DATABASE, \
         sqlite:PATH or sqlite::memory:"
    )]
    UnsupportedUri(String),
    #[error(
        "the database {0:?} is in use by another parse-compat process; two servers on one SQLite \
         file would disagree about revoked sessions, so only one may serve it"
    )]
    InUse(PathBuf),
    #[error("{0}")]
    Io(String),
    #[error(transparent)]
    NotIndexable(#[from] NotIndexable),
}

/// Where the database lives, from `--databaseURI`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseLocation {
    File(PathBuf),
    /// A throwaway database: a file in a private temporary directory removed on shutdown.
    Memory,
    /// Parse's tables in a PostgreSQL database (`postgres://` or `postgresql://`).
    Postgres(String),
}

impl DatabaseLocation {
    pub fn parse(uri: &str) -> Result<Self, StoreError> {
        if uri.starts_with("postgres://") || uri.starts_with("postgresql://") {
            return Ok(Self::Postgres(uri.to_owned()));
        }
        let rest = uri
            .strip_prefix("sqlite://")
            .or_else(|| uri.strip_prefix("sqlite:"))
            .ok_or_else(|| StoreError::UnsupportedUri(uri.to_owned()))?;
        match rest {
            ":memory:" | "memory" => Ok(Self::Memory),
            "" => Err(StoreError::UnsupportedUri(uri.to_owned())),
            path => Ok(Self::File(PathBuf::from(path))),
        }
    }
}

/// Settings that shape the rows the store writes.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Session lifetime in seconds (`--sessionLength`).
    pub session_length_secs: i64,
    /// When false, sessions have no `expiresAt` and never expire.
    pub expire_inactive_sessions: bool,
    /// Username/email uniqueness ignores case (Parse 4.0+).
    pub case_insensitive_identity: bool,
    /// New users get no public read in their ACL (`enforcePrivateUsers`, Parse 6.0+).
    pub private_users: bool,
    /// `accountLockout`.
    pub account_lockout: Option<crate::policy::AccountLockout>,
    /// `passwordPolicy`, whose rules every new password meets.
    pub password_policy: Option<crate::policy::PasswordPolicy>,
    /// `passwordPolicy.maxPasswordAge`, in milliseconds.
    pub password_max_age_ms: Option<i64>,
    /// `passwordPolicy.maxPasswordHistory`.
    pub password_history: Option<u32>,
    /// A password change ends the user's other sessions (`revokeSessionOnPasswordReset`).
    pub revoke_sessions_on_password_change: bool,
    /// The session a password change issues says `createdWith: {"action": "signup"}` (before
    /// 9.0; from 9.0 it has no `createdWith`).
    pub password_change_session_created_with: bool,
    /// The Parse version whose rows (and PostgreSQL tables) the store writes.
    pub parse_version: crate::version::ParseVersion,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            session_length_secs: 31_536_000,
            expire_inactive_sessions: true,
            case_insensitive_identity: true,
            private_users: false,
            account_lockout: None,
            password_policy: None,
            password_max_age_ms: None,
            password_history: None,
            revoke_sessions_on_password_change: true,
            password_change_session_created_with: true,
            parse_version: crate::version::ParseVersion::new(9, 10, 0),
        }
    }
}

/// The user fields a sign-up supplies.
#[derive(Debug, Clone, Default)]
pub struct NewUser {
    pub username: String,
    pub password: Option<String>,
    pub email: Option<String>,
    /// Only the master key sets this at sign-up.
    pub email_verified: Option<bool>,
    pub auth_data: Option<Map<String, Value>>,
    /// Fields beyond `_User`'s own columns, as they will read back, in the order sent.
    pub fields: Map<String, Value>,
    /// The type each of those fields asks for (see [`crate::object::check_types`]).
    pub field_types: Vec<(String, FieldType)>,
    /// The ACL the client gave (normalized); the user's own read and write are added to it.
    /// `None` for the version's default.
    pub acl: Option<Map<String, Value>>,
}

/// The largest entry a PostgreSQL B-tree index takes (a third of an 8 KiB page). Real Parse
/// on PostgreSQL indexes `username` and `email` uniquely, so a longer value fails its insert
/// and Parse answers its uncaught-error 500 (fixtures/hostile: `8.username*`, `8.email1MiB`).
/// The same limit here keeps every cached user small.
pub const MAX_INDEXED_BYTES: usize = 2704;

#[derive(Debug, thiserror::Error)]
#[error("a {0} of more than {MAX_INDEXED_BYTES} bytes cannot be indexed")]
pub struct NotIndexable(&'static str);

fn ensure_indexable(username: Option<&str>, email: Option<&str>) -> Result<(), StoreError> {
    for (field, value) in [("username", username), ("email", email)] {
        if value.is_some_and(|v| v.len() > MAX_INDEXED_BYTES) {
            return Err(StoreError::NotIndexable(NotIndexable(field)));
        }
    }
    Ok(())
}

/// Which live sessions a revoke ends.
pub(crate) enum Ending {
    /// The one session with this token (logout).
    Token(String),
    /// One session by objectId, of this user when one is named (a user deleting their own).
    Id { id: String, user: Option<String> },
    /// Every session of a user (logout-all, a password change).
    User(String),
    /// A user's sessions from one installation (a new login from it replaces them).
    Installation { user: String, installation: String },
}

/// A cheap-to-clone handle to the store.
#[derive(Clone)]
pub struct Store {
    backend: Backend,
    options: Arc<StoreOptions>,
    /// What Parse's schema cache would show its GraphQL schema (see [`class_reads`]).
    class_reads: Arc<class_reads::ClassReads>,
}

/// Where the rows live.
#[derive(Clone)]
enum Backend {
    Sqlite(sqlite::SqliteStore),
    Postgres(postgres::PgStore),
}

/// Run the same call on whichever backend this store has.
macro_rules! backend {
    ($self:ident, $b:ident => $call:expr) => {
        match &$self.backend {
            Backend::Sqlite($b) => $call,
            Backend::Postgres($b) => $call,
        }
    };
}

/// One chunk of a bulk import ([`Store::import`]).
#[derive(Debug, Default)]
pub struct ImportChunk {
    pub users: Vec<User>,
    pub sessions: Vec<IssuedSession>,
}

// After the macro: the e-mail flows dispatch with it.
mod email;

impl Store {
    /// Open (creating and migrating as needed) the database to serve it. For SQLite this
    /// process becomes the file's only server (a second one is refused with
    /// [`StoreError::InUse`]).
    pub async fn connect(
        location: &DatabaseLocation,
        options: StoreOptions,
    ) -> Result<Self, StoreError> {
        match location {
            DatabaseLocation::File(_) | DatabaseLocation::Memory => {
                let (location, opts) = (location.clone(), options.clone());
                let store =
                    tokio::task::spawn_blocking(move || sqlite::SqliteStore::open(&location, opts))
                        .await
                        .map_err(|e| StoreError::Join(e.to_string()))??;
                Ok(Self::with(Backend::Sqlite(store), options))
            }
            DatabaseLocation::Postgres(uri) => {
                let store = postgres::PgStore::connect(uri, options.clone()).await?;
                Ok(Self::with(Backend::Postgres(store), options))
            }
        }
    }

    /// [`Store::connect`] for a SQLite database, from a blocking context.
    pub fn open(location: &DatabaseLocation, options: StoreOptions) -> Result<Self, StoreError> {
        let store = sqlite::SqliteStore::open(location, options.clone())?;
        Ok(Self::with(Backend::Sqlite(store), options))
    }

    /// Open the database for a one-off change made beside a running server (`keys rotate`):
    /// nothing here caches what the server could change.
    pub async fn connect_for_maintenance(location: &DatabaseLocation) -> Result<Self, StoreError> {
        match location {
            DatabaseLocation::File(_) | DatabaseLocation::Memory => {
                Self::open_for_maintenance(location)
            }
            DatabaseLocation::Postgres(uri) => {
                let store = postgres::PgStore::connect(uri, StoreOptions::default()).await?;
                Ok(Self::with(
                    Backend::Postgres(store),
                    StoreOptions::default(),
                ))
            }
        }
    }

    /// [`Store::connect_for_maintenance`] for a SQLite database.
    pub fn open_for_maintenance(location: &DatabaseLocation) -> Result<Self, StoreError> {
        let store = sqlite::SqliteStore::open_for_maintenance(location)?;
        Ok(Self::with(Backend::Sqlite(store), StoreOptions::default()))
    }

    fn with(backend: Backend, options: StoreOptions) -> Self {
        let behavior = crate::version::Behavior::of(options.parse_version);
        Self {
            backend,
            class_reads: Arc::new(class_reads::ClassReads::new(
                behavior.graphql_schema_shows_read_columns,
            )),
            options: Arc::new(options),
        }
    }

    /// The reads Parse's database layer would have made through its schema cache, for the
    /// GraphQL schema it shows.
    pub fn class_reads(&self) -> &class_reads::ClassReads {
        &self.class_reads
    }

    /// Stop writing (see each backend); later writes fail with [`StoreError::Closed`].
    pub async fn close(&self) {
        backend!(self, b => b.close().await);
    }

    /// Write `contents` to a file beside the database readable by its owner only (0600), and
    /// answer its path. For secrets the server makes itself, such as a generated master key.
    pub fn write_private_file(&self, suffix: &str, contents: &str) -> Result<PathBuf, StoreError> {
        backend!(self, b => b.write_private_file(suffix, contents))
    }

    pub fn options(&self) -> &StoreOptions {
        &self.options
    }

    #[cfg(test)]
    fn sqlite(&self) -> &sqlite::SqliteStore {
        match &self.backend {
            Backend::Sqlite(s) => s,
            Backend::Postgres(_) => panic!("not a SQLite store"),
        }
    }

    /// Hash a password with bcrypt on a blocking thread.
    async fn hash_password(password: String) -> Result<String, StoreError> {
        bcrypt_job(move || Ok(bcrypt::hash(password, BCRYPT_COST)?)).await?
    }

    /// Compare a password with a stored bcrypt hash on a blocking thread. With no hash (no
    /// such user, or one without a password) the comparison still runs, against a throwaway
    /// hash, and fails: it takes as long either way.
    pub async fn verify_password(
        password: String,
        hash: Option<String>,
    ) -> Result<bool, StoreError> {
        bcrypt_job(move || {
            // Made on first use, on this blocking thread: never on an async worker.
            let hash = hash.as_deref().unwrap_or(&UNKNOWN_USER_HASH);
            bcrypt::verify(password, hash).unwrap_or(false)
        })
        .await
    }

    /// The one password check of every sign-in (REST login, GraphQL logIn, Descope sign-in):
    /// the user a username or email names, if the password is theirs and their ACL does not
    /// lock them out (an empty ACL does, except for the master key), as Parse's login decides.
    ///
    /// Exactly one bcrypt comparison runs whatever the outcome (against a throwaway hash when
    /// no such user exists or they have no password), so the time an answer takes does not
    /// tell whether a user exists. Parse itself answers an unknown user at once.
    pub async fn check_credentials(
        &self,
        username: Option<String>,
        email: Option<String>,
        password: String,
        master: bool,
    ) -> Result<Option<User>, StoreError> {
        let user = self.find_login_candidates(username, email).await?;
        let hash = user.as_ref().and_then(|u| u.hashed_password.clone());
        let matches = Self::verify_password(password, hash).await?;
        if let (Some(u), Some(lockout)) = (&user, &self.options.account_lockout) {
            self.login_attempt(
                &u.object_id,
                matches && u.hashed_password.is_some(),
                lockout,
            )
            .await?;
        }
        Ok(
            user.filter(|u| {
                matches && u.hashed_password.is_some() && (master || !u.acl.is_empty())
            }),
        )
    }

    /// `passwordPolicy`'s rules for a new password (sign-up or change): the pattern, the
    /// username, and for a change of an existing user's password, the history.
    pub async fn check_new_password(
        &self,
        password: &str,
        username: Option<&str>,
        user_id: Option<&str>,
    ) -> Result<(), StoreError> {
        let Some(policy) = &self.options.password_policy else {
            return Ok(());
        };
        let looked_up;
        let username = match (username, user_id) {
            (Some(u), _) => Some(u),
            (None, Some(id)) if policy.do_not_allow_username => {
                looked_up = self.find_user(id.to_owned()).await?.map(|u| u.username);
                looked_up.as_deref()
            }
            _ => None,
        };
        policy.check(password, username)?;
        if let (Some(max), Some(id)) = (policy.max_password_history, user_id)
            && self.password_was_used(id, password, max).await?
        {
            return Err(policy.repeated_error().into());
        }
        Ok(())
    }

    fn new_session(
        &self,
        user_id: &str,
        action: SessionAction,
        provider: &str,
        meta: &SessionMeta,
    ) -> IssuedSession {
        let now = now_millis();
        let opts = &self.options;
        IssuedSession {
            session: Session {
                object_id: object_id(),
                user_id: user_id.to_owned(),
                created_at: now,
                updated_at: now,
                expires_at: opts
                    .expire_inactive_sessions
                    .then(|| now.saturating_add(opts.session_length_secs.saturating_mul(1000))),
                action,
                auth_provider: provider.to_owned(),
                installation_id: meta.installation_id.clone(),
                fields: Map::new(),
            },
            token: session_token(),
        }
    }

    fn default_acl(&self, user_id: &str) -> Map<String, Value> {
        let mut acl = Map::new();
        if !self.options.private_users {
            acl.insert("*".into(), json!({"read": true}));
        }
        acl.insert(user_id.into(), json!({"read": true, "write": true}));
        acl
    }

    /// Create a user and their first session (`POST /users`, GraphQL signUp).
    ///
    /// The caller has validated presence of username and password as its Parse version does.
    pub async fn sign_up(
        &self,
        new: NewUser,
        meta: SessionMeta,
    ) -> Result<(User, IssuedSession), StoreError> {
        self.create_user(new, meta, true).await
    }

    /// Create a user without a session (Parse 9 for the master key).
    pub async fn create_user_only(&self, new: NewUser) -> Result<User, StoreError> {
        Ok(self
            .create_user(new, SessionMeta::default(), false)
            .await?
            .0)
    }

    /// Parse's `AccountLockout.handleLoginAttempt` for one sign-in: refused with Parse's
    /// lockout error while the account is locked.
    async fn login_attempt(
        &self,
        user_id: &str,
        success: bool,
        lockout: &crate::policy::AccountLockout,
    ) -> Result<(), StoreError> {
        let locked = backend!(self, b => b.login_attempt(user_id, success, lockout).await)?;
        if locked {
            return Err(lockout.locked_error().into());
        }
        Ok(())
    }

    /// `passwordPolicy.maxPasswordAge` at login: a password older than that is refused (Parse:
    /// "Your password has expired..."); one changed before the policy existed starts its
    /// clock now.
    pub async fn check_password_age(&self, user_id: &str) -> Result<(), StoreError> {
        let Some(max_age) = self.options.password_max_age_ms else {
            return Ok(());
        };
        if backend!(self, b => b.password_expired(user_id, max_age).await)? {
            return Err(crate::policy::PasswordPolicy::expired_error().into());
        }
        Ok(())
    }

    /// Whether `password` is the user's current one or one of the passwords it replaced
    /// (`passwordPolicy.maxPasswordHistory`, which counts the current one).
    pub async fn password_was_used(
        &self,
        user_id: &str,
        password: &str,
        max_history: u32,
    ) -> Result<bool, StoreError> {
        let Some((current, history)) = backend!(self, b => b.password_hashes(user_id).await)?
        else {
            return Ok(false);
        };
        let keep = usize::try_from(max_history.saturating_sub(1)).unwrap_or(0);
        let mut hashes: Vec<String> = history.into_iter().take(keep).collect();
        hashes.extend(current);
        let password = password.to_owned();
        bcrypt_job(move || {
            hashes
                .iter()
                .any(|h| bcrypt::verify(&password, h).unwrap_or(false))
        })
        .await
    }

    async fn create_user(
        &self,
        new: NewUser,
        meta: SessionMeta,
        with_session: bool,
    ) -> Result<(User, IssuedSession), StoreError> {
        ensure_indexable(Some(&new.username), new.email.as_deref())?;
        let hashed = match new.password.clone() {
            Some(p) => Some(Self::hash_password(p).await?),
            None => None,
        };
        let now = now_millis();
        let user_id = object_id();
        let acl = match new.acl {
            Some(mut acl) => {
                acl.insert(user_id.clone(), json!({"read": true, "write": true}));
                crate::object::normalize_acl(&acl)
            }
            None => self.default_acl(&user_id),
        };
        let mut user = User {
            object_id: user_id.clone(),
            username: new.username,
            email: new.email,
            email_verified: new.email_verified,
            hashed_password: hashed,
            auth_data: new.auth_data.clone(),
            acl,
            created_at: now,
            updated_at: now,
            fields: new.fields,
        };
        // A user made through an auth provider: up to 4.x Parse records the session as a
        // password sign-up; from 5.0 as a login with the provider (fixtures/pg-tables).
        let (action, provider) = match &new.auth_data {
            Some(data) if !data.is_empty() && self.options.parse_version.at_least(5, 0) => (
                SessionAction::Login,
                data.keys().cloned().collect::<Vec<_>>().join(","),
            ),
            _ => (SessionAction::Signup, "password".to_owned()),
        };
        let issued = self.new_session(&user_id, action, &provider, &meta);
        let session = with_session.then(|| issued.clone());
        user.fields =
            backend!(self, b => b.insert_user(user.clone(), new.field_types, session).await)?;
        Ok((user, issued))
    }

    /// Refuse a username another user already has (202), as Parse's `_validateUserName` does
    /// before `_validateEmail` looks at the e-mail's format.
    pub async fn ensure_username_free(
        &self,
        username: &str,
        except_user: Option<&str>,
    ) -> Result<(), StoreError> {
        let username = username.to_owned();
        let except = except_user.map(str::to_owned);
        backend!(self, b => b.ensure_username_free(username, except).await)
    }

    /// Find the user a login names: by username, or by email, as Parse's login does.
    pub async fn find_login_candidates(
        &self,
        username: Option<String>,
        email: Option<String>,
    ) -> Result<Option<User>, StoreError> {
        backend!(self, b => b.find_login_candidates(username, email).await)
    }

    /// The internal columns of these users (those that exist), by objectId.
    pub async fn user_internals(
        &self,
        user_ids: Vec<String>,
    ) -> Result<std::collections::HashMap<String, UserInternals>, StoreError> {
        backend!(self, b => b.user_internals(user_ids).await)
    }

    /// The roles a user holds, inherited ones included, as ACL keys (`role:<name>`): read
    /// from Parse's `_Role` tables on PostgreSQL; none on SQLite.
    pub async fn user_roles(&self, user_id: &str) -> Result<Vec<String>, StoreError> {
        backend!(self, b => b.user_roles(user_id).await)
    }

    /// Look a user up by objectId.
    pub async fn find_user(&self, user_id: String) -> Result<Option<User>, StoreError> {
        backend!(self, b => b.find_user(user_id).await)
    }

    /// Find a user by an auth provider id (`authData.<provider>.id`).
    pub async fn find_user_by_auth(
        &self,
        provider: String,
        id: String,
    ) -> Result<Option<User>, StoreError> {
        backend!(self, b => b.find_user_by_auth(provider, id).await)
    }

    /// Create a session for an existing user (login, logInWith, Descope sign-in).
    ///
    /// As Parse does, a session created with an installation id ends the user's other
    /// sessions that carry the same installation id.
    pub async fn create_session(
        &self,
        user_id: &str,
        action: SessionAction,
        provider: &str,
        meta: SessionMeta,
    ) -> Result<IssuedSession, StoreError> {
        let issued = self.new_session(user_id, action, provider, &meta);
        backend!(self, b => b.insert_login_session(issued.clone()).await)?;
        Ok(issued)
    }

    /// Resolve a session token to its session and user, expired or not (callers decide what
    /// an expired session means for their version). `None` when no such session exists.
    pub async fn find_session(&self, token: &str) -> Result<Option<Arc<AuthSession>>, StoreError> {
        backend!(self, b => b.find_session(token).await)
    }

    /// [`Store::find_session`] for work that continues on another thread: `then` gets the
    /// answer where the lookup finished, so the caller is not woken between the lookup and
    /// what follows it.
    pub fn find_session_then(
        &self,
        token: &str,
        then: impl FnOnce(Result<Option<Arc<AuthSession>>, StoreError>) + Send + 'static,
    ) {
        backend!(self, b => b.find_session_then(token, then));
    }

    /// The session for this token if it is known without I/O: `None` says nothing about
    /// whether it exists.
    pub fn cached_session(&self, token: &str) -> Option<Arc<AuthSession>> {
        backend!(self, b => b.cached_session(token))
    }

    /// Whether sessions are kept in memory between requests (SQLite), so that what is
    /// rendered from one ([`AuthSession::rendered`]) is used again.
    pub const fn caches_sessions(&self) -> bool {
        match &self.backend {
            Backend::Sqlite(_) => true,
            Backend::Postgres(_) => false,
        }
    }

    /// Revoke the session with this token in one statement and say what it was: `None` when
    /// no such session existed (unknown, or a concurrent revoke won), else whether it had
    /// expired. Committed before returning.
    pub async fn revoke_returning_expiry(&self, token: &str) -> Result<Option<bool>, StoreError> {
        backend!(self, b => b.revoke_returning_expiry(token).await)
    }

    /// Revoke the session with this token. `true` when this call ended it, `false` when it was
    /// already gone (a concurrent revoke won). Committed before returning.
    pub async fn revoke(&self, token: &str) -> Result<bool, StoreError> {
        backend!(self, b => b.revoke(token).await)
    }

    /// Revoke one session of a user by the session's objectId.
    pub async fn revoke_session_by_id(
        &self,
        user_id: &str,
        session_id: &str,
    ) -> Result<bool, StoreError> {
        backend!(self, b => b.revoke_session_by_id(user_id, session_id).await)
    }

    /// Revoke any session by its objectId (master key).
    pub async fn revoke_session_as_master(&self, session_id: &str) -> Result<bool, StoreError> {
        backend!(self, b => b.revoke_session_as_master(session_id).await)
    }

    /// Revoke every session of a user; returns how many ended.
    pub async fn revoke_all_for_user(&self, user_id: &str) -> Result<usize, StoreError> {
        backend!(self, b => b.revoke_all_for_user(user_id).await)
    }

    /// PostgreSQL's estimate of `class`'s rows (`pg_class.reltuples`: -1 on a table never
    /// analysed), which Parse answers a count with the master key and no `where` from.
    pub async fn estimated_rows(&self, class: &str) -> Result<f32, StoreError> {
        backend!(self, b => b.estimated_rows(class).await)
    }

    /// Read a value from the store's own key/value table (used for signing keys).
    pub async fn meta_get(&self, key: &str) -> Result<Option<String>, StoreError> {
        backend!(self, b => b.meta_get(key).await)
    }

    /// Write a value to the store's own key/value table.
    pub async fn meta_put(&self, key: &str, value: &str) -> Result<(), StoreError> {
        backend!(self, b => b.meta_put(key, value).await)
    }

    /// A user row as a sign-up of this version writes it (the version's default ACL), with
    /// an already hashed password: for `parse-compat seed`.
    pub fn new_user_row(&self, username: String, email: Option<String>, hashed: String) -> User {
        let now = now_millis();
        let object_id = object_id();
        User {
            acl: self.default_acl(&object_id),
            object_id,
            username,
            email,
            email_verified: None,
            hashed_password: Some(hashed),
            auth_data: None,
            created_at: now,
            updated_at: now,
            fields: Map::new(),
        }
    }

    /// A password login session for `user_id`, not yet stored: for `parse-compat seed`.
    pub fn new_login_session(&self, user_id: &str) -> IssuedSession {
        self.new_session(
            user_id,
            SessionAction::Login,
            "password",
            &SessionMeta::default(),
        )
    }

    /// A bcrypt hash of `password` at Parse's cost.
    pub async fn hash(password: String) -> Result<String, StoreError> {
        Self::hash_password(password).await
    }

    /// Insert the users and sessions of every chunk `chunks` yields, made by
    /// [`Store::new_user_row`] and [`Store::new_login_session`] (`parse-compat seed`). No
    /// uniqueness checks beyond the tables' own. SQLite writes everything in one transaction;
    /// PostgreSQL commits each chunk.
    pub async fn import(
        &self,
        chunks: tokio::sync::mpsc::Receiver<ImportChunk>,
    ) -> Result<(), StoreError> {
        backend!(self, b => b.import(chunks).await)
    }

    /// Insert sessions with tokens the caller chose, for benchmarks and imports.
    pub async fn insert_sessions(&self, sessions: Vec<IssuedSession>) -> Result<(), StoreError> {
        backend!(self, b => b.insert_sessions(sessions).await)
    }

    /// The fields `class` has gained, in order.
    pub async fn class_fields(&self, class: &'static str) -> Result<ClassFields, StoreError> {
        backend!(self, b => b.class_fields(class).await)
    }

    /// Update a user as Parse's `RestWrite` does, in its order: the schema gains the new
    /// fields (kept even when the write is then refused, as on Parse), usernames and emails
    /// are checked for uniqueness, then the caller's right to write the row, then the change.
    /// A password change ends every session of the user and, for the user themselves, issues
    /// a new one. `sanitized` says whether this Parse version words permission errors
    /// "Permission denied".
    pub async fn update_user(
        &self,
        user_id: &str,
        update: UserUpdate,
        meta: SessionMeta,
        sanitized: bool,
    ) -> Result<UpdatedUser, StoreError> {
        ensure_indexable(
            update.username.as_deref(),
            update.email.as_ref().and_then(Option::as_deref),
        )?;
        let hashed = match update.password.clone() {
            Some(p) => Some(Self::hash_password(p).await?),
            None => None,
        };
        let (action, provider) = if self.options.password_change_session_created_with {
            (SessionAction::Signup, "password")
        } else {
            (SessionAction::Unset, "")
        };
        let new_session = match (&hashed, &update.caller) {
            (Some(_), Caller::User(_)) => Some(self.new_session(user_id, action, provider, &meta)),
            _ => None,
        };
        let (user, answers) = backend!(self, b => b
            .update_user(user_id, update, hashed, new_session.clone(), sanitized)
            .await)?;
        Ok(UpdatedUser {
            user,
            new_session,
            answers,
        })
    }

    /// Delete a user as Parse does: the master key or whoever the ACL lets write the row.
    /// Their sessions stay (Parse leaves them), and no longer resolve to anyone.
    pub async fn delete_user(
        &self,
        user_id: &str,
        caller: Caller,
        sanitized: bool,
    ) -> Result<(), StoreError> {
        backend!(self, b => b.delete_user(user_id, caller, sanitized).await)
    }

    /// Visit users in the order they were made, narrowed as `scan` says; `visit` reads
    /// rows from the iterator (off the async runtime) and answers what the caller wants.
    pub async fn scan_users<R, F>(&self, scan: UserScan, visit: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&mut dyn Iterator<Item = Result<User, StoreError>>) -> Result<R, StoreError>
            + Send
            + 'static,
    {
        backend!(self, b => b.scan_users(scan, visit).await)
    }

    /// Visit live sessions (with their tokens, when this server can read them) in the order
    /// they were made: one user's or everyone's, one objectId's or any.
    pub async fn scan_sessions<R, F>(
        &self,
        user_id: Option<String>,
        object_id: Option<String>,
        visit: F,
    ) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(
                &mut dyn Iterator<Item = Result<(Session, Option<String>), StoreError>>,
            ) -> Result<R, StoreError>
            + Send
            + 'static,
    {
        backend!(self, b => b.scan_sessions(user_id, object_id, visit).await)
    }

    /// Update a session's custom fields. `Ok(None)` when the caller may not see it (Parse's
    /// "Object not found."); else its new `updatedAt` and the values operations produced.
    pub async fn update_session(
        &self,
        session_id: &str,
        update: SessionUpdate,
    ) -> Result<Option<(i64, Map<String, Value>)>, StoreError> {
        backend!(self, b => b.update_session(session_id, update).await)
    }

    /// Make a session for a signed-in user that names no auth provider: `POST /sessions`
    /// (`createdWith: {"action": "create"}`, with the fields the client gave) and
    /// `upgradeToRevocableSession` (`"upgrade"`).
    pub async fn create_plain_session(
        &self,
        user_id: &str,
        action: SessionAction,
        meta: SessionMeta,
        fields: Map<String, Value>,
        field_types: Vec<(String, FieldType)>,
    ) -> Result<IssuedSession, StoreError> {
        let mut issued = self.new_session(user_id, action, "", &meta);
        issued.session.fields = fields;
        backend!(self, b => b.insert_plain_session(issued, field_types).await)
    }

    /// A `_Session` the master key writes as a plain object: no token anyone holds, no
    /// expiry, no `createdWith`.
    pub async fn create_object_session(
        &self,
        user_id: &str,
        meta: SessionMeta,
        fields: Map<String, Value>,
        field_types: Vec<(String, FieldType)>,
    ) -> Result<Session, StoreError> {
        let mut issued = self.new_session(user_id, SessionAction::Unset, "", &meta);
        issued.session.expires_at = None;
        issued.session.fields = fields;
        backend!(self, b => b.insert_object_session(issued, field_types).await)
    }

    /// Add fields to a class's schema and remove others (and their values, from every row).
    pub async fn change_class_fields(
        &self,
        class: &'static str,
        added: Vec<(String, FieldType)>,
        removed: Vec<String>,
    ) -> Result<ClassFields, StoreError> {
        backend!(self, b => b.change_class_fields(class, added, removed).await)
    }

    /// The stored Descope signing-key document, if keys were ever created.
    pub async fn descope_keys(&self) -> Result<Option<String>, StoreError> {
        self.meta_get(DESCOPE_SIGNING_KEYS).await
    }

    /// Replace the signing-key document with what `change` makes of the current one,
    /// atomically (two processes cannot both add a first key). Returns the document now
    /// stored.
    pub async fn descope_update_keys<F>(&self, change: F) -> Result<String, StoreError>
    where
        F: FnOnce(Option<String>) -> Result<String, StoreError> + Send + 'static,
    {
        backend!(self, b => b.update_meta(DESCOPE_SIGNING_KEYS, change).await)
    }

    /// A session and its user by the session's objectId, expired or not (a Descope refresh
    /// JWT names its session by objectId, never by token).
    pub async fn find_session_by_id(
        &self,
        session_id: &str,
    ) -> Result<Option<AuthSession>, StoreError> {
        backend!(self, b => b.find_session_by_id(session_id).await)
    }

    /// End one session of a user by its objectId (Descope logout).
    pub async fn end_session_by_id(
        &self,
        user_id: &str,
        session_id: &str,
        now_millis: i64,
    ) -> Result<EndedSession, StoreError> {
        backend!(self, b => b.end_session_by_id(user_id, session_id, now_millis).await)
    }
}

/// The key under which the Descope signing keys are kept (a JSON document).
const DESCOPE_SIGNING_KEYS: &str = "descope.signing_keys";

#[cfg(test)]
mod tests;

impl From<deadpool_postgres::PoolError> for StoreError {
    fn from(err: deadpool_postgres::PoolError) -> Self {
        match err {
            deadpool_postgres::PoolError::Backend(e) => Self::Postgres(e),
            other => Self::Pool(other.to_string()),
        }
    }
}
