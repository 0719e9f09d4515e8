//! The command line, with Parse Server's own option names and environment variables.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Parse Server's auth and session API, answered exactly as a pinned Parse version does.
#[derive(Debug, Parser)]
#[command(name = "parse-compat", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the REST, GraphQL (and optionally Descope) APIs.
    Serve(Box<ServeArgs>),
    /// Print the supported Parse versions and what each resolves to.
    Versions,
    /// Print the GraphQL schema (SDL) a Parse version serves.
    Schema(SchemaArgs),
    /// Manage the RS256 signing keys of the Descope-compatible API.
    Keys(KeysArgs),
    /// A recording reverse proxy: put it in front of a Parse Server, use the app, and every
    /// exchange is written to a JSONL file (passwords and keys redacted).
    Record(RecordArgs),
    /// Replay a recording (from `record`, or of real Parse in fixtures/) against parse-compat
    /// as a Parse version, or against any server, and report every difference. Exit 1 on any.
    Replay(ReplayArgs),
    /// What changes for a client between two Parse versions: the schema (graphql-inspector's
    /// change names and criticality) and the behaviour (the version table). Exit 1 when
    /// something breaking changed.
    Diff(DiffArgs),
    /// Check a client's GraphQL documents (`.graphql`/`.gql` files, `gql`/`graphql` templates
    /// in JavaScript and TypeScript) against what a Parse version refuses before executing:
    /// syntax, validation in its graphql-js wording, introspection policy. Exit 1 on any.
    Check(CheckArgs),
    /// The same check for every recorded Parse version: documents × versions, and where each
    /// document starts or stops working. Exit 1 when a version in the range refuses one.
    Matrix(MatrixArgs),
    /// Fill a store with N users and M sessions (for measuring at production size); the
    /// session tokens go to a file.
    Seed(SeedArgs),
}

/// Options of `parse-compat seed`.
#[derive(Debug, Args)]
pub struct SeedArgs {
    /// The Parse version whose rows (and PostgreSQL tables) to write.
    #[arg(long = "parse-version", env = "PARSE_VERSION")]
    pub parse_version: String,
    /// The store: `sqlite:PATH` or `postgres://USER@HOST:PORT/DB`.
    #[arg(long = "databaseURI", env = "PARSE_SERVER_DATABASE_URI")]
    pub database_uri: String,
    /// How many users (`seed00000000`..., password `seed-pass`).
    #[arg(long = "users")]
    pub users: usize,
    /// How many sessions, dealt to the users in turn.
    #[arg(long = "sessions", default_value_t = 0)]
    pub sessions: usize,
    /// Write the session tokens here, one per line (0600).
    #[arg(long = "tokens")]
    pub tokens: Option<PathBuf>,
    /// Write only about this many tokens, evenly spread over the sessions.
    #[arg(long = "tokensSample")]
    pub tokens_sample: Option<usize>,
}

/// How `check` and `matrix` report.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum CheckFormat {
    Human,
    Json,
    Markdown,
    /// GitHub workflow commands (`::error`, or `::warning` where a document stops working).
    Github,
}

/// Options of `parse-compat check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The Parse version to check against (`3.9.0`, `4.4`).
    #[arg(long = "parse-version", env = "PARSE_VERSION")]
    pub parse_version: String,
    /// Files or directories (searched for .graphql, .gql, .js, .jsx, .ts, .tsx, .mjs, .cjs).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Check as a caller with the master key (8.x/9.x show it unredacted messages, 9.x lets
    /// it introspect).
    #[arg(long = "master")]
    pub master: bool,
    /// `human` (default), `json`, `markdown` or `github`.
    #[arg(long = "format", value_enum, default_value = "human")]
    pub format: CheckFormat,
}

/// Options of `parse-compat matrix`.
#[derive(Debug, Args)]
pub struct MatrixArgs {
    /// Files or directories, as for `check`.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// The lowest version (`3.7`, `4.4.0`).
    #[arg(long = "from", default_value = "3")]
    pub from: String,
    /// The highest version (`9.x`).
    #[arg(long = "to", default_value = "x")]
    pub to: String,
    /// Check as a caller with the master key.
    #[arg(long = "master")]
    pub master: bool,
    /// `human` (default), `json`, `markdown` or `github`.
    #[arg(long = "format", value_enum, default_value = "human")]
    pub format: CheckFormat,
}

