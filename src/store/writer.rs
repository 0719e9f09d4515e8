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

use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::time::Duration;

use rusqlite::{Connection, Transaction, TransactionBehavior};
use tokio::sync::{mpsc, oneshot};

use super::StoreError;

/// Writes waiting beyond this many make callers wait (backpressure).
const QUEUE_DEPTH: usize = 4096;
/// At most this many writes share one commit.
const MAX_BATCH: usize = 512;
/// The checkpoint thread waits this long after a commit, so one checkpoint covers many.
const CHECKPOINT_DELAY: Duration = Duration::from_millis(10);

type Reply = Box<dyn FnOnce(Option<&rusqlite::Error>) + Send>;
type Job = Box<dyn FnOnce(&Transaction<'_>) -> Reply + Send>;

pub(super) struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    /// Start the writer thread on `conn` and the checkpoint thread on `checkpoints` (a
    /// second read-write connection to the same database).
    pub(super) fn start(conn: Connection, checkpoints: Connection) -> Result<Self, StoreError> {
        let (jobs, rx) = mpsc::channel(QUEUE_DEPTH);
        let (kick, kicks) = sync_channel(1);
        std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || checkpoint_loop(&checkpoints, &kicks))
            .map_err(|e| StoreError::Join(e.to_string()))?;
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || run(conn, rx, &kick))
            .map_err(|e| StoreError::Join(e.to_string()))?;
        Ok(Self { jobs })
    }

    /// Run `f` in the writer's transaction; resolves once the transaction committed.
    pub(super) async fn write<R, F>(&self, f: F) -> Result<R, StoreError>
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
        self.jobs.send(job).await.map_err(|_| StoreError::Closed)?;
        rx.await.map_err(|_| StoreError::Closed)?
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
    // The writer stopped: leave the database file complete.
    let _ = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
}

fn run(mut conn: Connection, mut rx: mpsc::Receiver<Job>, kick: &SyncSender<()>) {
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = rx.blocking_recv() {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let txn = match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
            Ok(t) => t,
            Err(e) => {
                tracing::error!(error = %e, "cannot begin a write transaction");
                // Answer every waiting caller with the failure rather than dropping them.
                for job in batch.drain(..) {
                    drop(job);
                }
                continue;
            }
        };
        let replies: Vec<Reply> = batch.drain(..).map(|job| job(&txn)).collect();
        match txn.commit() {
            Ok(()) => {
                replies.into_iter().for_each(|r| r(None));
                // Full: a checkpoint is already due, and it will cover this commit too.
                if let Err(TrySendError::Disconnected(())) = kick.try_send(()) {
                    tracing::warn!("the WAL checkpoint thread is gone");
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "write transaction failed to commit");
                replies.into_iter().for_each(|r| r(Some(&e)));
            }
        }
    }
}
