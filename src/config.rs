//! The validated server configuration: flags over config file over defaults.

use std::net::IpAddr;
use std::path::Path;

use serde_json::Value;

use crate::cli::ServeArgs;
use crate::store::{DatabaseLocation, StoreOptions};
use crate::triggers::{Operation, Operations};
use crate::version::{Behavior, SUPPORTED_RANGE, VersionError};

/// Parse's default `maxUploadSize` (20mb).
pub const DEFAULT_BODY_LIMIT: usize = 20 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(transparent)]
    Version(#[from] VersionError),
    #[error(
        "no Parse version given: pass --parse-version (or PARSE_VERSION); supported versions are {SUPPORTED_RANGE}"
    )]
    MissingVersion,
    #[error("no application id given: pass --appId (or PARSE_SERVER_APPLICATION_ID)")]
    MissingAppId,
    #[error("cannot read config file {path}: {reason}")]
    File { path: String, reason: String },
    #[error("config file option `{key}`: {reason}")]
    FileValue { key: &'static str, reason: String },
    #[error("--host `{0}` is not an IP address")]
    Host(String),
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Database(#[from] crate::store::StoreError),
}

/// Descope-compatible API settings.
#[derive(Debug, Clone)]
pub struct DescopeConfig {
    pub project_id: String,
    pub refresh_token_secs: i64,
    pub session_token_secs: i64,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub behavior: Behavior,
    pub app_id: String,
    pub master_key: String,
    /// True when no master key was configured and one was generated.
    pub master_key_generated: bool,
    pub client_key: Option<String>,
    pub javascript_key: Option<String>,
    pub rest_api_key: Option<String>,
    pub database: DatabaseLocation,
    pub host: IpAddr,
    pub port: u16,
    pub mount_path: String,
    pub graphql_path: String,
    pub session_length_secs: i64,
    pub expire_inactive_sessions: bool,
    pub mount_playground: bool,
    pub playground_path: String,
    pub descope: Option<DescopeConfig>,
    pub body_limit: usize,
    /// Connections open at once at most (see `http::connections`).
    pub max_connections: usize,
    /// `accountLockout`.
    pub account_lockout: Option<crate::policy::AccountLockout>,
    /// `passwordPolicy`.
    pub password_policy: Option<crate::policy::PasswordPolicy>,
    /// `revokeSessionOnPasswordReset`.
    pub revoke_session_on_password_reset: bool,
    /// `enforcePrivateUsers` when set; else the version's default.
    pub enforce_private_users: Option<bool>,
    /// `protectedFields._User` merged with Parse's default and `userSensitiveFields`.
    pub protected_user_fields: ProtectedFields,
    /// Parse's `serverURL`: where clients reach the REST API (file URLs are made from it).
    pub server_url: String,
    /// The Parse Server that answers what parse-compat does not (`--upstream`).
    pub upstream: Option<String>,
    /// Seconds the upstream has to start answering.
    pub upstream_timeout_secs: u64,
    /// The app's Cloud Code triggers on users and sessions: what they run around goes upstream.
    pub user_triggers: crate::triggers::UserTriggers,
    /// `liveQuery.classNames` among `_User` and `_Session`: their writes go upstream, whose
    /// LiveQuery server publishes them.
    pub live_query_classes: Vec<String>,
    /// `verifyUserEmails`, `appName`, `publicServerURL`, `emailAdapter` and the rest of the
    /// e-mail flows' options.
    pub email: crate::email::EmailOptions,
}

/// Values read from a Parse Server JSON config file.
struct FileValues(serde_json::Map<String, Value>);

impl FileValues {
    fn load(path: &Path) -> Result<Self, ConfigError> {
        let err = |reason: String| ConfigError::File {
            path: path.display().to_string(),
            reason,
        };
        let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
        match serde_json::from_str(&text) {
            Ok(Value::Object(map)) => Ok(Self(map)),
            Ok(_) => Err(err("not a JSON object".into())),
            Err(e) => Err(err(e.to_string())),
        }
    }

    fn string(&self, key: &'static str) -> Result<Option<String>, ConfigError> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(_) => Err(ConfigError::FileValue {
                key,
                reason: "expected a string".into(),
            }),
        }
    }

    fn number(&self, key: &'static str) -> Result<Option<i64>, ConfigError> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n.as_i64().map(Some).ok_or_else(|| ConfigError::FileValue {
                key,
                reason: "expected an integer".into(),
            }),
            Some(Value::String(s)) => s.parse().map(Some).map_err(|_| ConfigError::FileValue {
                key,
                reason: "expected an integer".into(),
            }),
            Some(_) => Err(ConfigError::FileValue {
                key,
                reason: "expected an integer".into(),
            }),
        }
    }

    /// An object option: from its flag (JSON text) or from the file.
    fn json(&self, flag: Option<&str>, key: &'static str) -> Result<Option<Value>, ConfigError> {
        match flag {
            Some(text) => {
                serde_json::from_str(text)
                    .map(Some)
                    .map_err(|e| ConfigError::FileValue {
                        key,
                        reason: format!("not JSON: {e}"),
                    })
            }
            None => Ok(self.0.get(key).filter(|v| !v.is_null()).cloned()),
        }
    }

    /// Parse options in the file that parse-compat does not use: accepted, and named in a
    /// warning so that nobody believes they act.
    fn unused_keys(&self) -> Vec<&str> {
        self.0
            .keys()
            .map(String::as_str)
            .filter(|k| !USED_FILE_KEYS.contains(k))
            .collect()
    }

    /// An option Parse takes as a boolean or a function (`verifyUserEmails`...): `true`,
    /// `false`, or `"upstream"` for a function configured in the upstream Parse Server. The
    /// flag (`flag`) over the file.
    fn decision(&self, flag: Option<String>, key: &'static str) -> Result<Decision, ConfigError> {
        let value = match flag {
            Some(text) => Value::String(text),
            None => self.0.get(key).cloned().unwrap_or(Value::Null),
        };
        match value {
            Value::Null => Ok(Decision::No),
            Value::Bool(b) => Ok(if b { Decision::Yes } else { Decision::No }),
            Value::String(s) if s == "true" => Ok(Decision::Yes),
            Value::String(s) if s == "false" => Ok(Decision::No),
            Value::String(s) if s == "upstream" => Ok(Decision::Upstream),
            _ => Err(ConfigError::FileValue {
                key,
                reason:
                    "expected true, false or \"upstream\" (a function in the upstream Parse Server)"
                        .into(),
            }),
        }
    }

    fn boolean(&self, key: &'static str) -> Result<Option<bool>, ConfigError> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(ConfigError::FileValue {
                key,
                reason: "expected true or false".into(),
            }),
        }
    }
}