/// How `diff` reports.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum DiffFormat {
    Human,
    Json,
    Markdown,
    /// GitHub workflow commands: `::error` for breaking changes, `::warning`, `::notice`.
    Github,
}

/// Options of `parse-compat diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The version a client runs against now (`3.9.0`, `4.4`).
    pub from: String,
    /// The version it moves to.
    pub to: String,
    /// `human` (default), `json`, `markdown` or `github`.
    #[arg(long = "format", value_enum, default_value = "human")]
    pub format: DiffFormat,
    /// Every schema change, also those under an addition (graphql-inspector's
    /// `--rule verboseChanges`).
    #[arg(long = "verbose")]
    pub verbose: bool,
}

/// How `replay` reports.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ReplayFormat {
    Human,
    Json,
    Markdown,
    /// GitHub workflow commands: one `::error` per difference.
    Github,
}

/// Options of `parse-compat replay`.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// The recording (JSONL).
    pub file: PathBuf,
    /// Replay against parse-compat answering as this Parse version, on a throwaway database.
    #[arg(long = "parse-version")]
    pub parse_version: Option<String>,
    /// Replay against this server instead (`http://host:port`; paths are the recorded ones).
    #[arg(long = "target")]
    pub target: Option<String>,
    /// The application id (default: the one the recording used).
    #[arg(long = "appId")]
    pub app_id: Option<String>,
    /// The target's keys, sent where the recording has `<masterKey>`, `<restAPIKey>`...
    #[arg(long = "masterKey")]
    pub master_key: Option<String>,
    #[arg(long = "restAPIKey")]
    pub rest_api_key: Option<String>,
    #[arg(long = "javascriptKey")]
    pub javascript_key: Option<String>,
    #[arg(long = "clientKey")]
    pub client_key: Option<String>,
    /// `human` (default), `json`, `markdown` or `github`.
    #[arg(long = "format", value_enum, default_value = "human")]
    pub format: ReplayFormat,
    /// Replay on parse-compat's PostgreSQL store: a fresh database on this server
    /// (`postgres://USER@HOST:PORT`) for each server the replay starts (default: SQLite).
    #[arg(long = "postgres")]
    pub postgres: Option<String>,
    /// Accept the live answers as the new recording: the file is rewritten with them (tokens,
    /// ids and dates as placeholders, keeping the recording's numbering), and the command
    /// exits 0 after reporting what changed.
    #[arg(long = "update")]
    pub update: bool,
}

/// Options of `parse-compat record`.
#[derive(Debug, Args)]
pub struct RecordArgs {
    /// The Parse Server to record (`http://host:1337/parse`).
    #[arg(long = "upstream")]
    pub upstream: String,
    /// Where to write the recording (JSONL, created 0600, replaced if it exists).
    #[arg(long = "out")]
    pub out: PathBuf,
    /// Port to listen on.
    #[arg(long = "port", default_value_t = 1337)]
    pub port: u16,
    /// Address to bind.
    #[arg(long = "host", default_value = "127.0.0.1")]
    pub host: std::net::IpAddr,
    /// The REST mount path clients use here (the upstream URL's own path replaces it).
    #[arg(long = "mountPath", default_value = "/parse")]
    pub mount_path: String,
    /// Seconds the upstream may take to start answering.
    #[arg(long = "upstreamTimeout", default_value_t = 30)]
    pub upstream_timeout: u64,
}

/// Options of `parse-compat serve`. Every option can also come from a Parse Server JSON config
/// file (same keys) and from Parse Server's environment variables; flags win over both.
#[derive(Debug, Default, Args)]
pub struct ServeArgs {
    /// A Parse Server JSON config file (`appId`, `masterKey`, `databaseURI`, ...).
    pub config: Option<PathBuf>,

    /// The Parse Server version to answer as, x.y.z or x.y (3.7.0 through 9.x).
    #[arg(long = "parse-version", env = "PARSE_VERSION")]
    pub parse_version: Option<String>,

    /// Your Parse application id.
    #[arg(long = "appId", env = "PARSE_SERVER_APPLICATION_ID")]
    pub app_id: Option<String>,

