//! The threads that read SQLite.
//!
//! Every read that misses the session cache (a login's user lookup, a token seen for the first
//! time) runs here. Each thread owns one read-only connection for its whole life and takes
//! jobs from one queue, so a read neither wakes a fresh thread of tokio's blocking pool nor
//! borrows a connection from a shared pool. Readers never wait for the writer (WAL).
//!
//! Lookups of one session by its token are *quick* jobs. A reader that takes a quick job also
//! takes the quick jobs queued behind it (up to [`BATCH`]) and runs them all in one read
//! transaction: under load a miss of the session cache then costs one B-tree search instead
//! of a search plus a transaction's locks and WAL snapshot of its own (a fifth of a lookup's
//! time at ten million sessions). Every job of a batch was queued before the transaction read
//! anything, so each still sees every commit that came before it was asked: a session ended
//! before its lookup was queued is never found alive. Other jobs (finds, counts) run in
//! transactions of their own, so a long one never holds up lookups queued behind it for
//! longer than it would have anyway.

use crossbeam_channel::{Receiver, Sender};
use rusqlite::Connection;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use tokio::sync::oneshot;

use super::StoreError;

type Run = Box<dyn FnOnce(Result<&Connection, StoreError>) + Send>;

struct Job {
    run: Run,
    /// A point lookup, run in a batch with the quick jobs queued behind it.
    quick: bool,
}

/// The most quick jobs one read transaction serves: enough to amortise its locks, few enough
/// that the other readers still find work when the queue is long.
const BATCH: usize = 8;

pub(super) struct Readers {
    /// Dropping the store drops this, which ends every thread once its current job is done.
    jobs: Sender<Job>,
}

impl Readers {
    /// Start `threads` reader threads (at least one) on the database at `path`; each opens
    /// its connection when its first job comes.
    pub(super) fn start(
        path: &Path,
        threads: usize,
        open: fn(&Path, bool) -> Result<Connection, StoreError>,
    ) -> Result<Self, StoreError> {
        let (jobs, rx) = crossbeam_channel::unbounded::<Job>();
        for i in 0..threads.max(1) {
            let rx: Receiver<Job> = rx.clone();
            let path: PathBuf = path.to_owned();
            std::thread::Builder::new()
                .name(format!("sqlite-read-{i}"))
                .spawn(move || serve(&rx, &path, open))
                .map_err(|e| StoreError::Join(e.to_string()))?;
        }
        Ok(Self { jobs })
    }

    /// Run `f` on a reader thread's connection.
    pub(super) async fn read<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&Connection) -> Result<R, StoreError> + Send + 'static,
    {
        self.ask(false, f).await
    }

    /// Run the point lookup `f` on a reader thread's connection, in a read transaction it may
    /// share with other lookups queued with it, and hand its result to `then` on that thread
    /// (or on this one, with [`StoreError::Closed`], if the readers are gone): for work that
    /// continues on another thread rather than coming back to the caller.
    pub(super) fn lookup_then<R, F, T>(&self, f: F, then: T)
    where
        F: FnOnce(&Connection) -> Result<R, StoreError> + Send + 'static,
        T: FnOnce(Result<R, StoreError>) + Send + 'static,
    {
        self.queue(true, f, then);
    }

    /// [`Readers::lookup_then`], answered to the caller.
    pub(super) async fn lookup<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&Connection) -> Result<R, StoreError> + Send + 'static,
    {
        self.ask(true, f).await
    }

    /// Queue `f` and wait for its answer.
    async fn ask<R, F>(&self, quick: bool, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&Connection) -> Result<R, StoreError> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        self.queue(quick, f, move |answer| {
            let _ = tx.send(answer);
        });
        rx.await.map_err(|_| StoreError::Closed)?
    }

    fn queue<R, F, T>(&self, quick: bool, f: F, then: T)
    where
        F: FnOnce(&Connection) -> Result<R, StoreError> + Send + 'static,
        T: FnOnce(Result<R, StoreError>) + Send + 'static,
    {
        let run: Run = Box::new(move |conn| then(conn.and_then(f)));
        if let Err(crossbeam_channel::SendError(job)) = self.jobs.send(Job { run, quick }) {
            (job.run)(Err(StoreError::Closed));
        }
    }
}

