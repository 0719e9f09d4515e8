//! The rows we keep, modelled on Parse's `_User` and `_Session` classes.

use serde_json::{Map, Value};

/// A `_User` row.
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub object_id: String,
    pub username: String,
    pub email: Option<String>,
    pub email_verified: Option<bool>,
    /// bcrypt hash in the `$2a$`/`$2b$` form Parse stores in `_hashed_password`; `None` for
    /// users created through an auth provider only (anonymous).
    pub hashed_password: Option<String>,
    /// Parse's `authData`, e.g. `{"anonymous":{"id":"..."}}`.
    pub auth_data: Option<Map<String, Value>>,
    /// The ACL as Parse stores it (`{"*":{"read":true},"<id>":{"read":true,"write":true}}`).
    pub acl: Map<String, Value>,
    pub created_at: i64,
    pub updated_at: i64,
    /// The fields a client gave the user beyond `_User`'s own columns, in the class's field
    /// order, each as Parse returns it.
    pub fields: Map<String, Value>,
}

/// How a session came to be (`createdWith` in Parse).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionAction {
    Signup,
    Login,
    Upgrade,
    /// `POST /sessions`: a session a signed-in user made for themselves.
    Create,
    /// A session the master key wrote as a plain object: no `createdWith` at all.
    Unset,
}

impl SessionAction {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Signup => "signup",
            Self::Login => "login",
            Self::Upgrade => "upgrade",
            Self::Create => "create",
            Self::Unset => "",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "signup" => Some(Self::Signup),
            "login" => Some(Self::Login),
            "upgrade" => Some(Self::Upgrade),
            "create" => Some(Self::Create),
            "" => Some(Self::Unset),
            _ => None,
        }
    }
}

/// A `_Session` row. The token itself is never stored, only its SHA-256.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub object_id: String,
    pub user_id: String,
    pub created_at: i64,
    pub updated_at: i64,
    /// `None` when sessions do not expire (`expireInactiveSessions: false`).
    pub expires_at: Option<i64>,
    pub action: SessionAction,
    /// `password`, `anonymous`, or another auth provider name; empty for a session that
    /// names none (`createdWith: {"action": "create"}`).
    pub auth_provider: String,
    pub installation_id: Option<String>,
    /// Fields a client gave the session beyond `_Session`'s own columns.
    pub fields: Map<String, Value>,
}

impl Session {
    pub fn is_expired(&self, now_millis: i64) -> bool {
        self.expires_at.is_some_and(|at| at <= now_millis)
    }
}

/// A session together with its user: what a valid session token resolves to.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthSession {
    pub session: Session,
    pub user: User,
    /// Answers derived from this session, rendered once while it stays cached.
    pub rendered: Rendered,
    /// When Parse would have put this token, and its user's roles, in its caches
    /// (`store::class_reads`).
    pub parse_cache: super::class_reads::ParseCacheMarks,
}

impl AuthSession {
    pub fn new(session: Session, user: User) -> Self {
        Self {
            session,
            user,
            rendered: Rendered::default(),
            parse_cache: super::class_reads::ParseCacheMarks::default(),
        }
    }

    /// About how many bytes this entry holds once its renderings are filled (each rendering
    /// is about the size of the user's own data), for the session cache's byte budget.
    pub fn approximate_bytes(&self) -> usize {
        // Struct and allocation overhead, the data, and two renderings of the user
        // (`/users/me`, and one GraphQL answer: see [`Self::rendering_allowance`]).
        let (session, data) = self.data_bytes();
        512 + session + 2 * data + allowance(session, data)
    }

    /// The bytes [`Self::approximate_bytes`] counts for one GraphQL answer kept in
    /// [`Rendered::graphql`]: the user's and the session's data and some structure around them.
    /// A larger answer is not kept.
    pub fn rendering_allowance(&self) -> usize {
        let (session, data) = self.data_bytes();
        allowance(session, data)
    }

    /// The session's own data, and the user's.
    fn data_bytes(&self) -> (usize, usize) {
        // The length of each map's JSON, counted as it is written rather than written out.
        let json = |v: Option<&Map<String, Value>>| {
            v.map_or(0, |m| {
                let mut count = ByteCount(0);
                serde_json::to_writer(&mut count, m).map_or(0, |()| count.0)
            })
        };
        let user = &self.user;
        let data = user.object_id.len()
            + user.username.len()
            + user.email.as_ref().map_or(0, String::len)
            + user.hashed_password.as_ref().map_or(0, String::len)
            + json(user.auth_data.as_ref())
            + json(Some(&user.acl))
            + json(Some(&user.fields));
        let session = self.session.object_id.len()
            + self.session.user_id.len()
            + self.session.auth_provider.len()
            + self.session.installation_id.as_ref().map_or(0, String::len)
            + json(Some(&self.session.fields));
        (session, data)
    }
}

/// A writer that only counts what is written to it.
struct ByteCount(usize);

