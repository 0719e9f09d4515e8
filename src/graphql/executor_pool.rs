//! The threads GraphQL operations run on.
//!
//! juniper's executor is synchronous and its resolvers block on the store, so operations must
//! not run on the async workers. tokio's blocking pool would do, but it wakes a parked thread
//! for every task and grows to one thread per concurrent request; under load that is mostly
//! context switches. A small fixed set of threads taking jobs from one queue keeps working
//! through the queue without sleeping while requests keep coming.

use crossbeam_channel::{Receiver, Sender};
use tokio::sync::oneshot;

type Job = Box<dyn FnOnce() + Send>;

/// Each executor thread's stack: reading and validating a document recurses once per level of
/// nesting (up to `document::DEEP_NESTING`), and a debug build needs several KiB per level.
/// Only the pages a thread touches are committed.
pub const STACK_SIZE: usize = 64 * 1024 * 1024;

/// A fixed set of threads running GraphQL operations. A clone queues onto the same threads.
#[derive(Clone)]
pub struct ExecutorPool {
    /// Dropping the pool (and its clones) drops this, which ends every thread once its current
    /// job is done.
    jobs: Sender<Job>,
}

/// Why a job did not produce its answer (a job the pool never took drops its reply instead).
#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    #[error("a GraphQL operation panicked")]
    Panicked,
}

impl ExecutorPool {
    /// Start `threads` threads (at least one).
    pub fn new(threads: usize) -> std::io::Result<Self> {
        let (tx, rx) = crossbeam_channel::unbounded::<Job>();
        for i in 0..threads.max(1) {
            let rx: Receiver<Job> = rx.clone();
            std::thread::Builder::new()
                .name(format!("graphql-{i}"))
                .stack_size(STACK_SIZE)
                .spawn(move || {
                    // A job wakes one sleeping thread, and none while a busy one takes it next.
                    while let Ok(job) = rx.recv() {
                        job();
                    }
                })?;
        }
        Ok(Self { jobs: tx })
    }

    /// Eight per core, and at least sixteen. Resolvers spend most of their time waiting on
    /// the store (a logOut waits for its commit), so the threads are mostly asleep; what their
    /// number decides is how many writes can wait together and share one commit. Measured on
    /// two cores (cookbook logOut): 4 threads committed ~4 writes at a time and cost 50 us of
    /// writer time per request, 16 threads 35 us; 32 gained nothing more.
    pub fn for_this_machine() -> std::io::Result<Self> {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        Self::new((cores * 8).max(16))
    }

    /// Queue `f` and send its answer to `reply`. Never blocks, so any thread may queue work
    /// (a reader thread hands a GraphQL operation over once it has checked the session).
    pub fn submit<R, F>(&self, f: F, reply: oneshot::Sender<Result<R, PoolError>>)
    where
        R: Send + 'static,
        F: FnOnce() -> R + Send + 'static,
    {
        let job: Job = Box::new(move || {
            let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
            let _ = reply.send(out.map_err(|_| PoolError::Panicked));
        });
        // A closed pool drops the job, and with it `reply`: the waiter sees the channel closed.
        let _ = self.jobs.send(job);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Queue `f` and wait for its answer.
    async fn run<R: Send + 'static>(
        pool: &ExecutorPool,
        f: impl FnOnce() -> R + Send + 'static,
    ) -> Result<R, PoolError> {
        let (tx, rx) = oneshot::channel();
        pool.submit(f, tx);
        rx.await.expect("the pool answers every job it takes")
    }

    #[tokio::test]
    async fn runs_jobs_and_survives_a_panicking_one() {
        let pool = ExecutorPool::new(2).unwrap();
        assert_eq!(run(&pool, || 40 + 2).await.unwrap(), 42);
        let panicked = run(&pool, || -> u8 { panic!("boom") }).await;
        assert!(matches!(panicked, Err(PoolError::Panicked)));
        let many: Vec<_> = (0..32).map(|i| run(&pool, move || i * 2)).collect();
        let mut total = 0;
        for f in many {
            total += f.await.unwrap();
        }
        assert_eq!(total, (0..32).map(|i| i * 2).sum::<i32>());
    }
}