/// One reader thread: every thread waits on the one queue itself, so a job wakes one sleeping
/// reader, and none when a reader is still busy and takes it next.
fn serve(rx: &Receiver<Job>, path: &Path, open: fn(&Path, bool) -> Result<Connection, StoreError>) {
    let mut conn: Option<Connection> = None;
    let mut batch: Vec<Job> = Vec::with_capacity(BATCH);
    while let Ok(job) = rx.recv() {
        let mut after = None;
        let quick = job.quick;
        batch.push(job);
        while quick && batch.len() < BATCH {
            match rx.try_recv() {
                Ok(next) if next.quick => batch.push(next),
                Ok(next) => {
                    after = Some(next);
                    break;
                }
                Err(_) => break,
            }
        }
        if conn.is_none() {
            match open(path, true) {
                Ok(c) => conn = Some(c),
                Err(e) => {
                    // The first job hears why, the others in words; the next job tries to
                    // open the database again.
                    let words = e.to_string();
                    let mut jobs = batch.drain(..).chain(after);
                    if let Some(job) = jobs.next() {
                        (job.run)(Err(e));
                    }
                    for job in jobs {
                        (job.run)(Err(StoreError::Io(words.clone())));
                    }
                    continue;
                }
            }
        }
        let Some(c) = &conn else { continue };
        run_together(c, &mut batch);
        if let Some(job) = after {
            batch.push(job);
            run_together(c, &mut batch);
        }
    }
}

/// Run the jobs of `batch` (emptying it), sharing one read transaction when there are several.
fn run_together(conn: &Connection, batch: &mut Vec<Job>) {
    let shared = batch.len() > 1 && statement(conn, "BEGIN").is_ok();
    for job in batch.drain(..) {
        // A panicking read drops its reply (the caller sees `Closed`) and leaves this thread
        // serving.
        let _ = catch_unwind(AssertUnwindSafe(|| (job.run)(Ok(conn))));
    }
    if shared && !conn.is_autocommit() && statement(conn, "COMMIT").is_err() {
        // Nothing was written: ending the transaction any way frees its snapshot.
        let _ = statement(conn, "ROLLBACK");
    }
}