    /// The master key. When none is given, a random one is generated and logged once.
    #[arg(long = "masterKey", env = "PARSE_SERVER_MASTER_KEY")]
    pub master_key: Option<String>,

    /// Key for iOS, MacOS, tvOS clients.
    #[arg(long = "clientKey", env = "PARSE_SERVER_CLIENT_KEY")]
    pub client_key: Option<String>,

    /// Key for the JavaScript SDK.
    #[arg(long = "javascriptKey", env = "PARSE_SERVER_JAVASCRIPT_KEY")]
    pub javascript_key: Option<String>,

    /// Key for REST calls.
    #[arg(long = "restAPIKey", env = "PARSE_SERVER_REST_API_KEY")]
    pub rest_api_key: Option<String>,

    /// Where sessions and users live: `sqlite:PATH` (default `sqlite:./parse-compat.db`) or
    /// `sqlite::memory:` for a throwaway database.
    #[arg(long = "databaseURI", env = "PARSE_SERVER_DATABASE_URI")]
    pub database_uri: Option<String>,

    /// The port to listen on (default 1337).
    #[arg(long = "port", env = "PORT")]
    pub port: Option<u16>,

    /// The host to listen on (default 0.0.0.0).
    #[arg(long = "host", env = "PARSE_SERVER_HOST")]
    pub host: Option<String>,

    /// Mount path of the REST API (default /parse).
    #[arg(long = "mountPath", env = "PARSE_SERVER_MOUNT_PATH")]
    pub mount_path: Option<String>,

    /// Mount path of the GraphQL API (default /graphql).
    #[arg(long = "graphQLPath", env = "PARSE_SERVER_GRAPHQL_PATH")]
    pub graphql_path: Option<String>,

    /// Session lifetime in seconds (default 31536000, one year).
    #[arg(long = "sessionLength", env = "PARSE_SERVER_SESSION_LENGTH")]
    pub session_length: Option<i64>,

