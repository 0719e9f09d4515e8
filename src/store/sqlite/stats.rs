//! The row estimate a Parse Server on PostgreSQL reads for a count without conditions.
//!
//! Parse answers a count with the master key and no `where` from PostgreSQL's planner
//! statistics (`SELECT reltuples FROM pg_class`), not by counting: -1 for a table that was
//! never analysed, then the number of rows the last `ANALYZE` saw. This file keeps the same
//! two numbers PostgreSQL keeps for `_User` and `_Session`: the estimate (`reltuples`, kept in
//! the `meta` table) and the rows written since it was made (`n_mod_since_analyze`, counted
//! by an update hook on the writer's connection, kept in memory and saved when the store
//! closes, as PostgreSQL keeps its counters over a clean shutdown and loses them in a crash).
//!
//! PostgreSQL's autovacuum analyses a table once more rows were written since its last
//! analysis than `autovacuum_analyze_threshold + autovacuum_analyze_scale_factor * reltuples`
//! (50 + 10%, an unknown estimate taken as 0). Here the analysis happens when an estimate is
//! asked and that many writes are waiting: what a count would read had autovacuum's worker
//! come by just before it (its naptime, up to a minute, is the one thing left out). The
//! analysis counts the live rows exactly; PostgreSQL's samples 30,000 rows and extrapolates on
//! large tables, which no one can reproduce.

use std::sync::atomic::{AtomicU64, Ordering};

use parking_lot::Mutex;
use rusqlite::hooks::Action;
use rusqlite::{Connection, OptionalExtension};

use super::StoreError;

/// `autovacuum_analyze_threshold`, PostgreSQL's default.
const ANALYZE_THRESHOLD: f64 = 50.0;
/// `autovacuum_analyze_scale_factor`, PostgreSQL's default.
const ANALYZE_SCALE_FACTOR: f64 = 0.1;

/// The tables whose estimate is kept, with the `meta` key of each one's statistics and the
/// query of its live rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Table {
    Users,
    Sessions,
}

impl Table {
    pub(super) fn of_class(class: &str) -> Option<Self> {
        match class {
            "_User" => Some(Self::Users),
            "_Session" => Some(Self::Sessions),
            _ => None,
        }
    }

    const fn meta_key(self) -> &'static str {
        match self {
            Self::Users => "statistics:_User",
            Self::Sessions => "statistics:_Session",
        }
    }

    pub(super) const fn live_rows_sql(self) -> &'static str {
        match self {
            Self::Users => "SELECT count(*) FROM users",
            Self::Sessions => "SELECT count(*) FROM sessions",
        }
    }

    const fn index(self) -> usize {
        match self {
            Self::Users => 0,
            Self::Sessions => 1,
        }
    }

    const ALL: [Self; 2] = [Self::Users, Self::Sessions];
}

/// One table's statistics.
#[derive(Debug)]
struct TableStats {
    /// PostgreSQL's `reltuples`: -1 until the first analysis.
    estimate: Mutex<f32>,
    /// Rows inserted, updated or deleted since the last analysis.
    changed: AtomicU64,
}

/// The statistics of `_User` and `_Session`.
#[derive(Debug)]
pub(super) struct Statistics {
    tables: [TableStats; 2],
}

impl Statistics {
    /// Read what the store saved, on the connection that is about to become the writer's.
    pub(super) fn load(conn: &Connection) -> Result<Self, StoreError> {
        let read = |table: Table| -> Result<TableStats, StoreError> {
            let saved: Option<String> = conn
                .query_row(
                    "SELECT value FROM meta WHERE key = ?1",
                    [table.meta_key()],
                    |r| r.get(0),
                )
                .optional()?;
            let (estimate, changed) = saved.as_deref().and_then(parse_saved).unwrap_or((-1.0, 0));
            Ok(TableStats {
                estimate: Mutex::new(estimate),
                changed: AtomicU64::new(changed),
            })
        };
        Ok(Self {
            tables: [read(Table::Users)?, read(Table::Sessions)?],
        })
    }

    /// Count a row the writer's connection changed, as PostgreSQL's `n_mod_since_analyze`
    /// would for Parse's own statement: a session's end marks its row here where Parse
    /// deletes it, and the later removal of marked rows was counted then.
    pub(super) fn row_changed(&self, action: Action, table: &str) {
        let counted = match (table, action) {
            ("users", _) => Table::Users,
            ("session_rows", Action::SQLITE_INSERT | Action::SQLITE_UPDATE) => Table::Sessions,
            _ => return,
        };
        self.tables[counted.index()]
            .changed
            .fetch_add(1, Ordering::Relaxed);
    }

