//! The single writer thread and its group commit.
//!
//! SQLite allows one writer at a time; rather than have blocking threads queue on its lock, one
//! dedicated thread owns the write connection. Callers send it closures; it runs every closure
//! waiting in the queue inside one transaction (each in its own savepoint, so one failing write
//! does not undo the others) and answers each caller only after `COMMIT` returned.
//!
//! Checkpoints (copying the WAL back into the database file, with its fsyncs) run on a second
//! thread with its own connection, so the writer only ever appends to the WAL: SQLite's
//! passive checkpoint never blocks a writer. The writer keeps an automatic checkpoint of its
//! own only as a backstop, far beyond what the checkpoint thread lets the WAL grow to when it
//! keeps up, so the WAL is still rewound under a write load that never pauses.
//!
//! Ending a session marks its row (`revoked_at`) instead of deleting it: one page written
//! instead of one in each of the table's four B-trees. The writer deletes marked rows itself,
//! a chunk at a time, whenever no write has arrived for a moment, and after every commit while
//! more than [`TOMBSTONE_BACKLOG`] wait, so their number stays bounded under any load. A
//! marked row is invisible to every query: they read the `sessions` view of live rows.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::time::Duration;

use rusqlite::{Connection, Transaction, TransactionBehavior};
use tokio::sync::{mpsc, oneshot};

use super::StoreError;
use super::stats::Statistics;

/// Writes waiting beyond this many make callers wait (backpressure).
const QUEUE_DEPTH: usize = 4096;
/// At most this many writes share one commit.
const MAX_BATCH: usize = 512;
/// The checkpoint thread waits this long after a commit, so one checkpoint covers many.
const CHECKPOINT_DELAY: Duration = Duration::from_millis(10);
/// No write for this long: the writer is idle and removes ended sessions' rows.
const SWEEP_WHEN_IDLE_FOR: Duration = Duration::from_millis(20);
/// Rows removed per sweep transaction while idle: a few milliseconds of work per
/// [`SWEEP_WHEN_IDLE_FOR`], so a sweep after a burst of logouts takes a small share of a core
/// from requests that do not write (measured: 256 rows took a fifth of the login rate).
const SWEEP_IDLE_CHUNK: usize = 64;
/// Beyond this many ended rows waiting, every commit is followed by a sweep of
/// [`SWEEP_BUSY_CHUNK`] rows even under load. An ended row takes no more room than it did
/// while its session was live, so this bounds how far the file can grow beyond its live
/// sessions under endless logins and logouts: about 330 MB at some 330 bytes a session. It is
/// that large so that a burst of logouts is not slowed by the sweep: at ten million sessions
/// each removed row is a page written back at random in a file of gigabytes, and sweeping
/// after every commit once 200,000 waited took a 9-second logout burst from 52,700 to
/// 29,400 req/s.
pub(super) const TOMBSTONE_BACKLOG: usize = 1_000_000;
const SWEEP_BUSY_CHUNK: usize = 64;

type Reply = Box<dyn FnOnce(Option<&rusqlite::Error>) + Send>;
type Job = Box<dyn FnOnce(&Transaction<'_>) -> Reply + Send>;

/// What the writer thread is asked to do.
enum Command {
    Write(Job),
    /// Commit what is queued, fold the WAL back into the database file, truncate it, and
    /// stop; answer when done.
    Close(oneshot::Sender<()>),
}

pub(in crate::store) struct Writer {
    jobs: mpsc::Sender<Command>,
    /// Ended sessions' rows not yet removed (approximate: counted after each commit).
    tombstones: Arc<AtomicUsize>,
}

impl Writer {
    /// Start the writer thread on `conn` and the checkpoint thread on `checkpoints` (a
    /// second read-write connection to the same database).
    /// Every row the writer's connection changes is counted in `statistics`.
    pub(super) fn start(
        conn: Connection,
        checkpoints: Connection,
        statistics: Arc<Statistics>,
    ) -> Result<Self, StoreError> {
        conn.update_hook(Some(move |action, _: &str, table: &str, _| {
            statistics.row_changed(action, table);
        }));
        let (jobs, rx) = mpsc::channel(QUEUE_DEPTH);
        let (kick, kicks) = sync_channel(1);
        let waiting: i64 = conn.query_row(
            "SELECT count(*) FROM session_rows WHERE revoked_at IS NOT NULL",
            [],
            |r| r.get(0),
        )?;
        let tombstones = Arc::new(AtomicUsize::new(usize::try_from(waiting).unwrap_or(0)));
        let swept = Arc::clone(&tombstones);
        let checkpointer = std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || checkpoint_loop(&checkpoints, &kicks))
            .map_err(|e| StoreError::Join(e.to_string()))?;
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || run(conn, rx, kick, checkpointer, &swept))
            .map_err(|e| StoreError::Join(e.to_string()))?;
        Ok(Self { jobs, tombstones })
    }

    /// Count rows a committed write marked as ended, for the sweeper.
    pub(super) fn tombstoned(&self, rows: usize) {
        if rows > 0 {
            self.tombstones.fetch_add(rows, Ordering::Relaxed);
        }
    }

    /// Run `f` in the writer's transaction; resolves once the transaction committed.
    pub(in crate::store) async fn write<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<R, StoreError> + Send + 'static,
    {
        self.submit(move |t| in_savepoint(t, f)).await
    }

    /// Like [`Writer::write`], for a job that is one SQL statement: SQLite already makes a
    /// single statement all-or-nothing, so it runs without a savepoint of its own (the hot
    /// path of every logout).
    pub(super) async fn write_statement<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<R, StoreError> + Send + 'static,
    {
        self.submit(f).await
    }

    async fn submit<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<R, StoreError> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel::<Result<R, StoreError>>();
        let job: Job = Box::new(move |t| {
            let result = f(t);
            Box::new(move |commit_error| {
                let answer = match commit_error {
                    None => result,
                    Some(e) => Err(StoreError::Corrupt(format!("commit failed: {e}"))),
                };
                let _ = tx.send(answer);
            })
        });
        self.jobs
            .send(Command::Write(job))
            .await
            .map_err(|_| StoreError::Closed)?;
        rx.await.map_err(|_| StoreError::Closed)?
    }

    /// Commit every queued write, then checkpoint and truncate the WAL and stop the writer:
    /// a stopped server leaves one complete database file. Later writes fail with
    /// [`StoreError::Closed`].
    pub(super) async fn close(&self) {
        let (tx, rx) = oneshot::channel();
        if self.jobs.send(Command::Close(tx)).await.is_ok() {
            let _ = rx.await;
        }
    }
}

