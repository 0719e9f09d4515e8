//! The auth operations behind every generation's resolvers, with Parse's checks and messages.
//!
//! Resolvers differ per generation in shape only; what signing up, logging in, logging out and
//! reading the current user *do* lives here once.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::ApiError;
use super::error::Thrown;
use super::relay::{
    ConfirmResetPasswordInput, ConfirmResetPasswordPayload, ResetPasswordInput,
    ResetPasswordPayload, SendVerificationEmailInput, SendVerificationEmailPayload,
};
use crate::account::{id_string, truthy};
use crate::error::{ErrorCode, ParseError};
use crate::graphql::context::Context;
use crate::store::{AuthSession, NewUser, SessionAction, User, class_reads, os_random};
use crate::version::UnknownAuthProvider;

/// A user with the session token a mutation just issued (or the request carried).
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub token: String,
    pub user: UserRef,
}

/// A user to answer with: one a mutation just read or wrote, or the one of the request's
/// (cached) session, shared rather than copied for every `viewer`.
#[derive(Debug, Clone)]
pub enum UserRef {
    Owned(Arc<User>),
    OfSession(Arc<AuthSession>),
}

impl std::ops::Deref for UserRef {
    type Target = User;
    fn deref(&self) -> &User {
        match self {
            UserRef::Owned(user) => user,
            UserRef::OfSession(session) => &session.user,
        }
    }
}

impl From<User> for UserRef {
    fn from(user: User) -> Self {
        UserRef::Owned(Arc::new(user))
    }
}

/// The user fields a sign-up (`_User` create) may carry.
#[derive(Debug, Clone, Default)]
pub struct UserFields {
    pub username: Option<String>,
    pub password: Option<String>,
    pub email: Option<String>,
    /// `Some` when the client sent `emailVerified` (clients may not).
    pub email_verified: Option<bool>,
    /// `Some(None)` when the client sent `authData: null`.
    pub auth_data: Option<Option<Map<String, Value>>>,
}

/// Parse's `USERNAME_MISSING`…`UNSUPPORTED_SERVICE` checks of a `_User` create, then the
/// create itself, or a login when `authData` names an existing user.
pub fn create_user(ctx: &Context, fields: UserFields) -> Result<SignedIn, ApiError> {
    // `authData: {}` is still authData (truthy) up to 7.x: the credential checks are skipped.
    let empty_counts = ctx.behavior.empty_auth_data_creates_user;
    let has_auth_data =
        matches!(&fields.auth_data, Some(Some(map)) if !map.is_empty() || empty_counts);
    let username = fields.username.filter(|u| !u.is_empty());
    let password = fields.password.filter(|p| !p.is_empty());
    if !has_auth_data && fields.auth_data.as_ref().is_none_or(Option::is_some) {
        if username.is_none() {
            return Err(ApiError::parse(
                ErrorCode::UsernameMissing,
                "bad or missing username",
            ));
        }
        if password.is_none() {
            return Err(ApiError::parse(
                ErrorCode::PasswordMissing,
                "password is required",
            ));
        }
    }
    let auth_data = match fields.auth_data {
        Some(None) => return Err(unsupported_service()),
        Some(Some(map)) if !map.is_empty() => Some(map),
        Some(Some(_)) | None => None,
    };
    if let Some(auth_data) = &auth_data
        && let Some(existing) = find_by_auth_data(ctx, auth_data)?
    {
        return log_in_existing(ctx, existing, auth_data);
    }
    if !ctx.auth.is_master && fields.email_verified.is_some() {
        return Err(ApiError::parse(
            ErrorCode::OperationForbidden,
            "Clients aren't allowed to manually update email verification.",
        ));
    }
    let email = fields.email;
    // Parse checks that no user has the name or the e-mail yet: finds of `_User`.
    ctx.store.class_reads().read(class_reads::USER);
    ctx.block_on(crate::rest::user_write::check_in_parse_order(
        &ctx.store,
        password.as_deref(),
        username.as_deref(),
        email.as_deref(),
        None,
    ))?;
    // A user made from authData alone gets a random username, as Parse's RestWrite does.
    let username = username.unwrap_or_else(|| random_username(25));
    // verifyUserEmails: a user with an email starts unverified, with a link to verify it.
    let verify = ctx.email.token_for_new_email(email.as_deref());
    let new = NewUser {
        username,
        password,
        email_verified: verify.as_ref().map(|_| false),
        email,
        auth_data,
        ..Default::default()
    };
    if ctx.email.prevents_unverified_login() {
        // The user is made and the e-mail sent, but there is no session to answer with: Parse
        // then fails to read the new user's session.
        let user = ctx.block_on(ctx.store.create_user_only(new))?;
        if let Some(token) = verify {
            ctx.block_on(ctx.email.email_set(&ctx.store, &user, token, false))?;
        }
        ctx.email.check_signup_without_session()?;
        {
            use crate::version::ApiGeneration as G;
            match ctx.behavior.generation {
                // 3.7's signUp answers the user as it is, and its sessionToken is null.
                G::V3_7 => {
                    return Ok(SignedIn {
                        token: String::new(),
                        user: user.into(),
                    });
                }
                G::V3_8 | G::V3_9 | G::V3_10 | G::V4_0 | G::V4_5 | G::V5 | G::V6 | G::V8 => {}
            }
        }
        let message = if ctx.email.behavior().signup_session_error_sanitized {
            "Permission denied"
        } else {
            "Invalid session token"
        };
        return Err(ApiError::parse(ErrorCode::InvalidSessionToken, message));
    }
    let (user, issued) = ctx.block_on(ctx.store.sign_up(new, ctx.session_meta()))?;
    if let Some(token) = verify {
        ctx.block_on(ctx.email.email_set(&ctx.store, &user, token, false))?;
    }
    Ok(SignedIn {
        token: issued.token,
        user: user.into(),
    })
}

