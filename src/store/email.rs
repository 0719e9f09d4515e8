//! The account side of Parse's e-mail flows, over either backend: finding the user a flow
//! names, writing its tokens, and a password reset through a reset token.

use super::model::{EmailLookup, TokenGuard, TokenWrite, UserTokens};
use super::{Backend, Caller, SessionMeta, Store, StoreError, User, UserUpdate};

/// Why a reset token did not reset a password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResetRefused {
    /// No user holds the token (or it was used meanwhile).
    Invalid,
    /// The user holds it, but its validity ran out.
    Expired,
}

impl Store {
    /// The user an e-mail flow names, with their tokens.
    pub async fn find_user_for_email(
        &self,
        lookup: EmailLookup,
    ) -> Result<Option<(User, UserTokens)>, StoreError> {
        backend!(self, b => b.find_user_for_email(lookup).await)
    }

    /// Write a user's e-mail tokens when `guard` holds; `false` when it did not.
    pub async fn write_user_tokens(
        &self,
        user_id: &str,
        write: TokenWrite,
        guard: TokenGuard,
    ) -> Result<bool, StoreError> {
        backend!(self, b => b.write_user_tokens(user_id, write, guard).await)
    }

    /// Give `user` (who held `token`, checked by the caller) a new password, as Parse's
    /// `updatePassword` does: the password policy first, then the token is used up (one link
    /// resets once, even when two requests race with it), then the password is written as
    /// the master key writes it, which ends the user's sessions when
    /// `revokeSessionOnPasswordReset` says so. `unlock` clears `accountLockout`'s lock.
    pub async fn reset_password(
        &self,
        user: &User,
        token: &str,
        password: &str,
        unlock: bool,
        sanitized: bool,
    ) -> Result<Result<(), ResetRefused>, StoreError> {
        self.check_new_password(password, Some(&user.username), Some(&user.object_id))
            .await?;
        let used = TokenWrite {
            reset: Some(None),
            unlock,
            ..TokenWrite::default()
        };
        if !self
            .write_user_tokens(
                &user.object_id,
                used,
                TokenGuard::ResetToken(token.to_owned()),
            )
            .await?
        {
            return Ok(Err(ResetRefused::Invalid));
        }
        let update = UserUpdate {
            caller: Caller::Master,
            username: None,
            email: None,
            email_verified: None,
            password: Some(password.to_owned()),
            acl: None,
            object_id: None,
            duplicate_value_error: false,
            changes: Vec::new(),
            field_types: Vec::new(),
        };
        self.update_user(&user.object_id, update, SessionMeta::default(), sanitized)
            .await?;
        Ok(Ok(()))
    }
}