/// The config file keys parse-compat reads.
const USED_FILE_KEYS: &[&str] = &[
    "parseVersion",
    "appId",
    "masterKey",
    "clientKey",
    "javascriptKey",
    "restAPIKey",
    "databaseURI",
    "host",
    "port",
    "mountPath",
    "graphQLPath",
    "sessionLength",
    "expireInactiveSessions",
    "mountPlayground",
    "playgroundPath",
    "descopeProjectId",
    "descopeRefreshTokenLength",
    "descopeSessionTokenLength",
    "maxUploadSize",
    "maxConnections",
    "serverURL",
    "upstream",
    "upstreamTimeout",
    "userTriggers",
    "liveQuery",
    "accountLockout",
    "passwordPolicy",
    "protectedFields",
    "userSensitiveFields",
    "revokeSessionOnPasswordReset",
    "enforcePrivateUsers",
    "appName",
    "publicServerURL",
    "verifyUserEmails",
    "preventLoginWithUnverifiedEmail",
    "preventSignupWithUnverifiedEmail",
    "emailVerifyTokenValidityDuration",
    "emailVerifyTokenReuseIfValid",
    "emailAdapter",
    "emailFrom",
];

/// `20mb`, `512kb`, `1048576`: Parse's size notation.
fn parse_size(s: &str) -> Result<usize, ConfigError> {
    let lower = s.trim().to_ascii_lowercase();
    let (digits, unit) = match lower.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => lower.split_at(i),
        None => (lower.as_str(), ""),
    };
    let n: usize = digits.parse().map_err(|_| {
        ConfigError::Invalid(format!("maxUploadSize `{s}` is not a size like 20mb"))
    })?;
    let factor = match unit.trim() {
        "" | "b" => 1,
        "kb" => 1024,
        "mb" => 1024 * 1024,
        "gb" => 1024 * 1024 * 1024,
        _ => {
            return Err(ConfigError::Invalid(format!(
                "maxUploadSize `{s}` has an unknown unit"
            )));
        }
    };
    n.checked_mul(factor)
        .ok_or_else(|| ConfigError::Invalid(format!("maxUploadSize `{s}` is too large")))
}

fn normalize_path(p: String) -> String {
    let trimmed = p.trim_end_matches('/');
    if trimmed.starts_with('/') {
        trimmed.to_owned()
    } else {
        format!("/{trimmed}")
    }
}

