//! The threads that read SQLite.
//!
//! Every read that misses the session cache (a login's user lookup, a token seen for the first
//! time) runs here. Each thread owns one read-only connection for its whole life and takes
//! jobs from one queue, so a read neither wakes a fresh thread of tokio's blocking pool nor
//! borrows a connection from a shared pool. Readers never wait for the writer (WAL).

use crossbeam_channel::{Receiver, Sender};
use rusqlite::Connection;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use tokio::sync::oneshot;

use super::StoreError;

type Job = Box<dyn FnOnce(Result<&Connection, StoreError>) + Send>;

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
                .spawn(move || {
                    let mut conn: Option<Connection> = None;
                    // Every thread waits on the one queue itself: a job wakes one sleeping
                    // reader, and none when a reader is still busy and takes it next.
                    while let Ok(job) = rx.recv() {
                        if conn.is_none() {
                            match open(&path, true) {
                                Ok(c) => conn = Some(c),
                                Err(e) => {
                                    job(Err(e));
                                    continue;
                                }
                            }
                        }
                        if let Some(c) = &conn {
                            // A panicking read drops its reply (the caller sees `Closed`) and
                            // leaves this thread serving.
                            let _ = catch_unwind(AssertUnwindSafe(|| job(Ok(c))));
                        }
                    }
                })
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
        let (tx, rx) = oneshot::channel();
        self.read_then(f, move |answer| {
            let _ = tx.send(answer);
        });
        rx.await.map_err(|_| StoreError::Closed)?
    }

    /// Run `f` on a reader thread's connection and hand its result to `then` on that thread
    /// (or on this one, with [`StoreError::Closed`], if the readers are gone): for work that
    /// continues on another thread rather than coming back to the caller.
    pub(super) fn read_then<R, F, T>(&self, f: F, then: T)
    where
        F: FnOnce(&Connection) -> Result<R, StoreError> + Send + 'static,
        T: FnOnce(Result<R, StoreError>) + Send + 'static,
    {
        let job: Job = Box::new(move |conn| then(conn.and_then(f)));
        if let Err(crossbeam_channel::SendError(job)) = self.jobs.send(job) {
            job(Err(StoreError::Closed));
        }
    }
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
    async fn read_then_continues_on_the_reader_thread() {
        let dir = tempfile::tempdir().unwrap();
        let readers = Readers::start(&dir.path().join("r.db"), 1, open).unwrap();
        let (tx, rx) = oneshot::channel();
        readers.read_then(
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
}
