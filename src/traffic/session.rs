//! Replaying a recording of real Parse as the conformance suite does, for
//! `parse-compat replay` and for `tests/conformance.rs` alike: each record may name the Parse
//! options its server ran with (the replay then starts a fresh server with them, as the
//! recording did), wait as the recording waited, check the e-mails Parse's adapter was given
//! against the ones parse-compat sent, send race pairs (`*.concurrentLog*.A`/`.B`) at once,
//! and apply the knowingly different answers of a `deviations.tsv` beside the recording.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::replay::{Bindings, Difference, Live, LocalServer, compare, send};
use crate::config::Config;
use crate::store::DatabaseLocation;
use crate::version::{Behavior, ParseVersion};

/// Where each fresh server of a replay keeps its data.
#[derive(Debug, Clone)]
pub enum ReplayDatabase {
    /// A throwaway SQLite file.
    Sqlite,
    /// A new database on this PostgreSQL server (`postgres://user@host:port`) per server.
    Postgres(String),
}

impl ReplayDatabase {
    /// The store name deviations may be specific to.
    pub const fn store(&self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }

    async fn location(&self) -> Result<DatabaseLocation, String> {
        match self {
            Self::Sqlite => Ok(DatabaseLocation::Memory),
            Self::Postgres(server) => fresh_postgres_database(server)
                .await
                .map(DatabaseLocation::Postgres),
        }
    }
}

/// A new, empty database (`pc_test_<random>`) on the PostgreSQL server at `server`
/// (`postgres://user@host:port`): its URI.
pub async fn fresh_postgres_database(server: &str) -> Result<String, String> {
    let server = server.trim_end_matches('/');
    let mut name = [0u8; 8];
    crate::store::os_random(&mut name);
    let name: String = std::iter::once("pc_test_".to_owned())
        .chain(name.iter().map(|b| format!("{b:02x}")))
        .collect();
    let (client, connection) =
        tokio_postgres::connect(&format!("{server}/postgres"), tokio_postgres::NoTls)
            .await
            .map_err(|e| format!("PostgreSQL at {server}: {e}"))?;
    tokio::spawn(connection);
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .map_err(|e| format!("creating a database at {server}: {e}"))?;
    Ok(format!("{server}/{name}"))
}

/// Drop a database [`fresh_postgres_database`] made (its URI).
async fn drop_postgres_database(uri: &str) -> Result<(), String> {
    let (server, name) = uri.rsplit_once('/').ok_or("a database URI")?;
    if !name.starts_with("pc_test_")
        || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        return Err(format!("not a replay database: {name}"));
    }
    let (client, connection) =
        tokio_postgres::connect(&format!("{server}/postgres"), tokio_postgres::NoTls)
            .await
            .map_err(|e| e.to_string())?;
    tokio::spawn(connection);
    client
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await
        .map_err(|e| e.to_string())
}

/// A knowingly different answer: the recorded value at `pointer` (the whole answer when
/// empty) is replaced by `value` for the steps, versions and store named; `-` as pointer
/// means the step is not replayed at all (real Parse's answer came from a broken dependency).
#[derive(Debug, Clone)]
pub struct Deviation {
    step: String,
    store: Option<String>,
    from: Option<ParseVersion>,
    to: Option<ParseVersion>,
    pointer: String,
    value: Value,
}

/// The deviations of the recordings in `dir` (`deviations.tsv`: step, versions, pointer,
/// value, reason), none when there is no such file.
pub fn load_deviations(dir: &Path) -> Result<Vec<Deviation>, String> {
    let path = dir.join("deviations.tsv");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(Vec::new());
    };
    let version = |v: &str| {
        v.parse::<ParseVersion>()
            .map_err(|e| format!("{}: {e}", path.display()))
    };
    let mut out = Vec::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() != 5 {
            return Err(format!("{}: five columns: {line}", path.display()));
        }
        let (versions, store) = match cols[1].split_once('@') {
            Some((v, store)) => (v, Some(store.to_owned())),
            None => (cols[1], None),
        };
        let (from, to) = match versions {
            "*" => (None, None),
            range => {
                let (a, b) = range
                    .split_once('-')
                    .ok_or_else(|| format!("{}: a version range a-b: {line}", path.display()))?;
                (Some(version(a)?), Some(version(b)?))
            }
        };
        let value = if cols[2] == "-" {
            Value::Null
        } else {
            serde_json::from_str(cols[3])
                .map_err(|e| format!("{}: a JSON value: {e}: {line}", path.display()))?
        };
        out.push(Deviation {
            step: cols[0].to_owned(),
            store,
            from,
            to,
            pointer: cols[2].to_owned(),
            value,
        });
    }
    Ok(out)
}

