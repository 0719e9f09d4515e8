//! The differential corpus: ~2,660 generated GraphQL requests per version (valid operations,
//! systematic mutations of them, syntax errors, envelope variations) and the answers of the
//! real parse-server of all 12 recorded versions (fixtures/graphql-diff, recorded with
//! scripts/graphql-diff). Replayed with `parse-compat replay`'s engine; the exchanges
//! parse-compat does not answer as real Parse yet are listed, with why, in
//! fixtures/graphql-diff/deviations.tsv and skipped. Everything else must match.
//!
//! fixtures/graphql-schema-cache: what Parse 5.0+'s GraphQL schema shows of the columns its
//! PostgreSQL adapter adds to the class schemas read through its schema cache, along one
//! sequence of reads, cache reloads and GraphQL requests (`store::class_reads`), recorded from
//! real 5.6.0, 6.5.11, 7.5.4, 8.6.94 and 9.10.0.
//!
//! Beside it, fixtures/graphql-objects: the object queries and finds of the class API
//! (`user(id:)`, `session(id:)`, `role(id:)`, `node(id:)`, `users`, `sessions`, `roles`) asked
//! by the owner, another user, nobody and the master key, recorded from real Parse 4.4.0 and
//! 5.6.0 to 9.10.0.

mod common;

use parse_compat::traffic::session::{ReplayDatabase, load_deviations};

async fn replay(family: &str, version: &str) {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(family);
    let deviations = load_deviations(&dir).expect("the deviations file is valid");
    let differences = common::recorded::differences(
        &dir.join(format!("{version}.jsonl")),
        version,
        deviations,
        ReplayDatabase::Sqlite,
        None,
    )
    .await;
    assert!(
        differences.is_empty(),
        "{} difference(s) from real Parse {version}:\n{}",
        differences.len(),
        differences[..differences.len().min(40)].join("\n")
    );
}

/// The records nest 1,000 levels deep (hostile bodies): read and answered on threads with
/// room for that, as the server's executor threads have.
fn run(family: &'static str, version: &'static str) {
    const STACK: usize = 64 * 1024 * 1024;
    std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(move || {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_stack_size(STACK)
                .enable_all()
                .build()
                .expect("a runtime")
                .block_on(replay(family, version));
        })
        .expect("a thread")
        .join()
        .expect("the replay matches");
}

macro_rules! corpus_tests {
    ($family:literal: $($name:ident => $v:expr),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                run($family, $v);
            }
        )*
    };
}

corpus_tests! {
    "fixtures/graphql-objects":
    objects_4_4_0 => "4.4.0",
    objects_5_6_0 => "5.6.0",
    objects_6_5_11 => "6.5.11",
    objects_7_5_4 => "7.5.4",
    objects_8_6_94 => "8.6.94",
    objects_9_10_0 => "9.10.0",
}

corpus_tests! {
    "fixtures/graphql-diff":
    corpus_3_7_2 => "3.7.2",
    corpus_3_8_0 => "3.8.0",
    corpus_3_9_0 => "3.9.0",
    corpus_3_10_0 => "3.10.0",
    corpus_4_2_0 => "4.2.0",
    corpus_4_4_0 => "4.4.0",
    corpus_4_5_2 => "4.5.2",
    corpus_5_6_0 => "5.6.0",
    corpus_6_5_11 => "6.5.11",
    corpus_7_5_4 => "7.5.4",
    corpus_8_6_94 => "8.6.94",
    corpus_9_10_0 => "9.10.0",
}

corpus_tests! {
    "fixtures/graphql-schema-cache":
    schema_cache_5_6_0 => "5.6.0",
    schema_cache_6_5_11 => "6.5.11",
    schema_cache_7_5_4 => "7.5.4",
    schema_cache_8_6_94 => "8.6.94",
    schema_cache_9_10_0 => "9.10.0",
}