fn in_savepoint<R>(
    t: &Transaction<'_>,
    f: impl FnOnce(&Transaction<'_>) -> Result<R, StoreError>,
) -> Result<R, StoreError> {
    // Cached statements: a savepoint per write is on the hot path of every logout.
    t.prepare_cached("SAVEPOINT job")?.execute([])?;
    let result = f(t);
    if result.is_err() {
        t.prepare_cached("ROLLBACK TO job")?.execute([])?;
    }
    t.prepare_cached("RELEASE job")?.execute([])?;
    result
}

/// Copy committed WAL frames into the database after commits, until the writer is gone.
fn checkpoint_loop(conn: &Connection, kicks: &Receiver<()>) {
    while kicks.recv().is_ok() {
        std::thread::sleep(CHECKPOINT_DELAY);
        if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
            tracing::warn!(error = %e, "WAL checkpoint failed");
        }
    }
    // The writer stopped: leave the database file complete and the WAL empty. A reader in
    // the middle of a read holds the WAL; give it a moment.
    for _ in 0..50 {
        match conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
            r.get::<_, i64>(0)
        }) {
            Ok(0) => return,
            Ok(_busy) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => {
                tracing::warn!(error = %e, "final WAL checkpoint failed");
                return;
            }
        }
    }
    tracing::warn!("final WAL checkpoint gave up: the database stayed busy");
}

/// Delete up to `chunk` ended sessions' rows, oldest first, in a transaction of their own.
fn sweep(conn: &mut Connection, tombstones: &AtomicUsize, chunk: usize) {
    let swept = (|| -> rusqlite::Result<usize> {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let ended: Vec<String> = tx
            .prepare_cached(
                "DELETE FROM session_rows WHERE rowid IN (SELECT rowid FROM session_rows \
                 WHERE revoked_at IS NOT NULL ORDER BY revoked_at LIMIT ?1) RETURNING object_id",
            )?
            .query_map([i64::try_from(chunk).unwrap_or(i64::MAX)], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        // Their sealed tokens go with them.
        let mut forget = tx.prepare_cached("DELETE FROM session_tokens WHERE object_id = ?1")?;
        for id in &ended {
            forget.execute([id])?;
        }
        drop(forget);
        let n = ended.len();
        tx.commit()?;
        Ok(n)
    })();
    match swept {
        // Fewer than asked: none are left, whatever the count said.
        Ok(n) if n < chunk => tombstones.store(0, Ordering::Relaxed),
        Ok(n) => {
            let _ = tombstones.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |t| {
                Some(t.saturating_sub(n))
            });
        }
        Err(e) => tracing::warn!(error = %e, "removing ended sessions failed"),
    }
}

/// The next command; while ended rows wait and none comes for a moment, sweep some of them.
fn next_command(
    conn: &mut Connection,
    rx: &mut mpsc::Receiver<Command>,
    idle_timer: &tokio::runtime::Runtime,
    tombstones: &AtomicUsize,
) -> Option<Command> {
    loop {
        if tombstones.load(Ordering::Relaxed) == 0 {
            return rx.blocking_recv();
        }
        // The timer must be made inside the runtime, hence the async block.
        let next = idle_timer
            .block_on(async { tokio::time::timeout(SWEEP_WHEN_IDLE_FOR, rx.recv()).await });
        match next {
            Ok(job) => return job,
            Err(_idle) => sweep(conn, tombstones, SWEEP_IDLE_CHUNK),
        }
    }
}