impl std::io::Write for ByteCount {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A GraphQL answer's bytes: the user's and the session's data and some structure around them.
const fn allowance(session: usize, data: usize) -> usize {
    512 + session + data
}

/// Renderings of a cached session's user, filled on first use. The session cache drops the
/// whole entry when the user or session changes, so a rendering can never go stale.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// `GET /users/me`'s JSON object without its closing brace (the token is appended per
    /// request, so no plaintext token is kept).
    pub users_me_prefix: std::sync::OnceLock<bytes::Bytes>,
    /// The last GraphQL query answered for this session, to answer again when it repeats.
    pub graphql: crate::graphql::envelope::memo::Slot,
}

impl PartialEq for Rendered {
    /// Renderings are a cache: they never make two sessions different.
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// What a caller supplies about a session it asks us to create.
#[derive(Debug, Clone, Default)]
pub struct SessionMeta {
    pub installation_id: Option<String>,
}

/// A new session as handed back to the caller: the row and the only copy of its token.
#[derive(Debug, Clone)]
pub struct IssuedSession {
    pub session: Session,
    pub token: String,
}

/// What [`super::Store::end_session_by_id`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndedSession {
    /// This call deleted the row; `expired` says whether it had already expired.
    Ended { expired: bool },
    /// No such session of that user (revoked before, or never existed).
    Missing,
}

/// A single-use token of an e-mail flow: Parse's `_email_verify_token` (the link that verifies
/// an address) or `_perishable_token` (the link that resets a password), with its expiry when
/// the app set a validity duration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailToken {
    pub token: String,
    pub expires_at: Option<i64>,
}

impl EmailToken {
    /// Still usable at `now` (a token without expiry always is).
    pub fn is_valid(&self, now_millis: i64) -> bool {
        self.expires_at.is_none_or(|at| at > now_millis)
    }

    /// Has an expiry, still ahead at `now`: Parse's `expires_at > now` (`$gt` in a query, or
    /// a `Date` comparison), which a token without expiry never passes. This is what a
    /// verification link, and the reuse of either token, ask once a validity is configured.
    pub fn expires_after(&self, now_millis: i64) -> bool {
        self.expires_at.is_some_and(|at| at > now_millis)
    }
}

/// A user's internal columns (Parse's `_User` columns after `_hashed_password`), which Parse up
/// to 5.x shows the master key on every read of the user.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserInternals {
    pub email_verify_token_expires_at: Option<i64>,
    pub email_verify_token: Option<String>,
    pub account_lockout_expires_at: Option<i64>,
    pub failed_login_count: Option<i64>,
    pub perishable_token: Option<String>,
    pub perishable_token_expires_at: Option<i64>,
    pub password_changed_at: Option<i64>,
    /// The replaced hashes, oldest first.
    pub password_history: Option<Vec<String>>,
}

impl UserInternals {
    /// The fields Parse answers, in its column order: those with a value, dates as Parse's
    /// `Date` objects.
    pub fn fields(&self) -> Vec<(&'static str, serde_json::Value)> {
        use serde_json::{Value, json};
        let date =
            |at: Option<i64>| at.map(|ms| json!({"__type": "Date", "iso": super::iso_millis(ms)}));
        let text = |t: &Option<String>| t.clone().map(Value::String);
        [
            (
                "_email_verify_token_expires_at",
                date(self.email_verify_token_expires_at),
            ),
            ("_email_verify_token", text(&self.email_verify_token)),
            (
                "_account_lockout_expires_at",
                date(self.account_lockout_expires_at),
            ),
            (
                "_failed_login_count",
                self.failed_login_count.map(Value::from),
            ),
            ("_perishable_token", text(&self.perishable_token)),
            (
                "_perishable_token_expires_at",
                date(self.perishable_token_expires_at),
            ),
            ("_password_changed_at", date(self.password_changed_at)),
            (
                "_password_history",
                self.password_history.clone().map(|h| json!(h)),
            ),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.map(|v| (name, v)))
        .collect()
    }
}

/// The e-mail tokens a user holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserTokens {
    pub verify: Option<EmailToken>,
    pub reset: Option<EmailToken>,
}

/// How an e-mail flow names its user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmailLookup {
    /// The user with this email (`verificationEmailRequest`).
    Email(String),
    /// Parse's reset lookup: the user with this email, or the user without an email whose
    /// username it is (`$or: [{email}, {username: email, email: {$exists: false}}]`).
    ResetAddress(String),
    Username(String),
    /// The user with this objectId.
    Id(String),
    /// The user holding this verification token.
    VerifyToken(String),
    /// The user holding this password-reset token.
    ResetToken(String),
}

/// A change to a user's e-mail tokens, written without touching `updatedAt`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenWrite {
    /// `Some(None)` removes the verification token.
    pub verify: Option<Option<EmailToken>>,
    /// `Some(None)` removes the reset token.
    pub reset: Option<Option<EmailToken>>,
    pub email_verified: Option<bool>,
    /// Clear `accountLockout`'s failed-login count and lock (`unlockOnPasswordReset`).
    pub unlock: bool,
}

/// When a [`TokenWrite`] applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenGuard {
    Always,
    /// Only while the user still holds this reset token: two resets with one link cannot both
    /// win.
    ResetToken(String),
    /// Only while the user still holds this verification token.
    VerifyToken(String),
}
