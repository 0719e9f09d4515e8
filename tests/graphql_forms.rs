//! GraphQL requests that upload clients and browsers send: multipart forms of the
//! graphql-multipart-request spec (whole, misordered, refused at each check of the map, cut
//! short, malformed) and GETs that prefer HTML (graphql-yoga's GraphiQL, Apollo Server's
//! landing page with its nonce). Recorded from real parse-server through `parse-compat record`
//! by scripts/record-graphql-forms.sh, one version per multipart reader; every exchange must
//! match.

mod common;

use parse_compat::traffic::session::ReplayDatabase;

async fn replay(version: &str) {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/graphql-forms")
        .join(format!("{version}.jsonl"));
    let exchanges = std::fs::read_to_string(&path)
        .expect("recorded")
        .lines()
        .count();
    assert!(exchanges >= 20, "{version}: the recording is whole");
    let differences =
        common::recorded::differences(&path, version, Vec::new(), ReplayDatabase::Sqlite, None)
            .await;
    assert!(
        differences.is_empty(),
        "{} difference(s) from real Parse {version}:\n{}",
        differences.len(),
        differences.join("\n")
    );
}

#[tokio::test]
async fn graphql_upload_8_on_parse_3_7() {
    replay("3.7.2").await;
}

#[tokio::test]
async fn graphql_upload_11_on_parse_4_4() {
    replay("4.4.0").await;
}

#[tokio::test]
async fn graphql_yoga_on_parse_6_5() {
    replay("6.5.11").await;
}

#[tokio::test]
async fn graphql_upload_15_and_apollo_4_on_parse_7_5() {
    replay("7.5.4").await;
}

#[tokio::test]
async fn graphql_upload_15_and_apollo_5_on_parse_9_10() {
    replay("9.10.0").await;
}