/// The user `authData` names, if any. Each provider must be one Parse can validate without
/// configuration (only the built-in `anonymous`); up to 6.x each must also carry an `id` (or
/// be `null`), from 7.0 a provider without `id` is just not looked up.
fn find_by_auth_data(
    ctx: &Context,
    auth_data: &Map<String, Value>,
) -> Result<Option<User>, ApiError> {
    let id_required = ctx.behavior.auth_data_id_required;
    let mut ids = Vec::new();
    for (provider, data) in auth_data {
        match data {
            Value::Null => {}
            Value::Object(fields) => match fields.get("id") {
                Some(id) if truthy(id) => ids.push((provider.clone(), id_string(id))),
                _ if !id_required => {}
                _ => return Err(unsupported_service()),
            },
            _ => return Err(unsupported_service()),
        }
    }
    if ids.is_empty() && id_required {
        return Err(unsupported_service());
    }
    let mut found: Option<User> = None;
    for (provider, id) in &ids {
        let user = ctx.block_on(ctx.store.find_user_by_auth(provider.clone(), id.clone()))?;
        if let Some(user) = user {
            // Locked-out users (empty ACL) are invisible to non-master callers.
            if !ctx.auth.is_master && user.acl.is_empty() {
                continue;
            }
            match &found {
                Some(other) if other.object_id != user.object_id => {
                    return Err(ApiError::parse(
                        ErrorCode::AccountAlreadyLinked,
                        "this auth is already used",
                    ));
                }
                _ => found = Some(user),
            }
        }
    }
    for (provider, data) in auth_data {
        if provider == "anonymous" || data.is_null() {
            continue;
        }
        // A built-in adapter would call its provider's API, which we cannot: refused as
        // unsupported. A name Parse has no adapter for fails the way this version fails.
        return Err(if BUILT_IN_PROVIDERS.contains(&provider.as_str()) {
            unsupported_service()
        } else {
            unknown_provider(ctx)
        });
    }
    Ok(found)
}