    /// Whether sessions expire (default true). `false` issues sessions without `expiresAt`.
    #[arg(
        long = "expireInactiveSessions",
        env = "PARSE_SERVER_EXPIRE_INACTIVE_SESSIONS"
    )]
    pub expire_inactive_sessions: Option<bool>,

    /// Serve the GraphQL playground (GraphiQL) page.
    #[arg(long = "mountPlayground", env = "PARSE_SERVER_MOUNT_PLAYGROUND", num_args = 0..=1, default_missing_value = "true")]
    pub mount_playground: Option<bool>,

    /// Path of the GraphQL playground page (default /playground).
    #[arg(long = "playgroundPath", env = "PARSE_SERVER_PLAYGROUND_PATH")]
    pub playground_path: Option<String>,

    /// The URL clients reach the REST API at (Parse's `serverURL`), for the file URLs in
    /// answers (default http://localhost:PORT/MOUNTPATH).
    #[arg(long = "serverURL", env = "PARSE_SERVER_URL")]
    pub server_url: Option<String>,

    /// Parse's `accountLockout`, as JSON: `{"duration": MINUTES, "threshold": N,
    /// "unlockOnPasswordReset": BOOL}`.
    #[arg(long = "accountLockout", env = "PARSE_SERVER_ACCOUNT_LOCKOUT")]
    pub account_lockout: Option<String>,

    /// Parse's `passwordPolicy`, as JSON: `validatorPattern`, `validationError`,
    /// `doNotAllowUsername`, `maxPasswordAge` (days), `maxPasswordHistory`.
    #[arg(long = "passwordPolicy", env = "PARSE_SERVER_PASSWORD_POLICY")]
    pub password_policy: Option<String>,

    /// Parse's `protectedFields`, as JSON: `{"_User": {"*": ["email", "phone"], "authenticated":
    /// [...], "<userId>": [...], "role:<name>": [...]}}`; fields of other users hidden from a
    /// caller (email always, as Parse's default; other classes are the upstream's).
    #[arg(long = "protectedFields", env = "PARSE_SERVER_PROTECTED_FIELDS")]
    pub protected_fields: Option<String>,

    /// Parse's deprecated `userSensitiveFields`, as a JSON array: added to `protectedFields`'s
    /// `_User` `*` entry.
    #[arg(
        long = "userSensitiveFields",
        env = "PARSE_SERVER_USER_SENSITIVE_FIELDS"
    )]
    pub user_sensitive_fields: Option<String>,

    /// Whether changing a password ends the user's other sessions (default true).
    #[arg(
        long = "revokeSessionOnPasswordReset",
        env = "PARSE_SERVER_REVOKE_SESSION_ON_PASSWORD_RESET"
    )]
    pub revoke_session_on_password_reset: Option<bool>,

    /// Whether new users are private (no public read); the version's default when not set
    /// (true from 6.0).
    #[arg(
        long = "enforcePrivateUsers",
        env = "PARSE_SERVER_ENFORCE_PRIVATE_USERS"
    )]
    pub enforce_private_users: Option<bool>,

    /// Parse's `appName`: the name e-mails and the pages under /apps show.
    #[arg(long = "appName", env = "PARSE_SERVER_APP_NAME")]
    pub app_name: Option<String>,

    /// Parse's `publicServerURL`: where users' browsers reach this server's mount path; the
    /// base of verification and password-reset links.
    #[arg(long = "publicServerURL", env = "PARSE_PUBLIC_SERVER_URL")]
    pub public_server_url: Option<String>,

    /// Send new users (and users who change their email) a link to verify it: `true`,
    /// `false`, or `upstream` when the app gives Parse a function that decides (6.x+), so that
    /// the writes it decides go to the `--upstream` Parse Server.
    #[arg(long = "verifyUserEmails", env = "PARSE_SERVER_VERIFY_USER_EMAILS")]
    pub verify_user_emails: Option<String>,

    /// With verifyUserEmails: users may not sign in before verifying their email (`true`,
    /// `false`, or `upstream` for a function in the upstream Parse Server).
    #[arg(
        long = "preventLoginWithUnverifiedEmail",
        env = "PARSE_SERVER_PREVENT_LOGIN_WITH_UNVERIFIED_EMAIL"
    )]
    pub prevent_login_with_unverified_email: Option<String>,

    /// Parse's `liveQuery` option, as JSON (`{"classNames": ["_User"]}`): writes of the classes
    /// it names among `_User` and `_Session` go to the `--upstream` Parse Server, whose
    /// LiveQuery server publishes them.
    #[arg(long = "liveQuery", env = "PARSE_SERVER_LIVE_QUERY")]
    pub live_query: Option<String>,

    /// With preventLoginWithUnverifiedEmail: a sign-up is answered 205 "User email is not
    /// verified." once the user is made and the link sent (Parse 6.3+).
    #[arg(
        long = "preventSignupWithUnverifiedEmail",
        env = "PARSE_SERVER_PREVENT_SIGNUP_WITH_UNVERIFIED_EMAIL"
    )]
    pub prevent_signup_with_unverified_email: Option<bool>,

    /// Seconds a verification link stays valid (default: no limit).
    #[arg(
        long = "emailVerifyTokenValidityDuration",
        env = "PARSE_SERVER_EMAIL_VERIFY_TOKEN_VALIDITY_DURATION"
    )]
    pub email_verify_token_validity_duration: Option<f64>,

    /// Send the same verification link again while it is valid (Parse 5.0+).
    #[arg(
        long = "emailVerifyTokenReuseIfValid",
        env = "PARSE_SERVER_EMAIL_VERIFY_TOKEN_REUSE_IF_VALID"
    )]
    pub email_verify_token_reuse_if_valid: Option<bool>,

    /// Where e-mails go: `smtp://user:pass@host:587` or `smtps://…` (with --emailFrom),
    /// `file:PATH` (an outbox of JSON lines, 0600), or `log` (the default: logged, not sent).
    #[arg(long = "emailAdapter", env = "PARSE_SERVER_EMAIL_ADAPTER")]
    pub email_adapter: Option<String>,

    /// The From address of e-mails sent over SMTP (`App <noreply@example.com>`).
    #[arg(long = "emailFrom", env = "PARSE_COMPAT_EMAIL_FROM")]
    pub email_from: Option<String>,

    /// A real Parse Server (`http://host:1337`, or with its mount path) that answers every
    /// request parse-compat does not: other classes, functions, files, GraphQL operations
    /// outside the auth API... Without one, those get Express's 404.
    #[arg(long = "upstream", env = "PARSE_COMPAT_UPSTREAM")]
    pub upstream: Option<String>,

    /// Seconds the upstream has to start answering a request (default 60).
    #[arg(long = "upstreamTimeout", env = "PARSE_COMPAT_UPSTREAM_TIMEOUT")]
    pub upstream_timeout: Option<u64>,

    /// The Cloud Code triggers the app registers on users and sessions, by Parse's names
    /// (`beforeSave,afterSave,beforeDelete,afterDelete,beforeFind,afterFind,beforeLogin,
    /// afterLogin,afterLogout,beforePasswordResetRequest`): every operation one of them runs
    /// around goes to the `--upstream` Parse Server, which runs it with them. Needs the
    /// PostgreSQL database the upstream uses.
    #[arg(long = "userTriggers", env = "PARSE_COMPAT_USER_TRIGGERS")]
    pub user_triggers: Option<String>,

    /// Enable the Descope-compatible API (`/v1/auth/...`) for this project id.
    #[arg(long = "descopeProjectId", env = "PARSE_COMPAT_DESCOPE_PROJECT_ID")]
    pub descope_project_id: Option<String>,

    /// Lifetime of Descope refresh JWTs in seconds (default 2419200, four weeks).
    #[arg(
        long = "descopeRefreshTokenLength",
        env = "PARSE_COMPAT_DESCOPE_REFRESH_TOKEN_LENGTH"
    )]
    pub descope_refresh_length: Option<i64>,

    /// Lifetime of Descope session JWTs in seconds (default 600, ten minutes).
    #[arg(
        long = "descopeSessionTokenLength",
        env = "PARSE_COMPAT_DESCOPE_SESSION_TOKEN_LENGTH"
    )]
    pub descope_session_length: Option<i64>,

    /// Largest accepted request body in bytes (default 20 MiB, Parse's `maxUploadSize`).
    #[arg(long = "maxUploadSize", env = "PARSE_SERVER_MAX_UPLOAD_SIZE")]
    pub max_upload_size: Option<String>,

    /// Most connections open at once (default: the descriptor limit, raised to its hard
    /// maximum at start, less 128). At the cap the longest-idle connection is closed to make
    /// room; a newcomer is closed only when every connection is busy.
    #[arg(long = "maxConnections", env = "PARSE_COMPAT_MAX_CONNECTIONS")]
    pub max_connections: Option<usize>,

    /// Log lines as plain text (colours only on a terminal) or one JSON object per line.
    #[arg(
        long = "logFormat",
        env = "PARSE_COMPAT_LOG_FORMAT",
        value_enum,
        default_value_t = LogFormat::Text
    )]
    pub log_format: LogFormat,
}