/// Parse options from a recording applied to a server's configuration (the server's own URL
/// is in `config.server_url`); e-mails go to `outbox`.
pub fn apply_options(config: &mut Config, options: &Value, outbox: &Path) {
    if let Some(v) = options.get("accountLockout") {
        config.account_lockout = crate::policy::account_lockout(v).ok().flatten();
    }
    if let Some(v) = options.get("passwordPolicy") {
        config.password_policy = crate::policy::password_policy(v).ok().flatten();
    }
    if let Some(v) = options
        .get("revokeSessionOnPasswordReset")
        .and_then(Value::as_bool)
    {
        config.revoke_session_on_password_reset = v;
    }
    if let Some(v) = options.get("enforcePrivateUsers").and_then(Value::as_bool) {
        config.enforce_private_users = Some(v);
    }
    let origin = config
        .server_url
        .strip_suffix(config.mount_path.as_str())
        .unwrap_or(&config.server_url)
        .to_owned();
    let policy = config.password_policy.clone();
    let email = &mut config.email;
    if let Some(v) = options.get("appName").and_then(Value::as_str) {
        email.app_name = Some(v.to_owned());
    }
    if let Some(v) = options.get("publicServerURL").and_then(Value::as_str) {
        email.public_server_url = Some(v.replace("http://127.0.0.1:<port>", &origin));
    }
    if options.get("emailAdapter").is_some() {
        email.adapter = crate::email::sender::AdapterConfig::Outbox(outbox.to_owned());
    }
    let flag = |k: &str| options.get(k).and_then(Value::as_bool).unwrap_or(false);
    email.verify_user_emails = flag("verifyUserEmails");
    email.prevent_login_with_unverified_email = flag("preventLoginWithUnverifiedEmail");
    email.verify_token_reuse_if_valid = flag("emailVerifyTokenReuseIfValid");
    email.verify_token_validity_secs = options
        .get("emailVerifyTokenValidityDuration")
        .and_then(Value::as_f64);
    email.reset_token_validity_secs = policy.as_ref().and_then(|p| p.reset_token_validity_secs);
    email.reset_token_reuse_if_valid = policy.is_some_and(|p| p.reset_token_reuse_if_valid);
}

/// The e-mails a local server sent (its outbox), matched in order with the adapter calls
/// the recording says Parse made.
struct Outbox {
    _dir: tempfile::TempDir,
    path: PathBuf,
    read: usize,
}

impl Outbox {
    fn new() -> Result<Self, String> {
        let dir = tempfile::tempdir().map_err(|e| format!("a temporary directory: {e}"))?;
        let path = dir.path().join("outbox.jsonl");
        Ok(Self {
            _dir: dir,
            path,
            read: 0,
        })
    }

    fn lines(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.path)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    /// The next e-mail sent, against the recorded adapter call: `(field, expected, actual)`
    /// for each difference.
    fn check(&mut self, b: &mut Bindings, recorded: &Value) -> Vec<(String, Value, Value)> {
        let lines = self.lines();
        let Some(sent) = lines.get(self.read) else {
            return vec![("/email".into(), recorded.clone(), Value::Null)];
        };
        self.read += 1;
        let options = &recorded["options"];
        let method = recorded["method"].as_str().unwrap_or("");
        let fields: &[&str] = if method == "sendMail" {
            &["to", "subject", "text"]
        } else {
            if sent["method"].as_str() != Some(method) {
                return vec![(
                    "/email/method".into(),
                    recorded["method"].clone(),
                    sent["method"].clone(),
                )];
            }
            &["appName", "link"]
        };
        fields
            .iter()
            .filter_map(|field| {
                let want = options[*field].as_str().unwrap_or("");
                let got = sent[*field].as_str().unwrap_or("");
                (!b.match_str(want, got)).then(|| {
                    (
                        format!("/email/{field}"),
                        Value::from(want),
                        Value::from(got),
                    )
                })
            })
            .collect()
    }