/// The auth adapters Parse ships (4.x – 9.x, `Adapters/Auth/index.js`).
const BUILT_IN_PROVIDERS: &[&str] = &[
    "apple",
    "gcenter",
    "gpgames",
    "facebook",
    "instagram",
    "linkedin",
    "meetup",
    "google",
    "github",
    "twitter",
    "spotify",
    "digits",
    "janrainengage",
    "janraincapture",
    "line",
    "vkontakte",
    "qq",
    "wechat",
    "weibo",
    "phantauth",
    "microsoft",
    "keycloak",
    "ldap",
];

/// A provider without adapter, as this version reports it.
fn unknown_provider(ctx: &Context) -> ApiError {
    match ctx.behavior.unknown_auth_provider {
        UnknownAuthProvider::InternalError => ApiError::internal(),
        UnknownAuthProvider::ValidatorTypeError => ApiError::parse(
            ErrorCode::ScriptFailed,
            "Cannot destructure property 'validator' of 'req.config.authDataManager.getValidatorForProvider(...)' as it is undefined.",
        ),
        UnknownAuthProvider::Unsupported => unsupported_service(),
    }
}

fn log_in_existing(
    ctx: &Context,
    user: User,
    auth_data: &Map<String, Value>,
) -> Result<SignedIn, ApiError> {
    let provider = auth_data.keys().cloned().collect::<Vec<_>>().join(",");
    let issued = ctx.block_on(ctx.store.create_session(
        &user.object_id,
        SessionAction::Login,
        &provider,
        ctx.session_meta(),
    ))?;
    Ok(SignedIn {
        token: issued.token,
        user: user.into(),
    })
}

fn unsupported_service() -> ApiError {
    ApiError::parse(
        ErrorCode::UnsupportedService,
        "This authentication method is unsupported.",
    )
}

/// Parse's `cryptoUtils.randomString`: letters and digits.
fn random_username(len: usize) -> String {
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut bytes = vec![0u8; len];
    os_random(&mut bytes);
    bytes
        .iter()
        .map(|b| char::from(CHARS[usize::from(*b) % CHARS.len()]))
        .collect()
}

/// `UsersRouter.handleLogIn` with a username and password.
pub fn log_in(ctx: &Context, username: &str, password: &str) -> Result<SignedIn, ApiError> {
    let user = authenticate(ctx, username, password)?;
    let issued = ctx.block_on(ctx.store.create_session(
        &user.object_id,
        SessionAction::Login,
        "password",
        ctx.session_meta(),
    ))?;
    Ok(SignedIn {
        token: issued.token,
        user: user.into(),
    })
}

/// logIn from 6.0, whose input may carry `authData` for the user's providers: each must be
/// one Parse can validate without configuration (`anonymous`).
pub fn log_in_with_auth_data(
    ctx: &Context,
    username: &str,
    password: &str,
    auth_data: Option<Map<String, Value>>,
) -> Result<SignedIn, ApiError> {
    let user = authenticate(ctx, username, password)?;
    if let Some(auth_data) = auth_data {
        for (provider, data) in &auth_data {
            if !data.is_null() && provider != "anonymous" {
                return Err(unsupported_service());
            }
        }
    }
    let issued = ctx.block_on(ctx.store.create_session(
        &user.object_id,
        SessionAction::Login,
        "password",
        ctx.session_meta(),
    ))?;
    Ok(SignedIn {
        token: issued.token,
        user: user.into(),
    })
}

/// `_authenticateUserFromRequest`: the user a username and password name, or Parse's error.
fn authenticate(ctx: &Context, username: &str, password: &str) -> Result<User, ApiError> {
    if username.is_empty() {
        return Err(ApiError::parse(
            ErrorCode::UsernameMissing,
            "username/email is required.",
        ));
    }
    if password.is_empty() {
        return Err(ApiError::parse(
            ErrorCode::PasswordMissing,
            "password is required.",
        ));
    }
    // Parse finds the user by name or e-mail.
    ctx.store.class_reads().read(class_reads::USER);
    let user = ctx
        .block_on(ctx.store.check_credentials(
            Some(username.to_owned()),
            None,
            password.to_owned(),
            ctx.auth.is_master,
        ))?
        .ok_or_else(|| ApiError::from(ParseError::invalid_credentials()))?;
    ctx.email.check_login(&user)?;
    ctx.block_on(ctx.store.check_password_age(&user.object_id))?;
    Ok(user)
}

