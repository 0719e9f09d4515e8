//! The in-memory cache of valid sessions, and why it can never resurrect a revoked one.
//!
//! A lookup that misses reads SQLite, then inserts what it read. If a revoke commits between
//! that read and that insert, the insert would put a dead session back. So the cache carries a
//! generation counter: a reader notes the generation before reading SQLite and inserts only if
//! it is unchanged; every invalidation bumps it under the same lock, after the revoke has
//! committed. One `parking_lot::Mutex` guards both, held only for a map operation.

use std::num::NonZeroUsize;
use std::sync::Arc;

use lru::LruCache;
use parking_lot::Mutex;

use super::ids::TokenHash;
use super::model::AuthSession;

pub(super) struct SessionCache {
    inner: Mutex<Inner>,
}

struct Inner {
    map: LruCache<TokenHash, Arc<AuthSession>>,
    generation: u64,
}

impl SessionCache {
    pub(super) fn new(capacity: usize) -> Self {
        let capacity = NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN);
        Self {
            inner: Mutex::new(Inner {
                map: LruCache::new(capacity),
                generation: 0,
            }),
        }
    }

    pub(super) fn get(&self, hash: &TokenHash) -> Option<Arc<AuthSession>> {
        self.inner.lock().map.get(hash).cloned()
    }

    pub(super) fn generation(&self) -> u64 {
        self.inner.lock().generation
    }

    /// Insert what a reader loaded, unless an invalidation happened since `generation`.
    pub(super) fn insert_if_current(
        &self,
        hash: TokenHash,
        value: Arc<AuthSession>,
        generation: u64,
    ) {
        let mut inner = self.inner.lock();
        if inner.generation == generation {
            inner.map.put(hash, value);
        }
    }

    /// Forget one session. Call after the revoke committed.
    pub(super) fn invalidate(&self, hash: &TokenHash) {
        let mut inner = self.inner.lock();
        inner.generation = inner.generation.wrapping_add(1);
        inner.map.pop(hash);
    }

    /// Forget everything (user changes, bulk revokes). Call after the change committed.
    pub(super) fn clear(&self) {
        let mut inner = self.inner.lock();
        inner.generation = inner.generation.wrapping_add(1);
        inner.map.clear();
    }
}