impl Config {
    /// Build the configuration from flags (and env, through clap) over the config file.
    pub fn from_args(args: ServeArgs) -> Result<Self, ConfigError> {
        let file = match &args.config {
            Some(path) => FileValues::load(path)?,
            None => FileValues(serde_json::Map::new()),
        };
        let pick =
            |flag: Option<String>, key: &'static str| -> Result<Option<String>, ConfigError> {
                Ok(match flag {
                    Some(v) => Some(v),
                    None => file.string(key)?,
                })
            };
        let unused = file.unused_keys();
        if !unused.is_empty() {
            tracing::warn!(
                options = %unused.join(", "),
                "Parse options in the config file that parse-compat does not use; accepted and ignored"
            );
        }
        let version =
            pick(args.parse_version, "parseVersion")?.ok_or(ConfigError::MissingVersion)?;
        let behavior = Behavior::parse(&version)?;
        let app_id = pick(args.app_id, "appId")?
            .filter(|s| !s.is_empty())
            .ok_or(ConfigError::MissingAppId)?;
        let (master_key, master_key_generated) = match pick(args.master_key, "masterKey")? {
            Some(k) if !k.is_empty() => (k, false),
            _ => (generate_master_key(), true),
        };
        let database_uri = pick(args.database_uri, "databaseURI")?
            .unwrap_or_else(|| "sqlite:./parse-compat.db".into());
        let database = DatabaseLocation::parse(&database_uri)?;
        let host_text = pick(args.host, "host")?.unwrap_or_else(|| "0.0.0.0".into());
        let host: IpAddr = match host_text.as_str() {
            "localhost" => IpAddr::from([127, 0, 0, 1]),
            other => other
                .parse()
                .map_err(|_| ConfigError::Host(host_text.clone()))?,
        };
        let port = match args.port {
            Some(p) => p,
            None => match file.number("port")? {
                Some(p) => u16::try_from(p)
                    .map_err(|_| ConfigError::Invalid(format!("port {p} is out of range")))?,
                None => 1337,
            },
        };
        let session_length_secs = match args.session_length {
            Some(s) => s,
            None => file.number("sessionLength")?.unwrap_or(31_536_000),
        };
        if session_length_secs <= 0 {
            return Err(ConfigError::Invalid(
                "sessionLength must be a value greater than 0".into(),
            ));
        }
        let expire_inactive_sessions = match args.expire_inactive_sessions {
            Some(b) => b,
            None => file.boolean("expireInactiveSessions")?.unwrap_or(true),
        };
        let mount_playground = match args.mount_playground {
            Some(b) => b,
            None => file.boolean("mountPlayground")?.unwrap_or(false),
        };
        let descope = match pick(args.descope_project_id, "descopeProjectId")? {
            Some(project_id) if !project_id.is_empty() => Some(DescopeConfig {
                project_id,
                refresh_token_secs: args
                    .descope_refresh_length
                    .or(file.number("descopeRefreshTokenLength")?)
                    .unwrap_or(4 * 7 * 24 * 3600),
                session_token_secs: args
                    .descope_session_length
                    .or(file.number("descopeSessionTokenLength")?)
                    .unwrap_or(600),
            }),
            _ => None,
        };
        let mount_path_text =
            pick(args.mount_path, "mountPath")?.unwrap_or_else(|| "/parse".into());
        let body_limit = match pick(args.max_upload_size, "maxUploadSize")? {
            Some(s) => parse_size(&s)?,
            None => DEFAULT_BODY_LIMIT,
        };
        let password_policy = file
            .json(args.password_policy.as_deref(), "passwordPolicy")?
            .map(|v| crate::policy::password_policy(&v))
            .transpose()
            .map_err(ConfigError::Invalid)?
            .flatten();
        let mut email = email_options(
            &file,
            EmailArgs {
                app_name: args.app_name,
                public_server_url: args.public_server_url,
                verify_user_emails: args.verify_user_emails,
                prevent_login: args.prevent_login_with_unverified_email,
                prevent_signup: args.prevent_signup_with_unverified_email,
                validity: args.email_verify_token_validity_duration,
                reuse: args.email_verify_token_reuse_if_valid,
                adapter: args.email_adapter,
                from: args.email_from,
            },
            password_policy.as_ref(),
        )?;
        if behavior.email.reset_success_option
            && let Some(policy) = file.json(args.password_policy.as_deref(), "passwordPolicy")?
        {
            email.reset_refuses_unknown_email =
                !crate::policy::reset_success_on_invalid_email(&policy)
                    .map_err(ConfigError::Invalid)?;
        }
        email
            .validate(&behavior.email)
            .map_err(ConfigError::Invalid)?;
        let upstream = pick(args.upstream, "upstream")?.filter(|u| !u.is_empty());
        let protected_user_fields = ProtectedFields::from_options(
            file.json(args.protected_fields.as_deref(), "protectedFields")?,
            file.json(args.user_sensitive_fields.as_deref(), "userSensitiveFields")?,
        )
        .map_err(ConfigError::Invalid)?;
        if email.adapter == crate::email::sender::AdapterConfig::Upstream {
            if upstream.is_none() {
                return Err(ConfigError::Invalid(
                    "emailAdapter upstream asks the upstream Parse Server to send e-mails: give --upstream too".into(),
                ));
            }
            if !matches!(database, DatabaseLocation::Postgres(_)) {
                return Err(ConfigError::Invalid(
                    "emailAdapter upstream needs the database the upstream uses (--databaseURI postgres://…): it must find the user and write the link's token there".into(),
                ));
            }
        }
        let user_triggers = match args.user_triggers {
            Some(list) => list,
            None => match file.0.get("userTriggers") {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(s)) => s.clone(),
                Some(Value::Array(items)) => items
                    .iter()
                    .map(|i| {
                        i.as_str().map(str::to_owned).ok_or(ConfigError::FileValue {
                            key: "userTriggers",
                            reason: "expected trigger names".into(),
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?
                    .join(","),
                Some(_) => {
                    return Err(ConfigError::FileValue {
                        key: "userTriggers",
                        reason: "expected an array of trigger names".into(),
                    });
                }
            },
        };
        let user_triggers =
            crate::triggers::UserTriggers::parse(&user_triggers).map_err(ConfigError::Invalid)?;
        let live_query_classes = match file.json(args.live_query.as_deref(), "liveQuery")? {
            Some(v) => live_query_classes(&v).map_err(ConfigError::Invalid)?,
            None => Vec::new(),
        };
        let config = Config {
            user_triggers,
            live_query_classes,
            email,
            behavior,
            app_id,
            master_key,
            master_key_generated,
            client_key: pick(args.client_key, "clientKey")?,
            javascript_key: pick(args.javascript_key, "javascriptKey")?,
            rest_api_key: pick(args.rest_api_key, "restAPIKey")?,
            database,
            host,
            port,
            mount_path: normalize_path(mount_path_text.clone()),
            graphql_path: normalize_path(
                pick(args.graphql_path, "graphQLPath")?.unwrap_or_else(|| "/graphql".into()),
            ),
            session_length_secs,
            expire_inactive_sessions,
            mount_playground,
            playground_path: normalize_path(
                pick(args.playground_path, "playgroundPath")?
                    .unwrap_or_else(|| "/playground".into()),
            ),
            descope,
            body_limit,
            max_connections: match args.max_connections {
                Some(n) => n,
                None => match file.number("maxConnections")? {
                    Some(n) => usize::try_from(n).map_err(|_| ConfigError::FileValue {
                        key: "maxConnections",
                        reason: "expected a positive integer".into(),
                    })?,
                    None => crate::http::connections::default_max_connections(),
                },
            }
            .max(1),
            account_lockout: file
                .json(args.account_lockout.as_deref(), "accountLockout")?
                .map(|v| crate::policy::account_lockout(&v))
                .transpose()
                .map_err(ConfigError::Invalid)?
                .flatten(),
            password_policy,
            revoke_session_on_password_reset: match args.revoke_session_on_password_reset {
                Some(b) => b,
                None => file
                    .boolean("revokeSessionOnPasswordReset")?
                    .unwrap_or(true),
            },
            enforce_private_users: match args.enforce_private_users {
                Some(b) => Some(b),
                None => file.boolean("enforcePrivateUsers")?,
            },
            server_url: pick(args.server_url, "serverURL")?
                .map(|u| u.trim_end_matches('/').to_owned())
                .unwrap_or_else(|| {
                    format!(
                        "http://localhost:{port}{}",
                        normalize_path(mount_path_text.clone())
                    )
                }),
            protected_user_fields,
            upstream,
            upstream_timeout_secs: match args.upstream_timeout {
                Some(s) => s,
                None => file
                    .number("upstreamTimeout")?
                    .map(|n| u64::try_from(n).unwrap_or(60))
                    .unwrap_or(60),
            },
        };
        let causes = config.upstream_code();
        if !causes.is_empty()
            && (config.upstream.is_none()
                || !matches!(config.database, DatabaseLocation::Postgres(_)))
        {
            return Err(ConfigError::Invalid(format!(
                "{} send what they decide to the upstream Parse Server: give --upstream, and the PostgreSQL database it uses (--databaseURI postgres://…), so that both see the same users and sessions",
                causes.join(", ")
            )));
        }
        Ok(config)
    }

    /// A configuration for tests and embedding: the keys the oracle recordings use.
    pub fn for_tests(behavior: Behavior) -> Self {
        Config {
            behavior,
            app_id: "compatApp".into(),
            master_key: "compatMaster".into(),
            master_key_generated: false,
            client_key: Some("compatClient".into()),
            javascript_key: Some("compatJs".into()),
            rest_api_key: Some("compatRest".into()),
            database: DatabaseLocation::Memory,
            host: IpAddr::from([127, 0, 0, 1]),
            port: 0,
            mount_path: "/parse".into(),
            graphql_path: "/graphql".into(),
            session_length_secs: 31_536_000,
            expire_inactive_sessions: true,
            mount_playground: false,
            playground_path: "/playground".into(),
            descope: None,
            body_limit: DEFAULT_BODY_LIMIT,
            max_connections: 1024,
            account_lockout: None,
            password_policy: None,
            revoke_session_on_password_reset: true,
            enforce_private_users: None,
            protected_user_fields: ProtectedFields::default(),
            server_url: "http://localhost:1337/parse".into(),
            upstream: None,
            upstream_timeout_secs: 60,
            user_triggers: crate::triggers::UserTriggers::default(),
            live_query_classes: Vec::new(),
            email: crate::email::EmailOptions::default(),
        }
    }

    /// Where Parse says a file of this app is: `<serverURL>/files/<appId>/`.
    pub fn files_url(&self) -> String {
        format!("{}/files/{}/", self.server_url, self.app_id)
    }

    /// Whether the app's `passwordPolicy.validatorCallback` lives in the upstream, so that
    /// every write setting a password goes there.
    pub fn passwords_upstream(&self) -> bool {
        self.password_policy
            .as_ref()
            .is_some_and(|p| p.validator_upstream)
    }

    /// What goes to the upstream Parse Server because code or a server there must see it:
    /// the app's triggers, a `validatorCallback`, `verifyUserEmails` or
    /// `preventLoginWithUnverifiedEmail` functions, and LiveQuery on `_User`/`_Session`.
    pub fn upstream_operations(&self) -> Operations {
        let mut ops = self.user_triggers.operations();
        if self.passwords_upstream() {
            ops = ops.with(&[Operation::SetPassword]);
        }
        if self.email.verify_user_emails_upstream {
            ops = ops.with(&[Operation::SaveUser, Operation::RequestVerificationEmail]);
        }
        if self.email.prevent_login_upstream {
            ops = ops.with(&[Operation::LogIn, Operation::VerifyPassword]);
        }
        for class in &self.live_query_classes {
            match class.as_str() {
                "_User" => ops = ops.with(&[Operation::SaveUser, Operation::DeleteUser]),
                "_Session" => ops = ops.with(&[Operation::WriteSession]),
                _ => {}
            }
        }
        ops
    }

    /// The options that send operations upstream, as the configuration names them.
    fn upstream_code(&self) -> Vec<String> {
        let mut causes = Vec::new();
        if !self.user_triggers.is_empty() {
            causes.push(format!("userTriggers ({})", self.user_triggers));
        }
        if self.passwords_upstream() {
            causes.push("passwordPolicy.validatorCallback \"upstream\"".to_owned());
        }
        if self.email.verify_user_emails_upstream {
            causes.push("verifyUserEmails \"upstream\"".to_owned());
        }
        if self.email.prevent_login_upstream {
            causes.push("preventLoginWithUnverifiedEmail \"upstream\"".to_owned());
        }
        let live: Vec<&str> = self
            .live_query_classes
            .iter()
            .map(String::as_str)
            .filter(|c| matches!(*c, "_User" | "_Session"))
            .collect();
        if !live.is_empty() {
            causes.push(format!("liveQuery.classNames ({})", live.join(", ")));
        }
        causes
    }

    pub fn store_options(&self) -> StoreOptions {
        StoreOptions {
            session_length_secs: self.session_length_secs,
            expire_inactive_sessions: self.expire_inactive_sessions,
            case_insensitive_identity: self.behavior.case_insensitive_identity,
            private_users: self
                .enforce_private_users
                .unwrap_or(self.behavior.private_users),
            account_lockout: self.account_lockout.clone(),
            password_policy: self.password_policy.clone(),
            password_max_age_ms: self
                .password_policy
                .as_ref()
                .and_then(crate::policy::PasswordPolicy::max_age_millis),
            password_history: self
                .password_policy
                .as_ref()
                .and_then(|p| p.max_password_history),
            revoke_sessions_on_password_change: self.revoke_session_on_password_reset,
            password_change_session_created_with: !self.behavior.password_change_session_bare,
            parse_version: self.behavior.version,
        }
    }
}

/// The classes of Parse's `liveQuery` option (`{"classNames": [...]}`).
fn live_query_classes(v: &Value) -> Result<Vec<String>, String> {
    match v.get("classNames") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| {
                i.as_str().map(str::to_owned).ok_or_else(|| {
                    "liveQuery.classNames must be an array of class names".to_owned()
                })
            })
            .collect(),
        Some(_) => Err("liveQuery.classNames must be an array of class names".into()),
    }
}