fn statement(conn: &Connection, sql: &str) -> rusqlite::Result<usize> {
    conn.prepare_cached(sql)?.execute([])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(path: &Path, _read_only: bool) -> Result<Connection, StoreError> {
        Ok(Connection::open(path)?)
    }

    #[tokio::test]
    async fn a_panicking_read_fails_alone_and_the_threads_keep_serving() {
        let dir = tempfile::tempdir().unwrap();
        let readers = Readers::start(&dir.path().join("r.db"), 1, open).unwrap();
        let panicked = readers
            .read(|_conn| -> Result<(), StoreError> { panic!("a bug in a read") })
            .await;
        assert!(matches!(panicked, Err(StoreError::Closed)));
        let answer = readers
            .read(|conn| Ok(conn.query_row("SELECT 6 * 7", [], |r| r.get::<_, i64>(0))?))
            .await
            .unwrap();
        assert_eq!(answer, 42);
    }

    #[tokio::test]
    async fn lookup_then_continues_on_the_reader_thread() {
        let dir = tempfile::tempdir().unwrap();
        let readers = Readers::start(&dir.path().join("r.db"), 1, open).unwrap();
        let (tx, rx) = oneshot::channel();
        readers.lookup_then(
            |conn| Ok(conn.query_row("SELECT 6 * 7", [], |r| r.get::<_, i64>(0))?),
            move |answer| {
                let thread = std::thread::current().name().map(str::to_owned);
                let _ = tx.send((answer.unwrap(), thread));
            },
        );
        let (answer, thread) = rx.await.unwrap();
        assert_eq!(answer, 42);
        assert_eq!(thread.as_deref(), Some("sqlite-read-0"));
    }

    /// Hold the only reader thread until the returned sender is dropped or sent to.
    fn hold(readers: &Readers) -> std::sync::mpsc::Sender<()> {
        let (release, held) = std::sync::mpsc::channel::<()>();
        let (started, running) = std::sync::mpsc::channel::<()>();
        // Held in the continuation, which runs on the reader thread even when the database
        // could not be opened.
        readers.queue(
            false,
            |_conn| Ok(()),
            move |_: Result<(), StoreError>| {
                started.send(()).unwrap();
                let _ = held.recv();
            },
        );
        running.recv().unwrap();
        release
    }

    fn in_transaction(conn: &Connection) -> Result<bool, StoreError> {
        Ok(!conn.is_autocommit())
    }

    #[tokio::test]
    async fn lookups_queued_together_share_a_transaction_that_sees_every_earlier_commit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.db");
        let writer = Connection::open(&path).unwrap();
        writer
            .execute_batch(
                "PRAGMA journal_mode=WAL; CREATE TABLE t (v INTEGER); INSERT INTO t VALUES (1);",
            )
            .unwrap();
        let readers = Readers::start(&path, 1, open).unwrap();
        let release = hold(&readers);
        let seen = |conn: &Connection| -> Result<(bool, i64), StoreError> {
            let v = conn.query_row("SELECT max(v) FROM t", [], |r| r.get(0))?;
            Ok((in_transaction(conn)?, v))
        };
        let (tx, rx) = std::sync::mpsc::channel();
        for _ in 0..3 {
            let tx = tx.clone();
            readers.lookup_then(seen, move |answer| tx.send(answer.unwrap()).unwrap());
        }
        // Committed after the lookups were queued, before any of them ran: a batch's
        // snapshot is taken once it is dequeued, so all three see it.
        writer.execute("INSERT INTO t VALUES (2)", []).unwrap();
        // A job that is not a lookup runs alone, after the batch, in no shared transaction.
        let (other_tx, other_rx) = std::sync::mpsc::channel();
        readers.queue(false, in_transaction, move |answer| {
            other_tx.send(answer.unwrap()).unwrap()
        });
        drop(release);
        for _ in 0..3 {
            assert_eq!(rx.recv().unwrap(), (true, 2));
        }
        assert!(!other_rx.recv().unwrap());
        // A lone lookup needs no transaction of its own beyond its statement's.
        assert_eq!(readers.lookup(seen).await.unwrap(), (false, 2));
        // The batch's transaction ended: the writer can checkpoint everything.
        let (busy, _, _): (i64, i64, i64) = writer
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .unwrap();
        assert_eq!(busy, 0);
    }

    #[tokio::test]
    async fn a_panicking_lookup_in_a_batch_fails_alone() {
        let dir = tempfile::tempdir().unwrap();
        let readers = Readers::start(&dir.path().join("r.db"), 1, open).unwrap();
        let release = hold(&readers);
        let (tx, rx) = std::sync::mpsc::channel();
        for i in 0..3 {
            let tx = tx.clone();
            readers.lookup_then(
                move |conn| {
                    assert_ne!(i, 1, "a bug in a lookup");
                    Ok(conn.query_row("SELECT 6 * 7", [], |r| r.get::<_, i64>(0))?)
                },
                move |answer| tx.send((i, answer.unwrap())).unwrap(),
            );
        }
        drop(tx);
        drop(release);
        let answers: Vec<_> = rx.iter().collect();
        assert_eq!(answers, vec![(0, 42), (2, 42)]);
        assert!(!readers.lookup(in_transaction).await.unwrap());
    }

    #[tokio::test]
    async fn when_the_database_cannot_be_opened_every_queued_job_hears_it() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no such folder").join("r.db");
        let readers = Readers::start(&missing, 1, open).unwrap();
        let release = hold(&readers);
        let (tx, rx) = std::sync::mpsc::channel();
        for _ in 0..3 {
            let tx = tx.clone();
            readers.lookup_then(in_transaction, move |answer| {
                tx.send(answer.is_err()).unwrap()
            });
        }
        drop(tx);
        drop(release);
        assert_eq!(rx.iter().collect::<Vec<_>>(), vec![true, true, true]);
    }
}
