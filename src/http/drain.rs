//! A graceful stop for connections and the tunnels they become: each holds a [`Lifeline`],
//! which tells it when the server stops; the server then waits, for a bounded time, until
//! every lifeline is gone.
//!
//! hyper-util's `GracefulShutdown` cannot watch an HTTP/1 connection that may switch
//! protocols (its trait is sealed and not implemented for one), and a tunnel outlives the
//! connection it came from; both are drained here.

use std::time::Duration;

use tokio::sync::{mpsc, watch};

/// How long open requests and tunnels may take to finish once the server stops.
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// The server's side: tells every lifeline to stop, then waits for them.
pub struct Drain {
    stop: watch::Sender<bool>,
    alive: mpsc::Sender<()>,
    gone: mpsc::Receiver<()>,
}

/// A connection's or a tunnel's side: kept as long as it runs.
#[derive(Clone)]
pub struct Lifeline {
    stop: watch::Receiver<bool>,
    _alive: mpsc::Sender<()>,
}

impl Lifeline {
    /// Resolves once the server stops.
    pub async fn stopping(&mut self) {
        // An error means the server is gone, which is a stop too.
        let _ = self.stop.wait_for(|stopped| *stopped).await;
    }
}

impl Default for Drain {
    fn default() -> Self {
        let (stop, _) = watch::channel(false);
        let (alive, gone) = mpsc::channel(1);
        Self { stop, alive, gone }
    }
}

impl Drain {
    /// A lifeline for a new connection or tunnel.
    pub fn lifeline(&self) -> Lifeline {
        Lifeline {
            stop: self.stop.subscribe(),
            _alive: self.alive.clone(),
        }
    }

    /// Tell every lifeline to stop and wait until all are dropped, or [`DRAIN_TIMEOUT`].
    pub async fn finish(self) {
        let Self {
            stop,
            alive,
            mut gone,
        } = self;
        let _ = stop.send(true);
        drop(alive);
        // `recv` answers `None` once every sender (each lifeline) is dropped; nothing is sent.
        if tokio::time::timeout(DRAIN_TIMEOUT, gone.recv())
            .await
            .is_err()
        {
            tracing::warn!("connections still open after 10 s; closing them");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn finish_waits_for_every_lifeline_and_tells_them_to_stop() {
        let drain = Drain::default();
        let mut line = drain.lifeline();
        let held = tokio::spawn(async move {
            line.stopping().await;
            tokio::time::sleep(Duration::from_millis(50)).await;
            drop(line);
        });
        let started = tokio::time::Instant::now();
        drain.finish().await;
        assert!(started.elapsed() >= Duration::from_millis(50));
        held.await.unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn finish_gives_up_after_the_timeout() {
        let drain = Drain::default();
        let line = drain.lifeline();
        drain.finish().await;
        drop(line);
    }
}
