//! Replaying a recording of real Parse (one JSONL file) against an in-process parse-compat.

use std::path::Path;

use parse_compat::traffic::parse_record;
use parse_compat::traffic::session::{Deviation, ReplayDatabase, ReplayTarget, Replayer};
use parse_compat::version::Behavior;

/// Every difference between the recording and parse-compat answering as `version` on
/// `database`, the listed deviations aside (and only the steps `only` matches), one line each.
pub async fn differences(
    file: &Path,
    version: &str,
    deviations: Vec<Deviation>,
    database: ReplayDatabase,
    only: Option<String>,
) -> Vec<String> {
    let text = std::fs::read_to_string(file).expect("recorded");
    let records: Vec<_> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| parse_record(l).expect("a record"))
        .collect();
    let target = ReplayTarget::Local {
        behavior: Behavior::parse(version).expect("a supported version"),
        database,
        app_id: None,
    };
    let mut replayer = Replayer::new(target, deviations).expect("a replay");
    replayer.only = only;
    replayer
        .run(&records, |_, _| {})
        .await
        .expect("the replay runs")
        .iter()
        .map(|d| {
            format!(
                "{version} {} ({}): {}: expected {}, got {}",
                d.step, d.request, d.path, d.expected, d.actual
            )
        })
        .collect()
}