    /// E-mails sent that the recording does not have.
    fn leftovers(&mut self) -> Vec<Value> {
        let extra = self.lines().into_iter().skip(self.read).collect();
        let _ = std::fs::remove_file(&self.path);
        self.read = 0;
        extra
    }
}

/// What a replay runs against.
pub enum ReplayTarget {
    /// parse-compat answering as this version, a fresh server per option set.
    Local {
        behavior: Behavior,
        database: ReplayDatabase,
        /// The application id the recording used.
        app_id: Option<String>,
    },
    /// Any server, as it is (option changes and e-mails cannot be followed there).
    Remote(SocketAddr),
}

/// A replay in progress.
pub struct Replayer {
    target: ReplayTarget,
    server: Option<LocalServer>,
    addr: Option<SocketAddr>,
    pub bindings: Bindings,
    options: Value,
    outbox: Outbox,
    deviations: Vec<Deviation>,
    /// Every step is still sent; only paths under this prefix are compared.
    pub only: Option<String>,
    /// Keep each live answer, by record index (`--update`).
    pub keep_answers: bool,
    answers: Vec<(usize, Live)>,
    /// The PostgreSQL databases this replay made, dropped when it ends.
    databases: Vec<String>,
}

impl Replayer {
    pub fn new(target: ReplayTarget, deviations: Vec<Deviation>) -> Result<Self, String> {
        let addr = match &target {
            ReplayTarget::Remote(addr) => Some(*addr),
            ReplayTarget::Local { .. } => None,
        };
        Ok(Self {
            target,
            server: None,
            addr,
            bindings: Bindings::default(),
            options: Value::Null,
            outbox: Outbox::new()?,
            deviations,
            only: None,
            keep_answers: false,
            answers: Vec::new(),
            databases: Vec::new(),
        })
    }

    /// (Re)start the local server with `options`.
    async fn restart(&mut self, options: &Value) -> Result<(), String> {
        let ReplayTarget::Local {
            behavior,
            database,
            app_id,
        } = &self.target
        else {
            return Ok(());
        };
        if let Some(server) = self.server.take() {
            server.stop().await;
        }
        let mut config = Config::for_tests(*behavior);
        config.database = database.location().await?;
        if let DatabaseLocation::Postgres(uri) = &config.database {
            self.databases.push(uri.clone());
        }
        if let Some(app_id) = app_id {
            config.app_id = app_id.clone();
        }
        for (placeholder, key) in [
            ("<masterKey>", Some(config.master_key.clone())),
            ("<restAPIKey>", config.rest_api_key.clone()),
            ("<javascriptKey>", config.javascript_key.clone()),
            ("<clientKey>", config.client_key.clone()),
        ] {
            if let Some(key) = key {
                self.bindings.keys.insert(placeholder.into(), key);
            }
        }
        let outbox = self.outbox.path.clone();
        let options = options.clone();
        let server = LocalServer::start(config, move |c| apply_options(c, &options, &outbox))
            .await
            .map_err(|e| format!("starting parse-compat as Parse {}: {e}", behavior.version))?;
        self.bindings.port = Some(server.addr.port());
        self.addr = Some(server.addr);
        self.server = Some(server);
        Ok(())
    }

    fn version(&self) -> Option<ParseVersion> {
        match &self.target {
            ReplayTarget::Local { behavior, .. } => Some(behavior.version),
            ReplayTarget::Remote(_) => None,
        }
    }