/// An option Parse takes as a boolean or as a function deciding per request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decision {
    Yes,
    No,
    /// A function, configured in the upstream Parse Server: what it decides goes there.
    Upstream,
}

/// The e-mail options given as flags (or env).
struct EmailArgs {
    app_name: Option<String>,
    public_server_url: Option<String>,
    verify_user_emails: Option<String>,
    prevent_login: Option<String>,
    prevent_signup: Option<bool>,
    validity: Option<f64>,
    reuse: Option<bool>,
    adapter: Option<String>,
    from: Option<String>,
}

/// Parse's `protectedFields` for `_User`: per key (`*`, `authenticated`, a user's objectId),
/// the fields hidden from a caller that key applies to. Parse's default (`*`: `email`) is
/// always merged in, and the deprecated `userSensitiveFields` join `*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtectedFields(Vec<(String, Vec<String>)>);

impl Default for ProtectedFields {
    fn default() -> Self {
        Self(vec![("*".into(), vec!["email".into()])])
    }
}

impl ProtectedFields {
    /// From the `protectedFields` and `userSensitiveFields` options, as given.
    pub fn from_options(
        protected: Option<Value>,
        sensitive: Option<Value>,
    ) -> Result<Self, String> {
        let names = |v: &Value, what: &str| -> Result<Vec<String>, String> {
            v.as_array()
                .map(|items| {
                    items
                        .iter()
                        .filter_map(|i| i.as_str().map(str::to_owned))
                        .collect()
                })
                .ok_or_else(|| format!("{what} must be an array of field names"))
        };
        let mut keys: Vec<(String, Vec<String>)> = Vec::new();
        if let Some(user) = protected.as_ref().and_then(|p| p.get("_User")) {
            let Value::Object(entries) = user else {
                return Err("protectedFields._User must be an object".into());
            };
            for (key, fields) in entries {
                keys.push((
                    key.clone(),
                    names(fields, &format!("protectedFields._User.{key}"))?,
                ));
            }
        }
        let mut add = |key: &str, fields: Vec<String>| {
            let at = match keys.iter().position(|(k, _)| k == key) {
                Some(i) => i,
                None => {
                    keys.push((key.to_owned(), Vec::new()));
                    keys.len() - 1
                }
            };
            for f in fields {
                if !keys[at].1.contains(&f) {
                    keys[at].1.push(f);
                }
            }
        };
        if let Some(sensitive) = &sensitive {
            add("*", names(sensitive, "userSensitiveFields")?);
        }
        add("*", vec!["email".into()]);
        Ok(Self(keys))
    }

