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
//!
//! A session is cached the second time its token misses, not the first (a doorkeeper, as
//! in TinyLFU): a token used once (a one-off script, a crawl through many accounts, a store
//! far larger than the cache) then costs its lookup only, not an insert and the eviction of
//! a session that is in use. A token used twice since the doorkeeper was last reset stays.
//!
//! A change to a user forgets that user's sessions only: a busy app saves profiles all the
//! time, and forgetting every session at each save would send every lookup to SQLite.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::num::NonZeroUsize;
use std::sync::Arc;

use lru::LruCache;
use parking_lot::Mutex;

use crate::store::AuthSession;
use crate::store::TokenHash;

pub(super) struct SessionCache {
    inner: Mutex<Inner>,
    budget: usize,
    capacity: NonZeroUsize,
    /// Keys users by a hash of their objectId (see [`Inner::by_user`]).
    user_keys: RandomState,
}

struct Inner {
    map: LruCache<TokenHash, Entry>,
    /// The cached sessions of each user, so that a change to one user forgets theirs and
    /// nobody else's. Keyed by a hash of the objectId: two users sharing a key would only
    /// forget each other's sessions together, which is safe.
    by_user: HashMap<u64, Vec<TokenHash>>,
    /// The sum of the weights in `map`.
    bytes: usize,
    generation: u64,
    /// The doorkeeper: one bit per slot, set when a token hashing to the slot missed.
    seen: Box<[u64]>,
    /// Bits set since the last reset; at a fifth of the bits all are cleared, which keeps the
    /// share of slots set (and so of tokens let in at their first miss) under a fifth.
    seen_count: usize,
}

struct Entry {
    session: Arc<AuthSession>,
    /// Its weight in bytes.
    weight: usize,
    /// Its user's key in `by_user`.
    user: u64,
}

impl Inner {
    /// Whether a token hashing to `hash` missed before since the last reset; marks it if not.
    fn seen_before(&mut self, hash: &TokenHash) -> bool {
        let mut word = [0u8; 8];
        word.copy_from_slice(&hash[..8]);
        // Token hashes are SHA-256: any 64 bits of them are uniform.
        let bit = u64::from_le_bytes(word) as usize % (self.seen.len() * 64);
        let (slot, mask) = (bit / 64, 1u64 << (bit % 64));
        if self.seen[slot] & mask != 0 {
            return true;
        }
        if self.seen_count >= self.seen.len() * 64 / 5 {
            self.seen.fill(0);
            self.seen_count = 0;
        }
        self.seen[slot] |= mask;
        self.seen_count += 1;
        false
    }

    /// Take `hash`'s entry out of `by_user` and the byte count (it has left `map`).
    fn unlink(&mut self, hash: &TokenHash, entry: &Entry) {
        self.bytes -= entry.weight;
        if let Some(hashes) = self.by_user.get_mut(&entry.user) {
            hashes.retain(|h| h != hash);
            if hashes.is_empty() {
                self.by_user.remove(&entry.user);
            }
        }
    }
}

