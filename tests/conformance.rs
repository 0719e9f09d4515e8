//! Replays the recorded exchanges of real Parse Server (fixtures/transcripts, copied from
//! shared/parse-oracle) against parse-compat, one fresh server per version, and compares every
//! answer: status, JSON body (and, for REST, its key order), content-type and CORS headers.
//!
//! Placeholders in the recordings (`<token#N>`, `<oid#N>`, `<relay:_User:oid#N>`, `<date>`)
//! are bound to the live values the first time they appear in an answer and substituted into
//! later requests, so the scenario runs on our own tokens and ids: the binding engine is the
//! one `parse-compat replay` runs (`parse_compat::traffic::replay::Bindings`). Race steps (`j.*`) send both
//! logouts at once and accept what `compare.py` accepts: a winner answering as Parse did and a
//! loser answering as Parse did or with a deterministic 209 / 101.
//!
//! The same engine replays scenario B (fixtures/scenario-b, recorded from real Parse with
//! oracle/scenario-b.mjs): `scenario_b_*` tests. UUIDs the client chose (`<uuid#N>`, e.g. an
//! installation id) are sent as fixed stand-ins and expected back as such.
//!
//! `CONFORM_ONLY=/parse` limits the comparison to paths with that prefix (every request is
//! still sent, so the state is the recorded one).

mod common;

use common::{TestResponse, TestServer};
use parse_compat::traffic::replay::Bindings;
use serde_json::Value;

const VERSIONS: [&str; 12] = [
    "3.7.2", "3.8.0", "3.9.0", "3.10.0", "4.2.0", "4.4.0", "4.5.2", "5.6.0", "6.5.11", "7.5.4",
    "8.6.94", "9.10.0",
];

struct Outcome {
    ok: bool,
    why: String,
}

/// The headers compared: the content type, and Parse's CORS headers where the recording kept
/// them (the user-routes recording kept only the content type).
fn header_view(headers: &[(String, String)], cors: bool) -> Vec<(String, String)> {
    let mut v: Vec<_> = headers
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
        .filter(|(k, _)| k == "content-type" || (cors && k.starts_with("access-control-")))
        .collect();
    v.sort();
    v
}

fn recorded_headers(resp: &Value, cors: bool) -> Vec<(String, String)> {
    let pairs: Vec<(String, String)> = resp["headers"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_owned()))
                .collect()
        })
        .unwrap_or_default();
    header_view(&pairs, cors)
}

fn live_body(res: &TestResponse) -> Value {
    serde_json::from_slice(&res.body).unwrap_or_else(|_| Value::String(res.text()))
}

fn compare(
    b: &mut Bindings,
    expected: &Value,
    res: &TestResponse,
    ordered: bool,
    cors: bool,
) -> Outcome {
    let body = live_body(res);
    let status_ok = expected["status"].as_u64() == Some(u64::from(res.status));
    let headers_ok = recorded_headers(expected, cors) == header_view(&res.headers, cors);
    let body_ok = b.match_value(&expected["body"], &body, ordered);
    Outcome {
        ok: status_ok && headers_ok && body_ok,
        why: format!(
            "status {} (want {}), headers {}, body {} (want {})",
            res.status,
            expected["status"],
            if headers_ok {
                "ok".to_owned()
            } else {
                format!(
                    "{:?} (want {:?})",
                    header_view(&res.headers, cors),
                    recorded_headers(expected, cors)
                )
            },
            body,
            expected["body"]
        ),
    }
}

fn is_success(res: &TestResponse) -> bool {
    let body = live_body(res);
    res.status == 200 && body.get("errors").is_none()
}

fn is_loser(res: &TestResponse) -> bool {
    let body = live_body(res);
    let code = |v: &Value| v.as_i64();
    if matches!(res.status, 400 | 404) && matches!(body.get("code").and_then(code), Some(101 | 209))
    {
        return true;
    }
    res.status == 200
        && matches!(
            body.pointer("/errors/0/extensions/code").and_then(code),
            Some(101 | 209)
        )
}

