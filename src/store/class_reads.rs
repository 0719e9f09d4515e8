//! Parse's schema cache as its GraphQL schema sees it (Parse 5.0+ on PostgreSQL).
//!
//! Parse keeps one object per class in its schema cache and hands that very object to its
//! PostgreSQL adapter, whose reads (`find`, `count`, updates and deletes: every query that
//! builds a `WHERE`) add the table's hidden columns to it in place: `_rperm` and `_wperm`, and
//! on `_User` `_hashed_password` and `_password_history`. Creating an object does not. The
//! GraphQL schema is built from the cached objects whenever it is loaded (once per GraphQL
//! request, after the session check) and they differ from the ones it was last built from, so
//! the classes read before that build show those columns as fields of their GraphQL types
//! (`User._rperm`, `UserWhereInput._hashed_password`, `UserOrder._wperm_ASC`, ...). A reload
//! of the cache (`GET /schemas`, GraphQL `class`/`classes`) puts fresh objects in it: the next
//! load rebuilds the schema when the fresh objects, as read since, differ from the old ones.
//!
//! Which reads happen is Parse's, not this store's: a session token is read from the database
//! the first time and then once its entry in Parse's user cache (5 s) has expired, a user's
//! roles likewise (Parse's role cache). [`ClassReads`] follows those rules; its
//! [`ClassReads::load`] answers which classes the GraphQL schema shows polluted.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU8, Ordering::Relaxed};
use std::time::{Duration, Instant};

use parking_lot::Mutex;

/// `_User`, as a bit of [`ClassReads::load`]'s answer.
pub const USER: u8 = 1;
/// `_Session`.
pub const SESSION: u8 = 2;
/// `_Role`.
pub const ROLE: u8 = 4;
/// Every combination of the three, for tables indexed by [`ClassReads::load`]'s answer.
pub const VARIANTS: usize = 8;

/// Parse's in-memory cache of users by session token and of roles by user: entries live
/// `cacheTTL` (5 s by default) after they are put, and at most `cacheMaxSize` (10,000) are kept.
const PARSE_CACHE_TTL: Duration = Duration::from_secs(5);
const PARSE_CACHE_MAX: usize = 10_000;

#[derive(Debug, Default)]
struct State {
    /// The GraphQL schema, once loaded.
    built: Option<Built>,
}

#[derive(Debug, Clone, Copy)]
struct Built {
    /// The classes it shows polluted.
    shows: u8,
    /// The objects it was built from, when they are no longer the cached ones (a reload came
    /// since): how they were polluted when replaced. While they are the cached ones they are
    /// the same objects, and equal whatever is read.
    replaced: Option<u8>,
}

/// See the module's documentation. Disabled (every answer 0) for versions without this
/// behaviour.
#[derive(Debug)]
pub struct ClassReads {
    enabled: bool,
    /// The classes whose cached object has been read through since the cache was loaded.
    current: AtomicU8,
    state: Mutex<State>,
    /// Session tokens and role owners (by a hash of each) in Parse's caches, with when
    /// they were put.
    cached: Mutex<HashMap<(u8, u64), Instant>>,
}

impl ClassReads {
    pub fn new(enabled: bool) -> Self {
        Self {
            enabled,
            current: AtomicU8::new(0),
            state: Mutex::new(State::default()),
            cached: Mutex::new(HashMap::new()),
        }
    }

    pub const fn enabled(&self) -> bool {
        self.enabled
    }

    /// Parse's database layer read `classes` (bits) through their cached objects.
    pub fn read(&self, classes: u8) {
        if self.enabled && self.current.load(Relaxed) & classes != classes {
            self.current.fetch_or(classes, Relaxed);
        }
    }

    /// Parse's middleware resolved a session token: from its user cache, else from the
    /// database (`_Session`, and `_User` when a session was found). `found`: a session has
    /// this token; `accepted`: it opened the request (not expired, with a user), which is
    /// when Parse caches it.
    pub fn token_resolved(&self, token: &str, found: bool, accepted: bool) {
        if !self.enabled {
            return;
        }
        let read = if found { SESSION | USER } else { SESSION };
        if !accepted || self.first_in_cache(b't', token) {
            self.read(read);
        }
    }