    /// The estimate as it stands, and whether autovacuum would analyse the table first
    /// (then with the number of changes the analysis covers).
    pub(super) fn estimate(&self, table: Table) -> (f32, Option<u64>) {
        let stats = &self.tables[table.index()];
        let estimate = *stats.estimate.lock();
        let changed = stats.changed.load(Ordering::Relaxed);
        #[allow(
            clippy::cast_precision_loss,
            reason = "a threshold, compared in floating point as PostgreSQL does"
        )]
        let due = changed as f64
            > ANALYZE_THRESHOLD + ANALYZE_SCALE_FACTOR * f64::from(estimate.max(0.0));
        (estimate, due.then_some(changed))
    }

    /// Record an analysis that counted `rows` live rows after `covered` changes.
    pub(super) fn analysed(&self, table: Table, rows: u64, covered: u64) -> f32 {
        let stats = &self.tables[table.index()];
        #[allow(
            clippy::cast_precision_loss,
            reason = "`reltuples` is a `real`: PostgreSQL keeps a float4 and Parse reads it back"
        )]
        let estimate = rows as f32;
        *stats.estimate.lock() = estimate;
        // Changes made while the rows were counted stay for the next analysis.
        let _ = stats
            .changed
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |c| {
                Some(c.saturating_sub(covered))
            });
        estimate
    }

    /// What to save in `meta` for each table, to be read back by [`Statistics::load`].
    pub(super) fn saved(&self) -> Vec<(&'static str, String)> {
        Table::ALL
            .iter()
            .map(|&table| {
                let stats = &self.tables[table.index()];
                let estimate = *stats.estimate.lock();
                let changed = stats.changed.load(Ordering::Relaxed);
                (table.meta_key(), format!("{estimate} {changed}"))
            })
            .collect()
    }
}

fn parse_saved(text: &str) -> Option<(f32, u64)> {
    let (estimate, changed) = text.split_once(' ')?;
    Some((estimate.parse().ok()?, changed.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fresh() -> Statistics {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            .unwrap();
        Statistics::load(&conn).unwrap()
    }

    #[test]
    fn a_table_is_analysed_after_more_than_fifty_changes_then_ten_percent_more() {
        let stats = fresh();
        assert_eq!(stats.estimate(Table::Users), (-1.0, None));
        for _ in 0..50 {
            stats.row_changed(Action::SQLITE_INSERT, "users");
        }
        assert_eq!(
            stats.estimate(Table::Users),
            (-1.0, None),
            "50 is not more than 50"
        );
        stats.row_changed(Action::SQLITE_UPDATE, "users");
        assert_eq!(stats.estimate(Table::Users), (-1.0, Some(51)));
        assert_eq!(stats.analysed(Table::Users, 1000, 51), 1000.0);
        // Now 50 + 100 changes are needed.
        for _ in 0..150 {
            stats.row_changed(Action::SQLITE_DELETE, "users");
        }
        assert_eq!(stats.estimate(Table::Users), (1000.0, None));
        stats.row_changed(Action::SQLITE_DELETE, "users");
        assert_eq!(stats.estimate(Table::Users), (1000.0, Some(151)));
        assert_eq!(stats.estimate(Table::Sessions), (-1.0, None));
    }

    #[test]
    fn removing_ended_sessions_is_not_a_change_ending_them_was() {
        let stats = fresh();
        for _ in 0..51 {
            stats.row_changed(Action::SQLITE_DELETE, "session_rows");
            stats.row_changed(Action::SQLITE_INSERT, "session_tokens");
        }
        assert_eq!(stats.estimate(Table::Sessions), (-1.0, None));
        for _ in 0..26 {
            stats.row_changed(Action::SQLITE_INSERT, "session_rows");
            stats.row_changed(Action::SQLITE_UPDATE, "session_rows");
        }
        assert_eq!(stats.estimate(Table::Sessions), (-1.0, Some(52)));
    }

    #[test]
    fn changes_made_during_an_analysis_wait_for_the_next_and_everything_is_saved() {
        let stats = fresh();
        for _ in 0..60 {
            stats.row_changed(Action::SQLITE_INSERT, "users");
        }
        let (_, due) = stats.estimate(Table::Users);
        stats.row_changed(Action::SQLITE_INSERT, "users");
        stats.analysed(Table::Users, 16_777_217, due.unwrap());
        let saved = stats.saved();
        assert_eq!(saved[0], ("statistics:_User", "16777216 1".to_owned()));
        assert_eq!(saved[1], ("statistics:_Session", "-1 0".to_owned()));
        assert_eq!(parse_saved(&saved[0].1), Some((16_777_216.0, 1)));
    }
}