async fn send(server: &TestServer, b: &Bindings, request: &Value) -> TestResponse {
    let method = request["method"].as_str().expect("a method");
    let path = b.substitute(request["path"].as_str().expect("a path"));
    let mut req = server.request(method, &path);
    if let Some(headers) = request["headers"].as_object() {
        for (k, v) in headers {
            req = req.header(k, &b.substitute(v.as_str().unwrap_or("")));
        }
    }
    match &request["body"] {
        Value::Null => {}
        Value::String(s) => req = req.raw_body(b.substitute(s)),
        other => req = req.raw_body(b.substitute_value(other).to_string()),
    }
    req.send().await
}

/// The recordings of one scenario: the folder under `fixtures/`.
#[derive(Debug, Clone, Copy)]
enum Scenario {
    A,
    B,
    /// fixtures/user-routes (recorded with scripts/record-user-routes.mjs): the user and
    /// session routes beyond the core ones, replayed for the cases parse-compat serves.
    UserRoutes,
    /// Parse 8/9's batch, recorded with the `router` release they shipped with (npm now
    /// resolves one that breaks it: fixtures/user-routes/FINDINGS.md, A1).
    UserRoutesBatch,
    /// Custom fields of users and sessions: types, operations, dotted keys, sign-up extras,
    /// session fields, queries (fixtures/user-objects).
    UserObjects,
    /// Parse's account options; each record names the options its server ran with
    /// (fixtures/user-options).
    UserOptions,
    /// The e-mail flows: verification, password reset, the pages under /apps, with the
    /// e-mails Parse sent (fixtures/user-email).
    UserEmail,
}

impl Scenario {
    fn file(self, version: &str) -> String {
        let dir = env!("CARGO_MANIFEST_DIR");
        match self {
            Scenario::A => format!("{dir}/fixtures/transcripts/{version}.normalized.jsonl"),
            Scenario::B => format!("{dir}/fixtures/scenario-b/{version}.normalized.jsonl"),
            Scenario::UserRoutes => format!("{dir}/fixtures/user-routes/{version}.jsonl"),
            Scenario::UserRoutesBatch => {
                format!("{dir}/fixtures/user-routes/router-2.2.0/{version}.batch.jsonl")
            }
            Scenario::UserObjects => format!("{dir}/fixtures/user-objects/{version}.jsonl"),
            Scenario::UserOptions => format!("{dir}/fixtures/user-options/{version}.jsonl"),
            Scenario::UserEmail => format!("{dir}/fixtures/user-email/{version}.jsonl"),
        }
    }

    /// Whether a recorded step is sent at all. Case 6 of the user-routes recording (its own
    /// user; verifyPassword, the email routes, loginAs, challenge) and the fetches of case 1
    /// (with their two sign-ups) are self-contained; the other steps wait for the routes
    /// they exercise.
    const fn records_cors(self) -> bool {
        match self {
            Scenario::A | Scenario::B => true,
            Scenario::UserRoutes
            | Scenario::UserRoutesBatch
            | Scenario::UserObjects
            | Scenario::UserOptions
            | Scenario::UserEmail => false,
        }
    }

    /// Whether a recorded step is replayed: all of them, except the batch steps Parse 8/9
    /// answered with a dependency's crash (replayed from their own recording instead).
    fn sends(self, step: &str, version: &str) -> bool {
        match self {
            Scenario::UserRoutes if version.starts_with("8.") || version.starts_with("9.") => {
                !(step.starts_with("7.batch.") && step != "7.batch.putUser.noMountPrefix"
                    || step == "7.me.afterBatch")
            }
            _ => true,
        }
    }
}