    fn store(&self) -> Option<&'static str> {
        match &self.target {
            ReplayTarget::Local { database, .. } => Some(database.store()),
            ReplayTarget::Remote(_) => None,
        }
    }

    fn deviations_of(&self, step: &str) -> Vec<&Deviation> {
        let (version, store) = (self.version(), self.store());
        self.deviations
            .iter()
            .filter(|d| d.step == step)
            .filter(|d| match (version, d.from, d.to) {
                (Some(v), Some(from), Some(to)) => from <= v && v <= to,
                (_, None, None) => true,
                (None, _, _) => false,
                _ => true,
            })
            .filter(|d| d.store.is_none() || d.store.as_deref() == store)
            .collect()
    }

    /// The recorded answer with this replay's deviations applied; `None` when the step is
    /// not replayed.
    fn expected(&self, record: &Value) -> Result<Option<Value>, String> {
        let step = record["step"].as_str().unwrap_or("");
        let mut response = record["response"].clone();
        for d in self.deviations_of(step) {
            if d.pointer == "-" {
                return Ok(None);
            }
            if d.pointer.is_empty() {
                response["status"] = d.value["status"].clone();
                response["body"] = d.value["body"].clone();
                continue;
            }
            let slot = response["body"]
                .pointer_mut(&d.pointer)
                .ok_or_else(|| format!("deviation {step} {}: no such value recorded", d.pointer))?;
            *slot = d.value.clone();
        }
        Ok(Some(response))
    }

    fn in_scope(&self, record: &Value) -> bool {
        let path = record["request"]["path"].as_str().unwrap_or("");
        self.only.as_deref().is_none_or(|p| path.starts_with(p))
    }

    async fn send(&self, request: &Value) -> Result<Live, String> {
        let addr = self.addr.ok_or("no server to replay against")?;
        send(addr, &self.bindings, request).await
    }

    /// Replay `records`; every difference, in order. `progress` gets (done, total).
    pub async fn run(
        &mut self,
        records: &[Value],
        progress: impl Fn(usize, usize),
    ) -> Result<Vec<Difference>, String> {
        let mut all = Vec::new();
        if self.addr.is_none() {
            self.restart(&Value::Null).await?;
        }
        let total = records.len();
        let mut i = 0;
        while i < records.len() {
            progress(i + 1, total);
            let record = &records[i];
            let step = record["step"].as_str().unwrap_or("").to_owned();
            i += 1;
            if step.starts_with("z.") {
                continue;
            }
            if let Some(wanted) = record.get("options")
                && *wanted != self.options
                && matches!(self.target, ReplayTarget::Local { .. })
            {
                // A new option set: a new server on a new database, as the recording had.
                self.leftover_emails(&step, &mut all);
                self.restart(wanted).await?;
                self.options = wanted.clone();
            }
            if let Some(recorded) = record.get("email") {
                if matches!(self.target, ReplayTarget::Local { .. }) {
                    for (path, expected, actual) in self.outbox.check(&mut self.bindings, recorded)
                    {
                        all.push(Difference {
                            step: step.clone(),
                            request: "e-mail".into(),
                            path,
                            expected,
                            actual,
                        });
                    }
                }
                continue;
            }
            if record.get("request").is_none() {
                continue;
            }
            if let Some(ms) = record.get("waitBefore").and_then(Value::as_u64) {
                tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
            }
            if step.contains(".concurrentLog") && step.ends_with(".A") && i < records.len() {
                let other = &records[i];
                i += 1;
                self.race(record, other, &mut all).await?;
                continue;
            }
            let Some(expected) = self.expected(record)? else {
                continue;
            };
            let live = self.send(&record["request"]).await?;
            if self.keep_answers {
                self.answers.push((i - 1, live.clone()));
            }
            if !self.in_scope(record) {
                continue;
            }
            let request = describe(record);
            // REST bodies keep their key order on every Parse version; compare it.
            let ordered = record["request"]["path"]
                .as_str()
                .is_some_and(|p| p.starts_with("/parse"));
            let mut trial = self.bindings.clone();
            let found = compare(&mut trial, &step, &request, &expected, &live, ordered);
            if found.is_empty() {
                self.bindings = trial;
            } else if step.starts_with("j.") && step.ends_with(".sessionAfter") && is_209(&live) {
                // Real Parse answers either 209 message here, depending on its session cache.
            } else {
                let found = compare(
                    &mut self.bindings,
                    &step,
                    &request,
                    &expected,
                    &live,
                    ordered,
                );
                all.extend(found);
            }
        }
        self.leftover_emails("(end)", &mut all);
        if let Some(server) = self.server.take() {
            server.stop().await;
        }
        for uri in std::mem::take(&mut self.databases) {
            if let Err(why) = drop_postgres_database(&uri).await {
                tracing::warn!(%why, "a replay database was left behind");
            }
        }
        Ok(all)
    }

    /// `records` with each replayed exchange's recorded answer replaced by the live one, as a
    /// recording would keep it: the values bound during the replay by their placeholders,
    /// new ones numbered after them (`replay --update`).
    pub fn updated(&self, records: &[Value]) -> Vec<Value> {
        let [tokens, oids, email_tokens] = self.bindings.bound();
        let mut normalizer = super::normalize::Normalizer::seeded(tokens, oids);
        let mut out = records.to_vec();
        for (index, live) in &self.answers {
            let headers: serde_json::Map<String, Value> = live
                .headers
                .iter()
                .filter(|(k, _)| !super::record::VOLATILE.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect();
            let mut response = serde_json::json!({
                "status": live.status,
                "headers": headers,
                "body": live.body_value(),
            });
            replace_strings(&mut response, &email_tokens);
            let response = normalizer.response(response);
            if let Some(record) = out.get_mut(*index) {
                record["response"] = response;
            }
        }
        out
    }

    fn leftover_emails(&mut self, step: &str, all: &mut Vec<Difference>) {
        for extra in self.outbox.leftovers() {
            all.push(Difference {
                step: step.to_owned(),
                request: "e-mail".into(),
                path: "/email".into(),
                expected: Value::Null,
                actual: extra,
            });
        }
    }

    /// Two logouts of one session sent at once: each must answer as real Parse answered one
    /// of them, or be the loser (a 209/101 "Invalid session token" or "Object not found"),
    /// and one must succeed.
    async fn race(
        &mut self,
        a: &Value,
        b: &Value,
        all: &mut Vec<Difference>,
    ) -> Result<(), String> {
        let (ra, rb) = tokio::join!(self.send(&a["request"]), self.send(&b["request"]));
        let (ra, rb) = (ra?, rb?);
        if !(self.in_scope(a)) {
            return Ok(());
        }
        let winners: Vec<&Value> = [a, b]
            .into_iter()
            .map(|r| &r["response"])
            .filter(|r| r["status"] == 200 && r["body"].get("errors").is_none())
            .collect();
        for (record, live) in [(a, &ra), (b, &rb)] {
            let step = record["step"].as_str().unwrap_or("");
            let request = describe(record);
            let matches = |bindings: &mut Bindings, expected: &Value| {
                compare(bindings, step, &request, expected, live, false).is_empty()
            };
            let mut trial = self.bindings.clone();
            let ok = matches(&mut trial, &record["response"])
                || winners.iter().any(|w| matches(&mut trial.clone(), w))
                || is_loser(live);
            if ok {
                self.bindings = trial;
            } else {
                all.extend(compare(
                    &mut self.bindings,
                    step,
                    &request,
                    &record["response"],
                    live,
                    false,
                ));
            }
        }
        if !is_success(&ra) && !is_success(&rb) {
            all.push(Difference {
                step: a["step"].as_str().unwrap_or("").to_owned(),
                request: describe(a),
                path: "/status".into(),
                expected: Value::from("one of two concurrent logouts succeeds"),
                actual: Value::from("neither did"),
            });
        }
        Ok(())
    }
}