    /// The fields of another user hidden from this caller: those every key that applies to
    /// it protects. Parse intersects the sets of `*`, and for a signed-in caller
    /// `authenticated`, each role they hold (`role:<name>`) and their own objectId.
    pub fn hidden_from(&self, caller_id: Option<&str>, roles: &[String]) -> Vec<String> {
        let mut hidden: Option<Vec<String>> = None;
        for (key, fields) in &self.0 {
            let applies = key == "*"
                || (caller_id.is_some()
                    && (key == "authenticated"
                        || caller_id == Some(key.as_str())
                        || (key.starts_with("role:") && roles.contains(key))));
            if applies {
                hidden = Some(match hidden {
                    None => fields.clone(),
                    Some(h) => h.into_iter().filter(|f| fields.contains(f)).collect(),
                });
            }
        }
        hidden.unwrap_or_default()
    }

    /// Whether a key names a role, so that a caller's roles decide what they see.
    pub fn names_roles(&self) -> bool {
        self.0.iter().any(|(key, _)| key.starts_with("role:"))
    }
}

/// The e-mail options: flags over the config file. An `emailAdapter` the file gives as a
/// JavaScript module (an object) cannot run here: it is named in a warning and messages are
/// logged instead.
fn email_options(
    file: &FileValues,
    args: EmailArgs,
    policy: Option<&crate::policy::PasswordPolicy>,
) -> Result<crate::email::EmailOptions, ConfigError> {
    use crate::email::sender::AdapterConfig;
    let pick = |flag: Option<String>, key: &'static str| -> Result<Option<String>, ConfigError> {
        Ok(match flag {
            Some(v) => Some(v),
            None => file.string(key)?,
        })
    };
    let from = pick(args.from, "emailFrom")?;
    let adapter = match args.adapter {
        Some(text) => AdapterConfig::parse(&text, from).map_err(ConfigError::Invalid)?,
        None => match file.0.get("emailAdapter") {
            None | Some(Value::Null) => AdapterConfig::Log,
            Some(Value::String(text)) => {
                AdapterConfig::parse(text, from).map_err(ConfigError::Invalid)?
            }
            Some(_) => {
                tracing::warn!(
                    "emailAdapter in the config file is a JavaScript module, which parse-compat cannot run; e-mails are logged instead (give smtp://…, file:PATH, or upstream to have the --upstream Parse Server send them with it)"
                );
                AdapterConfig::Log
            }
        },
    };
    let validity = match args.validity {
        Some(v) => Some(v),
        None => match file.0.get("emailVerifyTokenValidityDuration") {
            None | Some(Value::Null) => None,
            Some(v) => Some(v.as_f64().ok_or_else(|| {
                ConfigError::Invalid(
                    "Email verify token validity duration must be a valid number.".into(),
                )
            })?),
        },
    };
    let verify = file.decision(args.verify_user_emails, "verifyUserEmails")?;
    let prevent_login = file.decision(args.prevent_login, "preventLoginWithUnverifiedEmail")?;
    Ok(crate::email::EmailOptions {
        app_name: pick(args.app_name, "appName")?,
        public_server_url: pick(args.public_server_url, "publicServerURL")?
            .map(|u| u.trim_end_matches('/').to_owned()),
        verify_user_emails: verify == Decision::Yes,
        verify_user_emails_upstream: verify == Decision::Upstream,
        prevent_login_with_unverified_email: prevent_login == Decision::Yes,
        prevent_login_upstream: prevent_login == Decision::Upstream,
        prevent_signup_with_unverified_email: match args.prevent_signup {
            Some(b) => b,
            None => file
                .boolean("preventSignupWithUnverifiedEmail")?
                .unwrap_or(false),
        },
        verify_token_validity_secs: validity.filter(|d| *d != 0.0),
        verify_token_reuse_if_valid: match args.reuse {
            Some(b) => b,
            None => file
                .boolean("emailVerifyTokenReuseIfValid")?
                .unwrap_or(false),
        },
        reset_token_validity_secs: policy.and_then(|p| p.reset_token_validity_secs),
        reset_token_reuse_if_valid: policy.is_some_and(|p| p.reset_token_reuse_if_valid),
        adapter,
        reset_refuses_unknown_email: false,
    })
}