/// A knowingly different answer (`fixtures/user-routes/deviations.tsv`): the recorded value
/// at `pointer` is replaced by `value` for the steps and versions named.
struct Deviation {
    step: String,
    /// `sqlite` or `postgres` when only that store deviates.
    store: Option<String>,
    from: Option<(u32, u32, u32)>,
    to: Option<(u32, u32, u32)>,
    pointer: String,
    value: Value,
}

fn version_triple(v: &str) -> (u32, u32, u32) {
    let mut parts = v
        .split('.')
        .map(|p| p.parse::<u32>().expect("a numeric version"));
    (
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
    )
}

fn deviations(scenario: Scenario) -> Vec<Deviation> {
    let dir = match scenario {
        Scenario::UserRoutes => "user-routes",
        Scenario::UserObjects => "user-objects",
        _ => return Vec::new(),
    };
    let path = format!(
        "{}/fixtures/{dir}/deviations.tsv",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(path).expect("the deviations file exists");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            assert_eq!(cols.len(), 5, "five columns: {line}");
            // `3.7.2-9.10.0@postgres`: a deviation of one store only.
            let (versions, store) = match cols[1].split_once('@') {
                Some((v, store)) => (v, Some(store.to_owned())),
                None => (cols[1], None),
            };
            let (from, to) = match versions {
                "*" => (None, None),
                range => {
                    let (a, b) = range.split_once('-').expect("a version range a-b");
                    (Some(version_triple(a)), Some(version_triple(b)))
                }
            };
            Deviation {
                step: cols[0].to_owned(),
                store,
                from,
                to,
                pointer: cols[2].to_owned(),
                value: serde_json::from_str(cols[3]).expect("a JSON value"),
            }
        })
        .collect()
}

/// The recorded response with this version's deviations applied; each must apply.
fn expected(rec: &Value, version: &str, devs: &[Deviation]) -> Value {
    let mut response = rec["response"].clone();
    let step = rec["step"].as_str().unwrap_or("");
    let v = version_triple(version);
    let store = if std::env::var_os("PARSE_COMPAT_TEST_POSTGRES").is_some() {
        "postgres"
    } else {
        "sqlite"
    };
    for d in devs.iter().filter(|d| d.step == step) {
        if d.from.is_some_and(|f| v < f)
            || d.to.is_some_and(|t| v > t)
            || d.store.as_deref().is_some_and(|s| s != store)
        {
            continue;
        }
        if d.pointer.is_empty() {
            // The whole answer: status and body.
            response["status"] = d.value["status"].clone();
            response["body"] = d.value["body"].clone();
            continue;
        }
        let slot = response["body"]
            .pointer_mut(&d.pointer)
            .unwrap_or_else(|| panic!("deviation {step} {}: no such value recorded", d.pointer));
        *slot = d.value.clone();
    }
    response
}

