//! The in-memory cache of valid sessions, and why it can never resurrect a revoked one.
//!
//! A lookup that misses reads SQLite, then inserts what it read. If a revoke commits between
//! that read and that insert, the insert would put a dead session back. So the cache carries a
//! generation counter: a reader notes the generation before reading SQLite and inserts only if
//! it is unchanged; every invalidation bumps it under the same lock, after the revoke has
//! committed. One `parking_lot::Mutex` guards both, held only for a map operation.
//!
//! The cache is bounded in bytes as well as entries: a user's data can be large (a 2 MiB
//! username once pinned 5 MiB per cached session), so each entry is weighed when inserted,
//! the least recently used entries go while the total is over budget, and an entry heavier
//! than a thousandth of the budget is not cached at all (its lookups read SQLite).

use std::num::NonZeroUsize;
use std::sync::Arc;

use lru::LruCache;
use parking_lot::Mutex;

use crate::store::AuthSession;
use crate::store::TokenHash;

pub(super) struct SessionCache {
    inner: Mutex<Inner>,
    budget: usize,
}

struct Inner {
    /// Each entry with its weight in bytes.
    map: LruCache<TokenHash, (Arc<AuthSession>, usize)>,
    /// The sum of the weights in `map`.
    bytes: usize,
    generation: u64,
}

impl SessionCache {
    /// At most `capacity` entries weighing `budget` bytes in all.
    pub(super) fn new(capacity: usize, budget: usize) -> Self {
        let capacity = NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN);
        Self {
            inner: Mutex::new(Inner {
                map: LruCache::new(capacity),
                bytes: 0,
                generation: 0,
            }),
            budget,
        }
    }

    #[cfg(test)]
    pub(super) fn bytes(&self) -> usize {
        self.inner.lock().bytes
    }

    pub(super) fn get(&self, hash: &TokenHash) -> Option<Arc<AuthSession>> {
        self.inner.lock().map.get(hash).map(|(s, _)| Arc::clone(s))
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
        let weight = value.approximate_bytes();
        if weight > self.budget / 1000 {
            return;
        }
        let mut inner = self.inner.lock();
        if inner.generation != generation {
            return;
        }
        inner.bytes += weight;
        // `push` answers what it displaced: the same key's old entry, or the LRU one at capacity.
        if let Some((_, (_, old))) = inner.map.push(hash, (value, weight)) {
            inner.bytes -= old;
        }
        while inner.bytes > self.budget {
            match inner.map.pop_lru() {
                Some((_, (_, w))) => inner.bytes -= w,
                None => break,
            }
        }
    }

    /// Forget one session. Call after the revoke committed.
    pub(super) fn invalidate(&self, hash: &TokenHash) {
        let mut inner = self.inner.lock();
        inner.generation = inner.generation.wrapping_add(1);
        if let Some((_, w)) = inner.map.pop(hash) {
            inner.bytes -= w;
        }
    }

    /// Forget everything (user changes, bulk revokes). Call after the change committed.
    pub(super) fn clear(&self) {
        let mut inner = self.inner.lock();
        inner.generation = inner.generation.wrapping_add(1);
        inner.map.clear();
        inner.bytes = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::model::{Session, SessionAction, User};

    fn entry(name_len: usize) -> Arc<AuthSession> {
        let user = User {
            object_id: "u1".into(),
            username: "u".repeat(name_len),
            email: None,
            email_verified: None,
            hashed_password: None,
            auth_data: None,
            acl: serde_json::Map::new(),
            created_at: 0,
            updated_at: 0,
            fields: serde_json::Map::new(),
        };
        let session = Session {
            object_id: "s1".into(),
            user_id: "u1".into(),
            created_at: 0,
            updated_at: 0,
            expires_at: None,
            action: SessionAction::Login,
            auth_provider: "password".into(),
            installation_id: None,
            fields: serde_json::Map::new(),
        };
        Arc::new(AuthSession::new(session, user))
    }

    #[test]
    fn the_cache_stays_within_its_byte_budget() {
        let cache = SessionCache::new(100_000, 2_000_000);
        let g = cache.generation();
        for i in 0..10_000u32 {
            let mut hash = [0u8; 32];
            hash[..4].copy_from_slice(&i.to_le_bytes());
            cache.insert_if_current(hash, entry(100), g);
            assert!(cache.bytes() <= 2_000_000);
        }
        assert!(cache.bytes() > 1_800_000, "the budget is used, not wasted");
        // An entry heavier than a thousandth of the budget is not cached at all.
        let heavy = [9u8; 32];
        cache.insert_if_current(heavy, entry(2_000), g);
        assert!(cache.get(&heavy).is_none());
        cache.clear();
        assert_eq!(cache.bytes(), 0);
    }
}