/// How log lines are written (to standard error).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// Options of `parse-compat schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// The Parse Server version whose schema to print.
    #[arg(long = "parse-version", env = "PARSE_VERSION")]
    pub parse_version: String,
}

/// Options of `parse-compat keys`.
#[derive(Debug, Args)]
pub struct KeysArgs {
    #[command(subcommand)]
    pub action: KeysAction,
}

#[derive(Debug, Subcommand)]
pub enum KeysAction {
    /// Generate a new signing key; the previous one stays verifiable until its tokens expire.
    Rotate {
        /// The database holding the keys (as for `serve`).
        #[arg(
            long = "databaseURI",
            env = "PARSE_SERVER_DATABASE_URI",
            default_value = "sqlite:./parse-compat.db"
        )]
        database_uri: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_valid() {
        Cli::command().debug_assert();
    }

    #[test]
    fn the_conformance_invocation_parses() {
        let cli = Cli::try_parse_from([
            "parse-compat",
            "serve",
            "--parse-version",
            "4.4.0",
            "--host",
            "127.0.0.1",
            "--port",
            "9000",
            "--appId",
            "compatApp",
            "--masterKey",
            "compatMaster",
            "--clientKey",
            "compatClient",
            "--javascriptKey",
            "compatJs",
            "--restAPIKey",
            "compatRest",
            "--databaseURI",
            "sqlite:/tmp/x.db",
        ])
        .unwrap();
        let Command::Serve(args) = cli.command else {
            panic!("not serve")
        };
        assert_eq!(args.app_id.as_deref(), Some("compatApp"));
        assert_eq!(args.port, Some(9000));
    }
}