/// Parse options from a recording, applied to a test server's configuration. E-mails go to
/// `outbox`.
fn apply_options(
    config: &mut parse_compat::config::Config,
    options: &Value,
    outbox: &std::path::Path,
) {
    let email = &mut config.email;
    let origin = config
        .server_url
        .strip_suffix("/parse")
        .unwrap_or(&config.server_url)
        .to_owned();
    if let Some(v) = options.get("appName").and_then(Value::as_str) {
        email.app_name = Some(v.to_owned());
    }
    if let Some(v) = options.get("publicServerURL").and_then(Value::as_str) {
        email.public_server_url = Some(v.replace("http://127.0.0.1:<port>", &origin));
    }
    if options.get("emailAdapter").is_some() {
        email.adapter = parse_compat::email::sender::AdapterConfig::Outbox(outbox.to_owned());
    }
    let flag = |k: &str| options.get(k).and_then(Value::as_bool).unwrap_or(false);
    email.verify_user_emails = flag("verifyUserEmails");
    email.prevent_login_with_unverified_email = flag("preventLoginWithUnverifiedEmail");
    email.verify_token_reuse_if_valid = flag("emailVerifyTokenReuseIfValid");
    email.verify_token_validity_secs = options
        .get("emailVerifyTokenValidityDuration")
        .and_then(Value::as_f64);
    if let Some(v) = options.get("accountLockout") {
        config.account_lockout = parse_compat::policy::account_lockout(v).expect("valid");
    }
    if let Some(v) = options.get("passwordPolicy") {
        config.password_policy = parse_compat::policy::password_policy(v).expect("valid");
        let policy = config.password_policy.as_ref();
        config.email.reset_token_validity_secs = policy.and_then(|p| p.reset_token_validity_secs);
        config.email.reset_token_reuse_if_valid =
            policy.is_some_and(|p| p.reset_token_reuse_if_valid);
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
}

async fn replay(scenario: Scenario, version: &str) -> Vec<String> {
    let only = std::env::var("CONFORM_ONLY").ok();
    let text = std::fs::read_to_string(scenario.file(version)).expect("the fixture exists");
    let records: Vec<Value> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str::<Value>(l).expect("valid JSON lines"))
        .filter(|r| scenario.sends(r["step"].as_str().unwrap_or(""), version))
        .collect();
    let mut server = TestServer::start(version).await;
    let mut options = Value::Null;
    let cors = scenario.records_cors();
    let devs = deviations(scenario);
    let mut b = Bindings::default();
    b.port = server_port(&server);
    let mut failures = Vec::new();
    let mut mail = Outbox::new();
    let in_scope = |rec: &Value| {
        let path = rec["request"]["path"].as_str().unwrap_or("");
        only.as_deref().is_none_or(|p| path.starts_with(p))
    };
    let mut i = 0;
    while i < records.len() {
        let rec = &records[i];
        let step = rec["step"].as_str().expect("a step name").to_owned();
        if step.starts_with("z.") {
            i += 1;
            continue;
        }
        if step.contains(".concurrentLog") && step.ends_with(".A") {
            let other = &records[i + 1];
            let (ra, rb) = tokio::join!(
                send(&server, &b, &rec["request"]),
                send(&server, &b, &other["request"])
            );
            if in_scope(rec) {
                let pair = [(rec, &ra), (other, &rb)];
                let winners: Vec<&Value> = [rec, other]
                    .into_iter()
                    .map(|r| &r["response"])
                    .filter(|r| r["status"] == 200 && r["body"].get("errors").is_none())
                    .collect();
                for (r, res) in pair {
                    let matches_recorded = compare(&mut b, &r["response"], res, false, cors).ok;
                    let matches_winner = winners
                        .iter()
                        .any(|w| compare(&mut b, w, res, false, cors).ok);
                    if !(matches_recorded || matches_winner || is_loser(res)) {
                        failures.push(format!(
                            "{version} {}: {}",
                            r["step"],
                            compare(&mut b, &r["response"], res, false, cors).why
                        ));
                    }
                }
                if !is_success(&ra) && !is_success(&rb) {
                    failures.push(format!(
                        "{version} {step}: neither concurrent logout succeeded"
                    ));
                }
            }
            i += 2;
            continue;
        }
        if let Some(wanted) = rec.get("options")
            && *wanted != options
        {
            // A new option set: a new server on a new database, as the recording had.
            server.stop().await;
            mail.finish(version, &mut failures);
            let opts = wanted.clone();
            let outbox = mail.path.clone();
            server =
                TestServer::start_with(version, move |c| apply_options(c, &opts, &outbox)).await;
            b.port = server_port(&server);
            options = wanted.clone();
        }
        if let Some(recorded) = rec.get("email") {
            if let Err(why) = mail.check(&mut b, recorded) {
                failures.push(format!("{version} {step}: {why}"));
            }
            i += 1;
            continue;
        }
        if let Some(ms) = rec.get("waitBefore").and_then(Value::as_u64) {
            // The recording waited here (a password ageing): so does the replay.
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
        }
        let res = send(&server, &b, &rec["request"]).await;
        if in_scope(rec) {
            let rest = rec["request"]["path"]
                .as_str()
                .unwrap_or("")
                .starts_with("/parse");
            let want = expected(rec, version, &devs);
            let mut outcome = compare(&mut b, &want, &res, rest, cors);
            if !outcome.ok && step.starts_with("j.") && step.ends_with(".sessionAfter") {
                // Real Parse answers either 209 message here, depending on its session cache.
                let body = live_body(&res);
                outcome.ok = res.status == 400
                    && body.get("code").and_then(Value::as_i64) == Some(209)
                    && recorded_headers(&rec["response"], cors) == header_view(&res.headers, cors);
            }
            if outcome.ok && matches!(scenario, Scenario::UserEmail) {
                // The links and pages say where they go in headers: those are compared too.
                outcome = compare_page_headers(&mut b, &want, &res);
            }
            if !outcome.ok {
                failures.push(format!("{version} {step}: {}", outcome.why));
            }
        }
        i += 1;
    }
    server.stop().await;
    mail.finish(version, &mut failures);
    failures
}

