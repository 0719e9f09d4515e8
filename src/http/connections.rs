//! How many connections are open, and which one gives way when there are too many.
//!
//! Every open socket costs a file descriptor. Without a cap, a flood of silent connections
//! used the process's descriptors up, and `accept` then failed for real clients until the
//! header timeout freed some. So connections are counted against a cap kept below the
//! descriptor limit. When the cap is reached, the connection that has been idle longest (no
//! request in progress: a keep-alive connection between requests, or one that has not
//! finished sending its headers) is closed to make room; a flood of idle sockets therefore
//! delays a real client by one eviction, never by a timeout. When every connection is in
//! the middle of a request, the newcomer is closed instead.
//!
//! The registry is touched once per connection (open, close) and each request only updates
//! its connection's own atomics, so the lock is never on a request's path.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Instant;

use parking_lot::Mutex;
use tokio::sync::Notify;

/// Descriptors kept free for what is not a client connection: the listener, SQLite's files
/// (database, WAL and shared memory per connection), the event loop, log files.
const RESERVED_DESCRIPTORS: u64 = 128;
/// Never more than this many connections by default, however high the descriptor limit.
const DEFAULT_CEILING: u64 = 65_536;

/// The default cap: raise the soft descriptor limit to the hard one, then leave room.
pub fn default_max_connections() -> usize {
    let limit = rlimit::increase_nofile_limit(u64::MAX).unwrap_or(1024);
    let cap = limit
        .saturating_sub(RESERVED_DESCRIPTORS)
        .clamp(16, DEFAULT_CEILING);
    usize::try_from(cap).unwrap_or(usize::MAX)
}

/// One open connection, as the registry and its own tasks see it.
pub struct Connection {
    /// Requests of this connection being answered now.
    busy: AtomicU32,
    /// When a request last started or ended, in milliseconds since the registry started.
    last_active: AtomicU64,
    evict: Notify,
    epoch: Instant,
}

impl Connection {
    fn touch(&self) {
        let now = u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_active.store(now, Ordering::Relaxed);
    }

    /// A request started; the returned guard marks its end.
    pub fn request(self: &Arc<Self>) -> Busy {
        self.busy.fetch_add(1, Ordering::Relaxed);
        self.touch();
        Busy(Arc::clone(self))
    }

    /// Resolves when the registry closes this connection to make room.
    pub async fn evicted(&self) {
        self.evict.notified().await;
    }
}

/// A request in progress on its connection.
pub struct Busy(Arc<Connection>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.touch();
        self.0.busy.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The open connections of one server.
pub struct Connections {
    max: usize,
    epoch: Instant,
    inner: Mutex<Registry>,
}

#[derive(Default)]
struct Registry {
    next_id: u64,
    open: HashMap<u64, Arc<Connection>>,
}

/// A connection's place in the registry, given up when dropped.
pub struct Admitted {
    id: u64,
    connections: Arc<Connections>,
    pub connection: Arc<Connection>,
}

impl Drop for Admitted {
    fn drop(&mut self) {
        self.connections.inner.lock().open.remove(&self.id);
    }
}

impl Connections {
    pub fn new(max: usize) -> Arc<Self> {
        Arc::new(Self {
            max: max.max(1),
            epoch: Instant::now(),
            inner: Mutex::new(Registry::default()),
        })
    }

    pub fn open(&self) -> usize {
        self.inner.lock().open.len()
    }

    /// Make room for a new connection (closing the longest-idle one if the cap is reached),
    /// or `None` when every open connection is busy with a request.
    pub fn admit(self: &Arc<Self>) -> Option<Admitted> {
        let mut registry = self.inner.lock();
        if registry.open.len() >= self.max {
            let idlest = registry
                .open
                .iter()
                .filter(|(_, c)| c.busy.load(Ordering::Relaxed) == 0)
                .min_by_key(|(_, c)| c.last_active.load(Ordering::Relaxed))
                .map(|(id, _)| *id)?;
            if let Some(victim) = registry.open.remove(&idlest) {
                // A stored permit: the connection's task sees it even if not waiting yet.
                victim.evict.notify_one();
            }
        }
        let id = registry.next_id;
        registry.next_id += 1;
        let connection = Arc::new(Connection {
            busy: AtomicU32::new(0),
            last_active: AtomicU64::new(0),
            evict: Notify::new(),
            epoch: self.epoch,
        });
        connection.touch();
        registry.open.insert(id, Arc::clone(&connection));
        Some(Admitted {
            id,
            connections: Arc::clone(self),
            connection,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_the_cap_the_longest_idle_connection_gives_way() {
        let connections = Connections::new(2);
        let first = connections.admit().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(5));
        let second = connections.admit().unwrap();
        let third = connections.admit().unwrap();
        let open = |a: &Admitted| connections.inner.lock().open.contains_key(&a.id);
        assert!(!open(&first) && open(&second) && open(&third));
        assert_eq!(connections.open(), 2);
        // Busy connections are never closed for a newcomer; the newcomer is refused.
        let _a = second.connection.request();
        let _b = third.connection.request();
        assert!(connections.admit().is_none());
        drop(first);
        assert_eq!(
            connections.open(),
            2,
            "an evicted connection was already uncounted"
        );
        drop(second);
        assert_eq!(connections.open(), 1);
    }
}