fn generate_master_key() -> String {
    let mut bytes = [0u8; 24];
    crate::store::os_random(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(version: &str) -> ServeArgs {
        ServeArgs {
            parse_version: Some(version.into()),
            app_id: Some("app".into()),
            ..ServeArgs::default()
        }
    }

    #[test]
    fn defaults_are_parses() {
        let c = Config::from_args(args("4.4.0")).unwrap();
        assert_eq!(c.port, 1337);
        assert_eq!(c.mount_path, "/parse");
        assert_eq!(c.graphql_path, "/graphql");
        assert_eq!(c.session_length_secs, 31_536_000);
        assert!(c.master_key_generated && c.master_key.len() == 48);
        assert_eq!(
            c.database,
            DatabaseLocation::File("./parse-compat.db".into())
        );
    }

    #[test]
    fn an_unsupported_version_names_the_range() {
        let err = Config::from_args(args("2.0.0")).unwrap_err();
        assert!(err.to_string().contains(SUPPORTED_RANGE), "{err}");
    }

    #[test]
    fn flags_override_the_config_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        std::fs::write(
            &path,
            r#"{"appId":"fromFile","masterKey":"m","port":4000,"mountPath":"/api/"}"#,
        )
        .unwrap();
        let mut a = args("9.10.0");
        a.config = Some(path);
        a.app_id = None;
        a.port = Some(5000);
        let c = Config::from_args(a).unwrap();
        assert_eq!(c.app_id, "fromFile");
        assert_eq!(c.port, 5000);
        assert_eq!(c.mount_path, "/api");
        assert!(!c.master_key_generated);
    }

    /// `userTriggers` needs an upstream and the database it uses, and Parse's trigger names.
    #[test]
    fn user_triggers_are_checked() {
        let triggers = |list: &str, upstream: Option<&str>, db: &str| {
            let mut a = args("9.10.0");
            a.user_triggers = Some(list.into());
            a.upstream = upstream.map(Into::into);
            a.database_uri = Some(db.into());
            Config::from_args(a)
        };
        let up = Some("http://127.0.0.1:1337/parse");
        let pg = "postgres://p@127.0.0.1/db";
        let c = triggers("beforeSave,afterLogout", up, pg).unwrap();
        assert_eq!(c.user_triggers.to_string(), "beforeSave, afterLogout");
        for (upstream, db) in [(None, pg), (up, "sqlite::memory:")] {
            let err = triggers("beforeLogin", upstream, db)
                .unwrap_err()
                .to_string();
            assert!(err.contains("userTriggers (beforeLogin)"), "{err}");
        }
        let err = triggers("beforeSafe", up, pg).unwrap_err().to_string();
        assert!(err.contains("`beforeSafe` is not a Parse trigger"), "{err}");
        assert!(
            triggers("", None, "sqlite::memory:")
                .unwrap()
                .user_triggers
                .is_empty()
        );
    }

    /// `emailAdapter upstream` needs an upstream, and the database it uses; 6.1+ reads
    /// `resetPasswordSuccessOnInvalidEmail` and refuses a truthy non-boolean, 6.0 ignores it.
    #[test]
    fn upstream_e_mail_and_the_reset_option_are_checked() {
        let upstream_mail = |upstream: Option<&str>, db: &str| {
            let mut a = args("9.10.0");
            a.email_adapter = Some("upstream".into());
            a.upstream = upstream.map(Into::into);
            a.database_uri = Some(db.into());
            Config::from_args(a)
        };
        let err = upstream_mail(None, "postgres://p@127.0.0.1/db").unwrap_err();
        assert!(err.to_string().contains("give --upstream too"), "{err}");
        let err =
            upstream_mail(Some("http://127.0.0.1:1337/parse"), "sqlite::memory:").unwrap_err();
        assert!(
            err.to_string().contains("--databaseURI postgres://"),
            "{err}"
        );
        let c = upstream_mail(
            Some("http://127.0.0.1:1337/parse"),
            "postgres://p@127.0.0.1/db",
        );
        assert_eq!(
            c.unwrap().email.adapter,
            crate::email::sender::AdapterConfig::Upstream
        );

        let reset = |version: &str, value: &str| {
            let mut a = args(version);
            a.password_policy = Some(format!(
                r#"{{"resetPasswordSuccessOnInvalidEmail":{value}}}"#
            ));
            Config::from_args(a).map(|c| c.email.reset_refuses_unknown_email)
        };
        assert!(reset("6.5.11", "false").unwrap());
        assert!(!reset("6.5.11", "true").unwrap());
        assert!(reset("6.5.11", "1").is_err());
        assert!(
            !reset("6.0.0", "false").unwrap(),
            "no such option before 6.1"
        );
    }

    /// Parse merges its default (`*`: email) and `userSensitiveFields` into `protectedFields`,
    /// and hides from a caller what every key that applies to it protects.
    #[test]
    fn protected_fields_merge_and_intersect_as_parse_s() {
        let p = ProtectedFields::from_options(
            Some(serde_json::json!({"_User": {"*": ["zip", "ssn"], "authenticated": ["zip"], "u1": []}})),
            Some(serde_json::json!(["phone"])),
        )
        .unwrap();
        assert_eq!(p.hidden_from(None, &[]), ["zip", "ssn", "phone", "email"]);
        assert_eq!(p.hidden_from(Some("u2"), &[]), ["zip"]);
        assert!(p.hidden_from(Some("u1"), &[]).is_empty());
        assert_eq!(
            ProtectedFields::default().hidden_from(Some("u2"), &[]),
            ["email"]
        );
        assert!(!p.names_roles());
        assert!(
            ProtectedFields::from_options(Some(serde_json::json!({"_User": 1})), None).is_err()
        );
    }

    /// A `role:` key applies to a signed-in caller holding that role, intersected with the
    /// rest; a role the caller does not hold, or an anonymous caller, is not affected.
    #[test]
    fn protected_fields_role_keys_apply_to_their_holders() {
        let p = ProtectedFields::from_options(
            Some(serde_json::json!({"_User": {"*": ["ssn", "zip"], "role:Administrator": [], "role:Support": ["ssn"]}})),
            None,
        )
        .unwrap();
        assert!(p.names_roles());
        let admin = ["role:Administrator".to_owned()];
        let support = ["role:Support".to_owned()];
        assert!(p.hidden_from(Some("a"), &admin).is_empty());
        assert_eq!(p.hidden_from(Some("s"), &support), ["ssn"]);
        assert_eq!(p.hidden_from(Some("x"), &[]), ["ssn", "zip", "email"]);
        assert_eq!(
            p.hidden_from(None, &admin),
            ["ssn", "zip", "email"],
            "roles count only for a signed-in caller"
        );
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("20mb").unwrap(), DEFAULT_BODY_LIMIT);
        assert_eq!(parse_size("1024").unwrap(), 1024);
        assert!(parse_size("lots").is_err());
    }
}