fn server_port(server: &TestServer) -> Option<u16> {
    server
        .state
        .config
        .server_url
        .trim_start_matches("http://127.0.0.1:")
        .split('/')
        .next()
        .and_then(|p| p.parse().ok())
}

/// `location` and `x-parse-page-param-*`, matched with the placeholders bound so far.
fn compare_page_headers(b: &mut Bindings, expected: &Value, res: &TestResponse) -> Outcome {
    let wanted: Vec<(String, String)> = expected["headers"]
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(k, _)| *k == "location" || k.starts_with("x-parse-page-param-"))
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_owned()))
                .collect()
        })
        .unwrap_or_default();
    let live: Vec<(String, String)> = res
        .headers
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
        .filter(|(k, _)| k == "location" || k.starts_with("x-parse-page-param-"))
        .collect();
    let mut ok = wanted.len() == live.len();
    for (k, v) in &wanted {
        let found = live.iter().find(|(lk, _)| lk == k);
        ok &= found.is_some_and(|(_, lv)| b.match_str(v, lv));
    }
    Outcome {
        ok,
        why: format!("page headers {live:?} (want {wanted:?})"),
    }
}

/// The e-mails a test server sent, read from its outbox and matched, in order, with the
/// e-mails the recording says Parse sent (its adapter's calls).
struct Outbox {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    /// Lines of the outbox already matched.
    read: usize,
}

impl Outbox {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("a temp dir");
        let path = dir.path().join("outbox.jsonl");
        Self {
            _dir: dir,
            path,
            read: 0,
        }
    }

    fn lines(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.path)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("outbox lines are JSON"))
            .collect()
    }

    /// The next e-mail sent, against the recorded adapter call.
    fn check(&mut self, b: &mut Bindings, recorded: &Value) -> Result<(), String> {
        let lines = self.lines();
        let Some(sent) = lines.get(self.read) else {
            return Err(format!("no e-mail sent (want {recorded})"));
        };
        self.read += 1;
        let options = &recorded["options"];
        let method = recorded["method"].as_str().unwrap_or("");
        let pairs: Vec<(&str, &str)> = if method == "sendMail" {
            vec![("to", "to"), ("subject", "subject"), ("text", "text")]
        } else {
            if sent["method"].as_str() != Some(method) {
                return Err(format!("sent {sent} (want {recorded})"));
            }
            vec![("appName", "appName"), ("link", "link")]
        };
        for (want_key, sent_key) in pairs {
            let want = options[want_key].as_str().unwrap_or("");
            let got = sent[sent_key].as_str().unwrap_or("");
            if !b.match_str(want, got) {
                return Err(format!("e-mail {want_key} {got:?} (want {want:?})"));
            }
        }
        Ok(())
    }

    /// Every e-mail sent was one Parse sent: none left over.
    fn finish(&mut self, version: &str, failures: &mut Vec<String>) {
        let lines = self.lines();
        for extra in lines.iter().skip(self.read) {
            failures.push(format!("{version}: an e-mail Parse did not send: {extra}"));
        }
        let _ = std::fs::remove_file(&self.path);
        self.read = 0;
    }
}