/// Live values replaced by their placeholders in every string of `value`.
fn replace_strings(value: &mut Value, bound: &[(&str, &str)]) {
    match value {
        Value::String(s) => {
            for (live, placeholder) in bound {
                if s.contains(live) {
                    *s = s.replace(live, placeholder);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| replace_strings(v, bound)),
        Value::Object(map) => map.values_mut().for_each(|v| replace_strings(v, bound)),
        _ => {}
    }
}

fn describe(record: &Value) -> String {
    format!(
        "{} {}",
        record["request"]["method"].as_str().unwrap_or(""),
        record["request"]["path"].as_str().unwrap_or("")
    )
}

fn code(live: &Live) -> (Option<i64>, Option<i64>) {
    let body = live.body_value();
    (
        body.get("code").and_then(Value::as_i64),
        body.pointer("/errors/0/extensions/code")
            .and_then(Value::as_i64),
    )
}

fn is_209(live: &Live) -> bool {
    live.status == 400 && code(live).0 == Some(209)
}

fn is_success(live: &Live) -> bool {
    live.status == 200 && live.body_value().get("errors").is_none()
}

fn is_loser(live: &Live) -> bool {
    let (rest, graphql) = code(live);
    (matches!(live.status, 400 | 404) && matches!(rest, Some(101 | 209)))
        || (live.status == 200 && matches!(graphql, Some(101 | 209)))
}
