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
//! of the cache (`GET /schemas`, GraphQL `class`/`classes`, a query of a class it lacks) puts
//! fresh objects in it: the next load rebuilds the schema when the fresh objects, as read
//! since, differ from the old ones.
//!
//! Which reads happen is Parse's, not this store's: a session token is read from the database
//! the first time and then once its entry in Parse's user cache (5 s) has expired, a user's
//! roles likewise (Parse's role cache, by user). [`ClassReads`] follows those rules; its
//! [`ClassReads::load`] answers which classes the GraphQL schema shows polluted. Nothing here
//! takes a lock on the paths every request runs once the schema is built (a token seen, a
//! load).

use std::collections::HashMap;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering::Relaxed};
use std::time::Instant;

use parking_lot::Mutex;

use super::AuthSession;

/// `_User`, as a bit of [`ClassReads::load`]'s answer.
pub const USER: u8 = 1;
/// `_Session`.
pub const SESSION: u8 = 2;
/// `_Role`.
pub const ROLE: u8 = 4;
/// Every combination of the three, for tables indexed by [`ClassReads::load`]'s answer.
pub const VARIANTS: usize = 8;

/// Parse's in-memory cache of users by session token and of roles by user: entries live
/// `cacheTTL` (5 s by default) after they are put, at most `cacheMaxSize` (10,000) of them.
const PARSE_CACHE_TTL_MS: u64 = 5_000;
const PARSE_CACHE_MAX: usize = 10_000;

/// [`ClassReads::load`]'s fast path: no schema shown yet, or one being replaced.
const UNSETTLED: u8 = u8::MAX;

/// When Parse put a session's token, and its user's roles, in its caches (milliseconds since
/// this process's first such mark, plus one; 0: never). The roles' mark is what this session
/// last saw of its user's entry: while fresh, the user's entry is too.
#[derive(Debug, Default)]
pub struct ParseCacheMarks {
    token: AtomicU64,
    roles: AtomicU64,
}

impl Clone for ParseCacheMarks {
    fn clone(&self) -> Self {
        Self {
            token: AtomicU64::new(self.token.load(Relaxed)),
            roles: AtomicU64::new(self.roles.load(Relaxed)),
        }
    }
}

/// Marks are not the session's data: sessions compare equal whatever Parse cached.
impl PartialEq for ParseCacheMarks {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// Milliseconds since the first call, plus one (so that 0 means "never").
fn now_mark() -> u64 {
    static START: OnceLock<Instant> = OnceLock::new();
    let start = *START.get_or_init(Instant::now);
    u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX - 1) + 1
}

/// Whether an entry put at `put` is still in Parse's cache at `now`.
const fn fresh(put: u64, now: u64) -> bool {
    put != 0 && now.saturating_sub(put) < PARSE_CACHE_TTL_MS
}

/// Whether the entry `mark` keeps was not in Parse's cache (never put, or expired), putting it
/// there now.
fn first_in_cache(mark: &AtomicU64) -> bool {
    let now = now_mark();
    if fresh(mark.load(Relaxed), now) {
        return false;
    }
    mark.store(now, Relaxed);
    true
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
    /// What the schema shows while it was built from the cached objects themselves (no
    /// reload since): every load answers it without the lock.
    settled: AtomicU8,
    /// The GraphQL schema, once loaded.
    built: Mutex<Option<Built>>,
    /// Parse's role cache: when each user's roles were put.
    roles: Mutex<HashMap<String, u64>>,
}

impl ClassReads {
    pub fn new(enabled: bool) -> Self {
        Self {
            enabled,
            current: AtomicU8::new(0),
            settled: AtomicU8::new(UNSETTLED),
            built: Mutex::new(None),
            roles: Mutex::new(HashMap::new()),
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
    /// database (`_Session`, and `_User` when a session was found: `found`). `accepted`: it
    /// opened the request (not expired), which is when Parse caches it.
    pub fn token_resolved(&self, found: Option<&AuthSession>, accepted: bool) {
        self.token_marked(found.map(|s| &s.parse_cache), accepted);
    }

    fn token_marked(&self, found: Option<&ParseCacheMarks>, accepted: bool) {
        if !self.enabled {
            return;
        }
        match found {
            None => self.read(SESSION),
            Some(marks) => {
                if !accepted || first_in_cache(&marks.token) {
                    self.read(SESSION | USER);
                }
            }
        }
    }

    /// A request that is neither the master key's nor anonymous asked Parse for its user's
    /// roles (any non-master find or write as a user): read from `_Role` unless cached.
    pub fn roles_loaded(&self, session: &AuthSession) {
        if self.enabled && self.roles_read(&session.user.object_id, &session.parse_cache.roles) {
            self.read(ROLE);
        }
    }

    /// Whether a user's roles were not in Parse's role cache, putting them there; `seen` is
    /// the caller's session's last look at the user's entry (no lock while that is fresh).
    fn roles_read(&self, user_id: &str, seen: &AtomicU64) -> bool {
        let now = now_mark();
        if fresh(seen.load(Relaxed), now) {
            return false;
        }
        let mut roles = self.roles.lock();
        if let Some(&put) = roles.get(user_id)
            && fresh(put, now)
        {
            seen.store(put, Relaxed);
            return false;
        }
        if roles.len() >= PARSE_CACHE_MAX {
            roles.retain(|_, put| fresh(*put, now));
            if roles.len() >= PARSE_CACHE_MAX {
                roles.clear();
            }
        }
        roles.insert(user_id.to_owned(), now);
        seen.store(now, Relaxed);
        true
    }

    /// Parse's schema cache was reloaded: fresh objects, read by nothing yet.
    pub fn reloaded(&self) {
        if !self.enabled {
            return;
        }
        let mut built = self.built.lock();
        self.settled.store(UNSETTLED, Relaxed);
        let current = self.current.swap(0, Relaxed);
        if let Some(built) = &mut *built
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
        let settled = self.settled.load(Relaxed);
        if settled != UNSETTLED {
            return settled;
        }
        let mut slot = self.built.lock();
        let current = self.current.load(Relaxed);
        let built = match *slot {
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
        *slot = Some(built);
        if built.replaced.is_none() {
            self.settled.store(built.shows, Relaxed);
        }
        built.shows
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
        reads.token_marked(Some(&ParseCacheMarks::default()), true);
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
        let marks = ParseCacheMarks::default();
        reads.token_marked(Some(&marks), true);
        reads.reloaded();
        reads.token_marked(Some(&marks), true);
        reads.token_marked(None, false);
        assert_eq!(reads.load(), SESSION);
    }

    #[test]
    fn a_users_roles_are_read_once_for_all_its_sessions() {
        let reads = ClassReads::new(true);
        let (first, second) = (AtomicU64::new(0), AtomicU64::new(0));
        assert!(reads.roles_read("u1", &first));
        assert!(
            !reads.roles_read("u1", &second),
            "Parse's role cache is by user"
        );
        assert!(!reads.roles_read("u1", &first));
        assert!(reads.roles_read("u2", &AtomicU64::new(0)));
    }

    #[test]
    fn disabled_it_always_answers_the_clean_schema() {
        let reads = ClassReads::new(false);
        reads.read(USER | SESSION | ROLE);
        reads.token_marked(None, false);
        assert_eq!(reads.load(), 0);
    }
}