async fn conform(scenario: Scenario, version: &str) {
    let failures = replay(scenario, version).await;
    assert!(
        failures.is_empty(),
        "{} exchange(s) of scenario {scenario:?} differ from real Parse {version}:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

macro_rules! conformance_tests {
    ($scenario:expr; $($name:ident => $v:expr),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                conform($scenario, $v).await;
            }
        )*
    };
}

conformance_tests! {
    Scenario::B;
    scenario_b_3_7_2 => VERSIONS[0],
    scenario_b_3_8_0 => VERSIONS[1],
    scenario_b_3_9_0 => VERSIONS[2],
    scenario_b_3_10_0 => VERSIONS[3],
    scenario_b_4_2_0 => VERSIONS[4],
    scenario_b_4_4_0 => VERSIONS[5],
    scenario_b_4_5_2 => VERSIONS[6],
    scenario_b_5_6_0 => VERSIONS[7],
    scenario_b_6_5_11 => VERSIONS[8],
    scenario_b_7_5_4 => VERSIONS[9],
    scenario_b_8_6_94 => VERSIONS[10],
    scenario_b_9_10_0 => VERSIONS[11],
}

conformance_tests! {
    Scenario::A;
    parse_3_7_2 => VERSIONS[0],
    parse_3_8_0 => VERSIONS[1],
    parse_3_9_0 => VERSIONS[2],
    parse_3_10_0 => VERSIONS[3],
    parse_4_2_0 => VERSIONS[4],
    parse_4_4_0 => VERSIONS[5],
    parse_4_5_2 => VERSIONS[6],
    parse_5_6_0 => VERSIONS[7],
    parse_6_5_11 => VERSIONS[8],
    parse_7_5_4 => VERSIONS[9],
    parse_8_6_94 => VERSIONS[10],
    parse_9_10_0 => VERSIONS[11],
}

conformance_tests! {
    Scenario::UserRoutes;
    user_routes_3_7_2 => "3.7.2",
    user_routes_3_9_0 => "3.9.0",
    user_routes_4_4_0 => "4.4.0",
    user_routes_5_6_0 => "5.6.0",
    user_routes_6_5_11 => "6.5.11",
    user_routes_7_5_4 => "7.5.4",
    user_routes_8_6_94 => "8.6.94",
    user_routes_9_10_0 => "9.10.0",
}

conformance_tests! {
    Scenario::UserObjects;
    user_objects_3_7_2 => "3.7.2",
    user_objects_3_9_0 => "3.9.0",
    user_objects_4_4_0 => "4.4.0",
    user_objects_5_6_0 => "5.6.0",
    user_objects_6_5_11 => "6.5.11",
    user_objects_7_5_4 => "7.5.4",
    user_objects_8_6_94 => "8.6.94",
    user_objects_9_10_0 => "9.10.0",
}

conformance_tests! {
    Scenario::UserOptions;
    user_options_3_7_2 => "3.7.2",
    user_options_4_4_0 => "4.4.0",
    user_options_6_5_11 => "6.5.11",
    user_options_9_10_0 => "9.10.0",
}

conformance_tests! {
    Scenario::UserEmail;
    user_email_3_7_2 => "3.7.2",
    user_email_4_4_0 => "4.4.0",
    user_email_5_6_0 => "5.6.0",
    user_email_6_5_11 => "6.5.11",
    user_email_7_5_4 => "7.5.4",
    user_email_8_6_94 => "8.6.94",
    user_email_9_10_0 => "9.10.0",
}

conformance_tests! {
    Scenario::UserRoutesBatch;
    user_routes_batch_8_6_94 => "8.6.94",
    user_routes_batch_9_10_0 => "9.10.0",
}