    /// A request that is neither the master key's nor anonymous asked Parse for its user's
    /// roles (any non-master find or write as a user): read from `_Role` unless cached.
    pub fn roles_loaded(&self, user_id: &str) {
        if self.enabled && self.first_in_cache(b'r', user_id) {
            self.read(ROLE);
        }
    }

    /// Parse's schema cache was reloaded: fresh objects, read by nothing yet.
    pub fn reloaded(&self) {
        if !self.enabled {
            return;
        }
        let mut state = self.state.lock();
        let current = self.current.swap(0, Relaxed);
        if let Some(built) = &mut state.built
            && built.replaced.is_none()
        {
            built.replaced = Some(current);
        }
    }

    /// The GraphQL schema was loaded (once per GraphQL request that passed the middleware):
    /// the classes it shows polluted.
    pub fn load(&self) -> u8 {
        if !self.enabled {
            return 0;
        }
        let mut state = self.state.lock();
        let current = self.current.load(Relaxed);
        let built = match state.built {
            Some(Built {
                replaced: Some(old),
                ..
            }) if old != current => Built {
                shows: current,
                replaced: None,
            },
            Some(built) => built,
            None => Built {
                shows: current,
                replaced: None,
            },
        };
        state.built = Some(built);
        built.shows
    }

    /// Whether `key` was not in Parse's cache `kind` (absent or expired), putting it there
    /// now.
    fn first_in_cache(&self, kind: u8, key: &str) -> bool {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        key.hash(&mut hasher);
        let key = (kind, hasher.finish());
        let now = Instant::now();
        let mut cached = self.cached.lock();
        match cached.get(&key) {
            Some(put) if now.duration_since(*put) < PARSE_CACHE_TTL => false,
            _ => {
                if cached.len() >= PARSE_CACHE_MAX {
                    cached.retain(|_, put| now.duration_since(*put) < PARSE_CACHE_TTL);
                    if cached.len() >= PARSE_CACHE_MAX {
                        cached.clear();
                    }
                }
                cached.insert(key, now);
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_load_shows_what_was_read_before_it_and_keeps_it() {
        let reads = ClassReads::new(true);
        reads.read(USER);
        assert_eq!(reads.load(), USER);
        reads.read(SESSION | ROLE);
        assert_eq!(reads.load(), USER, "the same objects: no rebuild");
    }

    #[test]
    fn a_reload_rebuilds_at_the_next_load_when_the_objects_differ() {
        let reads = ClassReads::new(true);
        reads.token_resolved("r:a", true, true);
        assert_eq!(reads.load(), USER | SESSION);
        reads.reloaded();
        assert_eq!(
            reads.load(),
            0,
            "fresh objects, unlike the read ones: rebuilt"
        );
        reads.read(USER);
        assert_eq!(reads.load(), 0, "built from the cached objects: no rebuild");
    }

    #[test]
    fn a_reload_does_not_rebuild_when_the_fresh_objects_are_read_alike() {
        let reads = ClassReads::new(true);
        assert_eq!(reads.load(), 0);
        reads.read(USER);
        reads.reloaded();
        reads.read(USER);
        assert_eq!(
            reads.load(),
            0,
            "old and fresh objects equal: the clean schema stays"
        );
        reads.read(SESSION);
        assert_eq!(reads.load(), USER | SESSION, "now they differ: rebuilt");
    }

    #[test]
    fn a_cached_token_reads_nothing_and_an_unknown_one_reads_the_sessions() {
        let reads = ClassReads::new(true);
        reads.token_resolved("r:a", true, true);
        reads.reloaded();
        reads.token_resolved("r:a", true, true);
        reads.token_resolved("r:nope", false, false);
        assert_eq!(reads.load(), SESSION);
    }

    #[test]
    fn disabled_it_always_answers_the_clean_schema() {
        let reads = ClassReads::new(false);
        reads.read(USER | SESSION | ROLE);
        reads.roles_loaded("u");
        assert_eq!(reads.load(), 0);
    }
}
