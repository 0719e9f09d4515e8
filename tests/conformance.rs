//! Replays the recorded exchanges of real Parse Server (fixtures/transcripts, copied from
//! shared/parse-oracle) against parse-compat, one fresh server per version, and compares every
//! answer: status, JSON body (and, for REST, its key order), content-type and CORS headers.
//!
//! The replay is `parse-compat replay`'s own engine (`parse_compat::traffic::session`):
//! placeholders in the recordings (`<token#N>`, `<oid#N>`, `<relay:_User:oid#N>`, `<date>`,
//! `<emailtoken#N>`) are bound to the live values the first time they appear in an answer and
//! substituted into later requests; a record's options start a fresh server with them; race
//! steps (`j.*`) send both logouts at once and accept what `compare.py` accepts; the
//! `deviations.tsv` beside a recording applies.
//!
//! The same engine replays scenario B (fixtures/scenario-b, recorded from real Parse with
//! oracle/scenario-b.mjs): `scenario_b_*` tests. UUIDs the client chose (`<uuid#N>`, e.g. an
//! installation id) are sent as fixed stand-ins and expected back as such.
//!
//! `CONFORM_ONLY=/parse` limits the comparison to paths with that prefix (every request is
//! still sent, so the state is the recorded one).

mod common;

use parse_compat::traffic::session::{ReplayDatabase, load_deviations};

const VERSIONS: [&str; 12] = [
    "3.7.2", "3.8.0", "3.9.0", "3.10.0", "4.2.0", "4.4.0", "4.5.2", "5.6.0", "6.5.11", "7.5.4",
    "8.6.94", "9.10.0",
];

/// The recordings of one scenario: the folder under `fixtures/`.
#[derive(Debug, Clone, Copy)]
enum Scenario {
    A,
    B,
    /// fixtures/user-routes (recorded with scripts/record-user-routes.mjs): the user and
    /// session routes beyond the core ones.
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
    fn file(self, version: &str) -> std::path::PathBuf {
        let dir = env!("CARGO_MANIFEST_DIR");
        std::path::PathBuf::from(match self {
            Scenario::A => format!("{dir}/fixtures/transcripts/{version}.normalized.jsonl"),
            Scenario::B => format!("{dir}/fixtures/scenario-b/{version}.normalized.jsonl"),
            Scenario::UserRoutes => format!("{dir}/fixtures/user-routes/{version}.jsonl"),
            Scenario::UserRoutesBatch => {
                format!("{dir}/fixtures/user-routes/router-2.2.0/{version}.batch.jsonl")
            }
            Scenario::UserObjects => format!("{dir}/fixtures/user-objects/{version}.jsonl"),
            Scenario::UserOptions => format!("{dir}/fixtures/user-options/{version}.jsonl"),
            Scenario::UserEmail => format!("{dir}/fixtures/user-email/{version}.jsonl"),
        })
    }
}

async fn replay(scenario: Scenario, version: &str) -> Vec<String> {
    let file = scenario.file(version);
    let database = match std::env::var("PARSE_COMPAT_TEST_POSTGRES") {
        Ok(uri) => ReplayDatabase::Postgres(uri),
        Err(_) => ReplayDatabase::Sqlite,
    };
    let deviations =
        load_deviations(file.parent().expect("a folder")).expect("the deviations file is valid");
    common::recorded::differences(
        &file,
        version,
        deviations,
        database,
        std::env::var("CONFORM_ONLY").ok(),
    )
    .await
}

async fn conform(scenario: Scenario, version: &str) {
    let failures = replay(scenario, version).await;
    assert!(
        failures.is_empty(),
        "{} difference(s) of scenario {scenario:?} from real Parse {version}:\n{}",
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