/// The current user as Parse's `viewer`/`me` resolves it in this version.
///
/// Up to 4.2 Parse looks the token's `_Session` up with master rights; from 4.3 it reads
/// `auth.user`, which master-key requests do not have (a `TypeError`: code 1).
/// Parse 3.7 – 3.9 read a viewer's selection with graphql-list-fields (after `@skip` and
/// `@include`) and dropped `__typename`: with nothing left, `include.split` threw a TypeError,
/// which the resolver reported as an internal error. Every field of those viewers is a leaf.
/// `signUp` checks it once the user and its session exist; `viewer` and `logOut` through
/// [`require_token_and_selected_fields`].
pub fn require_selected_fields<S: juniper::ScalarValue>(
    executor: &juniper::Executor<'_, '_, Context, S>,
) -> Result<(), ApiError> {
    let selection = executor.look_ahead();
    if selection
        .children()
        .iter()
        .any(|field| field.field_original_name() != "__typename")
    {
        Ok(())
    } else {
        Err(ApiError::internal())
    }
}

/// 3.7 – 3.9's `getUserFromSessionToken` before it reads anything: the request's session
/// token, then the selection ([`require_selected_fields`]).
pub fn require_token_and_selected_fields<S: juniper::ScalarValue>(
    ctx: &Context,
    executor: &juniper::Executor<'_, '_, Context, S>,
) -> Result<(), ApiError> {
    ctx.session_token()?;
    require_selected_fields(executor)
}

pub fn current_user(ctx: &Context) -> Result<SignedIn, ApiError> {
    let token = ctx.session_token()?.to_owned();
    // Parse's resolver finds the session by its token, with its user.
    ctx.store
        .class_reads()
        .read(class_reads::SESSION | class_reads::USER);
    let session: Arc<AuthSession> = match ctx.checked_session() {
        Some(s) => Arc::clone(s),
        None if ctx.behavior.graphql_user_from_caller_auth => return Err(ApiError::internal()),
        None => ctx.session()?,
    };
    Ok(SignedIn {
        token,
        user: UserRef::OfSession(session),
    })
}

/// `UsersRouter.handleLogOut`: end the request's session if it has one. `Ok(false)` means the
/// middleware saw the session alive but a concurrent logout ended it first.
pub fn revoke_session(ctx: &Context) -> Result<bool, ApiError> {
    let Some(token) = ctx.auth.session_token.as_deref() else {
        return Ok(true);
    };
    // Parse's handler finds the session by its token, then deletes it.
    ctx.store.class_reads().read(class_reads::SESSION);
    let revoked = ctx.block_on(ctx.store.revoke(token))?;
    Ok(revoked || ctx.checked_session().is_none())
}

/// logOut up to 4.4: read the viewer first (no session: 209; from 4.3 a missing `auth.user`
/// is a `TypeError`, code 1), then end the session and hand the old viewer back.
pub fn log_out_returning_viewer(ctx: &Context) -> Result<SignedIn, ApiError> {
    if ctx.behavior.graphql_user_from_caller_auth && ctx.checked_session().is_none() {
        return Err(ApiError::internal());
    }
    let viewer = current_user(ctx)?;
    if !revoke_session(ctx)? {
        return Err(ApiError::invalid_session_token());
    }
    Ok(viewer)
}

/// logOut from 4.5 (and 3.7): end the session if there is one; success either way.
pub fn log_out(ctx: &Context) -> Result<(), ApiError> {
    if revoke_session(ctx)? {
        Ok(())
    } else {
        Err(ApiError::invalid_session_token())
    }
}

/// A `Parse.Error` as the resolver got it (no code-1 rewriting).
fn as_thrown(err: ParseError) -> ApiError {
    ApiError::parse(err.code, err.message)
}