fn run(
    mut conn: Connection,
    mut rx: mpsc::Receiver<Command>,
    kick: SyncSender<()>,
    checkpointer: std::thread::JoinHandle<()>,
    tombstones: &AtomicUsize,
) {
    // Only for the idle timeout on the job queue; the writer's work is all synchronous.
    let idle_timer = match tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            tracing::error!(error = %e, "cannot start the SQLite writer's timer");
            return;
        }
    };
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    let mut closing = None;
    while let Some(first) = next_command(&mut conn, &mut rx, &idle_timer, tombstones) {
        match first {
            Command::Write(job) => batch.push(job),
            Command::Close(done) => closing = Some(done),
        }
        while closing.is_none() && batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(Command::Write(job)) => batch.push(job),
                Ok(Command::Close(done)) => closing = Some(done),
                Err(_) => break,
            }
        }
        if !batch.is_empty() {
            commit(&mut conn, &mut batch, &kick, tombstones);
        }
        if let Some(done) = closing.take() {
            // Nothing else writes now: refuse what comes later (a dropped job's caller sees
            // `Closed`), then leave one whole file.
            rx.close();
            let mut also_done = Vec::new();
            while let Ok(command) = rx.try_recv() {
                if let Command::Close(other) = command {
                    also_done.push(other);
                }
            }
            // The checkpoint thread folds the WAL back and truncates it once its kicks stop;
            // only one connection may checkpoint at a time, so it is the one that does.
            drop(kick);
            if checkpointer.join().is_err() {
                tracing::warn!("the WAL checkpoint thread panicked");
            }
            let _ = done.send(());
            also_done.into_iter().for_each(|d| {
                let _ = d.send(());
            });
            return;
        }
    }
}

/// Run a batch of writes in one transaction and answer each caller after the commit.
fn commit(
    conn: &mut Connection,
    batch: &mut Vec<Job>,
    kick: &SyncSender<()>,
    tombstones: &AtomicUsize,
) {
    let txn = match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
        Ok(t) => t,
        Err(e) => {
            tracing::error!(error = %e, "cannot begin a write transaction");
            // Dropping a job drops its reply channel: the caller sees `Closed`.
            batch.clear();
            return;
        }
    };
    let mut replies: Vec<Reply> = Vec::with_capacity(batch.len());
    for job in batch.drain(..) {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&txn))) {
            Ok(reply) => replies.push(reply),
            Err(_) => {
                // A bug in one write must not end the only writer. Nothing of this batch is
                // kept: dropping the transaction rolls it back, and dropping the replies
                // answers every caller `Closed` (an internal error), none of them a success.
                tracing::error!("a write panicked; its group commit was rolled back");
                // Returning drops the rest of the drain, the transaction and the replies.
                return;
            }
        }
    }
    match txn.commit() {
        Ok(()) => {
            replies.into_iter().for_each(|r| r(None));
            // Full: a checkpoint is already due, and it will cover this commit too.
            if let Err(TrySendError::Disconnected(())) = kick.try_send(()) {
                tracing::warn!("the WAL checkpoint thread is gone");
            }
            if tombstones.load(Ordering::Relaxed) > TOMBSTONE_BACKLOG {
                sweep(conn, tombstones, SWEEP_BUSY_CHUNK);
            }
        }
        Err(e) => {
            tracing::error!(error = %e, "write transaction failed to commit");
            replies.into_iter().for_each(|r| r(Some(&e)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sweep_removes_the_oldest_ended_rows_and_keeps_count() {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::migrations::run(&mut conn).unwrap();
        conn.execute(
            "INSERT INTO users (object_id, username, username_lower, acl, created_at, updated_at) \
             VALUES ('u1', 'u', 'u', '{}', 1, 1)",
            [],
        )
        .unwrap();
        for i in 0..10_i64 {
            // Rows 0..6 ended at times 60, 50, ..., 10: the sweep must take the oldest first.
            let revoked = (i < 6).then(|| 60 - i * 10);
            conn.execute(
                "INSERT INTO session_rows (object_id, token_hash, user_id, created_at, updated_at, \
                 action, auth_provider, revoked_at) VALUES (?1, ?2, 'u1', 1, 1, 'login', 'password', ?3)",
                rusqlite::params![format!("s{i}"), vec![u8::try_from(i).unwrap(); 32], revoked],
            )
            .unwrap();
        }
        let left = |conn: &Connection| -> Vec<i64> {
            conn.prepare(
                "SELECT revoked_at FROM session_rows WHERE revoked_at IS NOT NULL ORDER BY 1",
            )
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
        };
        let tombstones = AtomicUsize::new(6);
        sweep(&mut conn, &tombstones, 4);
        assert_eq!(left(&conn), [50, 60]);
        assert_eq!(tombstones.load(Ordering::Relaxed), 2);
        sweep(&mut conn, &tombstones, 4);
        assert!(left(&conn).is_empty());
        assert_eq!(tombstones.load(Ordering::Relaxed), 0);
        let live: i64 = conn
            .query_row("SELECT count(*) FROM sessions", [], |r| r.get(0))
            .unwrap();
        assert_eq!(live, 4);
    }
}
