//! Shared connections for the two statements nearly every request makes: resolving a token
//! and ending a session. A pool lends a connection to one caller at a time, so each of them
//! waits a whole round trip with its connection idle; tokio-postgres instead pipelines the
//! statements of concurrent callers on one connection, so a few connections keep PostgreSQL
//! busy without a backend process per request in flight.
//!
//! Each statement here runs alone, in its own implicit transaction (tokio-postgres ends every
//! statement with a Sync), so sharing a connection changes nothing about what a statement
//! sees: a lookup sent after a revoke was answered still starts after the revoke committed.
//! A lane whose connection was lost is connected again by the next caller that picks it.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio_postgres::{Client, Config, NoTls, Statement};

use crate::store::StoreError;

/// One shared connection and its prepared statements.
pub struct Lane {
    pub client: Client,
    /// `$1`: a session token; one row with the session and its user as JSON text.
    pub find_by_token: Statement,
    /// [`super::end_sessions`] for one token (`$1`): the ended session's `expiresAt` in ms.
    pub revoke_by_token: Statement,
}

pub struct Lanes {
    config: Config,
    slots: Vec<parking_lot::Mutex<Option<Arc<Lane>>>>,
    next: AtomicUsize,
}

impl Lanes {
    pub fn new(config: Config, count: usize) -> Self {
        Self {
            config,
            slots: (0..count.max(1))
                .map(|_| parking_lot::Mutex::new(None))
                .collect(),
            next: AtomicUsize::new(0),
        }
    }

    /// A lane, connected (again) if needed.
    pub async fn get(&self) -> Result<Arc<Lane>, StoreError> {
        let slot = &self.slots[self.next.fetch_add(1, Ordering::Relaxed) % self.slots.len()];
        if let Some(lane) = slot.lock().as_ref()
            && !lane.client.is_closed()
        {
            return Ok(Arc::clone(lane));
        }
        let (client, connection) = self.config.connect(NoTls).await?;
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::warn!(error = %e, "a shared PostgreSQL connection ended");
            }
        });
        let find_by_token = client
            .prepare(&super::session_lookup(super::BY_TOKEN))
            .await?;
        let (revoke, _) = super::ending(&crate::store::Ending::Token(String::new()));
        let revoke_by_token = client.prepare(&revoke).await?;
        let lane = Arc::new(Lane {
            client,
            find_by_token,
            revoke_by_token,
        });
        *slot.lock() = Some(Arc::clone(&lane));
        Ok(lane)
    }

    /// Drop every connection (the store is closing).
    pub fn close(&self) {
        for slot in &self.slots {
            slot.lock().take();
        }
    }
}
