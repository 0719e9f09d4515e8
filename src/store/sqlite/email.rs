//! The tokens of Parse's e-mail flows on SQLite: found by address, username or token, and
//! written without touching `updatedAt`, as Parse's own token writes do.

use rusqlite::{OptionalExtension as _, params};

use super::{RowResult, SqliteStore, USER_COLUMNS, row_to_user_at};
use crate::store::StoreError;
use crate::store::model::{EmailLookup, EmailToken, TokenGuard, TokenWrite, User, UserTokens};

const TOKEN_COLUMNS: &str = "email_verify_token, email_verify_token_expires_at, perishable_token, perishable_token_expires_at";
/// Where the token columns start in a row of `USER_COLUMNS, TOKEN_COLUMNS`.
const TOKENS_AT: usize = 10;

fn row_to_tokens(row: &rusqlite::Row<'_>, i: usize) -> RowResult<UserTokens> {
    let token = |t: Option<String>, at: Option<i64>| {
        t.map(|token| EmailToken {
            token,
            expires_at: at,
        })
    };
    Ok(UserTokens {
        verify: token(row.get(i)?, row.get(i + 1)?),
        reset: token(row.get(i + 2)?, row.get(i + 3)?),
    })
}

impl SqliteStore {
    /// The user an e-mail flow names, with their tokens (the oldest user when several match).
    pub async fn find_user_for_email(
        &self,
        lookup: EmailLookup,
    ) -> Result<Option<(User, UserTokens)>, StoreError> {
        self.read(move |conn| {
            let (condition, value) = match lookup {
                EmailLookup::Email(e) => ("email = ?1", e),
                EmailLookup::ResetAddress(e) => {
                    ("email = ?1 OR (username = ?1 AND email IS NULL)", e)
                }
                EmailLookup::Username(u) => ("username = ?1", u),
                EmailLookup::Id(id) => ("object_id = ?1", id),
                EmailLookup::VerifyToken(t) => ("email_verify_token = ?1", t),
                EmailLookup::ResetToken(t) => ("perishable_token = ?1", t),
            };
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {USER_COLUMNS}, {TOKEN_COLUMNS} FROM users WHERE {condition} \
                 ORDER BY rowid LIMIT 1"
            ))?;
            stmt.query_row([&value], |row| {
                Ok(row_to_user_at(row, 0)
                    .and_then(|user| Ok((user, row_to_tokens(row, TOKENS_AT)?))))
            })
            .optional()?
            .transpose()
        })
        .await
    }

    /// Write a user's e-mail tokens (and `emailVerified`, and the lockout's reset) when
    /// `guard` holds; `false` when it did not, or there is no such user.
    pub async fn write_user_tokens(
        &self,
        user_id: &str,
        write: TokenWrite,
        guard: TokenGuard,
    ) -> Result<bool, StoreError> {
        let uid = user_id.to_owned();
        let verified_changes = write.email_verified.is_some();
        let written = self
            .inner
            .writer
            .write(move |tx| {
                let (guard_kind, guard_value) = match &guard {
                    TokenGuard::Always => (0, None),
                    TokenGuard::ResetToken(t) => (1, Some(t.clone())),
                    TokenGuard::VerifyToken(t) => (2, Some(t.clone())),
                };
                let parts = |t: &Option<Option<EmailToken>>| match t {
                    None => (false, None, None),
                    Some(None) => (true, None, None),
                    Some(Some(t)) => (true, Some(t.token.clone()), t.expires_at),
                };
                let (set_v, v_token, v_at) = parts(&write.verify);
                let (set_r, r_token, r_at) = parts(&write.reset);
                let n = tx
                    .prepare_cached(
                        "UPDATE users SET \
                         email_verify_token = CASE WHEN ?2 THEN ?3 ELSE email_verify_token END, \
                         email_verify_token_expires_at = CASE WHEN ?2 THEN ?4 ELSE email_verify_token_expires_at END, \
                         perishable_token = CASE WHEN ?5 THEN ?6 ELSE perishable_token END, \
                         perishable_token_expires_at = CASE WHEN ?5 THEN ?7 ELSE perishable_token_expires_at END, \
                         email_verified = CASE WHEN ?8 THEN ?9 ELSE email_verified END, \
                         failed_login_count = CASE WHEN ?10 THEN NULL ELSE failed_login_count END, \
                         lockout_expires_at = CASE WHEN ?10 THEN NULL ELSE lockout_expires_at END \
                         WHERE object_id = ?1 AND CASE ?11 WHEN 0 THEN 1 \
                         WHEN 1 THEN perishable_token IS ?12 ELSE email_verify_token IS ?12 END",
                    )?
                    .execute(params![
                        uid,
                        set_v,
                        v_token,
                        v_at,
                        set_r,
                        r_token,
                        r_at,
                        write.email_verified.is_some(),
                        write.email_verified,
                        write.unlock,
                        guard_kind,
                        guard_value,
                    ])?;
                Ok(n == 1)
            })
            .await?;
        if written && verified_changes {
            // Cached sessions carry the user: `emailVerified` must read back changed.
            self.inner.cache.invalidate_user(user_id);
        }
        Ok(written)
    }
}
