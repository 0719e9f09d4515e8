//! Running GraphQL documents straight through `Schema::execute_sync` against a real store,
//! with the caller set up as Parse's middleware would (session resolved, master key).

#![allow(
    dead_code,
    reason = "each test binary uses part of the harness; `expect` would be unfulfilled in some"
)]

use juniper::Variables;
use parse_compat::graphql::context::Context;
use parse_compat::graphql::schema::Schema;
use parse_compat::http::RequestAuth;
use parse_compat::store::{DatabaseLocation, Store, StoreOptions};
use parse_compat::version::Behavior;
use serde_json::{Value, json};

pub struct Harness {
    pub behavior: Behavior,
    pub schema: Schema,
    pub store: Store,
    /// The server the resolvers reach Parse's REST layer through (the class API).
    state: std::sync::Arc<parse_compat::http::AppState>,
    pub runtime: tokio::runtime::Runtime,
    _dir: tempfile::TempDir,
}

/// Who sends a request.
#[derive(Default, Clone)]
pub struct Caller {
    pub token: Option<String>,
    pub master: bool,
}

impl Caller {
    pub fn anonymous() -> Self {
        Self::default()
    }
    pub fn session(token: &str) -> Self {
        Self {
            token: Some(token.to_owned()),
            master: false,
        }
    }
    pub fn master_with(token: &str) -> Self {
        Self {
            token: Some(token.to_owned()),
            master: true,
        }
    }
}

impl Harness {
    pub fn new(version: &str) -> Self {
        let behavior = Behavior::parse(version).expect("supported version");
        let dir = tempfile::tempdir().expect("temp dir");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let options = StoreOptions {
            case_insensitive_identity: behavior.case_insensitive_identity,
            private_users: behavior.private_users,
            ..StoreOptions::default()
        };
        let store = {
            let _guard = runtime.enter();
            Store::open(
                &DatabaseLocation::File(dir.path().join("db.sqlite")),
                options,
            )
            .expect("store")
        };
        let config = parse_compat::config::Config::for_tests(behavior);
        let state = std::sync::Arc::new(parse_compat::http::AppState {
            email: parse_compat::email::EmailService::for_config(&config, None),
            graphql: parse_compat::graphql::GraphqlService::new(&config).expect("executors"),
            store: store.clone(),
            config,
            descope: None,
            upstream: None,
        });
        Self {
            behavior,
            schema: Schema::for_behavior(&behavior),
            store,
            state,
            runtime,
            _dir: dir,
        }
    }

    /// The caller as the middleware resolves it: a valid token gets its session.
    fn auth(&self, caller: &Caller) -> RequestAuth {
        let mut auth = RequestAuth {
            is_master: caller.master,
            session_token: caller.token.clone().filter(|t| !t.is_empty()),
            ..RequestAuth::default()
        };
        if !caller.master
            && let Some(token) = &auth.session_token
        {
            let session = self
                .runtime
                .block_on(self.store.find_session(token))
                .expect("store");
            auth.session = Some(session.expect("tests send live tokens"));
        }
        auth
    }

    /// Execute and render `{"data": …, "errors": […]}` as JSON (errors only when present).
    pub fn run(&self, caller: &Caller, document: &str, variables: Value) -> Value {
        let ctx = Context {
            state: std::sync::Arc::clone(&self.state),
            store: self.store.clone(),
            behavior: self.behavior,
            auth: self.auth(caller),
            runtime: self.runtime.handle().clone(),
            email: parse_compat::email::EmailService::new(
                parse_compat::email::EmailOptions::default(),
                self.behavior.email,
                "compatApp".into(),
            ),
        };
        let vars: Variables = serde_json::from_value(variables).expect("variables");
        match self.schema.execute_sync(document, None, &vars, &ctx) {
            Ok((data, errors)) => {
                let mut out = json!({ "data": serde_json::to_value(&data).expect("json") });
                if !errors.is_empty() {
                    out["errors"] = serde_json::to_value(&errors).expect("json");
                }
                out
            }
            Err(err) => {
                json!({ "request_error": serde_json::to_value(&err).unwrap_or_else(|_| Value::String(err.to_string())) })
            }
        }
    }

    /// A user signed up through the store; returns its first session token.
    pub fn user(&self, username: &str, password: &str) -> String {
        let new = parse_compat::store::NewUser {
            username: username.to_owned(),
            password: Some(password.to_owned()),
            ..Default::default()
        };
        let (_, issued) = self
            .runtime
            .block_on(self.store.sign_up(new, Default::default()))
            .expect("sign up");
        issued.token
    }

    /// Whether a session token still resolves.
    pub fn alive(&self, token: &str) -> bool {
        self.runtime
            .block_on(self.store.find_session(token))
            .expect("store")
            .is_some()
    }
}

/// Redactions for volatile values in snapshots.
#[macro_export]
macro_rules! redacted {
    ($value:expr) => {
        insta::assert_json_snapshot!($value, {
            ".**.sessionToken" => "[token]",
            ".**.objectId" => "[objectId]",
            ".**.id" => "[id]",
            ".**.userId" => "[id]",
            ".**.createdAt" => "[date]",
            ".**.updatedAt" => "[date]",
        })
    };
}