/// resetPassword (3.10+): `UsersRouter.handleResetRequest`, whose errors Parse's resolver
/// does not catch (the HTTP stack formats them).
pub fn reset_password(
    ctx: &Context,
    input: ResetPasswordInput,
) -> Result<Option<ResetPasswordPayload>, ApiError> {
    let email = Value::String(input.email);
    ctx.wait(ctx.email.request_password_reset(&ctx.store, Some(&email)))?
        .map_err(|e| as_thrown(e).uncaught(Thrown::UncaughtParseError))?;
    Ok(Some(ResetPasswordPayload {
        ok: true,
        client_mutation_id: input.client_mutation_id,
    }))
}

/// sendVerificationEmail (3.10+): `UsersRouter.handleVerificationEmailRequest`.
pub fn send_verification_email(
    ctx: &Context,
    input: SendVerificationEmailInput,
) -> Result<Option<SendVerificationEmailPayload>, ApiError> {
    let email = Value::String(input.email);
    ctx.wait(ctx.email.request_verification(&ctx.store, Some(&email)))?
        .map_err(as_thrown)?;
    Ok(Some(SendVerificationEmailPayload {
        ok: true,
        client_mutation_id: input.client_mutation_id,
    }))
}

/// confirmResetPassword (5.0+): Parse checks presence, then `updatePassword`, which rejects
/// with a bare string that graphql-js wraps ("Unexpected error value: ...").
pub fn confirm_reset_password(
    ctx: &Context,
    input: ConfirmResetPasswordInput,
) -> Result<Option<ConfirmResetPasswordPayload>, ApiError> {
    let (username, password, token) = (&*input.username, &*input.password, &*input.token);
    if username.is_empty() {
        return Err(ApiError::parse(
            ErrorCode::UsernameMissing,
            "you must provide a username",
        ));
    }
    if password.is_empty() {
        return Err(ApiError::parse(
            ErrorCode::PasswordMissing,
            "you must provide a password",
        ));
    }
    if token.is_empty() {
        return Err(ApiError::parse(
            ErrorCode::OtherCause,
            "you must provide a token",
        ));
    }
    let by_username = ctx.email.behavior().links_name_username;
    let sanitized = ctx.behavior.sanitized_permission_errors;
    let outcome = ctx.block_on(ctx.email.reset_password(
        &ctx.store,
        by_username.then_some(username),
        token,
        password,
        sanitized,
    ))?;
    outcome.map_err(|message| {
        ApiError::parse(
            ErrorCode::InternalServerError,
            format!("Unexpected error value: {}", Value::String(message)),
        )
        .uncaught(Thrown::UncaughtValue)
    })?;
    Ok(Some(ConfirmResetPasswordPayload {
        ok: true,
        client_mutation_id: input.client_mutation_id,
    }))
}

/// challenge (6.0+), `UsersRouter.handleChallenge` with no auth adapter configured: the caller
/// is identified by password or by `authData`, then each provider in `challengeData` that
/// has a `challenge` function answers; the built-in ones have none, so the answer is `{}`.
pub fn challenge(
    ctx: &Context,
    username: Option<&str>,
    password: Option<&str>,
    auth_data: Option<Map<String, Value>>,
    challenge_data: Option<Map<String, Value>>,
) -> Result<Map<String, Value>, ApiError> {
    let other = |m: &'static str| ApiError::parse(ErrorCode::OtherCause, m);
    let mut user = None;
    if let Some(username) = username.filter(|u| !u.is_empty()) {
        let Some(password) = password.filter(|p| !p.is_empty()) else {
            return Err(other(
                "You provided username or email, you need to also provide password.",
            ));
        };
        user = Some(authenticate(ctx, username, password)?);
    }
    let auth_data = auth_data.map(Value::Object);
    let challenge_data = challenge_data.map(Value::Object);
    let answer = ctx.block_on(async {
        Ok::<_, crate::store::StoreError>(
            crate::account::challenge(
                &ctx.store,
                user.as_ref(),
                auth_data.as_ref(),
                challenge_data.as_ref(),
            )
            .await,
        )
    })?;
    Ok(answer?)
}
