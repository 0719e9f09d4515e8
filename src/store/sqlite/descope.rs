//! SQLite verbs of the Descope-compatible API: the `meta` document its signing keys live in,
//! and sessions addressed by objectId (a refresh JWT names its session by objectId).

use rusqlite::{OptionalExtension, params};

use super::{
    SESSION_COLUMN_COUNT, SESSION_COLUMNS, SqliteStore, USER_COLUMNS_U, row_to_session,
    row_to_user_at,
};
use crate::store::{AuthSession, EndedSession, StoreError};

impl SqliteStore {
    /// Replace a `meta` value with what `change` makes of the current one, atomically (inside
    /// the single writer's transaction). Returns the value now stored.
    pub async fn update_meta<F>(&self, key: &'static str, change: F) -> Result<String, StoreError>
    where
        F: FnOnce(Option<String>) -> Result<String, StoreError> + Send + 'static,
    {
        self.inner
            .writer
            .write(move |tx| {
                let current: Option<String> = tx
                    .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
                    .query_row([key], |r| r.get(0))
                    .optional()?;
                let next = change(current)?;
                tx.prepare_cached(
                    "INSERT INTO meta (key, value) VALUES (?1, ?2) \
                     ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                )?
                .execute(params![key, next])?;
                Ok(next)
            })
            .await
    }

    /// A session and its user by the session's objectId, expired or not.
    pub async fn find_session_by_id(
        &self,
        session_id: &str,
    ) -> Result<Option<AuthSession>, StoreError> {
        let id = session_id.to_owned();
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {SESSION_COLUMNS}, {USER_COLUMNS_U} FROM sessions s \
                 JOIN users u ON u.object_id = s.user_id WHERE s.object_id = ?1"
            ))?;
            stmt.query_row([&id], |row| {
                Ok(row_to_session(row, 0).and_then(|session| {
                    row_to_user_at(row, SESSION_COLUMN_COUNT)
                        .map(|user| AuthSession::new(session, user))
                }))
            })
            .optional()?
            .transpose()
        })
        .await
    }

    /// End one session of a user by its objectId. Only that session's cache entry goes (the
    /// row tells us its token hash), so a stream of Descope logouts does not empty the cache
    /// every Parse request relies on.
    pub async fn end_session_by_id(
        &self,
        user_id: &str,
        session_id: &str,
        now_millis: i64,
    ) -> Result<EndedSession, StoreError> {
        let which = crate::store::Ending::Id {
            id: session_id.to_owned(),
            user: Some(user_id.to_owned()),
        };
        let rows = self
            .inner
            .writer
            .write_statement(move |tx| super::end_sessions(tx, &which))
            .await?;
        self.ended(&rows);
        Ok(match rows.first() {
            None => EndedSession::Missing,
            Some((_, expires_at)) => EndedSession::Ended {
                expired: expires_at.is_some_and(|at| at <= now_millis),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::store::{DatabaseLocation, EndedSession, NewUser, SessionMeta, Store, StoreOptions};

    fn store(dir: &tempfile::TempDir) -> Store {
        let location = DatabaseLocation::File(dir.path().join("t.db"));
        Store::open(&location, StoreOptions::default()).unwrap()
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_session_ended_by_id_no_longer_resolves_by_token() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir);
        let (user, issued) = store
            .sign_up(
                NewUser {
                    username: "ada".into(),
                    password: Some("pw".into()),
                    ..NewUser::default()
                },
                SessionMeta::default(),
            )
            .await
            .unwrap();
        // Warm the cache, then end the session by id: the token must stop resolving.
        assert!(store.find_session(&issued.token).await.unwrap().is_some());
        let id = issued.session.object_id.clone();
        let found = store.find_session_by_id(&id).await.unwrap().unwrap();
        assert_eq!(found.user.object_id, user.object_id);
        assert_eq!(
            store
                .end_session_by_id("someoneelse", &id, crate::store::now_millis())
                .await
                .unwrap(),
            EndedSession::Missing
        );
        assert_eq!(
            store
                .end_session_by_id(&user.object_id, &id, crate::store::now_millis())
                .await
                .unwrap(),
            EndedSession::Ended { expired: false }
        );
        assert!(store.find_session(&issued.token).await.unwrap().is_none());
        assert!(store.find_session_by_id(&id).await.unwrap().is_none());
        assert_eq!(
            store
                .end_session_by_id(&user.object_id, &id, crate::store::now_millis())
                .await
                .unwrap(),
            EndedSession::Missing
        );
        let other = crate::store::tests::log_in(&store, &user.object_id).await;
        assert!(
            store
                .find_session_by_id(&other.session.object_id)
                .await
                .unwrap()
                .is_some()
        );
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn the_key_document_is_updated_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir);
        assert_eq!(store.descope_keys().await.unwrap(), None);
        let first = store
            .descope_update_keys(|cur| {
                assert!(cur.is_none());
                Ok("one".into())
            })
            .await
            .unwrap();
        assert_eq!(first, "one");
        let second = store
            .descope_update_keys(|cur| Ok(format!("{}+two", cur.unwrap())))
            .await
            .unwrap();
        assert_eq!(second, "one+two");
        assert_eq!(
            store.descope_keys().await.unwrap().as_deref(),
            Some("one+two")
        );
    }
}
