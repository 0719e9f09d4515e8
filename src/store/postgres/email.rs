//! The tokens of Parse's e-mail flows in `_User`'s own columns (`_email_verify_token`,
//! `_perishable_token` and their `_expires_at`), read and written as Parse does: plain text,
//! found by an indexed equality, written without touching `updatedAt`.

use serde_json::{Map, Value};

use super::{PgStore, USER_ROW, millis, take, text, user_from_row};
use crate::store::model::{EmailLookup, EmailToken, TokenGuard, TokenWrite, User, UserTokens};
use crate::store::{StoreError, iso_millis};

fn tokens_from_row(row: &mut Map<String, Value>) -> UserTokens {
    let mut token = |name: &str, at: &str| {
        let expires_at = millis(&take(row, at));
        text(take(row, name)).map(|token| EmailToken { token, expires_at })
    };
    UserTokens {
        verify: token("_email_verify_token", "_email_verify_token_expires_at"),
        reset: token("_perishable_token", "_perishable_token_expires_at"),
    }
}

/// Add a parameter; its placeholder (`$n`).
fn bind(params: &mut Vec<Option<String>>, value: Option<String>) -> String {
    params.push(value);
    format!("${}", params.len())
}

impl PgStore {
    /// The user an e-mail flow names, with their tokens (the oldest user when several match).
    pub async fn find_user_for_email(
        &self,
        lookup: EmailLookup,
    ) -> Result<Option<(User, UserTokens)>, StoreError> {
        let (condition, value) = match lookup {
            EmailLookup::Email(e) => (r#""email" = $1"#, e),
            EmailLookup::ResetAddress(e) => (
                r#"("email" = $1 OR ("username" = $1 AND "email" IS NULL))"#,
                e,
            ),
            EmailLookup::Username(u) => (r#""username" = $1"#, u),
            EmailLookup::Id(id) => (r#""objectId" = $1"#, id),
            EmailLookup::VerifyToken(t) => (r#""_email_verify_token" = $1"#, t),
            EmailLookup::ResetToken(t) => (r#""_perishable_token" = $1"#, t),
        };
        let sql = format!(
            r#"SELECT {USER_ROW} FROM "_User" u WHERE {condition} ORDER BY "createdAt" LIMIT 1"#
        );
        let client = self.client().await?;
        let stmt = client.prepare_cached(&sql).await?;
        let row: Option<String> = client.query_opt(&stmt, &[&value]).await?.map(|r| r.get(0));
        drop(client);
        let Some(row) = row else {
            return Ok(None);
        };
        let found = self
            .decode(&[row], |mut row, s| {
                let tokens = tokens_from_row(&mut row);
                user_from_row(row, &s.user, s.strict).map(|u| (u, tokens))
            })
            .await?;
        Ok(found.into_iter().next())
    }

    /// Write a user's e-mail tokens (and `emailVerified`, and the lockout's reset) when
    /// `guard` holds; `false` when it did not, or there is no such user.
    pub async fn write_user_tokens(
        &self,
        user_id: &str,
        write: TokenWrite,
        guard: TokenGuard,
    ) -> Result<bool, StoreError> {
        let mut sets: Vec<String> = Vec::new();
        let mut params: Vec<Option<String>> = vec![Some(user_id.to_owned())];
        for (column, change) in [
            ("_email_verify_token", &write.verify),
            ("_perishable_token", &write.reset),
        ] {
            if let Some(change) = change {
                let token = bind(&mut params, change.as_ref().map(|t| t.token.clone()));
                let at = bind(
                    &mut params,
                    change.as_ref().and_then(|t| t.expires_at).map(iso_millis),
                );
                sets.push(format!(r#""{column}" = {token}"#));
                sets.push(format!(
                    r#""{column}_expires_at" = {at}::text::timestamptz"#
                ));
            }
        }
        if let Some(verified) = write.email_verified {
            let v = bind(&mut params, Some(verified.to_string()));
            sets.push(format!(r#""emailVerified" = {v}::text::boolean"#));
        }
        if write.unlock {
            sets.push(r#""_failed_login_count" = NULL"#.to_owned());
            sets.push(r#""_account_lockout_expires_at" = NULL"#.to_owned());
        }
        if sets.is_empty() {
            sets.push(r#""objectId" = "objectId""#.to_owned());
        }
        let guard_sql = match guard {
            TokenGuard::Always => String::new(),
            TokenGuard::ResetToken(t) => {
                format!(
                    r#" AND "_perishable_token" = {}"#,
                    bind(&mut params, Some(t))
                )
            }
            TokenGuard::VerifyToken(t) => format!(
                r#" AND "_email_verify_token" = {}"#,
                bind(&mut params, Some(t))
            ),
        };
        let sql = format!(
            r#"UPDATE "_User" SET {} WHERE "objectId" = $1{guard_sql}"#,
            sets.join(", ")
        );
        let client = self.client().await?;
        Ok(client.execute(&sql, &super::refs(&params)).await? == 1)
    }
}