impl SessionCache {
    /// At most `capacity` entries weighing `budget` bytes in all.
    pub(super) fn new(capacity: usize, budget: usize) -> Self {
        let capacity = NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN);
        Self {
            inner: Mutex::new(Inner {
                map: LruCache::new(capacity),
                by_user: HashMap::new(),
                bytes: 0,
                generation: 0,
                // Eight bits per entry the cache can hold: 100 KiB for 100,000 entries.
                seen: vec![0u64; capacity.get().div_ceil(8).max(1)].into_boxed_slice(),
                seen_count: 0,
            }),
            budget,
            capacity,
            user_keys: RandomState::new(),
        }
    }

    #[cfg(test)]
    pub(super) fn bytes(&self) -> usize {
        self.inner.lock().bytes
    }

    pub(super) fn get(&self, hash: &TokenHash) -> Option<Arc<AuthSession>> {
        self.inner
            .lock()
            .map
            .get(hash)
            .map(|e| Arc::clone(&e.session))
    }

    pub(super) fn generation(&self) -> u64 {
        self.inner.lock().generation
    }

    fn user_key(&self, user_id: &str) -> u64 {
        self.user_keys.hash_one(user_id)
    }

    /// Insert what a reader loaded, unless an invalidation happened since `generation` or its
    /// token has not missed before (see the doorkeeper above).
    pub(super) fn insert_if_current(
        &self,
        hash: TokenHash,
        value: Arc<AuthSession>,
        generation: u64,
    ) {
        {
            // Most misses of a large store end here: not weighed, nothing evicted.
            let mut inner = self.inner.lock();
            if inner.generation != generation || !inner.seen_before(&hash) {
                return;
            }
        }
        let weight = value.approximate_bytes();
        if weight > self.budget / 1000 {
            return;
        }
        let user = self.user_key(&value.user.object_id);
        // What leaves the cache is dropped after the lock is released: freeing a session is
        // a few dozen frees, which other threads should not wait for.
        let mut gone: Vec<Entry> = Vec::new();
        {
            let mut inner = self.inner.lock();
            if inner.generation != generation {
                return;
            }
            // `push` answers what it displaced: the same key's old entry, or the LRU one at
            // capacity.
            let entry = Entry {
                session: value,
                weight,
                user,
            };
            if let Some((old_hash, old)) = inner.map.push(hash, entry) {
                inner.unlink(&old_hash, &old);
                gone.push(old);
            }
            inner.bytes += weight;
            inner.by_user.entry(user).or_default().push(hash);
            while inner.bytes > self.budget {
                match inner.map.pop_lru() {
                    Some((old_hash, old)) => {
                        inner.unlink(&old_hash, &old);
                        gone.push(old);
                    }
                    None => break,
                }
            }
        }
        drop(gone);
    }

    /// Forget one session. Call after the revoke committed.
    pub(super) fn invalidate(&self, hash: &TokenHash) {
        let gone = {
            let mut inner = self.inner.lock();
            inner.generation = inner.generation.wrapping_add(1);
            let gone = inner.map.pop(hash);
            if let Some(entry) = &gone {
                inner.unlink(hash, entry);
            }
            gone
        };
        drop(gone);
    }

    /// Forget every session of one user (their data changed). Call after the change
    /// committed.
    pub(super) fn invalidate_user(&self, user_id: &str) {
        let user = self.user_key(user_id);
        let mut gone: Vec<Entry> = Vec::new();
        {
            let mut inner = self.inner.lock();
            inner.generation = inner.generation.wrapping_add(1);
            for hash in inner.by_user.remove(&user).unwrap_or_default() {
                if let Some(entry) = inner.map.pop(&hash) {
                    inner.unlink(&hash, &entry);
                    gone.push(entry);
                }
            }
        }
        drop(gone);
    }

    /// Forget everything (schema changes, a hash of the wrong length). Call after the change
    /// committed.
    pub(super) fn clear(&self) {
        let gone = {
            let mut inner = self.inner.lock();
            inner.generation = inner.generation.wrapping_add(1);
            inner.bytes = 0;
            let by_user = std::mem::take(&mut inner.by_user);
            (
                std::mem::replace(&mut inner.map, LruCache::new(self.capacity)),
                by_user,
            )
        };
        drop(gone);
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

    /// A token's second miss is the one that caches it.
    fn admit(cache: &SessionCache, hash: TokenHash, value: Arc<AuthSession>, generation: u64) {
        cache.insert_if_current(hash, Arc::clone(&value), generation);
        cache.insert_if_current(hash, value, generation);
    }

    fn one_off(i: u32) -> TokenHash {
        let mut hash = [0u8; 32];
        hash[..8].copy_from_slice(
            &u64::from(i)
                .wrapping_mul(0x9E37_79B9_7F4A_7C15)
                .to_le_bytes(),
        );
        hash[8..12].copy_from_slice(&i.to_le_bytes());
        hash
    }

    #[test]
    fn a_session_is_cached_at_its_second_miss() {
        let cache = SessionCache::new(1_000, 100_000_000);
        let g = cache.generation();
        let hot = [7u8; 32];
        cache.insert_if_current(hot, entry(1), g);
        assert!(cache.get(&hot).is_none(), "a token used once is not cached");
        cache.insert_if_current(hot, entry(1), g);
        assert!(cache.get(&hot).is_some());
        // A session in use stays while a hundred times as many tokens are each used once.
        for i in 0..100_000u32 {
            cache.insert_if_current(one_off(i), entry(1), g);
            if i % 100 == 0 {
                assert!(
                    cache.get(&hot).is_some(),
                    "evicted after {i} one-off tokens"
                );
            }
        }
        // Few of those get in at all (the slots they share with another token let them).
        let cache = SessionCache::new(1_000_000, 1 << 30);
        for i in 0..100_000u32 {
            cache.insert_if_current(one_off(i), entry(1), g);
        }
        assert!(cache.inner.lock().map.len() < 2_000);
    }

    #[test]
    fn the_cache_stays_within_its_byte_budget() {
        let cache = SessionCache::new(100_000, 2_000_000);
        let g = cache.generation();
        for i in 0..10_000u32 {
            let mut hash = [0u8; 32];
            hash[..4].copy_from_slice(&i.to_le_bytes());
            admit(&cache, hash, entry(100), g);
            assert!(cache.bytes() <= 2_000_000);
        }
        assert!(cache.bytes() > 1_800_000, "the budget is used, not wasted");
        // An entry heavier than a thousandth of the budget is not cached at all.
        let heavy = [9u8; 32];
        admit(&cache, heavy, entry(2_000), g);
        assert!(cache.get(&heavy).is_none());
        cache.clear();
        assert_eq!(cache.bytes(), 0);
    }

    fn entry_of(user: &str) -> Arc<AuthSession> {
        let mut auth = Arc::unwrap_or_clone(entry(1));
        auth.user.object_id = user.into();
        auth.session.user_id = user.into();
        Arc::new(auth)
    }

    #[test]
    fn a_changed_user_forgets_their_sessions_and_nobody_elses() {
        let cache = SessionCache::new(100, 100_000_000);
        let g = cache.generation();
        let (a1, a2, b1) = ([1u8; 32], [2u8; 32], [3u8; 32]);
        admit(&cache, a1, entry_of("alice"), g);
        admit(&cache, a2, entry_of("alice"), g);
        admit(&cache, b1, entry_of("bob"), g);
        let before = cache.bytes();
        cache.invalidate_user("alice");
        assert!(cache.get(&a1).is_none());
        assert!(cache.get(&a2).is_none());
        assert!(cache.get(&b1).is_some());
        assert!(cache.bytes() < before && cache.bytes() > 0);
        // A read that started before the change must not put an old alice back.
        admit(&cache, a1, entry_of("alice"), g);
        assert!(cache.get(&a1).is_none());
        // Nor does bob's entry linger under alice's name once it is evicted or replaced.
        let g = cache.generation();
        admit(&cache, b1, entry_of("alice"), g);
        cache.invalidate_user("bob");
        assert!(cache.get(&b1).is_some(), "b1 now belongs to alice");
        cache.invalidate_user("alice");
        assert!(cache.get(&b1).is_none());
        assert_eq!(cache.bytes(), 0);
    }

    #[test]
    fn evicted_sessions_leave_the_user_index() {
        let cache = SessionCache::new(2, 100_000_000);
        let g = cache.generation();
        for i in 0..10u8 {
            admit(&cache, [i; 32], entry_of(&format!("user{i}")), g);
        }
        let inner = cache.inner.lock();
        assert_eq!(inner.map.len(), 2);
        assert_eq!(inner.by_user.len(), 2);
        assert_eq!(inner.by_user.values().map(Vec::len).sum::<usize>(), 2);
    }
}
